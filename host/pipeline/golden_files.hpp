#pragma once
// Files of a golden case folder: a matrix under any supported extension, CSVs plain or gzipped.
#include <filesystem>
#include <optional>
#include <string>

#include "flowfit/io/csv_table.hpp"

namespace flowfit::pipeline::detail {

namespace fs = std::filesystem;

// <dir>/<stem>.mtx, .npz or .ffm, the first that exists.
std::optional<fs::path> find_matrix_file(const fs::path& dir, const std::string& stem);
// <dir>/<name>.csv or <dir>/<name>.csv.gz, the first that exists.
std::optional<fs::path> find_csv_file(const fs::path& dir, const std::string& name);
// Reads a CSV; a path ending in .gz is inflated (gzip) in memory first.
io::CsvTable read_csv_any(const fs::path& path);

}  // namespace flowfit::pipeline::detail
