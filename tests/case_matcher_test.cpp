// The matcher on the phantom's own objects (their index attributes, read as the node reads them) and on
// the orders and gaps real sending produces: any order, a missing dose, a plan that never came, a
// recurrence without its MR, a re-sent or corrected object.
#include <gtest/gtest.h>

#include <dcmtk/dcmdata/dcfilefo.h>

#include <algorithm>
#include <random>

#include "phantom/phantom_writer.hpp"
#include "rules/case_matcher.hpp"
#include "storage/instance_attributes.hpp"
#include "tests/support/test_paths.hpp"

namespace rtpof::rules {
namespace {

namespace fs = std::filesystem;

IndexedInstance row_of(const fs::path& file, int order) {
  DcmFileFormat format;
  if (format.loadFile(file.c_str()).bad()) throw std::runtime_error("cannot read " + file.string());
  const storage::InstanceAttributes a = storage::read_instance_attributes(*format.getDataset());
  char received[32];
  std::snprintf(received, sizeof received, "2026-11-26T10:%02d:%02d", order / 60, order % 60);
  return {a.sop_instance_uid, a.sop_class_uid, a.study_instance_uid, a.series_instance_uid, a.modality,
          a.frame_of_reference_uid, a.references, received, std::to_string(fs::file_size(file)), a.rt_status};
}

class CaseMatcher : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = std::make_unique<testing::TempDir>();
    phantom::PhantomSpec spec = phantom::PhantomSpec::small(4);
    spec.case_name = "marginal";
    spec.slices = 24;
    spec.mr_slices = 20;
    spec.reg = true;
    spec.truth_points = 1e4;
    files_ = phantom::write_phantom(spec, dir_->path());
    int order = 0;
    for (const auto& f : files_.plan.ct) rows_.push_back(row_of(f, order++));
    for (const auto& f : files_.followup.mr) rows_.push_back(row_of(f, order++));
    for (const auto& f : {files_.plan.rtstruct, files_.plan.rtplan, files_.plan.rtdose, files_.followup.recurrence,
                          *files_.followup.reg})
      rows_.push_back(row_of(f, order++));
  }
  static void TearDownTestSuite() { dir_.reset(); }

  static std::vector<IndexedInstance> without(const std::string& sop_class) {
    std::vector<IndexedInstance> rows;
    for (const auto& r : rows_)
      if (r.sop_class_uid != sop_class) rows.push_back(r);
    return rows;
  }
  static std::string uid_of(const std::string& sop_class) {
    for (const auto& r : rows_)
      if (r.sop_class_uid == sop_class) return r.sop_instance_uid;
    return {};
  }

  static std::unique_ptr<testing::TempDir> dir_;
  static phantom::PhantomFiles files_;
  static std::vector<IndexedInstance> rows_;
};
std::unique_ptr<testing::TempDir> CaseMatcher::dir_;
phantom::PhantomFiles CaseMatcher::files_;
std::vector<IndexedInstance> CaseMatcher::rows_;

const std::string kDose = "1.2.840.10008.5.1.4.1.1.481.2", kPlan = "1.2.840.10008.5.1.4.1.1.481.5",
                  kStruct = "1.2.840.10008.5.1.4.1.1.481.3", kReg = "1.2.840.10008.5.1.4.1.1.66.1";

TEST_F(CaseMatcher, TheWholePhantomIsACompleteCaseWithTheRightInstances) {
  const CaseMatch m = match_case(rows_);
  EXPECT_TRUE(m.complete) << (m.missing.empty() ? "" : m.missing.front());
  EXPECT_EQ(m.rtdose_uid, uid_of(kDose));
  EXPECT_EQ(m.rtplan_uid, uid_of(kPlan));
  EXPECT_EQ(m.ct_series_uid, files_.plan.ct_series_instance_uid);
  EXPECT_EQ(m.ct_instance_uids.size(), 24u);
  EXPECT_EQ(m.mr_series_uid, files_.followup.mr_series_instance_uid);
  EXPECT_EQ(m.mr_instance_uids.size(), 20u);
  EXPECT_EQ(m.planning_frame_uid, files_.plan.frame_of_reference_uid);
  EXPECT_EQ(m.followup_frame_uid, files_.followup.frame_of_reference_uid);
  ASSERT_TRUE(m.reg_uid.has_value());
  EXPECT_EQ(*m.reg_uid, uid_of(kReg));
  EXPECT_NE(m.rtstruct_uid, m.recurrence_uid);
  EXPECT_EQ(m.input_uids.size(), 24u + 20u + 5u);
}

TEST_F(CaseMatcher, AnyOrderGivesTheSameCase) {
  const CaseMatch reference = match_case(rows_);
  std::mt19937 rng(3);
  for (int trial = 0; trial < 5; ++trial) {
    std::vector<IndexedInstance> shuffled = rows_;
    std::shuffle(shuffled.begin(), shuffled.end(), rng);
    const CaseMatch m = match_case(shuffled);
    EXPECT_TRUE(m.complete);
    EXPECT_EQ(m.inputs_digest, reference.inputs_digest);
    EXPECT_EQ(m.input_uids, reference.input_uids);
  }
}

TEST_F(CaseMatcher, MissingObjectsAreNamed) {
  CaseMatch m = match_case(without(kDose));
  EXPECT_FALSE(m.complete);
  ASSERT_EQ(m.missing.size(), 1u);
  EXPECT_EQ(m.missing[0], "no RTDOSE has arrived (RTPLAN " + uid_of(kPlan) + " waits for its dose)");

  m = match_case(without(kPlan));
  ASSERT_FALSE(m.missing.empty());
  EXPECT_EQ(m.missing[0], "RTDOSE " + uid_of(kDose) + " references RTPLAN " + uid_of(kPlan) + ", which has not arrived");

  std::vector<IndexedInstance> no_mr;
  for (const auto& r : rows_)
    if (r.modality != "MR") no_mr.push_back(r);
  m = match_case(no_mr);
  ASSERT_EQ(m.missing.size(), 1u);
  EXPECT_NE(m.missing[0].find("references MR series " + files_.followup.mr_series_instance_uid + ", which has not arrived"),
            std::string::npos)
      << m.missing[0];

  // Without the REG the case is complete: the MR will be registered automatically.
  m = match_case(without(kReg));
  EXPECT_TRUE(m.complete);
  EXPECT_FALSE(m.reg_uid.has_value());
}

TEST_F(CaseMatcher, AResentObjectKeepsTheDigestACorrectedRecurrenceChangesIt) {
  const CaseMatch first = match_case(rows_);
  std::vector<IndexedInstance> resent = rows_;
  resent.push_back(resent.back());  // the same instance again (same UID, same content)
  EXPECT_EQ(match_case(resent).inputs_digest, first.inputs_digest);

  // A corrected recurrence RTSTRUCT arrives later under a new UID: a new version of the case.
  std::vector<IndexedInstance> corrected = rows_;
  IndexedInstance recurrence = *std::find_if(corrected.begin(), corrected.end(), [&](const IndexedInstance& r) {
    return r.sop_instance_uid == first.recurrence_uid;
  });
  recurrence.sop_instance_uid += ".2";
  recurrence.received_at = "2027-03-01T09:00:00";
  recurrence.content_digest = "other";
  corrected.push_back(recurrence);
  const CaseMatch second = match_case(corrected);
  EXPECT_TRUE(second.complete);
  EXPECT_EQ(second.recurrence_uid, recurrence.sop_instance_uid);
  EXPECT_NE(second.inputs_digest, first.inputs_digest);

  // The same UID with other content (a re-export that kept its UID) also changes the digest.
  std::vector<IndexedInstance> changed = rows_;
  for (auto& r : changed)
    if (r.sop_instance_uid == first.rtdose_uid) r.content_digest += "x";
  EXPECT_NE(match_case(changed).inputs_digest, first.inputs_digest);
}

TEST_F(CaseMatcher, ApprovedPlansComeFirstAndSeveralPlanDosesFollowTheRule) {
  // A later, unapproved re-plan with its own dose: the approved plan stays the one.
  std::vector<IndexedInstance> rows = rows_;
  const IndexedInstance plan = *std::find_if(rows.begin(), rows.end(), [](const auto& r) { return r.sop_class_uid == kPlan; });
  ASSERT_EQ(plan.rt_status, "APPROVED");
  IndexedInstance replan = plan;
  replan.sop_instance_uid += ".7";
  replan.rt_status = "UNAPPROVED";
  replan.received_at = "2027-01-01T00:00:00";
  IndexedInstance redose = *std::find_if(rows.begin(), rows.end(), [](const auto& r) { return r.sop_class_uid == kDose; });
  redose.sop_instance_uid += ".7";
  redose.references = {{"rtplan", replan.sop_instance_uid}};
  rows.push_back(replan);
  rows.push_back(redose);
  CaseMatch m = match_case(rows);
  EXPECT_TRUE(m.complete);
  EXPECT_EQ(m.rtplan_uid, plan.sop_instance_uid);
  ASSERT_FALSE(m.notes.empty());

  // A second PLAN dose of the same plan: refused by default, the latest with the rule.
  std::vector<IndexedInstance> two_doses = rows_;
  IndexedInstance second = *std::find_if(two_doses.begin(), two_doses.end(), [](const auto& r) { return r.sop_class_uid == kDose; });
  second.sop_instance_uid += ".8";
  second.received_at = "2027-01-02T00:00:00";
  two_doses.push_back(second);
  m = match_case(two_doses);
  EXPECT_FALSE(m.complete);
  ASSERT_EQ(m.missing.size(), 1u);
  EXPECT_NE(m.missing[0].find("2 RTDOSE objects reference RTPLAN " + plan.sop_instance_uid + " and none is MULTI_PLAN"),
            std::string::npos) << m.missing[0];
  MatchRules latest;
  latest.several_doses = MatchRules::SeveralDoses::latest;
  m = match_case(two_doses, latest);
  EXPECT_TRUE(m.complete);
  EXPECT_EQ(m.rtdose_uid, second.sop_instance_uid);
  MatchRules sum;
  sum.several_doses = MatchRules::SeveralDoses::sum;
  m = match_case(two_doses, sum);
  EXPECT_TRUE(m.complete);
  ASSERT_EQ(m.summed_dose_uids.size(), 1u);
  EXPECT_NE(std::find(m.input_uids.begin(), m.input_uids.end(), m.summed_dose_uids[0]), m.input_uids.end());
  // A MULTI_PLAN dose among them is the course's dose, whatever the rule.
  for (auto& r : two_doses)
    if (r.sop_class_uid == kDose && r.sop_instance_uid != second.sop_instance_uid) r.rt_status = "MULTI_PLAN";
  m = match_case(two_doses);
  EXPECT_TRUE(m.complete);
  EXPECT_NE(m.rtdose_uid, second.sop_instance_uid);
}

}  // namespace
}  // namespace rtpof::rules
