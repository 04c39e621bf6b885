#pragma once
// Running the real flowfit binary from tests: spawn with arguments, a working directory and
// extra environment, capture stdout and stderr, get the exit code.
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace flowfit::testing {

namespace fs = std::filesystem;

inline fs::path flowfit_binary() {
  return fs::path(FLOWFIT_BINARY_DIR) / "flowfit";
}

// A fresh empty directory, removed with everything in it when the object dies.
class TempDir {
 public:
  TempDir() {
    std::random_device rd;
    path_ = fs::temp_directory_path() /
            ("flowfit_cli_test_" + std::to_string(::getpid()) + "_" + std::to_string(rd()));
    fs::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

struct ProcessResult {
  int exit_code = -1;  // 128 + signal when killed by a signal
  std::string out, err;
};

class Process {
 public:
  // Starts `binary args...` in `cwd`; stdout/stderr go to files in `capture_dir`.
  Process(const fs::path& binary, const std::vector<std::string>& args, const fs::path& cwd,
          const fs::path& capture_dir, const std::vector<std::string>& env = {})
      : out_(capture_dir / "stdout.txt"), err_(capture_dir / "stderr.txt") {
    pid_ = ::fork();
    if (pid_ == 0) {
      if (::chdir(cwd.c_str()) != 0) ::_exit(126);
      const int fo = ::open(out_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      const int fe = ::open(err_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      ::dup2(fo, STDOUT_FILENO);
      ::dup2(fe, STDERR_FILENO);
      for (const auto& kv : env) ::putenv(const_cast<char*>(kv.c_str()));
      std::vector<char*> argv;
      std::string bin = binary.string();
      argv.push_back(bin.data());
      std::vector<std::string> copy = args;
      for (auto& a : copy) argv.push_back(a.data());
      argv.push_back(nullptr);
      ::execv(bin.c_str(), argv.data());
      ::_exit(127);
    }
  }
  pid_t pid() const { return pid_; }
  void signal(int sig) { ::kill(pid_, sig); }
  ProcessResult wait() {
    ProcessResult r;
    int status = 0;
    ::waitpid(pid_, &status, 0);
    if (WIFEXITED(status)) r.exit_code = WEXITSTATUS(status);
    if (WIFSIGNALED(status)) r.exit_code = 128 + WTERMSIG(status);
    r.out = slurp(out_);
    r.err = slurp(err_);
    return r;
  }

  static std::string slurp(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
  }

 private:
  pid_t pid_ = -1;
  fs::path out_, err_;
};

// Runs flowfit to completion; the capture files live in their own directory so that `cwd` (and
// any output folder) only holds what flowfit wrote.
inline ProcessResult run_flowfit(const std::vector<std::string>& args, const fs::path& cwd,
                                 const std::vector<std::string>& env = {}) {
  TempDir capture;
  Process p(flowfit_binary(), args, cwd, capture.path(), env);
  return p.wait();
}

// Every regular file under `dir` (recursively).
inline std::vector<fs::path> files_under(const fs::path& dir) {
  std::vector<fs::path> out;
  if (!fs::exists(dir)) return out;
  for (const auto& e : fs::recursive_directory_iterator(dir))
    if (e.is_regular_file()) out.push_back(e.path());
  return out;
}

}  // namespace flowfit::testing
