// Shared inputs of a plan and the per-year problem: matrix plus every stage's margins.
#include <chrono>

#include <fmt/format.h>

#include "flowfit/error.hpp"
#include "flowfit/io/geography_io.hpp"
#include "flowfit/io/matrix_io.hpp"
#include "flowfit/pipeline/pipeline.hpp"
#include "host/pipeline/cbg_populations_source.hpp"

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

}  // namespace

const targets::StageMargins* YearProblem::margins_of(StageKind k) const {
  for (const auto& [kind, m] : margins)
    if (kind == k) return &m;
  return nullptr;
}

SharedInputs load_shared_inputs(const Plan& plan) {
  plan.validate();
  SharedInputs s;
  s.geography = io::read_geography(plan.geography, plan.geography_column);
  if (!uses(plan, StageKind::cbg_rows)) return s;

  const auto t0 = std::chrono::steady_clock::now();
  const CensusSources& c = plan.census;
  if (!c.cbg_populations.empty()) {
    s.populations = detail::read_yearly_populations(c.cbg_populations);
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
    s.populations = targets::resolve_yearly_populations(
        inputs, &s.nnls, targets::NnlsOptions{.snap_noise = plan.nnls.snap_noise});
  }
  s.nnls_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return s;
}

YearProblem prepare_year(const Plan& plan, const SharedInputs& shared, const YearSpec& year) {
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
  return prepare_year(plan, shared, year.year, std::move(m));
}

YearProblem prepare_year(const Plan& plan, const SharedInputs& shared, int year, CsrMatrix matrix) {
  YearProblem p;
  p.year = year;
  p.matrix = std::move(matrix);
  const Geography& geo = shared.geography;
  const CensusSources& c = plan.census;
  const bool golden = !c.golden_dir.empty();

  if (uses(plan, StageKind::cbg_rows)) {
    if (!shared.populations) throw Error("CBG populations were not loaded");
    auto m = targets::cbg_row_margins(*shared.populations, geo, year);
    append(p.warnings, m.warnings);
    p.margins.emplace_back(StageKind::cbg_rows, std::move(m));
  }
  if (uses(plan, StageKind::state_nonmovers) || uses(plan, StageKind::state_flows)) {
    const targets::StateCensusTables tables =
        golden ? targets::load_golden_state_tables(golden_file(plan, "state_components.csv"),
                                                   golden_file(plan, "state_flows.csv"), year)
               : targets::load_state_census_tables_from_dir(c.census_dir, year);
    const targets::StateTargets st = targets::build_state_targets(tables);
    append(p.warnings, st.warnings);
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
    const targets::CountyTargets ct = targets::build_county_targets(table);
    append(p.warnings, ct.warnings);
    auto m = targets::county_margins(ct, geo);
    append(p.warnings, m.warnings);
    p.margins.emplace_back(StageKind::county_ipf, std::move(m));
  }
  return p;
}

}  // namespace flowfit::pipeline
