#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "flowfit/error.hpp"
#include "flowfit/io/atomic_file.hpp"
#include "flowfit/io/npz.hpp"
#include "npy.hpp"
#include "zip_archive.hpp"

namespace flowfit::io {

void write_npz(const std::filesystem::path& path, const CsrMatrix& matrix,
               const MatrixWriteOptions& options) {
  matrix.validate();
  if (options.compressed && (options.compression_level < 1 || options.compression_level > 9)) {
    throw ConfigError("compression_level",
                      "must be 1..9, got " + std::to_string(options.compression_level));
  }
  const int z = options.compressed ? options.compression_level : 0;
  const int64_t nnz = matrix.nnz();
  constexpr int64_t kMax32 = std::numeric_limits<int32_t>::max();
  // scipy uses int32 index arrays whenever every index and nnz fit.
  const bool small = nnz <= kMax32 && matrix.n_rows <= kMax32 && matrix.n_cols <= kMax32;

  std::vector<int32_t> indptr32;
  std::vector<int64_t> indices64;
  const void* indptr_data = matrix.row_ptr.data();
  const void* indices_data = matrix.col_idx.data();
  if (small) {
    indptr32.assign(matrix.row_ptr.begin(), matrix.row_ptr.end());
    indptr_data = indptr32.data();
  } else {
    indices64.assign(matrix.col_idx.begin(), matrix.col_idx.end());
    indices_data = indices64.data();
  }
  const std::size_t index_bytes = small ? 4 : 8;
  const char* index_descr = small ? "<i4" : "<i8";
  const auto n_ptr = static_cast<int64_t>(matrix.row_ptr.size());

  const std::string indices_header = detail::make_npy_header(index_descr, {nnz});
  const std::string indptr_header = detail::make_npy_header(index_descr, {n_ptr});
  const std::string format_header = detail::make_npy_header("|S3", {});
  const std::string shape_header = detail::make_npy_header("<i8", {2});
  const std::string data_header = detail::make_npy_header("<f8", {nnz});
  const int64_t shape[2] = {matrix.n_rows, matrix.n_cols};

  AtomicFile out(path);
  out.release_stream();
  detail::ZipWriter zip(out.temp_path().string(), path.string());
  // Member order as scipy.sparse.save_npz writes it.
  zip.add("indices.npy",
          {{indices_header.data(), indices_header.size()},
           {indices_data, static_cast<std::size_t>(nnz) * index_bytes}},
          z);
  zip.add("indptr.npy",
          {{indptr_header.data(), indptr_header.size()},
           {indptr_data, static_cast<std::size_t>(n_ptr) * index_bytes}},
          z);
  zip.add("format.npy", {{format_header.data(), format_header.size()}, {"csr", 3}}, z);
  zip.add("shape.npy", {{shape_header.data(), shape_header.size()}, {shape, sizeof shape}}, z);
  zip.add("data.npy",
          {{data_header.data(), data_header.size()},
           {matrix.values.data(), static_cast<std::size_t>(nnz) * sizeof(double)}},
          z);
  zip.close();
  out.commit();
}

}  // namespace flowfit::io
