#include "release.h"

#include "istio.h"

#include <QSet>

namespace canary::core {

int Release::versionIndex(const QString &versionName) const
{
    for (int i = 0; i < versions.size(); ++i) {
        if (versions.at(i).name == versionName)
            return i;
    }
    return -1;
}

const ReleaseRoute *Release::route(int index) const
{
    for (const ReleaseRoute &r : routes) {
        if (r.index == index)
            return &r;
    }
    return nullptr;
}

QList<int> Release::routeWeights(int routeIndex) const
{
    QList<int> out;
    const ReleaseRoute *r = route(routeIndex);
    for (int i = 0; i < versions.size(); ++i)
        out.append(r && r->weights.value(i, -1) > 0 ? r->weights.at(i) : 0);
    return out;
}

QStringList Release::versionNames() const
{
    QStringList out;
    for (const ReleaseVersion &v : versions)
        out.append(v.name);
    return out;
}

namespace {

const QJsonObject *findService(const NamespaceSnapshot &s, const QString &name)
{
    for (const QJsonObject &svc : s.services) {
        if (objectName(svc) == name)
            return &svc;
    }
    return nullptr;
}

QJsonObject serviceSelector(const QJsonObject &service)
{
    return service.value(QLatin1String("spec")).toObject().value(QLatin1String("selector")).toObject();
}

void fillPods(ReleaseVersion &v, const NamespaceSnapshot &s, bool podsKnown)
{
    const QJsonObject *svc = v.service.isEmpty() ? nullptr : findService(s, v.service);
    if (!svc) {
        v.pods = podsKnown ? 0 : -1;
        return;
    }
    const QJsonObject selector = serviceSelector(*svc);
    if (podsKnown) {
        v.pods = 0;
        for (const QJsonObject &pod : s.pods) {
            const QJsonObject labels = labelsOf(pod);
            if (!selector.isEmpty() && labelsMatch(selector, labels) && labelsMatch(v.labels, labels))
                ++v.pods;
        }
    }
    for (const QJsonObject &dep : s.deployments) {
        const QJsonObject labels = dep.value(QLatin1String("spec"))
                                           .toObject()
                                           .value(QLatin1String("template"))
                                           .toObject()
                                           .value(QLatin1String("metadata"))
                                           .toObject()
                                           .value(QLatin1String("labels"))
                                           .toObject();
        if (!selector.isEmpty() && labelsMatch(selector, labels) && labelsMatch(v.labels, labels))
            v.workloads.append(objectName(dep));
    }
}

QString hostShortName(const QString &host, const QString &ns)
{
    const QString svc = serviceNameOfHost(host, ns);
    return svc.isEmpty() ? host : svc;
}

} // namespace

QList<Release> buildReleases(const NamespaceSnapshot &s)
{
    QList<Release> out;
    const bool podsKnown = !s.pods.isEmpty() || !s.deployments.isEmpty();
    for (const QJsonObject &vs : s.virtualServices) {
        Release r;
        r.vs = vs;
        r.ns = objectNamespace(vs, s.ns);
        r.virtualService = objectName(vs);
        const QJsonObject spec = vs.value(QLatin1String("spec")).toObject();
        for (const QJsonValue &h : spec.value(QLatin1String("hosts")).toArray())
            r.hosts.append(h.toString());
        for (const QJsonValue &g : spec.value(QLatin1String("gateways")).toArray())
            r.gateways.append(g.toString());

        QStringList destinationHosts; // FQDN, in order of appearance
        const QJsonArray http = spec.value(QLatin1String("http")).toArray();
        for (int i = 0; i < http.size(); ++i) {
            for (const RouteDestination &d : routeDestinations(http.at(i).toObject())) {
                const QString fqdn = fullyQualifiedHost(d.host, r.ns);
                if (!destinationHosts.contains(fqdn))
                    destinationHosts.append(fqdn);
                const QString name = d.subset.isEmpty() ? hostShortName(d.host, r.ns) : d.subset;
                bool known = false;
                for (const ReleaseVersion &v : r.versions)
                    known = known || (fullyQualifiedHost(v.host, r.ns) == fqdn && v.subset == d.subset);
                if (!known) {
                    ReleaseVersion v;
                    v.name = name;
                    v.host = d.host;
                    v.subset = d.subset;
                    v.service = serviceNameOfHost(d.host, r.ns);
                    r.versions.append(v);
                }
            }
        }
        if (r.versions.isEmpty())
            continue;

        for (const QJsonObject &dr : s.destinationRules) {
            const QJsonObject drSpec = dr.value(QLatin1String("spec")).toObject();
            const QString drHost = fullyQualifiedHost(drSpec.value(QLatin1String("host")).toString(), objectNamespace(dr, s.ns));
            if (!destinationHosts.contains(drHost))
                continue;
            if (r.destinationRule.isEmpty()) {
                r.destinationRule = objectName(dr);
                r.dr = dr;
            }
            for (const QJsonValue &sv : drSpec.value(QLatin1String("subsets")).toArray()) {
                const QJsonObject subset = sv.toObject();
                const QString subsetName = subset.value(QLatin1String("name")).toString();
                bool found = false;
                for (ReleaseVersion &v : r.versions) {
                    if (v.subset == subsetName && fullyQualifiedHost(v.host, r.ns) == drHost) {
                        v.labels = subset.value(QLatin1String("labels")).toObject();
                        found = true;
                    }
                }
                if (!found) {
                    ReleaseVersion v;
                    v.name = subsetName;
                    v.host = drSpec.value(QLatin1String("host")).toString();
                    v.subset = subsetName;
                    v.service = serviceNameOfHost(v.host, r.ns);
                    v.labels = subset.value(QLatin1String("labels")).toObject();
                    r.versions.append(v);
                }
            }
        }
        for (ReleaseVersion &v : r.versions)
            fillPods(v, s, podsKnown);

        for (int i = 0; i < http.size(); ++i) {
            const QJsonObject route = http.at(i).toObject();
            ReleaseRoute rr;
            rr.index = i;
            rr.name = route.value(QLatin1String("name")).toString();
            rr.match = route.value(QLatin1String("match")).toArray();
            rr.weights = QList<int>(r.versions.size(), -1);
            const QList<RouteDestination> dests = routeDestinations(route);
            for (const RouteDestination &d : dests) {
                const QString fqdn = fullyQualifiedHost(d.host, r.ns);
                for (int k = 0; k < r.versions.size(); ++k) {
                    if (fullyQualifiedHost(r.versions.at(k).host, r.ns) == fqdn && r.versions.at(k).subset == d.subset)
                        rr.weights[k] = dests.size() == 1 && !d.hasWeight ? 100 : qMax(0, d.weight);
                }
            }
            if (rr.match.isEmpty())
                r.defaultRoute = i;
            r.routes.append(rr);
        }
        if (r.defaultRoute < 0 && !r.routes.isEmpty())
            r.defaultRoute = r.routes.constLast().index;

        QSet<QString> services;
        for (const ReleaseVersion &v : r.versions)
            services.insert(v.service.isEmpty() ? v.host : v.service);
        r.name = services.size() == 1 ? *services.begin() : r.virtualService;
        out.append(r);
    }
    return out;
}

QStringList unroutedServices(const NamespaceSnapshot &snapshot, const QList<Release> &releases)
{
    QSet<QString> routed;
    for (const Release &r : releases) {
        for (const ReleaseVersion &v : r.versions)
            routed.insert(v.service);
    }
    QStringList out;
    for (const QJsonObject &svc : snapshot.services) {
        const QString name = objectName(svc);
        if (!routed.contains(name) && name != QLatin1String("kubernetes"))
            out.append(name);
    }
    return out;
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
        const QString h = e.toObject().value(QLatin1String("destination")).toObject().value(QLatin1String("host")).toString();
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
            return makeError(QStringLiteral("VirtualService/%1: version \"%2\" is not a version of this release; known "
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

Result<QJsonObject> promoteVersion(const Release &release, const QString &version)
{
    const int vi = release.versionIndex(version);
    if (vi < 0)
        return makeError(QStringLiteral("VirtualService/%1: version \"%2\" is not a version of this release; known "
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
