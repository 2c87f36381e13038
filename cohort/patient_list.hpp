#pragma once
// Which patients a cohort holds, in which order, with which clinical columns: from folders of patient
// folders or from a manifest CSV (docs/cohort.md). The order is the input's, and it decides the rows'
// order, the shards and the byte-identity of every output.
#include <filesystem>
#include <string>
#include <vector>

namespace rtpof::cohort {

struct CohortPatient {
  std::size_t index = 0;              // position in the whole cohort, 0-based
  std::string folder;                 // as resolved (absolute for a manifest's relative paths)
  std::string label;                  // the manifest's label; empty: the analysis' pseudonym names it
  std::vector<std::string> clinical;  // one value per PatientList::clinical_columns
};

struct PatientList {
  std::vector<std::string> clinical_columns;
  std::vector<CohortPatient> patients;
};

// Every sub-folder of each folder, sorted by name within it (hidden ones left out), one patient each.
// Throws std::invalid_argument naming a folder that does not exist or holds no sub-folder.
PatientList patients_from_folders(const std::vector<std::filesystem::path>& folders);

// A manifest: a header row with a `folder` column (relative paths are taken from the manifest's own
// folder), an optional `label` column, and any other columns, carried as clinical columns. Throws
// std::invalid_argument naming the line of a row with the wrong number of fields, a missing folder
// column, an empty or repeated folder or label.
PatientList patients_from_manifest(const std::filesystem::path& manifest);

// "K/N" (0 <= K < N) parsed; throws std::invalid_argument otherwise.
struct Shard {
  std::size_t k = 0, n = 1;
};
Shard parse_shard(const std::string& text);
// The patients of shard K of N: every N-th patient starting at K, so that shards are deterministic,
// balanced and independent of how long any patient takes.
PatientList shard_of(const PatientList& all, const Shard& shard);

}  // namespace rtpof::cohort
