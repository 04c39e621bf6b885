#include "flowfit/io/matrix_format.hpp"

#include <algorithm>
#include <cctype>
#include <string>

#include "flowfit/error.hpp"

namespace flowfit::io {
namespace {

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

}  // namespace

std::string_view to_string(MatrixFormat format) {
  switch (format) {
    case MatrixFormat::automatic:
      return "auto";
    case MatrixFormat::matrix_market:
      return "mtx";
    case MatrixFormat::npz:
      return "npz";
    case MatrixFormat::csv:
      return "csv";
    case MatrixFormat::tsv:
      return "tsv";
    case MatrixFormat::ffm:
      return "ffm";
  }
  return "?";
}

MatrixFormat matrix_format_from_string(std::string_view name) {
  const std::string n = lower(std::string(name));
  if (n == "auto" || n == "automatic") return MatrixFormat::automatic;
  if (n == "mtx" || n == "mm" || n == "matrix_market") return MatrixFormat::matrix_market;
  if (n == "npz") return MatrixFormat::npz;
  if (n == "csv") return MatrixFormat::csv;
  if (n == "tsv") return MatrixFormat::tsv;
  if (n == "ffm") return MatrixFormat::ffm;
  throw ConfigError("format", "unknown matrix format '" + std::string(name) +
                                  "' (auto, mtx, npz, csv, tsv or ffm)");
}

MatrixFormat matrix_format_from_path(const std::filesystem::path& path) {
  const std::string ext = lower(path.extension().string());
  if (ext == ".mtx" || ext == ".mm") return MatrixFormat::matrix_market;
  if (ext == ".npz") return MatrixFormat::npz;
  if (ext == ".csv") return MatrixFormat::csv;
  if (ext == ".tsv" || ext == ".tab") return MatrixFormat::tsv;
  if (ext == ".ffm") return MatrixFormat::ffm;
  throw ConfigError("format", "cannot tell the matrix format of '" + path.string() +
                                  "' from its extension (.mtx, .npz, .csv, .tsv or .ffm); name "
                                  "the format explicitly");
}

MatrixFormat resolve_matrix_format(MatrixFormat format, const std::filesystem::path& path) {
  return format == MatrixFormat::automatic ? matrix_format_from_path(path) : format;
}

}  // namespace flowfit::io
