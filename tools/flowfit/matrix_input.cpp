#include "tools/flowfit/matrix_input.hpp"

#include <cstdint>
#include <limits>

#include <fmt/format.h>

#include "flowfit/error.hpp"
#include "flowfit/io/geography_io.hpp"
#include "flowfit/io/matrix_io.hpp"

namespace flowfit::cli {

namespace fs = std::filesystem;

void add_matrix_input_options(CLI::App& app, MatrixInputOptions& options) {
  app.add_option("--geography", options.geography,
                 "CSV listing the matrix units (GEOIDs) in matrix order; needed for CSV/TSV "
                 "triplet matrices and GEOID groupings");
  app.add_option("--geography-column", options.geography_column,
                 "GEOID column of the geography file")
      ->capture_default_str();
  app.add_option("--duplicates", options.duplicates,
                 "A (row, column) pair stored twice in an input: reject or sum")
      ->check(CLI::IsMember({"reject", "sum"}))
      ->capture_default_str();
  app.add_flag("--allow-negative", options.allow_negative, "Accept negative matrix values");
  app.add_option("--max-dimension", options.max_dimension,
                 "Largest number of rows or columns an input matrix may declare (up to 2^31-1); "
                 "a larger header is refused before anything is allocated")
      ->check(CLI::Range(int64_t{1}, int64_t{std::numeric_limits<int32_t>::max()}))
      ->capture_default_str();
}

io::MatrixFormat matrix_format_for(const fs::path& path, const std::string& named,
                                   const std::string& option) {
  io::MatrixFormat f = io::matrix_format_from_string(named);
  if (f != io::MatrixFormat::automatic) return f;
  try {
    return io::matrix_format_from_path(path);
  } catch (const ConfigError&) {
    throw ConfigError(option, fmt::format("cannot tell the matrix format of '{}' from its "
                                          "extension (.mtx .npz .csv .tsv .ffm); use {} FORMAT",
                                          path.string(), option));
  }
}

std::optional<Geography> load_geography(const MatrixInputOptions& options) {
  if (options.geography.empty()) return std::nullopt;
  return io::read_geography(options.geography, options.geography_column);
}

void check_shape(const CsrMatrix& m, const Geography& geography, const fs::path& path,
                 const std::string& geography_file) {
  if (m.n_rows == geography.size() && m.n_cols == geography.size()) return;
  throw InputError(path.string(), 0, "shape",
                   fmt::format("the matrix is {} x {} but the geography {} lists {} units",
                               m.n_rows, m.n_cols, geography_file, geography.size()));
}

CsrMatrix load_matrix(const fs::path& path, const MatrixInputOptions& options,
                      const Geography* geography, io::MatrixFormat format,
                      bool require_geography_shape) {
  const bool triplets = format == io::MatrixFormat::csv || format == io::MatrixFormat::tsv;
  if (triplets && geography == nullptr)
    throw ConfigError("--geography",
                      fmt::format("'{}' is a CSV/TSV triplet matrix labelled by GEOIDs: give the "
                                  "units with --geography FILE",
                                  path.string()));
  io::MatrixReadOptions read;
  read.format = format;
  read.duplicates = options.duplicates == "sum" ? Duplicates::sum : Duplicates::reject;
  read.allow_negative = options.allow_negative;
  read.max_dimension = options.max_dimension;
  read.row_geography = geography;
  read.col_geography = geography;
  CsrMatrix m = io::read_matrix(path, read);
  if (geography && require_geography_shape) check_shape(m, *geography, path, options.geography);
  return m;
}

}  // namespace flowfit::cli
