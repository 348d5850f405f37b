// Watches the free space of the file system holding the hub's data: below `min_free_bytes` the
// hub stops taking readings (Readiness kDiskSpace: devices are told to come back later, MQTT
// 0x97 / HTTP 503) and folds the store's write-ahead log back into the database to give space
// back; at twice that it takes readings again. Each change is logged once.
#pragma once

#include <cstdint>
#include <string>

#include "core/readiness.h"
#include "store/store.h"

namespace vigil::server {

class StorageWatch {
 public:
  StorageWatch(std::string data_dir, uint64_t min_free_bytes, store::Store& store,
               Readiness& readiness)
      : data_dir_(std::move(data_dir)),
        min_free_bytes_(min_free_bytes),
        store_(store),
        readiness_(readiness) {}

  // Looks at the free space now (called every second); cheap unless space is low.
  void Poll();

 private:
  const std::string data_dir_;
  const uint64_t min_free_bytes_;
  store::Store& store_;
  Readiness& readiness_;
  int polls_since_reclaim_ = 0;
};

}  // namespace vigil::server
