#pragma once
// The DICOM Audit Message Schema (tests/audit/dicom-audit-message.rnc, PS3.15 A.5.1) as a validator:
// trang turns the standard's RELAX NG compact form into the XML form xmllint reads.
#include <filesystem>
#include <string>

#include "tests/support/process.hpp"

namespace rtpof::testing {

// Writes the schema's XML form into `dir`; its path. Fails the test when trang cannot convert it.
std::filesystem::path audit_schema_rng(const std::filesystem::path& dir);

// xmllint --relaxng of one message; exit code 0 when valid, its complaints in `output` otherwise.
RunResult validate_audit_message(const std::filesystem::path& rng, const std::string& xml,
                                 const std::filesystem::path& scratch_file);

// The XML of an RFC 5424 record rtpof writes: what follows the byte order mark.
std::string xml_of_record(const std::string& record);

}  // namespace rtpof::testing
