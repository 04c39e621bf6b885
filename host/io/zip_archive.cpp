#include "zip_archive.hpp"

#include <zip.h>

#include <algorithm>
#include <memory>
#include <utility>

#include "flowfit/error.hpp"
#include "flowfit/escape.hpp"

namespace flowfit::io::detail {
namespace {

std::string zip_error_text(int code) {
  zip_error_t error;
  zip_error_init_with_code(&error, code);
  std::string text = zip_error_strerror(&error);
  zip_error_fini(&error);
  return text;
}

uint64_t g_read_chunk = kZipReadChunkBytes;  // changed only by the test hook

}  // namespace

uint64_t set_zip_read_chunk_bytes_for_testing(uint64_t bytes) {
  const uint64_t previous = g_read_chunk;
  g_read_chunk = bytes == 0 ? kZipReadChunkBytes : bytes;
  return previous;
}

ZipReader::ZipReader(std::string file) : file_(std::move(file)) {
  int code = 0;
  archive_ = zip_open(file_.c_str(), ZIP_RDONLY | ZIP_CHECKCONS, &code);
  if (archive_ == nullptr) {
    std::string why = zip_error_text(code);
    if (code == ZIP_ER_NOZIP) why = "not a zip archive (or a truncated one)";
    throw InputError(file_, 0, "archive", "cannot open .npz: " + why);
  }
}

ZipReader::~ZipReader() {
  if (archive_ != nullptr) zip_discard(archive_);
}

bool ZipReader::has(const std::string& name) const {
  return zip_name_locate(archive_, name.c_str(), 0) >= 0;
}

ZipReader::Member::Member(const ZipReader& archive, const std::string& name, std::string field)
    : archive_(archive), name_(name), field_(std::move(field)) {
  const zip_int64_t index = zip_name_locate(archive.archive_, name.c_str(), 0);
  if (index < 0) {
    throw InputError(archive.file_, 0, field_,
                     "array " + quote_for_message(name) + " is missing from the archive");
  }
  zip_stat_t st;
  zip_stat_init(&st);
  if (zip_stat_index(archive.archive_, static_cast<zip_uint64_t>(index), 0, &st) != 0 ||
      (st.valid & ZIP_STAT_SIZE) == 0) {
    throw InputError(archive.file_, 0, field_, "cannot read the size of '" + name + "'");
  }
  size_ = st.size;
  csize_ = (st.valid & ZIP_STAT_COMP_SIZE) != 0 ? st.comp_size : st.size;
  handle_ = zip_fopen_index(archive.archive_, static_cast<zip_uint64_t>(index), 0);
  if (handle_ == nullptr) {
    throw InputError(archive.file_, 0, field_,
                     "cannot open '" + name + "': " + zip_strerror(archive.archive_));
  }
}

ZipReader::Member::~Member() {
  if (handle_ != nullptr) zip_fclose(handle_);
}

void ZipReader::Member::read(void* dst, uint64_t n) {
  auto* p = static_cast<unsigned char*>(dst);
  while (n > 0) {
    const zip_int64_t got = zip_fread(handle_, p, std::min(n, g_read_chunk));
    if (got < 0) {
      throw InputError(archive_.file(), 0, field_,
                       "corrupt data in '" + name_ + "': " + zip_file_strerror(handle_));
    }
    if (got == 0) {
      throw InputError(archive_.file(), 0, field_, "'" + name_ + "' ends early (truncated array)");
    }
    p += got;
    n -= static_cast<uint64_t>(got);
    read_ += static_cast<uint64_t>(got);
  }
}

void ZipReader::Member::finish() {
  unsigned char extra[64];
  const zip_int64_t got = zip_fread(handle_, extra, sizeof extra);
  if (got < 0) {
    throw InputError(archive_.file(), 0, field_,
                     "corrupt data in '" + name_ + "': " + zip_file_strerror(handle_));
  }
  if (got > 0) {
    throw InputError(archive_.file(), 0, field_,
                     "'" + name_ + "' holds more bytes than its header declares");
  }
}

ZipWriter::ZipWriter(const std::string& path, std::string display) : display_(std::move(display)) {
  int code = 0;
  archive_ = zip_open(path.c_str(), ZIP_CREATE | ZIP_TRUNCATE, &code);
  if (archive_ == nullptr) {
    throw OutputError("cannot write '" + display_ +
                      "': cannot create zip archive: " + zip_error_text(code));
  }
}

ZipWriter::~ZipWriter() {
  if (archive_ != nullptr) zip_discard(archive_);
}

void ZipWriter::fail(const std::string& what) {
  throw OutputError("cannot write '" + display_ + "': " + what + ": " + zip_strerror(archive_));
}

void ZipWriter::add(const std::string& name, std::vector<Piece> pieces, int level) {
  auto fragments = std::make_shared<std::vector<zip_buffer_fragment_t>>();
  for (const Piece& p : pieces) {
    if (p.size == 0) continue;
    // libzip only reads the data (freep = 0 below); the cast drops const for its API.
    fragments->push_back({static_cast<zip_uint8_t*>(const_cast<void*>(p.data)), p.size});
  }
  keep_alive_.push_back(fragments);
  zip_error_t error;
  zip_error_init(&error);
  zip_source_t* source =
      zip_source_buffer_fragment_create(fragments->data(), fragments->size(), 0, &error);
  if (source == nullptr) {
    std::string text = zip_error_strerror(&error);
    zip_error_fini(&error);
    throw OutputError("cannot write '" + display_ + "': " + text);
  }
  zip_error_fini(&error);
  const zip_int64_t index = zip_file_add(archive_, name.c_str(), source, ZIP_FL_ENC_UTF_8);
  if (index < 0) {
    zip_source_free(source);
    fail("cannot add '" + name + "'");
  }
  const auto i = static_cast<zip_uint64_t>(index);
  const bool compress = level > 0;
  if (zip_set_file_compression(archive_, i, compress ? ZIP_CM_DEFLATE : ZIP_CM_STORE,
                               compress ? static_cast<zip_uint32_t>(level) : 0) != 0) {
    fail("cannot set compression of '" + name + "'");
  }
  // A fixed time stamp (1980-01-01 00:00) makes the archive bytes reproducible.
  if (zip_file_set_dostime(archive_, i, 0, (0 << 9) | (1 << 5) | 1, 0) != 0) {
    fail("cannot set time stamp of '" + name + "'");
  }
}

void ZipWriter::close() {
  if (zip_close(archive_) != 0) fail("cannot finish the zip archive");
  archive_ = nullptr;
}

}  // namespace flowfit::io::detail
