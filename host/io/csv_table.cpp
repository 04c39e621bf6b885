#include "flowfit/io/csv_table.hpp"

#include <string>
#include <unordered_map>
#include <utility>

#include "flowfit/error.hpp"
#include "flowfit/escape.hpp"
#include "flowfit/io/csv_reader.hpp"
#include "parse_number.hpp"

namespace flowfit::io {

CsvTable CsvTable::read(const std::filesystem::path& path, CsvOptions options) {
  CsvReader reader(path, options);
  return read(reader);
}

CsvTable CsvTable::read(CsvReader& reader) {
  CsvTable t;
  t.file_ = reader.file();
  t.header_ = reader.header();
  t.header_line_ = reader.header_line();
  t.offsets_.push_back(0);
  while (reader.next()) {
    for (int c = 0; c < reader.n_columns(); ++c) {
      t.text_.append(reader.field(c));
      t.offsets_.push_back(t.text_.size());
    }
    t.lines_.push_back(reader.line());
  }
  return t;
}

std::optional<int> CsvTable::find_column(std::string_view name) const {
  for (std::size_t i = 0; i < header_.size(); ++i) {
    if (header_[i] == name) return static_cast<int>(i);
  }
  return std::nullopt;
}

int CsvTable::column(std::string_view name) const {
  if (auto c = find_column(name)) return *c;
  std::string have;
  for (const std::string& h : header_) {
    if (have.size() > 400) {  // a header of thousands of columns is not listed whole
      have += ", ... (" + std::to_string(header_.size()) + " columns)";
      break;
    }
    have += (have.empty() ? "" : ", ") + quote_for_message(h, 40);
  }
  throw InputError(file_, header_line_, std::string(name),
                   "missing column (the header has: " + have + ")");
}

std::string_view CsvTable::field(int64_t row, int col) const {
  const std::size_t k =
      static_cast<std::size_t>(row) * header_.size() + static_cast<std::size_t>(col);
  return std::string_view(text_).substr(offsets_[k], offsets_[k + 1] - offsets_[k]);
}

double CsvTable::number(int64_t row, int col, NumberRule rule) const {
  double v = 0;
  std::string why = detail::parse_real(field(row, col), rule, v);
  if (!why.empty()) fail(row, col, std::move(why));
  return v;
}

std::optional<double> CsvTable::optional_number(int64_t row, int col, NumberRule rule) const {
  if (field(row, col).empty()) return std::nullopt;
  return number(row, col, rule);
}

int64_t CsvTable::integer(int64_t row, int col, NumberRule rule) const {
  int64_t v = 0;
  std::string why = detail::parse_integer(field(row, col), rule, v);
  if (!why.empty()) fail(row, col, std::move(why));
  return v;
}

std::vector<std::string> CsvTable::strings(int col) const {
  std::vector<std::string> out;
  out.reserve(static_cast<std::size_t>(n_rows()));
  for (int64_t r = 0; r < n_rows(); ++r) out.emplace_back(field(r, col));
  return out;
}

std::vector<double> CsvTable::numbers(int col, NumberRule rule) const {
  std::vector<double> out;
  out.reserve(static_cast<std::size_t>(n_rows()));
  for (int64_t r = 0; r < n_rows(); ++r) out.push_back(number(r, col, rule));
  return out;
}

void CsvTable::check_unique(std::span<const int> cols) const {
  if (cols.empty()) return;
  std::unordered_map<std::string, int64_t> first_row;
  first_row.reserve(static_cast<std::size_t>(n_rows()));
  std::string key;
  for (int64_t r = 0; r < n_rows(); ++r) {
    key.clear();
    for (std::size_t i = 0; i < cols.size(); ++i) {
      if (i > 0) key += '\x1f';  // unit separator: cannot be confused with field text
      key.append(field(r, cols[i]));
    }
    auto [it, inserted] = first_row.emplace(key, r);
    if (!inserted) {
      std::string shown;
      for (std::size_t i = 0; i < cols.size(); ++i) {
        shown += (i ? ", " : "") + escape_for_message(header_[static_cast<std::size_t>(cols[i])]) +
                 "=" + quote_for_message(field(r, cols[i]));
      }
      fail(r, cols[0],
           "duplicate key (" + shown + "), first seen on line " + std::to_string(line(it->second)));
    }
  }
}

void CsvTable::check_unique(std::initializer_list<std::string_view> names) const {
  std::vector<int> cols;
  for (std::string_view n : names) cols.push_back(column(n));
  check_unique(cols);
}

void CsvTable::fail(int64_t row, int col, std::string reason) const {
  throw InputError(file_, line(row), header_[static_cast<std::size_t>(col)], std::move(reason));
}

}  // namespace flowfit::io
