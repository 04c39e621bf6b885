#include "flowfit/io/atomic_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>
#include <utility>

#include "flowfit/error.hpp"

namespace flowfit::io {
namespace {

constexpr std::size_t kBufferBytes = std::size_t{1} << 20;

std::string quoted(const std::filesystem::path& p) {
  return "'" + p.string() + "'";
}

// fsync of the directory makes the rename itself durable.
void sync_directory(const std::filesystem::path& dir) {
  int fd = ::open(dir.empty() ? "." : dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return;  // best effort: some file systems do not allow opening directories
  ::fsync(fd);
  ::close(fd);
}

}  // namespace

AtomicFile::AtomicFile(std::filesystem::path target) : target_(std::move(target)) {
  if (target_.filename().empty()) {
    throw OutputError("cannot write " + quoted(target_) + ": not a file name");
  }
  const std::filesystem::path dir = target_.parent_path();
  const std::string base =
      "." + target_.filename().string() + ".tmp." + std::to_string(static_cast<long>(::getpid()));
  // O_EXCL: never write into a file someone else is writing. A second writer of the same target
  // in this process gets a numbered name.
  for (int attempt = 0; attempt < 1000; ++attempt) {
    temp_ = dir / (attempt == 0 ? base : base + "." + std::to_string(attempt));
    fd_ = ::open(temp_.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
    if (fd_ >= 0) break;
    if (errno != EEXIST) fail("cannot create temporary file " + quoted(temp_), errno);
  }
  if (fd_ < 0) fail("cannot create temporary file " + quoted(temp_), EEXIST);
  buffer_.resize(kBufferBytes);
}

AtomicFile::AtomicFile(AtomicFile&& other) noexcept
    : target_(std::move(other.target_)),
      temp_(std::move(other.temp_)),
      fd_(std::exchange(other.fd_, -1)),
      committed_(std::exchange(other.committed_, true)),
      bytes_written_(other.bytes_written_),
      buffer_(std::move(other.buffer_)),
      used_(std::exchange(other.used_, 0)) {}

AtomicFile::~AtomicFile() {
  if (fd_ >= 0) ::close(fd_);
  if (!committed_ && !temp_.empty()) ::unlink(temp_.c_str());
}

void AtomicFile::fail(std::string_view what, int err) const {
  throw OutputError("cannot write " + quoted(target_) + ": " + std::string(what) + ": " +
                    std::strerror(err));
}

void AtomicFile::flush() {
  const char* p = buffer_.data();
  std::size_t left = used_;
  while (left > 0) {
    ssize_t n = ::write(fd_, p, left);
    if (n < 0) {
      if (errno == EINTR) continue;
      used_ = 0;
      fail("write failed", errno);
    }
    p += n;
    left -= static_cast<std::size_t>(n);
  }
  used_ = 0;
}

void AtomicFile::write(const void* data, std::size_t size) {
  if (fd_ < 0) throw Error("cannot write " + quoted(target_) + ": stream already closed");
  if (size == 0) return;  // data may be null for an empty array
  const char* p = static_cast<const char*>(data);
  bytes_written_ += size;
  if (used_ + size <= buffer_.size()) {
    std::memcpy(buffer_.data() + used_, p, size);
    used_ += size;
    return;
  }
  flush();
  if (size >= buffer_.size()) {  // large block: straight to the file
    while (size > 0) {
      ssize_t n = ::write(fd_, p, size);
      if (n < 0) {
        if (errno == EINTR) continue;
        fail("write failed", errno);
      }
      p += n;
      size -= static_cast<std::size_t>(n);
    }
    return;
  }
  std::memcpy(buffer_.data(), p, size);
  used_ = size;
}

void AtomicFile::write_zeros(std::size_t count) {
  static constexpr char zeros[64] = {};
  while (count > 0) {
    std::size_t n = count < sizeof zeros ? count : sizeof zeros;
    write(zeros, n);
    count -= n;
  }
}

void AtomicFile::release_stream() {
  if (fd_ < 0) return;
  flush();
  if (::close(std::exchange(fd_, -1)) != 0) fail("close failed", errno);
}

void AtomicFile::commit() {
  if (committed_) throw Error("cannot write " + quoted(target_) + ": already committed");
  if (fd_ >= 0) {
    flush();
    if (::fsync(fd_) != 0) fail("fsync failed", errno);
    if (::close(std::exchange(fd_, -1)) != 0) fail("close failed", errno);
  } else {
    // Written by someone else after release_stream(): sync it by name.
    int fd = ::open(temp_.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) fail("cannot reopen " + quoted(temp_), errno);
    int rc = ::fsync(fd);
    int err = errno;
    ::close(fd);
    if (rc != 0) fail("fsync failed", err);
  }
  if (::rename(temp_.c_str(), target_.c_str()) != 0) fail("rename failed", errno);
  committed_ = true;
  sync_directory(target_.parent_path());
}

}  // namespace flowfit::io
