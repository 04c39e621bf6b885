#include "tools/flowfit/stage_orders.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "flowfit/error.hpp"
#include "flowfit/pipeline/order_sweep.hpp"
#include "flowfit/pipeline/plan_toml.hpp"

namespace flowfit::cli {
namespace {

using pipeline::StageKind;

std::vector<std::string> split(const std::string& text, char sep) {
  std::vector<std::string> out;
  size_t start = 0;
  while (true) {
    const size_t at = text.find(sep, start);
    std::string item = text.substr(start, at == std::string::npos ? std::string::npos : at - start);
    // Trim spaces: "a, b" is fine.
    item.erase(0, item.find_first_not_of(' '));
    item.erase(item.find_last_not_of(' ') + 1);
    out.push_back(item);
    if (at == std::string::npos) break;
    start = at + 1;
  }
  return out;
}

int plan_position(const std::vector<pipeline::StageSpec>& stages, StageKind k) {
  for (size_t i = 0; i < stages.size(); ++i)
    if (stages[i].kind == k) return static_cast<int>(i);
  return -1;
}

std::string plan_kinds_text(const std::vector<pipeline::StageSpec>& stages) {
  std::string s;
  for (size_t i = 0; i < stages.size(); ++i)
    s += (i ? "," : "") + std::string(pipeline::to_string(stages[i].kind));
  return s;
}

void require_in_plan(const std::vector<pipeline::StageSpec>& stages, StageKind k,
                     const std::string& option) {
  if (plan_position(stages, k) < 0)
    throw ConfigError(option, fmt::format("stage '{}' is not in the plan (its stages: {})",
                                          pipeline::to_string(k), plan_kinds_text(stages)));
}

}  // namespace

std::vector<StageKind> parse_stage_kinds(const std::string& text, const std::string& option) {
  std::vector<std::string> names;
  for (StageKind k : pipeline::all_stage_kinds()) names.emplace_back(pipeline::to_string(k));
  std::vector<StageKind> out;
  for (const std::string& item : split(text, ',')) {
    auto it = std::find(names.begin(), names.end(), item);
    if (it == names.end()) {
      const std::string hint = pipeline::closest_match(item, names);
      throw ConfigError(option,
                        fmt::format("unknown stage kind '{}'{}; expected names from diagonal_clip, "
                                    "cbg_rows, state_nonmovers, state_flows, county_ipf",
                                    item, hint.empty() ? "" : " (did you mean '" + hint + "'?)"));
    }
    const StageKind k = pipeline::all_stage_kinds()[static_cast<size_t>(it - names.begin())];
    if (std::find(out.begin(), out.end(), k) != out.end())
      throw ConfigError(option, fmt::format("stage '{}' is listed twice in '{}'", item, text));
    out.push_back(k);
  }
  return out;
}

std::vector<std::vector<StageKind>> permuted_orders(
    const std::vector<pipeline::StageSpec>& plan_stages, const std::vector<StageKind>& kinds) {
  std::vector<StageKind> sorted = kinds;
  for (StageKind k : sorted) require_in_plan(plan_stages, k, "--sweep-orders");
  if (sorted.size() < 2)
    throw ConfigError("--sweep-orders", "name at least two stage kinds to permute");
  std::sort(sorted.begin(), sorted.end(), [&](StageKind a, StageKind b) {
    return plan_position(plan_stages, a) < plan_position(plan_stages, b);
  });
  std::vector<int> positions;
  for (StageKind k : sorted) positions.push_back(plan_position(plan_stages, k));
  std::vector<StageKind> base;
  for (const auto& s : plan_stages) base.push_back(s.kind);

  std::vector<std::vector<StageKind>> out;
  for (const auto& perm : pipeline::all_orders(sorted)) {
    std::vector<StageKind> order = base;
    for (size_t j = 0; j < positions.size(); ++j)
      order[static_cast<size_t>(positions[j])] = perm[j];
    out.push_back(std::move(order));
  }
  return out;
}

std::vector<std::vector<StageKind>> parse_orders(
    const std::string& text, const std::vector<pipeline::StageSpec>& plan_stages) {
  std::vector<std::vector<StageKind>> out;
  for (const std::string& item : split(text, ';')) {
    if (item.empty()) throw ConfigError("--orders", fmt::format("empty order in '{}'", text));
    std::vector<StageKind> order = parse_stage_kinds(item, "--orders");
    for (StageKind k : order) require_in_plan(plan_stages, k, "--orders");
    out.push_back(std::move(order));
  }
  return out;
}

}  // namespace flowfit::cli
