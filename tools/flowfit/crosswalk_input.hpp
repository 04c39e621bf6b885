#pragma once
// Address -> unit crosswalks for `flowfit assemble`: a CSV (address_id, cbg_geoid, weight), one
// row per stored weight, read into the n_addresses x n_units matrix G.
#include <cstdint>
#include <filesystem>
#include <string>

#include "flowfit/csr_matrix.hpp"
#include "flowfit/geography.hpp"

namespace flowfit::cli {

struct CrosswalkColumns {
  std::string address = "address_id";
  std::string unit = "cbg_geoid";
  std::string weight = "weight";
};

struct Crosswalk {
  CsrMatrix g;
  Geography units;  // the columns of g
};

// `addresses` (optional) gives the address ids in matrix order; without it address_id is the
// 0-based row index of the flow matrix. `units` (optional) fixes the unit order; without it the
// units are the distinct GEOIDs of the file, sorted. Every problem is an InputError naming the
// line and the column: unknown address or GEOID, index out of range, negative or non-numeric
// weight, an (address, unit) pair listed twice.
Crosswalk read_crosswalk_csv(const std::filesystem::path& path, int64_t n_addresses,
                             const Geography* addresses, const std::string& addresses_file,
                             const Geography* units, const std::string& units_file,
                             const CrosswalkColumns& columns = {});

// Rows of g whose weights do not sum to 1 within `tolerance` (rows without weights excluded).
struct RowSumCheck {
  int64_t off_rows = 0;
  int64_t first_off_row = -1;
  double first_off_sum = 0;
  int64_t empty_rows = 0;
};
RowSumCheck check_row_sums(const CsrMatrix& g, double tolerance = 1e-9);

}  // namespace flowfit::cli
