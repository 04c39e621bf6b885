// The compiled part of the `flowfit` Python package. The public API (scipy/pandas in and out)
// is the pure-Python layer in python/flowfit; this module is its private engine, `_flowfit`.
#include "python/src/bindings.hpp"

#include "flowfit/backend.hpp"
#include "flowfit/version.hpp"

PYBIND11_MODULE(_flowfit, m) {
  namespace fp = flowfit::python;
  m.doc() = "flowfit's compiled engine (private: use the `flowfit` package)";
  m.attr("__version__") = std::string(flowfit::version());
  m.def("cuda_built", &flowfit::cuda_built, "True when built with the CUDA backend.");
  m.def("cuda_device_count", &flowfit::cuda_device_count,
        "Number of usable CUDA devices (0 when not built or no device).");
  fp::bind_errors(m);
  fp::bind_geography(m);
  fp::bind_fit(m);
  fp::bind_io(m);
  fp::bind_pipeline(m);
  fp::bind_analysis(m);
}
