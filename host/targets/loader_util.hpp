#pragma once
// Internal helpers of the target loaders.
#include <cstdint>
#include <string>

#include "flowfit/io/csv_table.hpp"
#include "flowfit/targets/components.hpp"

namespace flowfit::targets::detail {

// Column names of the county components in a table keyed by county_fips.
struct CountyColumns {
  std::string pop_t_minus_1, pop_t, births, deaths, intl_mig_net;
};

// One CountyComponents per row (county_fips unique, counts non-negative, net migration any sign).
CountyCensusTable read_county_components(const io::CsvTable& table, const CountyColumns& columns,
                                         int year);

// The field as a zero-padded FIPS code / GEOID of exactly `digits` decimal digits.
std::string fips(const io::CsvTable& table, int64_t row, int col, int digits);

}  // namespace flowfit::targets::detail
