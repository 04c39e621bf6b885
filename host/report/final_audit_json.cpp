// The final audit of a year as JSON ("final_audit" of a year's report section), and back (for
// resumed years, whose section comes from their sidecar).
#include <nlohmann/json.hpp>

#include "flowfit/pipeline/stage_names.hpp"
#include "host/report/report_json.hpp"

namespace flowfit::report {

using nlohmann::json;

json margins_json(const pipeline::StageAudit& s) {
  json margins = json::array();
  for (const pipeline::MarginAudit& m : s.margins)
    margins.push_back(json{{"margin", m.margin},
                           {"blocks", m.blocks},
                           {"measured", m.measured},
                           {"blocks_zero_target", m.blocks_zero_target},
                           {"blocks_zero_current", m.blocks_zero_current},
                           {"max_rel", m.max_rel},
                           {"median_rel", m.median_rel},
                           {"max_abs", m.max_abs},
                           {"worst_group", m.worst_group},
                           {"worst_sum", m.worst_sum},
                           {"worst_target", m.worst_target}});
  return json{{"max_rel", s.max_rel},           {"median_rel", s.median_rel},
              {"measured", s.measured},         {"worst_group", s.worst_group},
              {"worst_margin", s.worst_margin}, {"margins", margins}};
}

json to_json(const pipeline::FinalAudit& audit) {
  json stages = json::array();
  for (const pipeline::StageAudit& s : audit.stages) {
    json j{{"number", pipeline::stage_number(s.kind)},
           {"kind", std::string(pipeline::to_string(s.kind))},
           {"name", pipeline::stage_name(s.kind)},
           {"position", s.position}};
    j.update(margins_json(s));
    if (s.kind == pipeline::StageKind::diagonal_clip) {
      j["diagonal_below_one"] = s.diagonal_below_one;
      j["min_diagonal"] = s.min_diagonal;
    }
    stages.push_back(std::move(j));
  }
  return stages;
}

pipeline::FinalAudit final_audit_from_json(const json& j) {
  pipeline::FinalAudit out;
  for (const json& s : j) {
    pipeline::StageAudit a;
    a.kind = pipeline::stage_kind_from_string(s.at("kind").get<std::string>());
    a.position = s.value("position", 0);
    a.max_rel = s.value("max_rel", 0.0);
    a.median_rel = s.value("median_rel", 0.0);
    a.measured = s.value("measured", int64_t{0});
    a.worst_group = s.value("worst_group", "");
    a.worst_margin = s.value("worst_margin", "");
    a.diagonal_below_one = s.value("diagonal_below_one", int64_t{0});
    a.min_diagonal = s.value("min_diagonal", 0.0);
    for (const json& m : s.value("margins", json::array())) {
      pipeline::MarginAudit ma;
      ma.margin = m.value("margin", "");
      ma.blocks = m.value("blocks", int64_t{0});
      ma.measured = m.value("measured", int64_t{0});
      ma.blocks_zero_target = m.value("blocks_zero_target", int64_t{0});
      ma.blocks_zero_current = m.value("blocks_zero_current", int64_t{0});
      ma.max_rel = m.value("max_rel", 0.0);
      ma.median_rel = m.value("median_rel", 0.0);
      ma.max_abs = m.value("max_abs", 0.0);
      ma.worst_group = m.value("worst_group", "");
      ma.worst_sum = m.value("worst_sum", 0.0);
      ma.worst_target = m.value("worst_target", 0.0);
      a.margins.push_back(std::move(ma));
    }
    out.stages.push_back(std::move(a));
  }
  return out;
}

}  // namespace flowfit::report
