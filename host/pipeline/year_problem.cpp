// Shared inputs of a plan and the per-year problem: matrix plus every stage's margins.
#include <algorithm>
#include <chrono>

#include <fmt/format.h>

#include "flowfit/error.hpp"
#include "flowfit/io/csv_table.hpp"
#include "flowfit/io/geography_io.hpp"
#include "flowfit/io/matrix_io.hpp"
#include "flowfit/pipeline/pipeline.hpp"
#include "host/pipeline/cbg_populations_source.hpp"
#include "host/pipeline/replicates.hpp"

namespace flowfit::pipeline {
namespace {

bool uses(const Plan& plan, StageKind k) {
  for (const StageSpec& s : plan.stages)
    if (s.kind == k) return true;
  return false;
}

fs::path golden_file(const Plan& plan, const char* name) {
  return plan.census.golden_dir / name;
}

void append(std::vector<targets::TargetWarning>& to, const std::vector<targets::TargetWarning>& w) {
  to.insert(to.end(), w.begin(), w.end());
}

bool uses_state_or_county(const Plan& plan) {
  return uses(plan, StageKind::state_nonmovers) || uses(plan, StageKind::state_flows) ||
         uses(plan, StageKind::county_ipf);
}

// The stages group CBG GEOIDs by their first 2 (state) and 5 (county) digits, so every unit must
// be a 12-digit CBG GEOID; an 11-digit one has usually lost its leading zero.
void require_cbg_geoids(const Plan& plan, const Geography& geo) {
  for (int64_t u = 0; u < geo.size(); ++u) {
    const std::string& g = geo.geoid(u);
    const bool digits =
        std::all_of(g.begin(), g.end(), [](char c) { return c >= '0' && c <= '9'; });
    if (digits && g.size() == 12) continue;
    std::string why = fmt::format(
        "unit {} has GEOID '{}'; a plan's units are census block groups "
        "with 12-digit GEOIDs",
        u + 1, g);
    if (digits && g.size() < 12)
      why += fmt::format(
          " (this one has {}: a lost leading zero? pandas drops it when it reads "
          "GEOIDs as integers; read them with dtype=str)",
          g.size());
    throw InputError(plan.geography.string(), 0, plan.geography_column, why);
  }
}

// Every CBG GEOID of the first reference list the plan has: its CBG population tables, or the
// bundled list of all 2010 CBGs next to census_dir (data/census -> data/geography/cbg2010.csv).
std::vector<std::string> cbg_reference(const Plan& plan, std::string& source) {
  const CensusSources& c = plan.census;
  std::vector<fs::path> candidates{c.cbg_census2010, c.cbg_populations};
  if (!c.golden_dir.empty()) candidates.push_back(c.golden_dir / "cbg_pop_census2010.csv");
  if (!c.census_dir.empty())
    candidates.push_back(c.census_dir.lexically_normal().parent_path() / "geography" /
                         "cbg2010.csv");
  std::error_code ec;
  for (const fs::path& p : candidates) {
    if (p.empty() || !fs::is_regular_file(p, ec)) continue;
    const io::CsvTable t = io::CsvTable::read(p);
    source = p.string();
    return t.strings(t.column("cbg_geoid"));
  }
  return {};
}

// Census groups the stages fit must lie wholly in the geography (coverage.hpp).
void check_coverage(const Plan& plan, const SharedInputs& shared,
                    const std::vector<std::string>* all_counties, int year,
                    std::vector<targets::TargetWarning>& warnings) {
  const bool state_stages =
      uses(plan, StageKind::state_nonmovers) || uses(plan, StageKind::state_flows);
  std::string problem;
  if (uses(plan, StageKind::county_ipf) && !shared.county_gaps.empty())
    problem = targets::describe_gaps(shared.county_gaps, "county", "CBGs") +
              " (reference: " + shared.cbg_reference + ")";
  if (state_stages) {
    std::string states;
    if (!shared.cbg_reference.empty()) {  // CBG list in the geography's own (2010) codes
      if (!shared.state_gaps.empty())
        states = targets::describe_gaps(shared.state_gaps, "state", "CBGs") +
                 " (reference: " + shared.cbg_reference + ")";
    } else if (all_counties) {
      const auto gaps = targets::uncovered_states(shared.geography, *all_counties);
      if (!gaps.empty()) states = targets::describe_gaps(gaps, "state", "counties");
    }
    if (!states.empty()) problem += (problem.empty() ? "" : "; ") + states;
  }
  if (problem.empty()) return;
  if (plan.allow_partial_geography) {
    warnings.push_back({targets::WarningKind::partial_coverage, "", 0.0,
                        "the geography covers part of some census groups, fitted to their whole "
                        "totals (allow_partial_geography): " +
                            problem});
    return;
  }
  throw InputError(
      plan.geography.string(), 0, plan.geography_column,
      fmt::format("year {}: the census targets are totals of whole counties and states, but {}. "
                  "Fitting would scale the covered part up to the whole. Use a geography with "
                  "every CBG of these groups, leave out the stages that fit them, or set "
                  "allow_partial_geography = true in the plan to fit them anyway",
                  year, problem));
}

}  // namespace

const targets::StageMargins* YearProblem::margins_of(StageKind k) const {
  for (const auto& [kind, m] : margins)
    if (kind == k) return &m;
  return nullptr;
}

SharedInputs load_shared_inputs(const Plan& plan, bool check_only) {
  plan.validate();
  SharedInputs s;
  s.geography = io::read_geography(plan.geography, plan.geography_column);
  require_cbg_geoids(plan, s.geography);
  if (uses_state_or_county(plan)) {
    const std::vector<std::string> all_cbgs = cbg_reference(plan, s.cbg_reference);
    if (!all_cbgs.empty()) {
      s.county_gaps = targets::uncovered_counties(s.geography, all_cbgs);
      s.state_gaps = targets::uncovered_states_by_cbg(s.geography, all_cbgs);
    }
  }
  if (!uses(plan, StageKind::cbg_rows)) return s;

  const auto t0 = std::chrono::steady_clock::now();
  const CensusSources& c = plan.census;
  if (!c.cbg_populations.empty()) {
    s.populations = detail::read_yearly_populations(c.cbg_populations);
    s.populations_checked_only = false;
  } else {
    targets::CbgPopulationInputs inputs;
    if (!c.cbg_census2010.empty())
      inputs = targets::load_cbg_population_inputs(c.cbg_census2010, c.cbg_acs5);
    else if (!c.golden_dir.empty())
      inputs = targets::load_cbg_population_inputs(golden_file(plan, "cbg_pop_census2010.csv"),
                                                   golden_file(plan, "cbg_pop_acs5.csv"));
    else
      inputs = detail::standin_population_inputs(
          plan.geography, c.census_dir / "pep_county_2010_2019.csv", s.geography);
    if (check_only) {
      s.populations_checked_only = true;
      return s;
    }
    s.populations = targets::resolve_yearly_populations(
        inputs, &s.nnls,
        targets::NnlsOptions{.snap_noise = plan.nnls.snap_noise, .threads = plan.threads});
  }
  s.nnls_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return s;
}

YearProblem prepare_year(const Plan& plan, const SharedInputs& shared, const YearSpec& year) {
  return detail::prepare_year_with(plan, shared, year, {});
}

YearProblem prepare_year(const Plan& plan, const SharedInputs& shared, int year, CsrMatrix matrix) {
  return detail::prepare_year_with(plan, shared, year, std::move(matrix), {});
}

YearProblem detail::prepare_year_with(const Plan& plan, const SharedInputs& shared,
                                      const YearSpec& year, const StateTablesHook& hook) {
  io::MatrixReadOptions opt;
  opt.row_geography = &shared.geography;
  // Room for the diagonal entries stage 0 may insert, so it grows the matrix in place.
  if (uses(plan, StageKind::diagonal_clip)) opt.reserve_entries = shared.geography.size();
  CsrMatrix m = io::read_matrix(year.matrix, opt);
  if (m.n_rows != shared.geography.size() || m.n_cols != shared.geography.size())
    throw InputError(
        year.matrix.string(), 0, "shape",
        fmt::format("the matrix is {} x {} but the geography {} has {} units", m.n_rows, m.n_cols,
                    plan.geography.string(), shared.geography.size()));
  return prepare_year_with(plan, shared, year.year, std::move(m), hook);
}

YearProblem detail::prepare_year_with(const Plan& plan, const SharedInputs& shared, int year,
                                      CsrMatrix matrix, const StateTablesHook& hook) {
  YearProblem p;
  p.year = year;
  p.matrix = std::move(matrix);
  const Geography& geo = shared.geography;
  const CensusSources& c = plan.census;
  const bool golden = !c.golden_dir.empty();

  if (uses(plan, StageKind::cbg_rows) && shared.populations_checked_only) {
    if (!targets::YearlyPopulations::has_year(year - 1))
      throw ConfigError("year", fmt::format("stage cbg_rows of matrix year {} needs CBG "
                                            "populations of {}, which the tables do not hold",
                                            year, year - 1));
  } else if (uses(plan, StageKind::cbg_rows)) {
    if (!shared.populations) throw Error("CBG populations were not loaded");
    auto m = targets::cbg_row_margins(*shared.populations, geo, year);
    append(p.warnings, m.warnings);
    p.margins.emplace_back(StageKind::cbg_rows, std::move(m));
  }
  if (uses(plan, StageKind::state_nonmovers) || uses(plan, StageKind::state_flows)) {
    targets::StateCensusTables tables =
        golden ? targets::load_golden_state_tables(golden_file(plan, "state_components.csv"),
                                                   golden_file(plan, "state_flows.csv"), year)
               : targets::load_state_census_tables_from_dir(c.census_dir, year);
    if (hook) hook(tables);  // uncertainty replicates (replicates.hpp)
    const targets::StateTargets st = targets::build_state_targets(tables);
    append(p.warnings, st.warnings);
    // The county table lists every county of each state: the reference for state coverage.
    const fs::path county_table = golden ? golden_file(plan, "county_components.csv")
                                         : c.census_dir / "pep_county_2010_2019.csv";
    std::error_code ec;
    if (shared.cbg_reference.empty() && fs::is_regular_file(county_table, ec)) {
      const targets::CountyCensusTable ct =
          golden ? targets::load_golden_county_table(county_table, year)
                 : targets::load_county_census_table_from_dir(c.census_dir, year);
      std::vector<std::string> counties;
      for (const auto& k : ct.counties) counties.push_back(k.fips);
      check_coverage(plan, shared, &counties, year, p.warnings);
    } else {
      check_coverage(plan, shared, nullptr, year, p.warnings);
    }
    if (uses(plan, StageKind::state_nonmovers)) {
      auto m = targets::state_nonmover_margins(st, geo);
      append(p.warnings, m.warnings);
      p.margins.emplace_back(StageKind::state_nonmovers, std::move(m));
    }
    if (uses(plan, StageKind::state_flows)) {
      auto m = targets::state_flow_margins(st, geo);
      append(p.warnings, m.warnings);
      p.margins.emplace_back(StageKind::state_flows, std::move(m));
    }
  }
  if (uses(plan, StageKind::county_ipf)) {
    const targets::CountyCensusTable table =
        golden ? targets::load_golden_county_table(golden_file(plan, "county_components.csv"), year)
               : targets::load_county_census_table_from_dir(c.census_dir, year);
    if (!uses(plan, StageKind::state_nonmovers) && !uses(plan, StageKind::state_flows))
      check_coverage(plan, shared, nullptr, year, p.warnings);
    const targets::CountyTargets ct = targets::build_county_targets(table);
    append(p.warnings, ct.warnings);
    auto m = targets::county_margins(ct, geo);
    append(p.warnings, m.warnings);
    p.margins.emplace_back(StageKind::county_ipf, std::move(m));
  }
  return p;
}

}  // namespace flowfit::pipeline
