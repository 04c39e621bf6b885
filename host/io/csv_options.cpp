#include "flowfit/io/csv_options.hpp"

#include <algorithm>
#include <cctype>
#include <string>

namespace flowfit::io {

CsvOptions csv_options_for(const std::filesystem::path& path) {
  std::string ext = path.extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  CsvOptions options;
  if (ext == ".tsv" || ext == ".tab") options.delimiter = '\t';
  return options;
}

}  // namespace flowfit::io
