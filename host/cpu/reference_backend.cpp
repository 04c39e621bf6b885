// The serial reference backend: the plainest correct implementation of every kernel, used as the
// test oracle for the other backends. Its quotient engine keeps explicit cell values and
// multiplies them step by step, as the naive method does on the full matrix.
#include <algorithm>
#include <cmath>

#include "host/core/block_arithmetic.hpp"
#include "host/core/plain_sweeps.hpp"
#include "host/cpu/host_resident.hpp"

namespace flowfit {
namespace {

using cpu::host_matrix;

class ReferenceQuotientEngine final : public QuotientEngine {
 public:
  explicit ReferenceQuotientEngine(const QuotientProblem& p)
      : problem_(p), q_(p.cell_values), cum_(p.cell_values.size(), 1.0) {}

  SweepReport run_sweeps(int max_sweeps, std::optional<double> l1_stop,
                         bool measure_last) override {
    return detail::plain_sweeps(
        problem_.margins.size(), max_sweeps, l1_stop, measure_last, [&] { return q_; },
        [&](size_t k) { return step(problem_.margins[k]); },
        [&](const std::vector<double>& start) {
          double l1 = 0;
          for (size_t c = 0; c < q_.size(); ++c) l1 += std::fabs(q_[c] - start[c]);
          return l1;
        });
  }

  std::vector<std::vector<double>> block_sums() override {
    std::vector<std::vector<double>> out;
    for (const auto& m : problem_.margins) out.push_back(sums(m));
    return out;
  }

  std::vector<double> cell_factors() override { return cum_; }

 private:
  std::vector<double> sums(const QuotientMarginSpec& m) const {
    return detail::sum_into_blocks(q_, m.block_of_cell, m.n_blocks);
  }

  double step(const QuotientMarginSpec& m) {
    std::vector<double> f;
    const double l1 = detail::block_factors(sums(m), m.targets, f);
    for (size_t c = 0; c < q_.size(); ++c) {
      const int32_t b = m.block_of_cell[c];
      if (b < 0) continue;
      q_[c] *= f[b];
      cum_[c] *= f[b];
    }
    return l1;
  }

  QuotientProblem problem_;
  std::vector<double> q_;
  std::vector<double> cum_;
};

class ReferenceBackend final : public cpu::HostResidentBackend {
 public:
  BackendKind kind() const override { return BackendKind::reference; }
  std::string name() const override { return "reference"; }

 protected:
  std::unique_ptr<CellAssignment> do_assign_cells(const ResidentMatrix& rm,
                                                  const CellLayout& layout) override {
    const CsrMatrix& m = host_matrix(rm);
    const CellKeyCodec codec = layout.key_codec();
    std::vector<uint64_t> key(m.nnz());
    for (int64_t i = 0; i < m.n_rows; ++i)
      for (int64_t e = m.row_ptr[i]; e < m.row_ptr[i + 1]; ++e) {
        const int32_t j = m.col_idx[e];
        key[e] = static_cast<uint64_t>(
            codec.key(layout.row_cell_of_row[i], layout.col_cell_of_col[j], codec.diagonal(i, j)));
      }
    std::vector<uint64_t> distinct = key;
    std::sort(distinct.begin(), distinct.end());
    distinct.erase(std::unique(distinct.begin(), distinct.end()), distinct.end());
    std::vector<int32_t> ids(m.nnz());
    for (int64_t e = 0; e < m.nnz(); ++e)
      ids[e] = static_cast<int32_t>(std::lower_bound(distinct.begin(), distinct.end(), key[e]) -
                                    distinct.begin());
    return std::make_unique<cpu::HostCells>(cell_table_from_keys(distinct, codec), std::move(ids));
  }

  std::vector<double> do_reduce_by_cell(const ResidentMatrix& rm,
                                        const CellAssignment& cells) override {
    const CsrMatrix& m = host_matrix(rm);
    const auto& ids = cpu::host_cell_ids_for(cells);
    std::vector<double> q(cells.n_cells(), 0.0);
    for (int64_t e = 0; e < m.nnz(); ++e) q[ids[e]] += m.values[e];
    return q;
  }

  void do_scale_by_cell(ResidentMatrix& rm, const CellAssignment& cells,
                        std::span<const double> factor) override {
    CsrMatrix& m = host_matrix(rm);
    const auto& ids = cpu::host_cell_ids_for(cells);
    for (int64_t e = 0; e < m.nnz(); ++e) m.values[e] *= factor[ids[e]];
  }

  double do_l1_distance(const ResidentMatrix& a, const ResidentMatrix& b) override {
    const CsrMatrix& x = host_matrix(a);
    const CsrMatrix& y = host_matrix(b);
    double s = 0;
    for (int64_t e = 0; e < x.nnz(); ++e) s += std::fabs(x.values[e] - y.values[e]);
    return s;
  }

  std::unique_ptr<QuotientEngine> do_make_quotient_engine(const QuotientProblem& p) override {
    return std::make_unique<ReferenceQuotientEngine>(p);
  }
};

}  // namespace

std::unique_ptr<Backend> make_reference_backend() {
  return std::make_unique<ReferenceBackend>();
}

}  // namespace flowfit
