// SHA-256 and CRC-32 against published test vectors and the system tools.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

#include "flowfit/error.hpp"
#include "flowfit/io/checksum.hpp"

namespace flowfit::io {
namespace {

namespace fs = std::filesystem;

TEST(IoChecksum, Sha256TestVectors) {
  EXPECT_EQ(sha256_hex(std::string_view("")),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(sha256_hex(std::string_view("abc")),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(
      sha256_hex(std::string_view("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")),
      "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  EXPECT_EQ(sha256_hex(std::string(1000000, 'a')),
            "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

TEST(IoChecksum, FileSha256MatchesSha256sum) {
  const fs::path p = fs::temp_directory_path() / ("flowfit_io_sha_" + std::to_string(::getpid()));
  {
    std::ofstream out(p, std::ios::binary);
    for (int i = 0; i < 100000; ++i) out << i << (i % 7 ? ',' : '\n');
  }
  const std::string mine = file_sha256(p);
  EXPECT_EQ(mine.size(), 64u);
  if (FILE* pipe = ::popen(("sha256sum " + p.string() + " 2>/dev/null").c_str(), "r")) {
    char buf[65] = {};
    const std::size_t n = std::fread(buf, 1, 64, pipe);
    ::pclose(pipe);
    if (n == 64) {
      EXPECT_EQ(mine, std::string(buf, 64));
    }
  }
  fs::remove(p);
  EXPECT_THROW(file_sha256(p), InputError);
}

TEST(IoChecksum, Crc32CheckValueAndChaining) {
  const std::string s = "123456789";
  const auto bytes = std::as_bytes(std::span<const char>(s.data(), s.size()));
  EXPECT_EQ(crc32(bytes), 0xCBF43926u);
  EXPECT_EQ(crc32(bytes.subspan(4), crc32(bytes.first(4))), 0xCBF43926u);
  EXPECT_EQ(crc32({}), 0u);
}

}  // namespace
}  // namespace flowfit::io
