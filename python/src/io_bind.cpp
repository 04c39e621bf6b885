// Matrix files (.npz .mtx .ffm .csv/.tsv), the memory-mapped .ffm view and aggregation. The GIL
// is released while files are read, written or matrices aggregated.
#include <pybind11/stl.h>

#include <filesystem>
#include <memory>
#include <optional>
#include <string>

#include "flowfit/assembly.hpp"
#include "flowfit/io/ffm.hpp"
#include "flowfit/io/geography_io.hpp"
#include "flowfit/io/matrix_io.hpp"
#include "python/src/bindings.hpp"

namespace flowfit::python {
namespace {

namespace fs = std::filesystem;

py::tuple read_matrix(const std::string& path, const std::string& format,
                      const std::string& duplicates, bool allow_negative,
                      const Geography* row_geography, const Geography* col_geography) {
  io::MatrixReadOptions options;
  options.format = io::matrix_format_from_string(format);
  options.duplicates = duplicates == "sum" ? Duplicates::sum : Duplicates::reject;
  options.allow_negative = allow_negative;
  options.row_geography = row_geography;
  options.col_geography = col_geography ? col_geography : row_geography;
  CsrMatrix m;
  {
    py::gil_scoped_release nogil;
    m = io::read_matrix(fs::path(path), options);
  }
  return csr_to_arrays(std::move(m));
}

void write_matrix(const std::string& path, int64_t n_rows, int64_t n_cols, const py::array& indptr,
                  const py::array& indices, const py::array& data, const std::string& format,
                  bool compressed, const Geography* row_geography, const Geography* col_geography,
                  const std::vector<std::string>& comments) {
  const CsrMatrix m = csr_from_arrays(n_rows, n_cols, indptr, indices, data);
  io::MatrixWriteOptions options;
  options.format = io::matrix_format_from_string(format);
  options.compressed = compressed;
  options.row_geography = row_geography;
  options.col_geography = col_geography ? col_geography : row_geography;
  options.comments = comments;
  py::gil_scoped_release nogil;
  io::write_matrix(fs::path(path), m, options);
}

// A read-only numpy view of `s`, keeping `owner` (the mapped file) alive.
template <class T>
py::array mapped_array(std::span<const T> s, const py::object& owner) {
  py::array_t<T> a({static_cast<py::ssize_t>(s.size())}, {sizeof(T)}, s.data(), owner);
  py::detail::array_proxy(a.ptr())->flags &= ~py::detail::npy_api::NPY_ARRAY_WRITEABLE_;
  return a;
}

py::tuple map_ffm(const std::string& path, bool verify_checksum) {
  io::MatrixReadOptions options;
  options.verify_checksum = verify_checksum;
  std::unique_ptr<io::FfmView> view;
  {
    py::gil_scoped_release nogil;
    view = std::make_unique<io::FfmView>(fs::path(path), options);
  }
  const ConstCsrView v = view->view();
  py::capsule owner(view.release(), [](void* p) { delete static_cast<io::FfmView*>(p); });
  return py::make_tuple(v.n_rows, v.n_cols, mapped_array(v.row_ptr, owner),
                        mapped_array(v.col_idx, owner), mapped_array(v.values, owner));
}

py::tuple aggregate(int64_t n_rows, int64_t n_cols, const py::array& indptr,
                    const py::array& indices, const py::array& data, const Grouping& rows,
                    const Grouping& cols) {
  const CsrMatrix m = csr_from_arrays(n_rows, n_cols, indptr, indices, data);
  assembly::AggregationStats stats;
  CsrMatrix out;
  {
    py::gil_scoped_release nogil;
    out = assembly::aggregate(m, rows, cols, &stats);
  }
  py::dict s;
  s["dropped_rows"] = stats.dropped_rows;
  s["dropped_cols"] = stats.dropped_cols;
  s["dropped_entries"] = stats.dropped_entries;
  s["dropped_total"] = stats.dropped_total;
  return py::make_tuple(csr_to_arrays(std::move(out)), s);
}

}  // namespace

void bind_io(py::module_& m) {
  m.def("read_matrix", &read_matrix, py::arg("path"), py::arg("format"), py::arg("duplicates"),
        py::arg("allow_negative"), py::arg("row_geography").none(true),
        py::arg("col_geography").none(true));
  m.def("write_matrix", &write_matrix, py::arg("path"), py::arg("n_rows"), py::arg("n_cols"),
        py::arg("indptr"), py::arg("indices"), py::arg("data"), py::arg("format"),
        py::arg("compressed"), py::arg("row_geography").none(true),
        py::arg("col_geography").none(true), py::arg("comments"));
  m.def("map_ffm", &map_ffm, py::arg("path"), py::arg("verify_checksum"));
  m.def("aggregate", &aggregate, py::arg("n_rows"), py::arg("n_cols"), py::arg("indptr"),
        py::arg("indices"), py::arg("data"), py::arg("rows"), py::arg("cols"));
  m.def(
      "read_geography",
      [](const std::string& path, const std::string& column) {
        return io::read_geography(fs::path(path), column);
      },
      py::arg("path"), py::arg("column"));
}

}  // namespace flowfit::python
