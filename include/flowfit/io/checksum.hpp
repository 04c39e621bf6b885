#pragma once
// Checksums for reproducibility reports and file integrity.
#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <string_view>

namespace flowfit::io {

// SHA-256 of a whole file as 64 lowercase hex digits (same as `sha256sum`). Throws InputError
// when the file cannot be read.
std::string file_sha256(const std::filesystem::path& path);
std::string sha256_hex(std::span<const std::byte> data);
std::string sha256_hex(std::string_view data);

// CRC-32 (zlib / PNG / zip polynomial), continuing from `crc` (0 to start).
uint32_t crc32(std::span<const std::byte> data, uint32_t crc = 0);

}  // namespace flowfit::io
