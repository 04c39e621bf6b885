// NNLS yearly CBG populations (SPEC stage N) for every CBG of a Census 2010 + ACS 5-year table
// pair, e.g. the one `flowfit synth` writes (217,740 CBGs):
//
//   nnls_bench DIR/census/cbg_pop_census2010.csv DIR/census/cbg_pop_acs5.csv [--repeat 5]
//
// Prints the best time of the reference solver with all threads and with one thread, and of the
// denoised solver (nnls.snap_noise) with all threads.
#include <omp.h>
#include <CLI/CLI.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>

#include <fmt/format.h>

#include "bench/bench_support.hpp"
#include "flowfit/targets/targets.hpp"

using namespace flowfit;

namespace {

double best_of(int repeat, const targets::CbgPopulationInputs& in, targets::NnlsBatchStats& stats,
               const targets::NnlsOptions& options = {}) {
  double best = 1e300;
  for (int r = 0; r < repeat; ++r) {
    const auto t0 = std::chrono::steady_clock::now();
    targets::resolve_yearly_populations(in, &stats, options);
    best = std::min(best, bench::seconds_since(t0));
  }
  return best;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"NNLS yearly CBG populations benchmark"};
  std::string census2010, acs5;
  int repeat = 5;
  app.add_option("census2010", census2010, "CSV: cbg_geoid, pop_census2010")->required();
  app.add_option("acs5", acs5, "CSV: cbg_geoid, acs5_2010..acs5_2019")->required();
  app.add_option("--repeat", repeat, "runs per setting (best is reported)");
  CLI11_PARSE(app, argc, argv);
  try {
    const targets::CbgPopulationInputs in = targets::load_cbg_population_inputs(census2010, acs5);
    targets::NnlsBatchStats stats;
    const int threads = omp_get_max_threads();
    const double all = best_of(repeat, in, stats);
    targets::NnlsBatchStats snap_stats;
    const double snap = best_of(repeat, in, snap_stats, targets::NnlsOptions{.snap_noise = true});
    omp_set_num_threads(1);
    const double one = best_of(repeat, in, stats);
    fmt::print("machine: {}\n", bench::machine_description());
    fmt::print(
        "NNLS for {} CBGs: {:.3f} s with {} threads, {:.3f} s with 1 thread "
        "(best of {}); {} needed the active set, {} have a zero year\n",
        in.size(), all, threads, one, repeat, stats.n_constrained, stats.n_with_zero_year);
    fmt::print("denoised solver (nnls.snap_noise): {:.3f} s with {} threads; {} have a zero year\n",
               snap, threads, snap_stats.n_with_zero_year);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "nnls_bench: %s\n", e.what());
    return 1;
  }
  return 0;
}
