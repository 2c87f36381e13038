#pragma once
// Which of a patient's stored instances form a case, and whether it is complete: the planning chain
// RTDOSE -> RTPLAN -> RTSTRUCT -> CT series and the follow-up chain recurrence RTSTRUCT or SEG -> MR
// series, with a REG linking the two frames when one came. Pure: index rows in, a decision out; an
// incomplete case says precisely what is missing, in words an operator can act on.
#include <optional>
#include <string>
#include <vector>

#include "storage/indexed_row.hpp"

namespace rtpof::rules {

using IndexedInstance = storage::IndexedRow;

struct MatchRules {
  // When several plans could be the one: the named one; else approved before unapproved, then the latest.
  std::optional<std::string> plan_uid;
  // Several PLAN doses reference the chosen plan and none is MULTI_PLAN: refuse (the case waits, saying
  // why), take the latest, or sum them all on one grid.
  enum class SeveralDoses { refuse, latest, sum } several_doses = SeveralDoses::refuse;
};

struct CaseMatch {
  bool complete = false;
  std::vector<std::string> missing;  // one sentence per missing link; empty when complete
  std::vector<std::string> notes;    // choices made among several candidates

  std::string rtdose_uid, rtplan_uid, rtstruct_uid;
  std::vector<std::string> summed_dose_uids;  // with the "sum" rule: the doses added to rtdose_uid's
  std::string ct_series_uid, planning_frame_uid;
  std::vector<std::string> ct_instance_uids;
  std::string recurrence_uid;  // the follow-up RTSTRUCT or SEG
  std::string mr_series_uid, followup_frame_uid;
  std::vector<std::string> mr_instance_uids;
  std::optional<std::string> reg_uid;

  // Every instance the case uses, sorted; and a digest of them and their contents. Equal digests mean
  // the same inputs: no second job. A changed or added input gives a new digest: a new case version.
  std::vector<std::string> input_uids;
  std::string inputs_digest;
};

CaseMatch match_case(const std::vector<IndexedInstance>& patient_instances, const MatchRules& rules = {});

}  // namespace rtpof::rules
