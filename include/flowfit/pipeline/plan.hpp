#pragma once
// A run described as data: inputs, years, the ordered stages and their stop rules, backend and
// outputs. Plans are written in TOML (flowfit/pipeline/plan_toml.hpp) or built in code.
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "flowfit/backend.hpp"
#include "flowfit/stage.hpp"

namespace flowfit::pipeline {

namespace fs = std::filesystem;

// The stage kinds of the MIGRATE harmonization (SPEC.md). Any subset, in any order.
enum class StageKind {
  diagonal_clip,    // 0: every diagonal entry >= 1, missing diagonals inserted
  cbg_rows,         // 1: CBG rows to the NNLS population of year t-1
  state_nonmovers,  // 2: state movers (off-diagonal) and non-movers (diagonal) by destination
  state_flows,      // 3: origin-state x destination-state blocks to ACS state-to-state flows
  county_ipf        // 4: county columns then county rows, alternating
};
std::string_view to_string(StageKind k);
StageKind stage_kind_from_string(std::string_view s);  // the names above; throws ConfigError
const std::vector<StageKind>& all_stage_kinds();

// A stage of a plan: its kind and every option of how it is fitted (flowfit/stage.hpp).
struct StageSpec : StageOptions {
  StageKind kind = StageKind::county_ipf;
  // The reference settings of a stage kind: a single pass, or exactly(3000) for county_ipf.
  static StageSpec defaults(StageKind kind);
};

// The released MIGRATE configuration: stages 0, 1, 2, 3, 4 in that order.
std::vector<StageSpec> released_stages();

// Where the census targets come from. Either census_dir (the real tables, file names as in
// data/census) or golden_dir (a folder in the layout of tests/data/golden/caseNN).
struct CensusSources {
  fs::path census_dir;
  fs::path golden_dir;
  // Stage 1 populations: NNLS inputs (both files), or precomputed yearly populations.
  fs::path cbg_census2010;   // columns cbg_geoid, pop_census2010
  fs::path cbg_acs5;         // columns cbg_geoid, acs5_2010 .. acs5_2019
  fs::path cbg_populations;  // columns cbg_geoid, x2009 .. x2019
};

struct YearSpec {
  int year = 0;     // matrix year t: flows t-1 -> t
  fs::path matrix;  // the observed matrix E of that year (any supported format)
};

struct OutputSpec {
  fs::path dir;                // one file per year: <dir>/flows_<year>.<format>
  std::string format = "npz";  // npz | mtx | csv | ffm
  bool stage_outputs = false;  // also write the matrix after every stage
  // Format of those stage matrices ("" = format); "ffm" writes them fastest (npz compresses).
  std::string stage_outputs_format;
  // Also write the resolved CBG populations and every stage's target table as CSV
  // (docs/cli.md, "Intermediate tables").
  bool intermediate_tables = false;
};

// Stage N (NNLS populations). The default is the reference's solver (scipy's Lawson–Hanson).
struct NnlsSpec {
  // Denoised solver instead: components within rounding of 0 become exactly 0. Not faithful to
  // the reference: under the zero-target rule those CBG rows are then left unchanged, where the
  // reference scales them to ~1e-13 (plan key nnls.snap_noise).
  bool snap_noise = false;
};

// Batches (docs/batch.md): the work items of a plan are (year, stage order, replicate). A plan
// without orders and replicates has one item per year, run exactly as before.
struct BatchResources {   // [batch]: what `flowfit submit` asks the scheduler for
  int tasks = 0;          // array size (0: one task per year); also the count for
                          // JOB_COMPLETION_INDEX when no --task-count is given
  int cpus_per_task = 0;  // 0: not requested
  std::string mem;        // e.g. "16G"
  std::string time;       // e.g. "02:00:00"
  std::string partition;
  std::string account;
};
struct BatchSpec {
  // Stage orders, each a permutation of the plan's stages (empty: the plan's order only). Item
  // order index k refers to orders[k].
  std::vector<std::vector<StageKind>> orders;
  int replicates = 0;  // uncertainty replicates 1..N besides the unperturbed replicate 0
  uint64_t seed = 0;   // of the replicates' census-table draws
  BatchResources resources;
  // True when the plan declares orders or replicates: items then live in item folders.
  bool item_folders() const { return !orders.empty() || replicates > 0; }
};

struct Plan {
  std::string name = "flowfit run";
  fs::path geography;  // CSV of the matrix units in order
  std::string geography_column = "cbg_geoid";
  // A geography covering only part of a state or county targeted by a stage is an error unless
  // this is set (docs/cli.md, "Coverage"): then such groups are fitted to their full census totals
  // as the reference implementation does, with a warning naming them.
  bool allow_partial_geography = false;
  CensusSources census;
  NnlsSpec nnls;
  std::vector<YearSpec> years;
  std::vector<StageSpec> stages = released_stages();
  BackendChoice backend = BackendChoice::automatic;
  int threads = 0;
  OutputSpec output;
  BatchSpec batch;

  // Throws ConfigError naming the key ("years[2].matrix", "stages[1].kind", ...).
  void validate() const;
  // A stable text description of everything that affects the results (for checksums).
  std::string canonical_text() const;
};

}  // namespace flowfit::pipeline
