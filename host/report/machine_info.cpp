// Where a run ran and on which inputs: machine description and input file checksums.
#include <sys/utsname.h>
#include <unistd.h>

#include <fstream>
#include <system_error>
#include <thread>

#include "flowfit/io/checksum.hpp"
#include "flowfit/report/report_json.hpp"

namespace flowfit::report {

namespace fs = std::filesystem;

MachineInfo machine_info() {
  MachineInfo m;
  char host[256] = {};
  if (::gethostname(host, sizeof host - 1) == 0) m.hostname = host;
  m.cpu_model = "unknown";
  std::ifstream cpuinfo("/proc/cpuinfo");
  for (std::string line; std::getline(cpuinfo, line);) {
    if (line.rfind("model name", 0) == 0) {
      const auto colon = line.find(':');
      if (colon != std::string::npos && colon + 2 <= line.size())
        m.cpu_model = line.substr(colon + 2);
      break;
    }
  }
  m.hardware_threads = static_cast<int>(std::thread::hardware_concurrency());
  struct utsname u {};
  if (::uname(&u) == 0) m.os = std::string(u.sysname) + " " + u.release + " " + u.machine;
  return m;
}

std::vector<InputFile> plan_input_files(const pipeline::Plan& plan) {
  std::vector<InputFile> out;
  auto add = [&](std::string role, const fs::path& p) {
    std::error_code ec;
    if (p.empty() || !fs::is_regular_file(p, ec)) return;
    InputFile f{std::move(role), p.string(), "", -1};
    try {
      f.sha256 = io::file_sha256(p);
      f.bytes = static_cast<long long>(fs::file_size(p));
    } catch (const std::exception&) {
      // An unreadable input is reported by the run itself; keep the entry without a checksum.
    }
    out.push_back(std::move(f));
  };
  add("geography", plan.geography);
  const auto& c = plan.census;
  for (const char* name : {"pep_state_2010_2019.csv", "acs1_state_totals_2011_2019.csv",
                           "acs1_state_flows_2011_2019.csv", "pep_county_2010_2019.csv"})
    if (!c.census_dir.empty()) add(std::string("census/") + name, c.census_dir / name);
  for (const char* name : {"state_components.csv", "state_flows.csv", "county_components.csv",
                           "cbg_pop_census2010.csv", "cbg_pop_acs5.csv"})
    if (!c.golden_dir.empty()) add(std::string("golden/") + name, c.golden_dir / name);
  add("cbg_census2010", c.cbg_census2010);
  add("cbg_acs5", c.cbg_acs5);
  add("cbg_populations", c.cbg_populations);
  return out;
}

}  // namespace flowfit::report
