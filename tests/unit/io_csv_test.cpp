// CSV/TSV reading (quoting, BOM, CRLF, typed getters, keys) and writing, on fixtures and on the
// real tables bundled under data/.
#include <gtest/gtest.h>

#include <unistd.h>
#include "support/io_fixtures.hpp"

#include <chrono>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <limits>
#include <sstream>
#include <string>

#include "flowfit/error.hpp"
#include "flowfit/io/csv_reader.hpp"
#include "flowfit/io/csv_table.hpp"
#include "flowfit/io/csv_writer.hpp"

namespace flowfit::io {
namespace {

using testing::expect_same_matrix;
using testing::slurp;
using testing::small_io_matrix;
using testing::temp_file;

namespace fs = std::filesystem;

const fs::path kIo = fs::path(FLOWFIT_TEST_DATA_DIR) / "io";
// The real tables bundled with the project (data/README.md gives their provenance).
const fs::path kRepoData = FLOWFIT_SOURCE_DIR "/data";
fs::path real_table(const std::string& name) {
  for (const char* dir : {"census", "irs", "geography"})
    if (fs::exists(kRepoData / dir / name)) return kRepoData / dir / name;
  return kRepoData / name;
}

TEST(IoCsv, QuotesBomCrlfAndUnicode) {
  CsvTable t = CsvTable::read(kIo / "bom_crlf_quoted.csv");
  ASSERT_EQ(t.header(), (std::vector<std::string>{"name", "value", "comment"}));
  ASSERT_EQ(t.n_rows(), 3);
  const int name = t.column("name");
  const int value = t.column("value");
  const int comment = t.column("comment");
  EXPECT_EQ(t.field(0, name), "a,b");
  EXPECT_EQ(t.field(0, comment), "line one\r\nline two");  // kept exactly inside quotes
  EXPECT_EQ(t.number(0, value), 1.0);
  EXPECT_EQ(t.line(0), 2);
  EXPECT_EQ(t.field(1, name), "plain");
  EXPECT_EQ(t.number(1, value), -2500.0);
  EXPECT_EQ(t.field(1, comment), "\"quoted\"");
  EXPECT_EQ(t.line(1), 4);  // the quoted newline moved it down a line
  EXPECT_EQ(t.field(2, name), "\xC3\xBF \xC3\xBCn\xC3\xAF\x63\xC3\xB6\x64\xC3\xA9");
  EXPECT_EQ(t.number(2, value, NumberRule::non_negative), 7.0);
  EXPECT_EQ(t.field(2, comment), "");
  EXPECT_EQ(t.line(2), 6);  // after the blank line
  EXPECT_EQ(t.optional_number(2, comment), std::nullopt);
  EXPECT_THROW(t.number(1, value, NumberRule::non_negative), InputError);
}

TEST(IoCsv, StreamingReaderMatchesTable) {
  CsvReader r(kIo / "geo_small.csv");
  EXPECT_EQ(r.n_columns(), 4);
  EXPECT_EQ(r.find_column("nope"), std::nullopt);
  const int geoid = r.column("cbg_geoid");
  const int note = r.column("note");
  std::vector<std::string> geoids, notes;
  while (r.next()) {
    geoids.emplace_back(r.field(geoid));
    notes.emplace_back(r.field(note));
    EXPECT_EQ(r.integer(0, NumberRule::non_negative), r.records_read() - 1);
  }
  EXPECT_EQ(geoids, (std::vector<std::string>{"060010001001", "060010001002", "060010002001"}));
  EXPECT_EQ(notes, (std::vector<std::string>{"plain", "with, comma", "say \"hi\""}));
}

TEST(IoCsv, InMemoryTextAndTsv) {
  CsvReader r("a\tb\n 1 \t+2\n-0\t1e-400\n", "memory.tsv", CsvOptions{'\t'});
  ASSERT_TRUE(r.next());
  EXPECT_EQ(r.field(0), " 1 ");  // text is kept as is
  EXPECT_EQ(r.number(0), 1.0);   // numbers may be padded with spaces
  EXPECT_EQ(r.integer(1), 2);    // a leading '+' is accepted
  ASSERT_TRUE(r.next());
  EXPECT_EQ(r.number(0, NumberRule::non_negative), 0.0);  // -0 is not negative
  EXPECT_EQ(r.number(1), 0.0);                            // underflow is a tiny value
  EXPECT_FALSE(r.next());
}

TEST(IoCsv, NumberRules) {
  CsvReader r("x\nnan\n-inf\n1.5\n2e3\n0x10\n1,5\n", "rules.csv", CsvOptions{';'});
  ASSERT_TRUE(r.next());
  EXPECT_TRUE(std::isnan(r.number(0, NumberRule::any)));
  EXPECT_THROW(r.number(0, NumberRule::finite), InputError);
  ASSERT_TRUE(r.next());
  EXPECT_EQ(r.number(0, NumberRule::any), -std::numeric_limits<double>::infinity());
  ASSERT_TRUE(r.next());
  EXPECT_EQ(r.number(0), 1.5);
  EXPECT_THROW(r.integer(0), InputError);  // not an integer
  ASSERT_TRUE(r.next());
  EXPECT_EQ(r.number(0), 2000.0);
  EXPECT_THROW(r.integer(0), InputError);  // no exponents in integers
  ASSERT_TRUE(r.next());
  EXPECT_THROW(r.number(0), InputError);  // no hex
  ASSERT_TRUE(r.next());
  EXPECT_THROW(r.number(0), InputError);  // no decimal commas
}

TEST(IoCsv, CheckUniqueOnCompositeKeys) {
  const fs::path p = temp_file("keys.csv");
  { std::ofstream(p) << "a,b\n1,2\n1,3\n2,2\n"; }
  CsvTable t = CsvTable::read(p);
  EXPECT_NO_THROW(t.check_unique({"a", "b"}));
  try {
    t.check_unique({"a"});
    FAIL();
  } catch (const InputError& e) {
    EXPECT_EQ(e.line(), 3);
    EXPECT_EQ(e.field(), "a");
    EXPECT_NE(e.reason().find("first seen on line 2"), std::string::npos);
  }
  EXPECT_THROW(t.check_unique({"c"}), InputError);  // missing column
  fs::remove(p);
}

TEST(IoCsv, HeaderOnlyHasNoRows) {
  CsvReader r("a,b\n", "header_only.csv");
  EXPECT_FALSE(r.next());
  EXPECT_EQ(r.header(), (std::vector<std::string>{"a", "b"}));
}

TEST(IoCsv, WriterRoundTripsAwkwardText) {
  const fs::path p = temp_file("round.csv");
  const std::vector<std::string> texts = {"plain", "a,b",  "say \"hi\"", "two\nlines",
                                          "",      "cr\r", "00123"};
  const std::vector<double> values = {
      0.1, 1.0 / 3.0, -0.0, 1e-310, 6.02214076e23, std::numeric_limits<double>::max(), 5};
  {
    CsvWriter w(p, {"text", "value", "count"});
    for (std::size_t i = 0; i < texts.size(); ++i) {
      w.field(texts[i]).field(values[i]).field(static_cast<int>(i) - 3);
      w.end_row();
    }
    w.commit();
    EXPECT_EQ(w.rows_written(), 7);
  }
  CsvTable t = CsvTable::read(p);
  ASSERT_EQ(t.n_rows(), 7);
  for (int64_t r = 0; r < t.n_rows(); ++r) {
    EXPECT_EQ(t.field(r, 0), texts[static_cast<std::size_t>(r)]);
    const double v = t.number(r, 1);
    EXPECT_EQ(std::memcmp(&v, &values[static_cast<std::size_t>(r)], sizeof v), 0) << v;
    EXPECT_EQ(t.integer(r, 2), r - 3);
  }
  fs::remove(p);
}

TEST(IoCsv, OneColumnTableKeepsEmptyValues) {
  const fs::path p = temp_file("one.tsv");
  {
    CsvWriter w(p, {"only"}, {'\t'});
    w.field("x");
    w.end_row();
    w.field("");
    w.end_row();
    w.commit();
  }
  CsvTable t = CsvTable::read(p, csv_options_for(p));
  ASSERT_EQ(t.n_rows(), 2);
  EXPECT_EQ(t.field(1, 0), "");
  fs::remove(p);
}

TEST(IoCsv, EscapeRules) {
  EXPECT_EQ(csv_escape("abc"), "abc");
  EXPECT_EQ(csv_escape("a,b"), "\"a,b\"");
  EXPECT_EQ(csv_escape("a\"b"), "\"a\"\"b\"");
  EXPECT_EQ(csv_escape("a,b", '\t'), "a,b");
  EXPECT_EQ(csv_escape("a\tb", '\t'), "\"a\tb\"");
}

TEST(IoCsvRealData, CountyFipsChangesHasQuotedCommas) {
  const fs::path p = real_table("county_fips_changes_2010_2019.csv");
  CsvTable t = CsvTable::read(p);
  ASSERT_EQ(t.n_rows(), 3);
  t.check_unique({"fips_2010"});
  EXPECT_EQ(t.field(0, t.column("fips_2010")), "02270");
  EXPECT_EQ(t.field(2, t.column("fips_2019")), "51019");
  const std::string_view note = t.field(0, t.column("note"));
  EXPECT_EQ(note.substr(0, 30), "Wade Hampton Census Area, AK r");
  EXPECT_NE(note.find("(2010 population 7,459 in both files)"), std::string_view::npos);
}

TEST(IoCsvRealData, AllTablesParseWithUniqueKeys) {
  struct Table {
    const char* file;
    int64_t rows;
    std::vector<std::string_view> key;
  };
  const std::vector<Table> tables = {
      {"pep_county_2010_2019.csv", 3142, {"county_fips"}},
      {"pep_state_2010_2019.csv", 51, {"state_fips"}},
      {"acs1_state_flows_2011_2019.csv", 22950, {"year", "orig_state_fips", "dest_state_fips"}},
      {"acs1_state_totals_2011_2019.csv", 459, {"year", "state_fips"}},
      {"irs_county_flows_2017_2018.csv", 52199, {"orig_county_fips", "dest_county_fips"}},
      {"irs_county_flows_2018_2019.csv", 51109, {"orig_county_fips", "dest_county_fips"}},
      {"county2010.csv", 3143, {"county_fips"}},
  };
  for (const Table& tb : tables) {
    CsvTable t = CsvTable::read(real_table(tb.file));
    EXPECT_EQ(t.n_rows(), tb.rows) << tb.file;
    std::vector<int> cols;
    for (std::string_view k : tb.key) cols.push_back(t.column(k));
    EXPECT_NO_THROW(t.check_unique(cols)) << tb.file;
  }
  // One empty MOE (2019, Hawaii -> Vermont) reads as missing.
  CsvTable flows = CsvTable::read(real_table("acs1_state_flows_2011_2019.csv"));
  const int moe = flows.column("moe");
  int64_t missing = 0;
  for (int64_t r = 0; r < flows.n_rows(); ++r) {
    if (!flows.optional_number(r, moe, NumberRule::non_negative)) ++missing;
  }
  EXPECT_EQ(missing, 1);
}

// cbg2010.csv: 217,740 rows, 13 MB (its read time is measured in bench/, not here).
TEST(IoCsvRealData, Cbg2010ReadsWithZeroPaddingKept) {
  CsvTable t = CsvTable::read(real_table("cbg2010.csv"));
  const int geoid = t.column("cbg_geoid");
  const int pop = t.column("population");
  double total = 0;
  for (int64_t r = 0; r < t.n_rows(); ++r) total += t.number(r, pop, NumberRule::non_negative);
  EXPECT_EQ(t.n_rows(), 217740);
  EXPECT_EQ(total, 308745538.0);  // the 2010 Census count of the 50 states and DC
  EXPECT_EQ(t.field(0, geoid).size(), 12u);
  EXPECT_EQ(t.field(0, geoid)[0], '0');  // zero padding kept
  t.check_unique({"cbg_geoid"});
}

}  // namespace
}  // namespace flowfit::io
