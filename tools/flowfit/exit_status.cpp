#include "tools/flowfit/exit_status.hpp"

#include <filesystem>
#include <new>

#include "flowfit/error.hpp"
#include "tools/flowfit/exit_codes.hpp"

namespace flowfit::cli {
namespace {

// "'<path>': <reason> (<operation>)" rather than the library's "filesystem error: ..." text.
std::string describe(const std::filesystem::filesystem_error& e) {
  std::string what = e.what();
  std::string op = what;
  if (op.rfind("filesystem error: ", 0) == 0) op = op.substr(18);
  if (const auto colon = op.find(':'); colon != std::string::npos) op = op.substr(0, colon);
  std::string out = e.path1().empty() ? std::string() : "'" + e.path1().string() + "': ";
  return out + e.code().message() + " (" + op + ")";
}

}  // namespace

ExitStatus exit_status_of(std::exception_ptr error) {
  try {
    std::rethrow_exception(error);
  } catch (const CheckFailed& e) {
    return {kExitCheckFailed, "check failed", e.what()};
  } catch (const BackendUnavailable& e) {
    return {kExitNoBackend, "backend unavailable", e.what()};
  } catch (const OutputError& e) {
    return {kExitOutput, "cannot write output", e.what()};
  } catch (const DeviceError& e) {
    return {kExitDevice, "device failure", e.what()};
  } catch (const ConfigError& e) {
    return {kExitUsage, "error", e.what()};
  } catch (const InputError& e) {
    return {kExitBadInput, "error", e.what()};
  } catch (const LogicError& e) {
    return {kExitInternal, "internal error", e.what()};
  } catch (const Cancelled& e) {
    return {kExitInterrupted, "interrupted", e.what()};
  } catch (const Error& e) {
    return {kExitBadInput, "error", e.what()};
  } catch (const std::filesystem::filesystem_error& e) {
    return {kExitBadInput, "error", describe(e)};
  } catch (const std::bad_alloc&) {
    return {kExitInternal, "error", "out of memory"};
  } catch (const std::exception& e) {
    return {kExitInternal, "internal error", e.what()};
  } catch (...) {
    return {kExitInternal, "internal error", "an unknown exception"};
  }
}

}  // namespace flowfit::cli
