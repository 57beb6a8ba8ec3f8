#pragma once

#include "result.h"

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
};

// Files the object under its kind (VirtualService, DestinationRule, Gateway, Service, Deployment, Pod);
// returns false for kinds a release is not built from.
bool addToSnapshot(NamespaceSnapshot &snapshot, const QJsonObject &object);
QList<Release> buildReleases(const NamespaceSnapshot &snapshot);
// RELEASE as users name it: a VirtualService name, or a host that exactly one VirtualService routes to.
Result<Release> findRelease(const QList<Release> &releases, const QString &nameOrHost);
// --route NAME|INDEX; empty: the default route.
Result<int> resolveRoute(const Release &release, const QString &nameOrIndex);

// One condition of a match block.
struct MatchCondition {
    enum class Field { Header, Uri, Query };
    enum class Kind { Exact, Prefix, Regex };
    Field field = Field::Header;
    Kind kind = Kind::Exact;
    QString name; // header or query parameter name
    QString value;
};
QJsonObject matchBlock(const QList<MatchCondition> &conditions);
// Services of the namespace that no VirtualService routes to.
QStringList unroutedServices(const NamespaceSnapshot &snapshot, const QList<Release> &releases);

// Edits: pure functions from the live VirtualService to the one to apply. Fields not owned by the
// edit (retries, timeouts, headers, fault, unknown fields) are kept as they were.
Result<QJsonObject> setRouteWeights(const Release &release, int routeIndex, const QMap<QString, int> &weights);
Result<QJsonObject> promoteVersion(const Release &release, const QString &version);
// A route in front of the default route that sends requests matching all conditions to one version.
Result<QJsonObject> addMatchRoute(const Release &release, const QString &version, const QList<MatchCondition> &conditions,
                                  const QString &routeName = {});
Result<QJsonObject> removeRoute(const Release &release, int routeIndex);
// Moves a match route up (-1) or down (+1) among the routes in front of the default route.
Result<QJsonObject> moveRoute(const Release &release, int routeIndex, int delta);
// The release as it would be with this VirtualService in place of the live one (for editing drafts).
Result<Release> releaseWithVirtualService(const NamespaceSnapshot &snapshot, const QJsonObject &virtualService);
// The first match route whose first block is exactly these conditions.
Result<int> findMatchRoute(const Release &release, const QList<MatchCondition> &conditions);
Result<QJsonObject> setMirror(const Release &release, int routeIndex, const QString &version, double percent);

// The DestinationRule with a subset for every version the VirtualService routes to that needs one
// (make-before-break: applied, and accepted by the server, before the VirtualService).
QJsonObject withSubsetsFor(const Release &release, const QJsonObject &virtualService);
QString versionOfDestination(const Release &release, const QJsonObject &destination);

} // namespace canary::core
