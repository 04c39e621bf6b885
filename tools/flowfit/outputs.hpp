#pragma once
// Output files of the subcommands: checked before any work starts, written atomically.
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "flowfit/io/path_identity.hpp"

namespace flowfit::cli {

using io::NamedInput;

// Checks an output path up front, before any computation: it is not a directory, its directory
// exists and is writable (OutputError otherwise), and it is not one of `inputs`, by any name
// (ConfigError(option, ...): an output may never replace an input). Registers it with the
// interrupt guard.
void prepare_output(const std::filesystem::path& path, std::string_view option,
                    const std::vector<NamedInput>& inputs = {});

// Checks that `dir` can hold outputs: it is a writable directory, or it does not exist yet and
// its nearest existing ancestor is a writable directory (it will be created). Throws OutputError
// naming `option`.
void check_output_directory(const std::filesystem::path& dir, std::string_view option);

// Writes text through io::AtomicFile. For the interrupt tests only: with the environment
// variable FLOWFIT_TEST_STALL_BEFORE_COMMIT=<seconds> it waits that long before committing.
void write_text_output(const std::filesystem::path& path, std::string_view text);

}  // namespace flowfit::cli
