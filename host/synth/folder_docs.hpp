#pragma once
// The plan and the README of a synthetic problem folder.
#include <filesystem>
#include <string>

#include "flowfit/synth/synth.hpp"

namespace flowfit::synth::detail {

// The TOML plan text (released stage order, paths relative to the folder).
std::string plan_toml_text(const SynthSummary& summary, const SynthOutputOptions& options);
void write_plan_toml(const std::filesystem::path& path, const SynthSummary& summary,
                     const SynthOutputOptions& options);
void write_readme(const std::filesystem::path& path, const SynthSummary& summary,
                  const SynthOutputOptions& options, const SynthPaths& paths);

}  // namespace flowfit::synth::detail
