#pragma once
// SHA-256 (FIPS 180-4), incremental.
#include <array>
#include <cstddef>
#include <cstdint>

namespace flowfit::io::detail {

class Sha256 {
 public:
  Sha256();
  void update(const void* data, std::size_t size);
  std::array<uint8_t, 32> finish();

 private:
  void block(const uint8_t* p);

  uint32_t h_[8];
  uint8_t buffer_[64];
  std::size_t used_ = 0;
  uint64_t total_ = 0;
};

}  // namespace flowfit::io::detail
