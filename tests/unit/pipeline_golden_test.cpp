// The whole MIGRATE harmonization against the reference implementation's golden vectors, stage by
// stage, on every backend.
#include <gtest/gtest.h>

#include "flowfit/pipeline/golden_check.hpp"
#include "support/backends.hpp"

namespace flowfit {
namespace {

using testing::TestBackend;

struct GoldenParam {
  std::string case_name;
  TestBackend backend;
};

class PipelineGolden : public ::testing::TestWithParam<GoldenParam> {};

TEST_P(PipelineGolden, EveryStageMatchesTheReference) {
  auto backend = testing::make_test_backend(GetParam().backend);
  if (!backend) GTEST_SKIP() << "no CUDA device present";
  const auto dir = std::filesystem::path(FLOWFIT_TEST_DATA_DIR) / "golden" / GetParam().case_name;
  const pipeline::GoldenReport r = pipeline::check_golden(dir, *backend);
  for (const auto& c : r.comparisons)
    EXPECT_TRUE(c.pass) << c.what << ": max abs " << c.max_abs << ", max rel " << c.max_rel;
  // 1 NNLS table, 4 or 5 stage matrices, 7 log columns.
  EXPECT_GE(r.comparisons.size(), 12u);
  ASSERT_EQ(r.stages.size(), 4u);
  const StageResult& county = r.stages.back();
  EXPECT_EQ(county.iterations, 3000);
  if (GetParam().case_name == "case04") {
    // Inconsistent county totals: reported, while the matrices still match the reference.
    EXPECT_EQ(county.verdict, Verdict::inconsistent_targets) << county.verdict_detail;
    EXPECT_NE(county.verdict_detail.find("county"), std::string::npos);
  } else {
    EXPECT_EQ(county.verdict, Verdict::converged) << county.verdict_detail;
  }
}

std::vector<GoldenParam> all_params() {
  std::vector<GoldenParam> out;
  for (const char* c : {"case01", "case02", "case04", "case05"})
    for (TestBackend b : testing::all_test_backends()) out.push_back({c, b});
  return out;
}

INSTANTIATE_TEST_SUITE_P(Cases, PipelineGolden, ::testing::ValuesIn(all_params()),
                         [](const auto& info) {
                           return info.param.case_name + "_" + testing::name_of(info.param.backend);
                         });

}  // namespace
}  // namespace flowfit
