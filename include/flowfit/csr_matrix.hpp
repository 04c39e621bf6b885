#pragma once
// Sparse matrices in compressed sparse row form: 64-bit row offsets, 32-bit column indices and
// float64 values (12 bytes per nonzero). Column indices are sorted and unique within each row.
#include <cstdint>
#include <span>
#include <type_traits>
#include <vector>

namespace flowfit {

struct CsrMatrix {
  int64_t n_rows = 0;
  int64_t n_cols = 0;
  std::vector<int64_t> row_ptr{0};  // n_rows + 1 offsets into col_idx / values
  std::vector<int32_t> col_idx;
  std::vector<double> values;

  int64_t nnz() const { return static_cast<int64_t>(col_idx.size()); }
  bool is_square() const { return n_rows == n_cols; }
  // Throws flowfit::Error when offsets, indices or sizes are inconsistent.
  void validate() const;
  // Bytes held by the three arrays.
  int64_t storage_bytes() const;
};

// Non-owning view of CSR storage; V is double (mutable values) or const double.
template <class V>
struct CsrViewT {
  int64_t n_rows = 0;
  int64_t n_cols = 0;
  std::span<const int64_t> row_ptr;
  std::span<const int32_t> col_idx;
  std::span<V> values;
  int64_t nnz() const { return static_cast<int64_t>(col_idx.size()); }
  // A mutable view is also a read-only one.
  template <class W>
  requires(std::is_const_v<W> && !std::is_const_v<V>) operator CsrViewT<W>() const {
    return {n_rows, n_cols, row_ptr, col_idx, values};
  }
};
using CsrView = CsrViewT<double>;
using ConstCsrView = CsrViewT<const double>;

inline CsrView view(CsrMatrix& m) {
  return {m.n_rows, m.n_cols, m.row_ptr, m.col_idx, m.values};
}
inline ConstCsrView view(const CsrMatrix& m) {
  return {m.n_rows, m.n_cols, m.row_ptr, m.col_idx, m.values};
}
// Throws flowfit::Error when offsets, indices or sizes are inconsistent (CsrMatrix::validate).
void validate(ConstCsrView m);

// What to do when a (row, column) pair occurs more than once in triplet input.
enum class Duplicates { sum, reject };

// Builds a CSR matrix from coordinate triplets (any order). With Duplicates::reject a repeated
// pair throws flowfit::Error naming the pair and the positions of both occurrences.
CsrMatrix csr_from_triplets(int64_t n_rows, int64_t n_cols, std::span<const int64_t> rows,
                            std::span<const int64_t> cols, std::span<const double> values,
                            Duplicates duplicates = Duplicates::reject);

// Simple whole-matrix queries (host, deterministic order).
std::vector<double> row_sums(const CsrMatrix& m);
std::vector<double> col_sums(const CsrMatrix& m);
std::vector<double> diagonal(const CsrMatrix& m);
double total(const CsrMatrix& m);

// Stage 0 of the reference pipeline: every diagonal entry becomes max(value, minimum); missing
// diagonal entries are inserted with value `minimum`. Returns the number of entries inserted.
int64_t clip_diagonal(CsrMatrix& m, double minimum = 1.0);

}  // namespace flowfit
