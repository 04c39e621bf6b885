#pragma once
// The "pieces" aggregate of the CUDA backend (reduce_by_cell without a sort; docs/cuda_backend.md):
// the piece plan, built on the host, and the pure index and ordering functions its kernels use.
// Plain C++ (host and device): tests/unit/cuda_aggregate_plan_test.cpp checks the plan and a host
// emulation of the kernels' exact summation order on the CPU; on a device the kernels must give
// the emulation's results bit for bit.
//
// Entries of the rows of one row cell only have cells of that row cell, and those cells have
// consecutive ids [cell_begin, cell_begin + n_cells). A piece is a contiguous range of at most
// kPieceEntries CSR entries whose rows all have one row cell; one warp sums a piece into a
// shared-memory accumulator of n_cells doubles, 32 consecutive entries per step: within a step,
// runs of equal cells are summed by a segmented scan (fixed tree), and the run ends add into the
// accumulator in lane order. A piece writes its n_cells sums (its partials); a cell's sum is its
// row cell's partials added in piece order (a warp, fixed lane stride, fixed tree).
#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#if defined(__CUDACC__)
#define FLOWFIT_HD __host__ __device__ __forceinline__
#else
#define FLOWFIT_HD inline
#endif

namespace flowfit::cuda {

constexpr int64_t kPieceEntries = 65536;   // entries per piece: fixed, not a function of the device
constexpr int32_t kMaxPieceSlots = 12288;  // cells per row cell at most (96 KB of accumulators)

// One piece: entries [lo, hi), cells [cell_begin, cell_begin + n_cells), partials from `partial`.
struct Piece {
  int64_t lo = 0;
  int64_t hi = 0;
  int64_t partial = 0;
  int32_t cell_begin = 0;
  int32_t n_cells = 0;
};

struct AggregatePlan {
  bool usable = false;
  std::string why_not;                 // when not usable: why the sort path is taken
  int32_t max_cells = 0;               // accumulator slots per warp (largest n_cells of a row cell)
  std::vector<Piece> pieces;           // by row cell, ascending; within a row cell in entry order
  std::vector<int32_t> rc_cell_begin;  // n_row_cells + 1
  std::vector<int32_t> rc_piece_begin;  // n_row_cells + 1
  std::vector<int32_t> cell_row_cell;   // n_cells
  int64_t n_partials = 0;
};

// The plan for a matrix's row offsets, its rows' row cells and the cell table's row cell per cell
// (ascending, as CellTable orders cells). Not usable when a row cell has more than kMaxPieceSlots
// cells or the partials would exceed max_partials doubles (rows of a row cell scattered in many
// short runs).
inline AggregatePlan make_aggregate_plan(const std::vector<int64_t>& row_ptr,
                                         const std::vector<int32_t>& row_cell_of_row,
                                         int32_t n_row_cells,
                                         const std::vector<int32_t>& cell_row_cell,
                                         int64_t max_partials) {
  AggregatePlan p;
  p.cell_row_cell = cell_row_cell;
  const size_t n_rc = static_cast<size_t>(std::max(n_row_cells, 0));
  p.rc_cell_begin.assign(n_rc + 1, 0);
  for (int32_t rc : cell_row_cell) ++p.rc_cell_begin[static_cast<size_t>(rc) + 1];
  for (size_t r = 0; r < n_rc; ++r) {
    p.max_cells = std::max(p.max_cells, p.rc_cell_begin[r + 1]);
    p.rc_cell_begin[r + 1] += p.rc_cell_begin[r];
  }
  if (p.max_cells > kMaxPieceSlots) {
    p.why_not = "a row cell has " + std::to_string(p.max_cells) + " cells, more than " +
                std::to_string(kMaxPieceSlots) + " accumulator slots";
    return p;
  }
  // Maximal runs of consecutive non-empty rows of one row cell, cut into pieces, bucketed by row
  // cell (a stable counting sort keeps each row cell's pieces in entry order).
  std::vector<std::vector<Piece>> by_rc(n_rc);
  const int64_t n_rows = static_cast<int64_t>(row_ptr.size()) - 1;
  int64_t i = 0;
  while (i < n_rows) {
    if (row_ptr[i + 1] == row_ptr[i]) {
      ++i;
      continue;
    }
    const int32_t rc = row_cell_of_row[static_cast<size_t>(i)];
    const int64_t lo = row_ptr[i];
    int64_t j = i + 1;
    while (j < n_rows &&
           (row_ptr[j + 1] == row_ptr[j] || row_cell_of_row[static_cast<size_t>(j)] == rc))
      ++j;
    const int64_t hi = row_ptr[j];
    for (int64_t a = lo; a < hi; a += kPieceEntries) {
      Piece q;
      q.lo = a;
      q.hi = std::min(hi, a + kPieceEntries);
      q.cell_begin = p.rc_cell_begin[static_cast<size_t>(rc)];
      q.n_cells = p.rc_cell_begin[static_cast<size_t>(rc) + 1] - q.cell_begin;
      by_rc[static_cast<size_t>(rc)].push_back(q);
    }
    i = j;
  }
  p.rc_piece_begin.assign(n_rc + 1, 0);
  for (size_t r = 0; r < n_rc; ++r) {
    for (Piece q : by_rc[r]) {
      q.partial = p.n_partials;
      p.n_partials += q.n_cells;
      p.pieces.push_back(q);
    }
    p.rc_piece_begin[r + 1] = static_cast<int32_t>(p.pieces.size());
  }
  if (p.n_partials > max_partials) {
    p.why_not = std::to_string(p.n_partials) + " partial sums, more than the limit of " +
                std::to_string(max_partials);
    return p;
  }
  p.usable = true;
  return p;
}

// ---- the pure index functions of one warp step (32 consecutive entries)
// --------------------------

FLOWFIT_HD int highest_bit(unsigned x) {  // x != 0
#if defined(__CUDA_ARCH__)
  return 31 - __clz(static_cast<int>(x));
#else
  return 31 - __builtin_clz(x);
#endif
}
FLOWFIT_HD unsigned lanes_below(int lane) {
  return (1u << lane) - 1u;
}
// First lane of the run of `lane`, from the bit mask of run heads (lane 0 is always a head).
FLOWFIT_HD int run_start(unsigned heads, int lane) {
  return highest_bit(heads & (lanes_below(lane) | (1u << lane)));
}
// Whether `lane` ends its run: the last lane, or the next lane starts a run.
FLOWFIT_HD bool is_run_tail(unsigned heads, int lane) {
  return lane == 31 || ((heads >> (lane + 1)) & 1u) != 0;
}

// ---- host emulation of the kernels' exact order of additions ------------------------------------

// One step on the host: slot[l] < 0 marks a lane without an entry. Same operations, same order
// as warp_step in cell_kernels.cu.
inline void emulate_warp_step(double* acc, const double (&v)[32], const int32_t (&slot)[32]) {
  unsigned heads = 0;
  for (int l = 0; l < 32; ++l)
    if (l == 0 || slot[l - 1] != slot[l]) heads |= 1u << l;
  double s[32];
  for (int l = 0; l < 32; ++l) s[l] = v[l];
  for (int d = 1; d < 32; d <<= 1) {
    double next[32];
    for (int l = 0; l < 32; ++l) {
      const double o = l >= d ? s[l - d] : s[l];  // __shfl_up_sync keeps its own below d
      next[l] = (l - d >= run_start(heads, l)) ? s[l] + o : s[l];
    }
    for (int l = 0; l < 32; ++l) s[l] = next[l];
  }
  // Run ends add into the accumulator; run ends of one cell in lane order.
  for (int l = 0; l < 32; ++l)
    if (is_run_tail(heads, l) && slot[l] >= 0) acc[slot[l]] = acc[slot[l]] + s[l];
}

// Partials of every piece, as the piece kernel writes them.
inline std::vector<double> emulate_piece_sums(const std::vector<double>& values,
                                              const std::vector<int32_t>& cell_of_entry,
                                              const AggregatePlan& plan) {
  std::vector<double> partial(static_cast<size_t>(plan.n_partials), 0.0);
  std::vector<double> acc(static_cast<size_t>(std::max(plan.max_cells, 1)));
  for (const Piece& q : plan.pieces) {
    std::fill(acc.begin(), acc.end(), 0.0);
    for (int64_t base = q.lo; base < q.hi; base += 32) {
      double v[32];
      int32_t slot[32];
      for (int l = 0; l < 32; ++l) {
        const int64_t e = base + l;
        const bool in = e < q.hi;
        v[l] = in ? values[static_cast<size_t>(e)] : 0.0;
        slot[l] = in ? cell_of_entry[static_cast<size_t>(e)] - q.cell_begin : -1;
      }
      emulate_warp_step(acc.data(), v, slot);
    }
    for (int32_t t = 0; t < q.n_cells; ++t)
      partial[static_cast<size_t>(q.partial + t)] = acc[static_cast<size_t>(t)];
  }
  return partial;
}

// warp_sum of device_reduce.cuh on the host: __shfl_down_sync tree, lanes past 31 keep their own.
inline double emulate_warp_sum(double (&v)[32]) {
  for (int offset = 16; offset > 0; offset >>= 1) {
    double next[32];
    for (int l = 0; l < 32; ++l) next[l] = v[l] + (l + offset < 32 ? v[l + offset] : v[l]);
    for (int l = 0; l < 32; ++l) v[l] = next[l];
  }
  return v[0];
}

// Cell sums from the partials, as the combining kernel adds them.
inline std::vector<double> emulate_cell_sums(const std::vector<double>& partial,
                                             const AggregatePlan& plan) {
  const size_t n_cells = plan.cell_row_cell.size();
  std::vector<double> out(n_cells, 0.0);
  for (size_t c = 0; c < n_cells; ++c) {
    const int32_t rc = plan.cell_row_cell[c];
    const int32_t local = static_cast<int32_t>(c) - plan.rc_cell_begin[static_cast<size_t>(rc)];
    const int32_t q0 = plan.rc_piece_begin[static_cast<size_t>(rc)];
    const int32_t q1 = plan.rc_piece_begin[static_cast<size_t>(rc) + 1];
    double lane[32];
    for (int l = 0; l < 32; ++l) {
      double s = 0.0;
      for (int32_t q = q0 + l; q < q1; q += 32)
        s += partial[static_cast<size_t>(plan.pieces[static_cast<size_t>(q)].partial + local)];
      lane[l] = s;
    }
    out[c] = emulate_warp_sum(lane);
  }
  return out;
}

}  // namespace flowfit::cuda
