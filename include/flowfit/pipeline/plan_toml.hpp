#pragma once
// Plans written in TOML (schema: docs/cli.md, "Plan files"). Everything is validated up front:
// wrong types, out-of-range values and unknown keys are reported with the file, the line and the
// key path, e.g.
//   plan.toml:12: stages[2].max_iterations: expected a positive integer, got -3
// Relative paths are resolved against the directory of the plan file.
#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <string_view>

#include "flowfit/error.hpp"
#include "flowfit/pipeline/plan.hpp"

namespace flowfit::pipeline {

// An invalid plan. A ConfigError (key() is the key path) that also names the file and the line
// (0 when the problem is not tied to one line, e.g. a missing key).
class PlanError : public ConfigError {
 public:
  PlanError(std::string file, int64_t line, std::string key, std::string reason);
  const char* what() const noexcept override { return message_.c_str(); }
  const std::string& file() const { return file_; }
  int64_t line() const { return line_; }
  const std::string& reason() const { return reason_; }

 private:
  std::string file_;
  int64_t line_;
  std::string reason_;
  std::string message_;
};

// Where the years of a plan file are, for problems found after it was read (`run --dry-run`
// names the plan line of a year the census tables do not cover).
struct PlanLines {
  struct Year {
    std::string key;   // "years[2]"
    int64_t line = 0;  // of that entry in the plan file
  };
  std::string file;
  std::map<int, Year> years;  // by matrix year
};

struct PlanReadOptions {
  // Check that every input file and directory named by the plan exists.
  bool check_files = true;
  // When set, filled with the plan's file name and the line of each year.
  PlanLines* lines = nullptr;
};

// Parses plan text. `file` names the plan in messages; relative paths are resolved against
// `base_dir`. Throws PlanError.
Plan plan_from_toml(std::string_view text, const std::string& file,
                    const std::filesystem::path& base_dir, const PlanReadOptions& options = {});

// Reads a plan file. Throws PlanError (also when the file cannot be read).
Plan read_plan_toml(const std::filesystem::path& path, const PlanReadOptions& options = {});

// The plan as TOML, reading back to an equal plan. Paths under `relative_to` (when not empty)
// are written relative to it.
std::string plan_to_toml(const Plan& plan, const std::filesystem::path& relative_to = {});

// The closest of `candidates` to `word` when it is close enough to be a likely typo, else "".
std::string closest_match(std::string_view word, const std::vector<std::string>& candidates);

}  // namespace flowfit::pipeline
