// The PostgreSQL server the unit suite may run against (tests/postgres/with_postgres.sh sets
// VIGIL_TEST_POSTGRES): each TestHub then gets a database of its own there.
#pragma once

#include <gtest/gtest.h>

#include <cstdlib>
#include <random>
#include <stdexcept>
#include <string>

#include "store/postgres/pg_connection.h"

namespace vigil::testing {

// The server's URL (its maintenance database), or null when the suite runs on SQLite.
inline const char* TestPostgres() { return std::getenv("VIGIL_TEST_POSTGRES"); }

// A new empty database on the test server; its URL.
inline std::string CreateTestDatabase() {
  const std::string base = TestPostgres();
  const std::string name = "vigil_unit_" + std::to_string(std::random_device{}()) + "_" +
                           std::to_string(std::random_device{}());
  auto conn = store::pg::Connection::Open(base);
  if (!conn.ok()) throw std::runtime_error(conn.status().ToString());
  if (Status s = (*conn)->Exec("CREATE DATABASE " + name); !s.ok()) {
    throw std::runtime_error(s.ToString());
  }
  return base.substr(0, base.rfind('/') + 1) + name;
}

// Drops the database at `url` (made by CreateTestDatabase), closing its connections.
inline void DropTestDatabase(const std::string& url) {
  auto conn = store::pg::Connection::Open(TestPostgres());
  if (conn.ok()) {
    (void)(*conn)->Exec("DROP DATABASE IF EXISTS " + url.substr(url.rfind('/') + 1) +
                        " WITH (FORCE)");
  }
}

}  // namespace vigil::testing

// Skips a test of what only the SQLite store has (its files, WAL, migrations) when the suite
// runs on PostgreSQL.
#define VIGIL_SQLITE_ONLY()                                                    \
  do {                                                                         \
    if (::vigil::testing::TestPostgres()) GTEST_SKIP() << "SQLite store only"; \
  } while (0)
