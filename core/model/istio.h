#pragma once

#include <QJsonArray>
#include <QJsonObject>
#include <QString>
#include <QStringList>

namespace canary::core {

inline const QString kClusterDomain = QStringLiteral("svc.cluster.local");
// The API group of Istio's networking objects (VirtualService, DestinationRule, Gateway).
inline const QString kIstioGroup = QStringLiteral("networking.istio.io");

// Istio expands short host names with the namespace of the object that names them.
QString fullyQualifiedHost(const QString &host, const QString &objectNamespace);
// The Service name a host refers to when it lives in the given namespace, or empty.
QString serviceNameOfHost(const QString &host, const QString &objectNamespace);

QString objectName(const QJsonObject &object);
QString objectNamespace(const QJsonObject &object, const QString &fallback = QStringLiteral("default"));
QString resourceVersion(const QJsonObject &object);
QJsonObject labelsOf(const QJsonObject &object);
bool labelsMatch(const QJsonObject &selector, const QJsonObject &labels);

struct RouteDestination {
    QString host;
    QString subset;
    int weight = 0;
    bool hasWeight = false;
};
QList<RouteDestination> routeDestinations(const QJsonObject &httpRoute);
// Effective percentages of a route as Istio computes them: weight / sum; a lone destination gets 100.
QList<double> effectiveShares(const QList<RouteDestination> &destinations);

QString summarizeMatch(const QJsonArray &match);

} // namespace canary::core
