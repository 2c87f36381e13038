#include "jobs/case_roles.hpp"

#include <stdexcept>

namespace rtpof::jobs {

CaseRoles roles_of(const rules::CaseMatch& m) {
  CaseRoles roles = {{"rtdose", m.rtdose_uid}, {"rtplan", m.rtplan_uid}, {"rtstruct", m.rtstruct_uid},
                     {"recurrence", m.recurrence_uid}};
  if (m.reg_uid) roles.push_back({"reg", *m.reg_uid});
  for (const auto& uid : m.summed_dose_uids) roles.push_back({"rtdose_summed", uid});
  for (const auto& uid : m.ct_instance_uids) roles.push_back({"ct", uid});
  for (const auto& uid : m.mr_instance_uids) roles.push_back({"mr", uid});
  return roles;
}

std::vector<std::string> uids_with_role(const CaseRoles& roles, const std::string& role) {
  std::vector<std::string> uids;
  for (const CaseInput& input : roles)
    if (input.role == role) uids.push_back(input.sop_instance_uid);
  return uids;
}

std::string single_uid(const CaseRoles& roles, const std::string& role) {
  const auto uids = uids_with_role(roles, role);
  if (uids.size() != 1)
    throw std::runtime_error("the case row records " + std::to_string(uids.size()) + " inputs with the role " + role +
                             ", not one; the index may have been edited by hand");
  return uids.front();
}

CaseRoles roles_from_pairs(const std::vector<std::pair<std::string, std::string>>& pairs) {
  CaseRoles roles;
  for (const auto& [role, uid] : pairs) roles.push_back({role, uid});
  return roles;
}

std::vector<std::pair<std::string, std::string>> pairs_of(const CaseRoles& roles) {
  std::vector<std::pair<std::string, std::string>> pairs;
  for (const CaseInput& input : roles) pairs.emplace_back(input.role, input.sop_instance_uid);
  return pairs;
}

}  // namespace rtpof::jobs
