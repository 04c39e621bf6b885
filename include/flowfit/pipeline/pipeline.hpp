#pragma once
// Running plans: per year, resolve targets, run the stages on a backend, write outputs and a
// report. Years are independent once the shared inputs (geography, NNLS populations) are loaded.
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "flowfit/cancel.hpp"
#include "flowfit/csr_matrix.hpp"
#include "flowfit/geography.hpp"
#include "flowfit/pipeline/final_audit.hpp"
#include "flowfit/pipeline/plan.hpp"
#include "flowfit/pipeline/work_items.hpp"
#include "flowfit/report/report_json.hpp"
#include "flowfit/targets/coverage.hpp"
#include "flowfit/targets/targets.hpp"

namespace flowfit::pipeline {

// Inputs shared by every year of a plan.
struct SharedInputs {
  Geography geography;
  std::optional<targets::YearlyPopulations> populations;  // when cbg_rows is used
  targets::NnlsBatchStats nnls;
  double nnls_seconds = 0;
  // Counties of the geography that lack CBGs of a reference list of every CBG (a census CBG
  // table of the plan, or data/geography/cbg2010.csv next to census_dir); see coverage.hpp.
  std::vector<targets::CoverageGap> county_gaps, state_gaps;
  std::string cbg_reference;              // the reference list used ("" when none was available)
  bool populations_checked_only = false;  // load_shared_inputs(plan, true)
};
// check_only (--dry-run): the CBG population tables are read and validated but not resolved
// (no NNLS); prepare_year then checks their year coverage only.
SharedInputs load_shared_inputs(const Plan& plan, bool check_only = false);

// One matrix year: its matrix and the margins of every stage kind the plan uses.
struct YearProblem {
  int year = 0;
  CsrMatrix matrix;
  std::vector<std::pair<StageKind, targets::StageMargins>> margins;
  std::vector<targets::TargetWarning> warnings;
  const targets::StageMargins* margins_of(StageKind k) const;
};
// Resolves the targets of `kinds` for the year and loads its matrix (or takes `matrix`).
YearProblem prepare_year(const Plan& plan, const SharedInputs& shared, const YearSpec& year);
YearProblem prepare_year(const Plan& plan, const SharedInputs& shared, int year, CsrMatrix matrix);

// What happened in one stage of one year.
struct StageRun {
  StageSpec spec;
  std::optional<StageResult> result;  // empty for diagonal_clip
  int64_t clip_inserted = 0;          // diagonal_clip: diagonal entries inserted
  double seconds = 0;
  std::string output;  // the stage output written after it (output.stage_outputs), else ""
};

// Runs `stages` in order on a matrix resident in `backend`. `after_stage` (optional) sees the
// resident matrix after each stage (e.g. to write stage outputs).
// `on_sweeps` (optional) sees the progress inside each stage (Stage::on_progress).
using StageObserver = std::function<void(const StageRun&, ResidentMatrix&)>;
std::vector<StageRun> run_stages(Backend& backend, std::unique_ptr<ResidentMatrix>& matrix,
                                 const YearProblem& problem, const std::vector<StageSpec>& stages,
                                 const StageObserver& after_stage = {},
                                 const SweepProgressSink& on_sweeps = {});
// Like run_stages, but starts from a host matrix: leading diagonal clips run on `host` before it
// is made resident (no download and re-upload on a device backend); `matrix` receives it.
// After several leading clips `after_stage` sees each of them with the matrix after the last.
std::vector<StageRun> run_stages(Backend& backend, CsrMatrix&& host,
                                 std::unique_ptr<ResidentMatrix>& matrix,
                                 const YearProblem& problem, const std::vector<StageSpec>& stages,
                                 const StageObserver& after_stage = {},
                                 const SweepProgressSink& on_sweeps = {});

struct YearReport {
  int year = 0;
  // The work item (work_items.hpp): set only for plans with item folders (orders, replicates).
  std::string item;   // "2015_order1_rep2"
  std::string order;  // "state_flows,county_ipf"
  int order_index = 0;
  int replicate = 0;
  std::string input;
  std::string input_checksum;
  std::string output;
  bool resumed = false;        // output existed and matched the plan: skipped
  std::string resume_note;     // why it was resumed, or why a previous output was recomputed
  std::string stored_section;  // resumed: the year's report section (JSON) from its sidecar
  std::vector<StageRun> stages;
  std::vector<targets::TargetWarning> warnings;
  double seconds = 0;
  // Every stage's targets measured on the final matrix (a resumed year: from its sidecar; empty
  // when the sidecar predates the audit).
  std::optional<FinalAudit> audit;
  std::vector<std::string> target_tables;  // output.intermediate_tables: the CSVs written
};

struct RunReport {
  std::string plan_name;
  std::string plan_text;  // Plan::canonical_text()
  std::string plan_checksum;
  std::string version;
  std::string backend;
  std::string backend_reason;
  std::string machine;
  targets::NnlsBatchStats nnls;
  double nnls_seconds = 0;
  std::vector<YearReport> years;
  std::vector<std::string> removed_temporaries;  // stale temporary files of killed runs
  std::string populations_table;  // output.intermediate_tables: the CBG populations CSV, or ""
  double seconds = 0;
};

// Progress events for a terminal or a log.
struct ProgressEvent {
  int year = 0;
  int year_index = 0;
  int n_years = 0;
  std::string what;  // "stage county_ipf done", "year resumed", ...
  // Set for progress inside a stage ("stage county_ipf" running): its sweeps so far.
  std::optional<SweepProgress> sweeps;
};
using ProgressSink = std::function<void(const ProgressEvent&)>;

// What run_plan runs. Default: every work item of the plan (work_items.hpp), i.e. every year.
struct RunOptions {
  const std::vector<WorkItem>* items = nullptr;  // only these (e.g. an array task's share)
  // Remove stale temporaries of killed runs from output.dir first. An array task must not: a
  // task on another machine may be writing them (its process is not visible here).
  bool remove_stale_temporaries = true;
  // Checked before every item and about every 0.1 s inside stages: a set token throws
  // Cancelled; what was written stays whole (atomic outputs) and resumes on the next run.
  const CancelToken* cancel = nullptr;
  int device = 0;  // the CUDA device when run_plan makes its backend
};

// What every work item of a run shares, loaded once: the shared inputs, the checksummed input
// files of the plan (part of every item's resume key) and, filled as items run, the checksum of
// each year's matrix (by year index).
struct RunSetup {
  SharedInputs shared;
  std::vector<report::InputFile> shared_files;  // report::plan_input_files(plan)
  std::map<int, std::string> matrix_sha256;
};
struct ItemRunOptions {
  ProgressSink progress;  // optional
  int index = 0;          // the item's position among the run's items, for progress events
  int count = 1;
  const CancelToken* cancel = nullptr;
};
// One work item (a year, or a year x order x replicate; work_items.hpp), the unit run_plan loops
// over: resumed when its output and sidecar match its key (the year's settings, the checksums of
// its matrix and of the plan's input files, version, backend class), else computed, written
// atomically with its sidecar, and reported. A --years shard and a full run resume each other's
// items. `setup` comes from load_shared_inputs and report::plan_input_files.
YearReport run_item(const Plan& plan, const WorkItem& item, Backend& backend, RunSetup& setup,
                    const ItemRunOptions& options = {});

// Runs the whole plan. Each year's output is written atomically together with a sidecar
// "<output>.json" (a key over the year's settings, input checksums, version and backend class;
// the output's checksum; the year's report section); a year whose key and output checksum match
// is skipped (resume) and its stored report section is carried into the report. Refuses (before
// any work) outputs that would replace inputs, and removes stale temporaries of killed runs.
// `backend` (optional) is used instead of making one from plan.backend.
// Progress events count items (year_index / n_years are the item's position and the item count).
RunReport run_plan(const Plan& plan, const ProgressSink& progress = {}, Backend* backend = nullptr,
                   const RunOptions& options = {});

}  // namespace flowfit::pipeline
