#pragma once
// Umbrella header: census targets of the MIGRATE stages (NNLS populations, state and county
// targets, their loaders and the stage margins).
#include "flowfit/targets/cbg_populations.hpp"
#include "flowfit/targets/components.hpp"
#include "flowfit/targets/county_targets.hpp"
#include "flowfit/targets/formulas.hpp"
#include "flowfit/targets/loaders.hpp"
#include "flowfit/targets/nnls.hpp"
#include "flowfit/targets/stage_margins.hpp"
#include "flowfit/targets/state_targets.hpp"
#include "flowfit/targets/warnings.hpp"
