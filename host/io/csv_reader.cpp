#include "flowfit/io/csv_reader.hpp"

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <unordered_set>
#include <utility>

#include "flowfit/error.hpp"
#include "flowfit/escape.hpp"
#include "host/core/utf8.hpp"
#include "parse_number.hpp"

namespace flowfit::io {
namespace {

constexpr std::string_view kBom = "\xEF\xBB\xBF";

// Where a field of the record being parsed lives: in the file text, or (when it had "" escapes
// and had to be unescaped) in the scratch buffer.
struct Span {
  std::size_t begin;
  std::size_t size;
  bool in_scratch;
};

}  // namespace

CsvReader::CsvReader(const std::filesystem::path& path, CsvOptions options)
    : file_(path.string()), options_(options), mapped_(path) {
  text_ = mapped_.text();
  read_header();
}

CsvReader::CsvReader(std::string_view text, std::string name, CsvOptions options)
    : file_(std::move(name)), options_(options), text_(text) {
  read_header();
}

void CsvReader::read_header() {
  if (text_.substr(0, kBom.size()) == kBom) pos_ = kBom.size();
  if (!parse_record()) throw InputError(file_, 1, "header", "empty file: no header row");
  header_line_ = record_line_;
  header_.assign(fields_.begin(), fields_.end());
  std::unordered_set<std::string_view> seen;
  for (const std::string& name : header_) {
    if (!seen.insert(name).second) {
      throw InputError(file_, header_line_, name, "duplicate column name in the header");
    }
  }
}

std::optional<int> CsvReader::find_column(std::string_view name) const {
  for (std::size_t i = 0; i < header_.size(); ++i) {
    if (header_[i] == name) return static_cast<int>(i);
  }
  return std::nullopt;
}

int CsvReader::column(std::string_view name) const {
  if (auto c = find_column(name)) return *c;
  std::string have;
  for (const std::string& h : header_) {
    if (have.size() > 400) {  // a header of thousands of columns is not listed whole
      have += ", ... (" + std::to_string(header_.size()) + " columns)";
      break;
    }
    have += (have.empty() ? "" : ", ") + quote_for_message(h, 40);
  }
  throw InputError(file_, header_line_, std::string(name),
                   "missing column (the header has: " + have + ")");
}

bool CsvReader::next() {
  if (!parse_record()) return false;
  ++records_;
  if (fields_.size() != header_.size()) {
    std::string why = "expected " + std::to_string(header_.size()) + " fields, found " +
                      std::to_string(fields_.size());
    if (fields_.size() < header_.size()) fail(static_cast<int>(fields_.size()), why);
    throw InputError(file_, record_line_, "field " + std::to_string(header_.size() + 1), why);
  }
  return true;
}

// Parses the record at pos_ into fields_; false at the end of the text.
bool CsvReader::parse_record() {
  const char* d = text_.data();
  const std::size_t n = text_.size();
  if (options_.skip_blank_lines) {
    while (pos_ < n) {
      if (d[pos_] == '\n') {
        ++pos_;
        ++line_;
      } else if (d[pos_] == '\r' && (pos_ + 1 == n || d[pos_ + 1] == '\n')) {
        pos_ += pos_ + 1 == n ? 1 : 2;
        ++line_;
      } else {
        break;
      }
    }
  }
  if (pos_ >= n) return false;

  record_line_ = line_;
  const std::size_t record_begin = pos_;
  fields_.clear();
  raw_begin_.clear();
  scratch_.clear();
  thread_local std::vector<Span> spans;
  spans.clear();
  const char delim = options_.delimiter;
  const char quote = options_.quote;
  auto label = [&](std::size_t i) {
    if (header_.empty()) return std::string("header");
    if (i < header_.size()) return header_[i];
    return "field " + std::to_string(i + 1);
  };

  for (;;) {
    raw_begin_.push_back(pos_);
    if (quote != '\0' && pos_ < n && d[pos_] == quote) {
      const int64_t quote_line = line_;
      std::size_t segment = ++pos_;
      const std::size_t scratch_start = scratch_.size();
      bool escaped = false;
      for (;;) {
        const void* q = std::memchr(d + pos_, quote, n - pos_);
        if (q == nullptr) {
          throw InputError(file_, quote_line, label(spans.size()),
                           "unterminated quoted field (no closing quote before the end of file)");
        }
        const std::size_t qpos = static_cast<std::size_t>(static_cast<const char*>(q) - d);
        line_ += std::count(d + pos_, d + qpos, '\n');
        if (qpos + 1 < n && d[qpos + 1] == quote) {  // "" inside quotes: one literal quote
          scratch_.append(d + segment, qpos + 1 - segment);
          escaped = true;
          pos_ = segment = qpos + 2;
          continue;
        }
        if (escaped) {
          scratch_.append(d + segment, qpos - segment);
          spans.push_back({scratch_start, scratch_.size() - scratch_start, true});
        } else {
          spans.push_back({segment, qpos - segment, false});
        }
        pos_ = qpos + 1;
        break;
      }
      if (pos_ < n && d[pos_] != delim && d[pos_] != '\n' &&
          !(d[pos_] == '\r' && (pos_ + 1 == n || d[pos_ + 1] == '\n'))) {
        throw InputError(file_, line_, label(spans.size() - 1),
                         "unexpected character after the closing quote of a quoted field");
      }
    } else {
      const std::size_t b = pos_;
      while (pos_ < n && d[pos_] != delim && d[pos_] != '\n') ++pos_;
      std::size_t e = pos_;
      if (e > b && d[e - 1] == '\r' && (e == n || d[e] == '\n')) --e;  // CRLF
      spans.push_back({b, e - b, false});
    }
    if (pos_ < n && d[pos_] == delim) {
      ++pos_;
      continue;
    }
    if (pos_ < n && d[pos_] == '\r') ++pos_;
    if (pos_ < n && d[pos_] == '\n') {
      ++pos_;
      ++line_;
    }
    break;
  }

  fields_.reserve(spans.size());
  for (const Span& s : spans) {
    fields_.emplace_back((s.in_scratch ? scratch_.data() : d) + s.begin, s.size);
  }
  check_utf8(record_begin);
  return true;
}

void CsvReader::check_utf8(std::size_t record_begin) {
  const std::string_view raw = text_.substr(record_begin, pos_ - record_begin);
  const std::size_t bad = flowfit::detail::find_invalid_utf8(raw);
  if (bad == std::string_view::npos) return;
  const std::size_t at = record_begin + bad;
  const std::size_t field =
      static_cast<std::size_t>(std::upper_bound(raw_begin_.begin(), raw_begin_.end(), at) -
                               raw_begin_.begin()) -
      1;
  const int64_t line = record_line_ + std::count(raw.begin(), raw.begin() + bad, '\n');
  char byte[8];
  std::snprintf(byte, sizeof byte, "0x%02X", static_cast<unsigned char>(text_[at]));
  std::string name = header_.empty()          ? std::string("header")
                     : field < header_.size() ? header_[field]
                                              : "field " + std::to_string(field + 1);
  throw InputError(file_, line, name, std::string("invalid UTF-8 (byte ") + byte + ")");
}

double CsvReader::number(int col, NumberRule rule) const {
  double v = 0;
  std::string why = detail::parse_real(field(col), rule, v);
  if (!why.empty()) fail(col, std::move(why));
  return v;
}

std::optional<double> CsvReader::optional_number(int col, NumberRule rule) const {
  if (field(col).empty()) return std::nullopt;
  return number(col, rule);
}

int64_t CsvReader::integer(int col, NumberRule rule) const {
  int64_t v = 0;
  std::string why = detail::parse_integer(field(col), rule, v);
  if (!why.empty()) fail(col, std::move(why));
  return v;
}

void CsvReader::fail(int col, std::string reason) const {
  const auto c = static_cast<std::size_t>(col);
  throw InputError(file_, record_line_,
                   c < header_.size() ? header_[c] : "field " + std::to_string(c + 1),
                   std::move(reason));
}

}  // namespace flowfit::io
