#pragma once
// The flowfit native matrix format (.ffm): a 128-byte little-endian header followed by the raw
// CSR arrays, each 8-byte aligned, so that a reader can map the file and use it in place. The
// layout is described byte by byte in docs/formats.md.
#include <cstdint>
#include <filesystem>

#include "flowfit/csr_matrix.hpp"
#include "flowfit/io/mapped_file.hpp"
#include "flowfit/io/matrix_options.hpp"

namespace flowfit::io {

inline constexpr char kFfmMagic[8] = {'F', 'L', 'O', 'W', 'F', 'I', 'T', '\0'};
inline constexpr uint32_t kFfmVersion = 1;
inline constexpr uint32_t kFfmHeaderBytes = 128;

void write_ffm(const std::filesystem::path& path, const CsrMatrix& matrix);

// Maps, validates (header, checksum, CSR structure and value rules) and copies.
CsrMatrix read_ffm(const std::filesystem::path& path, const MatrixReadOptions& options = {});

// Zero-copy: the CSR arrays used in place in the mapped file. Validated like read_ffm.
class FfmView {
 public:
  explicit FfmView(const std::filesystem::path& path, const MatrixReadOptions& options = {});
  ConstCsrView view() const { return view_; }
  // A copy of the matrix; `reserve_entries` more entries fit without reallocation.
  CsrMatrix to_matrix(int64_t reserve_entries = 0) const;

 private:
  template <class T>
  void copy_dropping(std::span<const T> from, std::vector<T>& to, std::size_t reserve) const;

  MappedFile file_;
  ConstCsrView view_;
};

}  // namespace flowfit::io
