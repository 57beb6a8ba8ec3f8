#pragma once

#include "core/model/istio.h"

#include <QHash>
#include <QJsonArray>
#include <QJsonObject>
#include <QMultiMap>
#include <QString>

namespace canary::core {

// One HTTP request as a sidecar or gateway sees it, for evaluating VirtualService routes.
struct RequestInfo {
    QString authority; // Host header without port
    QString path; // without the query string
    QMultiMap<QString, QString> query;
    QHash<QString, QString> headers; // lower-case names
    QString method = QStringLiteral("GET");
    QString scheme = QStringLiteral("http");
};

// Istio StringMatch: exact, prefix, or RE2 regex matching the whole value.
bool stringMatches(const QJsonObject &match, const QString &value, bool ignoreCase = false);
// One HTTPMatchRequest block: every condition in it must hold.
bool matchBlockMatches(const QJsonObject &block, const RequestInfo &request);
// http routes in order, first match wins; a route without match takes everything. -1: no route.
int firstMatchingRoute(const QJsonArray &http, const RequestInfo &request);
// The destination a weighted route picks for a uniform random number in [0, 1); -1 when none can.
int pickDestination(const QList<RouteDestination> &destinations, double uniform);

// RE2 syntax check, the engine Envoy uses; the error is RE2's own words.
bool isValidRe2(const QString &pattern, QString *error = nullptr);

} // namespace canary::core
