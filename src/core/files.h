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

}  // namespace vigil
