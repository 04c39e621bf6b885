// check-golden on a digest-style case folder (tests/data/golden_digest/case02, written by
// tests/golden_digest/make_golden_digest.py): .npz input, gzipped digests, final matrix in full.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "flowfit/error.hpp"
#include "flowfit/pipeline/golden_check.hpp"
#include "host/pipeline/golden_files.hpp"
#include "support/backends.hpp"

namespace flowfit {
namespace {

namespace fs = std::filesystem;

fs::path digest_case() {
  return fs::path(FLOWFIT_TEST_DATA_DIR) / "golden_digest" / "case02";
}

fs::path copy_case(const std::string& name) {
  const fs::path dir = fs::temp_directory_path() / ("flowfit_digest_" + name);
  fs::remove_all(dir);
  fs::copy(digest_case(), dir);
  return dir;
}

const pipeline::GoldenComparison* find(const pipeline::GoldenReport& r, const std::string& what) {
  for (const auto& c : r.comparisons)
    if (c.what == what) return &c;
  return nullptr;
}

TEST(GoldenDigest, PassesTheDigestCase) {
  auto backend = testing::make_test_backend(testing::TestBackend::openmp_2);
  const pipeline::GoldenReport r = pipeline::check_golden(digest_case(), *backend);
  EXPECT_EQ(r.year, 2015);  // from case.json
  for (const auto& c : r.comparisons)
    EXPECT_TRUE(c.pass) << c.what << ": max abs " << c.max_abs << ", max rel " << c.max_rel;
  EXPECT_TRUE(r.pass);
  for (const char* what :
       {"cbg_pop_resolved.csv.gz", "E_input.row_sums.csv.gz", "after_stage1_cbg.sample.csv.gz",
        "after_stage3_state_flows.col_sums.csv.gz", "after_stage4_county_ipf.npz",
        "ipf_log.csv col_violation_total"}) {
    const auto* c = find(r, what);
    ASSERT_NE(c, nullptr) << what;
    EXPECT_FALSE(c->skipped) << what;
  }
}

// A case folder with only the matrix after stage 0 (E_input, no E_raw): checked from stage 1 on,
// stage 0 reported as skipped.
TEST(GoldenDigest, ACaseWithOnlyEInputIsCheckedFromStageOne) {
  const fs::path dir = fs::temp_directory_path() / "flowfit_golden_input_only";
  fs::remove_all(dir);
  fs::copy(fs::path(FLOWFIT_TEST_DATA_DIR) / "golden" / "case02", dir);
  fs::remove(dir / "E_raw.mtx");
  auto backend = testing::make_test_backend(testing::TestBackend::openmp_2);
  const pipeline::GoldenReport r = pipeline::check_golden(dir, *backend);
  for (const auto& c : r.comparisons)
    EXPECT_TRUE(c.pass) << c.what << ": max abs " << c.max_abs << ", max rel " << c.max_rel;
  EXPECT_TRUE(r.pass);
  const auto* stage0 = find(r, "stage0_diagonal_clip");
  ASSERT_NE(stage0, nullptr);
  EXPECT_TRUE(stage0->skipped);
  const auto* final_matrix = find(r, "after_stage4_county_ipf.mtx");
  ASSERT_NE(final_matrix, nullptr);
  EXPECT_FALSE(final_matrix->skipped);
  // Neither E_raw nor E_input: an input error naming the folder.
  fs::remove(dir / "E_input.mtx");
  EXPECT_THROW(pipeline::check_golden(dir, *backend), InputError);
  fs::remove_all(dir);
}

TEST(GoldenDigest, FailsOnAPerturbedDigest) {
  const fs::path dir = copy_case("perturbed");
  // Stage 2's row sum of CBG 7, 1e-6 relative off, as a plain CSV (preferred over the .gz).
  const io::CsvTable t =
      pipeline::detail::read_csv_any(dir / "after_stage2_state_nonmovers.row_sums.csv.gz");
  fs::remove(dir / "after_stage2_state_nonmovers.row_sums.csv.gz");
  {
    std::ofstream out(dir / "after_stage2_state_nonmovers.row_sums.csv");
    out.precision(17);
    out << "row,sum\n";
    for (int64_t r = 0; r < t.n_rows(); ++r)
      out << t.field(r, 0) << "," << t.number(r, 1) * (r == 7 ? 1.000001 : 1.0) << "\n";
  }
  auto backend = testing::make_test_backend(testing::TestBackend::openmp_2);
  const pipeline::GoldenReport r = pipeline::check_golden(dir, *backend);
  EXPECT_FALSE(r.pass);
  const auto* c = find(r, "after_stage2_state_nonmovers.row_sums.csv");
  ASSERT_NE(c, nullptr);
  EXPECT_FALSE(c->pass);
  EXPECT_NEAR(c->max_rel, 1e-6, 1e-8);
  const auto* other = find(r, "after_stage2_state_nonmovers.col_sums.csv.gz");
  ASSERT_NE(other, nullptr);
  EXPECT_TRUE(other->pass);
  fs::remove_all(dir);
}

TEST(GoldenDigest, MissingOptionalFilesAreSkipped) {
  const fs::path dir = copy_case("missing");
  fs::remove(dir / "ipf_log.csv.gz");
  fs::remove(dir / "after_stage1_cbg.sample.csv.gz");
  fs::remove(dir / "cbg_pop_resolved.csv.gz");
  auto backend = testing::make_test_backend(testing::TestBackend::openmp_2);
  const pipeline::GoldenReport r = pipeline::check_golden(dir, *backend);
  EXPECT_TRUE(r.pass);
  for (const char* what : {"ipf_log.csv", "after_stage1_cbg sample", "cbg_pop_resolved.csv"}) {
    const auto* c = find(r, what);
    ASSERT_NE(c, nullptr) << what;
    EXPECT_TRUE(c->skipped) << what;
  }
  fs::remove_all(dir);
}

}  // namespace
}  // namespace flowfit
