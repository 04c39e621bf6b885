#include "tools/flowfit/cli_context.hpp"

#include <omp.h>

#include <fstream>
#include <iostream>
#include <iterator>

#include <fmt/format.h>

#include "flowfit/escape.hpp"

namespace flowfit::cli {

void Console::info(std::string_view message) const {
  if (!quiet) std::cerr << "flowfit: " << message << '\n';
}

void Console::detail(std::string_view message) const {
  if (verbosity > 0 && !quiet) std::cerr << "flowfit: " << message << '\n';
}

void Console::warn(std::string_view message) const {
  std::cerr << "flowfit: warning: " << flowfit::sanitize_message(message) << '\n';
}

std::unique_ptr<Backend> choose_backend(const GlobalOptions& global, BackendChoice fallback,
                                        int fallback_threads) {
  const BackendChoice choice =
      global.backend_given ? backend_choice_from_string(global.backend) : fallback;
  const int threads = global.threads_given ? global.threads : fallback_threads;
  SelectedBackend selected = select_backend({choice, threads, global.device});
  global.console.info(fmt::format("backend: {} ({})", selected.backend->name(), selected.reason));
  return std::move(selected.backend);
}

std::string process_command_line() {
  std::ifstream in("/proc/self/cmdline", std::ios::binary);
  std::string raw((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  while (!raw.empty() && raw.back() == '\0') raw.pop_back();
  for (char& c : raw)
    if (c == '\0') c = ' ';
  return raw;
}

void apply_thread_option(const GlobalOptions& global) {
  if (global.threads > 0) omp_set_num_threads(global.threads);
}

}  // namespace flowfit::cli
