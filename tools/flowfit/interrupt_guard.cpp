#include "tools/flowfit/interrupt_guard.hpp"

#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include <cstring>
#include <mutex>
#include <set>
#include <string>
#include <system_error>
#include <thread>

namespace flowfit::cli {
namespace {

namespace fs = std::filesystem;

std::mutex& dirs_mutex() {
  static std::mutex m;
  return m;
}
std::set<fs::path>& guarded_dirs() {
  static std::set<fs::path> dirs;
  return dirs;
}

sigset_t guarded_signals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGHUP);
  return set;
}

// AtomicFile names its temporary `.<name>.tmp.<pid>[.<n>]`; libzip (npz) adds `.XXXXXX`.
bool is_our_temporary(const std::string& name, const std::string& pid_tag) {
  if (name.size() < 2 || name[0] != '.') return false;
  for (auto at = name.find(pid_tag); at != std::string::npos; at = name.find(pid_tag, at + 1)) {
    const auto after = at + pid_tag.size();
    if (after == name.size() || name[after] == '.') return true;  // not the prefix of a longer pid
  }
  return false;
}

[[noreturn]] void watch() {
  const sigset_t set = guarded_signals();
  int sig = 0;
  while (sigwait(&set, &sig) != 0) {
  }
  const int removed = remove_temporary_outputs();
  std::string msg =
      std::string("\nflowfit: interrupted by ") + strsignal(sig) + "; no partial output was left";
  if (removed > 0) msg += " (" + std::to_string(removed) + " temporary file(s) removed)";
  msg += "\n";
  [[maybe_unused]] auto n = ::write(STDERR_FILENO, msg.data(), msg.size());
  ::_exit(128 + sig);
}

}  // namespace

void install_interrupt_guard() {
  const sigset_t set = guarded_signals();
  pthread_sigmask(SIG_BLOCK, &set, nullptr);  // inherited by every thread started later
  std::thread(watch).detach();
}

void guard_output(const fs::path& output_path, bool is_directory) {
  std::error_code ec;
  fs::path dir = is_directory ? output_path : output_path.parent_path();
  if (dir.empty()) dir = ".";
  dir = fs::absolute(dir, ec);
  std::lock_guard lock(dirs_mutex());
  guarded_dirs().insert(dir);
}

int remove_temporary_outputs() {
  const std::string pid_tag = ".tmp." + std::to_string(static_cast<long>(::getpid()));
  std::lock_guard lock(dirs_mutex());
  int removed = 0;
  for (const fs::path& dir : guarded_dirs()) {
    std::error_code ec;
    for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
      const std::string name = it->path().filename().string();
      if (!is_our_temporary(name, pid_tag)) continue;
      std::error_code rm;
      if (fs::remove(it->path(), rm)) ++removed;
    }
  }
  return removed;
}

}  // namespace flowfit::cli
