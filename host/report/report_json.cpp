// Run reports as JSON.
#include "host/report/report_json.hpp"

#include <string>

#include "flowfit/io/atomic_file.hpp"
#include "flowfit/pipeline/stage_names.hpp"

namespace flowfit::report {

using nlohmann::json;

json to_json(const MarginResidual& r) {
  return json{{"margin", r.margin},
              {"blocks", r.blocks},
              {"blocks_zero_target", r.blocks_zero_target},
              {"blocks_zero_current", r.blocks_zero_current},
              {"max_abs", r.max_abs},
              {"max_rel", r.max_rel},
              {"total_abs", r.total_abs},
              {"worst_block", r.worst_block},
              {"target_total", r.target_total},
              {"current_total", r.current_total}};
}

json to_json(const IterationRecord& r) {
  json residuals = json::array();
  for (const auto& m : r.residuals) residuals.push_back(to_json(m));
  return json{{"iteration", r.iteration},
              {"l1_change", r.l1_change},
              {"step_l1", r.step_l1},
              {"residuals", residuals}};
}

json to_json(const StageResult& r) {
  json history = json::array();
  for (const auto& h : r.history) history.push_back(to_json(h));
  json residuals = json::array();
  for (const auto& m : r.residuals) residuals.push_back(to_json(m));
  json j{{"stage", r.stage},
         {"backend", r.backend},
         {"method", std::string(to_string(r.method))},
         {"iterations", r.iterations},
         {"cells", r.cells},
         {"verdict", std::string(to_string(r.verdict))},
         {"verdict_detail", r.verdict_detail},
         {"residuals", residuals},
         {"history", history},
         {"timings",
          {{"aggregate_s", r.timings.aggregate_s},
           {"fit_s", r.timings.fit_s},
           {"apply_s", r.timings.apply_s},
           {"total_s", r.timings.total_s}}}};
  if (r.fixed_point)
    j["fixed_point"] = {{"iteration", *r.fixed_point}, {"period", r.fixed_point_period}};
  return j;
}

json to_json(const targets::TargetWarning& w) {
  return json{{"kind", std::string(targets::to_string(w.kind))},
              {"group", w.group},
              {"value", w.value},
              {"message", w.message}};
}

json to_json(const pipeline::StageRun& r) {
  json j{{"kind", std::string(pipeline::to_string(r.spec.kind))},
         {"number", pipeline::stage_number(r.spec.kind)},
         {"name", pipeline::stage_name(r.spec.kind)},
         {"seconds", r.seconds},
         {"spec",
          {{"max_iterations", r.spec.stop.max_iterations},
           {"l1_tolerance", r.spec.stop.l1_tolerance ? json(*r.spec.stop.l1_tolerance) : json()},
           {"residual_tolerance",
            r.spec.stop.residual_tolerance ? json(*r.spec.stop.residual_tolerance) : json()},
           {"method", std::string(to_string(r.spec.method))},
           {"log_every", r.spec.log_every}}}};
  if (r.result) {
    j["result"] = to_json(*r.result);
  } else {
    j["diagonal_entries_inserted"] = r.clip_inserted;
  }
  if (!r.output.empty()) j["output"] = r.output;
  return j;
}

namespace {

json year_json(const pipeline::YearReport& y) {
  if (y.resumed && !y.stored_section.empty()) {  // the section written when it was computed
    json j = json::parse(y.stored_section);
    j["resumed"] = true;
    j["resume_note"] = y.resume_note;
    j["output"] = y.output;
    return j;
  }
  json stages = json::array();
  for (const auto& s : y.stages) {
    stages.push_back(to_json(s));
    stages.back()["position"] = static_cast<int>(stages.size());  // 1-based, in run order
  }
  json warnings = json::array();
  for (const auto& w : y.warnings) warnings.push_back(to_json(w));
  json j{{"year", y.year},
         {"input", y.input},
         {"input_sha256", y.input_checksum},
         {"output", y.output},
         {"resumed", y.resumed},
         {"seconds", y.seconds},
         {"stages", stages},
         {"target_warnings", warnings},
         {"resume_note", y.resume_note}};
  if (!y.item.empty())  // plans with orders or replicates (docs/batch.md)
    j["item"] = {{"name", y.item},
                 {"order", y.order},
                 {"order_index", y.order_index},
                 {"replicate", y.replicate}};
  return j;
}

}  // namespace

json to_json(const pipeline::YearReport& y) {
  json j = year_json(y);
  if (y.audit && !y.resumed) {  // resumed: stored already
    j["final_audit"] = to_json(*y.audit);
    j["final_audit_seconds"] = y.audit->seconds;
  }
  if (y.resumed) j.erase("target_tables");  // the stored run's list: this run's only
  if (!y.target_tables.empty()) j["target_tables"] = y.target_tables;
  return j;
}

json to_json(const MachineInfo& m) {
  return json{{"hostname", m.hostname},
              {"cpu_model", m.cpu_model},
              {"hardware_threads", m.hardware_threads},
              {"os", m.os}};
}

json to_json(const pipeline::SweepResult& s, int year) {
  auto order_names = [](const std::vector<pipeline::StageKind>& order) {
    json a = json::array();
    for (auto k : order) a.push_back(std::string(pipeline::to_string(k)));
    return a;
  };
  json orders = json::array();
  for (const auto& o : s.orders) {
    json fam = json::array();
    for (const auto& f : o.residuals)
      fam.push_back(json{{"family", std::string(pipeline::to_string(f.family))},
                         {"residual", to_json(f.residual)}});
    orders.push_back(json{{"order", order_names(o.order)},
                          {"max_rel_diff_vs_default", o.max_rel_diff_vs_default},
                          {"county_flow_correlation", o.county_flow_correlation},
                          {"county_flow_diff",
                           {{"median_rel", o.county_diff.median_rel},
                            {"max_rel", o.county_diff.max_rel},
                            {"max_abs", o.county_diff.max_abs}}},
                          {"state_flow_diff",
                           {{"median_rel", o.state_diff.median_rel},
                            {"max_rel", o.state_diff.max_rel},
                            {"max_abs", o.state_diff.max_abs}}},
                          {"seconds", o.seconds},
                          {"residuals", fam}});
  }
  return json{{"year", year}, {"default_order", order_names(s.default_order)}, {"orders", orders}};
}

namespace {

json run_json(const pipeline::RunReport& run, const RunContext& context) {
  json inputs = json::array();
  for (const auto& f : context.inputs)
    inputs.push_back(
        json{{"role", f.role}, {"path", f.path}, {"sha256", f.sha256}, {"bytes", f.bytes}});
  json years = json::array();
  for (const auto& y : run.years) years.push_back(to_json(y));
  return json{{"report_schema", kReportSchemaVersion},
              {"flowfit_version", run.version},
              {"plan",
               {{"name", run.plan_name},
                {"file", context.plan_file},
                {"toml", context.plan_toml},
                {"canonical_text", run.plan_text},
                {"sha256", run.plan_checksum}}},
              {"command_line", context.command_line},
              {"backend", {{"name", run.backend}, {"reason", run.backend_reason}}},
              {"machine", to_json(context.machine)},
              {"inputs", inputs},
              {"nnls",
               {{"cbgs", run.nnls.n_cbgs},
                {"unconstrained", run.nnls.n_unconstrained},
                {"constrained", run.nnls.n_constrained},
                {"warm_start", run.nnls.n_warm_start},
                {"with_zero_year", run.nnls.n_with_zero_year},
                {"not_converged", run.nnls.n_not_converged},
                {"max_iterations", run.nnls.max_iterations},
                {"seconds", run.nnls_seconds}}},
              {"years", years},
              {"removed_temporaries", run.removed_temporaries},
              {"seconds", run.seconds}};
}

}  // namespace

json run_report_json(const pipeline::RunReport& run, const RunContext& context) {
  json j = run_json(run, context);
  j["populations_table"] = run.populations_table.empty() ? json() : json(run.populations_table);
  return j;
}

void write_json(const std::filesystem::path& path, const json& doc) {
  io::AtomicFile out(path);
  out.write(doc.dump(2));
  out.write("\n");
  out.commit();
}

}  // namespace flowfit::report
