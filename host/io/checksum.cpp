#include "flowfit/io/checksum.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <vector>

#include "flowfit/error.hpp"
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

// Read in chunks, not memory-mapped: a mapped file's pages count towards the process's resident
// memory until unmapped, and run() hashes its output while the matrix is still in memory (a
// mapped national matrix doubled the peak RSS).
std::string file_sha256(const std::filesystem::path& path) {
  const std::string name = path.string();
  const int fd = ::open(name.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw InputError(name, 0, "", std::string("cannot open: ") + std::strerror(errno));
  struct Closer {
    int fd;
    ~Closer() { ::close(fd); }
  } closer{fd};
  struct stat st {};
  if (::fstat(fd, &st) != 0)
    throw InputError(name, 0, "", std::string("cannot stat: ") + std::strerror(errno));
  if (S_ISDIR(st.st_mode)) throw InputError(name, 0, "", "is a directory");
  detail::Sha256 sha;
  std::vector<unsigned char> chunk(std::size_t{1} << 20);
  for (;;) {
    const ssize_t n = ::read(fd, chunk.data(), chunk.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      throw InputError(name, 0, "", std::string("read failed: ") + std::strerror(errno));
    }
    if (n == 0) break;
    sha.update(chunk.data(), static_cast<std::size_t>(n));
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
