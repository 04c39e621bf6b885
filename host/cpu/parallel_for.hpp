#pragma once
// parallel_for: an OpenMP loop that is not entered at all when the work is small. (Even a
// serialised `omp parallel if(0)` region costs a team start, and idle spinning workers slow
// small problems down badly on a loaded machine.) The loop body must not depend on how the
// iterations are split: every caller writes disjoint outputs per index.
#include <cstdint>

namespace flowfit::cpu {

enum class Schedule { fixed, dynamic };

template <class Body>
void parallel_for(int64_t n, bool parallel, int threads, Schedule schedule, Body&& body) {
  if (!parallel || threads <= 1) {
    for (int64_t i = 0; i < n; ++i) body(i);
    return;
  }
  if (schedule == Schedule::fixed) {
#pragma omp parallel for num_threads(threads) schedule(static)
    for (int64_t i = 0; i < n; ++i) body(i);
  } else {
#pragma omp parallel for num_threads(threads) schedule(dynamic, 16)
    for (int64_t i = 0; i < n; ++i) body(i);
  }
}

// Work below this many matrix entries (or quotient cells) runs serially.
inline constexpr int64_t kParallelThreshold = 32768;

}  // namespace flowfit::cpu
