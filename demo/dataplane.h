#pragma once

#include "core/routing/routing.h"
#include "demo/meshmetrics.h"

#include <QByteArray>
#include <QJsonObject>
#include <QList>

#include <memory>
#include <mutex>

namespace canary::demo {

class ObjectStore;

struct GatewayResponse {
    int status = 404;
    QByteArray body;
    QByteArray contentType = "text/plain; charset=utf-8";
    QString version; // x-canary-version: the subset, or the Service used as a version
    QString service;
};

struct TrafficProfile {
    core::RequestInfo request;
    double share = 1.0; // of the per-route request rate
    QString sourceWorkload;
};

// Istio's data plane in miniature: routes a request by the VirtualServices held, with Istio's
// semantics, to built-in backends for each (service, version), and records Istio's metrics.
class DataPlane final {
public:
    DataPlane(const ObjectStore &store, MeshMetrics &metrics);

    GatewayResponse handle(const core::RequestInfo &request, const QString &sourceWorkload = {});
    // Requests that reach every gateway-bound route and every mesh service, for background users.
    QList<TrafficProfile> trafficProfiles();

private:
    struct Table;
    // Where a route sends a request: a Service (its FQDN) and a subset of it, or all its pods.
    struct Target {
        QString fqdn;
        QString subset;
        bool mesh = false; // addressed to a mesh Service, not through the ingress gateway
    };
    std::shared_ptr<const Table> table();
    QJsonArray routesFor(const Table &table, const core::RequestInfo &request, bool *mesh, QString *meshService,
                         QString *routeNamespace) const;
    // False with the answer in *refusal when no route matches or no destination has a weight.
    bool routeRequest(const Table &table, const core::RequestInfo &request, Target *target,
                      GatewayResponse *refusal) const;
    GatewayResponse serve(const QJsonObject &pod, const Target &target, RequestRecord *record);

    const ObjectStore &m_store;
    MeshMetrics &m_metrics;
    std::mutex m_mutex;
    std::shared_ptr<const Table> m_table;
};

} // namespace canary::demo
