#pragma once
// After an array job (docs/batch.md): which work items of a plan are done, and their reports.
// An item is done when its output and sidecar are there and its resume key (inputs, settings,
// order, replicate, version) matches, exactly the test a rerun applies before skipping it; the
// backend class is taken from the sidecar, so items computed on different backends gather.
#include <filesystem>
#include <string>
#include <vector>

#include "flowfit/pipeline/pipeline.hpp"
#include "flowfit/pipeline/work_items.hpp"

namespace flowfit::pipeline {

struct ItemStatus {
  WorkItem item;
  std::string name;  // item_name
  std::filesystem::path output;
  bool done = false;
  std::string reason;          // why it is not done ("no output yet", "recomputed: ..." reasons)
  std::string stored_section;  // done: its report section (JSON) from the sidecar
};

std::vector<ItemStatus> item_status(const Plan& plan);

// A RunReport of the done items as resumed years (for report::run_report_json): what a rerun
// of the whole plan would report without computing anything.
RunReport gathered_report(const Plan& plan, const std::vector<ItemStatus>& status);

}  // namespace flowfit::pipeline
