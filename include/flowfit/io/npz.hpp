#pragma once
// scipy sparse .npz archives, as scipy.sparse.save_npz / load_npz handle them: a zip of .npy
// arrays `format` (0-d bytes 'csr' | 'csc' | 'coo'), `shape` (2 integers), `data`, and
// `indices` + `indptr` (csr, csc) or `row` + `col` (coo).
#include <filesystem>

#include "flowfit/csr_matrix.hpp"
#include "flowfit/io/matrix_options.hpp"

namespace flowfit::io {

// Reads csr, csc and coo archives (stored or deflated members; little-endian integer indices of
// any width; float64/float32/integer/bool data). Errors are InputError(file, 0, array, reason).
// Unsorted indices are sorted; duplicates follow options.duplicates.
CsrMatrix read_npz(const std::filesystem::path& path, const MatrixReadOptions& options = {});

// Writes a csr archive the way scipy does: int32 indices/indptr when every index and nnz fit in
// int32, int64 otherwise; float64 data; deflated when options.compressed (savez_compressed).
void write_npz(const std::filesystem::path& path, const CsrMatrix& matrix,
               const MatrixWriteOptions& options = {});

}  // namespace flowfit::io
