// Which work items of a plan are done (gather after an array job).
#include "flowfit/pipeline/gather.hpp"

#include <fstream>

#include <nlohmann/json.hpp>

#include "flowfit/io/checksum.hpp"
#include "flowfit/pipeline/plan_files.hpp"
#include "flowfit/version.hpp"
#include "host/pipeline/resume.hpp"
#include "host/report/report_json.hpp"

namespace flowfit::pipeline {
namespace {

// The backend class recorded in a sidecar's key, when readable.
std::optional<BackendKind> sidecar_backend(const fs::path& output) {
  try {
    std::ifstream in(sidecar_path(output));
    if (!in) return std::nullopt;
    const nlohmann::json j = nlohmann::json::parse(in);
    const std::string b = j.at("key_parts").at("backend").get<std::string>();
    for (BackendKind k : {BackendKind::reference, BackendKind::openmp, BackendKind::cuda})
      if (to_string(k) == b) return k;
  } catch (const std::exception&) {
  }
  return std::nullopt;
}

}  // namespace

std::vector<ItemStatus> item_status(const Plan& plan) {
  plan.validate();
  const std::vector<report::InputFile> shared = report::plan_input_files(plan);
  std::vector<std::string> matrix_sha(plan.years.size());
  for (size_t i = 0; i < plan.years.size(); ++i)
    matrix_sha[i] = io::file_sha256(plan.years[i].matrix);
  std::vector<ItemStatus> out;
  for (const WorkItem& item : work_items(plan)) {
    ItemStatus s;
    s.item = item;
    s.name = item_name(plan, item);
    s.output = item_output_path(plan, item);
    const auto backend = sidecar_backend(s.output);
    if (!backend) {
      s.reason = "not done: no readable sidecar " + sidecar_path(s.output).string();
      out.push_back(std::move(s));
      continue;
    }
    const detail::YearKey key =
        detail::item_key(plan, item, matrix_sha[item.year_index], shared, *backend);
    const detail::ResumeDecision d = detail::decide_resume(s.output, key);
    s.done = d.resume;
    s.reason = d.resume ? "" : "not done: " + d.reason;
    if (d.resume) s.stored_section = d.year.dump();
    out.push_back(std::move(s));
  }
  return out;
}

RunReport gathered_report(const Plan& plan, const std::vector<ItemStatus>& status) {
  RunReport r;
  r.plan_name = plan.name;
  r.plan_text = plan.canonical_text();
  r.plan_checksum = io::sha256_hex(r.plan_text);
  r.version = std::string(version());
  r.backend = "gathered from the items' sidecars";
  r.backend_reason = "flowfit gather computes nothing";
  for (const ItemStatus& s : status) {
    if (!s.done) continue;
    YearReport y;
    y.year = s.item.year;
    y.output = s.output.string();
    y.resumed = true;
    y.resume_note = "gathered";
    y.stored_section = s.stored_section;
    try {
      y.stages = detail::stage_runs_from_json(nlohmann::json::parse(s.stored_section).at("stages"));
    } catch (const std::exception&) {
    }
    r.years.push_back(std::move(y));
  }
  return r;
}

}  // namespace flowfit::pipeline
