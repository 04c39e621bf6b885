// The OpenMP quotient engine alone, serial and parallel side by side, on a synthetic two-margin
// quotient shaped like the national county quotient (3,143 x 3,143 blocks, skewed block sizes).
// Prints wall and process CPU seconds per configuration — serial sweeps, parallel sweeps, and the
// adaptive choice between them (host/cpu/sweep_mode.hpp) — with a check that all give the same
// bits.
//
//   quotient_fit_bench [--cells 150000] [--blocks 3143] [--sweeps 3000] [--threads 2]
//                      [--repeats 2]
#include <CLI/CLI.hpp>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <random>
#include <set>

#include <fmt/format.h>

#include "host/cpu/openmp_kernels.hpp"

using namespace flowfit;

namespace {

QuotientProblem county_like(int64_t cells, int32_t blocks, uint64_t seed) {
  std::mt19937_64 rng(seed);
  // Block sizes skewed like counties (a few large ones): Zipf-like row and column weights.
  std::vector<double> w(blocks);
  for (int32_t b = 0; b < blocks; ++b) w[b] = 1.0 / std::pow(1.0 + b, 0.8);
  std::discrete_distribution<int32_t> pick(w.begin(), w.end());
  std::set<std::pair<int32_t, int32_t>> pairs;
  for (int32_t b = 0; b < blocks; ++b) pairs.insert({b, b});  // every county keeps its stayers
  while (static_cast<int64_t>(pairs.size()) < cells) pairs.insert({pick(rng), pick(rng)});
  QuotientProblem p;
  QuotientMarginSpec cols{blocks, {}, std::vector<double>(blocks, 0.0)};
  QuotientMarginSpec rows{blocks, {}, std::vector<double>(blocks, 0.0)};
  std::lognormal_distribution<double> value(3.0, 2.0);
  std::uniform_real_distribution<double> noise(0.9, 1.1);
  for (auto [r, c] : pairs) {  // ascending (row, column): the cell numbering of CellTable
    const double v = value(rng);
    p.cell_values.push_back(v);
    rows.block_of_cell.push_back(r);
    cols.block_of_cell.push_back(c);
    rows.targets[r] += v * noise(rng);
  }
  double row_total = 0, col_total = 0;
  for (double t : rows.targets) row_total += t;
  for (size_t c = 0; c < p.cell_values.size(); ++c)
    cols.targets[cols.block_of_cell[c]] += p.cell_values[c] * noise(rng);
  for (double t : cols.targets) col_total += t;
  for (double& t : cols.targets) t *= row_total / col_total;  // consistent totals
  p.margins = {cols, rows};  // the county stage: columns, then rows
  return p;
}

double cpu_seconds() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + 1e-9 * static_cast<double>(ts.tv_nsec);
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"OpenMP quotient engine: serial, parallel and adaptive sweeps"};
  int64_t cells = 150000;
  int32_t blocks = 3143;
  int sweeps = 3000, threads = 2, repeats = 2;
  app.add_option("--cells", cells, "quotient cells");
  app.add_option("--blocks", blocks, "blocks per margin");
  app.add_option("--sweeps", sweeps, "sweeps (exactly; early exit off)");
  app.add_option("--threads", threads, "threads of the parallel configuration");
  app.add_option("--repeats", repeats, "runs of each configuration (interleaved)");
  CLI11_PARSE(app, argc, argv);

  const QuotientProblem p = county_like(cells, blocks, 7);
  fmt::print("cells {} blocks {} sweeps {}\n", p.cell_values.size(), blocks, sweeps);
  std::vector<double> reference;
  struct Config {
    const char* name;
    int threads;
    cpu::SweepModePolicy mode;
  };
  const Config configs[] = {{"serial", 1, cpu::SweepModePolicy::serial},
                            {"parallel", threads, cpu::SweepModePolicy::parallel},
                            {"adaptive", threads, cpu::SweepModePolicy::adaptive}};
  for (int r = 0; r < repeats; ++r)
    for (const Config& c : configs) {
      cpu::QuotientEngineOptions opt;
      opt.detect_cycles = false;
      opt.min_parallel_cells = 0;
      opt.sweep_mode = c.mode;
      auto engine = cpu::make_openmp_quotient_engine(p, c.threads, opt);
      const auto w0 = std::chrono::steady_clock::now();
      const double c0 = cpu_seconds();
      engine->run_sweeps(sweeps, std::nullopt, true);
      const double cpu = cpu_seconds() - c0;
      const double wall =
          std::chrono::duration<double>(std::chrono::steady_clock::now() - w0).count();
      const std::vector<double> f = engine->cell_factors();
      if (reference.empty()) reference = f;
      fmt::print("{} threads {} wall_s {:.3f} cpu_s {:.3f} ns_per_cell_sweep {:.2f} same_bits {}\n",
                 c.name, c.threads, wall, cpu, 1e9 * wall / (static_cast<double>(cells) * sweeps),
                 f == reference ? "yes" : "NO");
    }
  return 0;
}
