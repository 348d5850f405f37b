#include "power_cut_env.h"

#include <fcntl.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <stdexcept>

namespace vigil::testing {
namespace {

PowerCutEnv* g_env = nullptr;  // the one live PowerCutEnv, for the VFS's callbacks

sqlite3_vfs* Real() {
  static sqlite3_vfs* real = sqlite3_vfs_find(nullptr);
  return real;
}

// A file SQLite opened through the VFS: the real one follows this header in memory.
struct CutFile {
  sqlite3_file base;
  std::string* path;  // tracked files only (the database, its WAL and journal); else null
  sqlite3_file* real() { return reinterpret_cast<sqlite3_file*>(this + 1); }
  const sqlite3_io_methods* m() { return real()->pMethods; }
};
CutFile* Cut(sqlite3_file* f) { return reinterpret_cast<CutFile*>(f); }

// The bytes of the real file in [offset, offset + length), as far as it reaches.
std::string Current(CutFile* f, sqlite3_int64 offset, sqlite3_int64 length) {
  sqlite3_int64 size = 0;
  f->m()->xFileSize(f->real(), &size);
  if (offset >= size) return {};
  std::string bytes(static_cast<size_t>(std::min(length, size - offset)), '\0');
  f->m()->xRead(f->real(), bytes.data(), static_cast<int>(bytes.size()), offset);
  return bytes;
}

int Close(sqlite3_file* file) {
  CutFile* f = Cut(file);
  const int rc = f->m()->xClose(f->real());
  delete f->path;
  f->path = nullptr;
  return rc;
}
int Read(sqlite3_file* file, void* buf, int amt, sqlite3_int64 off) {
  return Cut(file)->m()->xRead(Cut(file)->real(), buf, amt, off);
}
int Write(sqlite3_file* file, const void* buf, int amt, sqlite3_int64 off) {
  CutFile* f = Cut(file);
  if (f->path) {
    if (!g_env->Allow(PowerCutEnv::Op::kWrite)) return SQLITE_IOERR_WRITE;
    g_env->Remember(*f->path, static_cast<uint64_t>(off), Current(f, off, amt));
  }
  return f->m()->xWrite(f->real(), buf, amt, off);
}
int Truncate(sqlite3_file* file, sqlite3_int64 size) {
  CutFile* f = Cut(file);
  if (f->path) {
    if (!g_env->Allow(PowerCutEnv::Op::kTruncate)) return SQLITE_IOERR_TRUNCATE;
    g_env->Remember(*f->path, static_cast<uint64_t>(size), Current(f, size, INT64_MAX / 2));
  }
  return f->m()->xTruncate(f->real(), size);
}
int Sync(sqlite3_file* file, int flags) {
  CutFile* f = Cut(file);
  if (!f->path) return f->m()->xSync(f->real(), flags);
  if (!g_env->Allow(PowerCutEnv::Op::kSync)) return SQLITE_IOERR_FSYNC;
  const int rc = f->m()->xSync(f->real(), flags);
  if (rc == SQLITE_OK) {
    sqlite3_int64 size = 0;
    f->m()->xFileSize(f->real(), &size);
    g_env->Synced(*f->path, static_cast<uint64_t>(size));
  }
  return rc;
}
int FileSize(sqlite3_file* file, sqlite3_int64* size) {
  return Cut(file)->m()->xFileSize(Cut(file)->real(), size);
}
int Lock(sqlite3_file* file, int level) { return Cut(file)->m()->xLock(Cut(file)->real(), level); }
int Unlock(sqlite3_file* file, int level) {
  return Cut(file)->m()->xUnlock(Cut(file)->real(), level);
}
int CheckReservedLock(sqlite3_file* file, int* out) {
  return Cut(file)->m()->xCheckReservedLock(Cut(file)->real(), out);
}
int FileControl(sqlite3_file* file, int op, void* arg) {
  return Cut(file)->m()->xFileControl(Cut(file)->real(), op, arg);
}
int SectorSize(sqlite3_file* file) { return Cut(file)->m()->xSectorSize(Cut(file)->real()); }
int DeviceCharacteristics(sqlite3_file* file) {
  return Cut(file)->m()->xDeviceCharacteristics(Cut(file)->real());
}
int ShmMap(sqlite3_file* file, int page, int size, int extend, void volatile** out) {
  return Cut(file)->m()->xShmMap(Cut(file)->real(), page, size, extend, out);
}
int ShmLock(sqlite3_file* file, int offset, int n, int flags) {
  return Cut(file)->m()->xShmLock(Cut(file)->real(), offset, n, flags);
}
void ShmBarrier(sqlite3_file* file) { Cut(file)->m()->xShmBarrier(Cut(file)->real()); }
int ShmUnmap(sqlite3_file* file, int delete_flag) {
  return Cut(file)->m()->xShmUnmap(Cut(file)->real(), delete_flag);
}
int Fetch(sqlite3_file* file, sqlite3_int64 off, int amt, void** out) {
  return Cut(file)->m()->xFetch(Cut(file)->real(), off, amt, out);
}
int Unfetch(sqlite3_file* file, sqlite3_int64 off, void* p) {
  return Cut(file)->m()->xUnfetch(Cut(file)->real(), off, p);
}

const sqlite3_io_methods kMethods = {3,
                                     Close,
                                     Read,
                                     Write,
                                     Truncate,
                                     Sync,
                                     FileSize,
                                     Lock,
                                     Unlock,
                                     CheckReservedLock,
                                     FileControl,
                                     SectorSize,
                                     DeviceCharacteristics,
                                     ShmMap,
                                     ShmLock,
                                     ShmBarrier,
                                     ShmUnmap,
                                     Fetch,
                                     Unfetch};

int Open(sqlite3_vfs*, const char* name, sqlite3_file* file, int flags, int* out_flags) {
  CutFile* f = Cut(file);
  f->base.pMethods = nullptr;
  f->path = nullptr;
  const int rc = Real()->xOpen(Real(), name, f->real(), flags, out_flags);
  if (rc != SQLITE_OK) return rc;
  if (name && (flags & (SQLITE_OPEN_MAIN_DB | SQLITE_OPEN_WAL | SQLITE_OPEN_MAIN_JOURNAL))) {
    f->path = new std::string(name);
    sqlite3_int64 size = 0;
    f->m()->xFileSize(f->real(), &size);
    g_env->Track(*f->path, static_cast<uint64_t>(size));
  }
  f->base.pMethods = &kMethods;
  return SQLITE_OK;
}
int Delete(sqlite3_vfs*, const char* name, int sync_dir) {
  if (!g_env->Allow(PowerCutEnv::Op::kDelete)) return SQLITE_IOERR_DELETE;
  const int rc = Real()->xDelete(Real(), name, sync_dir);
  if (rc == SQLITE_OK) g_env->Forget(name);
  return rc;
}
int Access(sqlite3_vfs*, const char* name, int flags, int* out) {
  return Real()->xAccess(Real(), name, flags, out);
}
int FullPathname(sqlite3_vfs*, const char* name, int n, char* out) {
  return Real()->xFullPathname(Real(), name, n, out);
}
void* DlOpen(sqlite3_vfs*, const char* name) { return Real()->xDlOpen(Real(), name); }
void DlError(sqlite3_vfs*, int n, char* out) { Real()->xDlError(Real(), n, out); }
void (*DlSym(sqlite3_vfs*, void* handle, const char* symbol))(void) {
  return Real()->xDlSym(Real(), handle, symbol);
}
void DlClose(sqlite3_vfs*, void* handle) { Real()->xDlClose(Real(), handle); }
int Randomness(sqlite3_vfs*, int n, char* out) { return Real()->xRandomness(Real(), n, out); }
int Sleep(sqlite3_vfs*, int micros) { return Real()->xSleep(Real(), micros); }
int CurrentTime(sqlite3_vfs*, double* out) { return Real()->xCurrentTime(Real(), out); }
int GetLastError(sqlite3_vfs*, int n, char* out) { return Real()->xGetLastError(Real(), n, out); }
int CurrentTimeInt64(sqlite3_vfs*, sqlite3_int64* out) {
  return Real()->xCurrentTimeInt64(Real(), out);
}

void RegisterVfsOnce() {
  static sqlite3_vfs vfs = [] {
    sqlite3_vfs v{};
    v.iVersion = 2;
    v.szOsFile = static_cast<int>(sizeof(CutFile)) + Real()->szOsFile;
    v.mxPathname = Real()->mxPathname;
    v.zName = PowerCutEnv::kVfsName;
    v.xOpen = Open;
    v.xDelete = Delete;
    v.xAccess = Access;
    v.xFullPathname = FullPathname;
    v.xDlOpen = DlOpen;
    v.xDlError = DlError;
    v.xDlSym = DlSym;
    v.xDlClose = DlClose;
    v.xRandomness = Randomness;
    v.xSleep = Sleep;
    v.xCurrentTime = CurrentTime;
    v.xGetLastError = GetLastError;
    v.xCurrentTimeInt64 = CurrentTimeInt64;
    return v;
  }();
  static const int registered = sqlite3_vfs_register(&vfs, 0);
  (void)registered;
}

uint64_t SizeOf(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 ? static_cast<uint64_t>(st.st_size) : 0;
}

// A file of the Env's (the ledger's node file): tracked like the database's.
class CutRandomAccessFile final : public RandomAccessFile {
 public:
  CutRandomAccessFile(PowerCutEnv& env, std::string path, std::unique_ptr<RandomAccessFile> real)
      : env_(env), path_(std::move(path)), real_(std::move(real)) {}
  Status Write(uint64_t offset, std::string_view bytes) override {
    if (!env_.Allow(PowerCutEnv::Op::kWrite)) return Status::IoError("power is off: " + path_);
    std::string current;
    VIGIL_RETURN_IF_ERROR(real_->Read(offset, bytes.size(), current));
    env_.Remember(path_, offset, std::move(current));
    return real_->Write(offset, bytes);
  }
  Status Read(uint64_t offset, size_t n, std::string& out) const override {
    return real_->Read(offset, n, out);
  }
  Status Sync() override {
    if (!env_.Allow(PowerCutEnv::Op::kSync)) return Status::IoError("cannot sync " + path_);
    VIGIL_RETURN_IF_ERROR(real_->Sync());
    env_.Synced(path_, SizeOf(path_));
    return Status::Ok();
  }

 private:
  PowerCutEnv& env_;
  std::string path_;
  std::unique_ptr<RandomAccessFile> real_;
};

}  // namespace

PowerCutEnv::PowerCutEnv() {
  if (g_env) throw std::logic_error("one PowerCutEnv at a time");
  Real();
  RegisterVfsOnce();
  g_env = this;
}

PowerCutEnv::~PowerCutEnv() { g_env = nullptr; }

void PowerCutEnv::CutPowerAtOperation(uint64_t n) {
  std::lock_guard lock(mu_);
  operations_ = 0;
  cut_at_ = n;
}

void PowerCutEnv::FailSyncs(bool fail) {
  std::lock_guard lock(mu_);
  fail_syncs_ = fail;
}

bool PowerCutEnv::power_is_off() const {
  std::lock_guard lock(mu_);
  return off_;
}

uint64_t PowerCutEnv::operations() const {
  std::lock_guard lock(mu_);
  return operations_;
}

bool PowerCutEnv::Allow(Op op) {
  std::lock_guard lock(mu_);
  if (off_) return false;
  ++operations_;
  if (cut_at_ != 0 && operations_ >= cut_at_) {
    off_ = true;
    return false;
  }
  return !(op == Op::kSync && fail_syncs_);
}

void PowerCutEnv::Remember(const std::string& path, uint64_t offset, std::string current) {
  std::lock_guard lock(mu_);
  files_[path].undo.push_back({offset, std::move(current)});
}

void PowerCutEnv::Synced(const std::string& path, uint64_t size) {
  std::lock_guard lock(mu_);
  Tracked& t = files_[path];
  t.durable_size = size;
  t.undo.clear();
}

void PowerCutEnv::Track(const std::string& path, uint64_t size) {
  std::lock_guard lock(mu_);
  files_.try_emplace(path, Tracked{size, {}});
}

void PowerCutEnv::Forget(const std::string& path) {
  std::lock_guard lock(mu_);
  files_.erase(path);
}

void PowerCutEnv::RestoreDurableState() {
  std::lock_guard lock(mu_);
  for (auto& [path, t] : files_) {
    const int fd = ::open(path.c_str(), O_RDWR | O_CLOEXEC);
    if (fd < 0) continue;
    for (auto undo = t.undo.rbegin(); undo != t.undo.rend(); ++undo) {
      if (!undo->bytes.empty() && ::pwrite(fd, undo->bytes.data(), undo->bytes.size(),
                                           static_cast<off_t>(undo->offset)) < 0) {
        throw std::runtime_error("cannot restore " + path);
      }
    }
    if (::ftruncate(fd, static_cast<off_t>(t.durable_size)) != 0) {
      throw std::runtime_error("cannot truncate " + path);
    }
    ::close(fd);
    t.undo.clear();
  }
  off_ = false;
  cut_at_ = 0;
  operations_ = 0;
}

void PowerCutEnv::ForgetFiles() {
  std::lock_guard lock(mu_);
  files_.clear();
}

Result<std::unique_ptr<RandomAccessFile>> PowerCutEnv::OpenFile(const std::string& path,
                                                                mode_t mode) {
  VIGIL_ASSIGN_OR_RETURN(auto real, Env::Default().OpenFile(path, mode));
  Track(path, SizeOf(path));
  return std::unique_ptr<RandomAccessFile>(
      std::make_unique<CutRandomAccessFile>(*this, path, std::move(real)));
}

Status PowerCutEnv::WriteFileAtomic(const std::string& path, std::string_view contents, mode_t mode,
                                    Overwrite overwrite) {
  if (!Allow(Op::kReplace)) return Status::IoError("power is off: cannot write " + path);
  return Env::Default().WriteFileAtomic(path, contents, mode, overwrite);
}

}  // namespace vigil::testing
