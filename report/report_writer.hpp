#pragma once
// The analysis as a DICOM Structured Report: an Enhanced SR built on TID 1500 (Measurement Report) with
// one TID 1501 measurement group per recurrence, per CTV and per GTV. docs/report.md shows the content
// tree and the codes; the private ones are declared in the Coding Scheme Identification Sequence.
// Pure: the same result and context give the same dataset.
#include <stdexcept>

#include "pipeline/case_analysis.hpp"
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

}  // namespace rtpof::report
