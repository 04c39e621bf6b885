#pragma once
// Internal helpers of the target loaders.
#include <cstdint>
#include <string>

#include "flowfit/io/csv_table.hpp"

namespace flowfit::targets::detail {

// The field as a zero-padded FIPS code / GEOID of exactly `digits` decimal digits.
std::string fips(const io::CsvTable& table, int64_t row, int col, int digits);

}  // namespace flowfit::targets::detail
