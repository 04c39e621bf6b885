#pragma once
// The JSON documents of run reports (flowfit/report/report_json.hpp), as nlohmann::json: kept out
// of the public headers so that the library's users need no JSON library. Used by the pipeline
// (report sidecars, resume), the command line, the Python module and the tests.
#include <filesystem>

#include <nlohmann/json.hpp>

#include "flowfit/pipeline/order_sweep.hpp"
#include "flowfit/pipeline/pipeline.hpp"
#include "flowfit/pipeline/plan.hpp"
#include "flowfit/report/report_json.hpp"
#include "flowfit/stage.hpp"
#include "flowfit/targets/warnings.hpp"

namespace flowfit::report {

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
