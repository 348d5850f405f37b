#include "core/env.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace vigil {
namespace {

Status Errno(std::string_view what, const std::string& path) {
  return Status::IoError(std::string(what) + " " + path + ": " + std::strerror(errno));
}

class PosixFile final : public RandomAccessFile {
 public:
  PosixFile(int fd, std::string path) : fd_(fd), path_(std::move(path)) {}
  ~PosixFile() override { ::close(fd_); }

  Status Write(uint64_t offset, std::string_view bytes) override {
    size_t done = 0;
    while (done < bytes.size()) {
      const ssize_t n = ::pwrite(fd_, bytes.data() + done, bytes.size() - done,
                                 static_cast<off_t>(offset + done));
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return Errno("cannot write", path_);
      done += static_cast<size_t>(n);
    }
    return Status::Ok();
  }
  Status Read(uint64_t offset, size_t n, std::string& out) const override {
    out.resize(n);
    size_t done = 0;
    while (done < n) {
      const ssize_t got =
          ::pread(fd_, out.data() + done, n - done, static_cast<off_t>(offset + done));
      if (got < 0 && errno == EINTR) continue;
      if (got < 0) return Errno("cannot read", path_);
      if (got == 0) break;
      done += static_cast<size_t>(got);
    }
    out.resize(done);
    return Status::Ok();
  }
  Status Sync() override {
    if (::fdatasync(fd_) != 0) return Errno("cannot sync", path_);
    return Status::Ok();
  }

 private:
  int fd_;
  std::string path_;
};

class PosixEnv final : public Env {
 public:
  Result<std::unique_ptr<RandomAccessFile>> OpenFile(const std::string& path,
                                                     mode_t mode) override {
    const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, mode);
    if (fd < 0) return Errno("cannot open", path);
    return std::unique_ptr<RandomAccessFile>(std::make_unique<PosixFile>(fd, path));
  }
  Status WriteFileAtomic(const std::string& path, std::string_view contents, mode_t mode,
                         Overwrite overwrite) override {
    return vigil::WriteFileAtomic(path, contents, mode, overwrite);
  }
};

}  // namespace

Env& Env::Default() {
  static PosixEnv env;
  return env;
}

}  // namespace vigil
