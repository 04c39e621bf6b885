#pragma once
// Options of the matrix readers and writers. Each format uses the fields that apply to it.
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
