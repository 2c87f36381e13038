#include "storage/content_hash.hpp"

#include <openssl/evp.h>

#include <array>
#include <cstring>
#include <fstream>
#include <memory>
#include <stdexcept>

namespace rtpof::storage {
namespace {

// Offset of the first byte after the meta header: 128-byte preamble, "DICM", then (0002,0000) UL
// holding the group's length. Files without that layout are hashed whole.
std::streamoff dataset_offset(std::ifstream& in) {
  std::array<unsigned char, 144> head{};
  in.read(reinterpret_cast<char*>(head.data()), head.size());
  const bool complete = in.gcount() == static_cast<std::streamsize>(head.size());
  in.clear();
  in.seekg(0);
  if (!complete || std::memcmp(head.data() + 128, "DICM", 4) != 0) return 0;
  const unsigned char* e = head.data() + 132;
  const bool group_length = e[0] == 0x02 && e[1] == 0x00 && e[2] == 0x00 && e[3] == 0x00 && e[4] == 'U' && e[5] == 'L';
  if (!group_length) return 0;
  const std::uint32_t length = static_cast<std::uint32_t>(e[8]) | static_cast<std::uint32_t>(e[9]) << 8 |
                               static_cast<std::uint32_t>(e[10]) << 16 | static_cast<std::uint32_t>(e[11]) << 24;
  return 144 + static_cast<std::streamoff>(length);
}

}  // namespace

std::string dataset_sha256(const std::filesystem::path& part10_file) {
  std::ifstream in(part10_file, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + part10_file.string());
  in.seekg(dataset_offset(in));
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> context(EVP_MD_CTX_new(), &EVP_MD_CTX_free);
  if (!context || EVP_DigestInit_ex(context.get(), EVP_sha256(), nullptr) != 1)
    throw std::runtime_error("cannot initialise SHA-256");
  std::array<char, 1 << 16> buffer{};
  while (in) {
    in.read(buffer.data(), buffer.size());
    if (in.gcount() > 0) EVP_DigestUpdate(context.get(), buffer.data(), static_cast<std::size_t>(in.gcount()));
  }
  if (in.bad()) throw std::runtime_error("read error in " + part10_file.string());
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  EVP_DigestFinal_ex(context.get(), digest, &length);
  static const char hex[] = "0123456789abcdef";
  std::string out;
  for (unsigned int i = 0; i < length; ++i) {
    out.push_back(hex[digest[i] >> 4]);
    out.push_back(hex[digest[i] & 0xf]);
  }
  return out;
}

}  // namespace rtpof::storage
