#pragma once
// A five-CBG example shared by the analysis tests (values chosen to be checked by hand):
//   u0 010010001001  u1 010010001002  (tract 01001000100, county 01001, state 01)
//   u2 010010002001                   (tract 01001000200, county 01001)
//   u3 010030001001                   (county 01003, state 01)
//   u4 020010001001                   (county 02001, state 02)
#include <cstdint>
#include <vector>

#include "flowfit/csr_matrix.hpp"
#include "flowfit/geography.hpp"

namespace flowfit::testing {

inline CsrMatrix dense_matrix(const std::vector<std::vector<double>>& rows) {
  std::vector<int64_t> r, c;
  std::vector<double> v;
  for (size_t i = 0; i < rows.size(); ++i)
    for (size_t j = 0; j < rows[i].size(); ++j)
      if (rows[i][j] != 0) {
        r.push_back(static_cast<int64_t>(i));
        c.push_back(static_cast<int64_t>(j));
        v.push_back(rows[i][j]);
      }
  return csr_from_triplets(static_cast<int64_t>(rows.size()), static_cast<int64_t>(rows[0].size()),
                           r, c, v);
}

inline Geography five_cbgs() {
  return Geography(
      {"010010001001", "010010001002", "010010002001", "010030001001", "020010001001"});
}

// Row sums 60, 40, 30, 50, 100; column sums 55, 35, 23, 52, 115.
inline CsrMatrix five_flows() {
  return dense_matrix(
      {{50, 5, 3, 2, 0}, {4, 30, 0, 0, 6}, {0, 0, 20, 10, 0}, {1, 0, 0, 40, 9}, {0, 0, 0, 0, 100}});
}

// A four-CBG example of a synthetic-truth validation (total 113 in each matrix): the truth T, the
// observed E (two entries changed, same total) and a harmonized H ((1,3) moved to (1,2)).
inline Geography four_cbgs() {
  return Geography({"010010001001", "010010001002", "010030002001", "020010003001"});
}
inline CsrMatrix four_truth() {
  return dense_matrix({{10, 2, 1, 0}, {1, 20, 0, 3}, {0, 2, 30, 0}, {4, 0, 0, 40}});
}
inline CsrMatrix four_raw() {
  return dense_matrix({{6, 2, 1, 0}, {1, 20, 0, 3}, {0, 2, 30, 0}, {8, 0, 0, 40}});
}
inline CsrMatrix four_harmonized() {
  return dense_matrix({{10, 2, 1, 0}, {1, 20, 3, 0}, {0, 2, 30, 0}, {4, 0, 0, 40}});
}

}  // namespace flowfit::testing
