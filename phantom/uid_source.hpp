#pragma once
// Deterministic UIDs under the 2.25 root (PS3.5 B.2: a UUID as a decimal integer), derived from the
// phantom's seed and a purpose string: the same seed always writes the same UIDs, so files are
// byte-identical run to run, and different seeds never collide in practice.
#include <cstdint>
#include <string>

namespace rtpof::phantom {

class UidSource {
 public:
  explicit UidSource(std::uint64_t seed) : seed_(seed) {}
  std::string uid(const std::string& purpose) const;

 private:
  std::uint64_t seed_;
};

// splitmix64: a small, portable generator (std::mt19937's distributions differ across libraries).
class Random {
 public:
  explicit Random(std::uint64_t seed) : state_(seed) {}
  std::uint64_t next();
  double uniform();   // [0, 1)
  double gaussian();  // mean 0, sd 1 (Box-Muller)

 private:
  std::uint64_t state_;
};

std::uint64_t hash64(const std::string& text, std::uint64_t seed);

}  // namespace rtpof::phantom
