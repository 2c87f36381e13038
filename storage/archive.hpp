#pragma once
// The store's public face: where an incoming instance is written, how it becomes durable and indexed,
// and how the index is recovered from the files. scp/ and app/ use this header alone.
#include <array>
#include <atomic>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "storage/index.hpp"
#include "storage/ingest_error.hpp"
#include "storage/instance_attributes.hpp"
#include "storage/pseudonym.hpp"

namespace spdlog {
class logger;
}

namespace rtpof::storage {

struct ArchiveOptions {
  std::filesystem::path data_dir;
  std::uint64_t quota_bytes = 0;                 // 0: no quota
  std::uint64_t min_free_bytes = 256ull << 20;  // refuse new instances below this much free disk
};

// A file being received. Removed on destruction unless the archive took it over.
class IncomingFile {
 public:
  explicit IncomingFile(std::filesystem::path path) : path_(std::move(path)) {}
  IncomingFile(IncomingFile&& other) noexcept;
  IncomingFile& operator=(IncomingFile&&) = delete;
  IncomingFile(const IncomingFile&) = delete;
  ~IncomingFile();
  const std::filesystem::path& path() const { return path_; }
  // While the file is still arriving: has the kernel start writing what has arrived, without waiting,
  // so that the fsync once it is whole has less left to do. Best effort: before the receiver has
  // created the file it does nothing, and the next call tries again.
  void start_writeback() noexcept;
  // fsync of the whole file, through the descriptor start_writeback() opened when there is one.
  void sync() const;
  // The archive took the file over: it is no longer removed, and its descriptor is closed.
  void release() noexcept;

 private:
  void close_descriptor() noexcept;

  std::filesystem::path path_;
  int fd_ = -1;  // read-only; opened by start_writeback(), kept for sync()
};

// What the C-STORE command announced; the dataset must agree.
struct AnnouncedIdentity {
  std::string sop_class_uid;
  std::string sop_instance_uid;
};

struct IngestOutcome {
  enum class Result { stored, duplicate, replaced } result = Result::stored;
  InstanceAttributes attributes;
  std::string pseudonym;
  std::uint64_t size_bytes = 0;
  std::filesystem::path path;
  std::filesystem::path superseded_path;  // where the older version went (Result::replaced)
  std::string moved_from;  // the patient its study belonged to before this copy corrected the PatientID
};

struct RecoveryReport {
  std::size_t temporary_files_removed = 0;
  std::size_t files_indexed = 0;
  std::size_t files_unreadable = 0;
};

class Archive {
 public:
  // Creates <data-dir>/store and opens <data-dir>/index.sqlite; throws std::runtime_error naming the path.
  Archive(ArchiveOptions options, std::shared_ptr<spdlog::logger> logger);
  ~Archive();

  // Empty when a new instance may be received; else why not (quota reached, disk nearly full).
  std::optional<std::string> refuses_new_instances() const;
  // Free bytes for unprivileged writers on the store's file system; nullopt when it cannot be read.
  std::optional<std::uint64_t> free_bytes() const;
  std::uint64_t min_free_bytes() const { return options_.min_free_bytes; }

  IncomingFile new_incoming_file();

  // Checks the received file, makes it durable, moves it into place and indexes it. Returns only
  // once all of that is on disk. Throws IngestError; the incoming file is removed in every case.
  IngestOutcome ingest(IncomingFile incoming, const AnnouncedIdentity& announced, const std::string& calling_ae);

  // Start-up: removes stale temporary files and indexes files the index lacks.
  RecoveryReport recover();
  // Empties the index and rebuilds it from the files alone.
  RecoveryReport rebuild_index();

  // Called after every instance that was stored or replaced (not for duplicates), on the receiving
  // thread, once the instance is durable and indexed. Set it before the listener starts.
  void on_stored(std::function<void(const IngestOutcome&)> observer) { on_stored_ = std::move(observer); }

  IndexCounts counts() { return index_.instances().counts(); }
  Index& index() { return index_; }
  const std::filesystem::path& store_dir() const { return store_dir_; }
  const std::filesystem::path& reports_dir() const { return reports_dir_; }
  // Keeps a report rtpof wrote as <data-dir>/reports/<pseudonym>/<uid>.dcm: `write` fills the temporary
  // path it is given, which is then synced and renamed into place. Returns the path below reports/.
  // Throws std::invalid_argument for a malformed UID or pseudonym, std::system_error for the disk.
  std::filesystem::path keep_report(const std::string& pseudonym, const std::string& sop_instance_uid,
                                    const std::function<void(const std::filesystem::path&)>& write);
  std::string pseudonym(const std::string& patient_id, const std::string& issuer) const {
    return pseudonymizer_.pseudonym(patient_id, issuer);
  }

 private:
  std::mutex& lock_for(const std::string& sop_instance_uid);
  RecoveryReport index_untracked_files();

  ArchiveOptions options_;
  std::shared_ptr<spdlog::logger> logger_;
  std::filesystem::path store_dir_;
  std::filesystem::path incoming_dir_;
  std::filesystem::path superseded_dir_;
  std::filesystem::path reports_dir_;
  Pseudonymizer pseudonymizer_;
  Index index_;
  std::atomic<std::uint64_t> used_bytes_{0};
  std::atomic<std::uint64_t> incoming_counter_{0};
  // Striped by SOP Instance UID: two copies of one instance are decided one after the other, while
  // different instances are made durable in parallel.
  std::array<std::mutex, 64> instance_locks_;
  std::function<void(const IngestOutcome&)> on_stored_;
};

}  // namespace rtpof::storage
