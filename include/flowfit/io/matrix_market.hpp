#pragma once
// Matrix Market coordinate files: banner `%%MatrixMarket matrix coordinate <field> <symmetry>`
// with field real | integer | pattern and symmetry general | symmetric, 1-based indices.
#include <filesystem>

#include "flowfit/csr_matrix.hpp"
#include "flowfit/io/matrix_options.hpp"

namespace flowfit::io {

// Throws InputError naming file, line and field ("banner", "size", "row", "col", "value",
// "entries") on malformed input, out-of-range indices, duplicates and rejected values.
CsrMatrix read_matrix_market(const std::filesystem::path& path,
                             const MatrixReadOptions& options = {});

// Writes `coordinate real general`, entries in row-major order (atomically).
void write_matrix_market(const std::filesystem::path& path, const CsrMatrix& matrix,
                         const MatrixWriteOptions& options = {});

}  // namespace flowfit::io
