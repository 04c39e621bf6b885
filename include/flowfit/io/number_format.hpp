#pragma once
// Text form of float64 values in every flowfit writer. Both forms read back bit-exactly with a
// correctly rounded parser.
#include <string>

namespace flowfit::io {

enum class RealFormat {
  digits17,  // 17 significant digits, exactly printf("%.17g") (the golden-file convention)
  shortest   // the shortest text that reads back to the same double
};

// Buffer size that always holds one formatted double.
inline constexpr int kRealTextMax = 32;

// Writes `value` at `first` (room for kRealTextMax chars) and returns one past the last char.
char* format_real(char* first, double value, RealFormat format);
std::string real_to_string(double value, RealFormat format = RealFormat::shortest);

}  // namespace flowfit::io
