#pragma once
// The case as decided: each input instance with the role it plays (rtdose, rtplan, rtstruct, recurrence,
// reg, rtdose_summed, ct, mr). The matcher runs once per decision and its outcome is recorded as these
// roles in the case row; a job assembles exactly these instances and never matches again.
#include <string>
#include <utility>
#include <vector>

#include "rules/case_matcher.hpp"

namespace rtpof::jobs {

struct CaseInput {
  std::string role, sop_instance_uid;
  bool operator==(const CaseInput& other) const {
    return role == other.role && sop_instance_uid == other.sop_instance_uid;
  }
};
using CaseRoles = std::vector<CaseInput>;

// A complete match's roles, in a fixed order (singles first, then summed doses, CT and MR images).
CaseRoles roles_of(const rules::CaseMatch& match);

// The UIDs with `role`, in recorded order; the one UID of a single role (throws std::runtime_error
// naming the role when there is not exactly one); the optional one (at most one).
std::vector<std::string> uids_with_role(const CaseRoles& roles, const std::string& role);
std::string single_uid(const CaseRoles& roles, const std::string& role);

// To and from the case row's (role, uid) pairs.
CaseRoles roles_from_pairs(const std::vector<std::pair<std::string, std::string>>& pairs);
std::vector<std::pair<std::string, std::string>> pairs_of(const CaseRoles& roles);

}  // namespace rtpof::jobs
