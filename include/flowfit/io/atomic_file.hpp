#pragma once
// AtomicFile: writes an output file so that readers only ever see the old file or the complete
// new one. Bytes go to a hidden temporary file next to the target (`.<name>.tmp.<pid>`), which
// commit() flushes, fsyncs and renames over the target. If commit() is never reached (an
// exception, an early return) the destructor removes the temporary file.
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace flowfit::io {

class AtomicFile {
 public:
  // Creates the temporary file; throws flowfit::Error naming the target when it cannot.
  explicit AtomicFile(std::filesystem::path target);
  ~AtomicFile();
  AtomicFile(const AtomicFile&) = delete;
  AtomicFile& operator=(const AtomicFile&) = delete;
  AtomicFile(AtomicFile&& other) noexcept;
  AtomicFile& operator=(AtomicFile&& other) = delete;

  void write(const void* data, std::size_t size);
  void write(std::string_view text) { write(text.data(), text.size()); }
  template <class T>
  void write_array(std::span<const T> values) {
    write(values.data(), values.size_bytes());
  }
  // Writes `count` zero bytes (alignment padding).
  void write_zeros(std::size_t count);

  // Flushes and closes the stream so another library (libzip) can write temp_path() itself.
  // After this only commit() (or destruction) is allowed.
  void release_stream();

  // Flushes, fsyncs, renames the temporary file over the target and fsyncs the directory.
  void commit();

  bool committed() const { return committed_; }
  std::uint64_t bytes_written() const { return bytes_written_; }
  const std::filesystem::path& target() const { return target_; }
  const std::filesystem::path& temp_path() const { return temp_; }

 private:
  void flush();
  [[noreturn]] void fail(std::string_view what, int err) const;

  std::filesystem::path target_;
  std::filesystem::path temp_;
  int fd_ = -1;
  bool committed_ = false;
  std::uint64_t bytes_written_ = 0;
  std::vector<char> buffer_;
  std::size_t used_ = 0;
};

}  // namespace flowfit::io
