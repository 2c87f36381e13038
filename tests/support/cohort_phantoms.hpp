#pragma once
// A cohort of phantom patients for the cohort tests: every class, REG and automatic registration, a
// patient with two recurrences and one whose RTDOSE never came, with made-up clinical columns for the
// manifest (T stage, chemotherapy, age, and a BMI given only for patients without an out-field recurrence,
// so that one column compares two classes).
#include <filesystem>
#include <string>
#include <vector>

namespace rtpof::testing {

struct CohortPhantom {
  std::string label, phantom_case;
  bool reg = false;
  int seed = 0;
  bool incomplete = false;  // written without its RTDOSE
  std::string t_stage, chemo, age, bmi;
};

// Nine patients: eight complete ones covering the three classes, and "incomplete".
std::vector<CohortPhantom> standard_cohort();
// Four complete patients with REGs (quick to analyse) and "incomplete", for the Slurm test.
std::vector<CohortPhantom> small_cohort();

// Writes each patient to root/<label> (small size), two at a time; fails the calling test on an error.
void write_cohort_phantoms(const std::vector<CohortPhantom>& phantoms, const std::filesystem::path& root);
// manifest.csv with label, folder (relative to the manifest), t_stage, chemo, age, bmi. Returns its path.
std::filesystem::path write_manifest(const std::vector<CohortPhantom>& phantoms, const std::filesystem::path& root,
                                     const std::filesystem::path& file);

// argv as one line for `sh -c` (each argument single-quoted).
std::string shell_line(const std::vector<std::string>& argv);

}  // namespace rtpof::testing
