#include "report/report_uid.hpp"

#include <openssl/evp.h>

#include <array>
#include <random>
#include <stdexcept>

namespace rtpof::report {
namespace {

using Uuid = std::array<unsigned char, 16>;

// RFC 4122's own namespace for OIDs, so the names cannot collide with another tool's v5 UUIDs of the
// same text under a namespace of its own.
constexpr Uuid oid_namespace = {0x6b, 0xa7, 0xb8, 0x12, 0x9d, 0xad, 0x11, 0xd1,
                                0x80, 0xb4, 0x00, 0xc0, 0x4f, 0xd4, 0x30, 0xc8};

std::string to_uid(Uuid uuid, unsigned version) {
  uuid[6] = static_cast<unsigned char>((uuid[6] & 0x0f) | (version << 4));
  uuid[8] = static_cast<unsigned char>((uuid[8] & 0x3f) | 0x80);
  unsigned __int128 value = 0;
  for (unsigned char byte : uuid) value = (value << 8) | byte;
  std::string digits;
  do {
    digits.insert(digits.begin(), static_cast<char>('0' + static_cast<int>(value % 10)));
    value /= 10;
  } while (value != 0);
  return "2.25." + digits;
}

}  // namespace

std::string random_uid() {
  std::random_device entropy;
  Uuid uuid{};
  for (std::size_t i = 0; i < uuid.size(); i += 4) {
    const unsigned word = entropy();
    for (std::size_t b = 0; b < 4; ++b) uuid[i + b] = static_cast<unsigned char>(word >> (8 * b));
  }
  return to_uid(uuid, 4);
}

std::string name_based_uid(std::string_view name) {
  std::string message(oid_namespace.begin(), oid_namespace.end());
  message.append(name);
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned int length = 0;
  if (EVP_Digest(message.data(), message.size(), digest.data(), &length, EVP_sha1(), nullptr) != 1 || length < 16)
    throw std::runtime_error("SHA-1 is unavailable in this OpenSSL build");
  Uuid uuid{};
  for (std::size_t i = 0; i < uuid.size(); ++i) uuid[i] = digest[i];
  return to_uid(uuid, 5);
}

}  // namespace rtpof::report
