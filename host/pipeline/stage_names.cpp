#include "flowfit/pipeline/stage_names.hpp"

#include <fmt/format.h>

namespace flowfit::pipeline {

int stage_number(StageKind k) {
  switch (k) {
    case StageKind::diagonal_clip:
      return 0;
    case StageKind::cbg_rows:
      return 1;
    case StageKind::state_nonmovers:
      return 2;
    case StageKind::state_flows:
      return 3;
    case StageKind::county_ipf:
      return 4;
  }
  return -1;
}

std::string stage_name(StageKind k) {
  return fmt::format("stage{}_{}", stage_number(k), to_string(k));
}

const std::string& stage_outputs_format(const Plan& plan) {
  return plan.output.stage_outputs_format.empty() ? plan.output.format
                                                  : plan.output.stage_outputs_format;
}

std::filesystem::path stage_output_path(const Plan& plan, const std::filesystem::path& dir,
                                        int year, StageKind k) {
  return dir / fmt::format("flows_{}_{}.{}", year, stage_name(k), stage_outputs_format(plan));
}

std::filesystem::path populations_table_path(const Plan& plan) {
  return plan.output.dir / "cbg_populations.csv";
}

std::filesystem::path target_table_path(const std::filesystem::path& dir, int year, StageKind k) {
  return dir / fmt::format("targets_{}_{}.csv", year, stage_name(k));
}

}  // namespace flowfit::pipeline
