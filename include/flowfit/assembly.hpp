#pragma once
// Host-side sparse algebra for building and summarizing flow matrices: the CPU SpGEMM behind
// assembly (docs/method.md, section 1), E = Gᵀ (A − diag A) G + diag(Gᵀ diag A), and aggregation of
// a flow matrix to coarser groups (tracts, counties, states, any mapping).
//
// Every function here is deterministic: each output row is computed by one thread, summing its
// terms in ascending input order, so results are bit-identical for any number of OpenMP threads.
// Structural entries are kept (an entry whose terms cancel to 0.0 stays stored).
#include <cstdint>

#include "flowfit/csr_matrix.hpp"
#include "flowfit/geography.hpp"

namespace flowfit::assembly {

// The transpose, with sorted column indices.
CsrMatrix transpose(const CsrMatrix& m);

// C = A · B. Throws ConfigError("shape", ...) when A's columns differ from B's rows, and
// flowfit::Error when C would have more than 2^31 - 1 columns.
CsrMatrix spgemm(const CsrMatrix& a, const CsrMatrix& b);

struct AssemblyStats {
  int64_t addresses = 0;  // rows (and columns) of A
  int64_t units = 0;      // columns of G: the units (CBGs) of E
  int64_t a_nonzeros = 0;
  int64_t a_diagonal = 0;  // stored diagonal entries of A (stayers)
  int64_t crosswalk_nonzeros = 0;
  int64_t unmapped_addresses = 0;  // rows of G without any stored weight (their flows vanish)
  double a_total = 0;
  double e_total = 0;
};

// E = Gᵀ (A − diag A) G + diag(Gᵀ diag A) for address flows A (n x n) and a crosswalk G (n x m,
// row i = the distribution of address i over the m units). Throws ConfigError("shape", ...) on
// mismatched shapes. `stats`, when given, receives the figures above.
// Throws ConfigError (key "shape") unless the address flows are square and the crosswalk has
// one row per address: the shape rule of assemble_flows and assemble_flows_cuda.
void check_assembly_shapes(const CsrMatrix& address_flows, const CsrMatrix& crosswalk);

CsrMatrix assemble_flows(const CsrMatrix& address_flows, const CsrMatrix& crosswalk,
                         AssemblyStats* stats = nullptr);

struct AggregationStats {
  int64_t dropped_rows = 0;     // units without a row group (their entries are dropped)
  int64_t dropped_cols = 0;     // units without a column group
  int64_t dropped_entries = 0;  // stored entries in a dropped row or column
  double dropped_total = 0;     // their sum
};

// F[g, h] = sum of m[i, j] over rows i in group g and columns j in group h. Units in no group
// (group -1) are dropped and counted. Throws ConfigError("grouping", ...) when a grouping does
// not have one unit per row (column) of m.
CsrMatrix aggregate(const CsrMatrix& m, const Grouping& rows, const Grouping& cols,
                    AggregationStats* stats = nullptr);

}  // namespace flowfit::assembly
