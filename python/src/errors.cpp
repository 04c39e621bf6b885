// C++ exceptions -> the Python hierarchy of flowfit/_errors.py, with their context attributes
// (file, line, field of an InputError; key of a ConfigError; ...).
#include <string>

#include "flowfit/error.hpp"
#include "flowfit/pipeline/plan_toml.hpp"
#include "python/src/bindings.hpp"

namespace flowfit::python {
namespace {

// Raises flowfit.<name>(message) with the given attributes set on the instance.
void raise(const char* name, const char* message,
           std::initializer_list<std::pair<const char*, py::object>> attributes = {}) {
  py::object cls = py::module_::import("flowfit._errors").attr(name);
  py::object instance = cls(message);
  for (const auto& [key, value] : attributes) instance.attr(key) = value;
  PyErr_SetObject(cls.ptr(), instance.ptr());
}

}  // namespace

void bind_errors(py::module_&) {
  py::register_exception_translator([](std::exception_ptr p) {
    try {
      if (p) std::rethrow_exception(p);
    } catch (const pipeline::PlanError& e) {
      raise("PlanError", e.what(),
            {{"file", py::str(e.file())},
             {"line", py::int_(e.line())},
             {"key", py::str(e.key())},
             {"reason", py::str(e.reason())}});
    } catch (const InputError& e) {
      raise("InputError", e.what(),
            {{"file", py::str(e.file())},
             {"line", py::int_(e.line())},
             {"field", py::str(e.field())},
             {"reason", py::str(e.reason())}});
    } catch (const ConfigError& e) {
      raise("ConfigError", e.what(), {{"key", py::str(e.key())}});
    } catch (const BackendUnavailable& e) {
      raise("DeviceError", e.what());
    } catch (const Error& e) {
      raise("Error", e.what());
    }
  });
}

}  // namespace flowfit::python
