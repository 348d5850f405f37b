// Files with the permissions Vigil promises: secrets and data files 0600, directories 0700.
#pragma once

#include <sys/types.h>

#include <string>
#include <string_view>

#include "core/status.h"

namespace vigil {

// Writes `contents` to `path` through a temporary file, fsync and rename, so a crash leaves
// either the old file or the new one. The file is created with `mode` (0600 unless told).
// Refuses to replace an existing file unless `overwrite` is kReplace.
enum class Overwrite { kRefuse, kReplace };
Status WriteFileAtomic(const std::string& path, std::string_view contents, mode_t mode = 0600,
                       Overwrite overwrite = Overwrite::kRefuse);

// Reads a whole file.
Result<std::string> ReadFile(const std::string& path);

// Creates a directory with `mode` (0700 unless told); AlreadyExists if it is there.
Status MakePrivateDirectory(const std::string& path, mode_t mode = 0700);

bool PathExists(const std::string& path);

// Creates `path` (mode 0700) and any missing parents (0755, as mkdir -p), as `git init` does.
// Ok if it exists as a directory.
Status MakeDirectories(const std::string& path);

// An exclusive advisory lock (flock) on a file, held until destroyed; the file records the
// holder's pid. One process at a time may hold it.
class FileLock {
 public:
  // Takes the lock at `path` (created 0600), or Unavailable naming the pid holding it.
  static Result<FileLock> Acquire(const std::string& path);
  FileLock(FileLock&& other) noexcept : fd_(other.fd_) { other.fd_ = -1; }
  FileLock& operator=(FileLock&&) = delete;
  FileLock(const FileLock&) = delete;
  ~FileLock();

 private:
  explicit FileLock(int fd) : fd_(fd) {}
  int fd_;
};

// Bytes free for an unprivileged writer on the file system holding `path`.
Result<uint64_t> FreeBytes(const std::string& path);

}  // namespace vigil
