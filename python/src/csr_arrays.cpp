// CSR matrices between numpy arrays (scipy's indptr/indices/data) and flowfit::CsrMatrix.
#include <sys/mman.h>

#include <algorithm>
#include <cstdint>
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

// Asks for transparent huge pages over the 2 MiB-aligned part of [p, p + bytes) before it is
// first touched: a large copy into fresh memory is otherwise dominated by one page fault per
// 4 KiB (measured: ~25% of fit()'s conversion time). Only advice: ignored where THP is off.
void advise_huge_pages(void* p, std::size_t bytes) {
  constexpr std::uintptr_t kHuge = std::uintptr_t{2} << 20;
  const auto begin = (reinterpret_cast<std::uintptr_t>(p) + kHuge - 1) & ~(kHuge - 1);
  const auto end = (reinterpret_cast<std::uintptr_t>(p) + bytes) & ~(kHuge - 1);
  if (end > begin) ::madvise(reinterpret_cast<void*>(begin), end - begin, MADV_HUGEPAGE);
}

// A copy of `s` into fresh storage: reserved (untouched), advised to huge pages, then filled in
// one pass (no zero-filling first).
template <class T>
std::vector<T> copy_of(std::span<const T> s) {
  std::vector<T> v;
  v.reserve(s.size());
  if (s.size() * sizeof(T) >= (std::size_t{8} << 20))
    advise_huge_pages(v.data(), s.size() * sizeof(T));
  v.insert(v.end(), s.begin(), s.end());
  return v;
}

}  // namespace

CsrMatrix csr_from_arrays(int64_t n_rows, int64_t n_cols, const py::array& indptr,
                          const py::array& indices, const py::array& data, Validate validate) {
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
    if (validate == Validate::yes) m.validate();
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
