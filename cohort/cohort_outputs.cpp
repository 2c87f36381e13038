#include "cohort/cohort_outputs.hpp"

#include <algorithm>
#include <fstream>
#include <set>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "cohort/cohort_figure.hpp"
#include "cohort/summary.hpp"
#include "cohort/table2.hpp"

namespace rtpof::cohort {
namespace fs = std::filesystem;
using nlohmann::json;

namespace {
constexpr const char* kFormat = "rtpof-cohort-1";
}

void write_file_whole(const fs::path& file, const std::string& bytes) {
  // Unique per thread: two patients with the same inputs may write the same cache entry at once.
  const fs::path temporary =
      file.string() + ".tmp." + std::to_string(std::hash<std::thread::id>()(std::this_thread::get_id()));
  {
    std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
    out << bytes;
    out.flush();
    if (!out) throw std::runtime_error("cannot write " + temporary.string());
  }
  fs::rename(temporary, file);
}

void write_cohort_outputs(const fs::path& folder, const CohortRecord& record) {
  fs::create_directories(folder);
  json patients = json::array();
  for (const PatientOutcome& o : record.outcomes) patients.push_back(outcome_json(o));
  const json whole = {{"format", kFormat},
                      {"total", record.total},
                      {"shard", record.shard ? json({{"k", record.shard->k}, {"n", record.shard->n}}) : json(nullptr)},
                      {"clinical_columns", record.clinical_columns},
                      {"patients", patients}};
  write_file_whole(folder / "patients.json", whole.dump(1) + "\n");
  const std::vector<Table2Row> rows = table2_rows(record.outcomes);
  write_file_whole(folder / "table2.csv", table2_csv(rows, record.clinical_columns));
  write_file_whole(folder / "errors.csv", errors_csv(record.outcomes));
  const json summary = cohort_summary(record.outcomes, rows, record.clinical_columns);
  write_file_whole(folder / "summary.json", summary.dump(1) + "\n");
  write_file_whole(folder / "summary.md", summary_markdown(summary));
  write_cohort_figure(record.outcomes, folder / "cohort.pdf.tmp", folder / "cohort.png.tmp");
  fs::rename(folder / "cohort.pdf.tmp", folder / "cohort.pdf");
  fs::rename(folder / "cohort.png.tmp", folder / "cohort.png");
}

CohortRecord read_cohort_record(const fs::path& folder) {
  const fs::path file = folder / "patients.json";
  std::ifstream in(file);
  if (!in) throw std::invalid_argument(folder.string() + " is not a cohort folder: it has no patients.json");
  try {
    const json j = json::parse(in);
    if (j.value("format", "") != kFormat)
      throw std::invalid_argument("its format is not " + std::string(kFormat));
    CohortRecord record;
    record.total = j.at("total").get<std::size_t>();
    if (!j.at("shard").is_null()) record.shard = Shard{j["shard"].at("k").get<std::size_t>(), j["shard"].at("n").get<std::size_t>()};
    record.clinical_columns = j.at("clinical_columns").get<std::vector<std::string>>();
    for (const json& p : j.at("patients")) record.outcomes.push_back(outcome_from_json(p));
    return record;
  } catch (const std::exception& e) {
    throw std::invalid_argument(file.string() + " cannot be read as a cohort: " + e.what());
  }
}

CohortRecord merge_shards(const std::vector<CohortRecord>& shards) {
  if (shards.empty()) throw std::invalid_argument("no shard folder given");
  CohortRecord merged;
  merged.total = shards.front().total;
  merged.clinical_columns = shards.front().clinical_columns;
  std::set<std::size_t> seen_shards;
  std::size_t n = 0;
  for (const CohortRecord& s : shards) {
    if (!s.shard) throw std::invalid_argument("a folder holds a whole cohort, not a shard: nothing to merge it with");
    if (n == 0) n = s.shard->n;
    if (s.shard->n != n)
      throw std::invalid_argument("the shards were cut differently: " + std::to_string(s.shard->k) + "/" +
                                  std::to_string(s.shard->n) + " beside shards of " + std::to_string(n));
    if (!seen_shards.insert(s.shard->k).second)
      throw std::invalid_argument("shard " + std::to_string(s.shard->k) + "/" + std::to_string(n) + " is given twice");
    if (s.total != merged.total || s.clinical_columns != merged.clinical_columns)
      throw std::invalid_argument("shard " + std::to_string(s.shard->k) + "/" + std::to_string(n) +
                                  " belongs to another cohort (its patient count or manifest columns differ)");
    merged.outcomes.insert(merged.outcomes.end(), s.outcomes.begin(), s.outcomes.end());
  }
  for (std::size_t k = 0; k < n; ++k)
    if (!seen_shards.count(k))
      throw std::invalid_argument("shard " + std::to_string(k) + "/" + std::to_string(n) + " is missing");
  std::sort(merged.outcomes.begin(), merged.outcomes.end(),
            [](const PatientOutcome& a, const PatientOutcome& b) { return a.patient.index < b.patient.index; });
  for (std::size_t i = 0; i < merged.outcomes.size(); ++i)
    if (merged.outcomes[i].patient.index != i)
      throw std::invalid_argument("the shards do not hold patient " + std::to_string(i + 1) + " of " +
                                  std::to_string(merged.total) + " exactly once");
  if (merged.outcomes.size() != merged.total)
    throw std::invalid_argument("the shards hold " + std::to_string(merged.outcomes.size()) + " patients of " +
                                std::to_string(merged.total));
  return merged;
}

}  // namespace rtpof::cohort
