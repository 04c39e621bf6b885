#pragma once
// Which exit code, kind and message an exception escaping a subcommand gets (docs/cli.md, "Exit
// codes"): one mapping, used by main() and checked by the unit tests for every kind of error,
// device failures included (which no machine without a GPU can provoke).
#include <exception>
#include <string>

namespace flowfit::cli {

struct ExitStatus {
  int code;
  std::string kind;     // "error", "device failure", "cannot write output", ...
  std::string message;  // unescaped: main() sanitises it for the terminal
};

ExitStatus exit_status_of(std::exception_ptr error);

}  // namespace flowfit::cli
