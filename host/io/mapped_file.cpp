#include "flowfit/io/mapped_file.hpp"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <utility>

#include "flowfit/error.hpp"

namespace flowfit::io {
namespace {

// Closes a descriptor on every path out of the constructor.
struct FdGuard {
  int fd;
  ~FdGuard() {
    if (fd >= 0) ::close(fd);
  }
};

}  // namespace

MappedFile::MappedFile(const std::filesystem::path& path) : path_(path.string()) {
  FdGuard fd{::open(path.c_str(), O_RDONLY | O_CLOEXEC)};
  if (fd.fd < 0)
    throw InputError(path_, 0, "", std::string("cannot open: ") + std::strerror(errno));
  struct stat st {};
  if (::fstat(fd.fd, &st) != 0) {
    throw InputError(path_, 0, "", std::string("cannot stat: ") + std::strerror(errno));
  }
  if (S_ISDIR(st.st_mode)) throw InputError(path_, 0, "", "is a directory");
  if (S_ISREG(st.st_mode)) {
    size_ = static_cast<std::size_t>(st.st_size);
    if (size_ == 0) return;
    void* p = ::mmap(nullptr, size_, PROT_READ, MAP_PRIVATE, fd.fd, 0);
    if (p == MAP_FAILED) {
      throw InputError(path_, 0, "", std::string("cannot map: ") + std::strerror(errno));
    }
    ::madvise(p, size_, MADV_SEQUENTIAL);
    map_ = p;
    data_ = static_cast<const char*>(p);
    return;
  }
  // Pipes and other streams: read everything.
  char chunk[1 << 16];
  for (;;) {
    ssize_t n = ::read(fd.fd, chunk, sizeof chunk);
    if (n < 0) {
      if (errno == EINTR) continue;
      throw InputError(path_, 0, "", std::string("read failed: ") + std::strerror(errno));
    }
    if (n == 0) break;
    owned_.append(chunk, static_cast<std::size_t>(n));
  }
  data_ = owned_.data();
  size_ = owned_.size();
}

MappedFile::~MappedFile() {
  reset();
}

void MappedFile::reset() noexcept {
  if (map_ != nullptr) ::munmap(map_, size_);
  map_ = nullptr;
  data_ = nullptr;
  size_ = 0;
  owned_.clear();
}

MappedFile::MappedFile(MappedFile&& other) noexcept {
  *this = std::move(other);
}

MappedFile& MappedFile::operator=(MappedFile&& other) noexcept {
  if (this == &other) return *this;
  reset();
  path_ = std::move(other.path_);
  size_ = std::exchange(other.size_, 0);
  map_ = std::exchange(other.map_, nullptr);
  owned_ = std::move(other.owned_);
  data_ = map_ != nullptr ? static_cast<const char*>(map_) : owned_.data();
  other.data_ = nullptr;
  other.owned_.clear();
  return *this;
}

void MappedFile::drop_pages(std::size_t offset, std::size_t length) const {
  if (map_ == nullptr || offset >= size_) return;
  const std::size_t page = static_cast<std::size_t>(::sysconf(_SC_PAGESIZE));
  const std::size_t first = offset / page * page;  // whole pages only, rounded outwards
  const std::size_t last = std::min(size_, offset + length);
  ::madvise(static_cast<char*>(map_) + first, last - first, MADV_DONTNEED);
}

}  // namespace flowfit::io
