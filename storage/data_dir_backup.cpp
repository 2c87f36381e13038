#include "storage/data_dir_backup.hpp"

#include <SQLiteCpp/SQLiteCpp.h>
#include <unistd.h>

#include <stdexcept>
#include <system_error>

namespace rtpof::storage {
namespace fs = std::filesystem;

namespace {

// Copies every regular file below `from` into the same place below `to`.
void copy_tree(const fs::path& from, const fs::path& to, BackupSummary& summary) {
  std::error_code error;
  if (!fs::exists(from, error)) return;
  for (fs::recursive_directory_iterator it(from, fs::directory_options::skip_permission_denied, error), end;
       it != end; it.increment(error)) {
    if (error) throw std::runtime_error("cannot list " + from.string() + ": " + error.message());
    if (!it->is_regular_file(error)) continue;
    const fs::path target = to / fs::relative(it->path(), from);
    fs::create_directories(target.parent_path());
    if (!fs::copy_file(it->path(), target, fs::copy_options::overwrite_existing, error)) {
      if (!fs::exists(it->path())) {
        ++summary.vanished;  // moved aside (a superseded copy) between the listing and the copy
        continue;
      }
      throw std::runtime_error("cannot copy " + it->path().string() + " to " + target.string() + ": " + error.message());
    }
    ++summary.files;
    summary.bytes += fs::file_size(target);
  }
}

}  // namespace

BackupSummary backup_data_dir(const fs::path& data_dir, const fs::path& target) {
  const fs::path index = data_dir / "index.sqlite";
  if (!fs::exists(index)) throw std::runtime_error("no rtpof data directory at " + data_dir.string() + " (no index.sqlite)");
  if (fs::exists(target) && (!fs::is_directory(target) || !fs::is_empty(target)))
    throw std::runtime_error("the backup folder " + target.string() + " exists and is not empty: give a new folder");
  fs::create_directories(target);
  BackupSummary summary;
  {
    // One read transaction over the whole database: the snapshot is of one moment.
    SQLite::Database source(index.string(), SQLite::OPEN_READONLY);
    source.backup((target / "index.sqlite").c_str(), SQLite::Database::Save);
  }
  {
    SQLite::Database copy((target / "index.sqlite").string(), SQLite::OPEN_READONLY);
    summary.instances = copy.execAndGet("SELECT COUNT(*) FROM instances").getInt64();
  }
  if (fs::exists(data_dir / "pseudonym.key")) {
    fs::copy_file(data_dir / "pseudonym.key", target / "pseudonym.key");
    fs::permissions(target / "pseudonym.key", fs::perms::owner_read | fs::perms::owner_write, fs::perm_options::replace);
  }
  copy_tree(data_dir / "store", target / "store", summary);
  copy_tree(data_dir / "reports", target / "reports", summary);
  ::sync();  // the copy is on disk before the command says it is done
  return summary;
}

}  // namespace rtpof::storage
