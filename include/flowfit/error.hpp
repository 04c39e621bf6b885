#pragma once
// Exceptions thrown by flowfit. Every error carries enough context to act on it:
// InputError names the file, the 1-based line and the field; ConfigError names the key.
#include <cstdint>
#include <stdexcept>
#include <string>

namespace flowfit {

class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Malformed or inconsistent input data. line == 0 means "not tied to one line".
class InputError : public Error {
 public:
  InputError(std::string file, int64_t line, std::string field, std::string reason);
  const std::string& file() const { return file_; }
  int64_t line() const { return line_; }
  const std::string& field() const { return field_; }
  const std::string& reason() const { return reason_; }

 private:
  std::string file_;
  int64_t line_;
  std::string field_;
  std::string reason_;
};

// A plan, option or API argument that is invalid. `key` names the offending setting.
class ConfigError : public Error {
 public:
  ConfigError(std::string key, std::string reason);
  const std::string& key() const { return key_; }
  const std::string& reason() const { return reason_; }  // the message without the key

 private:
  std::string key_;
  std::string reason_;
};

// The library was used against its contract: a kernel given another backend's (or another
// matrix's) objects, a wrong number of factors, a broken internal invariant. A bug in the calling
// code, not bad data: the CLI reports it as an internal error (exit 1).
class LogicError : public Error {
 public:
  using Error::Error;
};

// A requested backend cannot be used here (not built, or no device).
class BackendUnavailable : public Error {
 public:
  using Error::Error;
};

// An output that cannot be written (directory missing or read-only, disk full, rename failed).
// Distinct from InputError so that the CLI can say "cannot write" with its own exit code.
class OutputError : public Error {
 public:
  using Error::Error;
};

// The accelerator failed while computing (a CUDA or cuSPARSE call returned an error).
class DeviceError : public Error {
 public:
  using Error::Error;
};

// The caller cancelled the computation (flowfit/cancel.hpp).
class Cancelled : public Error {
 public:
  using Error::Error;
};

}  // namespace flowfit
