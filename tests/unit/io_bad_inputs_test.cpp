// Every malformed input under tests/data/bad gives an InputError that names the file, the line
// (where the format has lines) and the field.
#include <gtest/gtest.h>

#include <cctype>
#include <filesystem>
#include <functional>
#include <set>
#include <string>
#include <vector>

#include "flowfit/error.hpp"
#include "flowfit/geography.hpp"
#include "flowfit/io/csv_table.hpp"
#include "flowfit/io/ffm.hpp"
#include "flowfit/io/geography_io.hpp"
#include "flowfit/io/matrix_market.hpp"
#include "flowfit/io/npz.hpp"
#include "flowfit/io/triplet_csv.hpp"

namespace flowfit::io {
namespace {

namespace fs = std::filesystem;

const fs::path kBad = fs::path(FLOWFIT_TEST_DATA_DIR) / "bad";
const fs::path kGood = fs::path(FLOWFIT_TEST_DATA_DIR) / "io";

// The schema every csv_* case is read with: key column `id`, non-negative numbers in `value`.
void read_id_value(const fs::path& p) {
  CsvTable t = CsvTable::read(p, csv_options_for(p));
  const int id = t.column("id");
  const int value = t.column("value");
  for (int64_t r = 0; r < t.n_rows(); ++r) t.number(r, value, NumberRule::non_negative);
  t.check_unique(std::vector<int>{id});
}

void read_triplets(const fs::path& p) {
  Geography geo = read_geography(kGood / "geo_small.csv");
  read_triplet_csv(p, geo, geo);
}

struct BadCase {
  std::string file;
  int64_t line;  // 0: the format has no lines
  std::string field;
  std::string reason_part;  // a piece of the reason that must appear
};

void PrintTo(const BadCase& c, std::ostream* os) {
  *os << c.file;
}

std::function<void(const fs::path&)> reader_for(const std::string& name) {
  if (name.rfind("csv_", 0) == 0 || name.rfind("tsv_", 0) == 0) return read_id_value;
  if (name.rfind("mtx_", 0) == 0) return [](const fs::path& p) { read_matrix_market(p); };
  if (name.rfind("npz_", 0) == 0) return [](const fs::path& p) { read_npz(p); };
  if (name.rfind("ffm_", 0) == 0) return [](const fs::path& p) { read_ffm(p); };
  if (name.rfind("triplets_", 0) == 0) return read_triplets;
  if (name.rfind("geography_", 0) == 0) return [](const fs::path& p) { read_geography(p); };
  if (name.rfind("mapping_", 0) == 0) {
    return [](const fs::path& p) { read_mapping(p, "cbg_geoid", "county_fips"); };
  }
  return nullptr;
}

const std::vector<BadCase> kCases = {
    {"csv_empty.csv", 1, "header", "empty file"},
    {"csv_nan_value.csv", 3, "value", "NaN"},
    {"csv_inf_value.csv", 2, "value", "infinite"},
    {"csv_negative_value.csv", 4, "value", "negative"},
    {"csv_non_numeric.csv", 2, "value", "not a number"},
    {"csv_overflow_value.csv", 2, "value", "overflows"},
    {"csv_empty_value.csv", 2, "value", "empty value"},
    {"csv_missing_column.csv", 1, "value", "missing column"},
    {"csv_too_few_fields.csv", 3, "value", "expected 2 fields, found 1"},
    {"csv_too_many_fields.csv", 2, "field 3", "expected 2 fields, found 3"},
    {"csv_duplicate_key.csv", 4, "id", "first seen on line 2"},
    {"csv_duplicate_header.csv", 1, "id", "duplicate column"},
    {"csv_invalid_utf8.csv", 2, "id", "invalid UTF-8"},
    {"csv_unterminated_quote.csv", 2, "id", "unterminated"},
    {"csv_junk_after_quote.csv", 2, "id", "after the closing quote"},
    {"csv_bom_crlf_nan_value.csv", 3, "value", "NaN"},
    {"csv_quoted_newline_then_bad.csv", 4, "value", "not a number"},
    {"tsv_non_numeric.tsv", 3, "value", "not a number"},
    {"mtx_empty.mtx", 1, "banner", "empty file"},
    {"mtx_not_matrix_market.mtx", 1, "banner", "not a Matrix Market file"},
    {"mtx_bad_banner.mtx", 1, "banner", "5 words"},
    {"mtx_complex.mtx", 1, "banner", "complex"},
    {"mtx_array.mtx", 1, "banner", "array"},
    {"mtx_bad_size_line.mtx", 3, "size", "missing entries"},
    {"mtx_truncated.mtx", 5, "entries", "file ends after 2 of the 4 entries"},
    {"mtx_extra_entries.mtx", 4, "entries", "more entries than the 1 declared"},
    {"mtx_duplicate_entry.mtx", 5, "entry", "on line 3 and line 5"},
    {"mtx_row_out_of_range.mtx", 4, "row", "out of range [1, 3]"},
    {"mtx_col_zero.mtx", 3, "col", "out of range [1, 3]"},
    {"mtx_fractional_index.mtx", 3, "row", "not an integer"},
    {"mtx_nan_value.mtx", 4, "value", "NaN"},
    {"mtx_inf_value.mtx", 3, "value", "infinite"},
    {"mtx_negative_value.mtx", 3, "value", "negative"},
    {"mtx_non_numeric_value.mtx", 3, "value", "not a number"},
    {"mtx_missing_value.mtx", 3, "value", "missing value"},
    {"mtx_extra_text.mtx", 3, "entry", "junk"},
    {"mtx_symmetric_not_square.mtx", 2, "size", "square"},
    {"mtx_symmetric_duplicate.mtx", 4, "entry", "on line 3 and line 4"},
    {"npz_wrong_format.npz", 0, "format", "unsupported sparse format 'bsr'"},
    {"npz_missing_indptr.npz", 0, "indptr", "missing"},
    {"npz_not_zip.npz", 0, "archive", "not a zip archive"},
    {"npz_truncated.npz", 0, "archive", "not a zip archive"},
    {"npz_index_out_of_range.npz", 0, "indices", "indices[4] = 5 is out of range"},
    {"npz_bad_indptr.npz", 0, "indptr", "decreases"},
    {"npz_indptr_wrong_length.npz", 0, "indptr", "expected 4"},
    {"npz_negative_data.npz", 0, "data", "negative"},
    {"npz_nan_data.npz", 0, "data", "NaN"},
    {"npz_big_endian.npz", 0, "data", "big-endian"},
    {"npz_complex_data.npz", 0, "data", "complex"},
    {"npz_shape_wrong_size.npz", 0, "shape", "expected 2 elements"},
    {"npz_duplicate_coo.npz", 0, "row", "duplicate entry (row 1, col 3)"},
    {"npz_object_dtype.npz", 0, "data", "dtype"},
    {"npz_corrupt_member.npz", 0, "data", "corrupt"},
    {"ffm_bad_magic.ffm", 0, "magic", "bad magic"},
    {"ffm_bad_version.ffm", 0, "version", "version 99"},
    {"ffm_truncated.ffm", 0, "payload", "truncated"},
    {"ffm_truncated_header.ffm", 0, "header", "truncated"},
    {"ffm_bad_checksum.ffm", 0, "payload", "checksum"},
    {"ffm_negative_value.ffm", 0, "values", "negative"},
    {"triplets_unknown_geoid.csv", 3, "destination", "unknown GEOID '069999999999'"},
    {"triplets_duplicate_pair.csv", 4, "destination", "on line 2 and line 4"},
    {"triplets_negative_value.csv", 2, "value", "negative"},
    {"triplets_missing_column.csv", 1, "value", "missing column"},
    {"geography_duplicate_geoid.csv", 4, "cbg_geoid", "first on line 2"},
    {"geography_empty_geoid.csv", 3, "cbg_geoid", "empty GEOID"},
    {"mapping_duplicate_unit.csv", 3, "cbg_geoid", "listed twice"},
    // Hostile inputs (issue #11): exponents, shapes, header arithmetic, bombs, control bytes.
    {"mtx_exponent_overflow.mtx", 3, "value", "overflows float64"},
    {"mtx_exponent_int64_wrap.mtx", 3, "value", "overflows float64"},
    {"mtx_huge_shape.mtx", 2, "size", "shape 2147483647 x 2147483647 exceeds the limit"},
    {"mtx_many_empty_rows.mtx", 2, "size", "exceeds the limit of 33554432"},
    {"mtx_one_row_huge_cols.mtx", 2, "size", "exceeds the limit"},
    {"mtx_escape_sequence.mtx", 3, "value", "not a number: '\\x1b]0;pwned\\x07\\x1b[2J'"},
    {"csv_exponent_overflow.csv", 2, "value", "overflows float64"},
    {"csv_escape_sequence.csv", 2, "value", "not a number: '\\x1b[2J\\x1b]0;pwned\\x07x'"},
    {"csv_nul_byte.csv", 2, "value", "not a number: '1\\x00still here'"},
    {"npz_hostile_huge_shape_coo.npz", 0, "shape", "exceeds the limit"},
    {"npz_hostile_huge_shape_csc.npz", 0, "shape", "shape 1 x 2147483647 exceeds the limit"},
    {"npz_hostile_shape_overflow.npz", 0, "data", "array size overflows"},
    {"npz_hostile_bytes_overflow.npz", 0, "data", "array size overflows"},
    {"npz_hostile_huge_dtype.npz", 0, "format", "item size too large"},
    {"npz_hostile_header_length.npz", 0, "format", "implausible .npy header length"},
    // 'data' is corrupt past its header: reaching it would say "corrupt", not this.
    {"npz_hostile_zip_bomb.npz", 0, "indices", "has 3 elements but data has 2000000"},
};

class IoBadInput : public ::testing::TestWithParam<BadCase> {};

TEST_P(IoBadInput, NamesFileLineAndField) {
  const BadCase& c = GetParam();
  const fs::path path = kBad / c.file;
  ASSERT_TRUE(fs::exists(path)) << path;
  auto read = reader_for(c.file);
  ASSERT_TRUE(read) << "no reader for " << c.file;
  try {
    read(path);
    FAIL() << c.file << " was accepted";
  } catch (const InputError& e) {
    EXPECT_EQ(e.file(), path.string());
    EXPECT_EQ(e.line(), c.line) << e.what();
    EXPECT_EQ(e.field(), c.field) << e.what();
    EXPECT_NE(e.reason().find(c.reason_part), std::string::npos)
        << "reason lacks '" << c.reason_part << "': " << e.what();
    const std::string what = e.what();
    EXPECT_NE(what.find(path.string()), std::string::npos) << what;
    EXPECT_NE(what.find("'" + c.field + "'"), std::string::npos) << what;
    if (c.line > 0) {
      EXPECT_NE(what.find(":" + std::to_string(c.line)), std::string::npos) << what;
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Io, IoBadInput, ::testing::ValuesIn(kCases),
                         [](const ::testing::TestParamInfo<BadCase>& info) {
                           std::string name = info.param.file;
                           for (char& ch : name) {
                             if (!std::isalnum(static_cast<unsigned char>(ch))) ch = '_';
                           }
                           return name;
                         });

// A reader fixture dropped into tests/data/bad without a case here would silently go untested.
// Only top-level files with a reader prefix are ours; the CLI tests keep their own cases
// (CATALOGUE.tsv, cli/, plans/) in the same folder.
TEST(IoBadInputCoverage, EveryFileHasACase) {
  std::set<std::string> listed;
  for (const BadCase& c : kCases) listed.insert(c.file);
  int n = 0;
  for (const auto& entry : fs::directory_iterator(kBad)) {
    if (!entry.is_regular_file()) continue;
    const std::string name = entry.path().filename().string();
    if (!reader_for(name)) continue;
    ++n;
    EXPECT_TRUE(listed.count(name)) << name << " has no case in io_bad_inputs_test.cpp";
  }
  EXPECT_GE(n, 20);
}

}  // namespace
}  // namespace flowfit::io
