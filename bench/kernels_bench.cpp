// Microbenchmarks of every backend kernel on a synthetic national matrix (the observed matrix of
// `flowfit synth`): assign_cells, reduce_by_cell and scale_by_cell for the county x county layout
// (stage 4) and the state x state layout with split diagonal (stages 2-3), and one sweep of the
// quotient engine on the county problem. Backends: reference (serial), OpenMP, and CUDA when a
// device is present.
//
//   kernels_bench [--nnz=1e7] [--seed=1] [--data=DIR] [--backends=reference,openmp,cuda]
//                 [any Google Benchmark flag, e.g. --benchmark_filter=reduce]
//
// Throughput counters: bytes/s counts the 12 bytes of CSR storage per nonzero the kernel reads
// (values and column indices; 4 more for cell ids where they are read), items/s nonzeros per s.
#include <benchmark/benchmark.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "bench/bench_support.hpp"
#include "flowfit/backend.hpp"
#include "flowfit/synth/synth.hpp"

using namespace flowfit;

namespace {

struct Setup {
  double nnz = 1e7;
  uint64_t seed = 1;
  std::string data = std::string(FLOWFIT_SOURCE_DIR) + "/data";
  std::string backends = "reference,openmp,cuda";
};
Setup g_setup;

// The matrix and layouts, built once on first use.
struct Problem {
  CsrMatrix matrix;
  CellLayout county;  // county rows x county columns
  CellLayout state;   // state rows x state columns, diagonal split
};

const Problem& problem() {
  static const Problem p = [] {
    synth::SynthConfig c;
    c.nnz = static_cast<int64_t>(g_setup.nnz);
    c.seed = g_setup.seed;
    synth::SyntheticProblem sp =
        synth::make_synthetic_problem(synth::SynthPaths::from_data_dir(g_setup.data), c);
    Problem out;
    out.matrix = std::move(sp.observed);
    const Grouping county = Grouping::by_level(sp.inputs.geography, Level::county);
    const Grouping state = Grouping::by_level(sp.inputs.geography, Level::state);
    out.county.n_row_cells = out.county.n_col_cells = county.n_groups();
    out.county.row_cell_of_row = out.county.col_cell_of_col = county.group_of_unit();
    out.state.n_row_cells = out.state.n_col_cells = state.n_groups();
    out.state.row_cell_of_row = out.state.col_cell_of_col = state.group_of_unit();
    out.state.split_diagonal = true;
    std::fprintf(stderr, "kernels_bench: observed matrix %lld x %lld, %lld nonzeros (%.0f MB)\n",
                 static_cast<long long>(out.matrix.n_rows),
                 static_cast<long long>(out.matrix.n_cols),
                 static_cast<long long>(out.matrix.nnz()), out.matrix.storage_bytes() / 1e6);
    return out;
  }();
  return p;
}

std::unique_ptr<Backend> make(BackendKind kind) {
  switch (kind) {
    case BackendKind::reference:
      return make_reference_backend();
    case BackendKind::openmp:
      return make_openmp_backend();
    case BackendKind::cuda:
      return make_cuda_backend();
  }
  return nullptr;
}

const CellLayout& layout_of(const Problem& p, const std::string& name) {
  return name == "state" ? p.state : p.county;
}

void set_counters(benchmark::State& st, int64_t nnz, double bytes_per_nnz) {
  st.SetItemsProcessed(st.iterations() * nnz);
  st.SetBytesProcessed(
      static_cast<int64_t>(static_cast<double>(st.iterations() * nnz) * bytes_per_nnz));
}

void bm_assign_cells(benchmark::State& st, BackendKind kind, std::string layout) {
  const Problem& p = problem();
  auto b = make(kind);
  auto m = b->upload(p.matrix);
  int64_t cells = 0;
  for (auto _ : st) {
    auto a = b->assign_cells(*m, layout_of(p, layout));
    cells = a->n_cells();
    benchmark::DoNotOptimize(cells);
  }
  st.counters["cells"] = static_cast<double>(cells);
  set_counters(st, p.matrix.nnz(), 8.0);  // reads column indices, writes cell ids
  st.SetLabel(b->name());
}

void bm_reduce_by_cell(benchmark::State& st, BackendKind kind, std::string layout) {
  const Problem& p = problem();
  auto b = make(kind);
  auto m = b->upload(p.matrix);
  auto a = b->assign_cells(*m, layout_of(p, layout));
  for (auto _ : st) {
    auto q = b->reduce_by_cell(*m, *a);
    benchmark::DoNotOptimize(q.data());
  }
  st.counters["cells"] = static_cast<double>(a->n_cells());
  set_counters(st, p.matrix.nnz(), 12.0);
  st.SetLabel(b->name());
}

void bm_scale_by_cell(benchmark::State& st, BackendKind kind, std::string layout) {
  const Problem& p = problem();
  auto b = make(kind);
  auto m = b->upload(p.matrix);
  auto a = b->assign_cells(*m, layout_of(p, layout));
  // Factors alternate around 1 so repeated application keeps values bounded.
  std::vector<double> up(a->n_cells(), 1.0001), down(a->n_cells(), 1.0 / 1.0001);
  bool flip = false;
  for (auto _ : st) {
    b->scale_by_cell(*m, *a, flip ? down : up);
    flip = !flip;
  }
  st.counters["cells"] = static_cast<double>(a->n_cells());
  set_counters(st, p.matrix.nnz(), 20.0);  // read + write values, read cell ids
  st.SetLabel(b->name());
}

// One sweep (county columns, then county rows) of the quotient engine on the county problem.
void bm_quotient_sweep(benchmark::State& st, BackendKind kind) {
  const Problem& p = problem();
  auto b = make(kind);
  auto m = b->upload(p.matrix);
  auto a = b->assign_cells(*m, p.county);
  QuotientProblem q;
  q.cell_values = b->reduce_by_cell(*m, *a);
  const CellTable& t = a->table();
  const int32_t k = p.county.n_row_cells;
  QuotientMarginSpec cols, rows;
  cols.n_blocks = rows.n_blocks = k;
  cols.block_of_cell = t.col_cell;
  rows.block_of_cell = t.row_cell;
  cols.targets.assign(k, 0.0);
  rows.targets.assign(k, 0.0);
  for (int64_t c = 0; c < t.size(); ++c) {
    cols.targets[t.col_cell[c]] += q.cell_values[c];
    rows.targets[t.row_cell[c]] += q.cell_values[c];
  }
  std::mt19937_64 rng(7);
  std::uniform_real_distribution<double> u(0.95, 1.05);
  double rt = 0, ct = 0;
  for (double& v : rows.targets) rt += (v *= u(rng));
  for (double& v : cols.targets) ct += (v *= u(rng));
  for (double& v : cols.targets) v *= rt / ct;
  q.margins = {cols, rows};
  auto engine = b->make_quotient_engine(q);
  for (auto _ : st) {
    const SweepReport r = engine->run_sweeps(1, std::nullopt, false);
    benchmark::DoNotOptimize(r.sweeps_run);
  }
  st.counters["cells"] = static_cast<double>(t.size());
  st.SetItemsProcessed(st.iterations() * t.size());
  st.SetLabel(b->name());
}

bool wanted(const std::string& name) {
  return ("," + g_setup.backends + ",").find("," + name + ",") != std::string::npos;
}

void register_all() {
  std::vector<std::pair<BackendKind, std::string>> kinds;
  if (wanted("reference")) kinds.emplace_back(BackendKind::reference, "reference");
  if (wanted("openmp")) kinds.emplace_back(BackendKind::openmp, "openmp");
  if (wanted("cuda") && cuda_device_count() > 0) kinds.emplace_back(BackendKind::cuda, "cuda");
  for (const auto& [kind, name] : kinds) {
    for (const char* layout : {"county", "state"}) {
      const std::string l = layout;
      benchmark::RegisterBenchmark(("assign_cells/" + l + "/" + name).c_str(), bm_assign_cells,
                                   kind, l)
          ->Unit(benchmark::kMillisecond)
          ->UseRealTime();
      benchmark::RegisterBenchmark(("reduce_by_cell/" + l + "/" + name).c_str(), bm_reduce_by_cell,
                                   kind, l)
          ->Unit(benchmark::kMillisecond)
          ->UseRealTime();
      benchmark::RegisterBenchmark(("scale_by_cell/" + l + "/" + name).c_str(), bm_scale_by_cell,
                                   kind, l)
          ->Unit(benchmark::kMillisecond)
          ->UseRealTime();
    }
    benchmark::RegisterBenchmark(("quotient_sweep/county/" + name).c_str(), bm_quotient_sweep, kind)
        ->Unit(benchmark::kMicrosecond)
        ->UseRealTime();
  }
}

// Takes our own --name=value flags out of argv; the rest goes to Google Benchmark.
void parse_own_flags(int& argc, char** argv) {
  int out = 1;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto value = [&](const char* key) -> const char* {
      const size_t n = std::strlen(key);
      return a.compare(0, n, key) == 0 ? argv[i] + n : nullptr;
    };
    if (const char* v = value("--nnz=")) {
      g_setup.nnz = std::strtod(v, nullptr);
    } else if (const char* v2 = value("--seed=")) {
      g_setup.seed = std::strtoull(v2, nullptr, 10);
    } else if (const char* v3 = value("--data=")) {
      g_setup.data = v3;
    } else if (const char* v4 = value("--backends=")) {
      g_setup.backends = v4;
    } else {
      argv[out++] = argv[i];
    }
  }
  argc = out;
  if (!(g_setup.nnz >= 1)) {
    std::fprintf(stderr, "kernels_bench: --nnz must be >= 1\n");
    std::exit(2);
  }
}

}  // namespace

int main(int argc, char** argv) {
  parse_own_flags(argc, argv);
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 2;
  benchmark::AddCustomContext("machine", bench::machine_description());
  benchmark::AddCustomContext("matrix", "flowfit synth observed matrix, truth nnz " +
                                            std::to_string(static_cast<long long>(g_setup.nnz)) +
                                            ", seed " + std::to_string(g_setup.seed));
  benchmark::AddCustomContext("cuda_devices", std::to_string(cuda_device_count()));
  try {
    register_all();
    benchmark::RunSpecifiedBenchmarks();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "kernels_bench: %s\n", e.what());
    return 1;
  }
  benchmark::Shutdown();
  return 0;
}
