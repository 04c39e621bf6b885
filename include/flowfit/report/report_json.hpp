#pragma once
// Machine-readable run reports (JSON). One document per run: what ran (plan text, version,
// backend, machine, input checksums) and what happened per year and stage (iterations, L1
// history, per-margin residuals, verdict, timings, target warnings). The layout is documented in
// docs/cli.md ("Run reports").
//
// This header needs no JSON library: the documents themselves (to_json, run_report_json,
// write_json) are declared in host/report/report_json.hpp, for the library, the command line,
// the Python module and the tests.
#include <string>
#include <vector>

#include "flowfit/pipeline/plan.hpp"

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

}  // namespace flowfit::report
