#pragma once
// Umbrella header of the flowfit library.
#include "flowfit/backend.hpp"
#include "flowfit/csr_matrix.hpp"
#include "flowfit/error.hpp"
#include "flowfit/fit.hpp"
#include "flowfit/geography.hpp"
#include "flowfit/margin.hpp"
#include "flowfit/ratio_rule.hpp"
#include "flowfit/stage.hpp"
#include "flowfit/version.hpp"
