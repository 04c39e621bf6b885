#pragma once
// An independent, deliberately plain implementation of staged IPF on the full matrix, written
// from SPEC.md without any engine code: the oracle the engine is checked against.
#include <vector>

#include "flowfit/csr_matrix.hpp"
#include "flowfit/stage.hpp"

namespace flowfit::testing {

struct OracleSweep {
  double l1_change = 0;         // sum |E_end - E_start| over the sweep
  std::vector<double> step_l1;  // per margin
};

// Applies `sweeps` sweeps of the stage's margins to m (in place); returns one record per sweep.
std::vector<OracleSweep> naive_ipf(CsrMatrix& m, const Stage& stage, int sweeps);

// Block sums of one margin on the full matrix.
std::vector<double> naive_block_sums(const CsrMatrix& m, const Margin& margin);

// max over entries of |a - b| / max(|b|, floor): relative difference with an absolute floor.
double max_rel_diff(const CsrMatrix& a, const CsrMatrix& b, double floor = 1e-300);

}  // namespace flowfit::testing
