#include <algorithm>
#include <bit>
#include <cmath>
#include <cstring>
#include <limits>
#include <string>
#include <vector>

#include "flowfit/error.hpp"
#include "flowfit/escape.hpp"
#include "flowfit/io/matrix_header.hpp"
#include "flowfit/io/npz.hpp"
#include "npy.hpp"
#include "parse_number.hpp"
#include "triplet_builder.hpp"
#include "zip_archive.hpp"

namespace flowfit::io {
namespace {

static_assert(std::endian::native == std::endian::little,
              "flowfit's binary readers assume little-endian");

using detail::NpyHeader;
using detail::ZipReader;

// One .npy member of the archive, its header parsed and checked against the data size.
struct NpyMember {
  ZipReader::Member member;
  NpyHeader header;
  std::string field;

  NpyMember(const ZipReader& zip, const std::string& field_name)
      : member(zip, field_name + ".npy", field_name), field(field_name) {
    const std::string& file = zip.file();
    // Deflate cannot expand more than ~1032:1; a larger claim is a corrupt or hostile archive,
    // rejected before anything is allocated.
    if (member.size() > member.compressed_size() * 1100 + 4096) {
      fail(file, "implausible uncompressed size " + std::to_string(member.size()) + " for " +
                     std::to_string(member.compressed_size()) + " stored bytes");
    }
    char pre[12] = {};
    const uint64_t first = std::min<uint64_t>(member.size(), 8);
    member.read(pre, first);
    const std::size_t pre_bytes = detail::npy_preamble_bytes(std::string_view(pre, first));
    std::string bytes(pre, first);
    if (pre_bytes > 8) {
      if (member.remaining() < pre_bytes - 8) fail(file, "truncated .npy header");
      member.read(pre + 8, pre_bytes - 8);
      bytes.assign(pre, pre_bytes);
      const uint32_t len = detail::npy_dict_bytes(bytes);
      // Bounded before the allocation below: a v2 header may claim up to 4 GiB.
      if (len > detail::kMaxNpyHeaderBytes) {
        fail(file, "implausible .npy header length " + std::to_string(len) + " bytes");
      }
      if (member.remaining() < len) fail(file, "truncated .npy header");
      bytes.resize(pre_bytes + len);
      member.read(bytes.data() + pre_bytes, len);
    }
    std::string why = detail::parse_npy_header(bytes, header);
    if (!why.empty()) fail(file, why);
    if (header.big_endian && header.itemsize > 1) {
      fail(file, "big-endian arrays (" + quote_for_message(header.descr) + ") are not supported");
    }
    // Every allocation below is sized by the header, so the header must agree with the member
    // size in the zip directory, itself bounded by the stored bytes above.
    if (member.remaining() != header.data_bytes) {
      fail(file, "array data has " + std::to_string(member.remaining()) + " bytes, the header (" +
                     quote_for_message(header.descr) + ", " + std::to_string(header.count()) +
                     " elements) needs " + std::to_string(header.data_bytes));
    }
  }

  [[noreturn]] void fail(const std::string& file, const std::string& why) const {
    throw InputError(file, 0, field, why);
  }

  void expect_1d(const std::string& file) const {
    if (header.shape.size() != 1) {
      fail(file, "expected a 1-d array, found " + std::to_string(header.shape.size()) + " dims");
    }
  }

  // Dtype checks, made before anything is allocated or inflated.
  void expect_integer(const std::string& file) const {
    if (header.kind != 'i' && header.kind != 'u' && header.kind != 'b') {
      fail(file, "expected an integer array, found dtype " + quote_for_message(header.descr));
    }
    const int size = header.itemsize;
    if (size != 1 && size != 2 && size != 4 && size != 8)
      fail(file, "unsupported dtype " + quote_for_message(header.descr));
  }
  void expect_real(const std::string& file) const {
    if (header.kind == 'f' && (header.itemsize == 8 || header.itemsize == 4)) return;
    if (header.kind == 'c') {
      fail(file, "complex data (" + quote_for_message(header.descr) + ") is not supported");
    }
    if (header.kind == 'f') {
      fail(file, "unsupported float dtype " + quote_for_message(header.descr));
    }
    expect_integer(file);
  }

  // Reads the data in chunks and hands each element, converted, to `sink(index, value)`.
  template <class Sink>
  void for_each_integer(const std::string& file, Sink&& sink) {
    expect_integer(file);
    const int size = header.itemsize;
    const bool is_signed = header.kind == 'i';
    std::vector<unsigned char> chunk(std::size_t{1} << 20);
    int64_t index = 0;
    while (member.remaining() > 0) {
      const uint64_t n = std::min<uint64_t>(member.remaining(), chunk.size());
      member.read(chunk.data(), n);
      for (uint64_t off = 0; off < n; off += static_cast<uint64_t>(size), ++index) {
        const unsigned char* p = chunk.data() + off;
        int64_t v = 0;
        if (size == 1) {
          v = is_signed ? int64_t{static_cast<int8_t>(p[0])} : int64_t{p[0]};
        } else if (size == 2) {
          uint16_t u;
          std::memcpy(&u, p, 2);
          v = is_signed ? int64_t{static_cast<int16_t>(u)} : int64_t{u};
        } else if (size == 4) {
          uint32_t u;
          std::memcpy(&u, p, 4);
          v = is_signed ? int64_t{static_cast<int32_t>(u)} : int64_t{u};
        } else {
          uint64_t u;
          std::memcpy(&u, p, 8);
          if (!is_signed && u > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
            fail(file,
                 "element " + std::to_string(index) + " = " + std::to_string(u) + " is too large");
          }
          v = static_cast<int64_t>(u);
        }
        sink(index, v);
      }
    }
    member.finish();
  }

  // `extra`: room for that many more elements without reallocation (MatrixReadOptions::
  // reserve_entries: the diagonal clip inserts entries in place).
  std::vector<double> reals(const std::string& file, int64_t extra = 0) {
    expect_1d(file);
    expect_real(file);
    std::vector<double> out;
    out.reserve(static_cast<std::size_t>(header.count() + std::max<int64_t>(extra, 0)));
    out.resize(static_cast<std::size_t>(header.count()));
    if (header.kind == 'f' && header.itemsize == 8) {
      member.read(out.data(), out.size() * sizeof(double));
      member.finish();
      return out;
    }
    if (header.kind == 'f' && header.itemsize == 4) {
      std::vector<float> tmp(out.size());
      member.read(tmp.data(), tmp.size() * sizeof(float));
      member.finish();
      std::copy(tmp.begin(), tmp.end(), out.begin());
      return out;
    }
    for_each_integer(file, [&](int64_t i, int64_t v) {
      out[static_cast<std::size_t>(i)] = static_cast<double>(v);
    });
    return out;
  }

  // Integers checked to lie in [lo, hi].
  template <class T>
  std::vector<T> integers(const std::string& file, int64_t lo, int64_t hi,
                          const std::string& range_text, int64_t extra = 0) {
    expect_1d(file);
    expect_integer(file);
    std::vector<T> out;
    out.reserve(static_cast<std::size_t>(header.count() + std::max<int64_t>(extra, 0)));
    out.resize(static_cast<std::size_t>(header.count()));
    for_each_integer(file, [&](int64_t i, int64_t v) {
      if (v < lo || v > hi) {
        fail(file, field + "[" + std::to_string(i) + "] = " + std::to_string(v) +
                       " is out of range " + range_text);
      }
      out[static_cast<std::size_t>(i)] = static_cast<T>(v);
    });
    return out;
  }
};

std::string read_format(const ZipReader& zip) {
  NpyMember m(zip, "format");
  if (!m.header.shape.empty()) m.fail(zip.file(), "expected a 0-d bytes array");
  if (m.header.kind != 'S' && m.header.kind != 'U') {
    m.fail(zip.file(), "expected a bytes array, found dtype " + quote_for_message(m.header.descr));
  }
  std::string raw(static_cast<std::size_t>(m.header.itemsize), '\0');
  m.member.read(raw.data(), raw.size());
  m.member.finish();
  std::string text;
  if (m.header.kind == 'S') {
    text = raw;
  } else if (m.header.kind == 'U') {  // UCS-4: keep the ASCII code points
    for (std::size_t i = 0; i + 3 < raw.size(); i += 4) {
      if (raw[i + 1] != 0 || raw[i + 2] != 0 || raw[i + 3] != 0)
        m.fail(zip.file(), "format is not ASCII");
      text += raw[i];
    }
  }
  text.erase(std::find(text.begin(), text.end(), '\0'), text.end());
  return text;
}

// Rejects values that the options do not allow; `where(k)` describes entry k for the message.
template <class Where>
void check_values(const std::string& file, const std::vector<double>& data,
                  const MatrixReadOptions& options, Where&& where) {
  const NumberRule rule = options.allow_negative ? NumberRule::finite : NumberRule::non_negative;
  for (std::size_t k = 0; k < data.size(); ++k) {
    std::string why = detail::check_real(data[k], rule);
    if (!why.empty()) {
      throw InputError(file, 0, "data",
                       "data[" + std::to_string(k) + "] = " + std::to_string(data[k]) + " " +
                           where(k) + ": " + why);
    }
  }
}

// csr (major = rows) or csc (major = columns).
// The members of a csr/csc archive with their headers checked against each other and the shape:
// the cheap checks, made before any array is read.
struct CompressedMembers {
  NpyMember data_member;
  NpyMember indptr_member;
  NpyMember indices_member;
  int64_t nnz = 0;

  CompressedMembers(const ZipReader& zip, bool by_rows, int64_t n_rows, int64_t n_cols)
      : data_member(zip, "data"), indptr_member(zip, "indptr"), indices_member(zip, "indices") {
    const std::string& file = zip.file();
    const int64_t n_major = by_rows ? n_rows : n_cols;
    data_member.expect_1d(file);
    data_member.expect_real(file);
    indptr_member.expect_1d(file);
    indptr_member.expect_integer(file);
    indices_member.expect_1d(file);
    indices_member.expect_integer(file);
    nnz = data_member.header.count();
    const std::string shape_text = std::to_string(n_rows) + " x " + std::to_string(n_cols);
    if (indptr_member.header.count() != n_major + 1) {
      throw InputError(file, 0, "indptr",
                       "has " + std::to_string(indptr_member.header.count()) +
                           " elements, expected " + std::to_string(n_major + 1) + " (shape " +
                           shape_text + ")");
    }
    if (indices_member.header.count() != nnz) {
      throw InputError(file, 0, "indices",
                       "has " + std::to_string(indices_member.header.count()) +
                           " elements but data has " + std::to_string(nnz));
    }
  }
};

CsrMatrix read_compressed(const ZipReader& zip, bool by_rows, int64_t n_rows, int64_t n_cols,
                          const MatrixReadOptions& options) {
  const std::string& file = zip.file();
  const int64_t n_major = by_rows ? n_rows : n_cols;
  const int64_t n_minor = by_rows ? n_cols : n_rows;
  const std::string shape_text = std::to_string(n_rows) + " x " + std::to_string(n_cols);
  // The cheap checks first: headers (dtypes, element counts against the shape), then the index
  // arrays, and only then the data, so that a hostile archive is rejected before its largest
  // member is inflated.
  CompressedMembers members(zip, by_rows, n_rows, n_cols);
  NpyMember& data_member = members.data_member;
  NpyMember& indptr_member = members.indptr_member;
  NpyMember& indices_member = members.indices_member;
  const int64_t nnz = members.nnz;
  std::vector<int64_t> indptr =
      indptr_member.integers<int64_t>(file, 0, nnz, "[0, nnz = " + std::to_string(nnz) + "]");
  if (indptr.front() != 0 || indptr.back() != nnz) {
    throw InputError(file, 0, "indptr",
                     "must start at 0 and end at nnz = " + std::to_string(nnz) + " (found " +
                         std::to_string(indptr.front()) + " ... " + std::to_string(indptr.back()) +
                         ")");
  }
  for (std::size_t i = 0; i + 1 < indptr.size(); ++i) {
    if (indptr[i + 1] < indptr[i]) {
      throw InputError(file, 0, "indptr",
                       "decreases at position " + std::to_string(i + 1) + " (" +
                           std::to_string(indptr[i]) + " then " + std::to_string(indptr[i + 1]) +
                           ")");
    }
  }
  // CSR arrays are used as read (below): room for the entries a diagonal clip may insert.
  const int64_t extra = by_rows ? options.reserve_entries : 0;
  std::vector<int32_t> indices = indices_member.integers<int32_t>(
      file, 0, n_minor - 1, "[0, " + std::to_string(n_minor - 1) + "] (shape " + shape_text + ")",
      extra);
  std::vector<double> data = data_member.reals(file, extra);
  auto major_of = [&](std::size_t k) {
    return static_cast<int64_t>(
               std::upper_bound(indptr.begin(), indptr.end(), static_cast<int64_t>(k)) -
               indptr.begin()) -
           1;
  };
  check_values(file, data, options, [&](std::size_t k) {
    const int64_t major = major_of(k);
    const int64_t row = by_rows ? major : indices[k];
    const int64_t col = by_rows ? indices[k] : major;
    return "(row " + std::to_string(row) + ", col " + std::to_string(col) + ", 0-based)";
  });

  bool canonical = by_rows;
  for (int64_t r = 0; canonical && r < n_major; ++r) {
    for (auto k = indptr[static_cast<std::size_t>(r)] + 1;
         k < indptr[static_cast<std::size_t>(r) + 1]; ++k) {
      if (indices[static_cast<std::size_t>(k)] <= indices[static_cast<std::size_t>(k) - 1]) {
        canonical = false;
        break;
      }
    }
  }
  if (canonical) {  // sorted and unique already: use the arrays as they are
    CsrMatrix m;
    m.n_rows = n_rows;
    m.n_cols = n_cols;
    m.row_ptr = std::move(indptr);
    m.col_idx = std::move(indices);
    m.values = std::move(data);
    return m;
  }
  detail::TripletBuilder builder(file, n_rows, n_cols, "position", "indices");
  builder.reserve(static_cast<std::size_t>(nnz));
  for (int64_t j = 0; j < n_major; ++j) {
    for (auto k = indptr[static_cast<std::size_t>(j)]; k < indptr[static_cast<std::size_t>(j) + 1];
         ++k) {
      const auto kk = static_cast<std::size_t>(k);
      if (by_rows) {
        builder.add(j, indices[kk], data[kk], k);
      } else {
        builder.add(indices[kk], static_cast<int32_t>(j), data[kk], k);
      }
    }
  }
  return builder.build(options.duplicates);
}

// The members of a coo archive with their headers checked against each other.
struct CooMembers {
  NpyMember data_member;
  NpyMember row_member;
  NpyMember col_member;
  int64_t n = 0;

  explicit CooMembers(const ZipReader& zip)
      : data_member(zip, "data"), row_member(zip, "row"), col_member(zip, "col") {
    const std::string& file = zip.file();
    data_member.expect_1d(file);
    data_member.expect_real(file);
    row_member.expect_1d(file);
    row_member.expect_integer(file);
    col_member.expect_1d(file);
    col_member.expect_integer(file);
    n = data_member.header.count();
    if (row_member.header.count() != n || col_member.header.count() != n) {
      throw InputError(
          file, 0, row_member.header.count() != n ? "row" : "col",
          "row, col and data lengths differ (" + std::to_string(row_member.header.count()) + ", " +
              std::to_string(col_member.header.count()) + ", " + std::to_string(n) + ")");
    }
  }
};

CsrMatrix read_coo(const ZipReader& zip, int64_t n_rows, int64_t n_cols,
                   const MatrixReadOptions& options) {
  const std::string& file = zip.file();
  CooMembers members(zip);
  NpyMember& data_member = members.data_member;
  NpyMember& row_member = members.row_member;
  NpyMember& col_member = members.col_member;
  std::vector<int64_t> rows =
      row_member.integers<int64_t>(file, 0, n_rows - 1, "[0, " + std::to_string(n_rows - 1) + "]");
  std::vector<int32_t> cols =
      col_member.integers<int32_t>(file, 0, n_cols - 1, "[0, " + std::to_string(n_cols - 1) + "]");
  std::vector<double> data = data_member.reals(file);
  check_values(file, data, options, [&](std::size_t k) {
    return "(row " + std::to_string(rows[k]) + ", col " + std::to_string(cols[k]) + ", 0-based)";
  });
  detail::TripletBuilder builder(file, n_rows, n_cols, "position", "row");
  builder.reserve(data.size());
  for (std::size_t k = 0; k < data.size(); ++k) {
    builder.add(rows[k], cols[k], data[k], static_cast<int64_t>(k));
  }
  return builder.build(options.duplicates);
}

// The archive's format and shape, checked (the start of every read).
struct NpzStart {
  std::string format;
  std::vector<int64_t> shape;
};

NpzStart read_start(const ZipReader& zip, const MatrixReadOptions& options) {
  const std::string& file = zip.file();
  NpzStart s;
  s.format = read_format(zip);
  if (s.format != "csr" && s.format != "csc" && s.format != "coo") {
    throw InputError(
        file, 0, "format",
        "unsupported sparse format " + quote_for_message(s.format) + " (csr, csc or coo)");
  }
  NpyMember shape_member(zip, "shape");
  shape_member.expect_1d(file);
  if (shape_member.header.count() != 2) {
    throw InputError(file, 0, "shape",
                     "expected 2 elements, found " + std::to_string(shape_member.header.count()));
  }
  s.shape =
      shape_member.integers<int64_t>(file, 0, std::numeric_limits<int32_t>::max(), "[0, 2^31-1]");
  detail::check_shape_limit(file, 0, "shape", s.shape[0], s.shape[1], options.max_dimension);
  return s;
}

// A missing file would otherwise be reported by libzip as a generic open error.
void require_file(const std::filesystem::path& path) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) {
    throw InputError(path.string(), 0, "", "cannot open: no such file");
  }
}

}  // namespace

MatrixHeader read_npz_header(const std::filesystem::path& path, const MatrixReadOptions& options) {
  require_file(path);
  ZipReader zip(path.string());
  const NpzStart s = read_start(zip, options);
  MatrixHeader h{MatrixFormat::npz, s.shape[0], s.shape[1], 0};
  if (s.format == "coo")
    h.nnz = CooMembers(zip).n;
  else
    h.nnz = CompressedMembers(zip, s.format == "csr", s.shape[0], s.shape[1]).nnz;
  return h;
}

CsrMatrix read_npz(const std::filesystem::path& path, const MatrixReadOptions& options) {
  require_file(path);
  ZipReader zip(path.string());
  const NpzStart s = read_start(zip, options);
  if (s.format == "coo") return read_coo(zip, s.shape[0], s.shape[1], options);
  return read_compressed(zip, s.format == "csr", s.shape[0], s.shape[1], options);
}

}  // namespace flowfit::io
