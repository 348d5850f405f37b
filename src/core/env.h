// What the hub asks of the machine for its durable files: files it writes in place and syncs,
// whole files replaced atomically, and the SQLite VFS its databases use. Production passes
// Env::Default() (POSIX); tests pass an Env that can lose power or fail an fsync on command
// (tests/unit/power_cut_env.h).
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "core/files.h"
#include "core/status.h"

namespace vigil {

// A file read and written at offsets. Writes are durable only once Sync returns ok.
class RandomAccessFile {
 public:
  virtual ~RandomAccessFile() = default;
  virtual Status Write(uint64_t offset, std::string_view bytes) = 0;
  // Up to `n` bytes at `offset` into `out` (fewer at the end of the file).
  virtual Status Read(uint64_t offset, size_t n, std::string& out) const = 0;
  // Makes every write so far durable (fdatasync).
  virtual Status Sync() = 0;
};

class Env {
 public:
  virtual ~Env() = default;
  // Opens `path` for reading and writing, creating it with `mode` if it is missing.
  virtual Result<std::unique_ptr<RandomAccessFile>> OpenFile(const std::string& path,
                                                             mode_t mode) = 0;
  // Replaces `path` with `contents` so that a crash leaves the old file or the new one (core/
  // files.h WriteFileAtomic), durable when it returns.
  virtual Status WriteFileAtomic(const std::string& path, std::string_view contents, mode_t mode,
                                 Overwrite overwrite) = 0;
  // The SQLite VFS the hub's databases do their I/O through; empty: SQLite's default.
  virtual std::string database_vfs() const { return {}; }

  // POSIX files and SQLite's own VFS.
  static Env& Default();
};

}  // namespace vigil
