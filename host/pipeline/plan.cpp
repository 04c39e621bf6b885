#include "flowfit/pipeline/plan.hpp"

#include <set>

#include <fmt/format.h>

#include "flowfit/error.hpp"
#include "flowfit/pipeline/work_items.hpp"

namespace flowfit::pipeline {

namespace {

// A stage option's value in the canonical text ("" for an unset optional).
std::string canonical_value(int n) {
  return std::to_string(n);
}
std::string canonical_value(double v) {
  return fmt::format("{:.17g}", v);
}
std::string canonical_value(const std::optional<double>& v) {
  return v ? canonical_value(*v) : "";
}
std::string canonical_value(FitMethod m) {
  return std::string(to_string(m));
}

}  // namespace

std::string_view to_string(StageKind k) {
  switch (k) {
    case StageKind::diagonal_clip:
      return "diagonal_clip";
    case StageKind::cbg_rows:
      return "cbg_rows";
    case StageKind::state_nonmovers:
      return "state_nonmovers";
    case StageKind::state_flows:
      return "state_flows";
    case StageKind::county_ipf:
      return "county_ipf";
  }
  return "?";
}

const std::vector<StageKind>& all_stage_kinds() {
  static const std::vector<StageKind> all{StageKind::diagonal_clip, StageKind::cbg_rows,
                                          StageKind::state_nonmovers, StageKind::state_flows,
                                          StageKind::county_ipf};
  return all;
}

StageKind stage_kind_from_string(std::string_view s) {
  for (StageKind k : all_stage_kinds())
    if (to_string(k) == s) return k;
  throw ConfigError("stage", fmt::format("unknown stage kind '{}'; expected one of diagonal_clip, "
                                         "cbg_rows, state_nonmovers, state_flows, county_ipf",
                                         s));
}

StageSpec StageSpec::defaults(StageKind kind) {
  StageSpec s;
  s.kind = kind;
  // The reference county IPF runs exactly 3,000 iterations with no convergence test.
  s.stop = kind == StageKind::county_ipf ? StopRule::exactly(3000) : StopRule::single_pass();
  return s;
}

std::vector<StageSpec> released_stages() {
  std::vector<StageSpec> out;
  for (StageKind k : all_stage_kinds()) out.push_back(StageSpec::defaults(k));
  return out;
}

void Plan::validate() const {
  if (geography.empty()) throw ConfigError("geography", "is required (CSV of the matrix units)");
  if (years.empty()) throw ConfigError("years", "at least one year is required");
  std::set<int> seen;
  for (size_t i = 0; i < years.size(); ++i) {
    const std::string key = fmt::format("years[{}]", i);
    if (years[i].year < 2010 || years[i].year > 2020)
      throw ConfigError(key + ".year",
                        fmt::format("expected a matrix year in 2010..2020, got {}", years[i].year));
    if (!seen.insert(years[i].year).second)
      throw ConfigError(key + ".year", fmt::format("year {} is listed twice", years[i].year));
    if (years[i].matrix.empty()) throw ConfigError(key + ".matrix", "is required");
  }
  if (stages.empty()) throw ConfigError("stages", "at least one stage is required");
  std::set<StageKind> kinds;
  bool needs_state = false, needs_county = false, needs_cbg = false;
  for (size_t i = 0; i < stages.size(); ++i) {
    const std::string key = fmt::format("stages[{}]", i);
    if (!kinds.insert(stages[i].kind).second)
      throw ConfigError(key + ".kind",
                        fmt::format("stage '{}' is listed twice", to_string(stages[i].kind)));
    stages[i].validate(key + ".");
    needs_state |=
        stages[i].kind == StageKind::state_nonmovers || stages[i].kind == StageKind::state_flows;
    needs_county |= stages[i].kind == StageKind::county_ipf;
    needs_cbg |= stages[i].kind == StageKind::cbg_rows;
  }
  const bool has_tables = !census.census_dir.empty() || !census.golden_dir.empty();
  if ((needs_state || needs_county) && !has_tables)
    throw ConfigError("census",
                      "state and county stages need census.census_dir or "
                      "census.golden_dir");
  if (!census.census_dir.empty() && !census.golden_dir.empty())
    throw ConfigError("census", "give census_dir or golden_dir, not both");
  if (needs_cbg && census.cbg_populations.empty() && census.golden_dir.empty() &&
      census.census_dir.empty() && (census.cbg_census2010.empty() || census.cbg_acs5.empty()))
    throw ConfigError("census",
                      "the cbg_rows stage needs CBG populations: cbg_census2010 and "
                      "cbg_acs5, or cbg_populations, or census_dir");
  if (output.dir.empty()) throw ConfigError("output.dir", "is required");
  validate_batch(*this);
  static const std::set<std::string> formats{"npz", "mtx", "csv", "tsv", "ffm"};
  if (!formats.count(output.format))
    throw ConfigError("output.format",
                      fmt::format("expected npz, mtx, csv, tsv or ffm, got '{}'", output.format));
  if (!output.stage_outputs_format.empty() && !formats.count(output.stage_outputs_format))
    throw ConfigError(
        "output.stage_outputs_format",
        fmt::format("expected npz, mtx, csv, tsv or ffm, got '{}'", output.stage_outputs_format));
}

std::string Plan::canonical_text() const {
  std::string s;
  s += fmt::format("name={}\ngeography={}#{}\n", name, geography.string(), geography_column);
  s += fmt::format(
      "census_dir={}\ngolden_dir={}\ncbg_census2010={}\ncbg_acs5={}\n"
      "cbg_populations={}\n",
      census.census_dir.string(), census.golden_dir.string(), census.cbg_census2010.string(),
      census.cbg_acs5.string(), census.cbg_populations.string());
  if (nnls.snap_noise) s += "nnls.snap_noise=true\n";  // absent by default: older keys stay valid
  for (const YearSpec& y : years)
    s += fmt::format("year={} matrix={}\n", y.year, y.matrix.string());
  for (const StageSpec& st : stages) {
    // The stage options that affect results (flowfit/stage.hpp), in the table's order: the ones
    // always written, and the others when they differ from the kind's default, so that options
    // added later leave the canonical text (and resume keys) of existing plans unchanged.
    s += fmt::format("stage={}", to_string(st.kind));
    const StageSpec defaults = StageSpec::defaults(st.kind);
    for_each_stage_option(
        [&](const StageOptionKey& k, const auto& value, const auto& default_value) {
          if (!k.affects_results || (!k.always_written && value == default_value)) return;
          if (const std::string text = canonical_value(value); !text.empty())
            s += fmt::format(" {}={}", k.key, text);
        },
        st, defaults);
    s += "\n";
  }
  s += fmt::format("output.format={} output.stage_outputs={}\n", output.format,
                   output.stage_outputs);
  // Absent unless set, so that older canonical texts (and resume keys) stay valid.
  if (!output.stage_outputs_format.empty())
    s += fmt::format("output.stage_outputs_format={}\n", output.stage_outputs_format);
  if (allow_partial_geography) s += "allow_partial_geography=true\n";
  s += batch_canonical_text(batch);  // "" for plans without orders and replicates
  return s;
}

}  // namespace flowfit::pipeline
