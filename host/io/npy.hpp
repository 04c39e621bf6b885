#pragma once
// The .npy array header (NumPy format versions 1.0, 2.0 and 3.0): parsing and writing.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace flowfit::io::detail {

struct NpyHeader {
  std::string descr;  // as written, e.g. "<f8" or "|S3"
  char kind = '?';    // 'i' 'u' 'f' 'b' 'S' 'U' 'c' ...
  int itemsize = 0;
  bool big_endian = false;
  bool fortran_order = false;
  std::vector<int64_t> shape;
  std::size_t header_bytes = 0;  // bytes before the array data (magic to padding)
  int64_t elements = 0;          // product of the shape (1 for a 0-d array), overflow-checked
  uint64_t data_bytes = 0;       // elements * itemsize, overflow-checked

  int64_t count() const { return elements; }
};

// Longest header dict accepted, and largest item size: far above anything numpy writes for the
// plain dtypes flowfit reads, and low enough that a hostile header costs nothing to reject.
inline constexpr std::size_t kMaxNpyHeaderBytes = std::size_t{1} << 20;
inline constexpr int kMaxNpyItemBytes = 1 << 16;

// Bytes of the fixed preamble: magic (6), version (2) and the header length (2 for v1, 4 for
// v2/v3). `prefix` holds at least the first 8 bytes; returns 10 or 12, or 0 when the magic or
// version is not valid.
std::size_t npy_preamble_bytes(std::string_view prefix);
// Length of the header dict from the preamble (prefix holds npy_preamble_bytes() bytes).
uint32_t npy_dict_bytes(std::string_view prefix);
// Parses the preamble and header dict. Returns "" on success or the reason for rejecting it.
std::string parse_npy_header(std::string_view bytes, NpyHeader& out);

// A version 1.0 header for a C-order array, padded so that the data starts at a multiple of 64.
std::string make_npy_header(std::string_view descr, const std::vector<int64_t>& shape);

}  // namespace flowfit::io::detail
