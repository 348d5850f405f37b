// People-facing access ([access] in config.toml).
#pragma once

#include <cstdint>

namespace vigil {

// Sessions and the API's worker pool.
struct AccessOptions {
  int64_t session_idle_seconds = 900;        // a session unused this long expires
  int64_t session_absolute_seconds = 28800;  // every session expires after 8 h
  int api_threads = 16;  // workers for API requests (they wait on Argon2id and durable audits)
};

}  // namespace vigil
