#pragma once
// Options of the matrix readers and writers. Each format uses the fields that apply to it.
#include <cstdint>
#include <string>
#include <vector>

#include "flowfit/csr_matrix.hpp"
#include "flowfit/geography.hpp"
#include "flowfit/io/matrix_format.hpp"
#include "flowfit/io/number_format.hpp"

namespace flowfit::io {

// Column names of triplet CSV/TSV files.
struct TripletColumns {
  std::string origin = "origin";
  std::string destination = "destination";
  std::string value = "value";
};

// Default limit on the rows and columns of a matrix read from a file: 2^25 = 33,554,432, four
// times the 8.1 million census blocks of 2020 (a CBG matrix has 217,740). A CSR matrix needs 8
// bytes of row pointers per row even with no entries, and the fit needs margins per row and
// column, so a few header bytes claiming 2^31-1 rows would otherwise cost 16 GiB.
inline constexpr int64_t kDefaultMaxDimension = int64_t{1} << 25;

struct MatrixReadOptions {
  MatrixFormat format = MatrixFormat::automatic;
  // A (row, col) pair stored twice: an InputError naming both places, or summed (in file order).
  Duplicates duplicates = Duplicates::reject;
  // NaN and +-inf are always rejected; negative values are rejected unless this is set.
  bool allow_negative = false;
  // .ffm: room for this many more entries is reserved in the arrays, so a later in-place
  // growth (the stage-0 diagonal clip) does not reallocate and copy the whole matrix.
  int64_t reserve_entries = 0;
  // .ffm: verify the payload checksum (one extra pass over the file).
  bool verify_checksum = true;
  // csv/tsv: GEOIDs of the rows (origins) and columns (destinations), not owned. Required for
  // csv/tsv; col_geography defaults to row_geography.
  const Geography* row_geography = nullptr;
  const Geography* col_geography = nullptr;
  TripletColumns columns;
  // Rows or columns above this are an InputError, raised before anything is allocated. Raise it
  // (up to 2^31-1, the int32 column index limit) for larger geographies.
  int64_t max_dimension = kDefaultMaxDimension;
};

struct MatrixWriteOptions {
  MatrixFormat format = MatrixFormat::automatic;
  RealFormat real_format = RealFormat::digits17;  // mtx, csv, tsv
  std::vector<std::string> comments;              // mtx: one "% ..." line each, after the banner
  bool compressed = true;                         // npz: deflate (savez_compressed) or stored
  int compression_level = 1;  // npz deflate level: 1 (fast, ~4x faster than 6) ... 9 (smallest)
  const Geography* row_geography = nullptr;  // csv/tsv, as in MatrixReadOptions
  const Geography* col_geography = nullptr;
  TripletColumns columns;
};

}  // namespace flowfit::io
