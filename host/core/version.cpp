#include "flowfit/version.hpp"

namespace flowfit {

std::string_view version() {
  return FLOWFIT_VERSION;
}

}  // namespace flowfit
