#pragma once
// One process at a time owns a data directory: a second `serve`, or a `reindex` while the node runs,
// would race on the index. flock(2) is released by the kernel even after kill -9.
#include <filesystem>

namespace rtpof::storage {

class DataDirLock {
 public:
  // Throws std::runtime_error when another process holds the lock (or the file cannot be opened).
  explicit DataDirLock(const std::filesystem::path& data_dir);
  ~DataDirLock();
  DataDirLock(const DataDirLock&) = delete;
  DataDirLock& operator=(const DataDirLock&) = delete;

 private:
  int fd_ = -1;
};

}  // namespace rtpof::storage
