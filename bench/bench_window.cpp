// The window's cold start (issue 9): from launch to the first populated service list, the resident
// memory then, and the longest event-loop stall while loading, on the demo cluster and with 2,000 and
// 10,000 services (each with its DestinationRule and VirtualService) in one namespace; next to
// `kubectl get svc,dr,vs` of the same namespace. The window runs offscreen in a process of its own,
// as an operator starts it; the demo cluster is another process. Figures are printed, never judged.
#include "bench/benchsupport.h"
#include "k8s/kubeclient.h"
#include "k8s/kuberequest.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QJsonDocument>
#include <QProcess>
#include <QTemporaryDir>

#include <cstdio>

using namespace canary;
using namespace canary::bench;

namespace {

struct Startup {
    QList<double> firstListMs;
    QList<double> residentMiB;
    QList<double> stallMs;
    int rows = 0;
    QString error;
};

Startup measureWindow(const QStringList &app, const QString &kubeconfig, const QString &ns, int runs,
                      const QString &dataHome)
{
    Startup out;
    for (int run = 0; run < runs; ++run) {
        QProcess window;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("QT_QPA_PLATFORM"), QStringLiteral("offscreen"));
        env.insert(QStringLiteral("XDG_DATA_HOME"), dataHome);
        env.insert(QStringLiteral("XDG_CONFIG_HOME"), dataHome);
        window.setProcessEnvironment(env);
        window.start(app.constFirst(),
                     app.mid(1)
                             + QStringList { QStringLiteral("--kubeconfig"), kubeconfig, QStringLiteral("-n"), ns,
                                             QStringLiteral("--startup-report") });
        if (!window.waitForFinished(kTimeoutMs)) {
            window.kill();
            out.error = QStringLiteral("the window did not list the services within %1 s").arg(kTimeoutMs / 1000);
            return out;
        }
        // The report is the last JSON line: a profiler under --wrap may print after it.
        QJsonObject report;
        const QList<QByteArray> lines = window.readAllStandardOutput().trimmed().split('\n');
        for (auto line = lines.crbegin(); line != lines.crend() && report.isEmpty(); ++line)
            report = QJsonDocument::fromJson(*line).object();
        if (report.isEmpty() || report.contains(QLatin1String("error"))) {
            out.error = QStringLiteral("the window failed: %1 %2")
                                .arg(report.value(QLatin1String("error")).toString(),
                                     QString::fromUtf8(window.readAllStandardError()).left(400));
            return out;
        }
        out.firstListMs.append(report.value(QLatin1String("firstListMs")).toDouble());
        out.residentMiB.append(report.value(QLatin1String("residentMiB")).toDouble());
        out.stallMs.append(report.value(QLatin1String("longestStallMs")).toDouble());
        out.rows = report.value(QLatin1String("rows")).toInt();
    }
    return out;
}

double kubectlMs(const QString &kubectl, const QString &kubeconfig, const QString &ns, int runs)
{
    QList<double> ms;
    for (int run = 0; run < runs; ++run) {
        QProcess p;
        QElapsedTimer clock;
        clock.start();
        p.start(kubectl,
                { QStringLiteral("--kubeconfig"), kubeconfig, QStringLiteral("get"), QStringLiteral("svc,dr,vs"),
                  QStringLiteral("-n"), ns, QStringLiteral("-o"), QStringLiteral("name") });
        if (!p.waitForFinished(kTimeoutMs) || p.exitCode() != 0)
            return -1;
        ms.append(clock.nsecsElapsed() / 1e6);
    }
    return median(ms);
}

bool load(const k8s::ClusterEndpoint &endpoint, const QString &ns, int services)
{
    k8s::KubeClient client(endpoint);
    QList<Create> creates {
        { QStringLiteral("/api/v1/namespaces"),
          QJsonDocument(QJsonObject { { QStringLiteral("apiVersion"), QStringLiteral("v1") },
                                      { QStringLiteral("kind"), QStringLiteral("Namespace") },
                                      { QStringLiteral("metadata"), QJsonObject { { QStringLiteral("name"), ns } } } })
                  .toJson(QJsonDocument::Compact) }
    };
    // The namespace first: objects in it are refused until it exists.
    QStringList failures = createAll(&client, creates, 1);
    creates.clear();
    for (int i = 0; i < services; ++i) {
        const QString name = QStringLiteral("bulk-%1").arg(i);
        appendRelease(creates, name, ns);
    }
    failures += createAll(&client, creates, 16);
    if (!failures.isEmpty())
        std::fprintf(stderr, "bench_window: %lld of %lld creates failed, the first: %s\n", qint64(failures.size()),
                     qint64(creates.size()), qUtf8Printable(failures.constFirst()));
    return failures.isEmpty();
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
            "The window's cold start to its first service list, on the demo cluster and with many services."));
    parser.addHelpOption();
    const QCommandLineOption demoOption(
            QStringLiteral("demo"), QStringLiteral("The canarydeck-demo-cluster binary."), QStringLiteral("FILE"),
            QCoreApplication::applicationDirPath() + QStringLiteral("/../demo/canarydeck-demo-cluster"));
    const QCommandLineOption appOption(QStringLiteral("app"), QStringLiteral("The canarydeck binary."),
                                       QStringLiteral("FILE"),
                                       QCoreApplication::applicationDirPath() + QStringLiteral("/../gui/canarydeck"));
    const QCommandLineOption kubectlOption(QStringLiteral("kubectl"), QStringLiteral("The kubectl binary."),
                                           QStringLiteral("FILE"), QStringLiteral("kubectl"));
    const QCommandLineOption runsOption(QStringLiteral("runs"), QStringLiteral("Cold starts per case."),
                                        QStringLiteral("N"), QStringLiteral("3"));
    const QCommandLineOption sizesOption(
            QStringLiteral("services"), QStringLiteral("Namespaces of this many services to measure, comma-separated."),
            QStringLiteral("N,N"), QStringLiteral("2000,10000"));
    const QCommandLineOption wrapOption(
            QStringLiteral("wrap"),
            QStringLiteral("Run the window under this command (a profiler: \"perf record -g -o FILE\")."),
            QStringLiteral("COMMAND"));
    parser.addOptions({ demoOption, appOption, kubectlOption, runsOption, sizesOption, wrapOption });
    parser.process(app);
    const int runs = qMax(1, parser.value(runsOption).toInt());

    QTemporaryDir tmp;
    DemoProcess demo(parser.value(demoOption), { QStringLiteral("--users"), QStringLiteral("0") }, tmp.path());
    if (!demo.ok()) {
        std::fprintf(stderr, "bench_window: %s\n", qUtf8Printable(demo.error()));
        return 1;
    }
    std::printf("Window cold start: launch to the first populated service list (offscreen), %d runs each, medians\n",
                runs);
    std::printf("%-34s %12s %12s %14s %18s\n", "namespace", "first list", "resident", "longest stall",
                "kubectl get (same)");
    const auto print = [&](const QString &label, const QString &ns) {
        const QStringList command = parser.value(wrapOption).split(QLatin1Char(' '), Qt::SkipEmptyParts)
                + QStringList { parser.value(appOption) };
        const Startup s = measureWindow(command, demo.kubeconfig(), ns, runs, tmp.filePath(QStringLiteral("home")));
        if (!s.error.isEmpty()) {
            std::printf("%-34s %s\n", qPrintable(label), qPrintable(s.error));
            return;
        }
        std::printf("%-34s %9.0f ms %8.1f MiB %11.1f ms %15.0f ms\n", qPrintable(label), median(s.firstListMs),
                    median(s.residentMiB), median(s.stallMs),
                    kubectlMs(parser.value(kubectlOption), demo.kubeconfig(), ns, runs));
        std::fflush(stdout);
    };
    print(QStringLiteral("demo (5 releases, 1 Service)"), QStringLiteral("default"));
    for (const QString &size : parser.value(sizesOption).split(QLatin1Char(','), Qt::SkipEmptyParts)) {
        const int n = size.toInt();
        const QString ns = QStringLiteral("bench-%1").arg(n);
        if (!load(demo.endpoint(), ns, n))
            return 1;
        print(QStringLiteral("%1 services with DR and VS").arg(n), ns);
    }
    std::printf("(the aim: a first list under 1 s and under 150 MiB with 10,000 services; the event loop never\n"
                " stalls long enough to freeze the window)\n");
    return 0;
}
