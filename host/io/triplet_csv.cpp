#include "flowfit/io/triplet_csv.hpp"

#include <string>

#include "flowfit/error.hpp"
#include "flowfit/io/csv_reader.hpp"
#include "flowfit/io/csv_writer.hpp"
#include "parse_number.hpp"
#include "triplet_builder.hpp"

namespace flowfit::io {

CsrMatrix read_triplet_csv(const std::filesystem::path& path, const Geography& rows,
                           const Geography& cols, const MatrixReadOptions& options,
                           CsvOptions csv) {
  CsvReader reader(path, csv);
  const int origin = reader.column(options.columns.origin);
  const int destination = reader.column(options.columns.destination);
  const int value = reader.column(options.columns.value);
  const NumberRule rule = options.allow_negative ? NumberRule::finite : NumberRule::non_negative;
  detail::TripletBuilder builder(reader.file(), rows.size(), cols.size(), "line",
                                 options.columns.destination);
  while (reader.next()) {
    const std::string_view o = reader.field(origin);
    const std::string_view d = reader.field(destination);
    const auto r = rows.find(o);
    if (!r)
      reader.fail(origin, "unknown GEOID " + detail::quote_text(o) + " (not in the row geography)");
    const auto c = cols.find(d);
    if (!c) {
      reader.fail(destination,
                  "unknown GEOID " + detail::quote_text(d) + " (not in the column geography)");
    }
    builder.add(*r, static_cast<int32_t>(*c), reader.number(value, rule), reader.line());
  }
  return builder.build(options.duplicates);
}

void write_triplet_csv(const std::filesystem::path& path, const CsrMatrix& matrix,
                       const Geography& rows, const Geography& cols,
                       const MatrixWriteOptions& options, char delimiter) {
  matrix.validate();
  if (rows.size() != matrix.n_rows || cols.size() != matrix.n_cols) {
    throw Error("cannot write '" + path.string() + "': the geographies have " +
                std::to_string(rows.size()) + " x " + std::to_string(cols.size()) +
                " units, the matrix is " + std::to_string(matrix.n_rows) + " x " +
                std::to_string(matrix.n_cols));
  }
  CsvWriter out(path, {options.columns.origin, options.columns.destination, options.columns.value},
                {delimiter, options.real_format});
  for (int64_t r = 0; r < matrix.n_rows; ++r) {
    const std::string& origin = rows.geoid(r);
    for (auto k = matrix.row_ptr[static_cast<std::size_t>(r)];
         k < matrix.row_ptr[static_cast<std::size_t>(r) + 1]; ++k) {
      const auto kk = static_cast<std::size_t>(k);
      out.field(origin).field(cols.geoid(matrix.col_idx[kk])).field(matrix.values[kk]);
      out.end_row();
    }
  }
  out.commit();
}

}  // namespace flowfit::io
