#pragma once
// Matrices as CSV/TSV triplets labelled with GEOIDs: a header row with (by default) the columns
// origin,destination,value and one row per stored entry. Other columns are ignored on read.
#include <filesystem>

#include "flowfit/csr_matrix.hpp"
#include "flowfit/geography.hpp"
#include "flowfit/io/csv_options.hpp"
#include "flowfit/io/matrix_options.hpp"

namespace flowfit::io {

// Rows are resolved through `rows`, columns through `cols`; an unknown GEOID is an InputError
// naming the line and the column.
CsrMatrix read_triplet_csv(const std::filesystem::path& path, const Geography& rows,
                           const Geography& cols, const MatrixReadOptions& options = {},
                           CsvOptions csv = {});

void write_triplet_csv(const std::filesystem::path& path, const CsrMatrix& matrix,
                       const Geography& rows, const Geography& cols,
                       const MatrixWriteOptions& options = {}, char delimiter = ',');

}  // namespace flowfit::io
