#pragma once
// The one-page report a physicist reads and any PACS viewer shows (as an Encapsulated PDF): each
// recurrence's class in large type with its V95 and the thresholds, the figures table, the cumulative DVH
// of the recurrences and CTVs with the 95 % line and the class thresholds, three planning-CT sections
// through the recurrence with the dose colour-wash, the CTV outlines and the mapped recurrence, and what
// the numbers rest on (registration, dose scaling, version). Drawn with cairo; pure apart from the bytes
// it returns. docs/report.md shows the page.
#include <array>
#include <filesystem>
#include <string>
#include <vector>

#include "pipeline/dosevolume/case_analysis.hpp"
#include "pipeline/dosevolume/section_images.hpp"

namespace rtpof::report {

struct ReportPage {
  std::string pseudonym, study_date, software_version;
  std::string registration;     // the registration used and its quality, in words
  std::string dose_scaling;     // what each RTDOSE was read as
  std::string sections_about;   // the recurrence the sections pass through
  std::array<pipeline::Section, 3> sections;
};

// What the drawing code put on the page, for a test to hold against the analysis' JSON.
struct DrawnRecurrence {
  std::string roi, miss_class;
  double v95_pct = 0;      // as printed next to the class (one decimal)
  double dvh_v95_pct = 0;  // the drawn DVH curve's volume at 95 % of the reference dose
  bool borderline = false;
};
struct DrawingRecord {
  int pages = 0;
  std::vector<DrawnRecurrence> recurrences;
  std::vector<std::string> curves;  // the DVH curves drawn, by ROI
};

// The page as PDF bytes. Throws ReportError (report/report_writer.hpp) when cairo fails.
DrawingRecord draw_report_pdf(const pipeline::CaseResult& result, const ReportPage& page, std::vector<unsigned char>& pdf);
// The same written to `file` (std::runtime_error naming it when it cannot be written).
DrawingRecord write_report_pdf_file(const pipeline::CaseResult& result, const ReportPage& page,
                                    const std::filesystem::path& file);

}  // namespace rtpof::report
