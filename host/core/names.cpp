// String names of the public enums (used in reports, plans and the command line).
#include <string>

#include "flowfit/backend.hpp"
#include "flowfit/error.hpp"
#include "flowfit/stage.hpp"

namespace flowfit {

std::string_view to_string(FitMethod m) {
  return m == FitMethod::quotient ? "quotient" : "naive";
}

std::string_view to_string(Verdict v) {
  switch (v) {
    case Verdict::converged:
      return "converged";
    case Verdict::iteration_cap:
      return "iteration_cap";
    case Verdict::inconsistent_targets:
      return "inconsistent_targets";
  }
  return "?";
}

std::string_view to_string(BackendKind k) {
  switch (k) {
    case BackendKind::reference:
      return "reference";
    case BackendKind::openmp:
      return "openmp";
    case BackendKind::cuda:
      return "cuda";
  }
  return "?";
}

BackendChoice backend_choice_from_string(std::string_view s) {
  if (s == "auto") return BackendChoice::automatic;
  if (s == "cpu" || s == "openmp") return BackendChoice::cpu;
  if (s == "cuda" || s == "gpu") return BackendChoice::cuda;
  if (s == "reference") return BackendChoice::reference;
  throw ConfigError("backend",
                    "expected auto, cpu, cuda or reference, got '" + std::string(s) + "'");
}

}  // namespace flowfit
