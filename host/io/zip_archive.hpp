#pragma once
// Thin RAII wrappers over libzip: reading members of an archive, and building an archive whose
// members point at caller-owned memory (no copies).
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

struct zip;
struct zip_file;

namespace flowfit::io::detail {

// Largest request handed to one zip_fread call. libzip 1.7.3 (Debian 12) truncates a request of
// 2^32 bytes or more on a deflated member, so members of 4 GiB and above are read in pieces.
inline constexpr uint64_t kZipReadChunkBytes = uint64_t{1} << 30;
// Test hook: sets the piece size (0 restores kZipReadChunkBytes) so that tests can exercise the
// chunked path without 4 GiB members. Returns the previous value.
uint64_t set_zip_read_chunk_bytes_for_testing(uint64_t bytes);

class ZipReader {
 public:
  // Throws InputError(file, 0, "archive", reason) when the file is not a readable zip archive.
  explicit ZipReader(std::string file);
  ~ZipReader();
  ZipReader(const ZipReader&) = delete;
  ZipReader& operator=(const ZipReader&) = delete;

  const std::string& file() const { return file_; }
  bool has(const std::string& name) const;

  class Member {
   public:
    Member(const ZipReader& archive, const std::string& name, std::string field);
    ~Member();
    Member(const Member&) = delete;
    Member& operator=(const Member&) = delete;
    uint64_t size() const { return size_; }              // uncompressed size
    uint64_t compressed_size() const { return csize_; }  // as stored
    uint64_t remaining() const { return size_ - read_; }
    // Reads exactly `n` bytes; throws InputError(file, 0, field, ...) on short reads and on
    // corrupt data (libzip checks the CRC at the end of the member).
    void read(void* dst, uint64_t n);
    // Reads to the end of the member and checks that nothing is left.
    void finish();

   private:
    const ZipReader& archive_;
    std::string name_;
    std::string field_;
    zip_file* handle_ = nullptr;
    uint64_t size_ = 0;
    uint64_t csize_ = 0;
    uint64_t read_ = 0;
  };

 private:
  std::string file_;
  zip* archive_ = nullptr;
};

class ZipWriter {
 public:
  // Creates (truncates) the archive at `path`; `display` names it in errors.
  ZipWriter(const std::string& path, std::string display);
  ~ZipWriter();  // discards the archive unless close() succeeded
  ZipWriter(const ZipWriter&) = delete;
  ZipWriter& operator=(const ZipWriter&) = delete;

  struct Piece {
    const void* data;
    std::size_t size;
  };
  // Adds a member made of the pieces back to back. The memory must stay valid until close().
  // level 0 stores the member; 1..9 deflates it at that zlib level.
  void add(const std::string& name, std::vector<Piece> pieces, int level);
  void close();

 private:
  [[noreturn]] void fail(const std::string& what);

  std::string display_;
  zip* archive_ = nullptr;
  std::vector<std::shared_ptr<void>> keep_alive_;  // fragment lists handed to libzip
};

}  // namespace flowfit::io::detail
