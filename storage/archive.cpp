#include "storage/archive.hpp"
#include "storage/utc_time.hpp"

#include <dcmtk/config/osconfig.h>
#include <dcmtk/dcmdata/dcfilefo.h>
#include <spdlog/spdlog.h>
#include <fcntl.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <chrono>
#include <ctime>
#include <functional>
#include <stdexcept>
#include <system_error>

#include "storage/content_hash.hpp"
#include "storage/dataset_nesting.hpp"
#include "storage/durable_file.hpp"
#include "storage/uid.hpp"

namespace fs = std::filesystem;

namespace rtpof::storage {
namespace {

std::string gib(std::uint64_t bytes) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.2f GiB", static_cast<double>(bytes) / (1ull << 30));
  return buffer;
}

// The key lives in the data directory, which may not exist yet on first start.
Pseudonymizer open_pseudonymizer(const fs::path& data_dir) {
  create_directories_durably(data_dir);
  return Pseudonymizer::from_key_file(data_dir / "pseudonym.key");
}

// Parses a Part 10 file and reads what the index keeps; IngestError when it cannot.
InstanceAttributes parse(const fs::path& file) {
  // Before DCMTK's recursive reader sees it: a data set nested deeper than any real object would
  // overflow the stack.
  const NestingScan nesting = scan_sequence_nesting(file);
  if (nesting.depth > max_sequence_nesting)
    throw IngestError(IngestError::Kind::cannot_understand,
                      "sequences nested more than " + std::to_string(max_sequence_nesting) +
                          " levels deep; real DICOM objects nest a few levels, so this one is refused unread");
  if (!nesting.overrun.empty())
    throw IngestError(IngestError::Kind::cannot_understand,
                      "the data set is truncated or corrupt: " + nesting.overrun + "; refused unread");
  DcmFileFormat format;
  const OFCondition status = format.loadFile(file.c_str());
  if (status.bad())
    throw IngestError(IngestError::Kind::cannot_understand,
                      std::string("dataset cannot be parsed (truncated or not DICOM): ") + status.text());
  return read_instance_attributes(*format.getDataset());
}

// Anything the operating system refuses while we write is "out of resources" for the peer: the
// instance itself may be fine, and sending it again later may work.
template <typename F>
auto as_resource_error(const std::string& step, F&& f) -> decltype(f()) {
  static const std::string resource_advice = "; check the free space and permissions of the data directory";
  try {
    return f();
  } catch (const std::system_error& e) {
    throw IngestError(IngestError::Kind::out_of_resources, step + ": " + e.what() + resource_advice);
  } catch (const std::runtime_error& e) {
    if (dynamic_cast<const IngestError*>(&e) != nullptr) throw;
    throw IngestError(IngestError::Kind::out_of_resources, step + ": " + e.what() + resource_advice);
  }
}

// The canonical content hash; for pixel data no decoder reads, the hash of the encoded data set,
// marked so: such a copy is then the same instance only when it is the same bytes. The log says why.
std::string content_identity(const fs::path& file, const std::string& sop_instance_uid, spdlog::logger& log) {
  try {
    return canonical_content_sha256(file);
  } catch (const std::runtime_error& e) {
    log.warn("instance {}: compared by its encoded bytes, not its content: {}", sop_instance_uid, e.what());
    return "encoded:" + dataset_sha256(file);
  }
}

}  // namespace

IncomingFile::IncomingFile(IncomingFile&& other) noexcept : path_(std::move(other.path_)), fd_(other.fd_) {
  other.path_.clear();
  other.fd_ = -1;
}

IncomingFile::~IncomingFile() {
  close_descriptor();
  if (!path_.empty()) {
    std::error_code ignored;  // best effort: start-up removes whatever is left in .incoming
    fs::remove(path_, ignored);
  }
}

void IncomingFile::start_writeback() noexcept {
  if (path_.empty()) return;
  if (fd_ < 0) fd_ = ::open(path_.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd_ >= 0) ::sync_file_range(fd_, 0, 0, SYNC_FILE_RANGE_WRITE);  // starts writeback; does not wait
}

void IncomingFile::sync() const {
  if (fd_ >= 0)
    sync_descriptor(fd_, path_);
  else
    sync_path(path_);
}

void IncomingFile::release() noexcept {
  close_descriptor();
  path_.clear();
}

void IncomingFile::close_descriptor() noexcept {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

Archive::Archive(ArchiveOptions options, std::shared_ptr<spdlog::logger> logger)
    : options_(std::move(options)),
      logger_(std::move(logger)),
      store_dir_(options_.data_dir / "store"),
      incoming_dir_(store_dir_ / ".incoming"),
      superseded_dir_(store_dir_ / ".superseded"),
      reports_dir_(options_.data_dir / "reports"),
      pseudonymizer_(open_pseudonymizer(options_.data_dir)),
      index_(options_.data_dir / "index.sqlite") {
  create_directories_durably(incoming_dir_);
  create_directories_durably(superseded_dir_);
  create_directories_durably(reports_dir_);
  used_bytes_ = index_.instances().counts().bytes;
}

Archive::~Archive() = default;

std::mutex& Archive::lock_for(const std::string& sop_instance_uid) {
  return instance_locks_[std::hash<std::string>{}(sop_instance_uid) % instance_locks_.size()];
}

std::optional<std::string> Archive::refuses_new_instances() const {
  if (options_.quota_bytes > 0 && used_bytes_ >= options_.quota_bytes)
    return "storage quota reached (" + gib(used_bytes_) + " used of " + gib(options_.quota_bytes) +
           "); raise storage.quota_gb or free space in " + store_dir_.string();
  if (const auto free = free_bytes(); free && *free < options_.min_free_bytes)
    return "disk nearly full (" + gib(*free) + " free, below storage.min_free_mb) on " + store_dir_.string();
  return std::nullopt;
}

std::optional<std::uint64_t> Archive::free_bytes() const {
  struct statvfs fs_stats {};
  if (::statvfs(store_dir_.c_str(), &fs_stats) != 0) return std::nullopt;
  return static_cast<std::uint64_t>(fs_stats.f_bavail) * fs_stats.f_frsize;
}

IncomingFile Archive::new_incoming_file() {
  const auto n = incoming_counter_.fetch_add(1);
  return IncomingFile(incoming_dir_ / (std::to_string(::getpid()) + "-" + std::to_string(n) + ".part"));
}

IngestOutcome Archive::ingest(IncomingFile incoming, const AnnouncedIdentity& announced,
                              const std::string& calling_ae) {
  const fs::path& temporary = incoming.path();
  IngestOutcome outcome;
  outcome.size_bytes = as_resource_error("cannot stat the received file", [&] { return fs::file_size(temporary); });
  if (options_.quota_bytes > 0 && used_bytes_ + outcome.size_bytes > options_.quota_bytes)
    throw IngestError(IngestError::Kind::out_of_resources,
                      "storage quota of " + gib(options_.quota_bytes) + " would be exceeded (" + gib(used_bytes_) +
                          " used); raise storage.quota_gb or free space");

  outcome.attributes = parse(temporary);
  const InstanceAttributes& a = outcome.attributes;
  if (a.sop_class_uid != announced.sop_class_uid)
    throw IngestError(IngestError::Kind::does_not_match_sop_class,
                      "instance " + a.sop_instance_uid + ": SOP Class UID (0008,0016) is " + a.sop_class_uid +
                          " but the C-STORE request announced " + announced.sop_class_uid);
  if (a.sop_instance_uid != announced.sop_instance_uid)
    throw IngestError(IngestError::Kind::does_not_match_sop_class,
                      "instance " + a.sop_instance_uid + ": SOP Instance UID (0008,0018) differs from the " +
                          "C-STORE request's Affected SOP Instance UID " + announced.sop_instance_uid);

  outcome.pseudonym = pseudonymizer_.pseudonym(a.patient_id, a.issuer_of_patient_id);
  // Only validated UIDs and our own pseudonym make up the path: nothing a peer wrote as free text.
  const fs::path relative =
      fs::path(outcome.pseudonym) / a.study_instance_uid / a.series_instance_uid / (a.sop_instance_uid + ".dcm");
  outcome.path = store_dir_ / relative;

  std::lock_guard lock(lock_for(a.sop_instance_uid));
  const auto existing = index_.instances().find(a.sop_instance_uid);
  if (existing) {
    // The stored path is <pseudonym>/<study>/<series>/<uid>.dcm. Another patient's object in another
    // study reusing this UID is a clash, not a correction (a corrected PatientID keeps its study): it
    // must never displace what was acknowledged, so the newcomer is refused and the sender keeps it.
    const fs::path stored(existing->relative_path);
    auto part = stored.begin();
    const std::string owner = part != stored.end() ? (part++)->string() : "";
    const std::string study = part != stored.end() ? part->string() : "";
    if (owner != outcome.pseudonym && study != a.study_instance_uid)
      throw IngestError(IngestError::Kind::duplicate_instance_uid,
                        "SOP Instance UID " + a.sop_instance_uid + " is already stored for patient " + owner +
                            " in study " + study + "; this object of patient " + outcome.pseudonym + ", study " +
                            a.study_instance_uid + ", reuses it (a UID clash): refused, the stored one is kept; "
                            "the sender must give its object a new UID");
  }
  // Content is hashed only when a second copy arrives: new instances, the hot path, skip it.
  std::string sha;
  if (existing && fs::exists(store_dir_ / existing->relative_path)) {
    const fs::path existing_path = store_dir_ / existing->relative_path;
    // By content, not encoding: a PACS forwarding the instance again in another transfer syntax sends
    // the same instance (docs/architecture.md, "Identity by content").
    sha = as_resource_error("cannot hash the received file",
                            [&] { return content_identity(temporary, a.sop_instance_uid, *logger_); });
    // A stored hash from before rtpof hashed content (schema 4) hashed the encoding: on a mismatch the
    // stored copy is hashed again rather than trusted.
    const std::string existing_sha =
        existing->content_sha256 == sha ? sha : content_identity(existing_path, a.sop_instance_uid, *logger_);
    if (existing_sha == sha) {
      outcome.result = IngestOutcome::Result::duplicate;
      outcome.path = existing_path;
      return outcome;  // `incoming` removes the temporary copy
    }
  }
  as_resource_error("cannot store " + a.sop_instance_uid, [&] {
    incoming.sync();
    if (existing && fs::exists(store_dir_ / existing->relative_path)) {
      // Never delete what was acknowledged before: the older version moves aside.
      const auto stamp = std::to_string(std::chrono::system_clock::now().time_since_epoch().count());
      outcome.superseded_path = superseded_dir_ / outcome.pseudonym / (a.sop_instance_uid + "." + stamp + ".dcm");
      create_directories_durably(outcome.superseded_path.parent_path());
      rename_durably(store_dir_ / existing->relative_path, outcome.superseded_path);
      outcome.result = IngestOutcome::Result::replaced;
    }
    create_directories_durably(outcome.path.parent_path());
    if (::rename(temporary.c_str(), outcome.path.c_str()) != 0)
      throw std::system_error(errno, std::generic_category(), "cannot rename into " + outcome.path.string());
    incoming.release();
    sync_path(outcome.path.parent_path());
  });
  try {
    const std::string now = utc_iso8601();
    outcome.moved_from =
        index_.instances().put(a, outcome.pseudonym, {relative.string(), outcome.size_bytes, sha, now, calling_ae}, now)
            .value_or("");
  } catch (const std::exception& e) {
    // The file is durable; start-up indexes it. The peer is told to try again.
    throw IngestError(IngestError::Kind::out_of_resources, "index write failed (the file is kept and will be "
                                                           "indexed at the next start): " + std::string(e.what()));
  }
  if (!outcome.moved_from.empty())
    logger_->info("study {} moved from patient {} to patient {}: instance {} arrived with a corrected PatientID",
                  a.study_instance_uid, outcome.moved_from, outcome.pseudonym, a.sop_instance_uid);
  used_bytes_ += outcome.size_bytes;
  if (existing) used_bytes_ -= std::min<std::uint64_t>(used_bytes_, existing->size_bytes);
  if (on_stored_) on_stored_(outcome);
  return outcome;
}

RecoveryReport Archive::recover() {
  RecoveryReport report;
  for (const auto& entry : fs::directory_iterator(incoming_dir_)) {
    std::error_code error;
    if (fs::remove(entry.path(), error)) ++report.temporary_files_removed;
  }
  const RecoveryReport indexed = index_untracked_files();
  report.files_indexed = indexed.files_indexed;
  report.files_unreadable = indexed.files_unreadable;
  used_bytes_ = index_.instances().counts().bytes;
  return report;
}

RecoveryReport Archive::rebuild_index() {
  index_.instances().clear();
  return recover();
}

RecoveryReport Archive::index_untracked_files() {
  RecoveryReport report;
  const auto known = index_.instances().all_relative_paths();
  for (auto it = fs::recursive_directory_iterator(store_dir_); it != fs::recursive_directory_iterator(); ++it) {
    const std::string name = it->path().filename().string();
    if (it->is_directory() && !name.empty() && name.front() == '.') {
      it.disable_recursion_pending();  // .incoming, .superseded: not part of the store's truth
      continue;
    }
    if (!it->is_regular_file() || it->path().extension() != ".dcm") continue;
    const std::string relative = fs::relative(it->path(), store_dir_).string();
    if (known.count(relative) != 0) continue;
    try {
      const InstanceAttributes a = parse(it->path());
      index_.instances().put(a, pseudonymizer_.pseudonym(a.patient_id, a.issuer_of_patient_id),
                 {relative, static_cast<std::uint64_t>(it->file_size()), "", utc_iso8601(), ""}, utc_iso8601());
      ++report.files_indexed;
    } catch (const std::exception& e) {
      ++report.files_unreadable;
      logger_->error("store file {} cannot be indexed and is left in place: {}; inspect it with dcmdump", relative,
                     e.what());
    }
  }
  return report;
}

fs::path Archive::keep_report(const std::string& pseudonym, const std::string& sop_instance_uid,
                              const std::function<void(const fs::path&)>& write) {
  // Both name files: only a UID and a pseudonym of hex digits may, so no string can leave reports/.
  if (!is_valid_uid(sop_instance_uid)) throw std::invalid_argument("report UID is malformed: " + sop_instance_uid);
  if (pseudonym.empty() || pseudonym.find_first_not_of("p0123456789abcdef") != std::string::npos)
    throw std::invalid_argument("pseudonym is malformed: " + pseudonym);
  const fs::path relative = fs::path(pseudonym) / (sop_instance_uid + ".dcm");
  const fs::path target = reports_dir_ / relative;
  create_directories_durably(target.parent_path());
  const fs::path temporary = target.string() + ".tmp";
  write(temporary);
  sync_path(temporary);
  rename_durably(temporary, target);
  return relative;
}

}  // namespace rtpof::storage
