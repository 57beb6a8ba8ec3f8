#include "core/edit/releaseedits.h"

#include "core/model/istio.h"
#include "core/routing/routing.h"

#include <QSet>

namespace canary::core {

QJsonObject matchBlock(const QList<MatchCondition> &conditions)
{
    QJsonObject block;
    QJsonObject headers;
    QJsonObject query;
    for (const MatchCondition &c : conditions) {
        const QString kind = c.kind == MatchCondition::Kind::Exact ? QStringLiteral("exact")
                : c.kind == MatchCondition::Kind::Prefix           ? QStringLiteral("prefix")
                                                                   : QStringLiteral("regex");
        const QJsonObject sm { { kind, c.value } };
        switch (c.field) {
        case MatchCondition::Field::Header: headers.insert(c.name, sm); break;
        case MatchCondition::Field::Query: query.insert(c.name, sm); break;
        case MatchCondition::Field::Uri: block.insert(QStringLiteral("uri"), sm); break;
        }
    }
    if (!headers.isEmpty())
        block.insert(QStringLiteral("headers"), headers);
    if (!query.isEmpty())
        block.insert(QStringLiteral("queryParams"), query);
    return block;
}

namespace {

QJsonObject destinationFor(const Release &release, const ReleaseVersion &v, const QJsonArray &existing)
{
    for (const QJsonValue &e : existing) {
        const QJsonObject d = e.toObject();
        const QJsonObject dest = d.value(QLatin1String("destination")).toObject();
        if (fullyQualifiedHost(dest.value(QLatin1String("host")).toString(), release.ns)
                    == fullyQualifiedHost(v.host, release.ns)
            && dest.value(QLatin1String("subset")).toString() == v.subset)
            return d;
    }
    QJsonObject dest { { QStringLiteral("host"), v.host } };
    // Keep the host spelling the route already uses for the same service.
    for (const QJsonValue &e : existing) {
        const QString h
                = e.toObject().value(QLatin1String("destination")).toObject().value(QLatin1String("host")).toString();
        if (fullyQualifiedHost(h, release.ns) == fullyQualifiedHost(v.host, release.ns))
            dest.insert(QStringLiteral("host"), h);
    }
    if (!v.subset.isEmpty())
        dest.insert(QStringLiteral("subset"), v.subset);
    return QJsonObject { { QStringLiteral("destination"), dest } };
}

QJsonObject withHttp(const QJsonObject &vs, const QJsonArray &http)
{
    QJsonObject spec = vs.value(QLatin1String("spec")).toObject();
    spec.insert(QStringLiteral("http"), http);
    QJsonObject out = vs;
    out.insert(QStringLiteral("spec"), spec);
    return out;
}

QJsonArray httpOf(const Release &release)
{
    return release.vs.value(QLatin1String("spec")).toObject().value(QLatin1String("http")).toArray();
}

// What a route does, without the conditions that select it: the destinations that receive traffic.
QJsonObject routeEffect(QJsonObject route, const QString &ns)
{
    route.remove(QStringLiteral("match"));
    route.remove(QStringLiteral("name"));
    const QList<RouteDestination> dests = routeDestinations(route);
    const QList<double> shares = effectiveShares(dests);
    QJsonArray receivers;
    for (int i = 0; i < dests.size(); ++i) {
        if (shares.at(i) > 0)
            receivers.append(QJsonArray { fullyQualifiedHost(dests.at(i).host, ns), dests.at(i).subset, shares.at(i) });
    }
    route.insert(QStringLiteral("route"), receivers);
    return route;
}

} // namespace

Result<QJsonObject> setRouteWeights(const Release &release, int routeIndex, const QMap<QString, int> &weights)
{
    QJsonArray http = httpOf(release);
    if (routeIndex < 0 || routeIndex >= http.size())
        return makeError(QStringLiteral("VirtualService/%1: spec.http[%2]: no such route (the VirtualService has %3)")
                                 .arg(release.virtualService)
                                 .arg(routeIndex)
                                 .arg(http.size()));
    int sum = 0;
    for (auto it = weights.begin(); it != weights.end(); ++it) {
        if (release.versionIndex(it.key()) < 0)
            return makeError(
                    QStringLiteral("VirtualService/%1: version \"%2\" is not a version of this release; known "
                                   "versions: %3")
                            .arg(release.virtualService, it.key(), release.versionNames().join(QLatin1String(", "))));
        if (it.value() < 0 || it.value() > 100)
            return makeError(QStringLiteral("VirtualService/%1: spec.http[%2]: weight of \"%3\" is %4; a weight is a "
                                            "percentage from 0 to 100")
                                     .arg(release.virtualService)
                                     .arg(routeIndex)
                                     .arg(it.key())
                                     .arg(it.value()));
        sum += it.value();
    }
    if (weights.isEmpty() || sum != 100)
        return makeError(QStringLiteral("VirtualService/%1: spec.http[%2]: weights sum to %3; they must sum to 100")
                                 .arg(release.virtualService)
                                 .arg(routeIndex)
                                 .arg(sum));
    QJsonObject route = http.at(routeIndex).toObject();
    const QJsonArray existing = route.value(QLatin1String("route")).toArray();
    QJsonArray dests;
    for (const ReleaseVersion &v : release.versions) {
        if (!weights.contains(v.name))
            continue;
        QJsonObject d = destinationFor(release, v, existing);
        d.insert(QStringLiteral("weight"), weights.value(v.name));
        dests.append(d);
    }
    route.insert(QStringLiteral("route"), dests);
    http.replace(routeIndex, route);
    return withHttp(release.vs, http);
}

namespace {

Result<const ReleaseVersion *> knownVersion(const Release &release, const QString &version)
{
    const int vi = release.versionIndex(version);
    if (vi < 0)
        return makeError(
                QStringLiteral("VirtualService/%1: version \"%2\" is not a version of this release; known "
                               "versions: %3")
                        .arg(release.virtualService, version, release.versionNames().join(QLatin1String(", "))));
    return &release.versions.at(vi);
}

Error conditionError(const Release &release, const QString &field, const QString &message)
{
    return makeError(QStringLiteral("VirtualService/%1: %2: %3").arg(release.virtualService, field, message));
}

Result<bool> checkConditions(const Release &release, const QList<MatchCondition> &conditions)
{
    if (conditions.isEmpty())
        return conditionError(release, QStringLiteral("match"),
                              QStringLiteral("give at least one condition (--header, --header-prefix, --header-regex, "
                                             "--uri-exact, --uri-prefix, --uri-regex, --query)"));
    int uris = 0;
    static const QRegularExpression token(QStringLiteral("^[!#$%&'*+.^_`|~0-9a-z-]+$"));
    for (const MatchCondition &c : conditions) {
        const QString field = c.field == MatchCondition::Field::Header ? QStringLiteral("match.headers.") + c.name
                : c.field == MatchCondition::Field::Query              ? QStringLiteral("match.queryParams.") + c.name
                                                                       : QStringLiteral("match.uri");
        if (c.field == MatchCondition::Field::Uri && ++uris > 1)
            return conditionError(
                    release, field,
                    QStringLiteral("one match block holds one URI condition; add a second route for another URI"));
        if (c.field == MatchCondition::Field::Header) {
            if (c.name.isEmpty())
                return conditionError(release, QStringLiteral("match.headers"), QStringLiteral("header name is empty"));
            if (c.name != c.name.toLower())
                return conditionError(
                        release, field,
                        QStringLiteral("header names must be lower-case; use \"%1\"").arg(c.name.toLower()));
            if (!token.match(c.name).hasMatch())
                return conditionError(release, field,
                                      QStringLiteral("\"%1\" is not a valid HTTP header name").arg(c.name));
        }
        if (c.field == MatchCondition::Field::Query && c.name.isEmpty())
            return conditionError(release, QStringLiteral("match.queryParams"),
                                  QStringLiteral("query parameter name is empty"));
        if (c.kind == MatchCondition::Kind::Regex) {
            QString error;
            if (!isValidRe2(c.value, &error))
                return conditionError(release, field + QStringLiteral(".regex"),
                                      QStringLiteral("invalid RE2 regular expression \"%1\": %2").arg(c.value, error));
        }
        if (c.field == MatchCondition::Field::Uri && c.kind != MatchCondition::Kind::Regex
            && !c.value.startsWith(QLatin1Char('/')))
            return conditionError(release, field, QStringLiteral("a URI starts with \"/\" (got \"%1\")").arg(c.value));
    }
    return true;
}

} // namespace

Result<QJsonObject> addMatchRoute(const Release &release, const QString &version,
                                  const QList<MatchCondition> &conditions, const QString &routeName)
{
    const auto target = knownVersion(release, version);
    if (!target)
        return target.error();
    const auto checked = checkConditions(release, conditions);
    if (!checked)
        return checked.error();
    const auto existing = findMatchRoute(release, conditions);
    if (existing)
        return makeError(
                QStringLiteral("VirtualService/%1: spec.http[%2] already matches these conditions; remove it first "
                               "or change its weights with --route %2")
                        .arg(release.virtualService)
                        .arg(*existing));
    QJsonArray http = httpOf(release);
    const int at = release.defaultRoute < 0 ? int(http.size()) : release.defaultRoute;
    QJsonObject route;
    if (!routeName.isEmpty())
        route.insert(QStringLiteral("name"), routeName);
    route.insert(QStringLiteral("match"), QJsonArray { matchBlock(conditions) });
    const QJsonArray defaultDests
            = at < http.size() ? http.at(at).toObject().value(QLatin1String("route")).toArray() : QJsonArray();
    QJsonObject dest = destinationFor(release, **target, defaultDests);
    dest.remove(QStringLiteral("weight"));
    dest.remove(QStringLiteral("headers"));
    route.insert(QStringLiteral("route"), QJsonArray { dest });
    http.insert(at, route);
    return withHttp(release.vs, http);
}

Result<int> findMatchRoute(const Release &release, const QList<MatchCondition> &conditions)
{
    const QJsonObject block = matchBlock(conditions);
    for (const ReleaseRoute &r : release.routes) {
        if (r.match.size() == 1 && r.match.at(0).toObject() == block)
            return r.index;
    }
    return makeError(QStringLiteral("VirtualService/%1: no match route has exactly these conditions")
                             .arg(release.virtualService));
}

Result<QJsonObject> removeRoute(const Release &release, int routeIndex)
{
    const ReleaseRoute *route = release.route(routeIndex);
    if (!route)
        return makeError(QStringLiteral("VirtualService/%1: spec.http[%2]: no such route")
                                 .arg(release.virtualService)
                                 .arg(routeIndex));
    if (route->match.isEmpty())
        return makeError(
                QStringLiteral("VirtualService/%1: spec.http[%2] is the default route (it has no match); only match "
                               "routes can be removed")
                        .arg(release.virtualService)
                        .arg(routeIndex));
    QJsonArray http = httpOf(release);
    http.removeAt(routeIndex);
    return withHttp(release.vs, http);
}

Result<QJsonObject> moveRoute(const Release &release, int routeIndex, int delta)
{
    QJsonArray http = httpOf(release);
    const int target = routeIndex + delta;
    if (routeIndex < 0 || routeIndex >= http.size() || target < 0 || target >= http.size())
        return makeError(QStringLiteral("VirtualService/%1: spec.http[%2] cannot move there")
                                 .arg(release.virtualService)
                                 .arg(routeIndex));
    if (http.at(routeIndex).toObject().value(QLatin1String("match")).toArray().isEmpty()
        || http.at(target).toObject().value(QLatin1String("match")).toArray().isEmpty())
        return makeError(QStringLiteral("VirtualService/%1: the default route stays last; only match routes move")
                                 .arg(release.virtualService));
    const QJsonValue moving = http.at(routeIndex);
    http.replace(routeIndex, http.at(target));
    http.replace(target, moving);
    return withHttp(release.vs, http);
}

Result<Release> releaseWithVirtualService(const NamespaceSnapshot &snapshot, const QJsonObject &virtualService)
{
    NamespaceSnapshot s = snapshot;
    const QString name = objectName(virtualService);
    s.virtualServices.clear();
    s.virtualServices.append(virtualService);
    const QList<Release> releases = buildReleases(s);
    if (releases.isEmpty())
        return makeError(QStringLiteral("VirtualService/%1 routes to no destination").arg(name));
    return releases.constFirst();
}

Result<QJsonObject> setMirror(const Release &release, int routeIndex, const QString &version, double percent)
{
    QJsonArray http = httpOf(release);
    if (routeIndex < 0 || routeIndex >= http.size())
        return makeError(QStringLiteral("VirtualService/%1: spec.http[%2]: no such route")
                                 .arg(release.virtualService)
                                 .arg(routeIndex));
    if (!(percent >= 0 && percent <= 100))
        return makeError(
                QStringLiteral(
                        "VirtualService/%1: spec.http[%2].mirrorPercentage.value: %3 is not a percentage from 0 to 100")
                        .arg(release.virtualService)
                        .arg(routeIndex)
                        .arg(percent));
    QJsonObject route = http.at(routeIndex).toObject();
    if (percent == 0) {
        route.remove(QStringLiteral("mirror"));
        route.remove(QStringLiteral("mirrorPercentage"));
    } else {
        const auto target = knownVersion(release, version);
        if (!target)
            return target.error();
        const QJsonObject dest = destinationFor(release, **target, route.value(QLatin1String("route")).toArray())
                                         .value(QLatin1String("destination"))
                                         .toObject();
        route.insert(QStringLiteral("mirror"), dest);
        route.insert(QStringLiteral("mirrorPercentage"), QJsonObject { { QStringLiteral("value"), percent } });
    }
    http.replace(routeIndex, route);
    return withHttp(release.vs, http);
}

QJsonObject withSubsetsFor(const Release &release, const QJsonObject &virtualService)
{
    if (release.dr.isEmpty())
        return {};
    QStringList used;
    for (const QJsonValue &rv :
         virtualService.value(QLatin1String("spec")).toObject().value(QLatin1String("http")).toArray()) {
        const QJsonObject route = rv.toObject();
        for (const QJsonValue &d : route.value(QLatin1String("route")).toArray())
            used.append(versionOfDestination(release, d.toObject().value(QLatin1String("destination")).toObject()));
        if (route.contains(QLatin1String("mirror")))
            used.append(versionOfDestination(release, route.value(QLatin1String("mirror")).toObject()));
    }
    QJsonObject dr = release.dr;
    QJsonObject spec = dr.value(QLatin1String("spec")).toObject();
    QJsonArray subsets = spec.value(QLatin1String("subsets")).toArray();
    for (const ReleaseVersion &v : release.versions) {
        if (v.needsSubset && used.contains(v.name))
            subsets.append(
                    QJsonObject { { QStringLiteral("name"), v.subset }, { QStringLiteral("labels"), v.labels } });
    }
    spec.insert(QStringLiteral("subsets"), subsets);
    dr.insert(QStringLiteral("spec"), spec);
    return dr;
}

Result<QJsonObject> promoteVersion(const Release &release, const QString &version)
{
    const int vi = release.versionIndex(version);
    if (vi < 0)
        return makeError(
                QStringLiteral("VirtualService/%1: version \"%2\" is not a version of this release; known "
                               "versions: %3")
                        .arg(release.virtualService, version, release.versionNames().join(QLatin1String(", "))));
    const ReleaseVersion &target = release.versions.at(vi);
    QJsonArray http = httpOf(release);
    for (int i = 0; i < http.size(); ++i) {
        QJsonObject route = http.at(i).toObject();
        const QJsonArray existing = route.value(QLatin1String("route")).toArray();
        if (existing.isEmpty())
            continue;
        QJsonArray dests;
        if (existing.size() == 1) {
            QJsonObject d = destinationFor(release, target, existing);
            if (existing.at(0).toObject().contains(QLatin1String("weight")))
                d.insert(QStringLiteral("weight"), 100);
            dests.append(d);
        } else {
            bool targetSeen = false;
            for (const QJsonValue &e : existing) {
                QJsonObject d = e.toObject();
                const QJsonObject dest = d.value(QLatin1String("destination")).toObject();
                const bool isTarget = fullyQualifiedHost(dest.value(QLatin1String("host")).toString(), release.ns)
                                == fullyQualifiedHost(target.host, release.ns)
                        && dest.value(QLatin1String("subset")).toString() == target.subset;
                targetSeen = targetSeen || isTarget;
                d.insert(QStringLiteral("weight"), isTarget ? 100 : 0);
                dests.append(d);
            }
            if (!targetSeen) {
                QJsonObject d = destinationFor(release, target, existing);
                d.insert(QStringLiteral("weight"), 100);
                dests.append(d);
            }
        }
        route.insert(QStringLiteral("route"), dests);
        http.replace(i, route);
    }
    // Match routes that now do exactly what the default route does are dropped.
    const int def = release.defaultRoute;
    if (def >= 0 && def < http.size() && http.at(def).toObject().value(QLatin1String("match")).toArray().isEmpty()) {
        const QJsonObject defaultEffect = routeEffect(http.at(def).toObject(), release.ns);
        QJsonArray kept;
        for (int i = 0; i < http.size(); ++i) {
            const QJsonObject r = http.at(i).toObject();
            if (i != def && r.contains(QLatin1String("match")) && routeEffect(r, release.ns) == defaultEffect)
                continue;
            kept.append(r);
        }
        http = kept;
    }
    return withHttp(release.vs, http);
}

} // namespace canary::core
