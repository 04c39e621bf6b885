// libFuzzer harness: the .npy header parser, in memory (host/io/npy.cpp). The parsed sizes must
// be consistent: elements * itemsize == data_bytes, with no overflow.
#include <cstdlib>
#include <string_view>

#include "fuzz_support.hpp"
#include "host/io/npy.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  flowfit::io::detail::NpyHeader h;
  const std::string why = flowfit::io::detail::parse_npy_header(
      std::string_view(reinterpret_cast<const char*>(data), size), h);
  if (why.empty()) {
    if (h.itemsize <= 0 || h.elements < 0) std::abort();
    if (static_cast<unsigned __int128>(h.elements) * static_cast<unsigned>(h.itemsize) !=
        h.data_bytes) {
      std::abort();
    }
  }
  return 0;
}
