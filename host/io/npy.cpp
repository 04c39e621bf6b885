#include "npy.hpp"

#include <charconv>
#include <cstring>
#include <limits>

#include "flowfit/escape.hpp"

namespace flowfit::io::detail {
namespace {

constexpr std::string_view kMagic = "\x93NUMPY";

uint32_t read_le(std::string_view bytes, std::size_t offset, int size) {
  uint32_t v = 0;
  for (int i = size - 1; i >= 0; --i) {
    v = (v << 8) | static_cast<unsigned char>(bytes[offset + static_cast<std::size_t>(i)]);
  }
  return v;
}

// A tiny parser for the Python dict literal of the header, e.g.
// {'descr': '<f8', 'fortran_order': False, 'shape': (3,), }
class DictParser {
 public:
  explicit DictParser(std::string_view s) : s_(s) {}

  std::string parse(NpyHeader& out) {
    bool have_descr = false, have_order = false, have_shape = false;
    skip();
    if (!eat('{')) return "header is not a dict";
    for (;;) {
      skip();
      if (eat('}')) break;
      std::string key;
      if (!string_literal(key)) return "bad key in header dict";
      skip();
      if (!eat(':')) return "expected ':' in header dict";
      skip();
      if (key == "descr") {
        if (!string_literal(out.descr)) return "descr is not a simple dtype string (structured?)";
        have_descr = true;
      } else if (key == "fortran_order") {
        if (word("True")) {
          out.fortran_order = true;
        } else if (word("False")) {
          out.fortran_order = false;
        } else {
          return "fortran_order is not True/False";
        }
        have_order = true;
      } else if (key == "shape") {
        if (!tuple(out.shape)) return "shape is not a tuple of integers";
        have_shape = true;
      } else {
        return "unknown header key " + quote_for_message(key);
      }
      skip();
      if (eat(',')) continue;
      skip();
      if (eat('}')) break;
      return "expected ',' or '}' in header dict";
    }
    if (!have_descr || !have_order || !have_shape) return "header lacks descr/fortran_order/shape";
    return {};
  }

 private:
  void skip() {
    while (i_ < s_.size() && (s_[i_] == ' ' || s_[i_] == '\t' || s_[i_] == '\n')) ++i_;
  }
  bool eat(char c) {
    if (i_ < s_.size() && s_[i_] == c) {
      ++i_;
      return true;
    }
    return false;
  }
  bool word(std::string_view w) {
    if (s_.substr(i_, w.size()) != w) return false;
    i_ += w.size();
    return true;
  }
  bool string_literal(std::string& out) {
    if (i_ >= s_.size() || (s_[i_] != '\'' && s_[i_] != '"')) return false;
    const char q = s_[i_++];
    const std::size_t e = s_.find(q, i_);
    if (e == std::string_view::npos) return false;
    out.assign(s_.substr(i_, e - i_));
    i_ = e + 1;
    return true;
  }
  bool tuple(std::vector<int64_t>& out) {
    out.clear();
    if (!eat('(')) return false;
    for (;;) {
      skip();
      if (eat(')')) return true;
      int64_t v = 0;
      auto [p, ec] = std::from_chars(s_.data() + i_, s_.data() + s_.size(), v);
      if (ec != std::errc{} || v < 0) return false;
      i_ = static_cast<std::size_t>(p - s_.data());
      if (i_ < s_.size() && s_[i_] == 'L') ++i_;  // Python 2 long
      out.push_back(v);
      skip();
      if (eat(')')) return true;
      if (!eat(',')) return false;
    }
  }

  std::string_view s_;
  std::size_t i_ = 0;
};

}  // namespace

std::size_t npy_preamble_bytes(std::string_view prefix) {
  if (prefix.size() < 8 || prefix.substr(0, kMagic.size()) != kMagic) return 0;
  const auto major = static_cast<unsigned char>(prefix[6]);
  if (major == 1) return 10;
  if (major == 2 || major == 3) return 12;
  return 0;
}

uint32_t npy_dict_bytes(std::string_view prefix) {
  const std::size_t pre = npy_preamble_bytes(prefix);
  if (pre == 0 || prefix.size() < pre) return 0;
  return read_le(prefix, 8, pre == 10 ? 2 : 4);
}

std::string parse_npy_header(std::string_view bytes, NpyHeader& out) {
  if (bytes.size() < 8) return "truncated .npy header";
  const std::size_t pre = npy_preamble_bytes(bytes);
  if (pre == 0) {
    if (bytes.substr(0, kMagic.size()) != kMagic) return "not a .npy array (bad magic)";
    return "unsupported .npy version " + std::to_string(static_cast<unsigned char>(bytes[6])) +
           "." + std::to_string(static_cast<unsigned char>(bytes[7]));
  }
  if (bytes.size() < pre) return "truncated .npy header";
  const uint32_t len = read_le(bytes, 8, pre == 10 ? 2 : 4);
  if (len > kMaxNpyHeaderBytes) {
    return "implausible .npy header length " + std::to_string(len) + " bytes";
  }
  if (bytes.size() < pre + len) return "truncated .npy header";
  out = NpyHeader{};
  std::string why = DictParser(bytes.substr(pre, len)).parse(out);
  if (!why.empty()) return why;
  out.header_bytes = pre + len;

  // descr: byte order, kind, item size, e.g. "<i8", "|u1", "|S3", "<U3".
  const std::string& d = out.descr;
  const std::string unsupported = "unsupported dtype " + quote_for_message(d);
  if (d.size() < 3) return unsupported;
  const char order = d[0];
  if (order != '<' && order != '>' && order != '|' && order != '=') return unsupported;
  out.big_endian = order == '>';
  out.kind = d[1];
  int64_t size = 0;
  auto [p, ec] = std::from_chars(d.data() + 2, d.data() + d.size(), size);
  if (ec != std::errc{} || p != d.data() + d.size() || size <= 0) return unsupported;
  if (size > kMaxNpyItemBytes) return unsupported + " (item size too large)";
  if (out.kind == 'U') size *= 4;  // 'U' counts UCS-4 characters
  out.itemsize = static_cast<int>(size);

  // Element count and data size, checked: the shape comes from the file.
  constexpr auto kMax = static_cast<uint64_t>(std::numeric_limits<int64_t>::max());
  uint64_t n = 1;
  for (int64_t dim : out.shape) {
    const auto u = static_cast<uint64_t>(dim);
    if (u != 0 && n > kMax / u) return "array size overflows (shape too large)";
    n *= u;
  }
  const auto item = static_cast<uint64_t>(out.itemsize);
  if (n > kMax / item) return "array size overflows (shape too large)";
  out.elements = static_cast<int64_t>(n);
  out.data_bytes = n * item;
  return {};
}

std::string make_npy_header(std::string_view descr, const std::vector<int64_t>& shape) {
  std::string dict = "{'descr': '" + std::string(descr) + "', 'fortran_order': False, 'shape': (";
  for (std::size_t i = 0; i < shape.size(); ++i) {
    dict += std::to_string(shape[i]);
    if (shape.size() == 1 || i + 1 < shape.size()) dict += ",";
    if (i + 1 < shape.size()) dict += " ";
  }
  dict += "), }";
  // 10 preamble bytes + dict + padding + '\n' is a multiple of 64 (numpy's ARRAY_ALIGN).
  const std::size_t unpadded = 10 + dict.size() + 1;
  dict.append((64 - unpadded % 64) % 64, ' ');
  dict += '\n';
  std::string out(kMagic);
  out += '\x01';
  out += '\x00';
  out += static_cast<char>(dict.size() & 0xFF);
  out += static_cast<char>((dict.size() >> 8) & 0xFF);
  out += dict;
  return out;
}

}  // namespace flowfit::io::detail
