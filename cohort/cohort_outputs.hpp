#pragma once
// A cohort's output folder: patients.json (every patient's outcome, what `cohort merge` reads), and
// from it table2.csv, errors.csv, summary.json, summary.md, cohort.pdf and cohort.png. The files are a
// function of the outcomes alone, so a merge of shard folders writes the bytes one unsharded run writes.
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "cohort/patient_list.hpp"
#include "cohort/patient_outcome.hpp"

namespace rtpof::cohort {

struct CohortRecord {
  std::size_t total = 0;               // patients in the whole cohort (all shards)
  std::optional<Shard> shard;          // which shard this folder holds; none for a whole cohort
  std::vector<std::string> clinical_columns;
  std::vector<PatientOutcome> outcomes;  // in cohort order
};

// Writes every output file (each written whole, then renamed into place). Throws std::runtime_error
// naming a file that cannot be written, std::invalid_argument for an analysis lacking a figure.
void write_cohort_outputs(const std::filesystem::path& folder, const CohortRecord& record);

// Reads a folder's patients.json. Throws std::invalid_argument naming the folder and what is wrong.
CohortRecord read_cohort_record(const std::filesystem::path& folder);

// Shard folders as one cohort: every shard K/N of one N exactly once, the same total and columns, each
// patient once. Throws std::invalid_argument saying which shard is missing, repeated or disagrees.
CohortRecord merge_shards(const std::vector<CohortRecord>& shards);

// Writes `bytes` to `file` through a temporary file and a rename.
void write_file_whole(const std::filesystem::path& file, const std::string& bytes);

}  // namespace rtpof::cohort
