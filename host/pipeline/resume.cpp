#include "host/pipeline/resume.hpp"

#include <fstream>

#include <fmt/format.h>

#include "flowfit/io/atomic_file.hpp"
#include "flowfit/io/checksum.hpp"
#include "flowfit/pipeline/plan_files.hpp"
#include "flowfit/version.hpp"

namespace flowfit::pipeline::detail {
namespace {

using nlohmann::json;

// The plan settings that shape one year's result (not the plan name, nor the other years, nor
// paths: inputs count by content).
std::string year_settings(const Plan& plan, int year) {
  std::string s = fmt::format("year={}\ngeography_column={}\n", year, plan.geography_column);
  const CensusSources& c = plan.census;
  s += fmt::format("census_dir={} golden_dir={} cbg_census2010={} cbg_acs5={} cbg_populations={}\n",
                   !c.census_dir.empty(), !c.golden_dir.empty(), !c.cbg_census2010.empty(),
                   !c.cbg_acs5.empty(), !c.cbg_populations.empty());
  for (const StageSpec& st : plan.stages) {
    s += fmt::format("stage={} method={} max_iterations={} log_every={}", to_string(st.kind),
                     to_string(st.method), st.stop.max_iterations, st.log_every);
    if (st.stop.l1_tolerance) s += fmt::format(" l1_tolerance={:.17g}", *st.stop.l1_tolerance);
    if (st.stop.residual_tolerance)
      s += fmt::format(" residual_tolerance={:.17g}", *st.stop.residual_tolerance);
    s += "\n";
  }
  s += fmt::format("output.format={} output.stage_outputs={}\n", plan.output.format,
                   plan.output.stage_outputs);
  if (!plan.output.stage_outputs_format.empty())  // absent unless set: older keys stay valid
    s += fmt::format("output.stage_outputs_format={}\n", plan.output.stage_outputs_format);
  s += fmt::format("allow_partial_geography={}\n", plan.allow_partial_geography);
  return s;
}

Verdict verdict_from_string(const std::string& s) {
  for (Verdict v : {Verdict::converged, Verdict::iteration_cap, Verdict::inconsistent_targets})
    if (to_string(v) == s) return v;
  throw std::runtime_error("unknown verdict '" + s + "'");
}

}  // namespace

YearKey year_key(const Plan& plan, const YearSpec& year, const std::string& matrix_sha256,
                 const std::vector<report::InputFile>& shared, BackendKind backend) {
  YearKey k;
  k.parts["flowfit version"] = std::string(version());
  k.parts["backend"] = std::string(to_string(backend));
  k.parts["plan settings"] = io::sha256_hex(year_settings(plan, year.year));
  k.parts["matrix"] = matrix_sha256;
  for (const report::InputFile& f : shared) k.parts[f.role] = f.sha256;
  k.key = io::sha256_hex(k.parts.dump());
  return k;
}

YearKey item_key(const Plan& plan, const WorkItem& item, const std::string& matrix_sha256,
                 const std::vector<report::InputFile>& shared, BackendKind backend) {
  const YearSpec& year = plan.years.at(item.year_index);
  if (!plan.batch.item_folders()) return year_key(plan, year, matrix_sha256, shared, backend);
  Plan item_plan = plan;
  item_plan.stages = item_stages(plan, item);
  YearKey k = year_key(item_plan, year, matrix_sha256, shared, backend);
  std::string what = "order=";
  for (const StageSpec& s : item_plan.stages) what += std::string(to_string(s.kind)) + ",";
  what += fmt::format(" replicate={}", item.replicate);
  if (item.replicate > 0) what += fmt::format(" seed={}", plan.batch.seed);
  k.parts["item"] = what;
  k.key = io::sha256_hex(k.parts.dump());
  return k;
}

ResumeDecision decide_resume(const fs::path& output, const YearKey& key) {
  ResumeDecision d;
  const fs::path side = sidecar_path(output);
  std::error_code ec;
  if (!fs::exists(side, ec)) return d;  // never written (or an old run's sidecar is gone)
  if (!fs::exists(output, ec)) {
    d.reason = "recomputed: the output is missing";
    return d;
  }
  json j;
  try {
    std::ifstream in(side);
    j = json::parse(in);
  } catch (const std::exception&) {
    d.reason = "recomputed: its sidecar " + side.string() + " is unreadable";
    return d;
  }
  if (!j.is_object() || !j.contains("key") || !j["key"].is_string() ||
      !j.contains("output_sha256") || !j["output_sha256"].is_string() || !j.contains("year") ||
      !j["year"].is_object() || (j.contains("key_parts") && !j["key_parts"].is_object())) {
    d.reason = "recomputed: its sidecar comes from an older flowfit";
    return d;
  }
  if (j["key"] != key.key) {
    std::string changed;
    const json& old = j.contains("key_parts") ? j["key_parts"] : json::object();
    for (const auto& [name, value] : key.parts.items())
      if (!old.contains(name) || old[name] != value)
        changed += (changed.empty() ? "" : ", ") + name;
    for (const auto& [name, value] : old.items())
      if (!key.parts.contains(name)) changed += (changed.empty() ? "" : ", ") + name;
    d.reason = "recomputed: changed since the last run: " + (changed.empty() ? "key" : changed);
    return d;
  }
  // The output itself must be what was written (a flipped byte, a copy over it).
  if (io::file_sha256(output) != j["output_sha256"].get<std::string>()) {
    d.reason = "recomputed: the output file differs from the one written (checksum mismatch)";
    return d;
  }
  d.resume = true;
  d.reason = "resumed: the output, its inputs and settings match the last run";
  d.year = j["year"];
  return d;
}

void write_sidecar(const fs::path& output, const YearKey& key, const json& year_section) {
  json j;
  j["flowfit_version"] = std::string(version());
  j["key"] = key.key;
  j["key_parts"] = key.parts;
  j["output_sha256"] = io::file_sha256(output);
  j["output_bytes"] = static_cast<int64_t>(fs::file_size(output));
  j["year"] = year_section;
  io::AtomicFile f(sidecar_path(output));
  f.write(j.dump(2) + "\n");
  f.commit();
}

std::vector<StageRun> stage_runs_from_json(const json& stages) {
  std::vector<StageRun> out;
  for (const json& s : stages) {
    StageRun r;
    r.spec = StageSpec::defaults(stage_kind_from_string(s.at("kind").get<std::string>()));
    r.seconds = s.value("seconds", 0.0);
    if (s.contains("result")) {
      const json& res = s["result"];
      StageResult sr;
      sr.stage = res.value("stage", "");
      sr.backend = res.value("backend", "");
      sr.iterations = res.value("iterations", 0);
      sr.cells = res.value("cells", int64_t{0});
      sr.verdict = verdict_from_string(res.at("verdict").get<std::string>());
      sr.verdict_detail = res.value("verdict_detail", "");
      for (const json& m : res.value("residuals", json::array())) {
        MarginResidual mr;
        mr.margin = m.value("margin", "");
        mr.blocks = m.value("blocks", int64_t{0});
        mr.max_abs = m.value("max_abs", 0.0);
        mr.max_rel = m.value("max_rel", 0.0);
        mr.total_abs = m.value("total_abs", 0.0);
        mr.target_total = m.value("target_total", 0.0);
        mr.current_total = m.value("current_total", 0.0);
        mr.worst_block = m.value("worst_block", "");
        sr.residuals.push_back(std::move(mr));
      }
      r.result = std::move(sr);
    } else {
      r.clip_inserted = s.value("diagonal_entries_inserted", int64_t{0});
    }
    out.push_back(std::move(r));
  }
  return out;
}

}  // namespace flowfit::pipeline::detail
