#pragma once
// The ground truth T: T_ii = stayers of CBG i, T_ij = people who lived in CBG i at t-1 and in CBG
// j at t. Row sums are the populations of t-1 (PopulationTrajectories at year t-1).
//
// Movers of CBG i: rate m_i = v_i (lambda g_c + kappa r_c), with v_i a lognormal CBG propensity,
// r_c the IRS inter-county out-migration rate of i's county, g_c = n_c / (n_c + h) (counties of
// few CBGs have little room for within-county moves); lambda and kappa are calibrated so that the
// national stayer share and within-county share of moves hit the configured values. A mover's
// destination is drawn within the county (probability q_i = lambda g_c / (lambda g_c + kappa r_c))
// by a gravity kernel P_j / (1 + (d/s)^2)^gamma over the county's CBGs, or in another county
// chosen from the IRS outflows of the county mixed with a county gravity model, and there a CBG
// chosen in proportion to population. Row i has a nonzero budget k_i ~ P_i^alpha scaled to the
// requested total; destinations are drawn until k_i distinct ones are found, and each gets the
// mover mass times its share of the draws. Every row has its own random stream: the result does
// not depend on the thread count.
#include <cstdint>
#include <vector>

#include "flowfit/csr_matrix.hpp"
#include "flowfit/synth/config.hpp"
#include "flowfit/synth/inputs.hpp"
#include "flowfit/synth/trajectories.hpp"

namespace flowfit::synth {

struct MoverModel {
  std::vector<double> population;         // P_i at t-1 (whole people)
  std::vector<double> mover_rate;         // m_i
  std::vector<double> local_prob;         // q_i
  std::vector<double> county_population;  // sum of P over the county
  // Destination county of a mover leaving county c: cumulative distribution over all counties,
  // row-major n_counties x n_counties (0 on the diagonal).
  std::vector<double> county_cdf;
  // CBG within a destination county, in proportion to P: cumulative over county_members.
  std::vector<double> member_cdf;
  // Centroids and P of the county members, aligned with SynthInputs::county_members.
  std::vector<double> member_lat, member_lon, member_pop;
  double lambda = 0, kappa = 0;
};

MoverModel build_mover_model(const SynthInputs& inputs, const SynthConfig& config,
                             const PopulationTrajectories& trajectories);

struct TruthStats {
  int64_t planned_nnz = 0;
  int64_t rows_short = 0;  // rows that hit the draw cap before their nonzero budget
  int64_t draws = 0;
};

CsrMatrix generate_truth(const SynthInputs& inputs, const SynthConfig& config,
                         const MoverModel& model, TruthStats* stats = nullptr);

}  // namespace flowfit::synth
