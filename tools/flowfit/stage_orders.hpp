#pragma once
// Stage orders for `flowfit run --sweep-orders / --orders`.
#include <string>
#include <vector>

#include "flowfit/pipeline/plan.hpp"

namespace flowfit::cli {

// "a,b,c" -> kinds; ConfigError(option, ...) with a suggestion for an unknown or repeated name.
std::vector<pipeline::StageKind> parse_stage_kinds(const std::string& text,
                                                   const std::string& option);

// Every permutation of `kinds` over the positions they hold in the plan's stage order; the other
// stages stay where they are. The first order is the plan's own. ConfigError when a kind is not
// a stage of the plan.
std::vector<std::vector<pipeline::StageKind>> permuted_orders(
    const std::vector<pipeline::StageSpec>& plan_stages,
    const std::vector<pipeline::StageKind>& kinds);

// "a,b,c;b,a,c" -> explicit orders (the first is the default the others are compared with).
// ConfigError when an order repeats a kind or names a kind that is not a stage of the plan.
std::vector<std::vector<pipeline::StageKind>> parse_orders(
    const std::string& text, const std::vector<pipeline::StageSpec>& plan_stages);

}  // namespace flowfit::cli
