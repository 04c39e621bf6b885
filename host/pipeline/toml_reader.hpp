#pragma once
// Typed, validated access to a TOML table: every error names the file, the line and the key path
// (`stages[2].max_iterations`), unknown keys are rejected with a "did you mean" suggestion.
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <toml++/toml.h>

namespace flowfit::pipeline::detail {

// State shared by the readers of one plan file.
struct TomlDocument {
  std::string file;                          // for messages
  std::filesystem::path base_dir;            // relative paths are resolved against this
  std::map<std::string, int64_t> key_lines;  // key path -> line, for errors found later

  [[noreturn]] void fail(const std::string& key, int64_t line, const std::string& reason) const;
  // The line of `key`, or of its closest recorded parent; 0 when none.
  int64_t line_of(const std::string& key) const;
};

// "-3", "the string \"abc\"", "a table", ...: how a value is shown in messages.
std::string describe(const toml::node& node);

class TableReader {
 public:
  // Rejects keys of `table` that are not in `allowed`.
  TableReader(const toml::table& table, std::string path, TomlDocument& doc,
              std::vector<std::string> allowed);

  const std::string& path() const { return path_; }
  std::string key_path(std::string_view key) const;
  bool has(std::string_view key) const { return table_.contains(key); }
  const toml::node* node(std::string_view key) const;
  int64_t line(std::string_view key) const;
  [[noreturn]] void fail(std::string_view key, const std::string& reason) const;

  std::optional<std::string> string(std::string_view key) const;
  std::optional<int64_t> integer(std::string_view key) const;
  std::optional<double> number(std::string_view key) const;  // integers accepted
  std::optional<bool> boolean(std::string_view key) const;
  // A non-empty string, resolved against the plan directory. With must_exist, the file (or
  // directory when `directory`) must exist.
  std::optional<std::filesystem::path> path_value(std::string_view key, bool must_exist,
                                                  bool directory) const;
  // One of `choices` (with a suggestion when close to one).
  std::optional<std::string> choice(std::string_view key,
                                    const std::vector<std::string>& choices) const;
  const toml::table* table(std::string_view key) const;
  const toml::array* array(std::string_view key) const;

 private:
  const toml::table& table_;
  std::string path_;
  TomlDocument& doc_;
};

// `text` resolved against `base` (when relative), normalized, without a trailing separator.
std::filesystem::path resolve_path(const std::filesystem::path& base, const std::string& text);

// The line of a node (0 when toml++ did not record one).
int64_t line_of(const toml::node& node);

}  // namespace flowfit::pipeline::detail
