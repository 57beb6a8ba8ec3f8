#include "demo/democluster.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSocketNotifier>
#include <QUrl>

#include <csignal>
#include <cstdio>
#include <sys/socket.h>
#include <unistd.h>

namespace {

int signalPipe[2];

void onSignal(int)
{
    const char c = 1;
    [[maybe_unused]] const auto n = ::write(signalPipe[1], &c, 1);
}

struct Flags {
    QCommandLineOption kubeconfigOut { QStringLiteral("kubeconfig-out"),
                                       QStringLiteral("Write the kubeconfig that reaches the cluster to FILE."),
                                       QStringLiteral("FILE") };
    QCommandLineOption apiPort { QStringLiteral("api-port"),
                                 QStringLiteral("HTTPS port of the API server (0: any free port)."),
                                 QStringLiteral("PORT"), QStringLiteral("0") };
    QCommandLineOption gatewayPort { QStringLiteral("gateway-port"),
                                     QStringLiteral("HTTP port of the ingress gateway (0: any free port)."),
                                     QStringLiteral("PORT"), QStringLiteral("0") };
    QCommandLineOption metricsPort { QStringLiteral("metrics-port"),
                                     QStringLiteral("HTTP port of the Prometheus metrics (0: any free port)."),
                                     QStringLiteral("PORT"), QStringLiteral("0") };
    QCommandLineOption users { QStringLiteral("users"),
                               QStringLiteral("Background requests per second per route (0: none)."),
                               QStringLiteral("RPS"), QStringLiteral("20") };
    QCommandLineOption empty { QStringLiteral("empty"), QStringLiteral("Start without the seed scenarios.") };
    QCommandLineOption fault {
        QStringLiteral("fault"),
        QStringLiteral("Misbehave on purpose, for tests: 429=N and 500=N answer the next N API requests so, 410=N "
                       "expires the next N watches or continued lists, slow=MS delays every answer, drop-watch=MS "
                       "cuts watch streams after MS."),
        QStringLiteral("LIST")
    };
    QCommandLineOption tokenAuthFile {
        QStringLiteral("token-auth-file"),
        QStringLiteral("Bearer tokens that authenticate, as kube-apiserver reads them: "
                       "token,user,uid,\"group1,group2\" per line. Members of canarydeck:viewers may only read."),
        QStringLiteral("FILE")
    };
    QCommandLineOption clientCaFile { QStringLiteral("client-ca-file"),
                                      QStringLiteral("Client certificates signed by a CA in FILE authenticate as "
                                                     "their CN, with their O values as groups."),
                                      QStringLiteral("FILE") };
    QCommandLineOption tlsCertFile { QStringLiteral("tls-cert-file"),
                                     QStringLiteral("Serve this PEM certificate (then any intermediates) instead "
                                                    "of a generated one; the kubeconfig written trusts the file."),
                                     QStringLiteral("FILE") };
    QCommandLineOption prometheusUrl {
        QStringLiteral("prometheus-url"),
        QStringLiteral("The Prometheus server that Service prometheus in istio-system stands for: the API server's "
                       "service proxy forwards to URL (without it, the proxy answers 503: no endpoints)."),
        QStringLiteral("URL")
    };
    QCommandLineOption tlsKeyFile { QStringLiteral("tls-private-key-file"),
                                    QStringLiteral("The PEM private key of --tls-cert-file."), QStringLiteral("FILE") };

    void describe(QCommandLineParser &parser) const
    {
        parser.setApplicationDescription(
                QStringLiteral("The built-in demo cluster of Canary Deck: a Kubernetes API server with "
                               "Istio's networking API, an emulated Istio data plane, metrics and users."));
        parser.addHelpOption();
        parser.addVersionOption();
        parser.addOptions({ kubeconfigOut, apiPort, gatewayPort, metricsPort, users, empty, fault, tokenAuthFile,
                            clientCaFile, tlsCertFile, tlsKeyFile, prometheusUrl });
    }
};

// A port flag's value; exits with status 2 when it is not a port number.
int portValue(const QCommandLineParser &parser, const QCommandLineOption &option)
{
    bool ok = false;
    const int value = parser.value(option).toInt(&ok);
    if (!ok || value < 0 || value > 65535) {
        std::fprintf(stderr, "error: --%s must be a port number from 0 to 65535, not \"%s\"\n",
                     qPrintable(option.names().constFirst()), qPrintable(parser.value(option)));
        std::exit(2);
    }
    return value;
}

// The cluster's options from the flags; false (after saying why) when a value is not usable.
bool readOptions(const QCommandLineParser &parser, const Flags &flags, canary::demo::DemoClusterOptions *options)
{
    options->kubeconfigOut = parser.value(flags.kubeconfigOut);
    options->apiPort = portValue(parser, flags.apiPort);
    options->gatewayPort = portValue(parser, flags.gatewayPort);
    options->metricsPort = portValue(parser, flags.metricsPort);
    bool ok = false;
    options->usersPerSecond = parser.value(flags.users).toDouble(&ok);
    if (!ok || options->usersPerSecond < 0) {
        std::fprintf(stderr, "error: --users must be a number of requests per second, 0 or more\n");
        return false;
    }
    options->loadSeeds = !parser.isSet(flags.empty);
    options->faults = parser.value(flags.fault);
    options->tokenAuthFile = parser.value(flags.tokenAuthFile);
    options->clientCaFile = parser.value(flags.clientCaFile);
    options->tlsCertFile = parser.value(flags.tlsCertFile);
    options->tlsPrivateKeyFile = parser.value(flags.tlsKeyFile);
    options->prometheusUrl = parser.value(flags.prometheusUrl);
    const QUrl prometheus(options->prometheusUrl, QUrl::StrictMode);
    if (!options->prometheusUrl.isEmpty()
        && (!prometheus.isValid() || prometheus.host().isEmpty() || prometheus.scheme() != QLatin1String("http"))) {
        std::fprintf(stderr, "error: --prometheus-url must be an http:// URL, not \"%s\"\n",
                     qPrintable(options->prometheusUrl));
        return false;
    }
    return true;
}

// READY and the endpoints as JSON in the documented order (api, gateway, metrics, kubeconfig); QJsonObject
// would sort the keys.
QByteArray readyLine(const canary::demo::DemoEndpoints &endpoints)
{
    const auto field = [](const char *key, const QString &value) -> QByteArray {
        const QByteArray quoted = QJsonDocument(QJsonArray { value }).toJson(QJsonDocument::Compact);
        return QByteArray("\"") + key + "\":" + quoted.mid(1, quoted.size() - 2);
    };
    return "READY {" + field("api", endpoints.api) + "," + field("gateway", endpoints.gateway) + ","
            + field("metrics", endpoints.metrics) + "," + field("kubeconfig", endpoints.kubeconfig) + "}\n";
}

// Serves until SIGINT or SIGTERM, then stops the cluster.
int runUntilSignalled(QCoreApplication &app, canary::demo::DemoCluster &cluster)
{
    if (::pipe(signalPipe) != 0)
        return 1;
    std::signal(SIGINT, onSignal);
    std::signal(SIGTERM, onSignal);
    std::signal(SIGPIPE, SIG_IGN);
    QSocketNotifier notifier(signalPipe[0], QSocketNotifier::Read);
    QObject::connect(&notifier, &QSocketNotifier::activated, &app, [&] {
        cluster.stop();
        QCoreApplication::quit();
    });
    return app.exec();
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("canarydeck-demo-cluster"));
    QCoreApplication::setApplicationVersion(QStringLiteral(CANARYDECK_VERSION));
    QCommandLineParser parser;
    const Flags flags;
    flags.describe(parser);
    parser.process(app);
    canary::demo::DemoClusterOptions options;
    if (!readOptions(parser, flags, &options))
        return 2;

    canary::demo::DemoCluster cluster(options);
    const auto started = cluster.start();
    if (!started) {
        std::fprintf(stderr, "error: %s\n", qPrintable(started.error().message));
        return 1;
    }
    std::fputs(readyLine(*started).constData(), stdout);
    std::fflush(stdout);
    return runUntilSignalled(app, cluster);
}
