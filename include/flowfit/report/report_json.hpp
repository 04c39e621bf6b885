#pragma once
// Machine-readable run reports (JSON). One document per run: what ran (plan text, version,
// backend, machine, input checksums) and what happened per year and stage (iterations, L1
// history, per-margin residuals, verdict, timings, target warnings). The layout is documented in
// docs/cli.md ("Run reports").
#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "flowfit/pipeline/order_sweep.hpp"
#include "flowfit/pipeline/pipeline.hpp"
#include "flowfit/pipeline/plan.hpp"
#include "flowfit/stage.hpp"
#include "flowfit/targets/warnings.hpp"

namespace flowfit::report {

// Bumped when a field changes meaning or disappears (adding fields keeps the version).
inline constexpr int kReportSchemaVersion = 1;

struct MachineInfo {
  std::string hostname;
  std::string cpu_model;  // "model name" of /proc/cpuinfo, "unknown" elsewhere
  int hardware_threads = 0;
  std::string os;  // uname: sysname release machine
};
MachineInfo machine_info();

// One input file with its role in the run ("geography", "census/pep_state_2010_2019.csv",
// "matrix 2015", ...).
struct InputFile {
  std::string role;
  std::string path;
  std::string sha256;  // empty when the file could not be read
  long long bytes = -1;
};
// The shared inputs of a plan (geography and every census table file it names or that its
// census/golden directory holds), with their SHA-256. The year matrices are in each year's
// report already.
std::vector<InputFile> plan_input_files(const pipeline::Plan& plan);

// What the caller knows beyond the pipeline's RunReport.
struct RunContext {
  std::string plan_file;
  std::string plan_toml;     // the plan as written back (plan_to_toml)
  std::string command_line;  // argv joined
  std::vector<InputFile> inputs;
  MachineInfo machine;
};

nlohmann::json to_json(const MarginResidual& r);
nlohmann::json to_json(const IterationRecord& r);
nlohmann::json to_json(const StageResult& r);
nlohmann::json to_json(const targets::TargetWarning& w);
nlohmann::json to_json(const pipeline::StageRun& r);
nlohmann::json to_json(const pipeline::YearReport& y);
nlohmann::json to_json(const MachineInfo& m);
nlohmann::json to_json(const pipeline::SweepResult& s, int year);
// A year's "final_audit": one entry per stage in run order (host/report/final_audit_json.cpp).
nlohmann::json to_json(const pipeline::FinalAudit& audit);
pipeline::FinalAudit final_audit_from_json(const nlohmann::json& j);
// One stage's audit without its kind (max_rel, median_rel, measured, worst_group, worst_margin,
// margins[]): the "final_audit" of `flowfit fit` reports.
nlohmann::json margins_json(const pipeline::StageAudit& s);

// The whole run.
nlohmann::json run_report_json(const pipeline::RunReport& run, const RunContext& context);

// Writes `doc` (indented, trailing newline) atomically.
void write_json(const std::filesystem::path& path, const nlohmann::json& doc);

}  // namespace flowfit::report
