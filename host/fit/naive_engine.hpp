#pragma once
// The naive method as a QuotientEngine: every margin step scales the full matrix through the
// backend's kernels, as the reference implementation does. Used for comparison and benchmarks.
#include <memory>

#include "flowfit/backend.hpp"
#include "flowfit/stage.hpp"

namespace flowfit::detail {

std::unique_ptr<QuotientEngine> make_naive_engine(Backend& backend, ResidentMatrix& matrix,
                                                  const Stage& stage);

}  // namespace flowfit::detail
