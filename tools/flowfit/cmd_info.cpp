// flowfit info FILE: shape, nonzeros, totals, marginal ranges, diagonal share, format details.
#include <cstring>
#include <fstream>
#include <iostream>
#include <memory>

#include <fmt/format.h>

#include "flowfit/io/checksum.hpp"
#include "flowfit/io/ffm.hpp"
#include "tools/flowfit/command_registry.hpp"
#include "tools/flowfit/exit_codes.hpp"
#include "tools/flowfit/matrix_input.hpp"
#include "tools/flowfit/matrix_summary.hpp"
#include "tools/flowfit/outputs.hpp"

namespace flowfit::cli {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

struct InfoArgs {
  std::string file;
  std::string format = "auto";
  MatrixInputOptions in;
  bool as_json = false;
  std::string output;
};

// What the file itself says about its format, beyond the matrix.
json format_details(const fs::path& path, io::MatrixFormat format) {
  json d{{"format", std::string(io::to_string(format))},
         {"bytes", static_cast<int64_t>(fs::file_size(path))},
         {"sha256", io::file_sha256(path)}};
  std::ifstream in(path, std::ios::binary);
  if (format == io::MatrixFormat::matrix_market) {
    std::string banner;
    std::getline(in, banner);
    d["banner"] = banner;
  } else if (format == io::MatrixFormat::ffm) {
    char header[16] = {};
    in.read(header, sizeof header);
    uint32_t version = 0;
    std::memcpy(&version, header + 8, sizeof version);  // little-endian, see docs/formats.md
    d["ffm_version"] = version;
  } else if (format == io::MatrixFormat::npz) {
    d["container"] = "zip of .npy arrays (scipy.sparse.save_npz)";
  }
  return d;
}

std::string percent(double share) {
  return fmt::format("{:.2f}%", 100.0 * share);
}

std::string text_report(const InfoArgs& a, const json& details, const MatrixSummary& s) {
  std::string out;
  auto row = [&](std::string_view key, const std::string& value) {
    out += fmt::format("{:<13}{}\n", key, value);
  };
  row("file", a.file);
  std::string fmt_line = fmt::format("{}, {} bytes", details["format"].get<std::string>(),
                                     details["bytes"].get<int64_t>());
  if (details.contains("banner")) fmt_line += ", " + details["banner"].get<std::string>();
  if (details.contains("ffm_version"))
    fmt_line += fmt::format(", version {}", details["ffm_version"].get<uint32_t>());
  row("format", fmt_line);
  row("sha256", details["sha256"].get<std::string>());
  row("shape", fmt::format("{} x {}{}", s.rows, s.cols, s.rows == s.cols ? " (square)" : ""));
  const double cells = static_cast<double>(s.rows) * static_cast<double>(s.cols);
  row("nonzeros", fmt::format("{} ({} of all cells; {} stored zeros)", s.nonzeros,
                              percent(cells > 0 ? s.nonzeros / cells : 0.0), s.stored_zeros));
  row("total", fmt::format("{:.17g}", s.total));
  row("row sums", fmt::format("min {:.6g}, max {:.6g}; {} empty rows", s.row_sum_min, s.row_sum_max,
                              s.empty_rows));
  row("column sums", fmt::format("min {:.6g}, max {:.6g}; {} empty columns", s.col_sum_min,
                                 s.col_sum_max, s.empty_cols));
  row("diagonal", fmt::format("{} stored, total {:.6g} ({} of the total)", s.diagonal_stored,
                              s.diagonal_total, percent(s.diagonal_share)));
  row("values", fmt::format("min {:.6g}, max {:.6g}", s.value_min, s.value_max));
  row("in memory", fmt::format("{} bytes as CSR", s.storage_bytes));
  return out;
}

int info(const InfoArgs& a, const GlobalOptions&) {
  const io::MatrixFormat format = matrix_format_for(a.file, a.format, "--format");
  if (!a.output.empty())
    prepare_output(a.output, "--output", {{"FILE", a.file}, {"--geography", a.in.geography}});
  const auto geography = load_geography(a.in);
  const CsrMatrix m = load_matrix(a.file, a.in, geography ? &*geography : nullptr, format);
  const MatrixSummary s = summarize(m);
  const json details = format_details(a.file, format);
  if (a.as_json || !a.output.empty()) {
    json doc{{"file", a.file}, {"format", details}, {"matrix", to_json(s)}};
    if (geography) doc["geography"] = {{"file", a.in.geography}, {"units", geography->size()}};
    if (!a.output.empty()) {
      write_text_output(a.output, doc.dump(2) + "\n");
    } else {
      std::cout << doc.dump(2) << '\n';
    }
    return kExitOk;
  }
  std::cout << text_report(a, details, s);
  return kExitOk;
}

CommandAction setup(CLI::App& app, const GlobalOptions& global) {
  auto a = std::make_shared<InfoArgs>();
  app.add_option("FILE", a->file, "Matrix file (.mtx .npz .csv .tsv .ffm)")->required();
  app.add_option("--format", a->format, "Format when the extension does not tell")
      ->check(CLI::IsMember({"auto", "mtx", "npz", "csv", "tsv", "ffm"}))
      ->capture_default_str();
  add_matrix_input_options(app, a->in);
  app.add_flag("--json", a->as_json, "Print JSON instead of text");
  app.add_option("-o,--output", a->output, "Write the JSON to this file (atomically)");
  return [a, &global] { return info(*a, global); };
}

const CommandRegistrar registrar{
    {"info", "Describe a matrix: shape, nonzeros, totals, marginals, diagonal share, format", 50,
     setup}};

}  // namespace
}  // namespace flowfit::cli
