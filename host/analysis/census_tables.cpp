// The census tables of a plan, fitted or held out, as margins to compare matrices with.
#include <algorithm>
#include <map>
#include <optional>

#include <fmt/format.h>

#include "flowfit/analysis/census_validation.hpp"
#include "flowfit/error.hpp"
#include "flowfit/pipeline/pipeline.hpp"
#include "flowfit/pipeline/plan.hpp"
#include "flowfit/targets/warnings.hpp"

namespace flowfit::analysis {

namespace {

using pipeline::StageKind;

const char* table_name(StageKind k) {
  switch (k) {
    case StageKind::cbg_rows:
      return "cbg_populations";
    case StageKind::state_nonmovers:
      return "state_movers_nonmovers";
    case StageKind::state_flows:
      return "state_flows";
    default:
      return "county_populations";
  }
}

std::string quantity_name(const std::string& margin) {
  if (margin == "cbg rows") return "CBG row sums vs NNLS population t-1";
  if (margin == "state movers") return "movers by destination state (off-diagonal column sums)";
  if (margin == "state non-movers") return "non-movers by state (diagonal column sums)";
  if (margin == "state flows") return "state-to-state flows";
  if (margin == "county columns")
    return "county column sums vs POP_t - births + deaths - intl migration";
  if (margin == "county rows") return "county row sums vs POP_t-1";
  return margin;
}

std::string sources_of(const pipeline::Plan& plan, StageKind k) {
  const pipeline::CensusSources& c = plan.census;
  if (!c.golden_dir.empty()) return c.golden_dir.string();
  if (k == StageKind::cbg_rows)
    return !c.cbg_populations.empty() ? c.cbg_populations.string()
                                      : c.cbg_census2010.string() + " + " + c.cbg_acs5.string();
  if (k == StageKind::county_ipf) return (c.census_dir / "pep_county_2010_2019.csv").string();
  return (c.census_dir / "pep_state_2010_2019.csv").string() + " + ACS 1-year state tables";
}

// The targets' own warnings (the run reported them too), each once, at most 3 of a kind.
class TargetWarnings {
 public:
  void add(const targets::TargetWarning& w) {
    const std::string text = targets::format_warning(w);
    if (std::find(seen_.begin(), seen_.end(), text) != seen_.end()) return;
    seen_.push_back(text);
    auto& [count, shown] = kinds_[std::string(targets::to_string(w.kind))];
    if (++count <= 3) shown.push_back("census targets: " + text);
  }
  void append_to(std::vector<std::string>& out) const {
    for (const auto& [kind, entry] : kinds_) {
      out.insert(out.end(), entry.second.begin(), entry.second.end());
      if (entry.first > 3)
        out.push_back(fmt::format("census targets: {} more {} warnings (flowfit run lists them)",
                                  entry.first - 3, kind));
    }
  }

 private:
  std::vector<std::string> seen_;
  std::map<std::string, std::pair<int64_t, std::vector<std::string>>> kinds_;
};

bool has_real_cbg_tables(const pipeline::Plan& plan) {
  const pipeline::CensusSources& c = plan.census;
  return !c.golden_dir.empty() || !c.cbg_populations.empty() || !c.cbg_census2010.empty();
}

}  // namespace

std::vector<CensusTable> census_tables_for_plan(const pipeline::Plan& plan, int year,
                                                Geography& geo,
                                                std::vector<std::string>& warnings) {
  std::vector<StageKind> fitted;
  for (const pipeline::StageSpec& s : plan.stages)
    if (s.kind != StageKind::diagonal_clip) fitted.push_back(s.kind);
  const auto is_fitted = [&](StageKind k) {
    return std::find(fitted.begin(), fitted.end(), k) != fitted.end();
  };
  const bool any_fitted = !fitted.empty();
  const StageKind last = any_fitted ? fitted.back() : StageKind::diagonal_clip;

  const std::vector<StageKind> kinds = {StageKind::cbg_rows, StageKind::state_nonmovers,
                                        StageKind::state_flows, StageKind::county_ipf};
  const bool with_cbg = is_fitted(StageKind::cbg_rows) || has_real_cbg_tables(plan);
  if (!with_cbg)
    warnings.push_back(
        "cbg_populations: not compared, the plan names no CBG population table "
        "(census.cbg_census2010/cbg_acs5 or census.cbg_populations)");
  pipeline::Plan all = plan;
  all.stages.clear();
  for (StageKind k : kinds)
    if (k != StageKind::cbg_rows || with_cbg)
      all.stages.push_back(pipeline::StageSpec::defaults(k));
  pipeline::SharedInputs shared;
  try {
    shared = pipeline::load_shared_inputs(all);
  } catch (const std::exception& e) {
    if (is_fitted(StageKind::cbg_rows) || !with_cbg) throw;
    warnings.push_back(std::string("cbg_populations: not compared: ") + e.what());
    all.stages.erase(all.stages.begin());
    shared = pipeline::load_shared_inputs(all);
  }
  geo = shared.geography;

  TargetWarnings target_warnings;
  std::vector<CensusTable> out;
  for (const pipeline::StageSpec& spec : all.stages) {
    const StageKind k = spec.kind;
    pipeline::Plan one = plan;
    one.stages = {spec};
    CensusTable t;
    t.name = table_name(k);
    t.source = sources_of(plan, k);
    t.role = is_fitted(k) ? TableRole::fitted : TableRole::held_out;
    if (t.role == TableRole::fitted) t.stage = std::string(pipeline::to_string(k));
    t.last_stage = any_fitted && last == k;
    try {
      pipeline::YearProblem p = pipeline::prepare_year(one, shared, year, CsrMatrix{});
      for (const targets::TargetWarning& w : p.warnings) target_warnings.add(w);
      const targets::StageMargins* m = p.margins_of(k);
      if (!m) throw Error("no margins for stage " + std::string(pipeline::to_string(k)));
      for (const Margin& margin : m->margins) {
        TableQuantity q;
        q.name = quantity_name(margin.name);
        q.margin = margin;
        q.split_diagonal_blocks = k == StageKind::state_flows;
        t.quantities.push_back(std::move(q));
      }
    } catch (const std::exception& e) {
      if (t.role == TableRole::fitted)
        throw ConfigError("plan", fmt::format("the {} table that stage {} fitted cannot be "
                                              "built for year {}: {}",
                                              t.name, pipeline::to_string(k), year, e.what()));
      warnings.push_back(fmt::format("{} (held out): not compared: {}", t.name, e.what()));
      continue;
    }
    out.push_back(std::move(t));
  }
  target_warnings.append_to(warnings);
  return out;
}

}  // namespace flowfit::analysis
