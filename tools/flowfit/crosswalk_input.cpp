#include "tools/flowfit/crosswalk_input.hpp"

#include <cmath>
#include <set>

#include <fmt/format.h>

#include "flowfit/io/csv_table.hpp"

namespace flowfit::cli {

Crosswalk read_crosswalk_csv(const std::filesystem::path& path, int64_t n_addresses,
                             const Geography* addresses, const std::string& addresses_file,
                             const Geography* units, const std::string& units_file,
                             const CrosswalkColumns& columns) {
  const io::CsvTable t = io::CsvTable::read(path);
  const int ca = t.column(columns.address), cu = t.column(columns.unit),
            cw = t.column(columns.weight);
  const int key[] = {ca, cu};
  t.check_unique(std::span<const int>(key));

  Crosswalk out;
  if (units) {
    out.units = *units;
  } else {
    std::set<std::string> seen;
    for (int64_t r = 0; r < t.n_rows(); ++r) {
      if (t.field(r, cu).empty()) t.fail(r, cu, "empty GEOID");
      seen.emplace(t.field(r, cu));
    }
    out.units = Geography(std::vector<std::string>(seen.begin(), seen.end()));
  }

  std::vector<int64_t> rows, cols;
  std::vector<double> weights;
  rows.reserve(static_cast<size_t>(t.n_rows()));
  cols.reserve(static_cast<size_t>(t.n_rows()));
  weights.reserve(static_cast<size_t>(t.n_rows()));
  for (int64_t r = 0; r < t.n_rows(); ++r) {
    int64_t row = 0;
    if (addresses) {
      auto found = addresses->find(t.field(r, ca));
      if (!found)
        t.fail(r, ca,
               fmt::format("unknown address id '{}' (not in {})", t.field(r, ca), addresses_file));
      row = *found;
    } else {
      row = t.integer(r, ca, io::NumberRule::non_negative);
      if (row >= n_addresses)
        t.fail(r, ca,
               fmt::format("address index {} is outside the {} addresses of the flow "
                           "matrix (0-based; give --addresses FILE for address ids)",
                           row, n_addresses));
    }
    auto unit = out.units.find(t.field(r, cu));
    if (!unit)
      t.fail(r, cu,
             fmt::format("unknown GEOID '{}' (not a unit of {})", t.field(r, cu), units_file));
    rows.push_back(row);
    cols.push_back(*unit);
    weights.push_back(t.number(r, cw, io::NumberRule::non_negative));
  }
  out.g = csr_from_triplets(n_addresses, out.units.size(), rows, cols, weights);
  return out;
}

RowSumCheck check_row_sums(const CsrMatrix& g, double tolerance) {
  RowSumCheck c;
  for (int64_t i = 0; i < g.n_rows; ++i) {
    if (g.row_ptr[i] == g.row_ptr[i + 1]) {
      ++c.empty_rows;
      continue;
    }
    double s = 0;
    for (int64_t e = g.row_ptr[i]; e < g.row_ptr[i + 1]; ++e) s += g.values[e];
    if (std::fabs(s - 1.0) > tolerance) {
      if (c.off_rows++ == 0) {
        c.first_off_row = i;
        c.first_off_sum = s;
      }
    }
  }
  return c;
}

}  // namespace flowfit::cli
