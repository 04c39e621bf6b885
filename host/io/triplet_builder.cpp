#include "triplet_builder.hpp"

#include <algorithm>
#include <limits>
#include <numeric>
#include <utility>

#include "flowfit/error.hpp"

namespace flowfit::io::detail {

void check_shape_limit(const std::string& file, int64_t line, const std::string& field,
                       int64_t rows, int64_t cols, int64_t limit) {
  const int64_t cap = std::min<int64_t>(limit, std::numeric_limits<int32_t>::max());
  if (rows >= 0 && cols >= 0 && rows <= cap && cols <= cap) return;
  std::string why = "shape " + std::to_string(rows) + " x " + std::to_string(cols);
  if (rows < 0 || cols < 0) {
    why += " is negative";
  } else if (cap < std::numeric_limits<int32_t>::max()) {
    why += " exceeds the limit of " + std::to_string(cap) +
           " rows or columns (option --max-dimension, MatrixReadOptions::max_dimension; see "
           "docs/formats.md)";
  } else {
    why += " exceeds 2^31-1 rows or columns (32-bit column indices)";
  }
  throw InputError(file, line, field, why);
}

TripletBuilder::TripletBuilder(std::string file, int64_t n_rows, int64_t n_cols, std::string place,
                               std::string field)
    : file_(std::move(file)),
      n_rows_(n_rows),
      n_cols_(n_cols),
      place_(std::move(place)),
      field_(std::move(field)) {}

void TripletBuilder::reserve(std::size_t n) {
  rows_.reserve(n);
  cols_.reserve(n);
  values_.reserve(n);
  places_.reserve(n);
}

CsrMatrix TripletBuilder::build(Duplicates duplicates) {
  const std::size_t nnz = rows_.size();
  CsrMatrix m;
  m.n_rows = n_rows_;
  m.n_cols = n_cols_;
  m.row_ptr.assign(static_cast<std::size_t>(n_rows_) + 1, 0);
  for (int64_t r : rows_) ++m.row_ptr[static_cast<std::size_t>(r) + 1];
  std::partial_sum(m.row_ptr.begin(), m.row_ptr.end(), m.row_ptr.begin());

  // Stable counting sort by row: within a row, entries keep their input order.
  std::vector<int32_t> cols(nnz);
  std::vector<double> values(nnz);
  std::vector<int64_t> places(nnz);
  {
    std::vector<int64_t> next(m.row_ptr.begin(), m.row_ptr.end() - 1);
    for (std::size_t k = 0; k < nnz; ++k) {
      const auto dst = static_cast<std::size_t>(next[static_cast<std::size_t>(rows_[k])]++);
      cols[dst] = cols_[k];
      values[dst] = values_[k];
      places[dst] = places_[k];
    }
  }
  std::vector<int64_t>().swap(rows_);
  std::vector<int32_t>().swap(cols_);
  std::vector<double>().swap(values_);
  std::vector<int64_t>().swap(places_);

  // Sort each row by column (ties in input order), then reject or merge repeats.
  std::vector<std::size_t> order;
  std::vector<int32_t> tmp_cols;
  std::vector<double> tmp_values;
  std::vector<int64_t> tmp_places;
  std::size_t out = 0;
  for (int64_t r = 0; r < n_rows_; ++r) {
    const auto b = static_cast<std::size_t>(m.row_ptr[static_cast<std::size_t>(r)]);
    const auto e = static_cast<std::size_t>(m.row_ptr[static_cast<std::size_t>(r) + 1]);
    if (!std::is_sorted(cols.begin() + static_cast<std::ptrdiff_t>(b),
                        cols.begin() + static_cast<std::ptrdiff_t>(e))) {
      order.resize(e - b);
      std::iota(order.begin(), order.end(), b);
      std::stable_sort(order.begin(), order.end(),
                       [&](std::size_t x, std::size_t y) { return cols[x] < cols[y]; });
      tmp_cols.resize(e - b);
      tmp_values.resize(e - b);
      tmp_places.resize(e - b);
      for (std::size_t i = 0; i < order.size(); ++i) {
        tmp_cols[i] = cols[order[i]];
        tmp_values[i] = values[order[i]];
        tmp_places[i] = places[order[i]];
      }
      std::copy(tmp_cols.begin(), tmp_cols.end(), cols.begin() + static_cast<std::ptrdiff_t>(b));
      std::copy(tmp_values.begin(), tmp_values.end(),
                values.begin() + static_cast<std::ptrdiff_t>(b));
      std::copy(tmp_places.begin(), tmp_places.end(),
                places.begin() + static_cast<std::ptrdiff_t>(b));
    }
    const std::size_t row_start = out;
    for (std::size_t k = b; k < e; ++k) {
      if (out > row_start && cols[out - 1] == cols[k]) {
        if (duplicates == Duplicates::reject) {
          // Name the later place as the error's line, the earlier one in the reason.
          const int64_t first = std::min(places[out - 1], places[k]);
          const int64_t second = std::max(places[out - 1], places[k]);
          const bool is_line = place_ == "line";
          throw InputError(file_, is_line ? second : 0, field_,
                           "duplicate entry (row " + std::to_string(r + 1) + ", col " +
                               std::to_string(cols[k] + 1) + ") on " + place_ + " " +
                               std::to_string(first) + " and " + place_ + " " +
                               std::to_string(second));
        }
        values[out - 1] += values[k];
        continue;
      }
      cols[out] = cols[k];
      values[out] = values[k];
      places[out] = places[k];
      ++out;
    }
    m.row_ptr[static_cast<std::size_t>(r)] = static_cast<int64_t>(row_start);
  }
  m.row_ptr[static_cast<std::size_t>(n_rows_)] = static_cast<int64_t>(out);
  cols.resize(out);
  values.resize(out);
  m.col_idx = std::move(cols);
  m.values = std::move(values);
  return m;
}

}  // namespace flowfit::io::detail
