#pragma once
// Where stage 1's yearly CBG populations come from: NNLS over Census 2010 + ACS 5-year tables,
// a table of already resolved populations, or (for real-data runs, where no CBG ACS table is
// bundled) stand-ins derived from the 2010 CBG counts and the PEP county trends.
#include <string>
#include <vector>

#include "flowfit/geography.hpp"
#include "flowfit/pipeline/plan.hpp"
#include "flowfit/targets/targets.hpp"

namespace flowfit::pipeline::detail {

// Reads cbg_geoid, x2009..x2019 (e.g. a golden cbg_pop_resolved.csv; .csv.gz is inflated).
targets::YearlyPopulations read_yearly_populations(const fs::path& csv);

// Stand-in NNLS inputs: x_y = pop2010_cbg * county_pop_y / county_census2010, for y = 2010..2019
// (x2009 = x2010); census2010 = pop2010_cbg; acs5_Y = mean of x over max(2009, Y-4)..Y, so NNLS
// recovers the trend exactly. `cbg_csv` needs cbg_geoid and population columns.
targets::CbgPopulationInputs standin_population_inputs(const fs::path& cbg_csv,
                                                       const fs::path& pep_county_csv,
                                                       const Geography& geo);

}  // namespace flowfit::pipeline::detail
