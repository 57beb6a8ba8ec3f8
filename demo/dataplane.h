#pragma once

#include "core/routing/routing.h"
#include "demo/meshmetrics.h"
#include "demo/workloadfaults.h"

#include <QByteArray>
#include <QJsonObject>
#include <QList>

#include <chrono>
#include <memory>
#include <mutex>
#include <optional>
#include <set>

namespace canary::demo {

class ObjectStore;

struct GatewayResponse {
    int status = 404;
    QByteArray body;
    QByteArray contentType = "text/plain; charset=utf-8";
    QString version; // x-canary-version: the subset, or the Service used as a version
    QString service;
};

// One request through the data plane: the answer, how long it is held back (demo.canarydeck.io/latency-ms),
// and what the destination proxy records once it is sent.
struct GatewayExchange {
    GatewayResponse response;
    std::chrono::steady_clock::time_point started;
    std::chrono::milliseconds delay { 0 };
    std::optional<RequestRecord> record; // none when no route matched
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

    // Routes the request, holds the answer back as long as its version's latency asks, and records it: for a
    // caller with a thread per request.
    GatewayResponse handle(const core::RequestInfo &request, const QString &sourceWorkload = {});
    // The same in two halves, for a caller that holds many answers back at once: begin() decides the answer and
    // its delay, finish() (once the delay is over) records it with the time really elapsed since begin().
    GatewayExchange begin(const core::RequestInfo &request, const QString &sourceWorkload = {});
    void finish(GatewayExchange &exchange);
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
    void serve(const Table &table, const QJsonObject &pod, const Target &target, GatewayExchange *exchange);

    const ObjectStore &m_store;
    MeshMetrics &m_metrics;
    std::mutex m_mutex;
    std::shared_ptr<const Table> m_table;
    std::set<QString> m_reported; // invalid annotations already logged
    ErrorSpreader m_errors;
};

} // namespace canary::demo
