// Synthetic-truth evaluation: raw and harmonized matrices against the truth at every level.
#include "flowfit/analysis/evaluation.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "flowfit/analysis/rates.hpp"
#include "flowfit/error.hpp"
#include "host/analysis/agreement_format.hpp"

namespace flowfit::analysis {

namespace {

constexpr int64_t kEnd = std::numeric_limits<int64_t>::max();

// Visits the off-diagonal union of the stored pairs of row i of t, r and (optionally) h.
template <class F>
void visit_offdiagonal(const CsrMatrix& t, const CsrMatrix& r, const CsrMatrix* h, int64_t i,
                       F&& f) {
  int64_t a = t.row_ptr[i], ae = t.row_ptr[i + 1];
  int64_t b = r.row_ptr[i], be = r.row_ptr[i + 1];
  int64_t c = h ? h->row_ptr[i] : 0, ce = h ? h->row_ptr[i + 1] : 0;
  while (a < ae || b < be || c < ce) {
    const int64_t ja = a < ae ? t.col_idx[a] : kEnd;
    const int64_t jb = b < be ? r.col_idx[b] : kEnd;
    const int64_t jc = c < ce ? h->col_idx[c] : kEnd;
    const int64_t j = std::min({ja, jb, jc});
    double tv = 0, rv = 0, hv = 0;
    if (ja == j) tv = t.values[a++];
    if (jb == j) rv = r.values[b++];
    if (jc == j) hv = h->values[c++];
    if (j != i) f(tv, rv, hv);
  }
}

struct FlowAgreement {
  Agreement raw;
  std::optional<Agreement> harmonized;
};

FlowAgreement flow_agreement(const CsrMatrix& t, const CsrMatrix& r, double rs,
                             const CsrMatrix* h) {
  const int64_t n = t.n_rows;
  std::vector<PairMoments> pr(n), ph(h ? n : 0);
#pragma omp parallel for schedule(dynamic, 256)
  for (int64_t i = 0; i < n; ++i)
    visit_offdiagonal(t, r, h, i, [&](double tv, double rv, double hv) {
      pr[i].add_pass1(tv, rv * rs);
      if (h) ph[i].add_pass1(tv, hv);
    });
  PairMoments sr, sh;
  for (int64_t i = 0; i < n; ++i) {
    sr.merge(pr[i]);
    if (h) sh.merge(ph[i]);
  }
  const double mt = sr.n ? sr.sum_x / sr.n : 0, mr = sr.n ? sr.sum_y / sr.n : 0;
  const double mh = sh.n ? sh.sum_y / sh.n : 0;
#pragma omp parallel for schedule(dynamic, 256)
  for (int64_t i = 0; i < n; ++i) {
    pr[i] = PairMoments{};
    if (h) ph[i] = PairMoments{};
    visit_offdiagonal(t, r, h, i, [&](double tv, double rv, double hv) {
      pr[i].add_pass2(tv, rv * rs, mt, mr);
      if (h) ph[i].add_pass2(tv, hv, mt, mh);
    });
  }
  PairMoments qr, qh;
  qr.n = sr.n;
  qh.n = sh.n;
  for (int64_t i = 0; i < n; ++i) {
    PairMoments a = pr[i];
    a.n = 0;
    qr.merge(a);
    if (h) {
      PairMoments b = ph[i];
      b.n = 0;
      qh.merge(b);
    }
  }
  FlowAgreement out;
  out.raw = qr.result();
  if (h) out.harmonized = qh.result();
  return out;
}

std::vector<double> sum_by_area(const std::vector<double>& v, const Grouping& g) {
  std::vector<double> out(g.n_groups(), 0.0);
  for (size_t i = 0; i < v.size(); ++i)
    if (g.group_of(static_cast<int64_t>(i)) >= 0) out[g.group_of(static_cast<int64_t>(i))] += v[i];
  return out;
}

std::vector<double> scaled(std::vector<double> v, double s) {
  for (double& x : v) x *= s;
  return v;
}

void check_shape(const CsrMatrix& m, const Geography& geo, const char* what) {
  if (m.n_rows != geo.size() || m.n_cols != geo.size())
    throw ConfigError(what, fmt::format("the {} matrix is {} x {} but the geography has {} units",
                                        what, m.n_rows, m.n_cols, geo.size()));
}

}  // namespace

const EvaluationRow* EvaluationReport::find(AreaLevel level, const std::string& quantity) const {
  for (const EvaluationRow& r : rows)
    if (r.level == level && r.quantity == quantity) return &r;
  return nullptr;
}

EvaluationReport evaluate_against_truth(const CsrMatrix& truth, const CsrMatrix& raw,
                                        const CsrMatrix* harmonized, const Geography& geo,
                                        const EvaluationOptions& options) {
  check_shape(truth, geo, "truth");
  check_shape(raw, geo, "raw");
  if (harmonized) check_shape(*harmonized, geo, "harmonized");
  EvaluationReport rep;
  rep.truth_total = total(truth);
  rep.raw_total = total(raw);
  rep.raw_scale = options.rescale_raw && rep.raw_total != 0 ? rep.truth_total / rep.raw_total : 1;
  if (harmonized) rep.harmonized_total = total(*harmonized);
  const double rs = rep.raw_scale;

  // CBG-level movers and stayers, aggregated to each level below.
  const AreaMigration cbg_t = area_migration(truth);
  const AreaMigration cbg_r = area_migration(raw);
  std::optional<AreaMigration> cbg_h;
  if (harmonized) cbg_h = area_migration(*harmonized);

  for (AreaLevel level : options.levels) {
    const Grouping areas = area_grouping(geo, level);
    const bool identity = level == AreaLevel::cbg;
    CsrMatrix at, ar, ah;
    if (!identity) {
      at = aggregate_to_level(truth, geo, level).flows;
      ar = aggregate_to_level(raw, geo, level).flows;
      if (harmonized) ah = aggregate_to_level(*harmonized, geo, level).flows;
    }
    const CsrMatrix& mt = identity ? truth : at;
    const CsrMatrix& mr = identity ? raw : ar;
    const CsrMatrix* mh = harmonized ? (identity ? harmonized : &ah) : nullptr;
    const AreaMigration lt = identity ? cbg_t : area_migration(mt);
    const AreaMigration lr = identity ? cbg_r : area_migration(mr);
    std::optional<AreaMigration> lh;
    if (mh) lh = identity ? *cbg_h : area_migration(*mh);

    auto add = [&](const std::string& quantity, const std::vector<double>& t,
                   const std::vector<double>& r, const std::vector<double>* h,
                   const std::vector<double>& weights) {
      EvaluationRow row;
      row.level = level;
      row.quantity = quantity;
      row.weighted = !weights.empty();
      row.raw = agreement(t, r, weights);
      if (h) row.harmonized = agreement(t, *h, weights);
      row.rmse_reduction = row.harmonized ? rmse_reduction(row.raw.rmse, row.harmonized->rmse)
                                          : std::numeric_limits<double>::quiet_NaN();
      rep.rows.push_back(std::move(row));
    };
    const std::vector<double> none;
    {
      const auto h = lh ? lh->population_before : none;
      add("population_before", lt.population_before, scaled(lr.population_before, rs),
          lh ? &h : nullptr, none);
    }
    {
      const auto h = lh ? lh->population_after : none;
      add("population_after", lt.population_after, scaled(lr.population_after, rs),
          lh ? &h : nullptr, none);
    }
    {
      const auto h = cbg_h ? sum_by_area(cbg_h->out_movers, areas) : none;
      add("movers", sum_by_area(cbg_t.out_movers, areas),
          scaled(sum_by_area(cbg_r.out_movers, areas), rs), cbg_h ? &h : nullptr, none);
    }
    {
      const auto h = cbg_h ? sum_by_area(cbg_h->stayers, areas) : none;
      add("stayers", sum_by_area(cbg_t.stayers, areas),
          scaled(sum_by_area(cbg_r.stayers, areas), rs), cbg_h ? &h : nullptr, none);
    }
    {
      const FlowAgreement f = flow_agreement(mt, mr, rs, mh);
      EvaluationRow row;
      row.level = level;
      row.quantity = "flows";
      row.raw = f.raw;
      row.harmonized = f.harmonized;
      row.rmse_reduction = row.harmonized ? rmse_reduction(row.raw.rmse, row.harmonized->rmse)
                                          : std::numeric_limits<double>::quiet_NaN();
      rep.rows.push_back(std::move(row));
    }
    {
      const auto h = lh ? in_migration_rates(*lh) : none;
      add("in_migration_rate", in_migration_rates(lt), in_migration_rates(lr), lh ? &h : nullptr,
          lt.population_after);
    }
    {
      const auto h = lh ? out_migration_rates(*lh) : none;
      add("out_migration_rate", out_migration_rates(lt), out_migration_rates(lr), lh ? &h : nullptr,
          lt.population_before);
    }
  }
  return rep;
}

using detail::json_agreement;
using detail::json_number;
using detail::num;

std::string to_markdown(const EvaluationReport& rep) {
  std::string t;
  t += "| level | quantity | n | raw r | raw RMSE | harmonized r | harmonized RMSE | RMSE "
       "reduction |\n";
  t += "|---|---|---:|---:|---:|---:|---:|---:|\n";
  for (const EvaluationRow& r : rep.rows) {
    const bool rate = r.weighted;
    const char* rmse_spec = rate ? "{:.5f}" : "{:.4g}";
    t += fmt::format(
        "| {} | {}{} | {} | {} | {} | {} | {} | {} |\n", to_string(r.level), r.quantity,
        rate ? " (pop-weighted)" : "", r.raw.n, num(r.raw.pearson, "{:.4f}"),
        num(r.raw.rmse, rmse_spec), r.harmonized ? num(r.harmonized->pearson, "{:.4f}") : "–",
        r.harmonized ? num(r.harmonized->rmse, rmse_spec) : "–", num(r.rmse_reduction, "{:.1f}%"));
  }
  return t;
}

std::string to_json(const EvaluationReport& rep, int indent) {
  nlohmann::json j;
  j["truth_total"] = rep.truth_total;
  j["raw_total"] = rep.raw_total;
  j["raw_scale"] = rep.raw_scale;
  j["harmonized_total"] =
      rep.harmonized_total ? nlohmann::json(*rep.harmonized_total) : nlohmann::json();
  nlohmann::json rows = nlohmann::json::array();
  for (const EvaluationRow& r : rep.rows) {
    nlohmann::json o;
    o["level"] = std::string(to_string(r.level));
    o["quantity"] = r.quantity;
    o["weighted"] = r.weighted;
    o["raw"] = json_agreement(r.raw);
    o["harmonized"] = r.harmonized ? json_agreement(*r.harmonized) : nlohmann::json();
    o["rmse_reduction_pct"] = json_number(r.rmse_reduction);
    rows.push_back(std::move(o));
  }
  j["rows"] = std::move(rows);
  return j.dump(indent);
}

}  // namespace flowfit::analysis
