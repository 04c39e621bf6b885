#pragma once
// Exit codes of the flowfit command (documented in docs/cli.md, "Exit codes").
#include <stdexcept>

namespace flowfit::cli {

inline constexpr int kExitOk = 0;
inline constexpr int kExitInternal = 1;       // a bug or an unexpected system failure
inline constexpr int kExitUsage = 2;          // bad command line, invalid plan or option
inline constexpr int kExitBadInput = 3;       // malformed or inconsistent input data
inline constexpr int kExitNoBackend = 4;      // the requested backend is not available here
inline constexpr int kExitCheckFailed = 5;    // compare beyond tolerance; --strict checks failed
inline constexpr int kExitOutput = 6;         // an output cannot be written (folder, disk, rename)
inline constexpr int kExitDevice = 7;         // the accelerator failed while computing
inline constexpr int kExitInterrupted = 130;  // SIGINT (128 + signal number; SIGTERM gives 143)

// A check the user asked for failed (--strict, --rtol): main() prints it and exits with
// kExitCheckFailed.
class CheckFailed : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace flowfit::cli
