#pragma once
// The one-page report as a DICOM Encapsulated PDF (PS3.3 A.45.1), so that any PACS viewer shows it beside
// the SR: it joins the report's study in a series of its own, with a SOP Instance UID name-based on the
// report's, and references the SR it illustrates. Pure: the same bytes and context give the same dataset.
#include <filesystem>
#include <string>
#include <vector>

#include "report/report_content.hpp"

class DcmFileFormat;

namespace rtpof::report {

std::string encapsulated_pdf_uid(const ReportContext& context);
std::string encapsulated_pdf_series_uid(const std::string& study_uid);

// Throws ReportError (report/report_writer.hpp) when DCMTK refuses an attribute or the bytes are no PDF.
void write_encapsulated_pdf(const std::vector<unsigned char>& pdf, const ReportContext& context, DcmFileFormat& out);
void write_encapsulated_pdf_file(const std::vector<unsigned char>& pdf, const ReportContext& context,
                                 const std::filesystem::path& file);

}  // namespace rtpof::report
