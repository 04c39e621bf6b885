#include "flowfit/io/ffm.hpp"
#include "flowfit/io/matrix_header.hpp"

#include <algorithm>
#include <bit>
#include <cstring>
#include <limits>
#include <string>

#include "flowfit/error.hpp"
#include "flowfit/io/atomic_file.hpp"
#include "flowfit/io/checksum.hpp"
#include "parse_number.hpp"
#include "triplet_builder.hpp"

namespace flowfit::io {
namespace {

static_assert(std::endian::native == std::endian::little, ".ffm is little-endian on disk");

// The 128-byte header; offsets are from the start of the file (see docs/formats.md).
struct FfmHeader {
  char magic[8];
  uint32_t version;
  uint32_t header_bytes;
  int64_t n_rows;
  int64_t n_cols;
  int64_t nnz;
  uint64_t row_ptr_offset;
  uint64_t col_idx_offset;
  uint64_t values_offset;
  uint64_t file_bytes;
  uint32_t payload_crc32;
  uint32_t flags;
  unsigned char reserved[44];
  uint32_t header_crc32;
};
static_assert(sizeof(FfmHeader) == kFfmHeaderBytes);
static_assert(offsetof(FfmHeader, payload_crc32) == 72);
static_assert(offsetof(FfmHeader, header_crc32) == 124);

constexpr uint64_t align8(uint64_t x) {
  return (x + 7) & ~uint64_t{7};
}

struct Layout {
  uint64_t row_ptr, col_idx, values, end;
};

Layout layout_for(int64_t n_rows, int64_t nnz) {
  Layout l;
  l.row_ptr = kFfmHeaderBytes;
  l.col_idx = l.row_ptr + 8 * static_cast<uint64_t>(n_rows + 1);
  l.values = align8(l.col_idx + 4 * static_cast<uint64_t>(nnz));
  l.end = l.values + 8 * static_cast<uint64_t>(nnz);
  return l;
}

std::span<const std::byte> as_bytes(const void* p, std::size_t n) {
  return {static_cast<const std::byte*>(p), n};
}

// The header of a mapped .ffm file, checked against itself and the file size.
FfmHeader check_header(const MappedFile& f, const MatrixReadOptions& options) {
  const std::string& file = f.path();
  auto fail = [&](const std::string& field, const std::string& why) -> void {
    throw InputError(file, 0, field, why);
  };
  if (f.size() < 8 || std::memcmp(f.data(), kFfmMagic, 8) != 0) {
    fail("magic", "not a flowfit .ffm file (bad magic)");
  }
  if (f.size() < kFfmHeaderBytes) {
    fail("header", "truncated: " + std::to_string(f.size()) + " bytes, the header alone needs " +
                       std::to_string(kFfmHeaderBytes));
  }
  FfmHeader h;
  std::memcpy(&h, f.data(), sizeof h);
  if (h.version != kFfmVersion) {
    fail("version", "unsupported .ffm version " + std::to_string(h.version) +
                        " (this build reads " + std::to_string(kFfmVersion) + ")");
  }
  if (crc32(as_bytes(f.data(), offsetof(FfmHeader, header_crc32))) != h.header_crc32) {
    fail("header", "header checksum mismatch (corrupt header)");
  }
  if (h.header_bytes != kFfmHeaderBytes) fail("header", "unexpected header size");
  if (h.n_rows < 0 || h.n_cols < 0 || h.nnz < 0 || h.n_rows > std::numeric_limits<int32_t>::max() ||
      h.n_cols > std::numeric_limits<int32_t>::max() || h.nnz > (int64_t{1} << 56)) {
    fail("header", "implausible sizes " + std::to_string(h.n_rows) + " x " +
                       std::to_string(h.n_cols) + ", nnz " + std::to_string(h.nnz));
  }
  detail::check_shape_limit(file, 0, "header", h.n_rows, h.n_cols, options.max_dimension);
  const Layout l = layout_for(h.n_rows, h.nnz);
  if (h.row_ptr_offset != l.row_ptr || h.col_idx_offset != l.col_idx ||
      h.values_offset != l.values || h.file_bytes != l.end) {
    fail("header", "array offsets do not match the sizes");
  }
  if (f.size() < l.end) {
    fail("payload",
         "truncated: " + std::to_string(f.size()) + " bytes, expected " + std::to_string(l.end));
  }
  if (f.size() > l.end) fail("payload", "trailing bytes after the values array");
  return h;
}

// Checks everything about a mapped .ffm file and returns a view of its arrays.
ConstCsrView validate(const MappedFile& f, const MatrixReadOptions& options) {
  const std::string& file = f.path();
  auto fail = [&](const std::string& field, const std::string& why) -> void {
    throw InputError(file, 0, field, why);
  };
  const FfmHeader h = check_header(f, options);
  const Layout l = layout_for(h.n_rows, h.nnz);
  if (options.verify_checksum &&
      crc32(as_bytes(f.data() + kFfmHeaderBytes, l.end - kFfmHeaderBytes)) != h.payload_crc32) {
    fail("payload", "checksum mismatch (corrupt data)");
  }

  ConstCsrView v;
  v.n_rows = h.n_rows;
  v.n_cols = h.n_cols;
  // mmap returns page-aligned memory and every array offset is a multiple of 8.
  v.row_ptr = {reinterpret_cast<const int64_t*>(f.data() + l.row_ptr),
               static_cast<std::size_t>(h.n_rows + 1)};
  v.col_idx = {reinterpret_cast<const int32_t*>(f.data() + l.col_idx),
               static_cast<std::size_t>(h.nnz)};
  v.values = {reinterpret_cast<const double*>(f.data() + l.values),
              static_cast<std::size_t>(h.nnz)};

  if (v.row_ptr[0] != 0 || v.row_ptr[static_cast<std::size_t>(h.n_rows)] != h.nnz) {
    fail("row_ptr", "must start at 0 and end at nnz");
  }
  const NumberRule rule = options.allow_negative ? NumberRule::finite : NumberRule::non_negative;
  for (int64_t r = 0; r < h.n_rows; ++r) {
    const int64_t b = v.row_ptr[static_cast<std::size_t>(r)];
    const int64_t e = v.row_ptr[static_cast<std::size_t>(r) + 1];
    if (e < b || e > h.nnz) fail("row_ptr", "not monotone at row " + std::to_string(r));
    for (int64_t k = b; k < e; ++k) {
      const int32_t c = v.col_idx[static_cast<std::size_t>(k)];
      if (c < 0 || c >= h.n_cols || (k > b && c <= v.col_idx[static_cast<std::size_t>(k) - 1])) {
        fail("col_idx", "column indices of row " + std::to_string(r) +
                            " are out of range or not strictly increasing");
      }
      std::string why = detail::check_real(v.values[static_cast<std::size_t>(k)], rule);
      if (!why.empty()) {
        fail("values", "entry (row " + std::to_string(r) + ", col " + std::to_string(c) +
                           ", 0-based): " + why);
      }
    }
  }
  return v;
}

}  // namespace

MatrixHeader read_ffm_header(const std::filesystem::path& path, const MatrixReadOptions& options) {
  const MappedFile f(path);
  const FfmHeader h = check_header(f, options);
  return {MatrixFormat::ffm, h.n_rows, h.n_cols, h.nnz};
}

void write_ffm(const std::filesystem::path& path, const CsrMatrix& matrix) {
  matrix.validate();
  const Layout l = layout_for(matrix.n_rows, matrix.nnz());
  const std::size_t ptr_bytes = matrix.row_ptr.size() * sizeof(int64_t);
  const std::size_t col_bytes = matrix.col_idx.size() * sizeof(int32_t);
  const std::size_t pad = static_cast<std::size_t>(l.values - (l.col_idx + col_bytes));
  const std::byte zeros[8] = {};

  FfmHeader h{};
  std::memcpy(h.magic, kFfmMagic, 8);
  h.version = kFfmVersion;
  h.header_bytes = kFfmHeaderBytes;
  h.n_rows = matrix.n_rows;
  h.n_cols = matrix.n_cols;
  h.nnz = matrix.nnz();
  h.row_ptr_offset = l.row_ptr;
  h.col_idx_offset = l.col_idx;
  h.values_offset = l.values;
  h.file_bytes = l.end;
  uint32_t crc = crc32(as_bytes(matrix.row_ptr.data(), ptr_bytes));
  crc = crc32(as_bytes(matrix.col_idx.data(), col_bytes), crc);
  crc = crc32(std::span<const std::byte>(zeros, pad), crc);
  crc = crc32(as_bytes(matrix.values.data(), matrix.values.size() * sizeof(double)), crc);
  h.payload_crc32 = crc;
  h.header_crc32 = crc32(as_bytes(&h, offsetof(FfmHeader, header_crc32)));

  AtomicFile out(path);
  out.write(&h, sizeof h);
  out.write(matrix.row_ptr.data(), ptr_bytes);
  out.write(matrix.col_idx.data(), col_bytes);
  out.write_zeros(pad);
  out.write(matrix.values.data(), matrix.values.size() * sizeof(double));
  out.commit();
}

FfmView::FfmView(const std::filesystem::path& path, const MatrixReadOptions& options)
    : file_(path), view_(validate(file_, options)) {}

CsrMatrix FfmView::to_matrix(int64_t reserve_entries) const {
  CsrMatrix m;
  m.n_rows = view_.n_rows;
  m.n_cols = view_.n_cols;
  // Validation touched every page of the mapping; copying in slices and dropping each slice's
  // mapped pages keeps the peak resident set near the matrix itself rather than twice it.
  file_.drop_pages(0, file_.size());
  const auto extra = static_cast<std::size_t>(std::max<int64_t>(0, reserve_entries));
  copy_dropping(view_.row_ptr, m.row_ptr, 0);
  copy_dropping(view_.col_idx, m.col_idx, extra);
  copy_dropping(view_.values, m.values, extra);
  return m;
}

template <class T>
void FfmView::copy_dropping(std::span<const T> from, std::vector<T>& to,
                            std::size_t reserve) const {
  constexpr std::size_t kSlice = std::size_t{32} << 20;  // bytes
  const std::size_t per_slice = kSlice / sizeof(T);
  to.reserve(from.size() + reserve);
  to.resize(from.size());
  for (std::size_t i = 0; i < from.size(); i += per_slice) {
    const std::size_t n = std::min(per_slice, from.size() - i);
    std::memcpy(to.data() + i, from.data() + i, n * sizeof(T));
    file_.drop_pages(
        static_cast<std::size_t>(reinterpret_cast<const char*>(from.data() + i) - file_.data()),
        n * sizeof(T));
  }
}

CsrMatrix read_ffm(const std::filesystem::path& path, const MatrixReadOptions& options) {
  return FfmView(path, options).to_matrix(options.reserve_entries);
}

}  // namespace flowfit::io
