// The report writer alone (no command, no validators; those run in tests/report_test.cpp): a result and
// a context in, an SR out that carries each group, class and reference, with names in UTF-8. Runs under
// ASan/UBSan with the unit tests.
#include <gtest/gtest.h>

#include <dcmtk/dcmdata/dcfilefo.h>

#include "report/report_uid.hpp"
#include "report/report_writer.hpp"
#include "tests/support/example_report_context.hpp"
#include "tests/support/sr_reader.hpp"
#include "tests/support/test_paths.hpp"

namespace rtpof::report {
namespace {

using namespace rtpof::pipeline;

ReportContext context_of_two_images() { return testing::example_report_context(); }

TEST(ReportWriter, TwoRecurrencesTwoGroupsTheirClassesAndUtf8Names) {
  CaseResult result;
  result.reference_dose_gy = 70;
  result.reference_dose_source = "RTPLAN highest target prescription";
  RecurrenceResult local;
  local.roi = "Recurrence_局部";
  local.v95_pct = 98.5;
  local.miss_class = MissClass::InField;
  RecurrenceResult nodal;
  nodal.roi = "Recurrence_nodal";
  nodal.v95_pct = 3.25;
  nodal.d100_gy = 12.5;
  nodal.miss_class = MissClass::OutField;
  nodal.borderline = true;
  result.recurrences = {local, nodal};
  result.ctvs = {{"CTV_70", "high", 20, 69.5, 69.1, 100}};
  result.gtv_primary_cc = 8.4;

  DcmFileFormat file;
  write_report(result, context_of_two_images(), file);
  testing::TempDir dir;
  ASSERT_TRUE(file.saveFile((dir / "sr.dcm").c_str(), EXS_LittleEndianExplicit).good());
  const testing::ParsedReport report = testing::read_report(dir / "sr.dcm");

  EXPECT_EQ(report.character_set, "ISO_IR 192");
  EXPECT_EQ(report.patient_name, "Chen^Wei=陈^伟");
  EXPECT_EQ(report.study_uid, "1.2.3");
  EXPECT_EQ(report.instance_number, "2");
  EXPECT_EQ(report.predecessors, std::vector<std::string>{"1.2.99"});
  EXPECT_EQ(report.evidence.size(), 3u);
  ASSERT_EQ(report.groups.size(), 4u);  // two recurrences, one CTV, one GTV
  ASSERT_NE(report.group("Recurrence_局部"), nullptr);
  EXPECT_EQ(report.group("Recurrence_局部")->evaluations.at("MISSCLASS"), "IN-FIELD");
  EXPECT_EQ(report.group("Recurrence_nodal")->evaluations.at("MISSCLASS"), "OUT-FIELD");
  EXPECT_EQ(report.group("Recurrence_nodal")->evaluations.at("BORDERLINE"), "373066001");
  EXPECT_DOUBLE_EQ(report.group("Recurrence_nodal")->numbers.at("V95"), 3.25);
  EXPECT_DOUBLE_EQ(report.group("Recurrence_nodal")->numbers.at("128513/255605001"), 12.5);
  EXPECT_EQ(report.group("Recurrence_nodal")->references, std::vector<std::string>{"1.2.30"});
  EXPECT_DOUBLE_EQ(report.group("CTV_70")->numbers.at("128513/D95"), 69.5);
  EXPECT_EQ(report.case_evaluations.at("128446"), "125024");
  EXPECT_TRUE(report.case_references.empty());  // automatic registration: no REG to reference
}

TEST(ReportUid, RandomUidsDifferAndNameBasedOnesRepeatAndAreValid) {
  const std::string a = random_uid(), b = random_uid();
  EXPECT_NE(a, b);
  EXPECT_EQ(name_based_uid("x"), name_based_uid("x"));
  EXPECT_NE(name_based_uid("x"), name_based_uid("y"));
  for (const std::string& uid : {a, name_based_uid("x")}) {
    EXPECT_EQ(uid.rfind("2.25.", 0), 0u);
    EXPECT_LE(uid.size(), 64u);
    EXPECT_EQ(uid.find_first_not_of("0123456789.", 0), std::string::npos);
    EXPECT_NE(uid[5], '0');  // no leading zero in the integer component
  }
}

}  // namespace
}  // namespace rtpof::report
