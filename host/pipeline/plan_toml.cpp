// Plan files: TOML -> pipeline::Plan, validated with file, line and key path in every message.
#include "flowfit/pipeline/plan_toml.hpp"

#include <fstream>
#include <limits>
#include <sstream>

#include <fmt/format.h>

#include "flowfit/error.hpp"
#include "flowfit/escape.hpp"
#include "host/pipeline/plan_toml_batch.hpp"
#include "host/pipeline/toml_reader.hpp"

namespace flowfit::pipeline {
namespace {

namespace fs = std::filesystem;
using detail::TableReader;
using detail::TomlDocument;

constexpr int kFirstYear = 2010;
constexpr int kLastYear = 2020;

std::vector<std::string> stage_kind_names() {
  std::vector<std::string> out;
  for (StageKind k : all_stage_kinds()) out.emplace_back(to_string(k));
  return out;
}

// Accepts a stage kind name; anything else fails with the list and a suggestion.
StageKind parse_kind(const std::string& name, TomlDocument& doc, const std::string& key,
                     int64_t line) {
  const auto names = stage_kind_names();
  for (size_t i = 0; i < names.size(); ++i)
    if (names[i] == name) return all_stage_kinds()[i];
  const std::string hint = closest_match(name, names);
  doc.fail(key, line,
           fmt::format("unknown stage kind \"{}\"{}; expected one of diagonal_clip, cbg_rows, "
                       "state_nonmovers, state_flows, county_ipf",
                       name, hint.empty() ? "" : " (did you mean '" + hint + "'?)"));
}

// Reads one `[[stages]]` option into its field, checked by the option's rule (flowfit/stage.hpp).
struct ReadStageOption {
  const TableReader& t;

  // A broken rule fails with the plan file, the line and the key path.
  template <class Check>
  void checked(const StageOptionKey& k, Check&& check) const {
    try {
      check();
    } catch (const ConfigError& e) {
      t.fail(k.key, e.reason());
    }
  }
  void operator()(const StageOptionKey& k, int& value) const {
    if (auto n = t.integer(k.key)) {
      checked(k, [&] { check_iteration_count(k.key, *n); });
      value = static_cast<int>(*n);
    }
  }
  void operator()(const StageOptionKey& k, double& value) const {
    if (auto v = t.number(k.key)) {
      checked(k, [&] { check_tolerance(k.key, *v); });
      value = *v;
    }
  }
  void operator()(const StageOptionKey& k, std::optional<double>& value) const {
    if (auto v = t.number(k.key)) {
      checked(k, [&] { check_tolerance(k.key, *v); });
      value = *v;
    }
  }
  void operator()(const StageOptionKey& k, FitMethod& value) const {
    if (auto m = t.choice(k.key, {"quotient", "naive"}))
      value = *m == "naive" ? FitMethod::naive : FitMethod::quotient;
  }
};

// "kind" and every stage option.
std::vector<std::string> stage_keys() {
  std::vector<std::string> keys{"kind"};
  StageOptions options;
  for_each_stage_option([&](const StageOptionKey& k, const auto&) { keys.emplace_back(k.key); },
                        options);
  return keys;
}

StageSpec read_stage(const toml::node& node, const std::string& path, TomlDocument& doc) {
  const int64_t line = detail::line_of(node);
  if (node.is_string())
    return StageSpec::defaults(parse_kind(node.as_string()->get(), doc, path, line));
  if (!node.is_table())
    doc.fail(path, line,
             "expected a stage kind or a table with a 'kind' key, got " + detail::describe(node));
  TableReader t(*node.as_table(), path, doc, stage_keys());
  auto kind_name = t.string("kind");
  if (!kind_name) doc.fail(t.key_path("kind"), line, "is required (the stage kind)");
  StageSpec s =
      StageSpec::defaults(parse_kind(*kind_name, doc, t.key_path("kind"), t.line("kind")));
  for_each_stage_option(ReadStageOption{t}, s);
  return s;
}

YearSpec read_year(const toml::node& node, const std::string& path,
                   const std::optional<std::string>& matrix_template, TomlDocument& doc,
                   bool check_files) {
  const int64_t line = detail::line_of(node);
  YearSpec y;
  auto check_year = [&](int64_t year, const std::string& key, int64_t at) {
    if (year < kFirstYear || year > kLastYear)
      doc.fail(
          key, at,
          fmt::format("expected a matrix year in {}..{}, got {}", kFirstYear, kLastYear, year));
    y.year = static_cast<int>(year);
  };
  auto resolve = [&](std::string text, const std::string& key, int64_t at) {
    const fs::path p = detail::resolve_path(doc.base_dir, text);
    if (check_files && !fs::exists(p)) doc.fail(key, at, "file not found: " + p.string());
    return p;
  };
  if (node.is_integer()) {
    check_year(node.as_integer()->get(), path, line);
    if (!matrix_template)
      doc.fail(path, line,
               "a year given as a bare number needs 'matrix_template' (e.g. \"E_{year}.npz\"); "
               "or write { year = ..., matrix = \"...\" }");
    std::string m = *matrix_template;
    m.replace(m.find("{year}"), 6, std::to_string(y.year));
    y.matrix = resolve(m, path, line);
    return y;
  }
  if (!node.is_table())
    doc.fail(path, line,
             "expected a year number or a table { year = ..., matrix = \"...\" }, got " +
                 detail::describe(node));
  TableReader t(*node.as_table(), path, doc, {"year", "matrix"});
  auto year = t.integer("year");
  if (!year) doc.fail(t.key_path("year"), line, "is required");
  check_year(*year, t.key_path("year"), t.line("year"));
  if (auto m = t.path_value("matrix", check_files, false)) {
    y.matrix = *m;
  } else if (matrix_template) {
    std::string m2 = *matrix_template;
    m2.replace(m2.find("{year}"), 6, std::to_string(y.year));
    y.matrix = resolve(m2, t.key_path("matrix"), line);
  } else {
    doc.fail(t.key_path("matrix"), line, "is required (the observed matrix of that year)");
  }
  return y;
}

void read_census(const toml::table& table, TomlDocument& doc, bool check_files,
                 CensusSources& out) {
  TableReader t(table, "census", doc,
                {"census_dir", "golden_dir", "cbg_census2010", "cbg_acs5", "cbg_populations"});
  if (auto p = t.path_value("census_dir", check_files, true)) out.census_dir = *p;
  if (auto p = t.path_value("golden_dir", check_files, true)) out.golden_dir = *p;
  if (auto p = t.path_value("cbg_census2010", check_files, false)) out.cbg_census2010 = *p;
  if (auto p = t.path_value("cbg_acs5", check_files, false)) out.cbg_acs5 = *p;
  if (auto p = t.path_value("cbg_populations", check_files, false)) out.cbg_populations = *p;
}

void read_output(const toml::table& table, TomlDocument& doc, OutputSpec& out) {
  TableReader t(table, "output", doc,
                {"dir", "format", "stage_outputs", "stage_outputs_format", "intermediate_tables"});
  if (auto p = t.path_value("dir", false, true)) out.dir = *p;
  if (auto f = t.choice("format", {"npz", "mtx", "csv", "tsv", "ffm"})) out.format = *f;
  if (auto b = t.boolean("stage_outputs")) out.stage_outputs = *b;
  if (auto f = t.choice("stage_outputs_format", {"npz", "mtx", "csv", "tsv", "ffm"}))
    out.stage_outputs_format = *f;
  if (auto b = t.boolean("intermediate_tables")) out.intermediate_tables = *b;
}

Plan read_plan(const toml::table& root, TomlDocument& doc, bool check_files) {
  TableReader t(root, "", doc,
                {"name", "geography", "geography_column", "allow_partial_geography", "backend",
                 "threads", "census", "years", "matrix_template", "stages", "output", "nnls",
                 "orders", "replicates", "seed", "batch"});  // the last four: plan_toml_batch
  Plan plan;
  if (auto s = t.string("name")) plan.name = *s;
  if (auto p = t.path_value("geography", check_files, false)) plan.geography = *p;
  if (auto s = t.string("geography_column")) {
    if (s->empty()) t.fail("geography_column", "expected a column name, got an empty string");
    plan.geography_column = *s;
  }
  if (auto b = t.boolean("allow_partial_geography")) plan.allow_partial_geography = *b;
  if (auto b = t.choice("backend", {"auto", "cpu", "cuda", "reference"}))
    plan.backend = backend_choice_from_string(*b);
  if (auto n = t.integer("threads")) {
    if (*n < 0 || *n > 4096)
      t.fail("threads", fmt::format("expected 0 (all cores) or a thread count, got {}", *n));
    plan.threads = static_cast<int>(*n);
  }
  if (const toml::table* c = t.table("census")) read_census(*c, doc, check_files, plan.census);
  if (const toml::table* c = t.table("nnls")) {
    TableReader n(*c, "nnls", doc, {"snap_noise"});
    if (auto b = n.boolean("snap_noise")) plan.nnls.snap_noise = *b;
  }

  const auto matrix_template = t.string("matrix_template");
  if (matrix_template && matrix_template->find("{year}") == std::string::npos)
    t.fail("matrix_template", "must contain {year}, got \"" + *matrix_template + "\"");
  if (const toml::array* years = t.array("years")) {
    for (size_t i = 0; i < years->size(); ++i) {
      const std::string path = fmt::format("years[{}]", i);
      doc.key_lines[path] = detail::line_of((*years)[i]);
      YearSpec y = read_year((*years)[i], path, matrix_template, doc, check_files);
      for (size_t j = 0; j < plan.years.size(); ++j)
        if (plan.years[j].year == y.year)
          doc.fail(path, detail::line_of((*years)[i]),
                   fmt::format("year {} is listed twice (also years[{}])", y.year, j));
      plan.years.push_back(std::move(y));
    }
  }
  if (const toml::array* stages = t.array("stages")) {
    plan.stages.clear();
    for (size_t i = 0; i < stages->size(); ++i) {
      const std::string path = fmt::format("stages[{}]", i);
      doc.key_lines[path] = detail::line_of((*stages)[i]);
      StageSpec s = read_stage((*stages)[i], path, doc);
      for (size_t j = 0; j < plan.stages.size(); ++j)
        if (plan.stages[j].kind == s.kind)
          doc.fail(
              path, detail::line_of((*stages)[i]),
              fmt::format("stage kind {} is listed twice (also stages[{}])", to_string(s.kind), j));
      plan.stages.push_back(s);
    }
  }
  if (const toml::table* o = t.table("output")) read_output(*o, doc, plan.output);
  detail::read_batch_keys(t, doc, plan);
  return plan;
}

}  // namespace

PlanError::PlanError(std::string file, int64_t line, std::string key, std::string reason)
    : ConfigError(key, reason), file_(std::move(file)), line_(line), reason_(std::move(reason)) {
  message_ = file_;
  if (line_ > 0) message_ += ":" + std::to_string(line_);
  if (!this->key().empty()) message_ += ": " + this->key();
  message_ += ": " + reason_;
  message_ = sanitize_message(message_);  // plan text is input: keep it terminal-safe
}

Plan plan_from_toml(std::string_view text, const std::string& file, const fs::path& base_dir,
                    const PlanReadOptions& options) {
  TomlDocument doc{file, base_dir, {}};
  toml::table root;
  try {
    root = toml::parse(text, file);
  } catch (const toml::parse_error& e) {
    throw PlanError(
        file, static_cast<int64_t>(e.source().begin.line), "",
        fmt::format("invalid TOML (column {}): {}", e.source().begin.column, e.description()));
  }
  Plan plan = read_plan(root, doc, options.check_files);
  if (options.lines != nullptr) {
    options.lines->file = file;
    options.lines->years.clear();
    for (size_t i = 0; i < plan.years.size(); ++i) {
      const std::string key = fmt::format("years[{}]", i);
      options.lines->years[plan.years[i].year] = {key, doc.line_of(key)};
    }
  }
  // Cross-field rules (required keys, stage needs) live in Plan::validate; give them a line.
  try {
    plan.validate();
  } catch (const PlanError&) {
    throw;
  } catch (const ConfigError& e) {
    std::string reason = e.what();
    const std::string prefix = "'" + e.key() + "': ";
    if (reason.rfind(prefix, 0) == 0) reason = reason.substr(prefix.size());
    throw PlanError(file, doc.line_of(e.key()), e.key(), reason);
  }
  return plan;
}

Plan read_plan_toml(const fs::path& path, const PlanReadOptions& options) {
  std::ifstream in(path, std::ios::binary);
  if (!in || fs::is_directory(path))
    throw PlanError(path.string(), 0, "", "cannot read the plan file (does it exist?)");
  std::ostringstream text;
  text << in.rdbuf();
  fs::path base = path.parent_path();
  if (base.empty()) base = ".";
  return plan_from_toml(text.str(), path.string(), detail::resolve_path(fs::absolute(base), "."),
                        options);
}

}  // namespace flowfit::pipeline
