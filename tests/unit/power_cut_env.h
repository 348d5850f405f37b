// An Env that can lose power: for durability tests. Every file the hub writes through it -- the
// SQLite database and its write-ahead log (through a VFS wrapping SQLite's own), the ledger's
// node file, files replaced atomically -- is tracked from the last point its writes were synced.
//   CutPowerAtOperation(n)  the n-th durable operation from now (a write, truncate, sync or
//                           delete, or an atomic file replacement) fails and changes nothing,
//                           and so does every one after it: the machine is off
//   RestoreDurableState()   what power loss leaves on the disk: every file goes back to its
//                           content at its last successful sync (writes since are lost, in
//                           full), and the power comes back on
//   FailSyncs(true)         each sync fails (the disk reports an error) and makes nothing durable
// One PowerCutEnv may exist at a time (SQLite knows its VFS by a process-wide name).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "core/env.h"

namespace vigil::testing {

class PowerCutEnv final : public Env {
 public:
  PowerCutEnv();
  ~PowerCutEnv() override;
  PowerCutEnv(const PowerCutEnv&) = delete;
  PowerCutEnv& operator=(const PowerCutEnv&) = delete;

  void CutPowerAtOperation(uint64_t n);
  void FailSyncs(bool fail);
  bool power_is_off() const;
  // Durable operations attempted since the last CutPowerAtOperation (or since made).
  uint64_t operations() const;
  void RestoreDurableState();
  // Stops tracking every file (before a test makes a new hub).
  void ForgetFiles();

  // Env
  Result<std::unique_ptr<RandomAccessFile>> OpenFile(const std::string& path, mode_t mode) override;
  Status WriteFileAtomic(const std::string& path, std::string_view contents, mode_t mode,
                         Overwrite overwrite) override;
  std::string database_vfs() const override { return kVfsName; }

  static constexpr const char* kVfsName = "vigil-power-cut";

  // What the tracked files need; public for the VFS's callbacks (power_cut_env.cc).
  enum class Op { kWrite, kTruncate, kSync, kDelete, kReplace };
  // Whether operation `op` on `path` may happen (false: the power is off, or it goes off now;
  // or a sync that is told to fail). Counts it.
  bool Allow(Op op);
  // Before `path` changes in [offset, offset + length) (a write) or from `offset` on (a
  // truncate, length 0): `current` holds the bytes there now, which a power cut puts back.
  void Remember(const std::string& path, uint64_t offset, std::string current);
  // After a successful sync of `path`, whose size is now `size`: its content is durable.
  void Synced(const std::string& path, uint64_t size);
  // A file the hub opened: tracked from its size now (its content is taken as durable).
  void Track(const std::string& path, uint64_t size);
  void Forget(const std::string& path);

 private:
  struct Undo {
    uint64_t offset = 0;
    std::string bytes;
  };
  struct Tracked {
    uint64_t durable_size = 0;
    std::vector<Undo> undo;  // oldest first
  };
  mutable std::mutex mu_;
  std::map<std::string, Tracked> files_;
  uint64_t operations_ = 0;
  uint64_t cut_at_ = 0;  // 0: never
  bool off_ = false;
  bool fail_syncs_ = false;
};

}  // namespace vigil::testing
