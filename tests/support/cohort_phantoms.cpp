#include "tests/support/cohort_phantoms.hpp"

#include <gtest/gtest.h>

#include <fstream>

#include "tests/support/process.hpp"
#include "tests/support/test_paths.hpp"

namespace rtpof::testing {
namespace fs = std::filesystem;

std::vector<CohortPhantom> standard_cohort() {
  return {{"in-field", "in-field", true, 31, false, "T1", "yes", "45", "22.5"},
          {"marginal", "marginal", true, 32, false, "T4", "no", "61", "24.1"},
          {"out-field", "out-field", false, 33, false, "T2", "yes", "52", ""},
          {"marginal-93", "marginal-93", false, 34, false, "T3", "no", "58", "19.8"},
          {"marginal-22", "marginal-22", true, 35, false, "T4", "yes", "66", "27.0"},
          {"two-sites", "two-sites", false, 36, false, "T2", "no", "49", ""},
          {"small", "small", true, 37, false, "T1", "yes", "38", "21.2"},
          {"out-field-b", "out-field", true, 38, false, "T3", "no", "70", ""},
          {"incomplete", "marginal", true, 39, true, "T2", "yes", "55", "23.3"}};
}

std::vector<CohortPhantom> small_cohort() {
  return {{"in-field", "in-field", true, 41, false, "T1", "yes", "45", "22.5"},
          {"marginal", "marginal", true, 42, false, "T4", "no", "61", "24.1"},
          {"out-field", "out-field", true, 43, false, "T2", "yes", "52", ""},
          {"small", "small", true, 44, false, "T1", "no", "38", "21.2"},
          {"incomplete", "marginal-22", true, 45, true, "T3", "yes", "55", "23.3"}};
}

void write_cohort_phantoms(const std::vector<CohortPhantom>& phantoms, const fs::path& root) {
  fs::create_directories(root);
  for (std::size_t i = 0; i < phantoms.size(); i += 2) {
    std::vector<std::pair<pid_t, fs::path>> running;
    for (std::size_t j = i; j < std::min(i + 2, phantoms.size()); ++j) {
      const CohortPhantom& p = phantoms[j];
      std::vector<std::string> argv = {rtpof_binary().string(), "phantom", "--out", (root / p.label).string(), "--case",
                                       p.phantom_case, "--size", "small", "--seed", std::to_string(p.seed)};
      if (p.reg) argv.push_back("--reg");
      const fs::path log = root / (p.label + ".phantom.log");
      running.push_back({spawn_process(argv, log), log});
    }
    for (const auto& [pid, log] : running)
      ASSERT_EQ(wait_for_exit(pid, std::chrono::seconds(120)), 0) << read_text(log);
    for (const auto& [pid, log] : running) fs::remove(log);
  }
  for (const CohortPhantom& p : phantoms) {
    if (p.incomplete) {
      ASSERT_TRUE(fs::remove(root / p.label / "plan/RTDOSE.dcm"));
    }
  }
}

fs::path write_manifest(const std::vector<CohortPhantom>& phantoms, const fs::path& root, const fs::path& file) {
  std::ofstream out(file);
  out << "label,folder,t_stage,chemo,age,bmi\n";
  for (const CohortPhantom& p : phantoms)
    out << p.label << "," << (root / p.label).lexically_relative(file.parent_path()).string() << "," << p.t_stage << ","
        << p.chemo << "," << p.age << "," << p.bmi << "\n";
  return file;
}

std::string shell_line(const std::vector<std::string>& argv) {
  std::string line;
  for (const std::string& a : argv) {
    std::string quoted = "'";
    for (char c : a) quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
    line += (line.empty() ? "" : " ") + quoted + "'";
  }
  return line;
}

}  // namespace rtpof::testing
