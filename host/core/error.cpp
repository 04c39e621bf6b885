#include "flowfit/error.hpp"

#include <utility>

#include "flowfit/escape.hpp"

namespace flowfit {
namespace {

std::string describe_input_error(const std::string& file, int64_t line, const std::string& field,
                                 const std::string& reason) {
  std::string out;
  out.append(file);
  if (line > 0) out.append(":").append(std::to_string(line));
  if (!field.empty()) out.append(": field '").append(field).append("'");
  out.append(": ").append(reason);
  return out;
}

}  // namespace

InputError::InputError(std::string file, int64_t line, std::string field, std::string reason)
    : Error(describe_input_error(sanitize_message(file), line, sanitize_message(field, 200),
                                 sanitize_message(reason))),
      file_(std::move(file)),
      line_(line),
      // The parts are kept terminal-safe too: callers print them on their own.
      field_(sanitize_message(field, 200)),
      reason_(sanitize_message(reason)) {}

// Messages can hold echoed input that a call site forgot to escape: the safety net makes sure no
// control sequence reaches a terminal (see flowfit/escape.hpp).
ConfigError::ConfigError(std::string key, std::string reason)
    : Error(sanitize_message(key.empty() ? reason : "'" + key + "': " + reason)),
      key_(std::move(key)),
      reason_(sanitize_message(reason)) {}

}  // namespace flowfit
