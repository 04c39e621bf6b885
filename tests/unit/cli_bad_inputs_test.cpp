// The bad-input catalogue (tests/data/bad/CATALOGUE.tsv): every malformed input is run through
// the real flowfit binary, which must exit with the documented code, print one error line naming
// the file, line and field, and leave no output file behind.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "unit/cli_test_support.hpp"

namespace flowfit {
namespace {

namespace fs = std::filesystem;
using testing::files_under;
using testing::run_flowfit;
using testing::TempDir;

const fs::path kData = FLOWFIT_TEST_DATA_DIR;

struct BadCase {
  std::string id;
  int exit_code = 0;
  std::string args;
  std::vector<std::string> expect;
  std::string condition;
};

void PrintTo(const BadCase& c, std::ostream* os) {
  *os << c.id << ": flowfit " << c.args;
}

std::vector<std::string> split(const std::string& s, const std::string& sep) {
  std::vector<std::string> out;
  size_t start = 0;
  while (true) {
    const size_t at = s.find(sep, start);
    out.push_back(s.substr(start, at == std::string::npos ? std::string::npos : at - start));
    if (at == std::string::npos) return out;
    start = at + sep.size();
  }
}

std::vector<BadCase> load_catalogue() {
  std::vector<BadCase> cases;
  std::ifstream in(kData / "bad" / "CATALOGUE.tsv");
  std::string line;
  bool header_seen = false;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    if (!header_seen) {  // "id exit args expect"
      header_seen = true;
      continue;
    }
    const auto cols = split(line, "\t");
    BadCase c;
    c.id = cols.at(0);
    c.exit_code = std::stoi(cols.at(1));
    c.args = cols.at(2);
    c.expect = split(cols.at(3), " | ");
    if (cols.size() > 4) c.condition = cols[4];
    cases.push_back(std::move(c));
  }
  return cases;
}

std::string substitute(std::string arg, const fs::path& out) {
  const std::pair<std::string, std::string> subs[] = {{"{cli}", (kData / "cli").string()},
                                                      {"{bad}", (kData / "bad").string()},
                                                      {"{data}", kData.string()},
                                                      {"{out}", out.string()}};
  for (const auto& [key, value] : subs)
    for (size_t at = arg.find(key); at != std::string::npos; at = arg.find(key, at))
      arg.replace(at, key.size(), value);
  return arg;
}

bool cuda_backend_built() {
  TempDir cwd;
  return run_flowfit({"--version"}, cwd.path()).out.find("CUDA backend built") != std::string::npos;
}

class CliBadInput : public ::testing::TestWithParam<BadCase> {};

TEST_P(CliBadInput, FailsWithCodeMessageAndNoOutput) {
  const BadCase& c = GetParam();
  ASSERT_TRUE(fs::exists(testing::flowfit_binary()))
      << "build the flowfit target first: " << testing::flowfit_binary();
  if (c.condition == "nocuda" && cuda_backend_built())
    GTEST_SKIP() << "needs a build without the CUDA backend";

  TempDir cwd;  // also the working directory: nothing may appear in it either
  const fs::path out = cwd.path() / "out";
  fs::create_directories(out);
  std::vector<std::string> args;
  for (const std::string& a : split(c.args, " "))
    if (!a.empty()) args.push_back(substitute(a, out));

  const auto r = run_flowfit(args, cwd.path());
  EXPECT_EQ(r.exit_code, c.exit_code) << "stderr:\n" << r.err;

  // All expected fragments on one line of stderr.
  bool found = false;
  std::istringstream lines(r.err);
  for (std::string line; std::getline(lines, line) && !found;) {
    bool all = true;
    for (const auto& e : c.expect) all = all && line.find(e) != std::string::npos;
    found = all;
  }
  EXPECT_TRUE(found) << "no stderr line holds every one of:\n  "
                     << ::testing::PrintToString(c.expect) << "\nstderr:\n"
                     << r.err;

  const auto left = files_under(cwd.path());
  EXPECT_TRUE(left.empty()) << "files left behind, first: " << left.front();
}

INSTANTIATE_TEST_SUITE_P(Catalogue, CliBadInput, ::testing::ValuesIn(load_catalogue()),
                         [](const ::testing::TestParamInfo<BadCase>& info) {
                           return info.param.id;
                         });

TEST(CliBadInputCatalogue, HoldsAtLeastThirtyCases) {
  EXPECT_GE(load_catalogue().size(), 30u);
}

}  // namespace
}  // namespace flowfit
