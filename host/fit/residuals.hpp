#pragma once
// Residuals of margins (how far block sums are from their targets) and the up-front check that
// margins covering the same entries ask for the same total.
#include <optional>
#include <string>
#include <vector>

#include "flowfit/backend.hpp"
#include "flowfit/stage.hpp"

namespace flowfit::detail {

// Residual of one margin from its current block sums, naming the worst block by its group
// labels ("06037", "06 -> 36").
MarginResidual margin_residual(const Margin& margin, const std::vector<double>& block_sums);

std::vector<MarginResidual> stage_residuals(const Stage& stage,
                                            const std::vector<std::vector<double>>& block_sums);

// Block sums of every margin of a quotient problem at its initial cell values.
std::vector<std::vector<double>> initial_block_sums(const QuotientProblem& p);

// Describes the first pair of margins that cover exactly the same cells but whose targets total
// differently (relative difference > tolerance); nullopt when no such pair exists.
std::optional<std::string> find_inconsistent_totals(const Stage& stage, const QuotientProblem& p,
                                                    double tolerance);

}  // namespace flowfit::detail
