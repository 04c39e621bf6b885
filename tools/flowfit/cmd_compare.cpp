// flowfit compare A B: how far apart two matrices are, entry-wise and in their marginals.
#include <cmath>
#include <iostream>
#include <memory>
#include <optional>

#include <fmt/format.h>

#include "tools/flowfit/command_registry.hpp"
#include "tools/flowfit/exit_codes.hpp"
#include "tools/flowfit/matrix_compare.hpp"
#include "tools/flowfit/matrix_input.hpp"

namespace flowfit::cli {
namespace {

struct CompareArgs {
  std::string a, b;
  MatrixInputOptions in;
  std::optional<double> rtol;
  bool as_json = false;
};

std::string diff_line(std::string_view what, const DiffStats& s) {
  return fmt::format("{:<14}max abs {:.6g}, max rel {:.6g}\n", what, s.max_abs, s.max_rel);
}

int compare(const CompareArgs& args, const GlobalOptions& global) {
  const auto geography = load_geography(args.in);
  const Geography* geo = geography ? &*geography : nullptr;
  const CsrMatrix a = load_matrix(args.a, args.in, geo, matrix_format_for(args.a, "auto", "A"));
  const CsrMatrix b = load_matrix(args.b, args.in, geo, matrix_format_for(args.b, "auto", "B"));
  const MatrixComparison c = compare_matrices(a, b, args.a, args.b);

  // Pass: every entry and every marginal within rtol (relative; absolute below 1).
  const double worst = std::max({c.entries.max_rel, c.row_sums.max_rel, c.col_sums.max_rel});
  const bool pass = !args.rtol || worst <= *args.rtol;

  if (args.as_json) {
    nlohmann::json doc = to_json(c);
    doc["a"] = args.a;
    doc["b"] = args.b;
    if (args.rtol) {
      doc["rtol"] = *args.rtol;
      doc["pass"] = pass;
    }
    std::cout << doc.dump(2) << '\n';
  } else {
    std::string out = fmt::format("A: {}\nB: {}\n", args.a, args.b);
    out += fmt::format(
        "{:<14}{} x {}; {} entries in the union of the patterns ({} only in A, {} "
        "only in B)\n",
        "shape", a.n_rows, a.n_cols, c.union_entries, c.only_in_a, c.only_in_b);
    out += diff_line("entries", c.entries);
    if (c.entries.worst_index >= 0 && c.entries.max_abs > 0)
      out += fmt::format("{:<14}at row {}, column {} (0-based)\n", "  worst",
                         c.entries.worst_index / a.n_cols, c.entries.worst_index % a.n_cols);
    out += diff_line("row sums", c.row_sums);
    out += diff_line("column sums", c.col_sums);
    if (a.is_square()) out += diff_line("diagonal", c.diagonal);
    out += fmt::format("{:<14}A {:.17g}, B {:.17g}\n", "total", c.total_a, c.total_b);
    out += fmt::format("{:<14}{}\n", "pearson r",
                       std::isnan(c.pearson_r) ? std::string("undefined (constant entries)")
                                               : fmt::format("{:.12f}", c.pearson_r));
    if (args.rtol)
      out += fmt::format("{:<14}{} (worst relative difference {:.3g}, tolerance {:.3g})\n",
                         "result", pass ? "PASS" : "FAIL", worst, *args.rtol);
    std::cout << out;
  }
  if (!pass)
    global.console.info(fmt::format("matrices differ by more than --rtol {:.3g}", *args.rtol));
  return pass ? kExitOk : kExitCheckFailed;
}

CommandAction setup(CLI::App& app, const GlobalOptions& global) {
  auto a = std::make_shared<CompareArgs>();
  app.add_option("A", a->a, "First matrix (the reference)")->required();
  app.add_option("B", a->b, "Second matrix, same shape")->required();
  add_matrix_input_options(app, a->in);
  app.add_option("--rtol", a->rtol,
                 "Pass/fail tolerance on entries and marginals: relative difference, absolute "
                 "where both values are below 1. Exit 0 when within, 5 when not")
      ->check(CLI::NonNegativeNumber);
  app.add_flag("--json", a->as_json, "Print JSON instead of text");
  return [a, &global] { return compare(*a, global); };
}

const CommandRegistrar registrar{
    {"compare",
     "Compare two matrices: max abs/rel entry and marginal differences, Pearson r; --rtol gates "
     "the exit code",
     60, setup}};

}  // namespace
}  // namespace flowfit::cli
