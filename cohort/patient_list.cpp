#include "cohort/patient_list.hpp"

#include <algorithm>
#include <fstream>
#include <set>
#include <sstream>
#include <stdexcept>

#include "cohort/csv.hpp"

namespace rtpof::cohort {
namespace fs = std::filesystem;

PatientList patients_from_folders(const std::vector<fs::path>& folders) {
  PatientList list;
  for (const fs::path& folder : folders) {
    if (!fs::is_directory(folder)) throw std::invalid_argument("no such folder: " + folder.string());
    std::vector<fs::path> subfolders;
    for (const auto& entry : fs::directory_iterator(folder))
      if (entry.is_directory() && entry.path().filename().string().rfind('.', 0) != 0)
        subfolders.push_back(entry.path());
    if (subfolders.empty())
      throw std::invalid_argument(folder.string() + " holds no patient folder (each sub-folder is one patient)");
    std::sort(subfolders.begin(), subfolders.end());
    for (const fs::path& p : subfolders) {
      CohortPatient patient;
      patient.index = list.patients.size();
      patient.folder = p.lexically_normal().string();
      list.patients.push_back(patient);
    }
  }
  return list;
}

PatientList patients_from_manifest(const fs::path& manifest) {
  std::ifstream in(manifest, std::ios::binary);
  if (!in) throw std::invalid_argument("cannot read the manifest " + manifest.string());
  std::stringstream text;
  text << in.rdbuf();
  std::vector<std::vector<std::string>> records;
  try {
    records = parse_csv(text.str());
  } catch (const std::invalid_argument& e) {
    throw std::invalid_argument(manifest.string() + ": " + e.what());
  }
  if (records.empty()) throw std::invalid_argument(manifest.string() + " is empty: it needs a header row with a folder column");
  const std::vector<std::string>& header = records.front();
  std::ptrdiff_t folder_column = -1, label_column = -1;
  PatientList list;
  std::vector<std::size_t> clinical_at;
  std::set<std::string> names;
  for (std::size_t c = 0; c < header.size(); ++c) {
    if (header[c].empty()) throw std::invalid_argument(manifest.string() + ": column " + std::to_string(c + 1) + " has no name");
    if (!names.insert(header[c]).second)
      throw std::invalid_argument(manifest.string() + ": the column " + header[c] + " appears twice");
    if (header[c] == "folder") {
      folder_column = static_cast<std::ptrdiff_t>(c);
    } else if (header[c] == "label") {
      label_column = static_cast<std::ptrdiff_t>(c);
    } else {
      list.clinical_columns.push_back(header[c]);
      clinical_at.push_back(c);
    }
  }
  if (folder_column < 0) throw std::invalid_argument(manifest.string() + ": the header has no folder column");
  const fs::path base = fs::absolute(manifest).parent_path();
  std::set<std::string> folders, labels;
  for (std::size_t r = 1; r < records.size(); ++r) {
    const auto& record = records[r];
    const std::string where = manifest.string() + ", row " + std::to_string(r + 1);
    if (record.size() != header.size())
      throw std::invalid_argument(where + ": " + std::to_string(record.size()) + " fields where the header has " +
                                  std::to_string(header.size()));
    const std::string& folder = record[static_cast<std::size_t>(folder_column)];
    if (folder.empty()) throw std::invalid_argument(where + ": the folder is empty");
    CohortPatient patient;
    patient.index = list.patients.size();
    patient.folder = (fs::path(folder).is_absolute() ? fs::path(folder) : base / folder).lexically_normal().string();
    if (!folders.insert(patient.folder).second) throw std::invalid_argument(where + ": the folder " + folder + " is listed twice");
    if (label_column >= 0) {
      patient.label = record[static_cast<std::size_t>(label_column)];
      if (patient.label.empty()) throw std::invalid_argument(where + ": the label is empty");
      if (!labels.insert(patient.label).second) throw std::invalid_argument(where + ": the label " + patient.label + " is used twice");
    }
    for (std::size_t c : clinical_at) patient.clinical.push_back(record[c]);
    list.patients.push_back(patient);
  }
  if (list.patients.empty()) throw std::invalid_argument(manifest.string() + " lists no patient");
  return list;
}

Shard parse_shard(const std::string& text) {
  const auto slash = text.find('/');
  auto number = [&](const std::string& part) -> std::size_t {
    if (part.empty() || part.find_first_not_of("0123456789") != std::string::npos || part.size() > 6)
      throw std::invalid_argument("--shard takes K/N with 0 <= K < N, e.g. 0/4; not " + text);
    return std::stoul(part);
  };
  if (slash == std::string::npos) throw std::invalid_argument("--shard takes K/N with 0 <= K < N, e.g. 0/4; not " + text);
  Shard shard{number(text.substr(0, slash)), number(text.substr(slash + 1))};
  if (shard.n == 0 || shard.k >= shard.n)
    throw std::invalid_argument("--shard takes K/N with 0 <= K < N, e.g. 0/4; not " + text);
  return shard;
}

PatientList shard_of(const PatientList& all, const Shard& shard) {
  PatientList part;
  part.clinical_columns = all.clinical_columns;
  for (const CohortPatient& p : all.patients)
    if (p.index % shard.n == shard.k) part.patients.push_back(p);
  return part;
}

}  // namespace rtpof::cohort
