#pragma once
// Reading and editing Part 10 files in tests.
#include <dcmtk/config/osconfig.h>
#include <dcmtk/dcmdata/dcdatset.h>

#include <filesystem>
#include <functional>
#include <string>

namespace rtpof::testing {

// Loads `in`, applies `edit` to its dataset, writes `out` (explicit VR little endian).
void rewrite(const std::filesystem::path& in, const std::filesystem::path& out,
             const std::function<void(DcmDataset&)>& edit);

// SHA-256 of the dataset re-encoded one fixed way (explicit VR LE, defined lengths): equal for the
// same content whatever sequence/item length encoding the sender chose.
std::string canonical_dataset_sha256(const std::filesystem::path& file);

std::string string_of(const std::filesystem::path& file, const DcmTagKey& tag);

}  // namespace rtpof::testing
