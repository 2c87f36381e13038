#include "storage/durable_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <system_error>

namespace rtpof::storage {
namespace {

[[noreturn]] void fail(const std::string& what, const std::filesystem::path& path, int error_number) {
  throw std::system_error(error_number, std::generic_category(), what + " " + path.string());
}

// Closes on every path out, so an exception between open and close leaks nothing.
class FileDescriptor {
 public:
  explicit FileDescriptor(int fd) : fd_(fd) {}
  FileDescriptor(const FileDescriptor&) = delete;
  FileDescriptor& operator=(const FileDescriptor&) = delete;
  ~FileDescriptor() {
    if (fd_ >= 0) ::close(fd_);
  }
  int get() const { return fd_; }

 private:
  int fd_;
};

}  // namespace

void sync_path(const std::filesystem::path& path) {
  FileDescriptor fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) fail("cannot open for fsync", path, errno);
  sync_descriptor(fd.get(), path);
}

void sync_descriptor(int fd, const std::filesystem::path& path) {
  if (::fsync(fd) != 0) fail("fsync failed for", path, errno);
}

void create_directories_durably(const std::filesystem::path& dir) {
  if (dir.empty() || std::filesystem::is_directory(dir)) return;
  create_directories_durably(dir.parent_path());
  if (::mkdir(dir.c_str(), 0755) != 0 && errno != EEXIST) fail("cannot create directory", dir, errno);
  sync_path(dir.parent_path().empty() ? std::filesystem::path(".") : dir.parent_path());
}

void rename_durably(const std::filesystem::path& from, const std::filesystem::path& to) {
  if (::rename(from.c_str(), to.c_str()) != 0) fail("cannot rename " + from.string() + " to", to, errno);
  sync_path(to.parent_path());
  if (from.parent_path() != to.parent_path()) sync_path(from.parent_path());
}

namespace {

void write_synced(const std::filesystem::path& temporary, const std::string& content, unsigned mode) {
  {
    FileDescriptor fd(::open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode));
    if (fd.get() < 0) fail("cannot create", temporary, errno);
    std::size_t written = 0;
    while (written < content.size()) {
      const ssize_t n = ::write(fd.get(), content.data() + written, content.size() - written);
      if (n < 0) {
        if (errno == EINTR) continue;
        fail("cannot write", temporary, errno);
      }
      written += static_cast<std::size_t>(n);
    }
    if (::fsync(fd.get()) != 0) fail("fsync failed for", temporary, errno);
  }
}

}  // namespace

void write_file_durably(const std::filesystem::path& path, const std::string& content, unsigned mode) {
  create_directories_durably(path.parent_path());
  const std::filesystem::path temporary = path.string() + ".tmp";
  write_synced(temporary, content, mode);
  rename_durably(temporary, path);
}

bool create_file_durably(const std::filesystem::path& path, const std::string& content, unsigned mode) {
  create_directories_durably(path.parent_path());
  const std::filesystem::path temporary = path.string() + ".tmp." + std::to_string(::getpid());
  write_synced(temporary, content, mode);
  const bool created = ::link(temporary.c_str(), path.c_str()) == 0;
  const int error = errno;
  ::unlink(temporary.c_str());
  if (!created && error != EEXIST) fail("cannot create", path, error);
  if (created) sync_path(path.parent_path());
  return created;
}

bool is_out_of_space(int error_number) noexcept {
  return error_number == ENOSPC || error_number == EDQUOT || error_number == EFBIG;
}

}  // namespace rtpof::storage
