#include <charconv>
#include <string>

#include "flowfit/io/atomic_file.hpp"
#include "flowfit/io/matrix_market.hpp"

namespace flowfit::io {

void write_matrix_market(const std::filesystem::path& path, const CsrMatrix& matrix,
                         const MatrixWriteOptions& options) {
  matrix.validate();
  AtomicFile out(path);
  out.write("%%MatrixMarket matrix coordinate real general\n");
  for (const std::string& comment : options.comments) {
    // One '%' line per line of the comment.
    std::size_t b = 0;
    do {
      std::size_t e = comment.find('\n', b);
      std::string_view part =
          std::string_view(comment).substr(b, e == std::string::npos ? std::string::npos : e - b);
      out.write(part.empty() || part[0] == ' ' ? "%" : "% ");
      out.write(part);
      out.write("\n");
      b = e == std::string::npos ? e : e + 1;
    } while (b != std::string::npos);
  }
  out.write(std::to_string(matrix.n_rows) + " " + std::to_string(matrix.n_cols) + " " +
            std::to_string(matrix.nnz()) + "\n");
  char buf[96];
  for (int64_t r = 0; r < matrix.n_rows; ++r) {
    const auto b = static_cast<std::size_t>(matrix.row_ptr[static_cast<std::size_t>(r)]);
    const auto e = static_cast<std::size_t>(matrix.row_ptr[static_cast<std::size_t>(r) + 1]);
    for (std::size_t k = b; k < e; ++k) {
      char* p = std::to_chars(buf, buf + 24, r + 1).ptr;
      *p++ = ' ';
      p = std::to_chars(p, p + 24, int64_t{matrix.col_idx[k]} + 1).ptr;
      *p++ = ' ';
      p = format_real(p, matrix.values[k], options.real_format);
      *p++ = '\n';
      out.write(buf, static_cast<std::size_t>(p - buf));
    }
  }
  out.commit();
}

}  // namespace flowfit::io
