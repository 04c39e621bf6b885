// The county IPF stage (SPEC stage 4: columns then rows, exactly N iterations) on the real CBG
// geography, with the quotient engine and with the naive full-matrix iteration, side by side.
//
//   county_ipf_bench [--nnz 1e7] [--iterations 3000] [--naive-iterations 10]
//                    [--backend cpu|cuda|reference] [--threads T] [--geography data/...csv]
//
// The naive method runs fewer iterations (its cost per iteration is constant) and its time is
// scaled to the full iteration count; the output says so.
#include <CLI/CLI.hpp>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <random>
#include <thread>

#include <fmt/format.h>

#include "bench/bench_support.hpp"
#include "flowfit/fit.hpp"
#include "flowfit/io/geography_io.hpp"

using namespace flowfit;

int main(int argc, char** argv) {
  CLI::App app{"county IPF benchmark: quotient engine vs naive full-matrix iteration"};
  double nnz = 1e7;
  int iterations = 3000, naive_iterations = 10, threads = 0;
  uint64_t seed = 42;
  std::string backend_name = "cpu";
  std::string geography = std::string(FLOWFIT_SOURCE_DIR) + "/data/geography/cbg2010.csv";
  app.add_option("--nnz", nnz, "approximate number of nonzeros");
  app.add_option("--iterations", iterations, "county IPF iterations (quotient engine)");
  app.add_option("--naive-iterations", naive_iterations,
                 "iterations of the naive method (0: skip)");
  app.add_option("--backend", backend_name, "cpu | cuda | reference");
  app.add_option("--threads", threads, "OpenMP threads (0: default)");
  app.add_option("--geography", geography, "CSV with a cbg_geoid column");
  app.add_option("--seed", seed, "random seed");
  CLI11_PARSE(app, argc, argv);

  try {
    auto t0 = std::chrono::steady_clock::now();
    const Geography geo = io::read_geography(geography, "cbg_geoid");
    CsrMatrix m0 = bench::random_flow_matrix(geo, static_cast<int64_t>(nnz), seed);
    const Stage stage = bench::county_stage(m0, geo, iterations, seed + 1);
    const double setup_s = bench::seconds_since(t0);

    std::string why;
    auto backend = make_backend(backend_choice_from_string(backend_name), threads, &why);
    fmt::print("# county IPF benchmark\n");
    fmt::print("machine: {}\n", bench::machine_description());
    fmt::print("backend: {} — {}\n", backend->name(), why);
    fmt::print("matrix: {} x {} CBGs, {} nonzeros ({:.1f} MB CSR), {} counties; setup {:.2f} s\n",
               m0.n_rows, m0.n_cols, m0.nnz(), m0.storage_bytes() / 1e6,
               stage.margins[0].cols.n_groups(), setup_s);

    auto resident = backend->upload(m0);
    const StageResult q = run_stage(*backend, *resident, stage);
    fmt::print(
        "quotient: {} iterations, {} cells: aggregate {:.3f} s + fit {:.3f} s + apply "
        "{:.3f} s = {:.3f} s; verdict {}\n",
        q.iterations, q.cells, q.timings.aggregate_s, q.timings.fit_s, q.timings.apply_s,
        q.timings.total_s, to_string(q.verdict));

    if (naive_iterations > 0) {
      Stage naive = stage;
      naive.method = FitMethod::naive;
      naive.stop = StopRule::exactly(naive_iterations);
      naive.log_every = naive_iterations;
      auto resident_naive = backend->upload(m0);
      const StageResult r = run_stage(*backend, *resident_naive, naive);
      const double per_it = r.timings.fit_s / naive_iterations;
      const double scaled = r.timings.aggregate_s + per_it * iterations;
      // Correctness on the side: the quotient engine after the same number of iterations.
      Stage check = stage;
      check.stop = StopRule::exactly(naive_iterations);
      auto resident_check = backend->upload(m0);
      run_stage(*backend, *resident_check, check);
      const CsrMatrix a = backend->download(*resident_naive);
      const CsrMatrix b = backend->download(*resident_check);
      double worst = 0;
      for (int64_t e = 0; e < a.nnz(); ++e)
        worst = std::max(worst, std::fabs(a.values[e] - b.values[e]) / std::fabs(a.values[e]));
      fmt::print(
          "naive: {} iterations in {:.3f} s ({:.4f} s/iteration) -> scaled to {} "
          "iterations: {:.1f} s\n",
          naive_iterations, r.timings.fit_s, per_it, iterations, scaled);
      fmt::print("ratio naive/quotient (whole stage, {} iterations): {:.0f}x\n", iterations,
                 scaled / q.timings.total_s);
      fmt::print("check: max relative difference naive vs quotient after {} iterations: {:.2e}\n",
                 naive_iterations, worst);
    }
    fmt::print("| backend | nnz | iterations | aggregate s | fit s | apply s | stage s |\n");
    fmt::print("| {} | {} | {} | {:.3f} | {:.3f} | {:.3f} | {:.3f} |\n", backend->name(), m0.nnz(),
               q.iterations, q.timings.aggregate_s, q.timings.fit_s, q.timings.apply_s,
               q.timings.total_s);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "county_ipf_bench: %s\n", e.what());
    return 1;
  }
  return 0;
}
