#pragma once
// Walks a text buffer line by line (LF or CRLF), counting 1-based line numbers, and splits lines
// into whitespace-separated tokens.
#include <cstdint>
#include <cstring>
#include <string_view>

namespace flowfit::io::detail {

class LineCursor {
 public:
  explicit LineCursor(std::string_view text) : text_(text) {}
  // The next line without its line end; false at the end of the text.
  bool next(std::string_view& line) {
    if (pos_ >= text_.size()) return false;
    const char* b = text_.data() + pos_;
    const void* nl = std::memchr(b, '\n', text_.size() - pos_);
    std::size_t len =
        nl ? static_cast<std::size_t>(static_cast<const char*>(nl) - b) : text_.size() - pos_;
    pos_ += len + (nl ? 1 : 0);
    if (len > 0 && b[len - 1] == '\r') --len;
    line = std::string_view(b, len);
    ++line_;
    return true;
  }
  int64_t line() const { return line_; }  // number of the line last returned

 private:
  std::string_view text_;
  std::size_t pos_ = 0;
  int64_t line_ = 0;
};

inline bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v';
}

// Pops the next whitespace-separated token off the front of `line` ("" when none is left).
inline std::string_view next_token(std::string_view& line) {
  std::size_t i = 0;
  while (i < line.size() && is_space(line[i])) ++i;
  std::size_t j = i;
  while (j < line.size() && !is_space(line[j])) ++j;
  std::string_view token = line.substr(i, j - i);
  line.remove_prefix(j);
  return token;
}

inline bool is_blank(std::string_view line) {
  for (char c : line) {
    if (!is_space(c)) return false;
  }
  return true;
}

}  // namespace flowfit::io::detail
