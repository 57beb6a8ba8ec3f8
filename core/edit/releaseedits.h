#pragma once

#include "core/model/release.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QList>
#include <QMap>
#include <QString>

namespace canary::core {

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

// Edits: pure functions from the live VirtualService to the one to apply. Fields not owned by the
// edit (retries, timeouts, headers, fault, unknown fields) are kept as they were.
Result<QJsonObject> setRouteWeights(const Release &release, int routeIndex, const QMap<QString, int> &weights);
Result<QJsonObject> promoteVersion(const Release &release, const QString &version);
// A route in front of the default route that sends requests matching all conditions to one version.
Result<QJsonObject> addMatchRoute(const Release &release, const QString &version,
                                  const QList<MatchCondition> &conditions, const QString &routeName = {});
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

} // namespace canary::core
