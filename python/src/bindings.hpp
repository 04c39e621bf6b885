#pragma once
// Shared pieces of the flowfit Python module: CSR arrays in and out of numpy, and the binders of
// each part of the API (one file each).
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>

#include <vector>

#include "flowfit/csr_matrix.hpp"

namespace flowfit::python {

namespace py = pybind11;

// A CSR matrix from its scipy arrays. `indices` must be int32 and `data` float64 (the Python
// layer converts other dtypes and says so); `indptr` may be int32 or int64. The arrays are copied
// into the matrix (the backends own their storage) and the structure is validated, unless the
// caller hands the matrix straight to a backend (Backend::adopt validates it: one pass, not two).
enum class Validate { yes, by_backend };
CsrMatrix csr_from_arrays(int64_t n_rows, int64_t n_cols, const py::array& indptr,
                          const py::array& indices, const py::array& data,
                          Validate validate = Validate::yes);

// The matrix as (n_rows, n_cols, indptr int64, indices int32, data float64); the numpy arrays
// take over the matrix storage (no copy).
py::tuple csr_to_arrays(CsrMatrix&& m);

// A numpy array owning `v` (moved, no copy).
template <class T>
py::array_t<T> vector_to_array(std::vector<T>&& v) {
  auto* owned = new std::vector<T>(std::move(v));
  py::capsule owner(owned, [](void* p) { delete static_cast<std::vector<T>*>(p); });
  return py::array_t<T>({static_cast<py::ssize_t>(owned->size())}, {sizeof(T)}, owned->data(),
                        owner);
}

void bind_errors(py::module_& m);
void bind_geography(py::module_& m);
void bind_fit(py::module_& m);
void bind_io(py::module_& m);
void bind_pipeline(py::module_& m);
void bind_analysis(py::module_& m);

}  // namespace flowfit::python
