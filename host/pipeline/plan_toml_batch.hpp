#pragma once
// The batch keys of a plan file (docs/batch.md): orders, replicates, seed and the [batch] table.
#include "flowfit/pipeline/plan.hpp"
#include "host/pipeline/toml_reader.hpp"

namespace flowfit::pipeline::detail {

// Reads them from the root table (after the stages: orders are checked against them).
void read_batch_keys(const TableReader& root, TomlDocument& doc, Plan& plan);

// TOML for them ("" when the plan has none): the top-level keys (orders, replicates, seed),
// written before the first table, and the [batch] table.
std::string batch_toml_keys(const BatchSpec& batch);
std::string batch_toml_table(const BatchSpec& batch);

}  // namespace flowfit::pipeline::detail
