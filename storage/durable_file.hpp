#pragma once
// The few file-system steps that make "acknowledged" mean "on disk": fsync of data and of the
// directories whose entries changed. Each throws std::system_error naming the path and the errno.
#include <filesystem>
#include <string>

namespace rtpof::storage {

// fsync (data and metadata) of a regular file or a directory.
void sync_path(const std::filesystem::path& path);

// fsync of a descriptor already open on `path`, which names it in the error.
void sync_descriptor(int fd, const std::filesystem::path& path);

// Creates the directory and any missing parents, syncing each parent whose entries changed.
void create_directories_durably(const std::filesystem::path& dir);

// rename(2) then sync of the target's directory (and the source's, when it differs).
void rename_durably(const std::filesystem::path& from, const std::filesystem::path& to);

// Writes a small file atomically: temporary sibling, fsync, rename, directory fsync.
void write_file_durably(const std::filesystem::path& path, const std::string& content, unsigned mode = 0644);

// Writes a small file only if none exists at `path` (link(2) of a durable temporary, which cannot
// replace): false when another process made it first, whose content then stands.
bool create_file_durably(const std::filesystem::path& path, const std::string& content, unsigned mode = 0644);

// True for errno values that mean "no room" rather than "broken": the peer may retry later.
bool is_out_of_space(int error_number) noexcept;

}  // namespace rtpof::storage
