// libFuzzer harness: run plans (TOML syntax, keys, stages, years).
#include <string_view>

#include "flowfit/pipeline/plan_toml.hpp"
#include "fuzz_support.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  flowfit::fuzz::expect_clean(
      [&] { flowfit::pipeline::plan_from_toml(text, "fuzz.toml", "/nonexistent", {false}); });
  return 0;
}
