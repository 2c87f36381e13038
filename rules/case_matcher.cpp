#include "rules/case_matcher.hpp"

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <map>
#include <unordered_map>

namespace rtpof::rules {
namespace {

constexpr const char* kRtDose = "1.2.840.10008.5.1.4.1.1.481.2";
constexpr const char* kRtPlan = "1.2.840.10008.5.1.4.1.1.481.5";
constexpr const char* kRtStruct = "1.2.840.10008.5.1.4.1.1.481.3";
constexpr const char* kReg = "1.2.840.10008.5.1.4.1.1.66.1";
constexpr const char* kSeg = "1.2.840.10008.5.1.4.1.1.66.4";

bool is_image(const IndexedInstance& i) { return i.modality == "CT" || i.modality == "MR"; }

std::vector<std::string> refs(const IndexedInstance& i, const char* kind) {
  std::vector<std::string> out;
  for (const auto& r : i.references)
    if (r.kind == kind) out.push_back(r.uid);
  return out;
}

bool has_ref(const IndexedInstance& i, const char* kind, const std::string& uid) {
  return std::any_of(i.references.begin(), i.references.end(),
                     [&](const storage::ReferencedUid& r) { return r.kind == kind && r.uid == uid; });
}

// Latest received first; ties by UID so that the choice never depends on row order.
const IndexedInstance* latest(std::vector<const IndexedInstance*> candidates) {
  if (candidates.empty()) return nullptr;
  return *std::max_element(candidates.begin(), candidates.end(), [](const IndexedInstance* a, const IndexedInstance* b) {
    return a->received_at < b->received_at || (a->received_at == b->received_at && a->sop_instance_uid < b->sop_instance_uid);
  });
}

// FNV-1a, 64 bits: a digest of the case's inputs, compared for equality only (no security needed).
std::string digest(const std::vector<std::string>& parts) {
  std::uint64_t h = 1469598103934665603ull;
  for (const auto& part : parts) {
    for (unsigned char c : part) h = (h ^ c) * 1099511628211ull;
    h = (h ^ 0xff) * 1099511628211ull;
  }
  char text[17];
  std::snprintf(text, sizeof text, "%016llx", static_cast<unsigned long long>(h));
  return text;
}

struct Series {
  std::string modality, frame;
  std::vector<const IndexedInstance*> instances;
};

}  // namespace

CaseMatch match_case(const std::vector<IndexedInstance>& all, const MatchRules& rules) {
  CaseMatch match;
  std::unordered_map<std::string, const IndexedInstance*> by_uid;
  std::map<std::string, Series> series;
  std::vector<const IndexedInstance*> doses, plans, structure_sets, registrations, segmentations;
  for (const IndexedInstance& i : all) {
    by_uid[i.sop_instance_uid] = &i;
    if (i.sop_class_uid == kRtDose) doses.push_back(&i);
    else if (i.sop_class_uid == kRtPlan) plans.push_back(&i);
    else if (i.sop_class_uid == kRtStruct) structure_sets.push_back(&i);
    else if (i.sop_class_uid == kReg) registrations.push_back(&i);
    else if (i.sop_class_uid == kSeg) segmentations.push_back(&i);
    else if (is_image(i)) {
      Series& s = series[i.series_instance_uid];
      s.modality = i.modality;
      s.frame = i.frame_of_reference_uid;
      s.instances.push_back(&i);
    }
  }
  auto present = [&](const std::string& uid, const char* sop_class) {
    const auto it = by_uid.find(uid);
    return it != by_uid.end() && it->second->sop_class_uid == sop_class ? it->second : nullptr;
  };

  // Planning chain, from the plan: the named one, else the latest plan that a dose references, else the
  // latest plan; then its dose, structure set and CT series.
  const IndexedInstance* plan = rules.plan_uid ? present(*rules.plan_uid, kRtPlan) : nullptr;
  if (!plan) {
    std::vector<const IndexedInstance*> dosed;
    for (const IndexedInstance* p : plans)
      if (std::any_of(doses.begin(), doses.end(), [&](const IndexedInstance* d) { return has_ref(*d, "rtplan", p->sop_instance_uid); }))
        dosed.push_back(p);
    std::vector<const IndexedInstance*>& pool = dosed.empty() ? plans : dosed;
    std::vector<const IndexedInstance*> approved;
    for (const IndexedInstance* p : pool)
      if (p->rt_status == "APPROVED") approved.push_back(p);
    plan = latest(approved.empty() ? pool : approved);
    if (plan && pool.size() > 1)
      match.notes.push_back(std::to_string(pool.size()) + " candidate RTPLANs; " + plan->sop_instance_uid + " chosen (" +
                            (approved.empty() ? "none approved, the latest" : "approved, the latest of those") + ")");
  }
  const IndexedInstance* dose = nullptr;
  if (plan) {
    std::vector<const IndexedInstance*> candidates;
    for (const IndexedInstance* d : doses)
      if (has_ref(*d, "rtplan", plan->sop_instance_uid)) candidates.push_back(d);
    std::vector<const IndexedInstance*> multi_plan;
    for (const IndexedInstance* d : candidates)
      if (d->rt_status == "MULTI_PLAN") multi_plan.push_back(d);
    dose = latest(multi_plan.empty() ? candidates : multi_plan);
    if (!dose) {
      match.missing.push_back(doses.empty() ? "no RTDOSE has arrived (RTPLAN " + plan->sop_instance_uid + " waits for its dose)"
                                            : "no RTDOSE references RTPLAN " + plan->sop_instance_uid);
    } else if (multi_plan.empty() && candidates.size() > 1) {
      if (rules.several_doses == MatchRules::SeveralDoses::latest) {
        match.notes.push_back(std::to_string(candidates.size()) + " RTDOSE objects reference RTPLAN " +
                              plan->sop_instance_uid + "; the latest, " + dose->sop_instance_uid + ", is used (rule)");
      } else if (rules.several_doses == MatchRules::SeveralDoses::sum) {
        for (const IndexedInstance* d : candidates)
          if (d != dose) match.summed_dose_uids.push_back(d->sop_instance_uid);
        std::sort(match.summed_dose_uids.begin(), match.summed_dose_uids.end());
        match.notes.push_back(std::to_string(candidates.size()) + " RTDOSE objects reference RTPLAN " +
                              plan->sop_instance_uid + "; they are summed (rule)");
      } else
        match.missing.push_back(std::to_string(candidates.size()) + " RTDOSE objects reference RTPLAN " +
                                plan->sop_instance_uid + " and none is MULTI_PLAN; send the course's total dose, or set "
                                "[matching] several_plan_doses = \"latest\" or \"sum\"");
    }
  } else if (!doses.empty()) {
    dose = latest(doses);
    const auto planned = refs(*dose, "rtplan");
    const auto other = planned.empty() ? by_uid.end() : by_uid.find(planned.front());
    if (other != by_uid.end())
      // The plan is here but of a class rtpof does not read (an RT Ion Plan beside its proton dose).
      match.missing.push_back("RTDOSE " + dose->sop_instance_uid + " references plan " + planned.front() +
                              ", which has arrived but is of SOP class " + other->second->sop_class_uid +
                              (other->second->sop_class_uid == "1.2.840.10008.5.1.4.1.1.481.8" ? " (RT Ion Plan)" : "") +
                              ", not supported: rtpof reads RT Plan Storage (1.2.840.10008.5.1.4.1.1.481.5) only");
    else
      match.missing.push_back(planned.empty() ? "RTDOSE " + dose->sop_instance_uid + " references no RTPLAN, and none has arrived"
                                              : "RTDOSE " + dose->sop_instance_uid + " references RTPLAN " + planned.front() +
                                                    ", which has not arrived");
  } else {
    match.missing.push_back("no RTDOSE and no RTPLAN have arrived");
  }

  const IndexedInstance* structures = nullptr;
  if (plan) {
    const auto wanted = refs(*plan, "rtstruct");
    if (wanted.empty()) match.missing.push_back("RTPLAN " + plan->sop_instance_uid + " references no RTSTRUCT");
    else if (!(structures = present(wanted.front(), kRtStruct)))
      match.missing.push_back("RTPLAN " + plan->sop_instance_uid + " references RTSTRUCT " + wanted.front() +
                              ", which has not arrived");
  }
  const Series* ct = nullptr;
  if (structures) {
    for (const std::string& uid : refs(*structures, "series"))
      if (auto it = series.find(uid); it != series.end() && it->second.modality == "CT") ct = &it->second, match.ct_series_uid = uid;
    if (!ct) {
      const auto wanted = refs(*structures, "series");
      match.missing.push_back("RTSTRUCT " + structures->sop_instance_uid +
                              (wanted.empty() ? " names no image series" : " references CT series " + wanted.front()) +
                              ", which has not arrived");
    }
  }
  if (ct) match.planning_frame_uid = ct->frame;
  else if (dose) match.planning_frame_uid = dose->frame_of_reference_uid;

  // Follow-up chain: the latest recurrence object outside the planning frame, and its MR series.
  std::vector<const IndexedInstance*> recurrences;
  for (const IndexedInstance* s : structure_sets)
    if (s != structures && !has_ref(*s, "frame", match.planning_frame_uid)) recurrences.push_back(s);
  for (const IndexedInstance* s : segmentations)
    if (s->frame_of_reference_uid != match.planning_frame_uid) recurrences.push_back(s);
  const IndexedInstance* recurrence = latest(recurrences);
  const Series* mr = nullptr;
  if (!recurrence) {
    match.missing.push_back("no recurrence contour (an RTSTRUCT or SEG on a follow-up MR) has arrived");
  } else {
    for (const std::string& uid : refs(*recurrence, "series"))
      if (auto it = series.find(uid); it != series.end() && it->second.modality == "MR") mr = &it->second, match.mr_series_uid = uid;
    if (!mr) {
      const auto wanted = refs(*recurrence, "series");
      match.missing.push_back("recurrence " + std::string(recurrence->sop_class_uid == kSeg ? "SEG " : "RTSTRUCT ") +
                              recurrence->sop_instance_uid +
                              (wanted.empty() ? " names no image series" : " references MR series " + wanted.front()) +
                              ", which has not arrived");
    }
  }
  if (mr) match.followup_frame_uid = mr->frame;

  std::vector<const IndexedInstance*> linking;
  for (const IndexedInstance* r : registrations)
    if (!match.followup_frame_uid.empty() && has_ref(*r, "frame", match.followup_frame_uid) &&
        (r->frame_of_reference_uid == match.planning_frame_uid || has_ref(*r, "frame", match.planning_frame_uid)))
      linking.push_back(r);
  if (const IndexedInstance* reg = latest(linking)) match.reg_uid = reg->sop_instance_uid;

  if (dose) match.rtdose_uid = dose->sop_instance_uid;
  if (plan) match.rtplan_uid = plan->sop_instance_uid;
  if (structures) match.rtstruct_uid = structures->sop_instance_uid;
  if (recurrence) match.recurrence_uid = recurrence->sop_instance_uid;
  if (ct)
    for (const IndexedInstance* i : ct->instances) match.ct_instance_uids.push_back(i->sop_instance_uid);
  if (mr)
    for (const IndexedInstance* i : mr->instances) match.mr_instance_uids.push_back(i->sop_instance_uid);
  std::sort(match.ct_instance_uids.begin(), match.ct_instance_uids.end());
  std::sort(match.mr_instance_uids.begin(), match.mr_instance_uids.end());
  match.complete = match.missing.empty();

  for (const std::string* uid : {&match.rtdose_uid, &match.rtplan_uid, &match.rtstruct_uid, &match.recurrence_uid})
    if (!uid->empty()) match.input_uids.push_back(*uid);
  if (match.reg_uid) match.input_uids.push_back(*match.reg_uid);
  match.input_uids.insert(match.input_uids.end(), match.summed_dose_uids.begin(), match.summed_dose_uids.end());
  match.input_uids.insert(match.input_uids.end(), match.ct_instance_uids.begin(), match.ct_instance_uids.end());
  match.input_uids.insert(match.input_uids.end(), match.mr_instance_uids.begin(), match.mr_instance_uids.end());
  std::sort(match.input_uids.begin(), match.input_uids.end());
  std::vector<std::string> parts;
  for (const std::string& uid : match.input_uids) parts.push_back(uid + "=" + by_uid.at(uid)->content_digest);
  match.inputs_digest = digest(parts);
  return match;
}

}  // namespace rtpof::rules
