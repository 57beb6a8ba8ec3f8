#pragma once

#include <QString>

namespace httplib {
struct Response;
} // namespace httplib

namespace canary::demo {

class ObjectStore;

// Discovery as kubectl reads it: /version, /api, /apis and each group's resource lists. False when the
// path is not a discovery path (nothing is answered then).
bool serveDiscovery(const ObjectStore &store, int port, const QString &path, httplib::Response &response);
// /openapi/v3 and a document per group version, with the CRDs' schemas (kubectl's client-side validation and
// explain read them). False when the path is not one of them.
bool serveOpenApi(const ObjectStore &store, const QString &path, httplib::Response &response);

} // namespace canary::demo
