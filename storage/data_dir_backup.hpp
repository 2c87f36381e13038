#pragma once
// An online-consistent copy of a data directory, taken while the node runs (`rtpof backup DIR`).
// Order matters: first the index through SQLite's online backup API (one consistent snapshot, whatever
// the node writes meanwhile; every instance acknowledged before the backup started is in it, because a
// C-STORE response follows the index commit), then the pseudonym key, then the files of store/ and
// reports/ (each written once, fsync'd and renamed into place before its row commits, and never changed:
// every file the snapshot names is already there). Files that arrive later are copied too and indexed on
// the restored node's first start, like any file the index lacks. The copy is itself a data directory:
// to restore, stop the node, put the copy in place of its data directory, start (README, Operations).
#include <cstddef>
#include <cstdint>
#include <filesystem>

namespace rtpof::storage {

struct BackupSummary {
  std::int64_t instances = 0;  // in the index snapshot
  std::size_t files = 0;       // copied from store/ and reports/
  std::uintmax_t bytes = 0;
  std::size_t vanished = 0;    // listed, then gone before they could be copied (moved aside meanwhile)
};

// Throws std::runtime_error naming the path when `data_dir` has no index, `target` exists and is not an
// empty directory, or a copy fails for another reason than the source having gone.
BackupSummary backup_data_dir(const std::filesystem::path& data_dir, const std::filesystem::path& target);

}  // namespace rtpof::storage
