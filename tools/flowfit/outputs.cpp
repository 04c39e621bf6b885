#include "tools/flowfit/outputs.hpp"

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

void prepare_output(const fs::path& path, std::string_view option,
                    std::initializer_list<fs::path> inputs) {
  const std::string key(option);
  if (path.empty()) throw ConfigError(key, "an output file name is required");
  std::error_code ec;
  if (fs::is_directory(path, ec))
    throw ConfigError(key, "'" + path.string() + "' is a directory; give a file name");
  const fs::path dir = path.parent_path().empty() ? fs::path(".") : path.parent_path();
  if (!fs::is_directory(dir, ec))
    throw ConfigError(key, "cannot write '" + path.string() + "': directory '" + dir.string() +
                               "' does not exist");
  for (const fs::path& in : inputs) {
    if (!in.empty() && fs::exists(path, ec) && fs::equivalent(path, in, ec))
      throw ConfigError(key, "'" + path.string() + "' is also an input; choose another output");
  }
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
