#include "demo/dataplane.h"
#include "core/model/istio.h"

#include "demo/objectstore.h"

#include <QDateTime>
#include <QRandomGenerator>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <thread>

namespace canary::demo {

using core::fullyQualifiedHost;
using core::labelsMatch;
using core::objectName;
using core::objectNamespace;

struct DataPlane::Table {
    quint64 generation = 0;
    QList<QJsonObject> virtualServices; // oldest first
    QList<QJsonObject> destinationRules;
    QList<QJsonObject> services;
    QList<QJsonObject> pods;
    QList<QJsonObject> gateways;
    std::map<QString, WorkloadFaults> faults; // by namespace/deployment
};

DataPlane::DataPlane(const ObjectStore &store, MeshMetrics &metrics)
    : m_store(store)
    , m_metrics(metrics)
{ }

std::shared_ptr<const DataPlane::Table> DataPlane::table()
{
    std::lock_guard lock(m_mutex);
    const quint64 generation = m_store.generation();
    if (m_table && m_table->generation == generation)
        return m_table;
    auto t = std::make_shared<Table>();
    t->generation = generation;
    const QString istio = core::kIstioGroup;
    t->virtualServices = m_store.snapshot(istio, QStringLiteral("virtualservices"));
    std::stable_sort(t->virtualServices.begin(), t->virtualServices.end(),
                     [](const QJsonObject &a, const QJsonObject &b) {
                         const QString ta = a.value(QLatin1String("metadata"))
                                                    .toObject()
                                                    .value(QLatin1String("creationTimestamp"))
                                                    .toString();
                         const QString tb = b.value(QLatin1String("metadata"))
                                                    .toObject()
                                                    .value(QLatin1String("creationTimestamp"))
                                                    .toString();
                         if (ta != tb)
                             return ta < tb;
                         // Same second: the older resourceVersion was created first.
                         return core::resourceVersion(a).toLongLong() < core::resourceVersion(b).toLongLong();
                     });
    t->destinationRules = m_store.snapshot(istio, QStringLiteral("destinationrules"));
    t->gateways = m_store.snapshot(istio, QStringLiteral("gateways"));
    t->services = m_store.snapshot({}, QStringLiteral("services"));
    t->pods = m_store.snapshot({}, QStringLiteral("pods"));
    QStringList invalid;
    t->faults = workloadFaults(m_store.snapshot(QStringLiteral("apps"), QStringLiteral("deployments")), &invalid);
    for (const QString &message : std::as_const(invalid)) {
        if (m_reported.insert(message).second) // once: the table is built again on every change
            std::fprintf(stderr, "canarydeck-demo-cluster: %s\n", qPrintable(message));
    }
    m_table = t;
    return t;
}

namespace {

QStringList stringList(const QJsonValue &v)
{
    QStringList out;
    for (const QJsonValue &s : v.toArray())
        out.append(s.toString());
    return out;
}

bool hostMatches(const QString &pattern, const QString &authority)
{
    if (pattern == QLatin1String("*"))
        return true;
    if (pattern.startsWith(QLatin1String("*.")))
        return authority.endsWith(pattern.mid(1), Qt::CaseInsensitive);
    return pattern.compare(authority, Qt::CaseInsensitive) == 0;
}

bool gatewayExists(const QList<QJsonObject> &gateways, const QString &reference, const QString &vsNamespace)
{
    QString ns = vsNamespace;
    QString name = reference;
    if (reference.contains(QLatin1Char('/'))) {
        ns = reference.section(QLatin1Char('/'), 0, 0);
        name = reference.section(QLatin1Char('/'), 1);
    }
    for (const QJsonObject &gw : gateways) {
        if (objectName(gw) == name && objectNamespace(gw) == ns)
            return true;
    }
    return false;
}

const QJsonObject *serviceForFqdn(const QList<QJsonObject> &services, const QString &fqdn)
{
    for (const QJsonObject &svc : services) {
        if (fullyQualifiedHost(objectName(svc), objectNamespace(svc)) == fqdn)
            return &svc;
    }
    return nullptr;
}

QByteArray page(const QString &service, const QString &version, const QString &pod, const QString &color)
{
    const QString bg = color.isEmpty() ? QStringLiteral("#f4f1ea") : color;
    const QString fg = color.isEmpty() ? QStringLiteral("#1d2a33") : QStringLiteral("#ffffff");
    return QStringLiteral(
                   "<!doctype html>\n<html><head><meta charset=\"utf-8\"><title>%1 %2</title></head>\n"
                   "<body style=\"background:%3;color:%4;font-family:sans-serif;text-align:center;padding-top:15vh\">\n"
                   "<h1>%1</h1>\n<p class=\"version\">version <b>%2</b></p>\n<p class=\"pod\">served by %5</p>\n"
                   "</body></html>\n")
            .arg(service.toHtmlEscaped(), version.toHtmlEscaped(), bg.toHtmlEscaped(), fg, pod.toHtmlEscaped())
            .toUtf8();
}

} // namespace

QJsonArray DataPlane::routesFor(const Table &t, const core::RequestInfo &request, bool *mesh, QString *meshService,
                                QString *routeNamespace) const
{
    const QString authority = request.authority.section(QLatin1Char(':'), 0, 0);
    const QString meshFqdn = fullyQualifiedHost(authority, QStringLiteral("default"));
    const QJsonObject *svc = serviceForFqdn(t.services, meshFqdn);
    QJsonArray merged;
    if (svc) {
        *mesh = true;
        *meshService = meshFqdn;
        for (const QJsonObject &vs : t.virtualServices) {
            const QJsonObject spec = vs.value(QLatin1String("spec")).toObject();
            const QStringList gateways = stringList(spec.value(QLatin1String("gateways")));
            if (!gateways.isEmpty() && !gateways.contains(QLatin1String("mesh")))
                continue;
            const QString ns = objectNamespace(vs);
            bool hit = false;
            for (const QString &h : stringList(spec.value(QLatin1String("hosts"))))
                hit = hit || fullyQualifiedHost(h, ns) == meshFqdn;
            if (!hit)
                continue;
            *routeNamespace = ns;
            // For the mesh, Istio takes one VirtualService per host (others conflict): the oldest.
            return spec.value(QLatin1String("http")).toArray();
        }
        return merged;
    }
    *mesh = false;
    for (const QJsonObject &vs : t.virtualServices) {
        const QJsonObject spec = vs.value(QLatin1String("spec")).toObject();
        const QString ns = objectNamespace(vs);
        bool bound = false;
        for (const QString &g : stringList(spec.value(QLatin1String("gateways")))) {
            if (g != QLatin1String("mesh") && gatewayExists(t.gateways, g, ns))
                bound = true;
        }
        if (!bound)
            continue;
        bool hostHit = false;
        for (const QString &h : stringList(spec.value(QLatin1String("hosts"))))
            hostHit = hostHit || hostMatches(h, authority);
        if (!hostHit)
            continue;
        // Gateway-bound VirtualServices for one host merge, oldest first. Keep each route's namespace.
        for (const QJsonValue &r : spec.value(QLatin1String("http")).toArray()) {
            QJsonObject route = r.toObject();
            route.insert(QStringLiteral("$namespace"), ns);
            merged.append(route);
        }
    }
    *routeNamespace = QString();
    return merged;
}

namespace {

// The labels of `subset` in the DestinationRules for `fqdn`; false when none defines it.
bool findSubsetLabels(const QList<QJsonObject> &destinationRules, const QString &fqdn, const QString &subset,
                      QJsonObject *labels)
{
    bool found = false;
    for (const QJsonObject &dr : destinationRules) {
        const QJsonObject spec = dr.value(QLatin1String("spec")).toObject();
        if (fullyQualifiedHost(spec.value(QLatin1String("host")).toString(), objectNamespace(dr)) != fqdn)
            continue;
        for (const QJsonValue &s : spec.value(QLatin1String("subsets")).toArray()) {
            if (s.toObject().value(QLatin1String("name")).toString() == subset) {
                *labels = s.toObject().value(QLatin1String("labels")).toObject();
                found = true;
            }
        }
    }
    return found;
}

// The pods of a Service (its selector) in a subset (its labels): the endpoints Envoy balances over.
QList<const QJsonObject *> endpointsOf(const QList<QJsonObject> &pods, const QJsonObject &service,
                                       const QJsonObject &subsetLabels)
{
    const QJsonObject selector
            = service.value(QLatin1String("spec")).toObject().value(QLatin1String("selector")).toObject();
    QList<const QJsonObject *> endpoints;
    for (const QJsonObject &pod : pods) {
        if (objectNamespace(pod) != objectNamespace(service) || selector.isEmpty())
            continue;
        const QJsonObject labels = core::labelsOf(pod);
        if (labelsMatch(selector, labels) && labelsMatch(subsetLabels, labels))
            endpoints.append(&pod);
    }
    return endpoints;
}

QString workloadOf(const QJsonObject &pod)
{
    return pod.value(QLatin1String("metadata"))
            .toObject()
            .value(QLatin1String("annotations"))
            .toObject()
            .value(QLatin1String("canarydeck.io/deployment"))
            .toString();
}

GatewayResponse textResponse(int status, const QByteArray &text, const QString &service = {})
{
    return GatewayResponse { status, text, "text/plain; charset=utf-8", {}, service };
}

} // namespace

bool DataPlane::routeRequest(const Table &t, const core::RequestInfo &request, Target *target,
                             GatewayResponse *refusal) const
{
    QString meshService;
    QString routeNs;
    const QJsonArray http = routesFor(t, request, &target->mesh, &meshService, &routeNs);
    if (target->mesh && http.isEmpty()) {
        target->fqdn = meshService; // no VirtualService: the Service balances over all its pods
        return true;
    }
    const int index = core::firstMatchingRoute(http, request);
    if (index < 0) {
        *refusal = textResponse(404, "no route matched " + request.path.toUtf8() + "\n");
        return false;
    }
    const QJsonObject route = http.at(index).toObject();
    if (routeNs.isEmpty())
        routeNs = route.value(QLatin1String("$namespace")).toString();
    const QList<core::RouteDestination> dests = core::routeDestinations(route);
    const int picked = core::pickDestination(dests, QRandomGenerator::global()->generateDouble());
    if (picked < 0) {
        *refusal = textResponse(503, "no destination with a weight\n");
        return false;
    }
    target->fqdn = fullyQualifiedHost(dests.at(picked).host, routeNs);
    target->subset = dests.at(picked).subset;
    return true;
}

GatewayResponse DataPlane::handle(const core::RequestInfo &request, const QString &sourceWorkload)
{
    GatewayExchange exchange = begin(request, sourceWorkload);
    if (exchange.delay.count() > 0)
        std::this_thread::sleep_for(exchange.delay);
    finish(exchange);
    return exchange.response;
}

void DataPlane::finish(GatewayExchange &exchange)
{
    if (!exchange.record)
        return;
    const std::chrono::duration<double, std::milli> elapsed = std::chrono::steady_clock::now() - exchange.started;
    exchange.record->durationMs += elapsed.count();
    m_metrics.record(*exchange.record);
    exchange.record.reset();
}

GatewayExchange DataPlane::begin(const core::RequestInfo &request, const QString &sourceWorkload)
{
    GatewayExchange exchange;
    exchange.started = std::chrono::steady_clock::now();
    const std::shared_ptr<const Table> t = table();
    Target target;
    if (!routeRequest(*t, request, &target, &exchange.response))
        return exchange;
    const QString source = !sourceWorkload.isEmpty() ? sourceWorkload
            : target.mesh                            ? QStringLiteral("demo-client")
                                                     : QStringLiteral("istio-ingressgateway");
    const QJsonObject *svc = serviceForFqdn(t->services, target.fqdn);
    const QString serviceName = svc ? objectName(*svc) : target.fqdn.section(QLatin1Char('.'), 0, 0);
    const QString serviceNs = svc ? objectNamespace(*svc) : target.fqdn.section(QLatin1Char('.'), 1, 1);
    exchange.record = RequestRecord {
        source, target.fqdn,          serviceName, serviceNs, QStringLiteral("unknown"), QStringLiteral("unknown"),
        503,    QStringLiteral("NR"), 0.2
    };
    const auto fail = [&](const QByteArray &why, const QString &flags) {
        exchange.record->responseFlags = flags;
        exchange.response = textResponse(503, why, serviceName);
        return exchange;
    };
    if (!svc)
        return fail("no healthy upstream: no Service " + target.fqdn.toUtf8() + "\n", QStringLiteral("NR"));
    QJsonObject subsetLabels;
    if (!target.subset.isEmpty() && !findSubsetLabels(t->destinationRules, target.fqdn, target.subset, &subsetLabels))
        return fail("no healthy upstream: subset " + target.subset.toUtf8() + " of " + target.fqdn.toUtf8()
                            + " is not defined by any DestinationRule\n",
                    QStringLiteral("NR"));
    const QList<const QJsonObject *> endpoints = endpointsOf(t->pods, *svc, subsetLabels);
    if (endpoints.isEmpty())
        return fail("no healthy upstream\n", QStringLiteral("UH"));
    serve(*t, *endpoints.at(QRandomGenerator::global()->bounded(int(endpoints.size()))), target, &exchange);
    return exchange;
}

// The backend's answer from one pod: the version's page, or the error and the latency its Deployment's
// annotations ask for.
void DataPlane::serve(const Table &t, const QJsonObject &pod, const Target &target, GatewayExchange *exchange)
{
    RequestRecord &record = *exchange->record;
    const QJsonObject podLabels = core::labelsOf(pod);
    const QString workload = workloadOf(pod);
    const QString versionLabel = podLabels.value(QLatin1String("version")).toString();
    record.destinationVersion = versionLabel.isEmpty() ? QStringLiteral("unknown") : versionLabel;
    record.destinationWorkload = workload.isEmpty() ? QStringLiteral("unknown") : workload;
    record.responseCode = 200;
    record.responseFlags = QStringLiteral("-");
    record.durationMs = 4.0 + 12.0 * -std::log(1.0 - QRandomGenerator::global()->generateDouble() * 0.999);

    const QString &serviceName = record.destinationServiceName;
    const QString version = target.subset.isEmpty() ? serviceName : target.subset;
    const QString shownVersion
            = target.subset.isEmpty() ? (versionLabel.isEmpty() ? serviceName : versionLabel) : target.subset;
    const auto faults = t.faults.find(objectNamespace(pod) + QLatin1Char('/') + workload);
    if (faults != t.faults.end()) {
        exchange->delay = std::chrono::milliseconds(faults->second.latencyMs);
        if (faults->second.errorPercent > 0 && m_errors.nextFails(faults->first, faults->second.errorPercent)) {
            record.responseCode = 500;
            exchange->response = textResponse(500,
                                              QByteArray("internal server error (") + kErrorPercentAnnotation + " on "
                                                      + workload.toUtf8() + ")\n",
                                              serviceName);
            exchange->response.version = version;
            return;
        }
    }
    exchange->response = GatewayResponse {
        200, page(serviceName, shownVersion, objectName(pod), podLabels.value(QLatin1String("color")).toString()),
        "text/html; charset=utf-8", version, serviceName
    };
}

namespace {

bool synthesize(const QJsonObject &block, core::RequestInfo *request)
{
    const QJsonObject uri = block.value(QLatin1String("uri")).toObject();
    if (uri.contains(QLatin1String("exact")))
        request->path = uri.value(QLatin1String("exact")).toString();
    else if (uri.contains(QLatin1String("prefix")))
        request->path = uri.value(QLatin1String("prefix")).toString();
    else if (uri.contains(QLatin1String("regex")))
        return false;
    const QJsonObject headers = block.value(QLatin1String("headers")).toObject();
    for (auto it = headers.begin(); it != headers.end(); ++it) {
        const QJsonObject sm = it.value().toObject();
        if (sm.contains(QLatin1String("regex")))
            return false;
        request->headers.insert(it.key().toLower(),
                                sm.value(QLatin1String("exact"))
                                        .toString(sm.value(QLatin1String("prefix")).toString(QStringLiteral("1"))));
    }
    const QJsonObject query = block.value(QLatin1String("queryParams")).toObject();
    for (auto it = query.begin(); it != query.end(); ++it) {
        const QJsonObject sm = it.value().toObject();
        if (sm.contains(QLatin1String("regex")))
            return false;
        request->query.insert(it.key(),
                              sm.value(QLatin1String("exact")).toString(sm.value(QLatin1String("prefix")).toString()));
    }
    return true;
}

void addProfiles(const QJsonArray &http, const QString &authority, const QString &source, QList<TrafficProfile> *out)
{
    static const QStringList fallbackPaths { QStringLiteral("/"), QStringLiteral("/index.html"),
                                             QStringLiteral("/home"), QStringLiteral("/api/items") };
    for (int i = 0; i < http.size(); ++i) {
        const QJsonObject route = http.at(i).toObject();
        const QJsonArray match = route.value(QLatin1String("match")).toArray();
        core::RequestInfo request;
        request.authority = authority;
        bool made = false;
        bool hasHeaders = false;
        if (match.isEmpty()) {
            for (const QString &path : fallbackPaths) {
                request.path = path;
                if (core::firstMatchingRoute(http, request) == i) {
                    made = true;
                    break;
                }
            }
        } else {
            request.path = QStringLiteral("/");
            const QJsonObject block = match.at(0).toObject();
            hasHeaders = block.contains(QLatin1String("headers"));
            made = synthesize(block, &request) && core::firstMatchingRoute(http, request) == i;
        }
        if (made)
            out->append(TrafficProfile { request, hasHeaders ? 0.15 : 1.0, source });
    }
}

} // namespace

QList<TrafficProfile> DataPlane::trafficProfiles()
{
    const std::shared_ptr<const Table> t = table();
    QList<TrafficProfile> out;
    core::RequestInfo probe;
    probe.authority = QStringLiteral("demo.canarydeck.local");
    bool mesh = false;
    QString meshService;
    QString ns;
    addProfiles(routesFor(*t, probe, &mesh, &meshService, &ns), probe.authority, QStringLiteral("istio-ingressgateway"),
                &out);
    QStringList seen;
    for (const QJsonObject &vs : t->virtualServices) {
        const QJsonObject spec = vs.value(QLatin1String("spec")).toObject();
        const QStringList gateways = stringList(spec.value(QLatin1String("gateways")));
        if (!gateways.isEmpty() && !gateways.contains(QLatin1String("mesh")))
            continue;
        for (const QString &h : stringList(spec.value(QLatin1String("hosts")))) {
            const QString fqdn = fullyQualifiedHost(h, objectNamespace(vs));
            if (seen.contains(fqdn) || !serviceForFqdn(t->services, fqdn))
                continue;
            seen.append(fqdn);
            probe.authority = h;
            addProfiles(routesFor(*t, probe, &mesh, &meshService, &ns), h, QStringLiteral("demo-client"), &out);
        }
    }
    return out;
}

} // namespace canary::demo
