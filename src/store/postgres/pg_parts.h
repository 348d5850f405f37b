// The parts of the PostgreSQL store kept in files of their own: users and access records,
// alerts and incidents, patients' flags and erasures. Each shares the store's pool of connections.
// Private to store/postgres.
#pragma once

#include <memory>

#include "store/access_store.h"
#include "store/alert_store.h"
#include "store/postgres/pg_connection.h"
#include "store/privacy_store.h"
#include "store/store.h"

namespace vigil::store::pg {

std::unique_ptr<AccessStore> MakePgAccessStore(Pool& pool);
std::unique_ptr<AlertStore> MakePgAlertStore(Pool& pool);
std::unique_ptr<PrivacyStore> MakePgPrivacyStore(Pool& pool);
// As Store::RewrapSecrets, in one transaction of a pooled connection.
Result<std::pair<int64_t, int64_t>> RewrapSecrets(Pool& pool, const Store::Rewrap& rewrap);

}  // namespace vigil::store::pg
