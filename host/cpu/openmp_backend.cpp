// The OpenMP backend: the CPU production backend. Deterministic for any thread count.
#include <algorithm>
#include <cmath>

#include <omp.h>

#include "host/cpu/openmp_kernels.hpp"
#include "host/cpu/parallel_for.hpp"

namespace flowfit {
namespace {

using cpu::host_matrix;

constexpr int64_t kEntryChunk = 1 << 16;  // fixed reduction chunk for l1_distance

class OpenMpBackend final : public cpu::HostResidentBackend {
 public:
  explicit OpenMpBackend(int threads) : threads_(threads > 0 ? threads : omp_get_max_threads()) {}

  BackendKind kind() const override { return BackendKind::openmp; }
  std::string name() const override {
    return "openmp (" + std::to_string(threads_) + (threads_ == 1 ? " thread)" : " threads)");
  }

 protected:
  std::unique_ptr<CellAssignment> do_assign_cells(const ResidentMatrix& m,
                                                  const CellLayout& layout) override {
    return cpu::openmp_assign_cells(host_matrix(m), layout, threads_);
  }

  std::vector<double> do_reduce_by_cell(const ResidentMatrix& m,
                                        const CellAssignment& cells) override {
    return cpu::openmp_reduce_by_cell(host_matrix(m), cpu::host_cells_for(cells), threads_);
  }

  void do_scale_by_cell(ResidentMatrix& m, const CellAssignment& cells,
                        std::span<const double> factor) override {
    cpu::openmp_scale_by_cell(host_matrix(m), cpu::host_cells_for(cells), factor, threads_);
  }

  double do_l1_distance(const ResidentMatrix& a, const ResidentMatrix& b) override {
    const CsrMatrix& x = host_matrix(a);
    const CsrMatrix& y = host_matrix(b);
    const int64_t n_chunks = (x.nnz() + kEntryChunk - 1) / kEntryChunk;
    std::vector<double> parts(n_chunks, 0.0);
    cpu::parallel_for(n_chunks, x.nnz() >= cpu::kParallelThreshold, threads_, cpu::Schedule::fixed,
                      [&](int64_t ch) {
                        double s = 0;
                        const int64_t last = std::min(x.nnz(), (ch + 1) * kEntryChunk);
                        for (int64_t e = ch * kEntryChunk; e < last; ++e)
                          s += std::fabs(x.values[e] - y.values[e]);
                        parts[ch] = s;
                      });
    double s = 0;
    for (double p : parts) s += p;
    return s;
  }

  std::unique_ptr<QuotientEngine> do_make_quotient_engine(const QuotientProblem& p) override {
    return cpu::make_openmp_quotient_engine(p, threads_);
  }

 private:
  int threads_;
};

}  // namespace

std::unique_ptr<Backend> make_openmp_backend(int threads) {
  return std::make_unique<OpenMpBackend>(threads);
}

}  // namespace flowfit
