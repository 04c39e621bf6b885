// E = Gᵀ (A − diag A) G + diag(Gᵀ diag A): movers are spread over the units of their origin and
// destination addresses, stayers stay on the diagonal (docs/method.md, section 1).
#include <string>

#include "flowfit/assembly.hpp"
#include "flowfit/error.hpp"
#include "host/assembly/row_accumulator.hpp"

namespace flowfit::assembly {
namespace {

// A without its stored diagonal, and the diagonal as (present, value) per row.
struct SplitDiagonal {
  CsrMatrix off;
  std::vector<uint8_t> has_diag;
  std::vector<double> diag;
  int64_t n_diag = 0;
};

SplitDiagonal split_diagonal(const CsrMatrix& a) {
  SplitDiagonal s;
  s.off.n_rows = a.n_rows;
  s.off.n_cols = a.n_cols;
  s.off.row_ptr.assign(static_cast<size_t>(a.n_rows + 1), 0);
  s.off.col_idx.reserve(a.col_idx.size());
  s.off.values.reserve(a.values.size());
  s.has_diag.assign(static_cast<size_t>(a.n_rows), 0);
  s.diag.assign(static_cast<size_t>(a.n_rows), 0.0);
  for (int64_t i = 0; i < a.n_rows; ++i) {
    for (int64_t e = a.row_ptr[i]; e < a.row_ptr[i + 1]; ++e) {
      if (a.col_idx[e] == i) {
        s.has_diag[i] = 1;
        s.diag[i] = a.values[e];
        ++s.n_diag;
      } else {
        s.off.col_idx.push_back(a.col_idx[e]);
        s.off.values.push_back(a.values[e]);
      }
    }
    s.off.row_ptr[i + 1] = static_cast<int64_t>(s.off.col_idx.size());
  }
  return s;
}

}  // namespace

void check_assembly_shapes(const CsrMatrix& a, const CsrMatrix& g) {
  if (!a.is_square())
    throw ConfigError("shape", "address flows must be square, got " + std::to_string(a.n_rows) +
                                   " x " + std::to_string(a.n_cols));
  if (g.n_rows != a.n_rows)
    throw ConfigError("shape", "the crosswalk has " + std::to_string(g.n_rows) +
                                   " address rows but the flow matrix has " +
                                   std::to_string(a.n_rows) + " addresses");
}

CsrMatrix assemble_flows(const CsrMatrix& address_flows, const CsrMatrix& crosswalk,
                         AssemblyStats* stats) {
  const CsrMatrix& a = address_flows;
  const CsrMatrix& g = crosswalk;
  check_assembly_shapes(a, g);

  const SplitDiagonal split = split_diagonal(a);
  const CsrMatrix gt = transpose(g);              // units x addresses
  const CsrMatrix movers = spgemm(split.off, g);  // addresses x units
  const CsrMatrix& b = movers;

  // Row k of E: Gᵀ[k,:] · movers, plus the stayers of the addresses in unit k on the diagonal.
  CsrMatrix e =
      detail::build_rows(gt.n_rows, g.n_cols, [&](int64_t k, detail::SparseAccumulator& acc) {
        for (int64_t p = gt.row_ptr[k]; p < gt.row_ptr[k + 1]; ++p) {
          const int64_t i = gt.col_idx[p];
          const double gik = gt.values[p];
          for (int64_t f = b.row_ptr[i]; f < b.row_ptr[i + 1]; ++f)
            acc.add(b.col_idx[f], gik * b.values[f]);
        }
        // Stayers last: the diagonal sum is movers-within-unit + stayers, in that order.
        for (int64_t p = gt.row_ptr[k]; p < gt.row_ptr[k + 1]; ++p) {
          const int64_t i = gt.col_idx[p];
          if (split.has_diag[i]) acc.add(static_cast<int32_t>(k), gt.values[p] * split.diag[i]);
        }
      });

  if (stats) {
    stats->addresses = a.n_rows;
    stats->units = g.n_cols;
    stats->a_nonzeros = a.nnz();
    stats->a_diagonal = split.n_diag;
    stats->crosswalk_nonzeros = g.nnz();
    stats->unmapped_addresses = 0;
    for (int64_t i = 0; i < g.n_rows; ++i)
      if (g.row_ptr[i + 1] == g.row_ptr[i]) ++stats->unmapped_addresses;
    stats->a_total = total(a);
    stats->e_total = total(e);
  }
  return e;
}

}  // namespace flowfit::assembly
