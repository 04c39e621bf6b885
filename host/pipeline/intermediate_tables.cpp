// CSV dumps of the resolved CBG populations and of every stage's targets.
#include "flowfit/pipeline/intermediate_tables.hpp"

#include <fmt/format.h>

#include "flowfit/io/csv_writer.hpp"
#include "flowfit/pipeline/pipeline.hpp"
#include "flowfit/pipeline/stage_names.hpp"

namespace flowfit::pipeline {

void write_populations_table(const std::filesystem::path& path,
                             const targets::YearlyPopulations& p) {
  std::vector<std::string> header{"cbg_geoid"};
  for (int k = 0; k < targets::kNumPopulationYears; ++k)
    header.push_back(fmt::format("x{}", targets::kFirstPopulationYear + k));
  io::CsvWriter csv(path, header);
  for (int64_t i = 0; i < p.size(); ++i) {
    csv.field(p.geoids[i]);
    for (int k = 0; k < targets::kNumPopulationYears; ++k)
      csv.field(p.values[i * targets::kNumPopulationYears + k]);
    csv.end_row();
  }
  csv.commit();
}

void write_target_table(const std::filesystem::path& path, const targets::StageMargins& margins) {
  io::CsvWriter csv(path, {"margin", "entries", "row_group", "col_group", "target"});
  for (const Margin& m : margins.margins) {
    const std::string entries(to_string(m.entries));
    for (int32_t r = 0; r < m.rows.n_groups(); ++r)
      for (int32_t c = 0; c < m.cols.n_groups(); ++c) {
        csv.field(m.name)
            .field(entries)
            .field(m.rows.label(r))
            .field(m.cols.label(c))
            .field(m.targets[m.block_index(r, c)]);
        csv.end_row();
      }
  }
  csv.commit();
}

std::vector<std::string> write_target_tables(const std::filesystem::path& dir,
                                             const std::vector<StageSpec>& stages,
                                             const YearProblem& problem) {
  std::vector<std::string> written;
  for (const StageSpec& s : stages) {
    const targets::StageMargins* m = problem.margins_of(s.kind);
    if (!m) continue;
    const std::filesystem::path path = target_table_path(dir, problem.year, s.kind);
    write_target_table(path, *m);
    written.push_back(path.string());
  }
  return written;
}

}  // namespace flowfit::pipeline
