#pragma once
// Resume keyed to content. A year's output is reused only when a key over everything that
// determines it matches the one stored in its sidecar: the plan's settings for the year, the
// SHA-256 of every input the year reads (matrix, geography, census tables), the flowfit version
// and the backend class; and the output file still has the SHA-256 recorded when it was written.
#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "flowfit/backend.hpp"
#include "flowfit/pipeline/pipeline.hpp"
#include "flowfit/pipeline/work_items.hpp"
#include "host/report/report_json.hpp"

namespace flowfit::pipeline::detail {

struct YearKey {
  nlohmann::json parts;  // name -> value or checksum, to say what changed
  std::string key;       // SHA-256 over parts
};

// `shared` are the plan's shared inputs with checksums (report::plan_input_files).
YearKey year_key(const Plan& plan, const YearSpec& year, const std::string& matrix_sha256,
                 const std::vector<report::InputFile>& shared, BackendKind backend);

// The key of a work item (work_items.hpp): year_key for plans without item folders (so their
// sidecars stay valid); otherwise also over the item's stage order, its replicate and the seed.
YearKey item_key(const Plan& plan, const WorkItem& item, const std::string& matrix_sha256,
                 const std::vector<report::InputFile>& shared, BackendKind backend);

struct ResumeDecision {
  bool resume = false;
  std::string reason;   // why it resumes or why it is recomputed ("" when no sidecar)
  nlohmann::json year;  // the stored report section of the year (when resume)
};
ResumeDecision decide_resume(const std::filesystem::path& output, const YearKey& key);

// Written after the output: the key, the output's checksum and the year's full report section.
void write_sidecar(const std::filesystem::path& output, const YearKey& key,
                   const nlohmann::json& year_section);

// The stage runs of a stored report section (kind, verdict, iterations, residuals), so that a
// resumed year counts for --strict and the summary.
std::vector<StageRun> stage_runs_from_json(const nlohmann::json& stages);

}  // namespace flowfit::pipeline::detail
