#pragma once

#include "demo/access.h"
#include "k8s/result.h"

#include <QString>
#include <QStringList>
#include <QUrl>

#include <mutex>

namespace httplib {
struct Request;
struct Response;
} // namespace httplib

namespace canary::demo {

class ObjectStore;

// The API server's service proxy, /api/v1/namespaces/NS/services/[SCHEME:]NAME[:PORT]/proxy/PATH, as
// kube-apiserver resolves it: the Service and its port from the store, then an endpoint. The demo's one
// Service with an endpoint is Prometheus (prometheus in istio-system), when a URL is set for it; the request's
// path below proxy/ and its query go there, and the upstream's status, Content-Type and body come back.
class ServiceProxy final {
public:
    explicit ServiceProxy(const ObjectStore &store);

    // Empty: Prometheus has no endpoint (503, as for a Service whose pods are not ready).
    void setPrometheusUrl(const QString &url);
    QString prometheusUrl() const;

    static bool isProxyPath(const QStringList &segments);
    void handle(const httplib::Request &request, httplib::Response &response, const QStringList &segments,
                const UserInfo &user) const;

private:
    Result<QUrl> resolve(const QString &ns, const QString &id) const;

    const ObjectStore &m_store;
    mutable std::mutex m_mutex;
    QString m_prometheusUrl;
};

} // namespace canary::demo
