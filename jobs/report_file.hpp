#pragma once
// A case's analysis written as its DICOM SR file: the context a report needs, taken from the assembled
// case, handed to the pure writer, and the result written durably (a node job) or plainly (`analyze --sr`).
#include <filesystem>
#include <string>

#include "jobs/case_assembly.hpp"
#include "pipeline/case_analysis.hpp"
#include "report/report_content.hpp"

namespace rtpof::jobs {

// The report's identity: a fresh SOP Instance UID, the rtpof series of the follow-up study, now.
report::ReportIdentity new_report_identity(const AssembledCase& folder, unsigned case_version);

// The device that writes the reports: its UID is derived from `node_name`, so it stays the same across
// restarts and upgrades.
report::ReportDevice report_device(const std::string& node_name);

report::ReportContext report_context(const AssembledCase& folder, const report::ReportDevice& device,
                                       const report::ReportIdentity& identity);

// Writes the SR as a Part 10 file (Explicit VR Little Endian). Throws ReportError, or runtime_error when
// the file cannot be written.
void write_report_file(const pipeline::CaseResult& result, const report::ReportContext& context,
                       const std::filesystem::path& file);

}  // namespace rtpof::jobs
