// Stage-order sweeps over one loaded year.
#include "flowfit/pipeline/order_sweep.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>

#include <fmt/format.h>

#include "flowfit/error.hpp"
#include "flowfit/fit.hpp"
#include "host/fit/residuals.hpp"

namespace flowfit::pipeline {
namespace {

StageSpec spec_for(StageKind k, const std::vector<StageSpec>& stages) {
  for (const StageSpec& s : stages)
    if (s.kind == k) return s;
  return StageSpec::defaults(k);
}

// County-to-county flows as a dense K x K array (K = number of counties, <= ~3,200).
std::vector<double> county_flows(const CsrMatrix& m, const Grouping& county) {
  const int64_t k = county.n_groups();
  std::vector<double> f(k * k, 0.0);
  for (int64_t i = 0; i < m.n_rows; ++i)
    for (int64_t e = m.row_ptr[i]; e < m.row_ptr[i + 1]; ++e)
      f[county.group_of(i) * k + county.group_of(m.col_idx[e])] += m.values[e];
  return f;
}

double pearson(const std::vector<double>& a, const std::vector<double>& b) {
  double ma = 0, mb = 0;
  int64_t n = 0;
  for (size_t i = 0; i < a.size(); ++i)
    if (a[i] != 0 || b[i] != 0) {
      ma += a[i];
      mb += b[i];
      ++n;
    }
  if (n < 2) return std::numeric_limits<double>::quiet_NaN();
  ma /= n;
  mb /= n;
  double sab = 0, saa = 0, sbb = 0;
  for (size_t i = 0; i < a.size(); ++i)
    if (a[i] != 0 || b[i] != 0) {
      sab += (a[i] - ma) * (b[i] - mb);
      saa += (a[i] - ma) * (a[i] - ma);
      sbb += (b[i] - mb) * (b[i] - mb);
    }
  return sab / std::sqrt(saa * sbb);
}

// max |a - b| / max(|b|, 1) over entries; NaN when the patterns differ.
double max_rel_diff(const CsrMatrix& a, const CsrMatrix& b) {
  if (a.row_ptr != b.row_ptr || a.col_idx != b.col_idx)
    return std::numeric_limits<double>::quiet_NaN();
  double worst = 0;
  for (int64_t e = 0; e < a.nnz(); ++e)
    worst = std::max(worst,
                     std::fabs(a.values[e] - b.values[e]) / std::max(std::fabs(b.values[e]), 1.0));
  return worst;
}

}  // namespace

std::vector<std::vector<StageKind>> all_orders(std::vector<StageKind> kinds) {
  std::vector<std::vector<StageKind>> out;
  std::vector<size_t> idx(kinds.size());
  for (size_t i = 0; i < idx.size(); ++i) idx[i] = i;
  do {
    std::vector<StageKind> order;
    for (size_t i : idx) order.push_back(kinds[i]);
    out.push_back(std::move(order));
  } while (std::next_permutation(idx.begin(), idx.end()));
  return out;
}

std::vector<FamilyResidual> family_residuals(const CsrMatrix& m, const YearProblem& problem) {
  std::vector<FamilyResidual> out;
  for (const auto& [kind, sm] : problem.margins)
    for (const Margin& mg : sm.margins)
      out.push_back({kind, detail::margin_residual(mg, margin_block_sums(m, mg))});
  return out;
}

SweepResult sweep_orders(Backend& backend, const Geography& geography, const YearProblem& problem,
                         const std::vector<StageSpec>& stages,
                         const std::vector<std::vector<StageKind>>& orders) {
  if (orders.empty()) throw ConfigError("orders", "at least one stage order is required");
  const Grouping county = Grouping::by_level(geography, Level::county);
  SweepResult result;
  result.default_order = orders.front();
  CsrMatrix default_final;
  std::vector<double> default_county;
  for (size_t k = 0; k < orders.size(); ++k) {
    const auto t0 = std::chrono::steady_clock::now();
    std::vector<StageSpec> specs;
    for (StageKind kind : orders[k]) specs.push_back(spec_for(kind, stages));
    std::unique_ptr<ResidentMatrix> resident;
    run_stages(backend, CsrMatrix(problem.matrix), resident, problem, specs);
    CsrMatrix final_matrix = backend.release(std::move(resident));
    OrderResult r;
    r.order = orders[k];
    r.residuals = family_residuals(final_matrix, problem);
    std::vector<double> flows = county_flows(final_matrix, county);
    if (k == 0) {
      default_final = std::move(final_matrix);
      default_county = std::move(flows);
    } else {
      r.max_rel_diff_vs_default = max_rel_diff(final_matrix, default_final);
      r.county_flow_correlation = pearson(flows, default_county);
    }
    r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    result.orders.push_back(std::move(r));
  }
  return result;
}

}  // namespace flowfit::pipeline
