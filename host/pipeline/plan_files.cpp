#include "flowfit/pipeline/plan_files.hpp"

#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <regex>
#include <system_error>

#include <fmt/format.h>

#include "flowfit/error.hpp"
#include "flowfit/pipeline/stage_names.hpp"
#include "flowfit/pipeline/work_items.hpp"

namespace flowfit::pipeline {

std::vector<io::NamedInput> plan_inputs(const Plan& plan) {
  std::vector<io::NamedInput> out;
  out.push_back({"geography", plan.geography});
  for (size_t i = 0; i < plan.years.size(); ++i)
    out.push_back({fmt::format("years[{}].matrix", i), plan.years[i].matrix});
  const CensusSources& c = plan.census;
  if (!c.census_dir.empty())
    for (const char* name : {"pep_state_2010_2019.csv", "acs1_state_totals_2011_2019.csv",
                             "acs1_state_flows_2011_2019.csv", "pep_county_2010_2019.csv"})
      out.push_back({std::string("census.census_dir/") + name, c.census_dir / name});
  if (!c.golden_dir.empty())
    for (const char* name : {"state_components.csv", "state_flows.csv", "county_components.csv",
                             "cbg_pop_census2010.csv", "cbg_pop_acs5.csv"})
      out.push_back({std::string("census.golden_dir/") + name, c.golden_dir / name});
  out.push_back({"census.cbg_census2010", c.cbg_census2010});
  out.push_back({"census.cbg_acs5", c.cbg_acs5});
  out.push_back({"census.cbg_populations", c.cbg_populations});
  return out;
}

fs::path year_output_path(const Plan& plan, int year) {
  return plan.output.dir / fmt::format("flows_{}.{}", year, plan.output.format);
}

fs::path sidecar_path(const fs::path& output) {
  return output.string() + ".json";
}

std::vector<fs::path> plan_outputs(const Plan& plan) {
  std::vector<fs::path> out;
  for (const WorkItem& item : work_items(plan)) {  // one per year without orders, replicates
    const fs::path o = item_output_path(plan, item);
    out.push_back(o);
    out.push_back(sidecar_path(o));
    const fs::path dir = item_dir(plan, item);
    for (const StageSpec& s : item_stages(plan, item)) {
      if (plan.output.stage_outputs) out.push_back(stage_output_path(plan, dir, item.year, s.kind));
      if (plan.output.intermediate_tables && s.kind != StageKind::diagonal_clip)
        out.push_back(target_table_path(dir, item.year, s.kind));
    }
  }
  if (plan.output.intermediate_tables) out.push_back(populations_table_path(plan));
  return out;
}

void refuse_outputs_over_inputs(const Plan& plan,
                                const std::vector<std::pair<std::string, fs::path>>& extra_outputs,
                                const fs::path& plan_file) {
  std::vector<io::NamedInput> inputs = plan_inputs(plan);
  if (!plan_file.empty()) inputs.push_back({"plan file", plan_file});
  for (const fs::path& o : plan_outputs(plan))
    io::refuse_output_over_input(o, "output.dir", inputs);
  for (const auto& [option, path] : extra_outputs)
    io::refuse_output_over_input(path, option, inputs);
}

std::vector<fs::path> remove_stale_temporaries(const fs::path& dir, fs::file_time_type started) {
  // AtomicFile's ".<name>.tmp.<pid>[.<n>]", and libzip's "<that>.XXXXXX" next to it.
  static const std::regex pattern(R"(^\..+\.tmp\.([0-9]{1,10})(\.[0-9]+)?(\.[A-Za-z0-9]{6})?$)");
  std::vector<fs::path> removed;
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) return removed;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    const std::string name = entry.path().filename().string();
    std::smatch m;
    if (!std::regex_match(name, m, pattern) || !entry.is_regular_file(ec)) continue;
    const long pid = std::stol(m[1].str());
    if (pid == static_cast<long>(::getpid())) continue;  // this process: not stale
    // A live process may still be writing it (another run into the same folder).
    if (pid > 0 && pid <= 4194304 && (::kill(static_cast<pid_t>(pid), 0) == 0 || errno == EPERM))
      continue;
    if (entry.last_write_time(ec) >= started || ec) continue;
    if (fs::remove(entry.path(), ec)) removed.push_back(entry.path());
  }
  return removed;
}

}  // namespace flowfit::pipeline
