#include "core/model/release.h"

#include "core/model/istio.h"
#include "core/routing/routing.h"

#include <QMultiHash>
#include <QRegularExpression>
#include <QSet>

#include <algorithm>
#include <optional>
#include <thread>
#include <vector>

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

int Release::stableVersion() const
{
    const QList<int> weights = routeWeights(defaultRoute);
    int best = versions.isEmpty() ? -1 : 0;
    for (int i = 1; i < weights.size(); ++i) {
        if (weights.at(i) > weights.at(best))
            best = i;
    }
    return best;
}

int Release::canaryVersion() const
{
    const int stable = stableVersion();
    if (versions.size() < 2)
        return -1;
    const QList<int> weights = routeWeights(defaultRoute);
    int best = -1;
    for (int i = 0; i < weights.size(); ++i) {
        if (i != stable && weights.at(i) > 0 && (best < 0 || weights.at(i) > weights.at(best)))
            best = i;
    }
    if (best >= 0)
        return best;
    return stable == int(versions.size()) - 1 ? stable - 1 : int(versions.size()) - 1;
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

QList<QJsonObject> *snapshotItems(NamespaceSnapshot &s, const QString &kind)
{
    return kind == QLatin1String("VirtualService")     ? &s.virtualServices
            : kind == QLatin1String("DestinationRule") ? &s.destinationRules
            : kind == QLatin1String("Gateway")         ? &s.gateways
            : kind == QLatin1String("Service")         ? &s.services
            : kind == QLatin1String("Deployment")      ? &s.deployments
            : kind == QLatin1String("Pod")             ? &s.pods
                                                       : nullptr;
}

bool addToSnapshot(NamespaceSnapshot &s, const QJsonObject &object)
{
    QList<QJsonObject> *into = snapshotItems(s, object.value(QLatin1String("kind")).toString());
    if (into)
        into->append(object);
    return into != nullptr;
}

namespace {

void addVersion(Release &r, const QString &name, const QString &host, const QString &subset,
                const QJsonObject &labels = {})
{
    ReleaseVersion v;
    v.name = name;
    v.host = host;
    v.subset = subset;
    v.service = serviceNameOfHost(host, r.ns);
    v.labels = labels;
    r.versions.append(v);
}

// The versions the routes name, in order of appearance; returns the destination hosts (FQDN) in that order.
QStringList addRoutedVersions(Release &r, const QJsonArray &http)
{
    QStringList destinationHosts;
    for (const QJsonValue &route : http) {
        for (const RouteDestination &d : routeDestinations(route.toObject())) {
            const QString fqdn = fullyQualifiedHost(d.host, r.ns);
            if (!destinationHosts.contains(fqdn))
                destinationHosts.append(fqdn);
            bool known = false;
            for (const ReleaseVersion &v : std::as_const(r.versions))
                known = known || (fullyQualifiedHost(v.host, r.ns) == fqdn && v.subset == d.subset);
            if (!known)
                addVersion(r, d.subset.isEmpty() ? hostShortName(d.host, r.ns) : d.subset, d.host, d.subset);
        }
    }
    return destinationHosts;
}

// The subsets of the DestinationRules of those hosts: labels for the routed versions, and versions of their own.
void addSubsets(Release &r, const QList<const QJsonObject *> &rules, const QString &defaultNs)
{
    for (const QJsonObject *dr : rules) {
        const QJsonObject drSpec = dr->value(QLatin1String("spec")).toObject();
        const QString drHost
                = fullyQualifiedHost(drSpec.value(QLatin1String("host")).toString(), objectNamespace(*dr, defaultNs));
        if (r.destinationRule.isEmpty()) {
            r.destinationRule = objectName(*dr);
            r.dr = *dr;
        }
        for (const QJsonValue &sv : drSpec.value(QLatin1String("subsets")).toArray()) {
            const QJsonObject subset = sv.toObject();
            const QString subsetName = subset.value(QLatin1String("name")).toString();
            const QJsonObject labels = subset.value(QLatin1String("labels")).toObject();
            bool found = false;
            for (ReleaseVersion &v : r.versions) {
                if (v.subset == subsetName && fullyQualifiedHost(v.host, r.ns) == drHost) {
                    v.labels = labels;
                    found = true;
                }
            }
            if (!found)
                addVersion(r, subsetName, drSpec.value(QLatin1String("host")).toString(), subsetName, labels);
        }
    }
}

// Pods of the service labelled with a `version` no subset names yet are versions too.
void addLabelledVersions(Release &r, const NamespaceSnapshot &s, const ServiceIndex &services)
{
    if (r.dr.isEmpty())
        return;
    const QString drHost = r.dr.value(QLatin1String("spec")).toObject().value(QLatin1String("host")).toString();
    const QJsonObject *svc = services.value(serviceNameOfHost(drHost, r.ns));
    const QJsonObject selector = svc ? serviceSelector(*svc) : QJsonObject();
    if (selector.isEmpty())
        return;
    QStringList labelled;
    for (const QJsonObject &pod : s.pods) {
        const QJsonObject labels = labelsOf(pod);
        const QString version = labels.value(QLatin1String("version")).toString();
        if (!version.isEmpty() && labelsMatch(selector, labels) && !labelled.contains(version))
            labelled.append(version);
    }
    labelled.sort();
    for (const QString &version : std::as_const(labelled)) {
        bool named = false;
        for (const ReleaseVersion &v : std::as_const(r.versions))
            named = named || v.name == version || v.labels.value(QLatin1String("version")).toString() == version;
        if (named)
            continue;
        addVersion(r, version, drHost, version, QJsonObject { { QStringLiteral("version"), version } });
        r.versions.last().needsSubset = true;
    }
}

// A stable order whatever the routes say: the DestinationRule's subsets as written, then the rest.
void sortBySubsets(Release &r)
{
    if (r.dr.isEmpty())
        return;
    QStringList subsetOrder;
    for (const QJsonValue &sv : r.dr.value(QLatin1String("spec")).toObject().value(QLatin1String("subsets")).toArray())
        subsetOrder.append(sv.toObject().value(QLatin1String("name")).toString());
    const auto rank = [&](const ReleaseVersion &v) {
        const qsizetype i = subsetOrder.indexOf(v.subset);
        return i < 0 ? subsetOrder.size() : i;
    };
    std::stable_sort(r.versions.begin(), r.versions.end(),
                     [&](const ReleaseVersion &a, const ReleaseVersion &b) { return rank(a) < rank(b); });
}

void addRoutes(Release &r, const QJsonArray &http)
{
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
}

} // namespace

namespace {

using RulesByHost = QMultiHash<QString, const QJsonObject *>; // FQDN -> DestinationRules, in input order

// The release of one VirtualService; none when it routes to no version.
std::optional<Release> buildRelease(const QJsonObject &vs, const NamespaceSnapshot &s, const ServiceIndex &services,
                                    const RulesByHost &rulesByHost, bool podsKnown)
{
    Release r;
    r.vs = vs;
    r.ns = objectNamespace(vs, s.ns);
    r.virtualService = objectName(vs);
    const QJsonObject spec = vs.value(QLatin1String("spec")).toObject();
    for (const QJsonValue &h : spec.value(QLatin1String("hosts")).toArray())
        r.hosts.append(h.toString());
    for (const QJsonValue &g : spec.value(QLatin1String("gateways")).toArray())
        r.gateways.append(g.toString());
    const QJsonArray http = spec.value(QLatin1String("http")).toArray();
    const QStringList destinationHosts = addRoutedVersions(r, http);
    if (r.versions.isEmpty())
        return std::nullopt;
    QList<const QJsonObject *> rules;
    for (const QString &host : destinationHosts)
        rules.append(rulesByHost.values(host));
    addSubsets(r, rules, s.ns);
    addLabelledVersions(r, s, services);
    sortBySubsets(r);
    for (ReleaseVersion &v : r.versions)
        fillPods(v, s, services, podsKnown);
    addRoutes(r, http);
    QSet<QString> serviceNames;
    for (const ReleaseVersion &v : std::as_const(r.versions))
        serviceNames.insert(v.service.isEmpty() ? v.host : v.service);
    r.name = serviceNames.size() == 1 ? *serviceNames.begin() : r.virtualService;
    return r;
}

} // namespace

QList<Release> buildReleases(const NamespaceSnapshot &s)
{
    const bool podsKnown = !s.pods.isEmpty() || !s.deployments.isEmpty();
    const ServiceIndex services = indexServices(s);
    RulesByHost rulesByHost;
    for (auto it = s.destinationRules.crbegin(); it != s.destinationRules.crend(); ++it)
        rulesByHost.insert(
                fullyQualifiedHost(it->value(QLatin1String("spec")).toObject().value(QLatin1String("host")).toString(),
                                   objectNamespace(*it, s.ns)),
                &*it);
    // Each VirtualService is a release of its own: a namespace of thousands is built on every core,
    // in pieces kept in order (the inputs are only read, and Qt's implicit sharing counts atomically).
    const qsizetype count = s.virtualServices.size();
    const int pieces = count < 512 ? 1 : int(qBound<unsigned>(1, std::thread::hardware_concurrency(), 4));
    QList<QList<Release>> built(pieces);
    const auto build = [&](int piece) {
        for (qsizetype i = count * piece / pieces; i < count * (piece + 1) / pieces; ++i)
            if (std::optional<Release> r = buildRelease(s.virtualServices.at(i), s, services, rulesByHost, podsKnown))
                built[piece].append(std::move(*r));
    };
    std::vector<std::thread> threads;
    for (int piece = 1; piece < pieces; ++piece)
        threads.emplace_back(build, piece);
    build(0);
    for (std::thread &t : threads)
        t.join();
    QList<Release> out;
    out.reserve(count);
    for (QList<Release> &piece : built)
        out.append(std::move(piece));
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
                                  names.isEmpty()
                                          ? QString()
                                          : QStringLiteral("; releases here: ") + names.join(QLatin1String(", "))));
}

Result<int> resolveRoute(const Release &release, const QString &nameOrIndex)
{
    if (nameOrIndex.isEmpty()) {
        if (release.defaultRoute < 0)
            return makeError(
                    QStringLiteral("VirtualService/%1: spec.http: no http routes").arg(release.virtualService));
        return release.defaultRoute;
    }
    bool isIndex = false;
    const int index = nameOrIndex.toInt(&isIndex);
    if (isIndex) {
        if (!release.route(index))
            return makeError(
                    QStringLiteral("VirtualService/%1: spec.http[%2]: no such route; routes are numbered 0 to %3")
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
                                  names.isEmpty()
                                          ? QStringLiteral(" (its routes have no names; give an index)")
                                          : QStringLiteral("; named routes: ") + names.join(QLatin1String(", "))));
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

} // namespace canary::core
