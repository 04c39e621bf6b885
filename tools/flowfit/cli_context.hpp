#pragma once
// State shared by every subcommand: the global options and where messages go.
#include <memory>
#include <string>
#include <string_view>

#include "flowfit/backend.hpp"

namespace flowfit::cli {

// Messages on stderr. --quiet keeps warnings and errors only; --verbose adds details.
class Console {
 public:
  bool quiet = false;
  int verbosity = 0;  // number of --verbose flags

  void info(std::string_view message) const;    // unless quiet
  void detail(std::string_view message) const;  // only with --verbose
  void warn(std::string_view message) const;    // always
};

struct GlobalOptions {
  std::string backend = "auto";
  bool backend_given = false;  // --backend was on the command line (overrides a plan)
  int threads = 0;             // 0: OpenMP default
  bool threads_given = false;
  int device = 0;  // CUDA device index (cuda and auto backends)
  Console console;
};

// The backend the user asked for (or `fallback` when --backend was not given), announcing the
// pick and the reason on stderr unless quiet. Throws BackendUnavailable / ConfigError.
std::unique_ptr<Backend> choose_backend(const GlobalOptions& global,
                                        BackendChoice fallback = BackendChoice::automatic,
                                        int fallback_threads = 0);

// The command line of this process (arguments joined by spaces), for reports.
std::string process_command_line();

// Applies --threads to the OpenMP runtime (host-side work outside a backend: assembly,
// aggregation, NNLS).
void apply_thread_option(const GlobalOptions& global);

}  // namespace flowfit::cli
