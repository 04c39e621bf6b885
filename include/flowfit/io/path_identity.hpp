#pragma once
// Whether two paths name the same file, however they are spelled: through symlinks, hard links,
// "./" or "../" detours. Used to refuse an output that would replace an input.
#include <filesystem>
#include <string>
#include <vector>

namespace flowfit::io {

// True when `a` and `b` are the same file: same device and inode when both exist (so a hard link
// or a symlink counts), else the same canonical path (an output not yet written).
bool same_file(const std::filesystem::path& a, const std::filesystem::path& b);

// An input of an invocation, with the option or plan key that named it.
struct NamedInput {
  std::string role;  // "--geography", "years[0].matrix", "census/pep_county_2010_2019.csv"
  std::filesystem::path path;
};

// Throws ConfigError(option, ...) when `output` is one of `inputs` (by same_file); empty input
// paths are skipped.
void refuse_output_over_input(const std::filesystem::path& output, const std::string& option,
                              const std::vector<NamedInput>& inputs);

}  // namespace flowfit::io
