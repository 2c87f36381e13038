#pragma once
// The analysis as a DICOM Structured Report: an Enhanced SR built on TID 1500 (Measurement Report) with
// one TID 1501 measurement group per recurrence, per CTV and per GTV. docs/report.md shows the content
// tree and the codes; the private ones are declared in the Coding Scheme Identification Sequence.
// Pure: the same result and context give the same dataset.
#include <filesystem>
#include <stdexcept>
#include <string>

#include "pipeline/dosevolume/case_analysis.hpp"
#include "report/report_content.hpp"

class DcmFileFormat;

namespace rtpof::report {

// DCMTK refused to build the document; the message names the step.
class ReportError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Fills `out` (meta header and dataset) with the report. Throws ReportError.
void write_report(const pipeline::CaseResult& result, const ReportContext& context, DcmFileFormat& out);

// The same written as a Part 10 file (Explicit VR Little Endian). Throws ReportError, or
// std::runtime_error naming the file when it cannot be written.
void write_report_file(const pipeline::CaseResult& result, const ReportContext& context,
                       const std::filesystem::path& file);

// The device that writes the reports: its UID is derived from `node_name`, so it stays the same across
// restarts and upgrades; its version is this rtpof's.
ReportDevice report_device(const std::string& node_name);

}  // namespace rtpof::report
