#pragma once
// Keyed pseudonyms for patients: logs and directory names carry these, never the PatientID.
// HMAC-SHA256 with a per-node secret, so a pseudonym cannot be reversed by hashing candidate IDs.
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace rtpof::storage {

class Pseudonymizer {
 public:
  explicit Pseudonymizer(std::vector<unsigned char> key);

  // Reads the node's key, creating a fresh random one (mode 0600) on first use.
  static Pseudonymizer from_key_file(const std::filesystem::path& key_file);

  // "p" + 16 hex digits; stable for the same (PatientID, Issuer of Patient ID) under one key.
  std::string pseudonym(std::string_view patient_id, std::string_view issuer) const;

 private:
  std::vector<unsigned char> key_;
};

}  // namespace rtpof::storage
