#pragma once

#include "k8s/result.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QList>
#include <QMap>
#include <QString>
#include <QStringList>

namespace canary::core {

// What the client knows of one namespace: the objects a release is built from.
struct NamespaceSnapshot {
    QString ns = QStringLiteral("default");
    QList<QJsonObject> services;
    QList<QJsonObject> pods;
    QList<QJsonObject> deployments;
    QList<QJsonObject> virtualServices;
    QList<QJsonObject> destinationRules;
    QList<QJsonObject> gateways;
};

struct ReleaseVersion {
    QString name; // the subset, or the short name of a Service used as a version (seed 001)
    QString host; // as the VirtualService (or DestinationRule) writes it
    QString subset;
    QString service; // the Service the host resolves to in the namespace, if any
    QJsonObject labels; // the subset's labels
    int pods = -1; // -1: unknown (no pods listed)
    QStringList workloads; // Deployments whose pods serve this version
    bool needsSubset = false; // a pod `version` label no subset names yet: choosing it adds the subset first
};

struct ReleaseRoute {
    int index = 0;
    QString name;
    QJsonArray match;
    QList<int> weights; // per version of the release; -1 when the route does not send to it
};

struct Release {
    QString name;
    QString ns;
    QString virtualService;
    QString destinationRule;
    QStringList hosts;
    QStringList gateways;
    QList<ReleaseVersion> versions;
    QList<ReleaseRoute> routes;
    int defaultRoute = -1; // the last route without a match (else the last route)
    QJsonObject vs;
    QJsonObject dr;

    int versionIndex(const QString &name) const;
    const ReleaseRoute *route(int index) const;
    // The weights of a route per version, 0 for versions it does not send to.
    QList<int> routeWeights(int routeIndex) const;
    QStringList versionNames() const;
    // The version with the most weight on the default route (the first of equals): the one the others
    // are judged against, and where a rollback of a canary sends the traffic. -1 without versions.
    int stableVersion() const;
    // The version being released: of the others, the one with the most weight on the default route,
    // else the last one. -1 with fewer than two versions.
    int canaryVersion() const;
};

// The list of the snapshot that holds objects of this kind (VirtualService, DestinationRule, Gateway,
// Service, Deployment, Pod); null for kinds a release is not built from.
QList<QJsonObject> *snapshotItems(NamespaceSnapshot &snapshot, const QString &kind);
// Files the object under its kind; returns false for kinds a release is not built from.
bool addToSnapshot(NamespaceSnapshot &snapshot, const QJsonObject &object);
QList<Release> buildReleases(const NamespaceSnapshot &snapshot);
// RELEASE as users name it: a VirtualService name, or a host that exactly one VirtualService routes to.
Result<Release> findRelease(const QList<Release> &releases, const QString &nameOrHost);
// --route NAME|INDEX; empty: the default route.
Result<int> resolveRoute(const Release &release, const QString &nameOrIndex);

// Services of the namespace that no VirtualService routes to.
QStringList unroutedServices(const NamespaceSnapshot &snapshot, const QList<Release> &releases);

// The version of the release a route destination names (empty when none).
QString versionOfDestination(const Release &release, const QJsonObject &destination);

} // namespace canary::core
