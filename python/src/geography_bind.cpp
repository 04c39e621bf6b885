// Geography (unit GEOIDs in matrix order) and Grouping (units -> groups) for Python.
#include <pybind11/stl.h>

#include <string>
#include <unordered_map>
#include <vector>

#include "flowfit/geography.hpp"
#include "python/src/bindings.hpp"

namespace flowfit::python {

void bind_geography(py::module_& m) {
  py::class_<Geography>(m, "Geography", "Unit GEOIDs in matrix order (engine object).")
      .def(py::init<std::vector<std::string>>(), py::arg("geoids"))
      .def("__len__", &Geography::size)
      .def("geoids", &Geography::geoids)
      .def("find", &Geography::find, py::arg("geoid"));

  py::class_<Grouping>(m, "Grouping", "Units -> groups, labels sorted (engine object).")
      .def_static("whole", &Grouping::whole, py::arg("n_units"), py::arg("label") = "all")
      .def_static("by_prefix", &Grouping::by_prefix, py::arg("geography"), py::arg("prefix_length"))
      .def_static(
          "from_labels",
          [](const std::vector<std::string>& labels) { return Grouping::from_labels(labels); },
          py::arg("label_of_unit"))
      .def_static(
          "from_mapping",
          [](const Geography& geo, const std::unordered_map<std::string, std::string>& mapping,
             bool require_all) { return Grouping::from_mapping(geo, mapping, require_all); },
          py::arg("geography"), py::arg("mapping"), py::arg("require_all") = true)
      .def_property_readonly("n_units", &Grouping::n_units)
      .def_property_readonly("n_groups", &Grouping::n_groups)
      .def_property_readonly("labels", &Grouping::labels)
      .def_property_readonly("is_whole", &Grouping::is_whole)
      .def("group_of_unit", [](const Grouping& g) {
        std::vector<int32_t> copy = g.group_of_unit();
        return vector_to_array(std::move(copy));
      });
}

}  // namespace flowfit::python
