// flowfit convert IN OUT: a matrix from one format to another.
#include <memory>

#include <fmt/format.h>

#include "flowfit/error.hpp"
#include "flowfit/io/matrix_io.hpp"
#include "flowfit/io/number_format.hpp"
#include "tools/flowfit/command_registry.hpp"
#include "tools/flowfit/exit_codes.hpp"
#include "tools/flowfit/matrix_input.hpp"
#include "tools/flowfit/outputs.hpp"

namespace flowfit::cli {
namespace {

struct ConvertArgs {
  std::string input, output;
  std::string from = "auto", to = "auto";
  MatrixInputOptions in;
  bool uncompressed = false;
  std::string digits = "17";
};

int convert(const ConvertArgs& a, const GlobalOptions& global) {
  const io::MatrixFormat from = matrix_format_for(a.input, a.from, "--from");
  const io::MatrixFormat to = matrix_format_for(a.output, a.to, "--to");
  const bool labelled_out = to == io::MatrixFormat::csv || to == io::MatrixFormat::tsv;
  if (labelled_out && a.in.geography.empty())
    throw ConfigError("--geography",
                      "writing CSV/TSV triplets labels rows and columns by GEOID: give the units "
                      "with --geography FILE");
  prepare_output(a.output, "OUT", {{"IN", a.input}, {"--geography", a.in.geography}});
  const auto geography = load_geography(a.in);
  const CsrMatrix m = load_matrix(a.input, a.in, geography ? &*geography : nullptr, from);

  io::MatrixWriteOptions w;
  w.format = to;
  w.compressed = !a.uncompressed;
  w.real_format = a.digits == "shortest" ? io::RealFormat::shortest : io::RealFormat::digits17;
  w.row_geography = geography ? &*geography : nullptr;
  w.col_geography = w.row_geography;
  w.comments = {fmt::format("converted by flowfit from {}", a.input)};
  io::write_matrix(a.output, m, w);
  global.console.info(fmt::format("wrote {} ({} x {}, {} nonzeros, {} -> {})", a.output, m.n_rows,
                                  m.n_cols, m.nnz(), io::to_string(from), io::to_string(to)));
  return kExitOk;
}

CommandAction setup(CLI::App& app, const GlobalOptions& global) {
  auto a = std::make_shared<ConvertArgs>();
  app.add_option("IN", a->input, "Input matrix (.mtx .npz .csv .tsv .ffm)")->required();
  app.add_option("OUT", a->output, "Output matrix, written atomically")->required();
  app.add_option("--from", a->from, "Input format when the extension does not tell")
      ->check(CLI::IsMember({"auto", "mtx", "npz", "csv", "tsv", "ffm"}))
      ->capture_default_str();
  app.add_option("--to", a->to, "Output format when the extension does not tell")
      ->check(CLI::IsMember({"auto", "mtx", "npz", "csv", "tsv", "ffm"}))
      ->capture_default_str();
  add_matrix_input_options(app, a->in);
  app.add_flag("--uncompressed", a->uncompressed,
               "npz: store members (scipy save_npz(..., "
               "compressed=False))");
  app.add_option("--digits", a->digits,
                 "Text formats: 17 significant digits, or the shortest exact form")
      ->check(CLI::IsMember({"17", "shortest"}))
      ->capture_default_str();
  return [a, &global] { return convert(*a, global); };
}

const CommandRegistrar registrar{
    {"convert", "Convert a matrix between .npz, .mtx, CSV/TSV triplets and .ffm", 40, setup}};

}  // namespace
}  // namespace flowfit::cli
