#pragma once
// Validation against census tables, in the style of the MIGRATE paper: the aggregates of the
// observed matrix E and of the harmonized matrix H (and, for a synthetic run, of the truth T) are
// compared with each table a harmonization can fit (CBG populations, state movers / non-movers,
// state-to-state flows, county populations) and with tables supplied by the user. For each
// quantity: Pearson r and RMSE of E and of H against the table, and the RMSE reduction
// 100 (1 - RMSE_H / RMSE_E).
//
// What it measures depends on whether the plan fitted the table. A table that a stage of the plan
// fitted agrees with H by construction (the last stage exactly, earlier stages up to what later
// stages moved): its row is marked "fitted" and is a check of the fit, not a validation. Only a
// held-out table (used by no stage of the plan) measures accuracy, and only as far as the table
// is independent of the fitted ones (the census tables share the PEP components).
#include <optional>
#include <string>
#include <vector>

#include "flowfit/analysis/attributes.hpp"
#include "flowfit/analysis/metrics.hpp"
#include "flowfit/csr_matrix.hpp"
#include "flowfit/geography.hpp"
#include "flowfit/margin.hpp"

namespace flowfit::analysis {

enum class TableRole {
  fitted,   // a stage of the plan fitted it: agreement with H is by construction
  held_out  // no stage of the plan used it: agreement with H is a validation
};
std::string_view to_string(TableRole r);

// One quantity of a table: the block sums of `margin` (rows grouped x columns grouped x entry
// class) against margin.targets. `compared` (one flag per block, empty = every block) excludes
// blocks the table has no value for.
struct TableQuantity {
  std::string name;  // e.g. "county rows (population t-1)"
  Margin margin;
  std::vector<char> compared;
  // For a square block margin whose row and column groups are the same areas: compare the
  // diagonal blocks (within an area) and the off-diagonal blocks (between areas) separately.
  bool split_diagonal_blocks = false;
};

struct CensusTable {
  std::string name;    // cbg_populations, state_nonmovers, state_flows, county_populations, ...
  std::string source;  // the file(s) it was read from
  TableRole role = TableRole::held_out;
  std::string stage;        // the stage of the plan that fitted it ("" when held out)
  bool last_stage = false;  // fitted by the plan's last stage: H must meet its last quantity
  std::vector<TableQuantity> quantities;
};

struct CensusValidationOptions {
  // Rescale E's aggregates of each quantity to the table's total over the compared blocks
  // (address data cover a fraction of the population). false: compare E as it is.
  bool rescale_raw = true;
  // A fitted table whose truth differs from it by more than this relative RMSE (RMSE / mean
  // absolute table value) is flagged: the harmonization moved H towards the table and away from
  // the truth.
  double truth_disagreement = 0.01;
  // Every block of the plan's last fitted quantity with a positive target and a nonzero sum must
  // be met by H to this relative deviation (the ratio rule leaves the others unchanged), else H is
  // probably not the output of this plan and year (a warning).
  double last_stage_tolerance = 1e-6;
};

struct TableComparisonRow {
  std::string table, quantity, source, stage;
  TableRole role = TableRole::held_out;
  double table_total = 0;     // over the compared blocks
  double raw_scale = 1;       // factor applied to E's aggregates
  Agreement raw, harmonized;  // against the table
  std::optional<Agreement> truth;
  double rmse_reduction = 0;            // 100 (1 - RMSE_H / RMSE_E); NaN when RMSE_E is 0
  double harmonized_relative_rmse = 0;  // RMSE_H / mean |table value|
  std::optional<double> truth_relative_rmse;
  std::string note;  // why the row does or does not measure accuracy
};

struct CensusValidationReport {
  std::vector<TableComparisonRow> rows;
  std::vector<std::string> warnings;  // comparisons that are not meaningful, in the order found
  bool has_held_out() const;
};

// The block sums of `m` over matrix `a` (entry class applied), row-major like m.targets.
// Deterministic (one pass in storage order).
std::vector<double> block_sums(const CsrMatrix& a, const Margin& m);

// E, H (and T when given) must have the shape of the tables' margins. Throws ConfigError when a
// matrix does not fit a margin, or when no table is given.
CensusValidationReport validate_against_tables(const CsrMatrix& raw, const CsrMatrix& harmonized,
                                               const CsrMatrix* truth,
                                               const std::vector<CensusTable>& tables,
                                               const CensusValidationOptions& options = {});

// A held-out table read from a CSV: `origin`, `destination`, `value` columns (flows between
// areas: GEOIDs of one length, 2 state .. 12 CBG; compared with the block sums of every entry
// between those areas) or `geoid` and `value` (compared with the areas' row sums when
// `column_sums` is false, their column sums otherwise). `columns` names the CSV columns in that
// order (comma-separated; empty = the default names). Rows naming areas outside the geography
// are not compared (counted in `warnings`); a table with no row inside it is an InputError, as
// are GEOIDs of mixed lengths, duplicate keys and values that are not finite.
// With `changes`, a GEOID whose county part is a 2019 code that the (2010) geography lacks is
// read as the 2010 code that became it (02158 -> 02270, 46102 -> 46113; counted in `warnings`).
CensusTable read_held_out_table(const std::string& path, const Geography& geo,
                                const std::string& columns, bool column_sums,
                                std::vector<std::string>& warnings,
                                const CountyCodeChanges* changes = nullptr);

// Markdown: table | quantity | role | n | raw r | raw RMSE | harmonized r | harmonized RMSE |
// RMSE reduction [| truth r | truth RMSE], then the notes.
std::string to_markdown(const CensusValidationReport& report);
std::string to_json(const CensusValidationReport& report, int indent = 2);

}  // namespace flowfit::analysis

namespace flowfit::pipeline {
struct Plan;
}

namespace flowfit::analysis {

// The census tables of a plan's sources for matrix year `year`, one per stage kind that has
// targets (cbg_rows, state_nonmovers, state_flows, county_ipf): marked fitted when the plan's
// stages include that kind, held out otherwise. A fitted table that cannot be built (missing
// file, year outside the tables, a geography that covers part of a census state or county) is an
// error, as the run itself would have refused it; a held-out one is left out with a warning. The
// CBG population table is held out only when the plan names real CBG tables (not the stand-in
// derived from the county table). `geo` receives the plan's geography.
std::vector<CensusTable> census_tables_for_plan(const pipeline::Plan& plan, int year,
                                                Geography& geo, std::vector<std::string>& warnings);

}  // namespace flowfit::analysis
