#include "release.h"

#include "istio.h"
#include "routing.h"

#include <QRegularExpression>

#include <algorithm>

#include <QMultiHash>
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

// Services by name, the first of each name as listed: looked up for every version of every release.
using ServiceIndex = QHash<QString, const QJsonObject *>;

ServiceIndex indexServices(const NamespaceSnapshot &s)
{
    ServiceIndex index;
    index.reserve(s.services.size());
    for (const QJsonObject &svc : s.services) {
        const QString name = objectName(svc);
        if (!index.contains(name))
            index.insert(name, &svc);
    }
    return index;
}

QJsonObject serviceSelector(const QJsonObject &service)
{
    return service.value(QLatin1String("spec")).toObject().value(QLatin1String("selector")).toObject();
}

void fillPods(ReleaseVersion &v, const NamespaceSnapshot &s, const ServiceIndex &services, bool podsKnown)
{
    const QJsonObject *svc = v.service.isEmpty() ? nullptr : services.value(v.service);
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
    const bool countReplicas = podsKnown && s.pods.isEmpty(); // manifests without pods: what the Deployments ask for
    for (const QJsonObject &dep : s.deployments) {
        const QJsonObject labels = dep.value(QLatin1String("spec"))
                                           .toObject()
                                           .value(QLatin1String("template"))
                                           .toObject()
                                           .value(QLatin1String("metadata"))
                                           .toObject()
                                           .value(QLatin1String("labels"))
                                           .toObject();
        if (!selector.isEmpty() && labelsMatch(selector, labels) && labelsMatch(v.labels, labels)) {
            v.workloads.append(objectName(dep));
            if (countReplicas)
                v.pods += dep.value(QLatin1String("spec")).toObject().value(QLatin1String("replicas")).toInt(1);
        }
    }
}

QString hostShortName(const QString &host, const QString &ns)
{
    const QString svc = serviceNameOfHost(host, ns);
    return svc.isEmpty() ? host : svc;
}

} // namespace

bool addToSnapshot(NamespaceSnapshot &s, const QJsonObject &object)
{
    const QString kind = object.value(QLatin1String("kind")).toString();
    QList<QJsonObject> *into = kind == QLatin1String("VirtualService") ? &s.virtualServices
            : kind == QLatin1String("DestinationRule")                 ? &s.destinationRules
            : kind == QLatin1String("Gateway")                         ? &s.gateways
            : kind == QLatin1String("Service")                         ? &s.services
            : kind == QLatin1String("Deployment")                      ? &s.deployments
            : kind == QLatin1String("Pod")                             ? &s.pods
                                                                       : nullptr;
    if (into)
        into->append(object);
    return into != nullptr;
}

QList<Release> buildReleases(const NamespaceSnapshot &s)
{
    QList<Release> out;
    const bool podsKnown = !s.pods.isEmpty() || !s.deployments.isEmpty();
    const ServiceIndex services = indexServices(s);
    QMultiHash<QString, const QJsonObject *> rulesByHost; // FQDN -> DestinationRules, in input order
    for (auto it = s.destinationRules.crbegin(); it != s.destinationRules.crend(); ++it)
        rulesByHost.insert(fullyQualifiedHost(it->value(QLatin1String("spec")).toObject().value(QLatin1String("host")).toString(), objectNamespace(*it, s.ns)), &*it);
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

        QList<const QJsonObject *> rules;
        for (const QString &host : std::as_const(destinationHosts))
            rules.append(rulesByHost.values(host));
        for (const QJsonObject *drPtr : std::as_const(rules)) {
            const QJsonObject &dr = *drPtr;
            const QJsonObject drSpec = dr.value(QLatin1String("spec")).toObject();
            const QString drHost = fullyQualifiedHost(drSpec.value(QLatin1String("host")).toString(), objectNamespace(dr, s.ns));
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
        // Pods of the service labelled with a `version` no subset names yet are versions too.
        if (!r.dr.isEmpty()) {
            const QString drHost = r.dr.value(QLatin1String("spec")).toObject().value(QLatin1String("host")).toString();
            const QJsonObject *svc = services.value(serviceNameOfHost(drHost, r.ns));
            const QJsonObject selector = svc ? serviceSelector(*svc) : QJsonObject();
            QStringList labelled;
            for (const QJsonObject &pod : s.pods) {
                const QJsonObject labels = labelsOf(pod);
                const QString version = labels.value(QLatin1String("version")).toString();
                if (!selector.isEmpty() && !version.isEmpty() && labelsMatch(selector, labels) && !labelled.contains(version))
                    labelled.append(version);
            }
            labelled.sort();
            for (const QString &version : std::as_const(labelled)) {
                bool named = false;
                for (const ReleaseVersion &v : std::as_const(r.versions))
                    named = named || v.name == version || v.labels.value(QLatin1String("version")).toString() == version;
                if (named)
                    continue;
                ReleaseVersion v;
                v.name = version;
                v.host = drHost;
                v.subset = version;
                v.service = serviceNameOfHost(drHost, r.ns);
                v.labels = QJsonObject { { QStringLiteral("version"), version } };
                v.needsSubset = true;
                r.versions.append(v);
            }
        }
        // A stable order whatever the routes say: the DestinationRule's subsets as written, then the rest.
        if (!r.dr.isEmpty()) {
            QStringList subsetOrder;
            for (const QJsonValue &sv : r.dr.value(QLatin1String("spec")).toObject().value(QLatin1String("subsets")).toArray())
                subsetOrder.append(sv.toObject().value(QLatin1String("name")).toString());
            std::stable_sort(r.versions.begin(), r.versions.end(), [&](const ReleaseVersion &a, const ReleaseVersion &b) {
                const auto rank = [&](const ReleaseVersion &v) {
                    const qsizetype i = subsetOrder.indexOf(v.subset);
                    return i < 0 ? subsetOrder.size() : i;
                };
                return rank(a) < rank(b);
            });
        }
        for (ReleaseVersion &v : r.versions)
            fillPods(v, s, services, podsKnown);

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

Result<Release> findRelease(const QList<Release> &releases, const QString &nameOrHost)
{
    for (const Release &r : releases) {
        if (r.virtualService == nameOrHost)
            return r;
    }
    QList<const Release *> routing;
    for (const Release &r : releases) {
        const QString fqdn = fullyQualifiedHost(nameOrHost, r.ns);
        bool hit = false;
        for (const QString &h : r.hosts)
            hit = hit || h == nameOrHost || (!h.contains(QLatin1Char('*')) && fullyQualifiedHost(h, r.ns) == fqdn);
        for (const ReleaseVersion &v : r.versions)
            hit = hit || fullyQualifiedHost(v.host, r.ns) == fqdn;
        if (hit)
            routing.append(&r);
    }
    if (routing.size() == 1)
        return *routing.constFirst();
    QStringList names;
    for (const Release *r : std::as_const(routing))
        names.append(r->virtualService);
    if (routing.size() > 1)
        return makeError(QStringLiteral("\"%1\" is routed by %2 VirtualServices (%3): name one of them")
                                 .arg(nameOrHost)
                                 .arg(routing.size())
                                 .arg(names.join(QLatin1String(", "))));
    for (const Release &r : releases)
        names.append(r.virtualService);
    return makeError(QStringLiteral("no VirtualService is named \"%1\" or routes to it%2")
                             .arg(nameOrHost,
                                  names.isEmpty() ? QString() : QStringLiteral("; releases here: ") + names.join(QLatin1String(", "))));
}

Result<int> resolveRoute(const Release &release, const QString &nameOrIndex)
{
    if (nameOrIndex.isEmpty()) {
        if (release.defaultRoute < 0)
            return makeError(QStringLiteral("VirtualService/%1: spec.http: no http routes").arg(release.virtualService));
        return release.defaultRoute;
    }
    bool isIndex = false;
    const int index = nameOrIndex.toInt(&isIndex);
    if (isIndex) {
        if (!release.route(index))
            return makeError(QStringLiteral("VirtualService/%1: spec.http[%2]: no such route; routes are numbered 0 to %3")
                                     .arg(release.virtualService)
                                     .arg(index)
                                     .arg(release.routes.size() - 1));
        return index;
    }
    QStringList names;
    for (const ReleaseRoute &r : release.routes) {
        if (r.name == nameOrIndex)
            return r.index;
        if (!r.name.isEmpty())
            names.append(r.name);
    }
    return makeError(QStringLiteral("VirtualService/%1: no http route is named \"%2\"%3")
                             .arg(release.virtualService, nameOrIndex,
                                  names.isEmpty() ? QStringLiteral(" (its routes have no names; give an index)")
                                                  : QStringLiteral("; named routes: ") + names.join(QLatin1String(", "))));
}

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

namespace {

Result<const ReleaseVersion *> knownVersion(const Release &release, const QString &version)
{
    const int vi = release.versionIndex(version);
    if (vi < 0)
        return makeError(QStringLiteral("VirtualService/%1: version \"%2\" is not a version of this release; known "
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
                : c.field == MatchCondition::Field::Query               ? QStringLiteral("match.queryParams.") + c.name
                                                                        : QStringLiteral("match.uri");
        if (c.field == MatchCondition::Field::Uri && ++uris > 1)
            return conditionError(release, field, QStringLiteral("one match block holds one URI condition; add a second route for another URI"));
        if (c.field == MatchCondition::Field::Header) {
            if (c.name.isEmpty())
                return conditionError(release, QStringLiteral("match.headers"), QStringLiteral("header name is empty"));
            if (c.name != c.name.toLower())
                return conditionError(release, field, QStringLiteral("header names must be lower-case; use \"%1\"").arg(c.name.toLower()));
            if (!token.match(c.name).hasMatch())
                return conditionError(release, field, QStringLiteral("\"%1\" is not a valid HTTP header name").arg(c.name));
        }
        if (c.field == MatchCondition::Field::Query && c.name.isEmpty())
            return conditionError(release, QStringLiteral("match.queryParams"), QStringLiteral("query parameter name is empty"));
        if (c.kind == MatchCondition::Kind::Regex) {
            QString error;
            if (!isValidRe2(c.value, &error))
                return conditionError(release, field + QStringLiteral(".regex"),
                                      QStringLiteral("invalid RE2 regular expression \"%1\": %2").arg(c.value, error));
        }
        if (c.field == MatchCondition::Field::Uri && c.kind != MatchCondition::Kind::Regex && !c.value.startsWith(QLatin1Char('/')))
            return conditionError(release, field, QStringLiteral("a URI starts with \"/\" (got \"%1\")").arg(c.value));
    }
    return true;
}

} // namespace

Result<QJsonObject> addMatchRoute(const Release &release, const QString &version, const QList<MatchCondition> &conditions,
                                  const QString &routeName)
{
    const auto target = knownVersion(release, version);
    if (!target)
        return target.error();
    const auto checked = checkConditions(release, conditions);
    if (!checked)
        return checked.error();
    const auto existing = findMatchRoute(release, conditions);
    if (existing)
        return makeError(QStringLiteral("VirtualService/%1: spec.http[%2] already matches these conditions; remove it first "
                                        "or change its weights with --route %2")
                                 .arg(release.virtualService)
                                 .arg(*existing));
    QJsonArray http = httpOf(release);
    const int at = release.defaultRoute < 0 ? int(http.size()) : release.defaultRoute;
    QJsonObject route;
    if (!routeName.isEmpty())
        route.insert(QStringLiteral("name"), routeName);
    route.insert(QStringLiteral("match"), QJsonArray { matchBlock(conditions) });
    const QJsonArray defaultDests = at < http.size() ? http.at(at).toObject().value(QLatin1String("route")).toArray() : QJsonArray();
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
    return makeError(QStringLiteral("VirtualService/%1: no match route has exactly these conditions").arg(release.virtualService));
}

Result<QJsonObject> removeRoute(const Release &release, int routeIndex)
{
    const ReleaseRoute *route = release.route(routeIndex);
    if (!route)
        return makeError(QStringLiteral("VirtualService/%1: spec.http[%2]: no such route").arg(release.virtualService).arg(routeIndex));
    if (route->match.isEmpty())
        return makeError(QStringLiteral("VirtualService/%1: spec.http[%2] is the default route (it has no match); only match "
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
        return makeError(QStringLiteral("VirtualService/%1: spec.http[%2] cannot move there").arg(release.virtualService).arg(routeIndex));
    if (http.at(routeIndex).toObject().value(QLatin1String("match")).toArray().isEmpty()
        || http.at(target).toObject().value(QLatin1String("match")).toArray().isEmpty())
        return makeError(QStringLiteral("VirtualService/%1: the default route stays last; only match routes move").arg(release.virtualService));
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
        return makeError(QStringLiteral("VirtualService/%1: spec.http[%2]: no such route").arg(release.virtualService).arg(routeIndex));
    if (!(percent >= 0 && percent <= 100))
        return makeError(QStringLiteral("VirtualService/%1: spec.http[%2].mirrorPercentage.value: %3 is not a percentage from 0 to 100")
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

QString versionOfDestination(const Release &release, const QJsonObject &destination)
{
    const QString fqdn = fullyQualifiedHost(destination.value(QLatin1String("host")).toString(), release.ns);
    const QString subset = destination.value(QLatin1String("subset")).toString();
    for (const ReleaseVersion &v : release.versions) {
        if (fullyQualifiedHost(v.host, release.ns) == fqdn && v.subset == subset)
            return v.name;
    }
    return subset.isEmpty() ? destination.value(QLatin1String("host")).toString() : subset;
}

QJsonObject withSubsetsFor(const Release &release, const QJsonObject &virtualService)
{
    if (release.dr.isEmpty())
        return {};
    QStringList used;
    for (const QJsonValue &rv : virtualService.value(QLatin1String("spec")).toObject().value(QLatin1String("http")).toArray()) {
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
            subsets.append(QJsonObject { { QStringLiteral("name"), v.subset }, { QStringLiteral("labels"), v.labels } });
    }
    spec.insert(QStringLiteral("subsets"), subsets);
    dr.insert(QStringLiteral("spec"), spec);
    return dr;
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
