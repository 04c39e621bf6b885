#include "tools/flowfit/matrix_compare.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include <fmt/format.h>

#include "flowfit/error.hpp"

namespace flowfit::cli {
namespace {

void note(DiffStats& s, double a, double b, int64_t index) {
  const double abs = std::fabs(a - b);
  const double rel = relative_difference(a, b);
  s.max_abs = std::max(s.max_abs, abs);
  if (s.worst_index < 0 || rel > s.max_rel) {
    s.max_rel = rel;
    s.worst_index = index;
  }
}

DiffStats compare_vectors(const std::vector<double>& a, const std::vector<double>& b) {
  DiffStats s;
  for (size_t i = 0; i < a.size(); ++i) note(s, a[i], b[i], static_cast<int64_t>(i));
  return s;
}

// Pearson correlation by running sums of deviations (Welford), stable for large totals.
class Pearson {
 public:
  void add(double x, double y) {
    ++n_;
    const double dx = x - mx_;
    mx_ += dx / static_cast<double>(n_);
    const double dy = y - my_;
    my_ += dy / static_cast<double>(n_);
    sxx_ += dx * (x - mx_);
    syy_ += dy * (y - my_);
    sxy_ += dx * (y - my_);
  }
  double r() const {
    if (n_ < 2 || sxx_ <= 0 || syy_ <= 0) return std::numeric_limits<double>::quiet_NaN();
    return sxy_ / std::sqrt(sxx_ * syy_);
  }

 private:
  int64_t n_ = 0;
  double mx_ = 0, my_ = 0, sxx_ = 0, syy_ = 0, sxy_ = 0;
};

}  // namespace

double relative_difference(double a, double b) {
  const double scale = std::max(std::fabs(a), std::fabs(b));
  const double diff = std::fabs(a - b);
  return scale < 1.0 ? diff : diff / scale;
}

MatrixComparison compare_matrices(const CsrMatrix& a, const CsrMatrix& b, const std::string& file_a,
                                  const std::string& file_b) {
  if (a.n_rows != b.n_rows || a.n_cols != b.n_cols)
    throw InputError(file_b, 0, "shape",
                     fmt::format("the matrix is {} x {} but {} is {} x {}; only matrices of the "
                                 "same shape can be compared",
                                 b.n_rows, b.n_cols, file_a, a.n_rows, a.n_cols));
  MatrixComparison c;
  c.n_cols = a.n_cols;
  Pearson pearson;
  for (int64_t i = 0; i < a.n_rows; ++i) {
    int64_t p = a.row_ptr[i], q = b.row_ptr[i];
    const int64_t pe = a.row_ptr[i + 1], qe = b.row_ptr[i + 1];
    // Merge the two sorted rows: the union of the patterns, missing entries read as 0.
    while (p < pe || q < qe) {
      const int32_t ca = p < pe ? a.col_idx[p] : std::numeric_limits<int32_t>::max();
      const int32_t cb = q < qe ? b.col_idx[q] : std::numeric_limits<int32_t>::max();
      double va = 0, vb = 0;
      int32_t col = 0;
      if (ca == cb) {
        col = ca, va = a.values[p++], vb = b.values[q++];
      } else if (ca < cb) {
        col = ca, va = a.values[p++], ++c.only_in_a;
      } else {
        col = cb, vb = b.values[q++], ++c.only_in_b;
      }
      ++c.union_entries;
      note(c.entries, va, vb, i * a.n_cols + col);
      pearson.add(va, vb);
    }
  }
  c.pearson_r = pearson.r();
  c.row_sums = compare_vectors(row_sums(a), row_sums(b));
  c.col_sums = compare_vectors(col_sums(a), col_sums(b));
  if (a.is_square()) c.diagonal = compare_vectors(diagonal(a), diagonal(b));
  c.total_a = total(a);
  c.total_b = total(b);
  return c;
}

nlohmann::json to_json(const MatrixComparison& c) {
  auto diff = [&](const DiffStats& s, bool entry) {
    nlohmann::json j{{"max_abs", s.max_abs}, {"max_rel", s.max_rel}};
    if (entry && s.worst_index >= 0)
      j["worst"] = {{"row", s.worst_index / std::max<int64_t>(c.n_cols, 1)},
                    {"col", s.worst_index % std::max<int64_t>(c.n_cols, 1)}};
    else if (s.worst_index >= 0)
      j["worst"] = s.worst_index;
    return j;
  };
  return nlohmann::json{
      {"union_entries", c.union_entries},
      {"only_in_a", c.only_in_a},
      {"only_in_b", c.only_in_b},
      {"entries", diff(c.entries, true)},
      {"row_sums", diff(c.row_sums, false)},
      {"col_sums", diff(c.col_sums, false)},
      {"diagonal", diff(c.diagonal, false)},
      {"total_a", c.total_a},
      {"total_b", c.total_b},
      {"pearson_r", std::isnan(c.pearson_r) ? nlohmann::json() : nlohmann::json(c.pearson_r)}};
}

}  // namespace flowfit::cli
