// flowfit assemble: CBG flows E = Gᵀ(A − diag A)G + diag(Gᵀ diag A) from address flows A and a
// probabilistic address -> CBG crosswalk G (docs/method.md, section 1).
#include <memory>

#include <fmt/format.h>

#include "flowfit/assembly.hpp"
#include "flowfit/assembly_cuda.hpp"
#include "flowfit/backend.hpp"
#include "flowfit/error.hpp"
#include "flowfit/io/geography_io.hpp"
#include "flowfit/io/matrix_io.hpp"
#include "tools/flowfit/command_registry.hpp"
#include "tools/flowfit/crosswalk_input.hpp"
#include "tools/flowfit/exit_codes.hpp"
#include "tools/flowfit/matrix_input.hpp"
#include "tools/flowfit/outputs.hpp"

namespace flowfit::cli {
namespace {

namespace fs = std::filesystem;

struct AssembleArgs {
  std::string flows, crosswalk, output;
  std::string addresses;  // CSV of address ids in matrix order
  std::string address_column = "address_id";
  std::string geography;  // CSV of the CBGs (columns of G, rows/columns of E)
  std::string geography_column = "cbg_geoid";
  std::string geography_out;
  std::string crosswalk_columns = "address_id,cbg_geoid,weight";
  std::string duplicates = "reject";
  bool strict = false;
};

CrosswalkColumns parse_columns(const std::string& text) {
  CrosswalkColumns c;
  const auto a = text.find(','), b = text.find(',', a == std::string::npos ? 0 : a + 1);
  if (a == std::string::npos || b == std::string::npos || a == 0 || b == a + 1 ||
      b + 1 == text.size() || text.find(',', b + 1) != std::string::npos)
    throw ConfigError("--crosswalk-columns",
                      fmt::format("expected ADDRESS,UNIT,WEIGHT column names, got '{}'", text));
  c.address = text.substr(0, a);
  c.unit = text.substr(a + 1, b - a - 1);
  c.weight = text.substr(b + 1);
  return c;
}

// Stats of the GPU assembly, counted on the host from the inputs and the result (the CPU's
// assemble_flows fills them itself).
assembly::AssemblyStats host_stats(const CsrMatrix& a, const CsrMatrix& g, const CsrMatrix& e) {
  assembly::AssemblyStats s;
  s.addresses = a.n_rows;
  s.units = g.n_cols;
  s.a_nonzeros = a.nnz();
  s.crosswalk_nonzeros = g.nnz();
  for (int64_t i = 0; i < a.n_rows; ++i)
    for (int64_t p = a.row_ptr[i]; p < a.row_ptr[i + 1]; ++p)
      if (a.col_idx[p] == i) ++s.a_diagonal;
  for (int64_t i = 0; i < g.n_rows; ++i)
    if (g.row_ptr[i + 1] == g.row_ptr[i]) ++s.unmapped_addresses;
  s.a_total = total(a);
  s.e_total = total(e);
  return s;
}

// --backend cuda assembles on the GPU (cuSPARSE SpGEMM, docs/cuda_assembly.md); every other
// choice, auto included, on the CPU: the two agree to rounding, not bit for bit, so the GPU is
// used only when asked for.
CsrMatrix assemble_on_backend(const CsrMatrix& flows, const CsrMatrix& g,
                              const GlobalOptions& global, assembly::AssemblyStats& stats) {
  const bool gpu =
      global.backend_given && backend_choice_from_string(global.backend) == BackendChoice::cuda;
  if (!gpu) {
    global.console.detail("assembly on the CPU");
    return assembly::assemble_flows(flows, g, &stats);
  }
  global.console.info("assembly on the GPU (CUDA device 0, cuSPARSE SpGEMM)");
  CsrMatrix e = assembly::assemble_flows_cuda(flows, g, 0);
  stats = host_stats(flows, g, e);
  return e;
}

int assemble(const AssembleArgs& a, const GlobalOptions& global) {
  const io::MatrixFormat flows_format = matrix_format_for(a.flows, "auto", "--flows");
  const io::MatrixFormat out_format = matrix_format_for(a.output, "auto", "--output");
  const bool crosswalk_is_table =
      fs::path(a.crosswalk).extension() == ".csv" || fs::path(a.crosswalk).extension() == ".tsv";
  const CrosswalkColumns columns = parse_columns(a.crosswalk_columns);
  const std::vector<NamedInput> inputs{{"--flows", a.flows},
                                       {"--crosswalk", a.crosswalk},
                                       {"--addresses", a.addresses},
                                       {"--geography", a.geography}};
  prepare_output(a.output, "--output", inputs);
  if (!a.geography_out.empty()) {
    prepare_output(a.geography_out, "--geography-out", inputs);
    io::refuse_output_over_input(a.geography_out, "--geography-out", {{"--output", a.output}});
  }

  std::optional<Geography> addresses, units;
  if (!a.addresses.empty()) addresses = io::read_geography(a.addresses, a.address_column);
  if (!a.geography.empty()) units = io::read_geography(a.geography, a.geography_column);

  MatrixInputOptions flow_opts;
  flow_opts.geography = a.addresses;
  flow_opts.duplicates = a.duplicates;
  const CsrMatrix flows =
      load_matrix(a.flows, flow_opts, addresses ? &*addresses : nullptr, flows_format);
  if (addresses && (flows.n_rows != addresses->size() || flows.n_cols != addresses->size()))
    throw InputError(a.flows, 0, "shape",
                     fmt::format("the flow matrix is {} x {} but {} lists {} addresses",
                                 flows.n_rows, flows.n_cols, a.addresses, addresses->size()));

  Crosswalk cw;
  if (crosswalk_is_table) {
    cw = read_crosswalk_csv(a.crosswalk, flows.n_rows, addresses ? &*addresses : nullptr,
                            a.addresses, units ? &*units : nullptr, a.geography, columns);
  } else {
    if (!units)
      throw ConfigError("--geography",
                        "a crosswalk matrix has no GEOIDs: give the CBGs of its columns with "
                        "--geography FILE");
    io::MatrixReadOptions r;
    r.format = matrix_format_for(a.crosswalk, "auto", "--crosswalk");
    cw.g = io::read_matrix(a.crosswalk, r);
    cw.units = *units;
    if (cw.g.n_cols != units->size())
      throw InputError(a.crosswalk, 0, "shape",
                       fmt::format("the crosswalk has {} columns but {} lists {} CBGs", cw.g.n_cols,
                                   a.geography, units->size()));
  }
  if (cw.g.n_rows != flows.n_rows)
    throw InputError(a.crosswalk, 0, "shape",
                     fmt::format("the crosswalk has {} address rows but the flow matrix {} has {}",
                                 cw.g.n_rows, a.flows, flows.n_rows));

  const RowSumCheck sums = check_row_sums(cw.g);
  if (sums.off_rows > 0) {
    const std::string msg = fmt::format(
        "{}: field '{}': {} crosswalk rows do not sum to 1 (first: address row {} sums to "
        "{:.17g}); their flows are scaled by that sum",
        a.crosswalk, columns.weight, sums.off_rows, sums.first_off_row, sums.first_off_sum);
    if (a.strict) throw CheckFailed(msg);
    global.console.warn(msg);
  }
  if (sums.empty_rows > 0)
    global.console.warn(
        fmt::format("{} addresses have no crosswalk weight; their flows are "
                    "dropped",
                    sums.empty_rows));

  assembly::AssemblyStats stats;
  const CsrMatrix e = assemble_on_backend(flows, cw.g, global, stats);
  io::MatrixWriteOptions w;
  w.row_geography = &cw.units;
  w.col_geography = &cw.units;
  w.comments = {
      fmt::format("assembled by flowfit: E = G^T (A - diag A) G + diag(G^T diag A), "
                  "A = {}, G = {}",
                  a.flows, a.crosswalk)};
  io::write_matrix(a.output, e, w);
  if (!a.geography_out.empty()) io::write_geography(a.geography_out, cw.units, a.geography_column);

  global.console.info(fmt::format(
      "wrote {}: {} CBGs, {} nonzeros; {} addresses ({} stayers), total {:.6g} -> {:.6g}", a.output,
      e.n_rows, e.nnz(), stats.addresses, stats.a_diagonal, stats.a_total, stats.e_total));
  if (out_format != io::MatrixFormat::csv && out_format != io::MatrixFormat::tsv &&
      a.geography.empty() && a.geography_out.empty())
    global.console.info(
        "the CBG order is the sorted GEOIDs of the crosswalk; --geography-out "
        "FILE writes it");
  return kExitOk;
}

CommandAction setup(CLI::App& app, const GlobalOptions& global) {
  auto a = std::make_shared<AssembleArgs>();
  app.add_option("--flows", a->flows, "Address-level flows A (square matrix)")->required();
  app.add_option("--crosswalk", a->crosswalk,
                 "Crosswalk G: CSV (address_id,cbg_geoid,weight) or a matrix file with "
                 "--geography naming its columns")
      ->required();
  app.add_option("-o,--output", a->output, "CBG flows E (any matrix format)")->required();
  app.add_option("--addresses", a->addresses,
                 "CSV of the address ids in matrix order (otherwise address_id is the 0-based "
                 "row index)");
  app.add_option("--address-column", a->address_column, "Id column of --addresses")
      ->capture_default_str();
  app.add_option("--geography", a->geography,
                 "CSV of the CBGs in output order (otherwise the sorted GEOIDs of the "
                 "crosswalk)");
  app.add_option("--geography-column", a->geography_column, "GEOID column of --geography")
      ->capture_default_str();
  app.add_option("--geography-out", a->geography_out, "Write the CBGs of E in order");
  app.add_option("--crosswalk-columns", a->crosswalk_columns,
                 "Address, unit and weight columns of a CSV crosswalk")
      ->capture_default_str();
  app.add_option("--duplicates", a->duplicates, "Repeated entries in A: reject or sum")
      ->check(CLI::IsMember({"reject", "sum"}))
      ->capture_default_str();
  app.add_flag("--strict", a->strict, "Reject crosswalk rows whose weights do not sum to 1");
  return [a, &global] { return assemble(*a, global); };
}

const CommandRegistrar registrar{
    {"assemble",
     "Assemble CBG flows from address flows and a crosswalk: E = Gᵀ(A − diag A)G + diag(Gᵀ "
     "diag A)",
     30, setup}};

}  // namespace
}  // namespace flowfit::cli
