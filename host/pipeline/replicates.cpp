// Uncertainty replicates: ACS state tables resampled from their MOE (see replicates.hpp).
#include "host/pipeline/replicates.hpp"

#include <array>
#include <map>

#include <fmt/format.h>

#include "flowfit/error.hpp"
#include "flowfit/io/csv_table.hpp"
#include "flowfit/synth/rng.hpp"

namespace flowfit::pipeline::detail {
namespace {

using io::CsvTable;
using io::NumberRule;

constexpr double kMoeToSe = 1.0 / 1.645;  // ACS MOEs are 90% intervals
constexpr int kMaxRedraws = 1000;

// A state FIPS as a number (the stream key), after checking it is two digits.
uint64_t fips_number(const std::string& fips) {
  if (fips.size() != 2 || fips[0] < '0' || fips[0] > '9' || fips[1] < '0' || fips[1] > '9')
    throw Error("replicates: state FIPS '" + fips + "' is not two digits");
  return static_cast<uint64_t>((fips[0] - '0') * 10 + (fips[1] - '0'));
}

std::string two_digits(const CsvTable& t, int64_t row, int col) {
  std::string s(t.field(row, col));
  if (s.size() == 1) s = "0" + s;
  return s;
}

}  // namespace

double draw_estimate(double estimate, double moe, uint64_t seed, int year, int replicate,
                     uint64_t stream, uint64_t key) {
  const double se = moe * kMoeToSe;
  if (!(se > 0)) return estimate;
  // One stream per (seed, year, replicate, table, key).
  uint64_t mix = seed;
  uint64_t s = synth::splitmix64(mix) ^ (static_cast<uint64_t>(year) * 0x9E3779B97F4A7C15ull);
  s = synth::splitmix64(s) ^ (static_cast<uint64_t>(replicate) * 0xC2B2AE3D27D4EB4Full);
  synth::Rng rng(synth::splitmix64(s), static_cast<synth::Stream>(stream), key);
  for (int i = 0; i < kMaxRedraws; ++i) {
    const double x = estimate + se * rng.normal();
    if (x >= 0) return x;
  }
  return 0.0;  // unreachable in practice: estimate >= 0 accepts at least half of the draws
}

void resample_state_tables(targets::StateCensusTables& tables, const fs::path& census_dir,
                           uint64_t seed, int replicate) {
  const int year = tables.year;
  const auto totals_stream = static_cast<uint64_t>(synth::Stream::replicate_totals);
  const auto flows_stream = static_cast<uint64_t>(synth::Stream::replicate_flows);

  const CsvTable acs = CsvTable::read(census_dir / "acs1_state_totals_2011_2019.csv");
  const int a_year = acs.column("year"), a_fips = acs.column("state_fips");
  const int m_house = acs.column("same_house_moe"), m_state = acs.column("same_state_moe"),
            m_abroad = acs.column("abroad_total_moe");
  std::map<std::string, std::array<double, 3>> moe;
  for (int64_t r = 0; r < acs.n_rows(); ++r) {
    if (acs.integer(r, a_year) != year) continue;
    moe[two_digits(acs, r, a_fips)] = {acs.number(r, m_house, NumberRule::non_negative),
                                       acs.number(r, m_state, NumberRule::non_negative),
                                       acs.number(r, m_abroad, NumberRule::non_negative)};
  }
  for (targets::StateComponents& s : tables.states) {
    auto it = moe.find(s.fips);
    if (it == moe.end())
      throw InputError(acs.file(), 0, "state_fips",
                       fmt::format("replicates: no MOE row for state {} in {}", s.fips, year));
    const uint64_t k = fips_number(s.fips) * 4;
    s.same_house =
        draw_estimate(s.same_house, it->second[0], seed, year, replicate, totals_stream, k);
    s.same_state =
        draw_estimate(s.same_state, it->second[1], seed, year, replicate, totals_stream, k + 1);
    s.immigrants =
        draw_estimate(s.immigrants, it->second[2], seed, year, replicate, totals_stream, k + 2);
  }

  const CsvTable flows = CsvTable::read(census_dir / "acs1_state_flows_2011_2019.csv");
  const int f_year = flows.column("year"), f_orig = flows.column("orig_state_fips"),
            f_dest = flows.column("dest_state_fips"), f_moe = flows.column("moe");
  std::map<std::pair<std::string, std::string>, double> flow_moe;
  for (int64_t r = 0; r < flows.n_rows(); ++r) {
    if (flows.integer(r, f_year) != year) continue;
    flow_moe[{two_digits(flows, r, f_orig), two_digits(flows, r, f_dest)}] =
        flows.number(r, f_moe, NumberRule::non_negative);
  }
  for (targets::StateFlowEstimate& f : tables.flows) {
    auto it = flow_moe.find({f.orig_fips, f.dest_fips});
    if (it == flow_moe.end())
      throw InputError(
          flows.file(), 0, "moe",
          fmt::format("replicates: no MOE for {}->{} in {}", f.orig_fips, f.dest_fips, year));
    f.estimate = draw_estimate(f.estimate, it->second, seed, year, replicate, flows_stream,
                               fips_number(f.orig_fips) * 100 + fips_number(f.dest_fips));
  }
}

YearProblem prepare_item(const Plan& plan, const SharedInputs& shared, const WorkItem& item) {
  const YearSpec& ys = plan.years.at(item.year_index);
  if (item.replicate == 0) return prepare_year(plan, shared, ys);
  const uint64_t seed = plan.batch.seed;
  const int replicate = item.replicate;
  const fs::path dir = plan.census.census_dir;
  return prepare_year_with(plan, shared, ys, [&](targets::StateCensusTables& t) {
    resample_state_tables(t, dir, seed, replicate);
  });
}

}  // namespace flowfit::pipeline::detail
