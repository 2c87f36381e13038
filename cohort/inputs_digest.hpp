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
// Hex SHA-256 of a string (the salt's parts are digested with it).
std::string sha256_hex(const std::string& bytes);

}  // namespace rtpof::cohort
