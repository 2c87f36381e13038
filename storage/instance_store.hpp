#pragma once
// The index's instance tables (patients, studies, series, instances and their references): what the
// store holds, for whom, and what references what. A cache of the files, rebuildable with `rtpof reindex`.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <unordered_set>
#include <vector>

#include "storage/indexed_row.hpp"
#include "storage/instance_attributes.hpp"

namespace rtpof::storage {

class Database;

struct StoredFile {
  std::string relative_path;  // below <data-dir>/store
  std::uint64_t size_bytes = 0;
  std::string content_sha256;  // storage/content_hash.hpp: canonical content; empty until a second copy arrives
  std::string received_at;     // UTC, ISO 8601
  std::string calling_ae;      // empty when the file was indexed from disk
};

struct IndexCounts {
  std::int64_t patients = 0;
  std::int64_t studies = 0;
  std::int64_t series = 0;
  std::int64_t instances = 0;
  std::uint64_t bytes = 0;
  std::map<std::string, std::int64_t> instances_by_modality;
};

// A presentation context a peer proposed and the node refused, for a SOP class the node stores: the
// peer offered it only in transfer syntaxes the node does not read.
struct RefusedContext {
  std::string calling_ae, sop_class_uid;
  std::string offered_syntaxes;  // names, ", "-separated
  std::string reason;
  std::int64_t times = 0;
  std::string last_at;
};

class InstanceStore {
 public:
  explicit InstanceStore(Database& database) : database_(database) {}

  std::optional<StoredFile> find(const std::string& sop_instance_uid);
  // Inserts the instance, or replaces the row of the same SOP Instance UID, in one transaction. When its
  // study is indexed under another patient (a corrected PatientID), the study with its series moves to
  // this one in the same transaction, the move is recorded, a patient left without studies is removed,
  // and the earlier patient's pseudonym is returned.
  std::optional<std::string> put(const InstanceAttributes& attributes, const std::string& pseudonym,
                                 const StoredFile& file, const std::string& now = "");
  // The patient whose studies most recently moved away from `pseudonym`, if any.
  std::optional<std::string> moved_to(const std::string& pseudonym);
  std::unordered_set<std::string> all_relative_paths();
  std::vector<ReferencedUid> references_of(const std::string& sop_instance_uid);
  IndexCounts counts();
  // When the newest instance in the index was received (UTC ISO 8601); nullopt for an empty index.
  std::optional<std::string> last_received_at();
  // Empties the instance tables (for a rebuild from the files); cases, jobs and reports stay.
  void clear();

  // One row per (calling AE, SOP class): counted and timed again when the peer repeats it.
  void record_refused_context(const RefusedContext& refused);
  // Refusals from the AEs that sent any of this patient's instances: what the patient may wait for.
  std::vector<RefusedContext> refused_contexts_of_patient(const std::string& pseudonym);

  // Matching's view of the index.
  std::vector<std::string> patient_pseudonyms();
  std::vector<IndexedRow> rows_of_patient(const std::string& pseudonym);

 private:
  Database& database_;
};

}  // namespace rtpof::storage
