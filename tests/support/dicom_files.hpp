#pragma once
// Reading and editing Part 10 files in tests.
#include <dcmtk/config/osconfig.h>
#include <dcmtk/dcmdata/dcdatset.h>

#include <filesystem>
#include <functional>
#include <string>
#include <vector>

namespace rtpof::testing {

// Loads `in`, applies `edit` to its dataset, writes `out` (explicit VR little endian).
void rewrite(const std::filesystem::path& in, const std::filesystem::path& out,
             const std::function<void(DcmDataset&)>& edit);

// A physician's correction of a recurrence RTSTRUCT written to `out` (its folder made): the same content
// as a new instance (the SOP Instance UID with ".2" appended) labelled RECURRENCE_V2, which makes a new
// version of the patient's case.
void write_corrected_recurrence(const std::filesystem::path& in, const std::filesystem::path& out);

// SHA-256 of the dataset re-encoded one fixed way (explicit VR LE, defined lengths): equal for the
// same content whatever sequence/item length encoding the sender chose.
std::string canonical_dataset_sha256(const std::filesystem::path& file);

// Writes a copy of a 32-bit RTDOSE re-encoded to 16 bits (values rescaled to the 16-bit range,
// DoseGridScaling adjusted, every other attribute kept): dicom3tools' dciodvfy aborts on 32-bit pixel
// data, so this is the form it can check. Returns the largest rounding error introduced, in Gy.
double write_rtdose_16bit_copy(const std::filesystem::path& in, const std::filesystem::path& out);

// All values of a multi-valued numeric element (DS, FD, ...), e.g. ContourData; empty when absent.
std::vector<double> numbers_of(DcmItem& item, const DcmTagKey& tag);

std::string string_of(const std::filesystem::path& file, const DcmTagKey& tag);

}  // namespace rtpof::testing
