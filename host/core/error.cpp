#include "flowfit/error.hpp"

#include <utility>

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
    : Error(describe_input_error(file, line, field, reason)),
      file_(std::move(file)),
      line_(line),
      field_(std::move(field)),
      reason_(std::move(reason)) {}

ConfigError::ConfigError(std::string key, std::string reason)
    : Error(key.empty() ? reason : "'" + key + "': " + reason), key_(std::move(key)) {}

}  // namespace flowfit
