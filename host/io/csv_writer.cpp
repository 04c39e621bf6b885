#include "flowfit/io/csv_writer.hpp"

#include <charconv>
#include <utility>

#include "flowfit/error.hpp"

namespace flowfit::io {
namespace {

bool needs_quotes(std::string_view text, char delimiter) {
  for (char c : text) {
    if (c == delimiter || c == '"' || c == '\n' || c == '\r') return true;
  }
  return false;
}

}  // namespace

std::string csv_escape(std::string_view text, char delimiter) {
  if (!needs_quotes(text, delimiter)) return std::string(text);
  std::string out = "\"";
  for (char c : text) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
  return out;
}

CsvWriter::CsvWriter(const std::filesystem::path& path, std::vector<std::string> header,
                     CsvWriteOptions options)
    : out_(path), options_(options), n_columns_(header.size()) {
  if (header.empty()) throw Error("cannot write '" + path.string() + "': a CSV needs a column");
  for (const std::string& h : header) field(h);
  end_row();
  rows_ = 0;
}

void CsvWriter::separator() {
  if (in_row_ == n_columns_) {
    throw Error("cannot write '" + out_.target().string() + "': row " + std::to_string(rows_ + 1) +
                " has more than " + std::to_string(n_columns_) + " fields");
  }
  if (in_row_++ > 0) out_.write(&options_.delimiter, 1);
}

CsvWriter& CsvWriter::field(std::string_view text) {
  separator();
  if (text.empty() && n_columns_ == 1) {
    out_.write("\"\"");  // an empty line would read back as a skipped blank line
  } else if (needs_quotes(text, options_.delimiter)) {
    out_.write(csv_escape(text, options_.delimiter));
  } else {
    out_.write(text);
  }
  return *this;
}

CsvWriter& CsvWriter::field(double value) {
  separator();
  char buf[kRealTextMax];
  out_.write(buf, static_cast<std::size_t>(format_real(buf, value, options_.real_format) - buf));
  return *this;
}

CsvWriter& CsvWriter::integer_field(int64_t value) {
  separator();
  char buf[24];
  auto r = std::to_chars(buf, buf + sizeof buf, value);
  out_.write(buf, static_cast<std::size_t>(r.ptr - buf));
  return *this;
}

void CsvWriter::end_row() {
  if (in_row_ != n_columns_) {
    throw Error("cannot write '" + out_.target().string() + "': row " + std::to_string(rows_ + 1) +
                " has " + std::to_string(in_row_) + " fields, expected " +
                std::to_string(n_columns_));
  }
  out_.write("\n", 1);
  in_row_ = 0;
  ++rows_;
}

void CsvWriter::commit() {
  if (in_row_ != 0) {
    throw Error("cannot write '" + out_.target().string() + "': the last row is unfinished");
  }
  out_.commit();
}

}  // namespace flowfit::io
