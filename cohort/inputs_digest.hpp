#pragma once
// The digest that keys the cohort's cache: SHA-256 over `salt` (what else decides the analysis: rtpof's
// version, the rules file, the pseudonym key, --reference-dose) and every regular file under the patient's
// folder, by relative path, size and content. The same folder and salt give the same digest on any
// machine; one changed byte, file name or added file gives another.
#include <filesystem>
#include <string>

namespace rtpof::cohort {

// Hex SHA-256. Throws std::runtime_error naming a file that cannot be read.
std::string inputs_digest(const std::filesystem::path& folder, const std::string& salt);
// Hex SHA-256 of a string, and of a file read in blocks (the salt's parts: the rtpof binary, the key,
// the rules file). The file's throws std::runtime_error naming it when it cannot be read.
std::string sha256_hex(const std::string& bytes);
std::string file_sha256(const std::filesystem::path& file);

}  // namespace rtpof::cohort
