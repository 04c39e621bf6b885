#pragma once
#include <string_view>

namespace flowfit {
// The library version, e.g. "0.1.0".
std::string_view version();
}  // namespace flowfit
