#include "phantom/uid_source.hpp"

#include <cmath>

namespace rtpof::phantom {

std::uint64_t hash64(const std::string& text, std::uint64_t seed) {
  std::uint64_t h = 0xcbf29ce484222325ull ^ seed;  // FNV-1a, then a splitmix finaliser
  for (const unsigned char c : text) h = (h ^ c) * 0x100000001b3ull;
  Random mix(h);
  return mix.next();
}

std::string UidSource::uid(const std::string& purpose) const {
  using u128 = unsigned __int128;
  u128 value = (static_cast<u128>(hash64(purpose, seed_)) << 64) | hash64(purpose + "#low", seed_ ^ 0x9e37ull);
  // A version-4-like UUID: clear the top bit so the number has at most 39 digits.
  value &= ~(static_cast<u128>(1) << 127);
  if (value == 0) value = 1;
  std::string digits;
  while (value > 0) {
    digits.insert(digits.begin(), static_cast<char>('0' + static_cast<int>(value % 10)));
    value /= 10;
  }
  return "2.25." + digits;
}

std::uint64_t Random::next() {
  std::uint64_t z = (state_ += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

double Random::uniform() { return static_cast<double>(next() >> 11) * (1.0 / 9007199254740992.0); }

double Random::gaussian() {
  const double u1 = 1.0 - uniform();
  const double u2 = uniform();
  return std::sqrt(-2.0 * std::log(u1)) * std::cos(6.283185307179586 * u2);
}

}  // namespace rtpof::phantom
