// Times the matcher on synthetic index rows: N patients, each a planning CT (120 slices), an MR (100
// slices), RTSTRUCT, RTPLAN, RTDOSE, a recurrence RTSTRUCT and a REG, rows in shuffled order as the
// index might hold them. Prints rows, patients and the time to match them all. Used by bench/match.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <vector>

#include "rules/case_matcher.hpp"

using rtpof::rules::IndexedInstance;

namespace {

std::vector<IndexedInstance> patient(int p, std::mt19937& rng) {
  const std::string root = "1.2.826.0.1.3680043.10.1077." + std::to_string(p) + ".";
  const std::string ct_frame = root + "1", mr_frame = root + "2", ct_series = root + "3", mr_series = root + "4";
  const std::string plan = root + "5", structures = root + "6", dose = root + "7", recurrence = root + "8", reg = root + "9";
  std::vector<IndexedInstance> rows;
  auto add = [&](const std::string& uid, const char* sop_class, const std::string& series, const char* modality,
                 const std::string& frame, std::vector<rtpof::storage::ReferencedUid> refs) {
    rows.push_back({uid, sop_class, root + "0", series, modality, frame, std::move(refs), "2026-11-26T10:00:00", "d", ""});
  };
  for (int k = 0; k < 120; ++k) add(ct_series + "." + std::to_string(k), "1.2.840.10008.5.1.4.1.1.2", ct_series, "CT", ct_frame, {});
  for (int k = 0; k < 100; ++k) add(mr_series + "." + std::to_string(k), "1.2.840.10008.5.1.4.1.1.4", mr_series, "MR", mr_frame, {});
  add(structures, "1.2.840.10008.5.1.4.1.1.481.3", root + "10", "RTSTRUCT", "", {{"frame", ct_frame}, {"series", ct_series}});
  add(plan, "1.2.840.10008.5.1.4.1.1.481.5", root + "11", "RTPLAN", ct_frame, {{"rtstruct", structures}});
  add(dose, "1.2.840.10008.5.1.4.1.1.481.2", root + "12", "RTDOSE", ct_frame, {{"rtplan", plan}});
  add(recurrence, "1.2.840.10008.5.1.4.1.1.481.3", root + "13", "RTSTRUCT", "", {{"frame", mr_frame}, {"series", mr_series}});
  add(reg, "1.2.840.10008.5.1.4.1.1.66.1", root + "14", "REG", ct_frame, {{"frame", ct_frame}, {"frame", mr_frame}});
  std::shuffle(rows.begin(), rows.end(), rng);
  return rows;
}

}  // namespace

int main(int argc, char** argv) {
  const int patients = argc > 1 ? std::atoi(argv[1]) : 1000;
  std::mt19937 rng(1);
  std::vector<std::vector<IndexedInstance>> all;
  std::size_t rows = 0;
  for (int p = 0; p < patients; ++p) {
    all.push_back(patient(p, rng));
    rows += all.back().size();
  }
  const auto start = std::chrono::steady_clock::now();
  int complete = 0;
  for (const auto& rows_of_patient : all) complete += rtpof::rules::match_case(rows_of_patient).complete ? 1 : 0;
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf("%d patients, %zu rows: %d complete cases matched in %.3f s (%.1f us per patient)\n", patients, rows,
              complete, seconds, 1e6 * seconds / patients);
  return complete == patients ? 0 : 1;
}
