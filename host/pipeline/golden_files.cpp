#include "host/pipeline/golden_files.hpp"

#include <zlib.h>

#include <memory>

#include "flowfit/error.hpp"
#include "flowfit/io/csv_reader.hpp"

namespace flowfit::pipeline::detail {

std::optional<fs::path> find_matrix_file(const fs::path& dir, const std::string& stem) {
  for (const char* ext : {".mtx", ".npz", ".ffm"})
    if (fs::exists(dir / (stem + ext))) return dir / (stem + ext);
  return std::nullopt;
}

std::optional<fs::path> find_csv_file(const fs::path& dir, const std::string& name) {
  for (const char* ext : {".csv", ".csv.gz"})
    if (fs::exists(dir / (name + ext))) return dir / (name + ext);
  return std::nullopt;
}

io::CsvTable read_csv_any(const fs::path& path) {
  if (path.extension() != ".gz") return io::CsvTable::read(path);
  struct Closer {
    void operator()(gzFile_s* f) const { gzclose(f); }
  };
  std::unique_ptr<gzFile_s, Closer> f(gzopen(path.c_str(), "rb"));
  if (!f) throw InputError(path.string(), 0, "", "cannot open the gzip file");
  std::string text;
  char buf[1 << 16];
  for (;;) {
    const int n = gzread(f.get(), buf, sizeof buf);
    if (n < 0) {
      int code = 0;
      throw InputError(path.string(), 0, "",
                       std::string("corrupt gzip data: ") + gzerror(f.get(), &code));
    }
    if (n == 0) break;
    text.append(buf, static_cast<size_t>(n));
  }
  io::CsvReader reader(text, path.string());
  return io::CsvTable::read(reader);
}

}  // namespace flowfit::pipeline::detail
