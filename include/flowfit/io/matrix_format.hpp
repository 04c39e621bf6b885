#pragma once
// The on-disk matrix formats and how a format is picked from a file name.
#include <filesystem>
#include <string_view>

namespace flowfit::io {

enum class MatrixFormat {
  automatic,      // from the extension: .mtx .npz .csv .tsv .ffm
  matrix_market,  // Matrix Market coordinate, 1-based
  npz,            // scipy.sparse.save_npz archive
  csv,            // origin,destination,value triplets with GEOID labels
  tsv,            // the same, tab-separated
  ffm             // flowfit native binary
};

std::string_view to_string(MatrixFormat format);
// "auto" | "mtx" | "npz" | "csv" | "tsv" | "ffm" (also "matrix_market"); ConfigError otherwise.
MatrixFormat matrix_format_from_string(std::string_view name);
// The format of `path` by its extension (case-insensitive); ConfigError("format", ...) when the
// extension is not one of the above.
MatrixFormat matrix_format_from_path(const std::filesystem::path& path);
// `format` itself unless it is automatic, then matrix_format_from_path(path).
MatrixFormat resolve_matrix_format(MatrixFormat format, const std::filesystem::path& path);

}  // namespace flowfit::io
