#pragma once
// Geography: the units (census block groups, counties, ...) that index the matrix rows and
// columns, and groupings of those units (by GEOID prefix or by an explicit mapping table).
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace flowfit {

// Lengths of the GEOID prefixes that identify each census level.
enum class Level : int { state = 2, county = 5, tract = 11, block_group = 12 };

// Units in matrix order. GEOIDs are zero-padded strings and must be unique.
class Geography {
 public:
  Geography() = default;
  explicit Geography(std::vector<std::string> geoids);  // throws on duplicates
  int64_t size() const { return static_cast<int64_t>(geoids_.size()); }
  const std::vector<std::string>& geoids() const { return geoids_; }
  const std::string& geoid(int64_t unit) const { return geoids_[unit]; }
  std::optional<int64_t> find(std::string_view geoid) const;

 private:
  std::vector<std::string> geoids_;
  std::unordered_map<std::string, int64_t> index_;
};

// Assigns every unit to at most one group. Groups may be non-contiguous; labels are sorted
// ascending and group indices follow that order. A unit in no group has group -1.
class Grouping {
 public:
  Grouping() = default;
  // One group holding every unit ("all rows" / "all columns").
  static Grouping whole(int64_t n_units, std::string label = "all");
  // Group = the first `prefix_length` characters of each GEOID.
  static Grouping by_prefix(const Geography& geo, int prefix_length);
  static Grouping by_level(const Geography& geo, Level level) {
    return by_prefix(geo, static_cast<int>(level));
  }
  // One label per unit; an empty label leaves the unit ungrouped.
  static Grouping from_labels(std::span<const std::string> label_of_unit);
  // From a unit GEOID -> group label table. Units missing from the table are ungrouped, or an
  // error (naming the first missing GEOID) when require_all is true.
  static Grouping from_mapping(const Geography& geo,
                               const std::unordered_map<std::string, std::string>& group_of_geoid,
                               bool require_all = true);

  int64_t n_units() const { return static_cast<int64_t>(group_of_unit_.size()); }
  int32_t n_groups() const { return static_cast<int32_t>(labels_.size()); }
  int32_t group_of(int64_t unit) const { return group_of_unit_[unit]; }
  const std::vector<int32_t>& group_of_unit() const { return group_of_unit_; }
  const std::vector<std::string>& labels() const { return labels_; }
  const std::string& label(int32_t group) const { return labels_[group]; }
  std::optional<int32_t> find(std::string_view label) const;
  // True when every unit is in the single group (no grouping at all).
  bool is_whole() const;

 private:
  std::vector<int32_t> group_of_unit_;
  std::vector<std::string> labels_;
};

}  // namespace flowfit
