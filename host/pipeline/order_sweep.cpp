// Stage-order sweeps over one loaded year.
#include "flowfit/pipeline/order_sweep.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>

#include <fmt/format.h>

#include "flowfit/error.hpp"
#include "flowfit/fit.hpp"
#include "flowfit/io/csv_writer.hpp"
#include "host/fit/residuals.hpp"

namespace flowfit::pipeline {
namespace {

StageSpec spec_for(StageKind k, const std::vector<StageSpec>& stages) {
  for (const StageSpec& s : stages)
    if (s.kind == k) return s;
  return StageSpec::defaults(k);
}

// Group-to-group flows as a dense K x K array (K = number of counties, <= ~3,200, or states).
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

// Differences of two dense group-to-group flow arrays over the pairs either has.
FlowDifferences flow_differences(const std::vector<double>& f, const std::vector<double>& f0) {
  FlowDifferences d;
  std::vector<double> rel;
  for (size_t i = 0; i < f.size(); ++i) {
    if (f[i] == 0 && f0[i] == 0) continue;
    const double abs = std::fabs(f[i] - f0[i]);
    rel.push_back(abs / std::max(std::fabs(f0[i]), 1.0));
    d.max_abs = std::max(d.max_abs, abs);
  }
  if (rel.empty()) return d;
  std::sort(rel.begin(), rel.end());
  d.max_rel = rel.back();
  const size_t n = rel.size();
  d.median_rel = n % 2 ? rel[n / 2] : 0.5 * (rel[n / 2 - 1] + rel[n / 2]);
  return d;
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
                         const std::vector<std::vector<StageKind>>& orders,
                         const OrderObserver& on_order) {
  if (orders.empty()) throw ConfigError("orders", "at least one stage order is required");
  const Grouping county = Grouping::by_level(geography, Level::county);
  const Grouping state = Grouping::by_level(geography, Level::state);
  std::vector<double> default_state;
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
    std::vector<double> state_flows = county_flows(final_matrix, state);
    if (k > 0) {
      r.max_rel_diff_vs_default = max_rel_diff(final_matrix, default_final);
      r.county_flow_correlation = pearson(flows, default_county);
      r.county_diff = flow_differences(flows, default_county);
      r.state_diff = flow_differences(state_flows, default_state);
    }
    r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    if (on_order) on_order(k, r, final_matrix);
    if (k == 0) {
      default_final = std::move(final_matrix);
      default_county = std::move(flows);
      default_state = std::move(state_flows);
    }
    result.orders.push_back(std::move(r));
  }
  return result;
}

void write_order_sweep_table(const fs::path& path,
                             const std::vector<std::pair<int, SweepResult>>& results) {
  std::vector<std::string> header{"year", "order", "max_rel_diff_vs_default",
                                  "county_flow_correlation"};
  std::vector<StageKind> families;
  for (const auto& [year, r] : results)
    for (const auto& o : r.orders)
      for (const auto& f : o.residuals)
        if (std::find(families.begin(), families.end(), f.family) == families.end())
          families.push_back(f.family);
  for (auto k : families) header.push_back(std::string(to_string(k)) + "_max_rel");
  for (const char* level : {"county", "state"})
    for (const char* what : {"median_rel_diff", "max_rel_diff", "max_abs_diff"})
      header.push_back(fmt::format("{}_flow_{}", level, what));
  header.push_back("seconds");
  io::CsvWriter csv(path, header);
  for (const auto& [year, r] : results) {
    for (const auto& o : r.orders) {
      std::string order;
      for (auto k : o.order) order += (order.empty() ? "" : " ") + std::string(to_string(k));
      csv.field(year)
          .field(order)
          .field(o.max_rel_diff_vs_default)
          .field(o.county_flow_correlation);
      for (auto k : families) {
        double worst = 0;
        for (const auto& f : o.residuals)
          if (f.family == k) worst = std::max(worst, f.residual.max_rel);
        csv.field(worst);
      }
      for (const auto* d : {&o.county_diff, &o.state_diff})
        csv.field(d->median_rel).field(d->max_rel).field(d->max_abs);
      csv.field(o.seconds);
      csv.end_row();
    }
  }
  csv.commit();
}

}  // namespace flowfit::pipeline
