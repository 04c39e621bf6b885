#include "flowfit/geography.hpp"

#include <algorithm>
#include <map>

#include "flowfit/error.hpp"
#include "flowfit/escape.hpp"

namespace flowfit {

Geography::Geography(std::vector<std::string> geoids) : geoids_(std::move(geoids)) {
  index_.reserve(geoids_.size());
  for (int64_t i = 0; i < size(); ++i) {
    auto [it, fresh] = index_.emplace(geoids_[i], i);
    if (!fresh)
      throw Error("geography: GEOID " + quote_for_message(geoids_[i]) + " occurs twice (units " +
                  std::to_string(it->second) + " and " + std::to_string(i) + ")");
  }
}

std::optional<int64_t> Geography::find(std::string_view geoid) const {
  auto it = index_.find(std::string(geoid));
  if (it == index_.end()) return std::nullopt;
  return it->second;
}

Grouping Grouping::whole(int64_t n_units, std::string label) {
  Grouping g;
  g.group_of_unit_.assign(n_units, 0);
  g.labels_ = {std::move(label)};
  return g;
}

Grouping Grouping::from_labels(std::span<const std::string> label_of_unit) {
  // Sorted distinct labels give the group order (sorted FIPS order, as the reference uses).
  std::map<std::string, int32_t> index;
  for (const auto& l : label_of_unit)
    if (!l.empty()) index.emplace(l, 0);
  Grouping g;
  g.labels_.reserve(index.size());
  int32_t next = 0;
  for (auto& [label, id] : index) {
    id = next++;
    g.labels_.push_back(label);
  }
  g.group_of_unit_.resize(label_of_unit.size());
  for (size_t u = 0; u < label_of_unit.size(); ++u)
    g.group_of_unit_[u] = label_of_unit[u].empty() ? -1 : index.at(label_of_unit[u]);
  return g;
}

Grouping Grouping::by_prefix(const Geography& geo, int prefix_length) {
  if (prefix_length <= 0) throw ConfigError("prefix_length", "must be positive");
  std::vector<std::string> labels(geo.size());
  for (int64_t u = 0; u < geo.size(); ++u) {
    const std::string& id = geo.geoid(u);
    if (static_cast<int>(id.size()) < prefix_length)
      throw Error("geography: GEOID " + quote_for_message(id) + " (unit " + std::to_string(u) +
                  ") is shorter than the grouping prefix of " + std::to_string(prefix_length) +
                  " characters");
    labels[u] = id.substr(0, prefix_length);
  }
  return from_labels(labels);
}

Grouping Grouping::from_mapping(const Geography& geo,
                                const std::unordered_map<std::string, std::string>& group_of_geoid,
                                bool require_all) {
  std::vector<std::string> labels(geo.size());
  for (int64_t u = 0; u < geo.size(); ++u) {
    auto it = group_of_geoid.find(geo.geoid(u));
    if (it != group_of_geoid.end()) {
      labels[u] = it->second;
    } else if (require_all) {
      throw Error("grouping: unit GEOID " + quote_for_message(geo.geoid(u)) +
                  " has no group in the mapping");
    }
  }
  return from_labels(labels);
}

std::optional<int32_t> Grouping::find(std::string_view label) const {
  auto it = std::lower_bound(labels_.begin(), labels_.end(), label,
                             [](const std::string& a, std::string_view b) { return a < b; });
  if (it == labels_.end() || *it != label) return std::nullopt;
  return static_cast<int32_t>(it - labels_.begin());
}

bool Grouping::is_whole() const {
  return labels_.size() == 1 && std::all_of(group_of_unit_.begin(), group_of_unit_.end(),
                                            [](int32_t g) { return g == 0; });
}

}  // namespace flowfit
