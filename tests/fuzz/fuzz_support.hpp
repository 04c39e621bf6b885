#pragma once
// Shared by the libFuzzer harnesses: the readers take paths, so each input is written to a
// per-process scratch file first. A reader may reject an input only with flowfit::Error (its
// message checked to be terminal-safe); anything else (another exception, a sanitizer report,
// an allocation over -malloc_limit_mb) is a finding.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>

#include "flowfit/error.hpp"

namespace flowfit::fuzz {

inline std::filesystem::path scratch_file(const std::string& extension) {
  const char* dir = std::getenv("FLOWFIT_FUZZ_TMP");
  std::filesystem::path base = dir != nullptr ? dir : "/tmp";
  return base / ("flowfit_fuzz_" + std::to_string(::getpid()) + extension);
}

inline std::filesystem::path write_scratch(const uint8_t* data, size_t size,
                                           const std::string& extension) {
  const auto path = scratch_file(extension);
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
  return path;
}

// Error messages reach terminals: no control character may survive in them.
inline void check_message(const std::exception& e) {
  for (unsigned char c : std::string_view(e.what())) {
    if ((c < 0x20 && c != '\n' && c != '\t') || c == 0x7f) std::abort();
  }
}

// Runs `read()`, accepting flowfit::Error as the only way to reject the input.
template <class Read>
void expect_clean(Read&& read) {
  try {
    read();
  } catch (const flowfit::Error& e) {
    check_message(e);
  }
}

}  // namespace flowfit::fuzz
