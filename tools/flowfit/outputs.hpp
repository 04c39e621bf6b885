#pragma once
// Output files of the subcommands: checked before any work starts, written atomically.
#include <filesystem>
#include <initializer_list>
#include <string_view>

namespace flowfit::cli {

// Checks an output path up front (its directory exists, it is not a directory, it is not one of
// `inputs`) and registers it with the interrupt guard. Throws ConfigError(option, ...).
void prepare_output(const std::filesystem::path& path, std::string_view option,
                    std::initializer_list<std::filesystem::path> inputs = {});

// Writes text through io::AtomicFile. For the interrupt tests only: with the environment
// variable FLOWFIT_TEST_STALL_BEFORE_COMMIT=<seconds> it waits that long before committing.
void write_text_output(const std::filesystem::path& path, std::string_view text);

}  // namespace flowfit::cli
