#include "store/store.h"

namespace vigil::store {

std::string RedactedStoreUrl(const std::string& url) {
  std::string out = url;
  // user:password@ in the authority
  const size_t scheme = out.find("://");
  const size_t at = out.find('@');
  if (scheme != std::string::npos && at != std::string::npos && at > scheme) {
    const size_t colon = out.find(':', scheme + 3);
    if (colon != std::string::npos && colon < at)
      out = out.substr(0, colon + 1) + "***" + out.substr(at);
  }
  // password=... among the parameters
  for (size_t p = out.find("password="); p != std::string::npos; p = out.find("password=", p + 1)) {
    const size_t value = p + 9;
    const size_t end = out.find('&', value);
    out = out.substr(0, value) + "***" + (end == std::string::npos ? "" : out.substr(end));
  }
  return out;
}

Result<std::unique_ptr<Store>> OpenStore(const std::string& location, OpenMode mode,
                                         const MigrationNotice& notice, Env& env) {
  if (IsPostgresUrl(location)) return OpenPostgresStore(location, mode);
  return OpenSqliteStore(location, mode, notice, env);
}

}  // namespace vigil::store
