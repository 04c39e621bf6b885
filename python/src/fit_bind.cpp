// Margins, stages, backends and fit: one stage on a matrix given as scipy arrays. The GIL is
// released while the stage runs; between sweep batches the progress hook takes it back briefly
// to check for Ctrl-C (PyErr_CheckSignals) and to call the Python progress callback.
#include <pybind11/stl.h>

#include <optional>
#include <string>
#include <vector>

#include "flowfit/backend.hpp"
#include "flowfit/error.hpp"
#include "flowfit/fit.hpp"
#include "host/report/report_json.hpp"
#include "python/src/bindings.hpp"

namespace flowfit::python {
namespace {

Margin make_margin(std::string name, Grouping rows, Grouping cols, const std::string& entries,
                   std::vector<double> targets) {
  Margin margin;
  margin.name = std::move(name);
  margin.rows = std::move(rows);
  margin.cols = std::move(cols);
  margin.entries = entry_class_from_string(entries);
  margin.targets = std::move(targets);
  if (static_cast<int64_t>(margin.targets.size()) != margin.n_blocks())
    throw ConfigError("margin '" + margin.name + "'.targets",
                      "expected " + std::to_string(margin.n_blocks()) + " targets, got " +
                          std::to_string(margin.targets.size()));
  return margin;
}

FitMethod method_from_string(const std::string& s) {
  if (s == "quotient") return FitMethod::quotient;
  if (s == "naive") return FitMethod::naive;
  throw ConfigError("method", "expected 'quotient' or 'naive', got '" + s + "'");
}

// Runs the stage with the GIL released; returns (matrix arrays, result as JSON text).
py::tuple fit(Backend& backend, int64_t n_rows, int64_t n_cols, const py::array& indptr,
              const py::array& indices, const py::array& data, const Stage& stage,
              const py::object& progress) {
  // run_stage adopts the matrix into the backend, which validates it.
  CsrMatrix matrix = csr_from_arrays(n_rows, n_cols, indptr, indices, data, Validate::by_backend);
  StageRunOptions options;
  options.progress = [&progress](const StageProgress& p) {
    py::gil_scoped_acquire gil;
    if (PyErr_CheckSignals() != 0) throw py::error_already_set();  // Ctrl-C: KeyboardInterrupt
    if (!progress.is_none()) progress(p.iterations_done, p.max_iterations);
  };
  StageResult result;
  {
    py::gil_scoped_release nogil;
    result = run_stage(backend, matrix, stage, options);
  }
  std::string report = report::to_json(result).dump();
  return py::make_tuple(csr_to_arrays(std::move(matrix)), std::move(report));
}

}  // namespace

void bind_fit(py::module_& m) {
  py::class_<Margin>(m, "Margin", "One block-marginal constraint (engine object).")
      .def(py::init(&make_margin), py::arg("name"), py::arg("rows"), py::arg("cols"),
           py::arg("entries"), py::arg("targets"))
      .def_readonly("name", &Margin::name)
      .def_readonly("rows", &Margin::rows)
      .def_readonly("cols", &Margin::cols)
      .def_property_readonly("entries",
                             [](const Margin& mg) { return std::string(to_string(mg.entries)); })
      .def_property_readonly("targets",
                             [](const Margin& mg) {
                               std::vector<double> t = mg.targets;
                               return vector_to_array(std::move(t));
                             })
      .def("validate", &Margin::validate, py::arg("n_rows"), py::arg("n_cols"));

  py::class_<Stage>(m, "Stage", "Margins applied in sweeps under a stop rule (engine object).")
      .def(py::init([](std::string name, std::vector<Margin> margins, int max_iterations,
                       std::optional<double> l1_tolerance, std::optional<double> residual_tolerance,
                       const std::string& method, int log_every, double consistency_tolerance,
                       double report_tolerance) {
             Stage s;
             s.name = std::move(name);
             s.margins = std::move(margins);
             s.stop.max_iterations = max_iterations;
             s.stop.l1_tolerance = l1_tolerance;
             s.stop.residual_tolerance = residual_tolerance;
             s.method = method_from_string(method);
             s.log_every = log_every;
             s.consistency_tolerance = consistency_tolerance;
             s.report_tolerance = report_tolerance;
             s.validate();  // ConfigError keyed by the option, as the engine would raise later
             return s;
           }),
           py::arg("name"), py::arg("margins"), py::arg("max_iterations"), py::arg("l1_tolerance"),
           py::arg("residual_tolerance"), py::arg("method"), py::arg("log_every"),
           py::arg("consistency_tolerance"), py::arg("report_tolerance"))
      .def_readonly("name", &Stage::name)
      .def_readonly("margins", &Stage::margins);

  py::class_<Backend>(m, "Backend", "Where the matrix lives and the kernels run (engine object).")
      .def_property_readonly("name", &Backend::name)
      .def_property_readonly("kind",
                             [](const Backend& b) { return std::string(to_string(b.kind())); });
  m.def(
      "make_backend",
      [](const std::string& choice, int threads) {
        std::string why;
        std::unique_ptr<Backend> b =
            make_backend(backend_choice_from_string(choice), threads, &why);
        return py::make_tuple(std::move(b), why);
      },
      py::arg("choice"), py::arg("threads") = 0);
  m.def("fit", &fit, py::arg("backend"), py::arg("n_rows"), py::arg("n_cols"), py::arg("indptr"),
        py::arg("indices"), py::arg("data"), py::arg("stage"), py::arg("progress"));
  m.def(
      "clip_diagonal",
      [](int64_t n_rows, int64_t n_cols, const py::array& indptr, const py::array& indices,
         const py::array& data, double minimum) {
        CsrMatrix mat = csr_from_arrays(n_rows, n_cols, indptr, indices, data);
        int64_t inserted = 0;
        {
          py::gil_scoped_release nogil;
          inserted = clip_diagonal(mat, minimum);
        }
        return py::make_tuple(csr_to_arrays(std::move(mat)), inserted);
      },
      py::arg("n_rows"), py::arg("n_cols"), py::arg("indptr"), py::arg("indices"), py::arg("data"),
      py::arg("minimum"));
}

}  // namespace flowfit::python
