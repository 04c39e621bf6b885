#pragma once
// What a matrix file says about itself, read without loading its entries (`run --dry-run`): the
// header checks of the full reader (banner or magic, shape and its limit, member headers and
// sizes), not the entries. The whole file is validated only by read_matrix.
#include <cstdint>
#include <filesystem>

#include "flowfit/io/matrix_format.hpp"
#include "flowfit/io/matrix_options.hpp"

namespace flowfit::io {

struct MatrixHeader {
  MatrixFormat format = MatrixFormat::automatic;
  int64_t n_rows = 0;
  int64_t n_cols = 0;
  // The stored entries the file declares (a symmetric .mtx stores each off-diagonal pair once);
  // -1 for csv/tsv, which declare none.
  int64_t nnz = -1;
};

// Any format, chosen as read_matrix chooses it. csv/tsv: the header row must have the triplet
// columns (options.columns); the shape is that of options.row_geography (and col_geography),
// which must be set. Throws what the full reader throws for the same header.
MatrixHeader read_matrix_header(const std::filesystem::path& path,
                                const MatrixReadOptions& options = {});

// The banner and size line.
MatrixHeader read_matrix_market_header(const std::filesystem::path& path,
                                       const MatrixReadOptions& options = {});
// `format`, `shape` and the .npy headers of the array members (dtypes, element counts against
// the shape and the member sizes); nothing is inflated beyond those headers.
MatrixHeader read_npz_header(const std::filesystem::path& path,
                             const MatrixReadOptions& options = {});
// The 128-byte header (magic, version, header checksum, sizes, offsets) and the file size.
MatrixHeader read_ffm_header(const std::filesystem::path& path,
                             const MatrixReadOptions& options = {});

}  // namespace flowfit::io
