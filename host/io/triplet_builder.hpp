#pragma once
// Collects (row, col, value) entries with the place each came from (a line number, or an entry
// index for binary formats) and builds a CsrMatrix with sorted columns. A repeated (row, col)
// pair is rejected with an InputError naming both places, or summed in input order.
#include <cstdint>
#include <string>
#include <vector>

#include "flowfit/csr_matrix.hpp"

namespace flowfit::io::detail {

// Throws InputError(file, line, field, ...) when `rows` or `cols` is negative or above `limit`
// (MatrixReadOptions::max_dimension; never above 2^31-1). Called before any allocation.
void check_shape_limit(const std::string& file, int64_t line, const std::string& field,
                       int64_t rows, int64_t cols, int64_t limit);

class TripletBuilder {
 public:
  // `file` and `place` ("line" or "entry") are used in error messages; `field` is the
  // InputError field of a duplicate.
  TripletBuilder(std::string file, int64_t n_rows, int64_t n_cols, std::string place,
                 std::string field);
  void reserve(std::size_t n);
  // row in [0, n_rows), col in [0, n_cols): the caller checks.
  void add(int64_t row, int32_t col, double value, int64_t place) {
    rows_.push_back(row);
    cols_.push_back(col);
    values_.push_back(value);
    places_.push_back(place);
  }
  std::size_t size() const { return rows_.size(); }
  CsrMatrix build(Duplicates duplicates);

 private:
  std::string file_;
  int64_t n_rows_;
  int64_t n_cols_;
  std::string place_;
  std::string field_;
  std::vector<int64_t> rows_;
  std::vector<int32_t> cols_;
  std::vector<double> values_;
  std::vector<int64_t> places_;
};

}  // namespace flowfit::io::detail
