#include "host/targets/loader_util.hpp"

#include <algorithm>

#include "flowfit/escape.hpp"

namespace flowfit::targets::detail {

std::string fips(const io::CsvTable& table, int64_t row, int col, int digits) {
  const std::string_view text = table.field(row, col);
  const bool ok =
      static_cast<int>(text.size()) == digits &&
      std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
  if (!ok)
    table.fail(row, col,
               "expected a zero-padded code of " + std::to_string(digits) + " digits, got " +
                   quote_for_message(text));
  return std::string(text);
}

CountyCensusTable read_county_components(const io::CsvTable& t, const CountyColumns& columns,
                                         int year) {
  using io::NumberRule;
  const int c_fips = t.column("county_fips");
  const int c_pop0 = t.column(columns.pop_t_minus_1);
  const int c_pop1 = t.column(columns.pop_t);
  const int c_births = t.column(columns.births);
  const int c_deaths = t.column(columns.deaths);
  const int c_intl = t.column(columns.intl_mig_net);
  t.check_unique({"county_fips"});
  CountyCensusTable out;
  out.year = year;
  out.source = t.file();
  out.counties.reserve(t.n_rows());
  for (int64_t r = 0; r < t.n_rows(); ++r) {
    CountyComponents c;
    c.fips = fips(t, r, c_fips, 5);
    c.pop_t_minus_1 = t.number(r, c_pop0, NumberRule::non_negative);
    c.pop_t = t.number(r, c_pop1, NumberRule::non_negative);
    c.births = t.number(r, c_births, NumberRule::non_negative);
    c.deaths = t.number(r, c_deaths, NumberRule::non_negative);
    c.intl_mig_net = t.number(r, c_intl);
    out.counties.push_back(std::move(c));
  }
  return out;
}

}  // namespace flowfit::targets::detail
