#pragma once
// Structured values from a fuzzer's bytes, for harnesses that build objects rather than parse files:
// each call takes what it needs from the front and gives a default once the bytes run out.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>

namespace rtpof::fuzz {

class Bytes {
 public:
  Bytes(const std::uint8_t* data, std::size_t size) : data_(data), size_(size) {}

  bool boolean() { return (byte() & 1) != 0; }
  std::uint8_t byte() { return size_ ? (--size_, *data_++) : 0; }
  int integer(int low, int high) { return low + static_cast<int>(word() % static_cast<std::uint32_t>(high - low + 1)); }
  // Any 64-bit pattern: NaN, infinities, denormals and huge values included.
  double number() {
    std::uint64_t bits = 0;
    for (int i = 0; i < 8; ++i) bits = bits << 8 | byte();
    double value;
    std::memcpy(&value, &bits, sizeof value);
    return value;
  }
  std::string text(std::size_t max) {
    const std::size_t length = std::min<std::size_t>(byte() % (max + 1), size_);
    std::string out(reinterpret_cast<const char*>(data_), length);
    data_ += length;
    size_ -= length;
    return out;
  }

 private:
  std::uint32_t word() { return std::uint32_t{byte()} << 8 | byte(); }
  const std::uint8_t* data_;
  std::size_t size_;
};

}  // namespace rtpof::fuzz
