// pipeline::Plan -> TOML text (the schema read by plan_toml.cpp).
#include <optional>

#include <fmt/format.h>

#include "flowfit/pipeline/plan_toml.hpp"
#include "host/pipeline/plan_toml_batch.hpp"

namespace flowfit::pipeline {
namespace {

namespace fs = std::filesystem;

// A TOML basic string.
std::string toml_string(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\r':
        out += "\\r";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f)
          out += fmt::format("\\u{:04X}", static_cast<unsigned>(static_cast<unsigned char>(c)));
        else
          out += c;
    }
  }
  return out + "\"";
}

std::string path_text(const fs::path& p, const fs::path& base) {
  if (!base.empty() && p.is_absolute()) {
    const fs::path rel = p.lexically_relative(base);
    if (!rel.empty() && *rel.begin() != "..") return rel.generic_string();
  }
  return p.generic_string();
}

std::string_view backend_name(BackendChoice b) {
  switch (b) {
    case BackendChoice::automatic:
      return "auto";
    case BackendChoice::cpu:
      return "cpu";
    case BackendChoice::cuda:
      return "cuda";
    case BackendChoice::reference:
      return "reference";
  }
  return "auto";
}

// Shortest text that reads back to the same double, always with a '.' or exponent.
std::string real_text(double v) {
  std::string s = fmt::format("{}", v);
  if (s.find_first_of(".eEn") == std::string::npos) s += ".0";
  return s;
}

// A stage option's value as TOML.
std::string option_text(int n) {
  return std::to_string(n);
}
std::string option_text(double v) {
  return real_text(v);
}
std::string option_text(const std::optional<double>& v) {
  return v ? real_text(*v) : "";
}
std::string option_text(FitMethod m) {
  return toml_string(to_string(m));
}

}  // namespace

std::string plan_to_toml(const Plan& plan, const fs::path& relative_to) {
  std::string out;
  auto line = [&](std::string_view key, const std::string& value) {
    out += fmt::format("{} = {}\n", key, value);
  };
  auto path_line = [&](std::string_view key, const fs::path& p) {
    if (!p.empty()) line(key, toml_string(path_text(p, relative_to)));
  };
  line("name", toml_string(plan.name));
  path_line("geography", plan.geography);
  line("geography_column", toml_string(plan.geography_column));
  if (plan.allow_partial_geography) line("allow_partial_geography", "true");
  line("backend", toml_string(backend_name(plan.backend)));
  line("threads", std::to_string(plan.threads));
  out += detail::batch_toml_keys(plan.batch);

  const CensusSources& c = plan.census;
  out += "\n[census]\n";
  path_line("census_dir", c.census_dir);
  path_line("golden_dir", c.golden_dir);
  path_line("cbg_census2010", c.cbg_census2010);
  path_line("cbg_acs5", c.cbg_acs5);
  path_line("cbg_populations", c.cbg_populations);
  if (plan.nnls.snap_noise) {  // written only when not the default (the reference's solver)
    out += "\n[nnls]\n";
    line("snap_noise", "true");
  }

  for (const YearSpec& y : plan.years) {
    out += "\n[[years]]\n";
    line("year", std::to_string(y.year));
    path_line("matrix", y.matrix);
  }
  for (const StageSpec& s : plan.stages) {
    out += "\n[[stages]]\n";
    line("kind", toml_string(to_string(s.kind)));
    // Every stage option (flowfit/stage.hpp): the ones plans always wrote, and any other that
    // differs from the kind's default (which the reader starts from).
    const StageSpec defaults = StageSpec::defaults(s.kind);
    for_each_stage_option(
        [&](const StageOptionKey& k, const auto& value, const auto& default_value) {
          const std::string text = option_text(value);  // "" for an unset optional
          if (!text.empty() && (k.always_written || value != default_value)) line(k.key, text);
        },
        s, defaults);
  }
  out += "\n[output]\n";
  path_line("dir", plan.output.dir);
  line("format", toml_string(plan.output.format));
  line("stage_outputs", plan.output.stage_outputs ? "true" : "false");
  if (!plan.output.stage_outputs_format.empty())  // unset: the stage outputs use `format`
    line("stage_outputs_format", toml_string(plan.output.stage_outputs_format));
  line("intermediate_tables", plan.output.intermediate_tables ? "true" : "false");
  out += detail::batch_toml_table(plan.batch);
  return out;
}

}  // namespace flowfit::pipeline
