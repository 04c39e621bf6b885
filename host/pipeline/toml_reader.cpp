#include "host/pipeline/toml_reader.hpp"

#include <cmath>
#include <system_error>

#include <fmt/format.h>

#include "flowfit/pipeline/plan_toml.hpp"

namespace flowfit::pipeline::detail {
namespace fs = std::filesystem;

fs::path resolve_path(const fs::path& base, const std::string& text) {
  fs::path p(text);
  if (p.is_relative()) p = base / p;
  p = p.lexically_normal();
  if (!p.has_filename() && p.has_relative_path()) p = p.parent_path();  // "dir/" -> "dir"
  return p;
}

int64_t line_of(const toml::node& node) {
  return static_cast<int64_t>(node.source().begin.line);
}

void TomlDocument::fail(const std::string& key, int64_t line, const std::string& reason) const {
  throw PlanError(file, line, key, reason);
}

int64_t TomlDocument::line_of(const std::string& key) const {
  std::string k = key;
  while (!k.empty()) {
    auto it = key_lines.find(k);
    if (it != key_lines.end()) return it->second;
    // Drop the last component: "a.b[2].c" -> "a.b[2]" -> "a.b" -> "a".
    const auto cut = k.find_last_of(".[");
    if (cut == std::string::npos) break;
    k.resize(cut);
  }
  return 0;
}

std::string describe(const toml::node& node) {
  switch (node.type()) {
    case toml::node_type::string:
      return fmt::format("the string \"{}\"", node.as_string()->get());
    case toml::node_type::integer:
      return std::to_string(node.as_integer()->get());
    case toml::node_type::floating_point:
      return fmt::format("{}", node.as_floating_point()->get());
    case toml::node_type::boolean:
      return node.as_boolean()->get() ? "true" : "false";
    case toml::node_type::table:
      return "a table";
    case toml::node_type::array:
      return "an array";
    case toml::node_type::date:
      return "a date";
    case toml::node_type::time:
      return "a time";
    case toml::node_type::date_time:
      return "a date-time";
    default:
      return "nothing";
  }
}

TableReader::TableReader(const toml::table& table, std::string path, TomlDocument& doc,
                         std::vector<std::string> allowed)
    : table_(table), path_(std::move(path)), doc_(doc) {
  for (auto&& [k, v] : table_) {
    const std::string key(k.str());
    doc_.key_lines[key_path(key)] = line_of(v);
    bool known = false;
    for (const auto& a : allowed) known = known || a == key;
    if (known) continue;
    const std::string hint = closest_match(key, allowed);
    std::string reason = hint.empty() ? "unknown key" : "unknown key; did you mean '" + hint + "'?";
    if (hint.empty()) {
      reason += " (expected one of ";
      for (size_t i = 0; i < allowed.size(); ++i) reason += (i ? ", " : "") + allowed[i];
      reason += ")";
    }
    doc_.fail(key_path(key), static_cast<int64_t>(k.source().begin.line), reason);
  }
}

std::string TableReader::key_path(std::string_view key) const {
  return path_.empty() ? std::string(key) : path_ + "." + std::string(key);
}

const toml::node* TableReader::node(std::string_view key) const {
  return table_.get(key);
}

int64_t TableReader::line(std::string_view key) const {
  const toml::node* n = node(key);
  return n ? line_of(*n) : doc_.line_of(path_);
}

void TableReader::fail(std::string_view key, const std::string& reason) const {
  doc_.fail(key_path(key), line(key), reason);
}

std::optional<std::string> TableReader::string(std::string_view key) const {
  const toml::node* n = node(key);
  if (!n) return std::nullopt;
  if (!n->is_string()) fail(key, "expected a string, got " + describe(*n));
  return n->as_string()->get();
}

std::optional<int64_t> TableReader::integer(std::string_view key) const {
  const toml::node* n = node(key);
  if (!n) return std::nullopt;
  if (!n->is_integer()) fail(key, "expected an integer, got " + describe(*n));
  return n->as_integer()->get();
}

std::optional<double> TableReader::number(std::string_view key) const {
  const toml::node* n = node(key);
  if (!n) return std::nullopt;
  double v = 0;
  if (n->is_integer()) {
    v = static_cast<double>(n->as_integer()->get());
  } else if (n->is_floating_point()) {
    v = n->as_floating_point()->get();
  } else {
    fail(key, "expected a number, got " + describe(*n));
  }
  if (!std::isfinite(v)) fail(key, "expected a finite number, got " + describe(*n));
  return v;
}

std::optional<bool> TableReader::boolean(std::string_view key) const {
  const toml::node* n = node(key);
  if (!n) return std::nullopt;
  if (!n->is_boolean()) fail(key, "expected true or false, got " + describe(*n));
  return n->as_boolean()->get();
}

std::optional<fs::path> TableReader::path_value(std::string_view key, bool must_exist,
                                                bool directory) const {
  auto s = string(key);
  if (!s) return std::nullopt;
  if (s->empty()) fail(key, "expected a path, got an empty string");
  const fs::path p = resolve_path(doc_.base_dir, *s);
  if (must_exist) {
    std::error_code ec;
    const auto st = fs::status(p, ec);
    if (!fs::exists(st))
      fail(key, fmt::format("{} not found: {}", directory ? "directory" : "file", p.string()));
    if (directory && !fs::is_directory(st))
      fail(key, "expected a directory, but " + p.string() + " is a file");
    if (!directory && fs::is_directory(st))
      fail(key, "expected a file, but " + p.string() + " is a directory");
  }
  return p;
}

std::optional<std::string> TableReader::choice(std::string_view key,
                                               const std::vector<std::string>& choices) const {
  auto s = string(key);
  if (!s) return std::nullopt;
  for (const auto& c : choices)
    if (c == *s) return s;
  std::string list;
  for (size_t i = 0; i < choices.size(); ++i) list += (i ? ", " : "") + choices[i];
  const std::string hint = closest_match(*s, choices);
  fail(key, fmt::format("expected one of {}, got \"{}\"{}", list, *s,
                        hint.empty() ? "" : "; did you mean '" + hint + "'?"));
}

const toml::table* TableReader::table(std::string_view key) const {
  const toml::node* n = node(key);
  if (!n) return nullptr;
  if (!n->is_table()) fail(key, "expected a table, got " + describe(*n));
  return n->as_table();
}

const toml::array* TableReader::array(std::string_view key) const {
  const toml::node* n = node(key);
  if (!n) return nullptr;
  if (!n->is_array()) fail(key, "expected an array, got " + describe(*n));
  return n->as_array();
}

}  // namespace flowfit::pipeline::detail
