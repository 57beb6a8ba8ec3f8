#include "demo/democluster.h"

#include "demo/apiserver.h"
#include "demo/certificates.h"
#include "demo/dataplane.h"
#include "demo/managedfields.h"
#include "demo/meshmetrics.h"
#include "demo/objectstore.h"
#include "k8s/yaml.h"

#include <httplib.h>

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QRandomGenerator>
#include <QSaveFile>
#include <QUrlQuery>

#include <atomic>
#include <map>
#include <thread>

static void initDemoResources()
{
    Q_INIT_RESOURCE(demo_resources);
}

namespace canary::demo {

struct DemoCluster::Private {
    DemoClusterOptions options;
    ObjectStore store;
    MeshMetrics metrics;
    DataPlane dataPlane { store, metrics };
    std::unique_ptr<ApiServer> api;
    httplib::Server gateway;
    httplib::Server metricsServer;
    std::thread apiThread;
    std::thread gatewayThread;
    std::thread metricsThread;
    std::thread usersThread;
    std::atomic<bool> running { false };

    Result<bool> loadSeeds();
    Result<ApiServerOptions> apiOptions(const ServingCertificates &certs, const QString &token,
                                        QByteArray *trustedPem) const;
    Result<int> bindApi(ApiServerOptions apiServerOptions);
    Result<int> bindGateway();
    Result<int> bindMetrics();
    void startServing();
    void runUsers();
};

DemoCluster::DemoCluster(DemoClusterOptions options)
    : d(std::make_unique<Private>())
{
    d->options = std::move(options);
}

DemoCluster::~DemoCluster()
{
    stop();
}

QStringList DemoCluster::seedFiles()
{
    return { QStringLiteral("color-canary"), QStringLiteral("web-two-services"),
             QStringLiteral("greeting-canary-and-dark"), QStringLiteral("myapp-blue-green"),
             QStringLiteral("webserver-mesh-internal") };
}

namespace {

Result<int> loadManifests(ObjectStore &store, const QString &file)
{
    QFile f(file);
    if (!f.open(QIODevice::ReadOnly))
        return makeError(QStringLiteral("cannot read %1").arg(file));
    const Result<QList<QJsonObject>> docs = k8s::parseYamlDocuments(f.readAll());
    if (!docs)
        return makeError(file + QStringLiteral(": ") + docs.error().message);
    int count = 0;
    for (const QJsonObject &doc : *docs) {
        const QString apiVersion = doc.value(QLatin1String("apiVersion")).toString();
        const QString group
                = apiVersion.contains(QLatin1Char('/')) ? apiVersion.section(QLatin1Char('/'), 0, 0) : QString();
        const ResourceType *type = store.findKind(group, doc.value(QLatin1String("kind")).toString());
        if (!type)
            return makeError(QStringLiteral("%1: kind %2 of %3 is not served by the demo cluster")
                                     .arg(file, doc.value(QLatin1String("kind")).toString(), apiVersion));
        const QString ns = doc.value(QLatin1String("metadata"))
                                   .toObject()
                                   .value(QLatin1String("namespace"))
                                   .toString(QStringLiteral("default"));
        // As if an operator had run kubectl apply -f: its manager owns the fields.
        const Result<QJsonObject> created = store.create(
                *type, ns, doc, false, [](const QJsonObject *live, QJsonObject next) -> Result<QJsonObject> {
                    const QString apiVersion = next.value(QLatin1String("apiVersion")).toString();
                    return recordUpdate(live, std::move(next), QStringLiteral("kubectl-client-side-apply"), apiVersion);
                });
        if (!created)
            return makeError(file + QStringLiteral(": ") + created.error().message);
        ++count;
    }
    return count;
}

core::RequestInfo requestInfo(const httplib::Request &req)
{
    core::RequestInfo info;
    info.authority = QString::fromStdString(req.get_header_value("Host")).section(QLatin1Char(':'), 0, 0);
    info.path = QString::fromStdString(req.path);
    info.method = QString::fromStdString(req.method);
    for (const auto &[name, value] : req.headers)
        info.headers.insert(QString::fromStdString(name).toLower(), QString::fromStdString(value));
    for (const auto &[name, value] : req.params)
        info.query.insert(QString::fromStdString(name), QString::fromStdString(value));
    return info;
}

QByteArray kubeconfigYaml(const DemoEndpoints &endpoints, const QByteArray &caPem, const QString &token)
{
    const QJsonObject config {
        { QStringLiteral("apiVersion"), QStringLiteral("v1") },
        { QStringLiteral("kind"), QStringLiteral("Config") },
        { QStringLiteral("current-context"), QStringLiteral("canarydeck-demo") },
        { QStringLiteral("preferences"), QJsonObject() },
        { QStringLiteral("clusters"),
          QJsonArray { QJsonObject {
                  { QStringLiteral("name"), QStringLiteral("canarydeck-demo") },
                  { QStringLiteral("cluster"),
                    QJsonObject {
                            { QStringLiteral("server"), endpoints.api },
                            { QStringLiteral("certificate-authority-data"), QString::fromLatin1(caPem.toBase64()) },
                            { QStringLiteral("extensions"),
                              QJsonArray {
                                      QJsonObject { { QStringLiteral("name"), QStringLiteral("canarydeck.io/traffic") },
                                                    { QStringLiteral("extension"),
                                                      QJsonObject { { QStringLiteral("metrics"), endpoints.metrics },
                                                                    { QStringLiteral("gateway"),
                                                                      endpoints.gateway } } } } } } } } } } },
        { QStringLiteral("users"),
          QJsonArray {
                  QJsonObject { { QStringLiteral("name"), QStringLiteral("demo-admin") },
                                { QStringLiteral("user"), QJsonObject { { QStringLiteral("token"), token } } } } } },
        { QStringLiteral("contexts"),
          QJsonArray {
                  QJsonObject { { QStringLiteral("name"), QStringLiteral("canarydeck-demo") },
                                { QStringLiteral("context"),
                                  QJsonObject { { QStringLiteral("cluster"), QStringLiteral("canarydeck-demo") },
                                                { QStringLiteral("user"), QStringLiteral("demo-admin") },
                                                { QStringLiteral("namespace"), QStringLiteral("default") } } } } } },
    };
    return k8s::renderYaml(config);
}

} // namespace

namespace {

Result<QByteArray> readFlagFile(const QString &flag, const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return makeError(QStringLiteral("--%1 %2: %3").arg(flag, path, file.errorString()));
    return file.readAll();
}

QString randomToken()
{
    QByteArray tokenBytes(24, Qt::Uninitialized);
    for (char &c : tokenBytes)
        c = char(QRandomGenerator::system()->bounded(256));
    return QStringLiteral("demo.") + QString::fromLatin1(tokenBytes.toHex());
}

// Binds an HTTP server to 127.0.0.1:port (0: any free port); the port, or -1.
int bindLoopback(httplib::Server &server, int port)
{
    if (port > 0)
        return server.bind_to_port("127.0.0.1", port) ? port : -1;
    return server.bind_to_any_port("127.0.0.1");
}

Result<bool> writeKubeconfig(const DemoEndpoints &endpoints, const QByteArray &trustedPem, const QString &token)
{
    QDir().mkpath(QFileInfo(endpoints.kubeconfig).absolutePath());
    QSaveFile out(endpoints.kubeconfig);
    if (!out.open(QIODevice::WriteOnly))
        return makeError(
                QStringLiteral("cannot write the kubeconfig %1: %2").arg(endpoints.kubeconfig, out.errorString()));
    out.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner);
    out.write(kubeconfigYaml(endpoints, trustedPem, token));
    if (!out.commit())
        return makeError(
                QStringLiteral("cannot write the kubeconfig %1: %2").arg(endpoints.kubeconfig, out.errorString()));
    return true;
}

} // namespace

Result<bool> DemoCluster::Private::loadSeeds()
{
    for (const QString &seed : seedFiles()) {
        const Result<int> loaded = loadManifests(store, QStringLiteral(":/canarydeck/seeds/%1.yaml").arg(seed));
        if (!loaded)
            return loaded.error();
    }
    // What the demo adds to the seeds: the greeting seed's pods, and MyApp's v3 at 0 replicas.
    for (const char *extra : { "greeting-workloads", "myapp-v3" }) {
        const Result<int> loaded
                = loadManifests(store, QStringLiteral(":/canarydeck/demo/%1.yaml").arg(QLatin1String(extra)));
        if (!loaded)
            return loaded.error();
    }
    return true;
}

// The API server's certificates and authenticators from the options; *trustedPem is what the kubeconfig trusts.
Result<ApiServerOptions> DemoCluster::Private::apiOptions(const ServingCertificates &certs, const QString &token,
                                                          QByteArray *trustedPem) const
{
    ApiServerOptions api;
    api.certificatePem = certs.serverCertificatePem;
    api.keyPem = certs.serverKeyPem;
    api.token = token;
    api.prometheusUrl = options.prometheusUrl;
    *trustedPem = certs.caCertificatePem;
    if (options.tlsCertFile.isEmpty() != options.tlsPrivateKeyFile.isEmpty())
        return makeError(
                QStringLiteral("--tls-cert-file and --tls-private-key-file go together: give both or neither"));
    if (!options.tlsCertFile.isEmpty()) {
        const Result<QByteArray> cert = readFlagFile(QStringLiteral("tls-cert-file"), options.tlsCertFile);
        if (!cert)
            return cert.error();
        const Result<QByteArray> key = readFlagFile(QStringLiteral("tls-private-key-file"), options.tlsPrivateKeyFile);
        if (!key)
            return key.error();
        api.certificatePem = *cert;
        api.keyPem = *key;
        // The kubeconfig trusts what the file holds: a self-signed certificate, or a chain up to its root.
        *trustedPem = *cert;
    }
    if (!options.clientCaFile.isEmpty()) {
        const Result<QByteArray> ca = readFlagFile(QStringLiteral("client-ca-file"), options.clientCaFile);
        if (!ca)
            return ca.error();
        api.clientCaPem = *ca;
    }
    if (!options.tokenAuthFile.isEmpty()) {
        const Result<QList<StaticToken>> tokens = readTokenAuthFile(options.tokenAuthFile);
        if (!tokens)
            return tokens.error();
        api.tokens = *tokens;
    }
    return api;
}

Result<int> DemoCluster::Private::bindApi(ApiServerOptions apiServerOptions)
{
    api = std::make_unique<ApiServer>(store, std::move(apiServerOptions));
    if (!api->isValid()) {
        const QString which = options.tlsCertFile.isEmpty()
                ? QStringLiteral("--client-ca-file %1").arg(options.clientCaFile)
                : QStringLiteral("--tls-cert-file %1 / --tls-private-key-file %2")
                          .arg(options.tlsCertFile, options.tlsPrivateKeyFile);
        return makeError(QStringLiteral("%1: %2").arg(which, api->error()));
    }
    const Result<bool> faults = parseFaults(options.faults, &api->faults());
    if (!faults)
        return faults.error();
    const int port = api->bind(options.apiPort);
    if (port <= 0)
        return makeError(
                QStringLiteral("cannot listen on 127.0.0.1:%1 for the API server (port in use?)").arg(options.apiPort));
    return port;
}

Result<int> DemoCluster::Private::bindGateway()
{
    // A version's latency holds a worker for as long: enough of them that other requests are still served.
    gateway.new_task_queue = [] { return new httplib::ThreadPool(64); };
    gateway.set_keep_alive_max_count(100000);
    gateway.set_tcp_nodelay(true); // headers and body are separate writes: no Nagle wait between them
    gateway.Get(".*", [this](const httplib::Request &req, httplib::Response &res) {
        const GatewayResponse r = dataPlane.handle(requestInfo(req));
        res.status = r.status;
        if (!r.version.isEmpty())
            res.set_header("x-canary-version", r.version.toStdString());
        res.set_content(r.body.toStdString(), r.contentType.toStdString());
    });
    const int port = bindLoopback(gateway, options.gatewayPort);
    if (port <= 0)
        return makeError(QStringLiteral("cannot listen on 127.0.0.1:%1 for the gateway (port in use?)")
                                 .arg(options.gatewayPort));
    return port;
}

Result<int> DemoCluster::Private::bindMetrics()
{
    metricsServer.set_tcp_nodelay(true);
    metricsServer.Get("/metrics", [this](const httplib::Request &, httplib::Response &res) {
        res.set_content(metrics.exposition().toStdString(), "text/plain; version=0.0.4; charset=utf-8");
    });
    const int port = bindLoopback(metricsServer, options.metricsPort);
    if (port <= 0)
        return makeError(
                QStringLiteral("cannot listen on 127.0.0.1:%1 for metrics (port in use?)").arg(options.metricsPort));
    return port;
}

void DemoCluster::Private::startServing()
{
    running = true;
    apiThread = std::thread([this] { api->run(); });
    gatewayThread = std::thread([this] { gateway.listen_after_bind(); });
    metricsThread = std::thread([this] { metricsServer.listen_after_bind(); });
    if (options.usersPerSecond > 0)
        usersThread = std::thread([this] { runUsers(); });
    api->waitUntilReady();
    while (!gateway.is_running() || !metricsServer.is_running())
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
}

Result<DemoEndpoints> DemoCluster::start()
{
    initDemoResources();
    if (d->options.kubeconfigOut.isEmpty())
        return makeError(
                QStringLiteral("--kubeconfig-out is required: the demo cluster writes the kubeconfig that reaches it"));
    const Result<ServingCertificates> certs = generateServingCertificates();
    if (!certs)
        return certs.error();
    // Istio's Prometheus addon is part of the installation, with or without the seeds.
    if (const Result<int> loaded = loadManifests(d->store, QStringLiteral(":/canarydeck/demo/istio-system.yaml"));
        !loaded)
        return loaded.error();
    if (d->options.loadSeeds) {
        if (const Result<bool> loaded = d->loadSeeds(); !loaded)
            return loaded.error();
    }
    const QString token = randomToken();
    QByteArray trustedPem;
    Result<ApiServerOptions> api = d->apiOptions(*certs, token, &trustedPem);
    if (!api)
        return api.error();
    const Result<int> apiPort = d->bindApi(std::move(*api));
    if (!apiPort)
        return apiPort.error();
    const Result<int> gatewayPort = d->bindGateway();
    if (!gatewayPort)
        return gatewayPort.error();
    const Result<int> metricsPort = d->bindMetrics();
    if (!metricsPort)
        return metricsPort.error();

    DemoEndpoints endpoints;
    endpoints.api = QStringLiteral("https://127.0.0.1:%1").arg(*apiPort);
    endpoints.gateway = QStringLiteral("http://127.0.0.1:%1").arg(*gatewayPort);
    endpoints.metrics = QStringLiteral("http://127.0.0.1:%1/metrics").arg(*metricsPort);
    endpoints.kubeconfig = QFileInfo(d->options.kubeconfigOut).absoluteFilePath();
    if (const Result<bool> written = writeKubeconfig(endpoints, trustedPem, token); !written)
        return written.error();
    d->startServing();
    return endpoints;
}

void DemoCluster::Private::runUsers()
{
    // Background users: every route reached at the configured rate, a share of requests with the
    // headers that match routes (x-my-header: dark), so dark releases show on the chart. Answers a
    // version's latency holds back are finished when due, so that one slow version slows no other.
    QHash<int, double> owed;
    std::multimap<std::chrono::steady_clock::time_point, GatewayExchange> held;
    const auto tick = std::chrono::milliseconds(100);
    auto next = std::chrono::steady_clock::now();
    while (running) {
        next += tick;
        const QList<TrafficProfile> profiles = dataPlane.trafficProfiles();
        for (int i = 0; i < profiles.size(); ++i) {
            double &debt = owed[i];
            debt += options.usersPerSecond * profiles.at(i).share * 0.1;
            while (debt >= 1.0 && running) {
                debt -= 1.0;
                GatewayExchange exchange = dataPlane.begin(profiles.at(i).request, profiles.at(i).sourceWorkload);
                if (exchange.delay.count() > 0)
                    held.emplace(exchange.started + exchange.delay, std::move(exchange));
                else
                    dataPlane.finish(exchange);
            }
        }
        while (!held.empty() && held.begin()->first <= next && running) {
            std::this_thread::sleep_until(held.begin()->first);
            dataPlane.finish(held.begin()->second);
            held.erase(held.begin());
        }
        std::this_thread::sleep_until(next);
    }
}

Result<bool> DemoCluster::setFaults(const QString &faults)
{
    if (!d->api)
        return makeError(QStringLiteral("the demo cluster is not running"));
    return parseFaults(faults, &d->api->faults());
}

void DemoCluster::setPrometheusUrl(const QString &url)
{
    d->options.prometheusUrl = url;
    if (d->api)
        d->api->setPrometheusUrl(url);
}

int DemoCluster::dryRunRequests() const
{
    return d->api ? d->api->dryRunRequests() : 0;
}

void DemoCluster::stop()
{
    if (!d->running.exchange(false))
        return;
    if (d->api)
        d->api->stop();
    d->gateway.stop();
    d->metricsServer.stop();
    for (std::thread *t : { &d->apiThread, &d->gatewayThread, &d->metricsThread, &d->usersThread }) {
        if (t->joinable())
            t->join();
    }
}

} // namespace canary::demo
