#include "tools/flowfit/outputs.hpp"

#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <string>
#include <system_error>
#include <thread>

#include "flowfit/error.hpp"
#include "flowfit/io/atomic_file.hpp"
#include "tools/flowfit/interrupt_guard.hpp"

namespace flowfit::cli {

namespace fs = std::filesystem;

void check_output_directory(const fs::path& dir, std::string_view option) {
  const std::string key(option);
  fs::path at = dir.empty() ? fs::path(".") : dir;
  std::error_code ec;
  // The nearest part of the path that exists: the directory itself, or where it will be created.
  while (!fs::exists(at, ec) && at.has_parent_path() && at.parent_path() != at)
    at = at.parent_path();
  if (!fs::exists(at, ec)) at = ".";
  if (!fs::is_directory(at, ec))
    throw OutputError("cannot write into '" + dir.string() + "' (" + key + "): '" + at.string() +
                      "' is not a directory");
  if (::access(at.c_str(), W_OK | X_OK) != 0)
    throw OutputError("cannot write into '" + dir.string() + "' (" + key + "): directory '" +
                      at.string() + "' is not writable");
}

void prepare_output(const fs::path& path, std::string_view option,
                    const std::vector<NamedInput>& inputs) {
  const std::string key(option);
  if (path.empty()) throw ConfigError(key, "an output file name is required");
  std::error_code ec;
  if (fs::is_directory(path, ec))
    throw ConfigError(key, "'" + path.string() + "' is a directory; give a file name");
  io::refuse_output_over_input(path, key, inputs);
  const fs::path dir = path.parent_path().empty() ? fs::path(".") : path.parent_path();
  if (!fs::exists(dir, ec))
    throw ConfigError(key, "cannot write '" + path.string() + "': directory '" + dir.string() +
                               "' does not exist");
  check_output_directory(dir, option);
  guard_output(path);
}

void write_text_output(const fs::path& path, std::string_view text) {
  io::AtomicFile out(path);
  out.write(text);
  if (const char* stall = std::getenv("FLOWFIT_TEST_STALL_BEFORE_COMMIT")) {
    out.release_stream();  // the temporary file is complete on disk, not yet renamed
    std::this_thread::sleep_for(std::chrono::duration<double>(std::atof(stall)));
  }
  out.commit();
}

}  // namespace flowfit::cli
