#include <algorithm>
#include <cctype>
#include <cstdint>
#include <limits>
#include <string>

#include "flowfit/error.hpp"
#include "flowfit/io/mapped_file.hpp"
#include "flowfit/io/matrix_header.hpp"
#include "flowfit/io/matrix_market.hpp"
#include "line_cursor.hpp"
#include "parse_number.hpp"
#include "triplet_builder.hpp"

namespace flowfit::io {
namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

enum class Field { real, integer, pattern };

struct Banner {
  Field field = Field::real;
  bool symmetric = false;
};

Banner parse_banner(const std::string& file, std::string_view line) {
  constexpr std::string_view kExpected = "%%MatrixMarket matrix coordinate real general";
  auto bad = [&](const std::string& why) {
    throw InputError(file, 1, "banner", why + " (expected e.g. '" + std::string(kExpected) + "')");
  };
  std::string_view rest = line;
  std::string_view tokens[6];
  int n = 0;
  for (std::string_view t = detail::next_token(rest); !t.empty() && n < 6;
       t = detail::next_token(rest)) {
    tokens[n++] = t;
  }
  if (n == 0 || lower(tokens[0]) != "%%matrixmarket") {
    bad("not a Matrix Market file: first line is " + detail::quote_text(line));
  }
  if (n != 5) bad("banner must have 5 words, found " + std::to_string(n));
  if (lower(tokens[1]) != "matrix") bad("unsupported object " + detail::quote_text(tokens[1]));
  const std::string format = lower(tokens[2]);
  if (format == "array") bad("dense 'array' Matrix Market files are not supported");
  if (format != "coordinate") bad("unknown format " + detail::quote_text(tokens[2]));
  Banner b;
  const std::string field = lower(tokens[3]);
  if (field == "real" || field == "double") {
    b.field = Field::real;
  } else if (field == "integer") {
    b.field = Field::integer;
  } else if (field == "pattern") {
    b.field = Field::pattern;
  } else {
    bad("unsupported field " + detail::quote_text(tokens[3]) + " (real, integer or pattern)");
  }
  const std::string symmetry = lower(tokens[4]);
  if (symmetry == "symmetric") {
    b.symmetric = true;
  } else if (symmetry != "general") {
    bad("unsupported symmetry " + detail::quote_text(tokens[4]) + " (general or symmetric)");
  }
  return b;
}

int64_t parse_count(const std::string& file, int64_t line, std::string_view token,
                    const char* what) {
  int64_t v = 0;
  std::string why = detail::parse_integer(token, NumberRule::non_negative, v);
  if (token.empty()) why = std::string("missing ") + what;
  if (!why.empty()) throw InputError(file, line, "size", std::string(what) + ": " + why);
  return v;
}

// The banner and the size line, checked; `cursor` is left on the size line.
struct Start {
  Banner banner;
  int64_t n_rows = 0;
  int64_t n_cols = 0;
  int64_t n_entries = 0;
  int64_t size_line = 0;
};

Start read_start(const std::string& file, detail::LineCursor& cursor,
                 const MatrixReadOptions& options) {
  std::string_view line;
  if (!cursor.next(line)) {
    throw InputError(file, 1, "banner", "empty file: expected a '%%MatrixMarket' banner");
  }
  Start s;
  s.banner = parse_banner(file, line);

  // Comments and blank lines, then the size line.
  bool have_size = false;
  while (cursor.next(line)) {
    if (!line.empty() && line[0] == '%') continue;
    if (detail::is_blank(line)) continue;
    have_size = true;
    break;
  }
  if (!have_size) {
    throw InputError(file, cursor.line() + 1, "size",
                     "file ends before the size line 'rows cols entries'");
  }
  s.size_line = cursor.line();
  std::string_view rest = line;
  s.n_rows = parse_count(file, s.size_line, detail::next_token(rest), "rows");
  s.n_cols = parse_count(file, s.size_line, detail::next_token(rest), "columns");
  s.n_entries = parse_count(file, s.size_line, detail::next_token(rest), "entries");
  if (!detail::is_blank(rest)) {
    throw InputError(file, s.size_line, "size",
                     "unexpected text after 'rows cols entries': " + detail::quote_text(rest));
  }
  detail::check_shape_limit(file, s.size_line, "size", s.n_rows, s.n_cols, options.max_dimension);
  if (s.banner.symmetric && s.n_rows != s.n_cols) {
    throw InputError(file, s.size_line, "size", "a symmetric matrix must be square");
  }
  return s;
}

}  // namespace

MatrixHeader read_matrix_market_header(const std::filesystem::path& path,
                                       const MatrixReadOptions& options) {
  MappedFile mapped(path);
  detail::LineCursor cursor(mapped.text());
  const Start s = read_start(path.string(), cursor, options);
  return {MatrixFormat::matrix_market, s.n_rows, s.n_cols, s.n_entries};
}

CsrMatrix read_matrix_market(const std::filesystem::path& path, const MatrixReadOptions& options) {
  const std::string file = path.string();
  MappedFile mapped(path);
  detail::LineCursor cursor(mapped.text());
  const Start start = read_start(file, cursor, options);
  const Banner& banner = start.banner;
  const int64_t n_rows = start.n_rows;
  const int64_t n_cols = start.n_cols;
  const int64_t n_entries = start.n_entries;
  const int64_t size_line = start.size_line;
  std::string_view line;
  std::string_view rest;

  detail::TripletBuilder builder(file, n_rows, n_cols, "line", "entry");
  // Do not trust the declared count for the reservation: a short file may claim billions.
  const auto plausible = static_cast<int64_t>(mapped.size() / 4 + 1);
  builder.reserve(static_cast<std::size_t>(std::min(n_entries, plausible)) *
                  (banner.symmetric ? 2 : 1));
  const NumberRule rule = options.allow_negative ? NumberRule::finite : NumberRule::non_negative;
  int64_t count = 0;
  while (cursor.next(line)) {
    if (detail::is_blank(line) || line[0] == '%') continue;
    const int64_t at = cursor.line();
    if (count == n_entries) {
      throw InputError(file, at, "entries",
                       "more entries than the " + std::to_string(n_entries) +
                           " declared on the size line (line " + std::to_string(size_line) + ")");
    }
    rest = line;
    const std::string_view row_text = detail::next_token(rest);
    const std::string_view col_text = detail::next_token(rest);
    const std::string_view value_text =
        banner.field == Field::pattern ? std::string_view() : detail::next_token(rest);
    int64_t row = 0;
    int64_t col = 0;
    std::string why = detail::parse_integer(row_text, NumberRule::any, row);
    if (!why.empty()) throw InputError(file, at, "row", why);
    if (row < 1 || row > n_rows) {
      throw InputError(
          file, at, "row",
          "row index " + std::to_string(row) + " out of range [1, " + std::to_string(n_rows) + "]");
    }
    if (col_text.empty()) throw InputError(file, at, "col", "missing column index");
    why = detail::parse_integer(col_text, NumberRule::any, col);
    if (!why.empty()) throw InputError(file, at, "col", why);
    if (col < 1 || col > n_cols) {
      throw InputError(file, at, "col",
                       "column index " + std::to_string(col) + " out of range [1, " +
                           std::to_string(n_cols) + "]");
    }
    double value = 1.0;
    if (banner.field != Field::pattern) {
      if (value_text.empty()) throw InputError(file, at, "value", "missing value");
      if (banner.field == Field::integer) {
        int64_t iv = 0;
        why = detail::parse_integer(value_text, NumberRule::any, iv);
        value = static_cast<double>(iv);
        if (why.empty()) why = detail::check_real(value, rule);
      } else {
        why = detail::parse_real(value_text, rule, value);
      }
      if (!why.empty()) throw InputError(file, at, "value", why);
    }
    if (!detail::is_blank(rest)) {
      throw InputError(file, at, "entry", "unexpected extra text " + detail::quote_text(rest));
    }
    builder.add(row - 1, static_cast<int32_t>(col - 1), value, at);
    if (banner.symmetric && row != col)
      builder.add(col - 1, static_cast<int32_t>(row - 1), value, at);
    ++count;
  }
  if (count < n_entries) {
    throw InputError(file, cursor.line() + 1, "entries",
                     "file ends after " + std::to_string(count) + " of the " +
                         std::to_string(n_entries) + " entries declared on line " +
                         std::to_string(size_line) + " (truncated?)");
  }
  return builder.build(options.duplicates);
}

}  // namespace flowfit::io
