#pragma once
// MappedFile: a whole input file, read-only, memory-mapped when it is a regular file (read into
// memory otherwise, e.g. a pipe). Unmapped and closed by the destructor.
#include <cstddef>
#include <filesystem>
#include <span>
#include <string>
#include <string_view>

namespace flowfit::io {

class MappedFile {
 public:
  MappedFile() = default;
  // Throws flowfit::InputError(file, 0, "", reason) when the file cannot be opened or read.
  explicit MappedFile(const std::filesystem::path& path);
  ~MappedFile();
  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;
  MappedFile(MappedFile&& other) noexcept;
  MappedFile& operator=(MappedFile&& other) noexcept;

  const std::string& path() const { return path_; }
  std::size_t size() const { return size_; }
  const char* data() const { return data_; }
  std::string_view text() const { return {data_, size_}; }
  std::span<const std::byte> bytes() const {
    return {reinterpret_cast<const std::byte*>(data_), size_};
  }
  // Lets the kernel drop the pages of [offset, offset + length) from this process (they stay
  // in the page cache and fault back in on access): keeps the resident set small while a
  // large file is copied out piece by piece. A no-op for files read into memory.
  void drop_pages(std::size_t offset, std::size_t length) const;

 private:
  void reset() noexcept;

  std::string path_;
  const char* data_ = nullptr;
  std::size_t size_ = 0;
  void* map_ = nullptr;  // mmap'ed region, or nullptr when data_ points into owned_
  std::string owned_;
};

}  // namespace flowfit::io
