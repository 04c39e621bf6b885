#pragma once
// Reading and writing matrices in any supported format, chosen by the file extension unless
// options.format names one (see matrix_format.hpp).
#include <filesystem>

#include "flowfit/csr_matrix.hpp"
#include "flowfit/io/matrix_options.hpp"

namespace flowfit::io {

CsrMatrix read_matrix(const std::filesystem::path& path, const MatrixReadOptions& options = {});
void write_matrix(const std::filesystem::path& path, const CsrMatrix& matrix,
                  const MatrixWriteOptions& options = {});

}  // namespace flowfit::io
