// The one-page report (report/pdf_report) and its Encapsulated PDF (report/encapsulated_pdf_writer) on the
// marginal phantom: poppler's pdfinfo reads one page and pdftoppm renders it; the drawing code's own
// record (the class and V95 printed, the drawn DVH's volume at 95 % of the reference dose) agrees with the
// analysis' JSON; pdftotext finds the class and V95 on the page; dciodvfy finds no error in the DICOM.
#include <gtest/gtest.h>

#include <dcmtk/config/osconfig.h>
#include <dcmtk/dcmdata/dcfilefo.h>
#include <nlohmann/json.hpp>

#include <cmath>
#include <fstream>

#include "jobs/analysis_json.hpp"
#include "jobs/case_assembly.hpp"
#include "jobs/report_inputs.hpp"
#include "phantom/phantom_writer.hpp"
#include "report/encapsulated_pdf_writer.hpp"
#include "report/pdf_report.hpp"
#include "report/report_reader.hpp"
#include "report/report_writer.hpp"
#include "tests/support/process.hpp"
#include "tests/support/test_paths.hpp"

namespace rtpof::jobs {
namespace {

namespace fs = std::filesystem;
using testing::run;

TEST(PdfReport, OnePageWhoseClassV95AndDvhAgreeWithTheJsonAndAValidEncapsulatedPdf) {
  testing::TempDir dir;
  auto spec = phantom::PhantomSpec::small(12);
  spec.case_name = "marginal";
  spec.reg = true;
  spec.truth_points = 2e4;
  phantom::write_phantom(spec, dir / "case");
  AssembledCase assembled;
  assemble_case(dir / "case", AssemblyOptions{}, assembled);
  const pipeline::CaseResult result = pipeline::analyse_case(assembled.inputs);
  const nlohmann::json json = analysis_json(assembled, result, "p0123456789abcdef");

  const fs::path pdf_file = dir / "report.pdf";
  const report::DrawingRecord record =
      report::write_report_pdf_file(result, report_page(assembled, result, "p0123456789abcdef", "test"), pdf_file);
  EXPECT_EQ(record.pages, 1);
  ASSERT_EQ(record.recurrences.size(), json["recurrences"].size());
  for (std::size_t i = 0; i < record.recurrences.size(); ++i) {
    const auto& drawn = record.recurrences[i];
    const auto& want = json["recurrences"][i];
    EXPECT_EQ(drawn.roi, want["roi"]);
    EXPECT_EQ(drawn.miss_class, want["class"]);
    EXPECT_NEAR(drawn.v95_pct, want["v95_pct"].get<double>(), 0.05);       // printed with one decimal
    EXPECT_NEAR(drawn.dvh_v95_pct, want["v95_pct"].get<double>(), 0.01);   // the curve passes through V95
    EXPECT_EQ(drawn.borderline, want["borderline"].get<bool>());
  }
  EXPECT_EQ(record.curves.size(), result.ctvs.size() + result.recurrences.size());

  const testing::RunResult info = run({"pdfinfo", pdf_file.string()});
  ASSERT_EQ(info.exit_code, 0) << info.output;
  const auto pages_at = info.output.find("Pages:");
  ASSERT_NE(pages_at, std::string::npos) << info.output;
  EXPECT_EQ(std::stoi(info.output.substr(pages_at + 6)), 1) << info.output;
  ASSERT_EQ(run({"pdftoppm", "-png", "-r", "50", "-singlefile", pdf_file.string(), (dir / "page").string()}).exit_code, 0);
  EXPECT_GT(fs::file_size(dir / "page.png"), 10000u);
  const testing::RunResult words = run({"pdftotext", pdf_file.string(), "-"});
  char v95[32];
  std::snprintf(v95, sizeof v95, "V95 %.1f %%", result.recurrences.at(0).v95_pct);
  EXPECT_NE(words.output.find("MARGINAL"), std::string::npos) << words.output;
  EXPECT_NE(words.output.find(v95), std::string::npos) << v95 << " not in:\n" << words.output;

  // The same page as a DICOM Encapsulated PDF.
  std::vector<unsigned char> pdf;
  report::draw_report_pdf(result, report_page(assembled, result, "p0123456789abcdef", "test"), pdf);
  const report::ReportContext context = report_context(assembled, report::report_device("test"), new_report_identity(assembled, 1));
  const fs::path dicom = dir / "report-pdf.dcm";
  report::write_encapsulated_pdf_file(pdf, context, dicom);
  const testing::RunResult checked = run({"dciodvfy", dicom.string()});
  EXPECT_TRUE(testing::lines_starting(checked.output, "Error").empty()) << checked.output;
  EXPECT_FALSE(testing::lines_starting(checked.output, "EncapsulatedPDF").empty()) << checked.output;
  // Read back as `rtpof inspect` does: the document's own length and MIME type.
  DcmFileFormat stored;
  ASSERT_TRUE(stored.loadFile(dicom.c_str()).good());
  const report::EncapsulatedDocument document = report::encapsulated_document(*stored.getDataset());
  EXPECT_EQ(document.bytes, pdf.size());
  EXPECT_EQ(document.mime_type, "application/pdf");
}

}  // namespace
}  // namespace rtpof::jobs
