// Replicate and order summaries of a batch plan, as data packages. Declared with the pipeline
// (flowfit/pipeline/batch_summary.hpp) but part of the analysis layer: it summarizes what a
// plan wrote, with the analysis rates and data-package writer, and nothing in the pipeline
// calls it.
#include "flowfit/pipeline/batch_summary.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>

#include <fmt/format.h>

#include "flowfit/analysis/datapackage.hpp"
#include "flowfit/analysis/rates.hpp"
#include "flowfit/error.hpp"
#include "flowfit/io/geography_io.hpp"
#include "flowfit/io/matrix_io.hpp"
#include "flowfit/pipeline/work_items.hpp"
#include "flowfit/version.hpp"

namespace flowfit::pipeline {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

std::string_view quantity_name(SummaryQuantity q) {
  switch (q) {
    case SummaryQuantity::county_out_rates:
      return "county_out_rates";
    case SummaryQuantity::county_flows:
      return "county_flows";
    case SummaryQuantity::state_flows:
      return "state_flows";
  }
  return "?";
}

// Type-7 quantile of sorted values.
double quantile(const std::vector<double>& sorted, double p) {
  if (sorted.empty()) return kNaN;
  const double h = (static_cast<double>(sorted.size()) - 1) * p;
  const size_t lo = static_cast<size_t>(std::floor(h));
  const size_t hi = std::min(lo + 1, sorted.size() - 1);
  return sorted[lo] + (h - static_cast<double>(lo)) * (sorted[hi] - sorted[lo]);
}

WorkItem find_item(const Plan& plan, int year_index, int order, int replicate) {
  for (const WorkItem& w : work_items(plan))
    if (w.year_index == year_index && w.order_index == order && w.replicate == replicate) return w;
  throw Error("no such work item");
}

AggregatedOutput item_aggregate(const Plan& plan, const Geography& geo, const WorkItem& w,
                                SummaryQuantity q) {
  return aggregate_output(io::read_matrix(item_output_path(plan, w)), geo, q);
}

using EntryMap = std::map<std::pair<std::string, std::string>, double>;
EntryMap entry_map(const AggregatedOutput& a) {
  EntryMap m;
  for (size_t k = 0; k < a.value.size(); ++k) m[{a.origin[k], a.destination[k]}] = a.value[k];
  return m;
}

analysis::FieldSpec number(std::string name, std::string description) {
  return {std::move(name), "number", std::move(description), "", "", false};
}

}  // namespace

SummaryQuantity summary_quantity_from_string(const std::string& s) {
  for (SummaryQuantity q : {SummaryQuantity::county_out_rates, SummaryQuantity::county_flows,
                            SummaryQuantity::state_flows})
    if (quantity_name(q) == s) return q;
  throw ConfigError("--of", fmt::format("expected county_out_rates, county_flows or state_flows, "
                                        "got '{}'",
                                        s));
}

AggregatedOutput aggregate_output(const CsrMatrix& m, const Geography& geo, SummaryQuantity q) {
  AggregatedOutput out;
  const Grouping g =
      Grouping::by_level(geo, q == SummaryQuantity::state_flows ? Level::state : Level::county);
  if (q == SummaryQuantity::county_out_rates) {
    const analysis::AreaFlowsSummary s = analysis::area_flows_summary(m, g);
    std::vector<int32_t> order(g.n_groups());
    for (int32_t a = 0; a < g.n_groups(); ++a) order[a] = a;
    std::sort(order.begin(), order.end(),
              [&](int32_t a, int32_t b) { return g.label(a) < g.label(b); });
    for (int32_t a : order) {
      out.origin.push_back(g.label(a));
      out.destination.emplace_back();
      out.value.push_back(s.population_before[a] > 0 ? s.out_migrants[a] / s.population_before[a]
                                                     : kNaN);
    }
    return out;
  }
  std::map<std::pair<std::string, std::string>, double> flows;
  for (int64_t i = 0; i < m.n_rows; ++i)
    for (int64_t e = m.row_ptr[i]; e < m.row_ptr[i + 1]; ++e)
      flows[{g.label(g.group_of(i)), g.label(g.group_of(m.col_idx[e]))}] += m.values[e];
  for (const auto& [key, v] : flows) {
    out.origin.push_back(key.first);
    out.destination.push_back(key.second);
    out.value.push_back(v);
  }
  return out;
}

ReplicateStats replicate_stats(std::vector<double> v) {
  ReplicateStats s;
  if (v.empty()) return {kNaN, kNaN, kNaN, kNaN, kNaN};
  double sum = 0;
  for (double x : v) sum += x;
  s.mean = sum / static_cast<double>(v.size());
  double ss = 0;
  for (double x : v) ss += (x - s.mean) * (x - s.mean);
  s.sd = v.size() > 1 ? std::sqrt(ss / static_cast<double>(v.size() - 1)) : kNaN;
  std::sort(v.begin(), v.end());
  s.q05 = quantile(v, 0.05);
  s.q50 = quantile(v, 0.50);
  s.q95 = quantile(v, 0.95);
  return s;
}

void write_replicate_summary(const Plan& plan, SummaryQuantity q, const fs::path& dir) {
  if (plan.batch.replicates < 1)
    throw ConfigError("replicates", "the plan has no replicates to summarize");
  const Geography geo = io::read_geography(plan.geography, plan.geography_column);
  fs::create_directories(dir.parent_path());
  analysis::PackageWriter pkg(
      dir, "flowfit-replicate-summary", "Uncertainty replicates: " + std::string(quantity_name(q)),
      fmt::format("{} over replicates 1..{} of every year and stage order of plan '{}' (ACS "
                  "tables resampled from their MOE, seed {}; docs/batch.md)",
                  quantity_name(q), plan.batch.replicates, plan.name, plan.batch.seed));
  const bool rates = q == SummaryQuantity::county_out_rates;
  const int code_length = q == SummaryQuantity::state_flows ? 2 : 5;
  analysis::TableSpec spec;
  spec.name = "replicate_summary";
  spec.title = "Mean, sd and quantiles over replicates";
  spec.fields.push_back({"year", "integer", "matrix year t", "", "", true});
  spec.fields.push_back({"order_index", "integer", "index into the plan's orders", "", "", true});
  spec.fields.push_back({"order", "string", "stage kinds in order", "", "", true});
  if (rates) {
    spec.fields.push_back(analysis::geoid_field("county", 5, "county GEOID"));
  } else {
    spec.fields.push_back(analysis::geoid_field("origin", code_length, "origin GEOID (t-1)"));
    spec.fields.push_back(analysis::geoid_field("destination", code_length, "destination (t)"));
  }
  const std::string what = rates ? "out-migration rate" : "flow (people)";
  spec.fields.push_back({"replicates", "integer", "replicates with a value", "", "", true});
  spec.fields.push_back(number("published", what + " of replicate 0 (published tables)"));
  spec.fields.push_back(number("mean", "mean " + what + " over replicates"));
  spec.fields.push_back(number("sd", "sample standard deviation over replicates"));
  spec.fields.push_back(number("q05", "5% quantile (type 7)"));
  spec.fields.push_back(number("q50", "median"));
  spec.fields.push_back(number("q95", "95% quantile (type 7)"));
  spec.primary_key = rates
                         ? std::vector<std::string>{"year", "order_index", "county"}
                         : std::vector<std::string>{"year", "order_index", "origin", "destination"};
  io::CsvWriter& csv = pkg.table(spec);
  const int n_orders = std::max<int>(1, static_cast<int>(plan.batch.orders.size()));
  for (size_t y = 0; y < plan.years.size(); ++y) {
    for (int k = 0; k < n_orders; ++k) {
      const int yi = static_cast<int>(y);
      const EntryMap base = entry_map(item_aggregate(plan, geo, find_item(plan, yi, k, 0), q));
      std::map<std::pair<std::string, std::string>, std::vector<double>> values;
      for (const auto& [key, v] : base) values[key];
      for (int r = 1; r <= plan.batch.replicates; ++r) {
        const AggregatedOutput a = item_aggregate(plan, geo, find_item(plan, yi, k, r), q);
        for (size_t e = 0; e < a.value.size(); ++e)
          if (!std::isnan(a.value[e]))
            values[{a.origin[e], a.destination[e]}].push_back(a.value[e]);
      }
      const std::string order = order_text([&] {
        std::vector<StageKind> kinds;
        for (const StageSpec& s : item_stages(plan, find_item(plan, yi, k, 0)))
          kinds.push_back(s.kind);
        return kinds;
      }());
      for (auto& [key, v] : values) {
        const size_t n = v.size();
        const ReplicateStats s = replicate_stats(std::move(v));
        auto b = base.find(key);
        csv.field(plan.years[y].year).field(k).field(order).field(key.first);
        if (!rates) csv.field(key.second);
        csv.field(static_cast<int64_t>(n));
        const double published = b == base.end() ? kNaN : b->second;
        for (double x : {published, s.mean, s.sd, s.q05, s.q50, s.q95})
          std::isnan(x) ? csv.field("") : csv.field(x);
        csv.end_row();
      }
    }
  }
  pkg.finish_table();
  pkg.add_note("flowfit_version", std::string(version()));
  pkg.add_note("quantity", std::string(quantity_name(q)));
  pkg.commit();
}

void write_order_summary(const Plan& plan, const fs::path& dir) {
  if (plan.batch.orders.size() < 2)
    throw ConfigError("orders", "the plan has fewer than two stage orders to compare");
  const Geography geo = io::read_geography(plan.geography, plan.geography_column);
  fs::create_directories(dir.parent_path());
  analysis::PackageWriter pkg(dir, "flowfit-order-summary", "Stage orders compared",
                              fmt::format("County and state flows of every stage order of plan "
                                          "'{}' against orders[0] (replicate 0)",
                                          plan.name));
  analysis::TableSpec spec;
  spec.name = "order_differences";
  spec.title = "Differences from the first order";
  spec.fields = {
      {"year", "integer", "matrix year t", "", "", true},
      {"order_index", "integer", "index into the plan's orders", "", "", true},
      {"order", "string", "stage kinds in order", "", "", true},
      {"level", "string", "county or state flows", "", "", true},
      {"entries", "integer", "origin-destination pairs compared", "", "", true},
      number("median_abs_diff", "typical |flow - flow of orders[0]| (people)"),
      number("max_abs_diff", "worst |flow - flow of orders[0]| (people)"),
      number("median_rel_diff", "typical relative difference (|d| / max(flow0, 1))"),
      number("max_rel_diff", "worst relative difference"),
      {"worst_origin", "string", "origin of the worst relative difference", "", "", false},
      {"worst_destination", "string", "its destination", "", "", false}};
  spec.primary_key = {"year", "order_index", "level"};
  io::CsvWriter& csv = pkg.table(spec);
  for (size_t y = 0; y < plan.years.size(); ++y) {
    const int yi = static_cast<int>(y);
    for (SummaryQuantity q : {SummaryQuantity::county_flows, SummaryQuantity::state_flows}) {
      const EntryMap base = entry_map(item_aggregate(plan, geo, find_item(plan, yi, 0, 0), q));
      for (int k = 1; k < static_cast<int>(plan.batch.orders.size()); ++k) {
        const EntryMap other = entry_map(item_aggregate(plan, geo, find_item(plan, yi, k, 0), q));
        std::map<std::pair<std::string, std::string>, std::pair<double, double>> both;
        for (const auto& [key, v] : base) both[key].first = v;
        for (const auto& [key, v] : other) both[key].second = v;
        std::vector<double> abs_d, rel_d;
        double worst_rel = -1;
        std::pair<std::string, std::string> worst;
        for (const auto& [key, v] : both) {
          const double d = std::fabs(v.second - v.first);
          const double r = d / std::max(std::fabs(v.first), 1.0);
          abs_d.push_back(d);
          rel_d.push_back(r);
          if (r > worst_rel) {
            worst_rel = r;
            worst = key;
          }
        }
        std::sort(abs_d.begin(), abs_d.end());
        std::sort(rel_d.begin(), rel_d.end());
        csv.field(plan.years[y].year)
            .field(k)
            .field(order_text(plan.batch.orders[k]))
            .field(q == SummaryQuantity::county_flows ? "county" : "state")
            .field(static_cast<int64_t>(both.size()));
        for (double x : {quantile(abs_d, 0.5), abs_d.empty() ? kNaN : abs_d.back(),
                         quantile(rel_d, 0.5), rel_d.empty() ? kNaN : rel_d.back()})
          std::isnan(x) ? csv.field("") : csv.field(x);
        csv.field(worst.first).field(worst.second);
        csv.end_row();
      }
    }
  }
  pkg.finish_table();
  pkg.add_note("flowfit_version", std::string(version()));
  pkg.commit();
}

}  // namespace flowfit::pipeline
