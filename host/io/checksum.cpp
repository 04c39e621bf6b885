#include "flowfit/io/checksum.hpp"

#include <zlib.h>

#include <algorithm>

#include "flowfit/io/mapped_file.hpp"
#include "sha256.hpp"

namespace flowfit::io {
namespace {

std::string hex(const std::array<uint8_t, 32>& digest) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(64);
  for (uint8_t b : digest) {
    out += kDigits[b >> 4];
    out += kDigits[b & 15];
  }
  return out;
}

}  // namespace

std::string sha256_hex(std::span<const std::byte> data) {
  detail::Sha256 sha;
  sha.update(data.data(), data.size());
  return hex(sha.finish());
}

std::string sha256_hex(std::string_view data) {
  return sha256_hex(std::as_bytes(std::span<const char>(data.data(), data.size())));
}

// Hashed in slices whose pages are dropped from the process as soon as they are hashed
// (MappedFile::drop_pages, as the .ffm reader does): mapped pages count towards the resident set,
// and run() hashes its output while the matrix is still in memory (mapping the whole national
// matrix doubled the peak RSS).
std::string file_sha256(const std::filesystem::path& path) {
  const MappedFile file(path);
  const std::span<const std::byte> bytes = file.bytes();
  constexpr std::size_t kSlice = std::size_t{8} << 20;
  detail::Sha256 sha;
  for (std::size_t at = 0; at < bytes.size(); at += kSlice) {
    const std::size_t n = std::min(kSlice, bytes.size() - at);
    sha.update(bytes.data() + at, n);
    file.drop_pages(at, n);
  }
  return hex(sha.finish());
}

uint32_t crc32(std::span<const std::byte> data, uint32_t crc) {
  const auto* p = reinterpret_cast<const Bytef*>(data.data());
  std::size_t left = data.size();
  uLong c = crc;
  // zlib takes uInt lengths; feed large buffers in pieces.
  while (left > 0) {
    const auto n = static_cast<uInt>(std::min<std::size_t>(left, 1u << 30));
    c = ::crc32(c, p, n);
    p += n;
    left -= n;
  }
  return static_cast<uint32_t>(c);
}

}  // namespace flowfit::io
