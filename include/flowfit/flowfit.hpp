#pragma once
// Umbrella header of the flowfit library: the core types, the stage engine, the backends and the
// I/O layer (everything the README's library example uses). The pipeline, census targets, synth
// and report headers are included separately (flowfit/pipeline/pipeline.hpp, ...).
#include "flowfit/assembly.hpp"
#include "flowfit/backend.hpp"
#include "flowfit/csr_matrix.hpp"
#include "flowfit/error.hpp"
#include "flowfit/fit.hpp"
#include "flowfit/geography.hpp"
#include "flowfit/io/io.hpp"
#include "flowfit/margin.hpp"
#include "flowfit/ratio_rule.hpp"
#include "flowfit/stage.hpp"
#include "flowfit/version.hpp"
