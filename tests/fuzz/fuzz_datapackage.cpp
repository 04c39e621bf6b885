// libFuzzer harness: data package descriptors (datapackage.json: resources, paths, Table Schema
// fields). The input is the descriptor, written into a scratch folder that also holds data.csv,
// so resource paths that resolve reach the schema checks.
#include <filesystem>
#include <fstream>

#include "flowfit/analysis/datapackage.hpp"
#include "fuzz_support.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const std::filesystem::path dir = [] {
    std::filesystem::path d = flowfit::fuzz::scratch_file(".pkg");
    std::filesystem::create_directories(d);
    std::ofstream(d / "data.csv") << "origin,destination,value\n1,2,3.5\n";
    return d;
  }();
  {
    std::ofstream out(dir / "datapackage.json", std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
  }
  flowfit::fuzz::expect_clean([&] { (void)flowfit::analysis::read_datapackage(dir); });
  return 0;
}
