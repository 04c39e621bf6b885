#include "flowfit/io/matrix_io.hpp"

#include "flowfit/error.hpp"
#include "flowfit/io/csv_reader.hpp"
#include "flowfit/io/ffm.hpp"
#include "flowfit/io/matrix_header.hpp"
#include "flowfit/io/matrix_market.hpp"
#include "flowfit/io/npz.hpp"
#include "flowfit/io/triplet_csv.hpp"

namespace flowfit::io {
namespace {

template <class Options>
void require_geography(const Options& options, const std::filesystem::path& path) {
  if (options.row_geography == nullptr) {
    throw ConfigError("row_geography", "matrix '" + path.string() +
                                           "' is a GEOID triplet table: a geography is needed");
  }
}

}  // namespace

CsrMatrix read_matrix(const std::filesystem::path& path, const MatrixReadOptions& options) {
  switch (resolve_matrix_format(options.format, path)) {
    case MatrixFormat::matrix_market:
      return read_matrix_market(path, options);
    case MatrixFormat::npz:
      return read_npz(path, options);
    case MatrixFormat::ffm:
      return read_ffm(path, options);
    case MatrixFormat::csv:
    case MatrixFormat::tsv: {
      require_geography(options, path);
      const Geography& rows = *options.row_geography;
      const Geography& cols = options.col_geography ? *options.col_geography : rows;
      CsvOptions csv;
      if (resolve_matrix_format(options.format, path) == MatrixFormat::tsv) csv.delimiter = '\t';
      return read_triplet_csv(path, rows, cols, options, csv);
    }
    case MatrixFormat::automatic:
      break;
  }
  throw ConfigError("format", "no matrix format for '" + path.string() + "'");
}

MatrixHeader read_matrix_header(const std::filesystem::path& path,
                                const MatrixReadOptions& options) {
  const MatrixFormat format = resolve_matrix_format(options.format, path);
  switch (format) {
    case MatrixFormat::matrix_market:
      return read_matrix_market_header(path, options);
    case MatrixFormat::npz:
      return read_npz_header(path, options);
    case MatrixFormat::ffm:
      return read_ffm_header(path, options);
    case MatrixFormat::csv:
    case MatrixFormat::tsv: {
      require_geography(options, path);
      const Geography& cols =
          options.col_geography ? *options.col_geography : *options.row_geography;
      CsvOptions csv;
      if (format == MatrixFormat::tsv) csv.delimiter = '\t';
      const CsvReader reader(path, csv);  // the header row: valid, with the triplet columns
      (void)reader.column(options.columns.origin);
      (void)reader.column(options.columns.destination);
      (void)reader.column(options.columns.value);
      return {format, static_cast<int64_t>(options.row_geography->size()),
              static_cast<int64_t>(cols.size()), -1};
    }
    case MatrixFormat::automatic:
      break;
  }
  throw ConfigError("format", "no matrix format for '" + path.string() + "'");
}

void write_matrix(const std::filesystem::path& path, const CsrMatrix& matrix,
                  const MatrixWriteOptions& options) {
  switch (resolve_matrix_format(options.format, path)) {
    case MatrixFormat::matrix_market:
      return write_matrix_market(path, matrix, options);
    case MatrixFormat::npz:
      return write_npz(path, matrix, options);
    case MatrixFormat::ffm:
      return write_ffm(path, matrix);
    case MatrixFormat::csv:
    case MatrixFormat::tsv: {
      require_geography(options, path);
      const Geography& rows = *options.row_geography;
      const Geography& cols = options.col_geography ? *options.col_geography : rows;
      const char delimiter =
          resolve_matrix_format(options.format, path) == MatrixFormat::tsv ? '\t' : ',';
      return write_triplet_csv(path, matrix, rows, cols, options, delimiter);
    }
    case MatrixFormat::automatic:
      break;
  }
  throw ConfigError("format", "no matrix format for '" + path.string() + "'");
}

}  // namespace flowfit::io
