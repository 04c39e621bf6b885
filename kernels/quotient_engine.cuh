#pragma once
// The CUDA quotient engine: the quotient IPF loop resident on one device, replayed through CUDA
// graphs. See docs/cuda_backend.md.
#include <memory>

#include "flowfit/backend.hpp"

namespace flowfit::cuda {

// Builds the engine on `device` (the current device must already be `device`).
// Throws flowfit::Error for an inconsistent problem.
std::unique_ptr<QuotientEngine> make_cuda_quotient_engine(const QuotientProblem& problem,
                                                          int device);

}  // namespace flowfit::cuda
