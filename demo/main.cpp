#include "demo/democluster.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSocketNotifier>

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

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("canarydeck-demo-cluster"));
    QCoreApplication::setApplicationVersion(QStringLiteral(CANARYDECK_VERSION));

    QCommandLineParser parser;
    parser.setApplicationDescription(
            QStringLiteral("The built-in demo cluster of Canary Deck: a Kubernetes API server with "
                           "Istio's networking API, an emulated Istio data plane, metrics and users."));
    parser.addHelpOption();
    parser.addVersionOption();
    const QCommandLineOption kubeconfigOut(QStringLiteral("kubeconfig-out"),
                                           QStringLiteral("Write the kubeconfig that reaches the cluster to FILE."),
                                           QStringLiteral("FILE"));
    const QCommandLineOption apiPort(QStringLiteral("api-port"),
                                     QStringLiteral("HTTPS port of the API server (0: any free port)."),
                                     QStringLiteral("PORT"), QStringLiteral("0"));
    const QCommandLineOption gatewayPort(QStringLiteral("gateway-port"),
                                         QStringLiteral("HTTP port of the ingress gateway (0: any free port)."),
                                         QStringLiteral("PORT"), QStringLiteral("0"));
    const QCommandLineOption metricsPort(QStringLiteral("metrics-port"),
                                         QStringLiteral("HTTP port of the Prometheus metrics (0: any free port)."),
                                         QStringLiteral("PORT"), QStringLiteral("0"));
    const QCommandLineOption users(QStringLiteral("users"),
                                   QStringLiteral("Background requests per second per route (0: none)."),
                                   QStringLiteral("RPS"), QStringLiteral("20"));
    const QCommandLineOption empty(QStringLiteral("empty"), QStringLiteral("Start without the seed scenarios."));
    const QCommandLineOption fault(
            QStringLiteral("fault"),
            QStringLiteral("Misbehave on purpose, for tests: 429=N and 500=N answer the next N API requests so, 410=N "
                           "expires the next N watches or continued lists, slow=MS delays every answer, drop-watch=MS "
                           "cuts watch streams after MS."),
            QStringLiteral("LIST"));
    const QCommandLineOption tokenAuthFile(
            QStringLiteral("token-auth-file"),
            QStringLiteral("Bearer tokens that authenticate, as kube-apiserver reads them: "
                           "token,user,uid,\"group1,group2\" per line. Members of canarydeck:viewers may only read."),
            QStringLiteral("FILE"));
    const QCommandLineOption clientCaFile(QStringLiteral("client-ca-file"),
                                          QStringLiteral("Client certificates signed by a CA in FILE authenticate as "
                                                         "their CN, with their O values as groups."),
                                          QStringLiteral("FILE"));
    const QCommandLineOption tlsCertFile(QStringLiteral("tls-cert-file"),
                                         QStringLiteral("Serve this PEM certificate (then any intermediates) instead "
                                                        "of a generated one; the kubeconfig written trusts the file."),
                                         QStringLiteral("FILE"));
    const QCommandLineOption tlsKeyFile(QStringLiteral("tls-private-key-file"),
                                        QStringLiteral("The PEM private key of --tls-cert-file."),
                                        QStringLiteral("FILE"));
    parser.addOptions({ kubeconfigOut, apiPort, gatewayPort, metricsPort, users, empty, fault, tokenAuthFile,
                        clientCaFile, tlsCertFile, tlsKeyFile });
    parser.process(app);

    const auto port = [&](const QCommandLineOption &option) {
        bool ok = false;
        const int value = parser.value(option).toInt(&ok);
        if (!ok || value < 0 || value > 65535) {
            std::fprintf(stderr, "error: --%s must be a port number from 0 to 65535, not \"%s\"\n",
                         qPrintable(option.names().constFirst()), qPrintable(parser.value(option)));
            std::exit(2);
        }
        return value;
    };
    canary::demo::DemoClusterOptions options;
    options.kubeconfigOut = parser.value(kubeconfigOut);
    options.apiPort = port(apiPort);
    options.gatewayPort = port(gatewayPort);
    options.metricsPort = port(metricsPort);
    bool ok = false;
    options.usersPerSecond = parser.value(users).toDouble(&ok);
    if (!ok || options.usersPerSecond < 0) {
        std::fprintf(stderr, "error: --users must be a number of requests per second, 0 or more\n");
        return 2;
    }
    options.loadSeeds = !parser.isSet(empty);
    options.faults = parser.value(fault);
    options.tokenAuthFile = parser.value(tokenAuthFile);
    options.clientCaFile = parser.value(clientCaFile);
    options.tlsCertFile = parser.value(tlsCertFile);
    options.tlsPrivateKeyFile = parser.value(tlsKeyFile);

    canary::demo::DemoCluster cluster(options);
    const auto started = cluster.start();
    if (!started) {
        std::fprintf(stderr, "error: %s\n", qPrintable(started.error().message));
        return 1;
    }
    // The documented order (api, gateway, metrics, kubeconfig); QJsonObject would sort the keys.
    const auto field = [](const char *key, const QString &value) -> QByteArray {
        const QByteArray quoted = QJsonDocument(QJsonArray { value }).toJson(QJsonDocument::Compact);
        return QByteArray("\"") + key + "\":" + quoted.mid(1, quoted.size() - 2);
    };
    const QByteArray ready = "{" + field("api", started->api) + "," + field("gateway", started->gateway) + ","
            + field("metrics", started->metrics) + "," + field("kubeconfig", started->kubeconfig) + "}";
    std::printf("READY %s\n", ready.constData());
    std::fflush(stdout);

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
