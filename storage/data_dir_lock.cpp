#include "storage/data_dir_lock.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

#include "storage/durable_file.hpp"

namespace rtpof::storage {

DataDirLock::DataDirLock(const std::filesystem::path& data_dir) {
  create_directories_durably(data_dir);
  const auto path = data_dir / "rtpof.lock";
  fd_ = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd_ < 0) throw std::runtime_error("cannot open " + path.string() + ": " + std::strerror(errno));
  if (::flock(fd_, LOCK_EX | LOCK_NB) != 0) {
    ::close(fd_);
    fd_ = -1;
    throw std::runtime_error("data directory " + data_dir.string() +
                             " is in use by another rtpof process (a running node?); stop it first");
  }
}

DataDirLock::~DataDirLock() {
  if (fd_ >= 0) ::close(fd_);
}

}  // namespace rtpof::storage
