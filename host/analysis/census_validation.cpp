// Validation against census tables: block sums of E, H (and T) against each table's values.
#include "flowfit/analysis/census_validation.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "flowfit/error.hpp"
#include "host/analysis/agreement_format.hpp"

namespace flowfit::analysis {

std::string_view to_string(TableRole r) {
  return r == TableRole::fitted ? "fitted" : "held-out";
}

bool CensusValidationReport::has_held_out() const {
  for (const auto& r : rows)
    if (r.role == TableRole::held_out) return true;
  return false;
}

std::vector<double> block_sums(const CsrMatrix& a, const Margin& m) {
  m.validate(a.n_rows, a.n_cols);
  std::vector<double> sums(static_cast<size_t>(m.n_blocks()), 0.0);
  const int32_t n_cols = m.cols.n_groups();
  for (int64_t i = 0; i < a.n_rows; ++i) {
    const int32_t rg = m.rows.group_of(i);
    if (rg < 0) continue;
    for (int64_t k = a.row_ptr[i]; k < a.row_ptr[i + 1]; ++k) {
      const int64_t j = a.col_idx[k];
      if (m.entries == EntryClass::diagonal && j != i) continue;
      if (m.entries == EntryClass::off_diagonal && j == i) continue;
      const int32_t cg = m.cols.group_of(j);
      if (cg < 0) continue;
      sums[static_cast<size_t>(int64_t{rg} * n_cols + cg)] += a.values[k];
    }
  }
  return sums;
}

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

double mean_abs(const std::vector<double>& v) {
  double s = 0;
  for (double x : v) s += std::abs(x);
  return v.empty() ? 0 : s / static_cast<double>(v.size());
}

double relative(double rmse, const std::vector<double>& table) {
  const double m = mean_abs(table);
  return m > 0 ? rmse / m : (rmse == 0 ? 0 : std::numeric_limits<double>::infinity());
}

// Which blocks one comparison row takes: 0 every compared block, 1 diagonal blocks, 2 the others.
std::vector<double> pick(const std::vector<double>& v, const TableQuantity& q, int part) {
  std::vector<double> out;
  const int32_t nc = q.margin.cols.n_groups();
  for (int64_t b = 0; b < q.margin.n_blocks(); ++b) {
    if (!q.compared.empty() && !q.compared[static_cast<size_t>(b)]) continue;
    const bool diagonal = b / nc == b % nc;
    if (part == 1 && !diagonal) continue;
    if (part == 2 && diagonal) continue;
    out.push_back(v[static_cast<size_t>(b)]);
  }
  return out;
}

double sum(const std::vector<double>& v) {
  double s = 0;
  for (double x : v) s += x;
  return s;
}

std::string percent(double v) {
  return std::isfinite(v) ? fmt::format("{:.3g}%", 100 * v) : std::string("inf");
}

// The fitted table whose values a held-out quantity repeats in part `part` (see pick): same
// groupings and entry class, the same value (to rounding) in every block both compare.
const CensusTable* repeated_fitted(const TableQuantity& h, int part,
                                   const std::vector<CensusTable>& tables) {
  const int32_t nc = h.margin.cols.n_groups();
  for (const CensusTable& t : tables) {
    if (t.role != TableRole::fitted) continue;
    for (const TableQuantity& f : t.quantities) {
      const Margin &a = h.margin, &b = f.margin;
      if (a.entries != b.entries || a.rows.group_of_unit() != b.rows.group_of_unit() ||
          a.cols.group_of_unit() != b.cols.group_of_unit() || a.rows.labels() != b.rows.labels() ||
          a.cols.labels() != b.cols.labels())
        continue;
      bool same = true, any = false;
      for (int64_t k = 0; k < a.n_blocks() && same; ++k) {
        const bool diagonal = k / nc == k % nc;
        if ((part == 1 && !diagonal) || (part == 2 && diagonal)) continue;
        if (!h.compared.empty() && !h.compared[static_cast<size_t>(k)]) continue;
        if (!f.compared.empty() && !f.compared[static_cast<size_t>(k)]) continue;
        const double x = a.targets[static_cast<size_t>(k)], y = b.targets[static_cast<size_t>(k)];
        same = std::abs(x - y) <= 1e-9 * std::max({1.0, std::abs(x), std::abs(y)});
        any = true;
      }
      if (same && any) return &t;
    }
  }
  return nullptr;
}

}  // namespace

CensusValidationReport validate_against_tables(const CsrMatrix& raw, const CsrMatrix& harmonized,
                                               const CsrMatrix* truth,
                                               const std::vector<CensusTable>& tables,
                                               const CensusValidationOptions& options) {
  if (tables.empty()) throw ConfigError("tables", "no census table to compare with");
  CensusValidationReport rep;
  for (const CensusTable& table : tables) {
    for (size_t qi = 0; qi < table.quantities.size(); ++qi) {
      const TableQuantity& q = table.quantities[qi];
      if (!q.compared.empty() && static_cast<int64_t>(q.compared.size()) != q.margin.n_blocks())
        throw ConfigError(table.name, "the compared-block mask does not match the margin");
      const std::vector<double> se = block_sums(raw, q.margin);
      const std::vector<double> sh = block_sums(harmonized, q.margin);
      std::vector<double> st;
      if (truth) st = block_sums(*truth, q.margin);
      const bool split =
          q.split_diagonal_blocks && q.margin.rows.labels() == q.margin.cols.labels();
      const std::vector<int> parts = split ? std::vector<int>{1, 2} : std::vector<int>{0};
      for (int part : parts) {
        TableComparisonRow row;
        row.table = table.name;
        row.source = table.source;
        row.stage = table.stage;
        row.role = table.role;
        row.quantity = q.name + (part == 1   ? " within areas (diagonal blocks)"
                                 : part == 2 ? " between areas"
                                             : "");
        const std::vector<double> t = pick(q.margin.targets, q, part);
        if (t.empty()) continue;  // e.g. a flow table without rows inside an area
        std::vector<double> e = pick(se, q, part);
        const std::vector<double> h = pick(sh, q, part);
        row.table_total = sum(t);
        const double raw_total = sum(e);
        row.raw_scale = options.rescale_raw && raw_total != 0 ? row.table_total / raw_total : 1;
        for (double& x : e) x *= row.raw_scale;
        row.raw = agreement(t, e);
        row.harmonized = agreement(t, h);
        row.rmse_reduction = rmse_reduction(row.raw.rmse, row.harmonized.rmse);
        row.harmonized_relative_rmse = relative(row.harmonized.rmse, t);
        if (truth) {
          const std::vector<double> tt = pick(st, q, part);
          row.truth = agreement(t, tt);
          row.truth_relative_rmse = relative(row.truth->rmse, t);
        }
        // A "held-out" quantity that repeats a fitted table is fitted: presented as a validation
        // it would report agreement by construction as accuracy.
        const CensusTable* copy =
            row.role == TableRole::held_out ? repeated_fitted(q, part, tables) : nullptr;
        if (copy) {
          row.role = TableRole::fitted;
          row.stage = copy->stage;
          rep.warnings.push_back(fmt::format(
              "{} {}: not held out, its values are those of the {} table that stage {} fitted; "
              "reported as fitted",
              table.name, row.quantity, copy->name, copy->stage));
          row.note = fmt::format(
              "repeats the {} table that stage {} fitted: agreement of H is by "
              "construction, not a validation",
              copy->name, copy->stage);
        } else if (row.role == TableRole::fitted) {
          const bool exact = table.last_stage && qi + 1 == table.quantities.size();
          row.note = exact ? fmt::format(
                                 "fitted by stage {}, the plan's last: agreement of H is by "
                                 "construction, not a validation",
                                 table.stage)
                           : fmt::format(
                                 "fitted by stage {}, then moved by later stages (H off by a "
                                 "relative RMSE of {}): agreement of H is a consequence of the "
                                 "fit, not a validation",
                                 table.stage, percent(row.harmonized_relative_rmse));
          // The ratio rule leaves blocks with a target <= 0 or an empty block unchanged: only
          // the others must be met.
          double worst = 0;
          for (size_t b = 0; b < t.size(); ++b)
            if (t[b] > 0 && h[b] > 0) worst = std::max(worst, std::abs(h[b] - t[b]) / t[b]);
          if (exact && worst > options.last_stage_tolerance)
            rep.warnings.push_back(fmt::format(
                "{}: H does not meet the {} that the plan's last stage {} fitted (a block is off "
                "by {} > {}): H is probably not the output of this plan for this year",
                table.name, row.quantity, table.stage, percent(worst),
                percent(options.last_stage_tolerance)));
          if (row.truth_relative_rmse && *row.truth_relative_rmse > options.truth_disagreement)
            row.note += fmt::format(
                "; the truth differs from this table (relative RMSE {}): harmonizing moves H "
                "towards the table and away from the truth, so a negative RMSE reduction "
                "against the truth at this level measures that disagreement, not harm",
                percent(*row.truth_relative_rmse));
        } else {
          row.note =
              "held out: no stage of the plan used this table; agreement of H is a "
              "validation as far as the table is independent of the fitted ones";
        }
        if (row.raw.n < 2)
          rep.warnings.push_back(fmt::format("{} {}: only {} value(s) compared; no correlation",
                                             table.name, row.quantity, row.raw.n));
        rep.rows.push_back(std::move(row));
      }
    }
  }
  if (!rep.has_held_out())
    rep.warnings.push_back(
        "every table compared was fitted by the plan, so H agrees with it by construction: this "
        "checks the fit, it does not validate it (supply a held-out table with --held-out, or "
        "validate a run whose plan leaves a stage out)");
  return rep;
}

using detail::json_agreement;
using detail::json_number;
using detail::num;

std::string to_markdown(const CensusValidationReport& rep) {
  bool with_truth = false;
  for (const auto& r : rep.rows) with_truth |= r.truth.has_value();
  std::string t =
      "| table | quantity | role | n | raw r | raw RMSE | harmonized r | harmonized RMSE "
      "| RMSE reduction |";
  t += with_truth ? " truth r | truth RMSE |\n" : "\n";
  t += "|---|---|---|---:|---:|---:|---:|---:|---:|";
  t += with_truth ? "---:|---:|\n" : "\n";
  for (const auto& r : rep.rows) {
    t += fmt::format(
        "| {} | {} | {} | {} | {} | {} | {} | {} | {} |", r.table, r.quantity,
        r.role == TableRole::fitted ? fmt::format("fitted ({})", r.stage) : std::string("held-out"),
        r.raw.n, num(r.raw.pearson, "{:.4f}"), num(r.raw.rmse, "{:.4g}"),
        num(r.harmonized.pearson, "{:.4f}"), num(r.harmonized.rmse, "{:.4g}"),
        num(r.rmse_reduction, "{:.1f}%"));
    if (with_truth)
      t += r.truth ? fmt::format(" {} | {} |", num(r.truth->pearson, "{:.4f}"),
                                 num(r.truth->rmse, "{:.4g}"))
                   : std::string(" – | – |");
    t += "\n";
  }
  return t;
}

std::string to_json(const CensusValidationReport& rep, int indent) {
  nlohmann::json rows = nlohmann::json::array();
  for (const auto& r : rep.rows) {
    nlohmann::json o;
    o["table"] = r.table;
    o["quantity"] = r.quantity;
    o["source"] = r.source;
    o["role"] = std::string(to_string(r.role));
    o["stage"] = r.stage.empty() ? nlohmann::json() : nlohmann::json(r.stage);
    o["table_total"] = json_number(r.table_total);
    o["raw_scale"] = json_number(r.raw_scale);
    o["raw"] = json_agreement(r.raw);
    o["harmonized"] = json_agreement(r.harmonized);
    o["truth"] = r.truth ? json_agreement(*r.truth) : nlohmann::json();
    o["rmse_reduction_pct"] = json_number(r.rmse_reduction);
    o["harmonized_relative_rmse"] = json_number(r.harmonized_relative_rmse);
    o["note"] = r.note;
    rows.push_back(std::move(o));
  }
  nlohmann::json j;
  j["rows"] = std::move(rows);
  j["has_held_out"] = rep.has_held_out();
  j["warnings"] = rep.warnings;
  return j.dump(indent);
}

}  // namespace flowfit::analysis
