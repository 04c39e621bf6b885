#pragma once
// Margins of an ad-hoc stage (`flowfit fit`, library callers) from a margin spec: how rows and
// columns are grouped, which entries count, and a targets CSV with columns
// group[,col_group],target.
#include <cstdint>
#include <string>

#include "flowfit/geography.hpp"
#include "flowfit/margin.hpp"

namespace flowfit::targets {

struct MarginArgs {
  std::string name;
  std::string rows = "none";  // state | county | tract | cbg | none
  std::string cols = "none";
  std::string row_mapping;  // CSV unit -> group (instead of rows)
  std::string col_mapping;
  std::string entries = "all";  // all | diagonal | off_diagonal
  std::string targets;          // CSV: group[,col_group],target
};

// "rows=county,cols=none,entries=all,targets=t.csv[,name=x][,row_mapping=f][,col_mapping=f]".
// Throws ConfigError("--margin", ...) naming the bad key.
MarginArgs parse_margin_spec(const std::string& text);

struct MarginContext {
  const Geography* geography = nullptr;
  std::string geography_file;
  int64_t n_rows = 0, n_cols = 0;
  std::string mapping_unit_column = "cbg_geoid";
  std::string mapping_group_column = "group";
  bool allow_missing_targets = false;
};

// Builds the margin. Target tables are checked line by line: unknown groups, repeated groups,
// missing columns and bad numbers are InputErrors naming the file, line and column. A one-sided
// margin needs a target for every group unless allow_missing_targets (then a group without a
// target is left unchanged); a two-sided margin leaves blocks without a target unchanged.
Margin build_margin(const MarginArgs& args, const MarginContext& context, int index);

}  // namespace flowfit::targets
