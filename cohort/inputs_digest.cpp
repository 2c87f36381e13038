#include "cohort/inputs_digest.hpp"

#include <algorithm>
#include <fstream>
#include <memory>
#include <openssl/evp.h>
#include <stdexcept>
#include <vector>

namespace rtpof::cohort {
namespace fs = std::filesystem;
namespace {

using Context = std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)>;

Context new_context() {
  Context context(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  if (!context || EVP_DigestInit_ex(context.get(), EVP_sha256(), nullptr) != 1)
    throw std::runtime_error("OpenSSL cannot start a SHA-256 digest");
  return context;
}

void add(EVP_MD_CTX* context, const void* data, std::size_t size) {
  if (EVP_DigestUpdate(context, data, size) != 1) throw std::runtime_error("OpenSSL's SHA-256 update failed");
}

// A field of known length, so that ("ab","c") and ("a","bc") digest differently.
void add_field(EVP_MD_CTX* context, const std::string& field) {
  const std::uint64_t size = field.size();
  add(context, &size, sizeof size);
  add(context, field.data(), field.size());
}

std::string finish(EVP_MD_CTX* context) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  if (EVP_DigestFinal_ex(context, digest, &length) != 1) throw std::runtime_error("OpenSSL's SHA-256 final failed");
  static const char* const hex = "0123456789abcdef";
  std::string text;
  for (unsigned int i = 0; i < length; ++i) {
    text += hex[digest[i] >> 4];
    text += hex[digest[i] & 15];
  }
  return text;
}

// Adds the file's bytes; returns how many were read.
std::uint64_t add_file(EVP_MD_CTX* context, const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + file.string());
  std::vector<char> buffer(1 << 20);
  std::uint64_t read = 0;
  while (in) {
    in.read(buffer.data(), static_cast<std::streamsize>(buffer.size()));
    const auto got = static_cast<std::size_t>(in.gcount());
    add(context, buffer.data(), got);
    read += got;
  }
  return read;
}

}  // namespace

std::string sha256_hex(const std::string& bytes) {
  Context context = new_context();
  add(context.get(), bytes.data(), bytes.size());
  return finish(context.get());
}

std::string file_sha256(const fs::path& file) {
  Context context = new_context();
  add_file(context.get(), file);
  return finish(context.get());
}

std::string inputs_digest(const fs::path& folder, const std::string& salt) {
  std::vector<fs::path> files;
  for (const auto& entry : fs::recursive_directory_iterator(folder))
    if (entry.is_regular_file()) files.push_back(entry.path());
  std::sort(files.begin(), files.end());
  Context context = new_context();
  add_field(context.get(), salt);
  for (const fs::path& file : files) {
    add_field(context.get(), file.lexically_relative(folder).generic_string());
    const std::uint64_t size = fs::file_size(file);
    add(context.get(), &size, sizeof size);
    if (add_file(context.get(), file) != size) throw std::runtime_error("cannot read all of " + file.string() + " (it changed while being read?)");
  }
  return finish(context.get());
}

}  // namespace rtpof::cohort
