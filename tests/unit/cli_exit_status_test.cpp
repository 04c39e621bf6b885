// The exit code of every kind of error (docs/cli.md, "Exit codes"), through the one mapping
// main() uses: device failures (7) and output failures (6) included.
#include <gtest/gtest.h>

#include <filesystem>
#include <new>
#include <system_error>

#include "flowfit/error.hpp"
#include "tools/flowfit/exit_codes.hpp"
#include "tools/flowfit/exit_status.hpp"

namespace flowfit::cli {
namespace {

template <class E>
ExitStatus status_of(const E& e) {
  return exit_status_of(std::make_exception_ptr(e));
}

TEST(CliExitStatus, EveryKindOfErrorHasItsDocumentedCode) {
  EXPECT_EQ(status_of(DeviceError("cudaMalloc: out of memory")).code, 7);
  EXPECT_EQ(status_of(DeviceError("x")).kind, "device failure");
  EXPECT_EQ(status_of(OutputError("disk full")).code, 6);
  EXPECT_EQ(status_of(OutputError("x")).kind, "cannot write output");
  EXPECT_EQ(status_of(CheckFailed("--strict")).code, 5);
  EXPECT_EQ(status_of(BackendUnavailable("no GPU")).code, 4);
  EXPECT_EQ(status_of(InputError("f.csv", 3, "target", "not a number")).code, 3);
  EXPECT_EQ(status_of(Error("bad data")).code, 3);
  EXPECT_EQ(status_of(ConfigError("--threads", "must be positive")).code, 2);
  EXPECT_EQ(status_of(LogicError("scale_by_cell: one factor per cell expected")).code, 1);
  EXPECT_EQ(status_of(LogicError("x")).kind, "internal error");
  EXPECT_EQ(status_of(Cancelled("cancelled in stage 'county_ipf'")).code, 130);
  EXPECT_EQ(status_of(Cancelled("x")).kind, "interrupted");
  EXPECT_EQ(status_of(std::bad_alloc()).code, 1);
  EXPECT_EQ(status_of(std::bad_alloc()).message, "out of memory");
  EXPECT_EQ(status_of(std::logic_error("bug")).code, 1);
  EXPECT_EQ(status_of(std::logic_error("bug")).kind, "internal error");
  EXPECT_EQ(exit_status_of(std::make_exception_ptr(42)).code, 1);
  // The codes are the documented constants.
  EXPECT_EQ(kExitDevice, 7);
  EXPECT_EQ(kExitOutput, 6);
}

TEST(CliExitStatus, FilesystemErrorsNameThePathWithoutTheLibraryPrefix) {
  const std::filesystem::filesystem_error e("cannot open", "/data/in.csv",
                                            std::make_error_code(std::errc::permission_denied));
  const ExitStatus s = status_of(e);
  EXPECT_EQ(s.code, 3);
  EXPECT_EQ(s.message.rfind("'/data/in.csv': ", 0), 0u) << s.message;
  EXPECT_EQ(s.message.find("filesystem error"), std::string::npos) << s.message;
}

}  // namespace
}  // namespace flowfit::cli
