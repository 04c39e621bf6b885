// CSR matrices between numpy arrays (scipy's indptr/indices/data) and flowfit::CsrMatrix.
#include <algorithm>
#include <cstring>
#include <string>

#include "flowfit/error.hpp"
#include "python/src/bindings.hpp"

namespace flowfit::python {
namespace {

template <class T>
std::span<const T> checked_span(const py::array& a, const char* name) {
  if (a.ndim() != 1) throw ConfigError(name, "must be a one-dimensional array");
  if (!py::dtype::of<T>().is(a.dtype()) &&
      !(a.dtype().kind() == py::dtype::of<T>().kind() && a.itemsize() == sizeof(T)))
    throw ConfigError(name, std::string("must have dtype ") +
                                py::str(py::dtype::of<T>()).cast<std::string>() + ", got " +
                                py::str(a.dtype()).cast<std::string>());
  if (!(a.flags() & py::array::c_style)) throw ConfigError(name, "must be contiguous");
  return {static_cast<const T*>(a.data()), static_cast<size_t>(a.size())};
}

// A copy of `s`, in parallel chunks: the copy into the engine is most of fit()'s overhead over
// the stage itself on large matrices, and one thread does not saturate memory bandwidth.
template <class T>
std::vector<T> copy_of(std::span<const T> s) {
  std::vector<T> v(s.size());
  constexpr int64_t kChunk = int64_t{1} << 20;
  const int64_t n = static_cast<int64_t>(s.size());
#pragma omp parallel for schedule(static)
  for (int64_t begin = 0; begin < n; begin += kChunk) {
    const int64_t count = std::min(kChunk, n - begin);
    std::memcpy(v.data() + begin, s.data() + begin, static_cast<size_t>(count) * sizeof(T));
  }
  return v;
}

}  // namespace

CsrMatrix csr_from_arrays(int64_t n_rows, int64_t n_cols, const py::array& indptr,
                          const py::array& indices, const py::array& data) {
  if (n_rows < 0 || n_cols < 0) throw ConfigError("shape", "must be non-negative");
  const auto col_idx = checked_span<int32_t>(indices, "indices");
  const auto values = checked_span<double>(data, "data");
  CsrMatrix m;
  m.n_rows = n_rows;
  m.n_cols = n_cols;
  if (indptr.itemsize() == 4) {
    const auto ptr32 = checked_span<int32_t>(indptr, "indptr");
    py::gil_scoped_release nogil;
    m.row_ptr.assign(ptr32.begin(), ptr32.end());
  } else {
    const auto ptr64 = checked_span<int64_t>(indptr, "indptr");
    py::gil_scoped_release nogil;
    m.row_ptr = copy_of(ptr64);
  }
  {
    py::gil_scoped_release nogil;
    m.col_idx = copy_of(col_idx);
    m.values = copy_of(values);
    m.validate();
  }
  return m;
}

py::tuple csr_to_arrays(CsrMatrix&& m) {
  const int64_t n_rows = m.n_rows, n_cols = m.n_cols;
  return py::make_tuple(n_rows, n_cols, vector_to_array(std::move(m.row_ptr)),
                        vector_to_array(std::move(m.col_idx)),
                        vector_to_array(std::move(m.values)));
}

}  // namespace flowfit::python
