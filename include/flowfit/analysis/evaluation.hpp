#pragma once
// Synthetic-truth evaluation (docs/method.md, section 3): how close the raw observed matrix E
// (first rescaled to the national total of the truth T) and the harmonized matrix H are to T, at
// CBG, tract, county and state level. For each level and quantity: Pearson correlation and RMSE
// against T, and the RMSE reduction 100 (1 - RMSE_harmonized / RMSE_raw).
//
// Quantities, per area of the level:
//   population_before  row sums (people at t-1)          population_after  column sums (t)
//   movers             people who changed CBG, by origin  stayers           CBG diagonal, by area
//   flows              area-to-area flows between different areas, over the union of the
//                      stored pairs of T, E and H (pairs absent from a matrix count as 0)
//   in_migration_rate  (column sum - area diagonal) / column sum, weighted by T's column sums
//   out_migration_rate (row sum - area diagonal) / row sum, weighted by T's row sums
#include <optional>
#include <string>
#include <vector>

#include "flowfit/analysis/levels.hpp"
#include "flowfit/analysis/metrics.hpp"
#include "flowfit/csr_matrix.hpp"
#include "flowfit/geography.hpp"

namespace flowfit::analysis {

struct EvaluationOptions {
  std::vector<AreaLevel> levels = all_area_levels();
  bool rescale_raw = true;  // multiply E by total(T) / total(E) first
};

struct EvaluationRow {
  AreaLevel level = AreaLevel::cbg;
  std::string quantity;
  bool weighted = false;  // population-weighted (rates)
  Agreement raw;
  std::optional<Agreement> harmonized;
  double rmse_reduction = 0;  // NaN without a harmonized matrix
};

struct EvaluationReport {
  double truth_total = 0;
  double raw_total = 0;  // before rescaling
  double raw_scale = 1;  // the factor applied to E
  std::optional<double> harmonized_total;
  std::vector<EvaluationRow> rows;
  const EvaluationRow* find(AreaLevel level, const std::string& quantity) const;
};

// All matrices must be n x n for the n units of `geo`. `harmonized` may be null (raw only).
// Throws ConfigError naming the mismatched matrix.
EvaluationReport evaluate_against_truth(const CsrMatrix& truth, const CsrMatrix& raw,
                                        const CsrMatrix* harmonized, const Geography& geo,
                                        const EvaluationOptions& options = {});

// A markdown table: level | quantity | n | raw r | raw RMSE | harmonized r | harmonized RMSE |
// RMSE reduction %.
std::string to_markdown(const EvaluationReport& report);
// JSON: {"truth_total":..., "raw_total":..., "raw_scale":..., "harmonized_total":...,
//        "rows":[{"level","quantity","weighted","n","raw":{"pearson","rmse"},
//                 "harmonized":{...},"rmse_reduction_pct"}]} (NaN written as null).
std::string to_json(const EvaluationReport& report, int indent = 2);

}  // namespace flowfit::analysis
