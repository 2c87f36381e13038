#include "storage/pseudonym.hpp"

#include <fcntl.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <unistd.h>

#include <fstream>
#include <iterator>
#include <stdexcept>

#include "storage/durable_file.hpp"

namespace rtpof::storage {
namespace {
constexpr std::size_t key_bytes = 32;
}

Pseudonymizer::Pseudonymizer(std::vector<unsigned char> key) : key_(std::move(key)) {
  if (key_.size() < 16) throw std::invalid_argument("pseudonym key must have at least 16 bytes");
}

Pseudonymizer Pseudonymizer::from_key_file(const std::filesystem::path& key_file) {
  if (std::ifstream in(key_file, std::ios::binary); in) {
    std::vector<unsigned char> key((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (key.size() != key_bytes)
      throw std::runtime_error("pseudonym key " + key_file.string() + " has " + std::to_string(key.size()) +
                               " bytes, expected " + std::to_string(key_bytes) +
                               "; restore it from backup (a new key changes every patient's pseudonym)");
    return Pseudonymizer(std::move(key));
  }
  std::vector<unsigned char> key(key_bytes);
  if (RAND_bytes(key.data(), static_cast<int>(key.size())) != 1)
    throw std::runtime_error("cannot draw random bytes for the pseudonym key");
  // Never replaces a key: processes starting together (a cohort's shards) all end with the one made first.
  if (!create_file_durably(key_file, std::string(key.begin(), key.end()), 0600)) return from_key_file(key_file);
  return Pseudonymizer(std::move(key));
}

std::string Pseudonymizer::pseudonym(std::string_view patient_id, std::string_view issuer) const {
  // The separator keeps ("AB","C") and ("A","BC") apart.
  std::string message(patient_id);
  message.push_back('\x1f');
  message.append(issuer);
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int digest_length = 0;
  HMAC(EVP_sha256(), key_.data(), static_cast<int>(key_.size()),
       reinterpret_cast<const unsigned char*>(message.data()), message.size(), digest, &digest_length);
  static const char hex[] = "0123456789abcdef";
  std::string out = "p";
  for (unsigned int i = 0; i < 8; ++i) {
    out.push_back(hex[digest[i] >> 4]);
    out.push_back(hex[digest[i] & 0xf]);
  }
  return out;
}

}  // namespace rtpof::storage
