// Bandwidth figures for issue 3: how close the CUDA backend's per-entry passes of a county IPF
// stage come to the device's memory bandwidth, and the whole stage on the GPU vs the CPU.
//
//   cuda_bandwidth_bench [--nnz 1e8] [--iterations 3000] [--repeats 5] [--threads T]
//                        [--device D] [--geography data/...csv] [--seed S]
//
// In one run, on the 217,740-CBG geography with a random flow matrix of ~nnz entries
// (bench_support.hpp) and the county stage of county_ipf_bench.cpp (columns then rows):
//   * device-to-device cudaMemcpy of a buffer the size of the matrix (CSR bytes);
//   * the aggregate pass (assign_cells + reduce_by_cell) and the apply pass (scale_by_cell), run
//     through the CUDA backend's device entry points on the stage's own cell layout and timed
//     with cudaEvents (bench/cuda_bandwidth_probe.cuh): median of --repeats after a warm-up;
//   * the whole stage (run_stage, --iterations sweeps) on the CUDA backend and on the OpenMP
//     backend of the same machine, and their ratio.
// Bandwidth counts the minimum traffic of a pass: the per-entry arrays it must read or write
// once (values 8 B, column indices 4 B, cell ids 4 B per entry); per-row arrays (row offsets,
// cell maps; < 1 % at 1e8 entries) are not counted. A copy moves its bytes twice (read + write),
// so D2D bandwidth = 2 · bytes / time, the convention of CUDA's bandwidthTest.
//
// Without CUDA it compiles, says "built without CUDA" and exits 0.
#include <CLI/CLI.hpp>
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <random>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "bench/bench_support.hpp"
#include "flowfit/backend.hpp"
#include "flowfit/fit.hpp"
#include "flowfit/io/geography_io.hpp"

#ifdef FLOWFIT_WITH_CUDA
#include "bench/cuda_bandwidth_probe.cuh"
#include "host/fit/cell_refinement.hpp"
#endif

using namespace flowfit;

#ifdef FLOWFIT_WITH_CUDA
namespace {

struct StageRun {
  StageResult result;
  CsrMatrix fitted;
};

StageRun run_on(Backend& backend, const CsrMatrix& m0, const Stage& stage, bool keep) {
  auto resident = backend.upload(m0);
  StageRun r;
  r.result = run_stage(backend, *resident, stage);
  if (keep) r.fitted = backend.download(*resident);
  return r;
}

std::string breakdown(const StageResult& r) {
  return fmt::format("aggregate {:.3f} s + fit {:.3f} s + apply {:.3f} s = {:.3f} s",
                     r.timings.aggregate_s, r.timings.fit_s, r.timings.apply_s, r.timings.total_s);
}

}  // namespace
#endif

int main(int argc, char** argv) {
  CLI::App app{
      "CUDA bandwidth benchmark: D2D copy vs the aggregate and apply passes of a county "
      "IPF stage; the stage on GPU vs CPU"};
  double nnz = 1e8;
  int iterations = 3000, repeats = 5, threads = 0, device = 0;
  uint64_t seed = 42;
  std::string geography = std::string(FLOWFIT_SOURCE_DIR) + "/data/geography/cbg2010.csv";
  app.add_option("--nnz", nnz, "approximate number of nonzeros (default 1e8)");
  app.add_option("--iterations", iterations, "county IPF iterations of the whole-stage runs");
  app.add_option("--repeats", repeats, "timed repeats of each pass (median reported)");
  app.add_option("--threads", threads, "OpenMP threads of the CPU run (0: default)");
  app.add_option("--device", device, "CUDA device");
  std::string aggregate = "pieces";
  bool no_stage = false;
  app.add_option("--aggregate", aggregate,
                 "reduce_by_cell path of the probe: pieces (the default) or sort (cross-check)")
      ->check(CLI::IsMember({"pieces", "sort"}));
  app.add_flag("--no-stage", no_stage, "skip the whole-stage GPU and CPU runs");
  app.add_option("--geography", geography, "CSV with a cbg_geoid column");
  app.add_option("--seed", seed, "random seed");
  CLI11_PARSE(app, argc, argv);

#ifndef FLOWFIT_WITH_CUDA
  fmt::print(
      "cuda_bandwidth_bench: built without CUDA (rebuild with -DFLOWFIT_CUDA=ON); nothing "
      "measured\n");
  return 0;
#else
  try {
    auto gpu = make_cuda_backend(device);  // BackendUnavailable before the long setup
    auto t0 = std::chrono::steady_clock::now();
    const Geography geo = io::read_geography(geography, "cbg_geoid");
    const CsrMatrix m0 = bench::random_flow_matrix(geo, static_cast<int64_t>(nnz), seed);
    const Stage stage = bench::county_stage(m0, geo, iterations, seed + 1);
    // The layout run_stage builds for this stage (detail::refine_cells), so the probe's passes
    // see exactly the stage's cells.
    const CellLayout layout = detail::refine_cells(stage, m0.n_rows, m0.n_cols).layout;
    const double setup_s = bench::seconds_since(t0);

    fmt::print("# CUDA bandwidth benchmark (issue 3)\n");
    fmt::print("machine: {}\n", bench::machine_description());
    fmt::print(
        "matrix: {} x {} CBGs, {} nonzeros ({:.1f} MB CSR), {} x {} county cells in the "
        "layout; setup {:.2f} s\n",
        m0.n_rows, m0.n_cols, m0.nnz(), m0.storage_bytes() / 1e6, layout.n_row_cells,
        layout.n_col_cells, setup_s);

    const cuda::BandwidthProbe p =
        cuda::probe_bandwidth(m0, layout, repeats, device, aggregate == "sort");
    fmt::print(
        "device: {}; {} occupied cells; reduce_by_cell path: {}; each figure the median of {} "
        "runs after a warm-up, cudaEvent timing\n",
        p.device, p.n_cells, p.reduce_path, p.repeats);

    const double e = static_cast<double>(m0.nnz());
    const double copy_gbs = 2.0 * static_cast<double>(p.copy_bytes) / p.copy_s / 1e9;
    struct Row {
      std::string pass;
      double bytes, seconds;
    };
    const std::vector<Row> rows = {
        {"D2D cudaMemcpy (read + write)", 2.0 * static_cast<double>(p.copy_bytes), p.copy_s},
        {"assign_cells (col idx r, cell id w)", e * (4 + 4), p.assign_s},
        {"reduce_by_cell (value r, cell id r)", e * (8 + 4), p.reduce_s},
        {"aggregate = assign_cells + reduce_by_cell", e * (4 + 4 + 8 + 4), p.assign_s + p.reduce_s},
        {"apply = scale_by_cell (value r+w, cell id r)", e * (8 + 8 + 4), p.scale_s},
    };
    fmt::print("| pass | GB moved | GPU ms | GB/s | of D2D copy |\n");
    for (const Row& r : rows) {
      const double gbs = r.bytes / r.seconds / 1e9;
      fmt::print("| {} | {:.3f} | {:.3f} | {:.1f} | {:.3f} |\n", r.pass, r.bytes / 1e9,
                 r.seconds * 1e3, gbs, gbs / copy_gbs);
    }

    if (no_stage) return 0;
    // The whole stage: a cold GPU run (first use of the stage's kernels and graphs), a warm one,
    // and the OpenMP backend on this machine's CPU. The warm GPU run is the one compared.
    const StageRun cold = run_on(*gpu, m0, stage, false);
    const StageRun warm = run_on(*gpu, m0, stage, true);
    auto cpu = make_openmp_backend(threads);
    const StageRun host = run_on(*cpu, m0, stage, true);
    double worst = 0;
    for (int64_t k = 0; k < m0.nnz(); ++k) {
      const double a = warm.fitted.values[k], b = host.fitted.values[k];
      const double scale = std::max(std::fabs(a), std::fabs(b));
      if (scale > 0) worst = std::max(worst, std::fabs(a - b) / scale);
    }
    fmt::print("stage gpu cold: {} ({}, {} cells)\n", breakdown(cold.result), gpu->name(),
               cold.result.cells);
    fmt::print("stage gpu warm: {}\n", breakdown(warm.result));
    fmt::print("stage cpu: {} ({})\n", breakdown(host.result), cpu->name());
    fmt::print("check: max relative difference GPU vs CPU stage result: {:.2e}\n", worst);
    fmt::print("| stage | iterations | GPU s | CPU s | CPU/GPU |\n");
    fmt::print("| county IPF, {} nonzeros | {} | {:.3f} | {:.3f} | {:.1f}x |\n", m0.nnz(),
               warm.result.iterations, warm.result.timings.total_s, host.result.timings.total_s,
               host.result.timings.total_s / warm.result.timings.total_s);
  } catch (const std::exception& ex) {
    std::fprintf(stderr, "cuda_bandwidth_bench: %s\n", ex.what());
    return 1;
  }
  return 0;
#endif
}
