#pragma once
// The ratio rule of the reference implementation (SPEC.md, get_IPF_scaling with
// ignore_zeros=True), shared by every backend. A zero current sum leaves the block unchanged
// (it stays zero); a zero or negative target leaves it unchanged too. Every factor is > 0.
#include "flowfit/host_device.hpp"

namespace flowfit {

FLOWFIT_HOST_DEVICE inline double ratio_factor(double current, double target) {
  const double s = current != 0.0 ? target / current : 1.0;
  return s <= 0.0 ? 1.0 : s;
}

}  // namespace flowfit
