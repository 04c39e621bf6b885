#include "host/pipeline/cbg_populations_source.hpp"

#include <algorithm>
#include <unordered_map>

#include <fmt/format.h>

#include "flowfit/error.hpp"
#include "flowfit/io/csv_table.hpp"
#include "host/pipeline/golden_files.hpp"

namespace flowfit::pipeline::detail {

targets::YearlyPopulations read_yearly_populations(const fs::path& csv) {
  const io::CsvTable t = read_csv_any(csv);  // plain or gzipped
  const int geoid = t.column("cbg_geoid");
  std::vector<int> cols;
  for (int k = 0; k < targets::kNumPopulationYears; ++k)
    cols.push_back(t.column(fmt::format("x{}", targets::kFirstPopulationYear + k)));
  t.check_unique({"cbg_geoid"});
  targets::YearlyPopulations p;
  p.source = csv.string();
  p.geoids.reserve(t.n_rows());
  p.values.reserve(t.n_rows() * cols.size());
  for (int64_t r = 0; r < t.n_rows(); ++r) {
    p.geoids.emplace_back(t.field(r, geoid));
    for (int c : cols) p.values.push_back(t.number(r, c, io::NumberRule::non_negative));
  }
  return p;
}

targets::CbgPopulationInputs standin_population_inputs(const fs::path& cbg_csv,
                                                       const fs::path& pep_county_csv,
                                                       const Geography& geo) {
  const io::CsvTable cbg = io::CsvTable::read(cbg_csv);
  const int geoid_col = cbg.column("cbg_geoid");
  const int pop_col = cbg.column("population");
  std::unordered_map<std::string, double> pop2010;
  for (int64_t r = 0; r < cbg.n_rows(); ++r)
    pop2010[std::string(cbg.field(r, geoid_col))] =
        cbg.number(r, pop_col, io::NumberRule::non_negative);

  // County trend relative to the 2010 census count, per year 2010..2019.
  const io::CsvTable pep = io::CsvTable::read(pep_county_csv);
  const int county_col = pep.column("county_fips");
  const int base_col = pep.column("census2010pop");
  std::vector<int> year_cols;
  for (int y = 2010; y <= 2019; ++y) year_cols.push_back(pep.column(fmt::format("pop_{}", y)));
  std::unordered_map<std::string, std::vector<double>> trend;
  for (int64_t r = 0; r < pep.n_rows(); ++r) {
    const double base = pep.number(r, base_col, io::NumberRule::non_negative);
    std::vector<double> f;
    for (int c : year_cols) f.push_back(base > 0 ? pep.number(r, c) / base : 1.0);
    trend[std::string(pep.field(r, county_col))] = std::move(f);
  }
  // 2010-geography codes that PEP V2019 renamed (data/geography/county_fips_changes_2010_2019).
  static const std::unordered_map<std::string, std::string> renamed{
      {"02270", "02158"}, {"46113", "46102"}, {"51515", "51019"}};

  targets::CbgPopulationInputs in;
  in.source = fmt::format("stand-ins from {} and county trends in {}", cbg_csv.string(),
                          pep_county_csv.string());
  for (int64_t u = 0; u < geo.size(); ++u) {
    const std::string& id = geo.geoid(u);
    auto p = pop2010.find(id);
    if (p == pop2010.end())
      throw InputError(cbg_csv.string(), 0, "cbg_geoid",
                       fmt::format("CBG {} of the geography is missing", id));
    std::string county = id.substr(0, 5);
    if (auto r = renamed.find(county); r != renamed.end()) county = r->second;
    auto t = trend.find(county);
    if (t == trend.end())
      throw InputError(pep_county_csv.string(), 0, "county_fips",
                       fmt::format("county {} (of CBG {}) is missing", county, id));
    double x[targets::kNumPopulationYears];
    x[0] = p->second * t->second[0];
    for (int y = 2010; y <= 2019; ++y) x[y - 2009] = p->second * t->second[y - 2010];
    in.geoids.push_back(id);
    in.census2010.push_back(x[1]);  // consistent with the trend, so NNLS recovers x exactly
    for (int year = 2010; year <= 2019; ++year) {
      const int first = std::max(2009, year - 4);
      double s = 0;
      for (int k = first; k <= year; ++k) s += x[k - 2009];
      in.acs5.push_back(s / (year - first + 1));
    }
  }
  return in;
}

}  // namespace flowfit::pipeline::detail
