#pragma once
// Work items of a plan (docs/batch.md): one per (year, stage order, replicate). Items are
// independent: each reads its inputs, runs its stages and writes its output and its sidecar
// report atomically, resumable by its own key. A plan without `orders` and `replicates` has one
// item per year, whose output is <output.dir>/flows_<year>.<format> as always; otherwise item
// (year, order k, replicate r) lives in <output.dir>/items/<year>_order<k>_rep<r>/.
#include <filesystem>
#include <string>
#include <vector>

#include "flowfit/pipeline/plan.hpp"

namespace flowfit::pipeline {

struct WorkItem {
  int year_index = 0;  // into Plan::years
  int year = 0;
  int order_index = 0;  // into Plan::batch.orders (0 when the plan has none)
  int replicate = 0;    // 0: the census tables as published; 1..N: resampled from their MOE
};

// Every item in the canonical order: by year (as listed), then order, then replicate.
std::vector<WorkItem> work_items(const Plan& plan);

// "2015" for a plan without item folders, else "2015_order1_rep2" (the folder name).
std::string item_name(const Plan& plan, const WorkItem& item);
// The folder of an item's output and sidecar (output.dir without item folders).
std::filesystem::path item_dir(const Plan& plan, const WorkItem& item);
// <item_dir>/flows_<year>.<format>.
std::filesystem::path item_output_path(const Plan& plan, const WorkItem& item);
// The stages of the item in its order (the plan's stages for order 0 without orders).
std::vector<StageSpec> item_stages(const Plan& plan, const WorkItem& item);
// "county_ipf,state_flows": the stage kinds of an order, comma-separated.
std::string order_text(const std::vector<StageKind>& order);

// Plan::validate's checks of Plan::batch (ConfigError naming orders[i], replicates, seed,
// batch.*).
void validate_batch(const Plan& plan);
// The batch settings that shape results, for Plan::canonical_text ("" when there are none, so
// plans without orders and replicates keep their checksums).
std::string batch_canonical_text(const BatchSpec& batch);

}  // namespace flowfit::pipeline
