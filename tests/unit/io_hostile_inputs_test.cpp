// Hostile inputs (issue #11): exponent edge cases, allocation bounds decided before anything is
// allocated, checked .npy header arithmetic, chunked reads of large zip members, and
// terminal-safe echoes of input text in messages. The files themselves are in the bad-input
// catalogue (io_bad_inputs_test.cpp); these tests pin the finer behaviour.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <limits>
#include <string>

#include "flowfit/error.hpp"
#include "flowfit/escape.hpp"
#include "flowfit/io/csv_table.hpp"
#include "flowfit/io/matrix_market.hpp"
#include "flowfit/io/npz.hpp"
#include "host/io/npy.hpp"
#include "host/io/parse_number.hpp"
#include "host/io/zip_archive.hpp"

namespace flowfit::io {
namespace {

namespace fs = std::filesystem;

const fs::path kBad = fs::path(FLOWFIT_TEST_DATA_DIR) / "bad";

double parse_ok(const std::string& text) {
  double v = -7;
  const std::string why = detail::parse_real(text, NumberRule::any, v);
  EXPECT_EQ(why, "") << text;
  return v;
}

std::string parse_error(const std::string& text) {
  double v = 0;
  return detail::parse_real(text, NumberRule::any, v);
}

TEST(ParseRealExponent, HugeExponentsOverflowInsteadOfWrapping) {
  for (const char* text :
       {"1e99999999999999999999", "11e9223372036854775807", "-1e99999999999999999999",
        "1.7976931348623159e308", "1e309", "0.0001e99999999999999999999999999999999"}) {
    EXPECT_NE(parse_error(text).find("overflows float64"), std::string::npos) << text;
  }
}

TEST(ParseRealExponent, UnderflowGivesTheCorrectlyRoundedValue) {
  // Each value is what strtod gives: the nearest double, subnormal or (signed) zero.
  for (const char* text :
       {"0.01e-9223372036854775808", "1e-400", "1e-99999999999999999999", "3e-324",
        "2.4703282292062328e-324", "2.4703282292062327e-324", "4.9e-324", "2.2250738585072011e-308",
        "-1e-400", "0e99999999999999999999", "123456789e-330"}) {
    const double expected = std::strtod(text, nullptr);
    const double got = parse_ok(text);
    EXPECT_EQ(got, expected) << text;
    EXPECT_EQ(std::signbit(got), std::signbit(expected)) << text;
  }
  EXPECT_EQ(parse_ok("3e-324"), std::numeric_limits<double>::denorm_min());
  EXPECT_EQ(parse_ok("2.4703282292062327e-324"), 0.0);
}

TEST(ParseRealExponent, MatrixMarketValueWithInt64WrappingExponent) {
  // The int64 exponent plus the digit position used to overflow (UB) and read as 0.
  try {
    read_matrix_market(kBad / "mtx_exponent_int64_wrap.mtx");
    FAIL() << "accepted";
  } catch (const InputError& e) {
    EXPECT_NE(e.reason().find("overflows float64"), std::string::npos) << e.what();
  }
}

TEST(EscapeForMessage, ControlCharactersNulAndInvalidUtf8) {
  using namespace std::string_literals;
  EXPECT_EQ(escape_for_message("\x1b[2J\x1b]0;t\x07"), "\\x1b[2J\\x1b]0;t\\x07");
  EXPECT_EQ(escape_for_message("a\0b"s), "a\\x00b");
  EXPECT_EQ(escape_for_message("tab\there\nnew\r\x7f"), "tab\\x09here\\x0anew\\x0d\\x7f");
  EXPECT_EQ(escape_for_message("bad \xff\xfe end"), "bad \\xff\\xfe end");
  EXPECT_EQ(escape_for_message("\xc3\x28"), "\\xc3(");               // truncated sequence
  EXPECT_EQ(escape_for_message("\xed\xa0\x80"), "\\xed\\xa0\\x80");  // surrogate
  EXPECT_EQ(escape_for_message("C1 \xc2\x9b"
                               "31m"),
            "C1 \\u009b31m");  // 8-bit CSI
  EXPECT_EQ(escape_for_message("Bogot\xc3\xa1 \xe2\x82\xac"), "Bogot\xc3\xa1 \xe2\x82\xac");
  EXPECT_EQ(escape_for_message("a\\x1b"), "a\\\\x1b");  // a literal backslash is not ambiguous
  EXPECT_EQ(quote_for_message("x"), "'x'");
}

TEST(EscapeForMessage, LongTextIsCutWithItsLengthStated) {
  const std::string name(1000000, 'g');
  const std::string shown = escape_for_message(name);
  EXPECT_EQ(shown, std::string(kEchoMaxChars, 'g') + "... (1000000 bytes)");
  EXPECT_EQ(escape_for_message(std::string(kEchoMaxChars, 'g')), std::string(kEchoMaxChars, 'g'));
  // Cutting never splits a UTF-8 sequence.
  std::string accents;
  for (int i = 0; i < 100; ++i) accents += "\xc3\xa9";
  const std::string cut = escape_for_message(accents);
  EXPECT_EQ(cut.substr(0, 2 * kEchoMaxChars), accents.substr(0, 2 * kEchoMaxChars));
  EXPECT_EQ(cut.substr(2 * kEchoMaxChars), "... (200 bytes)");
}

bool terminal_safe(const std::string& s) {
  for (unsigned char c : s) {
    if ((c < 0x20 && c != '\n' && c != '\t') || c == 0x7f) return false;
  }
  return true;
}

TEST(EscapeForMessage, ErrorsAreTerminalSafeEvenWhenACallSiteForgets) {
  using namespace std::string_literals;
  const InputError e("f.csv", 3, "na\x1bme", "raw \x1b]0;x\x07 and \0 nul"s);
  EXPECT_TRUE(terminal_safe(e.what())) << e.what();
  EXPECT_NE(std::string(e.what()).find("\\x1b]0;x\\x07 and \\x00 nul"), std::string::npos)
      << e.what();
  EXPECT_EQ(e.field(), "na\\x1bme");
  const ConfigError c("key", "got \x1b[2J");
  EXPECT_TRUE(terminal_safe(c.what())) << c.what();
  const InputError huge("f.csv", 1, "group", std::string(1000000, 'g'));
  EXPECT_LT(std::string(huge.what()).size(), 5000u);
}

TEST(EscapeForMessage, CsvFieldsWithControlBytesAreEchoedEscaped) {
  for (const char* name :
       {"csv_escape_sequence.csv", "csv_nul_byte.csv", "mtx_escape_sequence.mtx"}) {
    try {
      if (std::string(name).rfind("mtx", 0) == 0) {
        read_matrix_market(kBad / name);
      } else {
        CsvTable t = CsvTable::read(kBad / name, csv_options_for(kBad / name));
        t.number(0, t.column("value"), NumberRule::non_negative);
      }
      FAIL() << name << " accepted";
    } catch (const InputError& e) {
      EXPECT_TRUE(terminal_safe(e.what())) << name << ": " << e.what();
      EXPECT_TRUE(terminal_safe(e.reason())) << name;
      const std::string what = e.what();
      EXPECT_TRUE(what.find("\\x1b") != std::string::npos ||
                  what.find("\\x00") != std::string::npos)
          << what;
    }
  }
}

detail::NpyHeader header_of(const std::string& dict, std::string& why) {
  using namespace std::string_literals;
  std::string bytes = "\x93NUMPY\x01\x00"s;
  bytes += static_cast<char>(dict.size() & 0xff);
  bytes += static_cast<char>(dict.size() >> 8);
  bytes += dict;
  detail::NpyHeader h;
  why = detail::parse_npy_header(bytes, h);
  return h;
}

TEST(NpyHeader, SizeArithmeticIsChecked) {
  std::string why;
  header_of("{'descr': '<f8', 'fortran_order': False, 'shape': (4611686018427387904, 4), }", why);
  EXPECT_NE(why.find("overflows"), std::string::npos) << why;
  header_of("{'descr': '<f8', 'fortran_order': False, 'shape': (2305843009213693952,), }", why);
  EXPECT_NE(why.find("overflows"), std::string::npos) << why;
  header_of("{'descr': '<U1073741824', 'fortran_order': False, 'shape': (), }", why);
  EXPECT_NE(why.find("item size too large"), std::string::npos) << why;
  header_of("{'descr': '<U9223372036854775807', 'fortran_order': False, 'shape': (), }", why);
  EXPECT_NE(why.find("item size too large"), std::string::npos) << why;
  const auto ok = header_of("{'descr': '<U3', 'fortran_order': False, 'shape': (0, 5), }", why);
  EXPECT_EQ(why, "");
  EXPECT_EQ(ok.itemsize, 12);
  EXPECT_EQ(ok.count(), 0);
  EXPECT_EQ(ok.data_bytes, 0u);
  const auto big = header_of("{'descr': '<f8', 'fortran_order': False, 'shape': (3, 7), }", why);
  EXPECT_EQ(big.count(), 21);
  EXPECT_EQ(big.data_bytes, 168u);
}

TEST(MatrixDimensionLimit, RaisingTheLimitAllowsAHugeEmptyColumnRange) {
  // Columns cost nothing in CSR: with the limit raised to the int32 maximum, the 1 x (2^31-1)
  // file reads, with no column-sized allocation.
  MatrixReadOptions options;
  options.max_dimension = std::numeric_limits<int32_t>::max();
  const CsrMatrix m = read_matrix_market(kBad / "mtx_one_row_huge_cols.mtx", options);
  EXPECT_EQ(m.n_rows, 1);
  EXPECT_EQ(m.n_cols, std::numeric_limits<int32_t>::max());
  EXPECT_EQ(m.nnz(), 0);
  // The default limit rejects it, naming the limit.
  try {
    read_matrix_market(kBad / "mtx_one_row_huge_cols.mtx");
    FAIL() << "accepted";
  } catch (const InputError& e) {
    EXPECT_NE(e.reason().find(std::to_string(kDefaultMaxDimension)), std::string::npos) << e.what();
  }
}

CsrMatrix sample_matrix() {
  CsrMatrix m;
  m.n_rows = 40;
  m.n_cols = 30;
  m.row_ptr.assign(1, 0);
  for (int64_t r = 0; r < m.n_rows; ++r) {
    for (int32_t c = static_cast<int32_t>(r % 3); c < m.n_cols;
         c += 3 + static_cast<int32_t>(r % 5)) {
      m.col_idx.push_back(c);
      m.values.push_back(0.5 + static_cast<double>(r * 31 + c));
    }
    m.row_ptr.push_back(static_cast<int64_t>(m.col_idx.size()));
  }
  return m;
}

class TempFile {
 public:
  explicit TempFile(const std::string& name)
      : path_(fs::temp_directory_path() /
              (std::to_string(::testing::UnitTest::GetInstance()->random_seed()) + "_" +
               std::to_string(reinterpret_cast<std::uintptr_t>(this)) + name)) {}
  ~TempFile() {
    std::error_code ec;
    fs::remove(path_, ec);
  }
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

TEST(ZipChunkedRead, SmallChunksReadTheSameMatrix) {
  // Members of 4 GiB and more are read in pieces (libzip 1.7.3 truncates larger requests); a
  // test hook shrinks the piece so that the chunked path runs on a small file.
  const CsrMatrix m = sample_matrix();
  for (bool compressed : {true, false}) {
    TempFile file(compressed ? "deflated.npz" : "stored.npz");
    MatrixWriteOptions w;
    w.compressed = compressed;
    write_npz(file.path(), m, w);
    const CsrMatrix whole = read_npz(file.path());
    for (uint64_t chunk : {uint64_t{1}, uint64_t{7}, uint64_t{4096}}) {
      detail::set_zip_read_chunk_bytes_for_testing(chunk);
      CsrMatrix pieces;
      try {
        pieces = read_npz(file.path());
      } catch (...) {
        detail::set_zip_read_chunk_bytes_for_testing(0);
        throw;
      }
      detail::set_zip_read_chunk_bytes_for_testing(0);
      EXPECT_EQ(pieces.row_ptr, m.row_ptr) << chunk;
      EXPECT_EQ(pieces.col_idx, m.col_idx) << chunk;
      EXPECT_EQ(pieces.values, m.values) << chunk;
    }
    EXPECT_EQ(whole.values, m.values);
  }
  EXPECT_EQ(detail::set_zip_read_chunk_bytes_for_testing(0), detail::kZipReadChunkBytes);
}

}  // namespace
}  // namespace flowfit::io
