// Plans from Python: run(plan) writes the same outputs and JSON report as `flowfit run`, and
// run_year fits one year's matrix given in memory through the plan's stages.
#include <pybind11/stl.h>

#include <filesystem>
#include <optional>
#include <string>

#include "flowfit/backend.hpp"
#include "flowfit/pipeline/pipeline.hpp"
#include "flowfit/pipeline/plan_toml.hpp"
#include "host/report/report_json.hpp"
#include "python/src/bindings.hpp"

namespace flowfit::python {
namespace {

namespace fs = std::filesystem;

// The plan from a file (text empty) or from TOML text whose relative paths resolve against
// base_dir; backend and threads override the plan's when given.
pipeline::Plan load_plan(const std::string& file, const std::optional<std::string>& text,
                         const std::string& base_dir, const std::optional<std::string>& backend,
                         std::optional<int> threads) {
  pipeline::Plan plan = text ? pipeline::plan_from_toml(*text, file, fs::path(base_dir))
                             : pipeline::read_plan_toml(fs::path(file));
  if (backend) plan.backend = backend_choice_from_string(*backend);
  if (threads) plan.threads = *threads;
  return plan;
}

// Between stages the progress sink takes the GIL, checks for Ctrl-C and calls `progress`.
pipeline::ProgressSink python_sink(const py::object& progress) {
  return [&progress](const pipeline::ProgressEvent& e) {
    py::gil_scoped_acquire gil;
    if (PyErr_CheckSignals() != 0) throw py::error_already_set();
    if (!progress.is_none()) progress(e.year, e.year_index, e.n_years, e.what);
  };
}

std::string run_plan(const std::string& file, const std::optional<std::string>& text,
                     const std::string& base_dir, const std::optional<std::string>& backend,
                     std::optional<int> threads, const std::optional<std::string>& report_path,
                     const py::object& progress) {
  const pipeline::Plan plan = load_plan(file, text, base_dir, backend, threads);
  const fs::path plan_dir = text ? fs::path(base_dir) : fs::absolute(fs::path(file)).parent_path();
  report::RunContext context;
  context.plan_file = file;
  context.plan_toml = pipeline::plan_to_toml(plan, plan_dir);
  context.command_line = "python: flowfit.run(" + file + ")";
  nlohmann::json doc;
  {
    py::gil_scoped_release nogil;
    context.inputs = report::plan_input_files(plan);
    context.machine = report::machine_info();
    const pipeline::RunReport result = pipeline::run_plan(plan, python_sink(progress));
    doc = report::run_report_json(result, context);
    const fs::path out = report_path ? fs::path(*report_path) : plan.output.dir / "run_report.json";
    report::write_json(out, doc);
  }
  return doc.dump();
}

py::tuple run_year(const std::string& file, const std::optional<std::string>& text,
                   const std::string& base_dir, const std::optional<std::string>& backend_choice,
                   std::optional<int> threads, int year, int64_t n_rows, int64_t n_cols,
                   const py::array& indptr, const py::array& indices, const py::array& data,
                   const py::object& progress) {
  const pipeline::Plan plan = load_plan(file, text, base_dir, backend_choice, threads);
  CsrMatrix matrix = csr_from_arrays(n_rows, n_cols, indptr, indices, data);
  nlohmann::json stages = nlohmann::json::array();
  nlohmann::json warnings = nlohmann::json::array();
  nlohmann::json audit;
  std::string backend_name;
  {
    py::gil_scoped_release nogil;
    auto backend = make_backend(plan.backend, plan.threads);
    backend_name = backend->name();
    const pipeline::SharedInputs shared = pipeline::load_shared_inputs(plan);
    pipeline::YearProblem problem = pipeline::prepare_year(plan, shared, year, std::move(matrix));
    for (const auto& w : problem.warnings) warnings.push_back(report::to_json(w));
    std::unique_ptr<ResidentMatrix> resident;
    const auto sink = python_sink(progress);
    const auto runs = pipeline::run_stages(
        *backend, std::move(problem.matrix), resident, problem, plan.stages,
        [&](const pipeline::StageRun& r, ResidentMatrix&) {
          sink(pipeline::ProgressEvent{
              year, 0, 1, "stage " + std::string(to_string(r.spec.kind)) + " done", std::nullopt});
        });
    for (const auto& r : runs) {
      stages.push_back(report::to_json(r));
      stages.back()["position"] = static_cast<int>(stages.size());
    }
    matrix = backend->release(std::move(resident));
    audit = report::to_json(
        pipeline::audit_final_matrix(matrix, problem, plan.stages, shared.geography));
  }
  nlohmann::json doc{{"year", year},
                     {"backend", backend_name},
                     {"stages", stages},
                     {"warnings", warnings},
                     {"final_audit", audit}};
  return py::make_tuple(csr_to_arrays(std::move(matrix)), doc.dump());
}

}  // namespace

void bind_pipeline(py::module_& m) {
  m.def("run_plan", &run_plan, py::arg("file"), py::arg("text"), py::arg("base_dir"),
        py::arg("backend"), py::arg("threads"), py::arg("report"), py::arg("progress"));
  m.def("run_year", &run_year, py::arg("file"), py::arg("text"), py::arg("base_dir"),
        py::arg("backend"), py::arg("threads"), py::arg("year"), py::arg("n_rows"),
        py::arg("n_cols"), py::arg("indptr"), py::arg("indices"), py::arg("data"),
        py::arg("progress"));
}

}  // namespace flowfit::python
