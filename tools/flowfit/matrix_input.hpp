#pragma once
// Reading matrices and geographies from the command line: the options every subcommand that
// reads a matrix shares (--geography, --geography-column, --duplicates, --allow-negative,
// --max-dimension).
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>

#include <CLI/CLI.hpp>

#include "flowfit/csr_matrix.hpp"
#include "flowfit/geography.hpp"
#include "flowfit/io/matrix_format.hpp"
#include "flowfit/io/matrix_options.hpp"

namespace flowfit::cli {

struct MatrixInputOptions {
  std::string geography;  // CSV of the units in matrix order
  std::string geography_column = "cbg_geoid";
  std::string duplicates = "reject";  // reject | sum
  bool allow_negative = false;
  // Rows or columns above this are refused before anything is allocated (docs/formats.md).
  int64_t max_dimension = io::kDefaultMaxDimension;
};

// Adds --geography, --geography-column, --duplicates, --allow-negative and --max-dimension.
void add_matrix_input_options(CLI::App& app, MatrixInputOptions& options);

// The format of `path`: `named` ("auto" or a format name, e.g. from --from) or the extension.
// Throws ConfigError(option, ...) naming the option to use when neither tells.
io::MatrixFormat matrix_format_for(const std::filesystem::path& path, const std::string& named,
                                   const std::string& option);

std::optional<Geography> load_geography(const MatrixInputOptions& options);

// Reads a matrix. csv/tsv triplets need `geography` (ConfigError naming --geography otherwise).
// When a geography is given, the matrix must be square with one row per unit (InputError).
CsrMatrix load_matrix(const std::filesystem::path& path, const MatrixInputOptions& options,
                      const Geography* geography, io::MatrixFormat format,
                      bool require_geography_shape = true);

// InputError(path, 0, "shape", ...) unless m is n x n with n = geography.size().
void check_shape(const CsrMatrix& m, const Geography& geography, const std::filesystem::path& path,
                 const std::string& geography_file);

}  // namespace flowfit::cli
