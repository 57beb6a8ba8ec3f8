#include "core/session/releasesession.h"
#include "core/telemetry/healthmonitor.h"
#include "gui/mainwindow.h"
#include "gui/startupreport.h"
#include "k8s/kubeconfig.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QMessageBox>
#include <QTimer>
#include <QTreeView>

#include <cstdio>
#include <memory>
#include <optional>

namespace {

struct Options {
    QCommandLineOption kubeconfig { QStringLiteral("kubeconfig"),
                                    QCoreApplication::translate("main", "Path to the kubeconfig file to use."),
                                    QStringLiteral("FILE") };
    QCommandLineOption context { QStringLiteral("context"),
                                 QCoreApplication::translate("main", "The kubeconfig context to use."),
                                 QStringLiteral("NAME") };
    QCommandLineOption ns { { QStringLiteral("n"), QStringLiteral("namespace") },
                            QCoreApplication::translate("main", "The namespace to open."),
                            QStringLiteral("NAME") };
    QCommandLineOption metrics { QStringLiteral("metrics-url"),
                                 QCoreApplication::translate(
                                         "main",
                                         "A Prometheus-format page with istio_requests_total, for clusters without "
                                         "Prometheus: request rates only (default: the kubeconfig's "
                                         "canarydeck.io/traffic extension)."),
                                 QStringLiteral("URL") };
    QCommandLineOption prometheus { QStringLiteral("prometheus-url"),
                                    QCoreApplication::translate(
                                            "main",
                                            "Prometheus' base URL (default: the kubeconfig's canarydeck.io/prometheus "
                                            "extension, else a Prometheus Service found in the cluster, reached "
                                            "through the API server)."),
                                    QStringLiteral("URL") };
    QCommandLineOption screenshot { QStringLiteral("screenshot"),
                                    QCoreApplication::translate(
                                            "main", "Save a screenshot of the window to FILE after SECONDS and quit."),
                                    QStringLiteral("FILE") };
    QCommandLineOption screenshotDelay { QStringLiteral("screenshot-delay"),
                                         QCoreApplication::translate("main", "Seconds before --screenshot."),
                                         QStringLiteral("SECONDS"), QStringLiteral("8") };
    QCommandLineOption present { QStringLiteral("present"),
                                 QCoreApplication::translate(
                                         "main",
                                         "Open in presentation mode: full screen, large type, high contrast "
                                         "(View → Presentation, F11).") };
    QCommandLineOption select { QStringLiteral("select"),
                                QCoreApplication::translate("main", "Service to select at start."),
                                QStringLiteral("NAME") };
    // For ./dev bench: print the start-up figures as JSON once the service list is populated, then quit.
    QCommandLineOption startupReport { QStringLiteral("startup-report") };
    Options() { startupReport.setFlags(QCommandLineOption::HiddenFromHelp); }
};

void describe(QCommandLineParser &parser, const Options &o)
{
    parser.setApplicationDescription(
            QCoreApplication::translate("main", "Release new versions of services on Kubernetes with Istio."));
    parser.addHelpOption();
    parser.addVersionOption();
    parser.addOptions({ o.kubeconfig, o.context, o.ns, o.metrics, o.prometheus, o.screenshot, o.screenshotDelay,
                        o.present, o.select, o.startupReport });
}

// --help, --version and bad flags are answered before any display is opened: they work over ssh. The exit status
// when one was answered.
std::optional<int> answerWithoutDisplay(int argc, char *argv[])
{
    QStringList arguments;
    for (int i = 0; i < argc; ++i)
        arguments.append(QString::fromLocal8Bit(argv[i]));
    QCommandLineParser parser;
    const Options o;
    describe(parser, o);
    if (!parser.parse(arguments)) {
        std::fprintf(stderr, "canarydeck: %s\n", qPrintable(parser.errorText()));
        return 2;
    }
    if (parser.isSet(QStringLiteral("help")) || parser.isSet(QStringLiteral("help-all"))) {
        // Without an application object the parser does not know the program's name.
        std::fputs(qPrintable(parser.helpText().replace(QLatin1String("<executable_name>"),
                                                        QCoreApplication::applicationName())),
                   stdout);
        return 0;
    }
    if (parser.isSet(QStringLiteral("version"))) {
        std::printf("canarydeck %s\n", CANARYDECK_VERSION);
        return 0;
    }
    return std::nullopt;
}

// --select: the release is selected once the session first knows it.
void selectWhenListed(canary::gui::MainWindow &window, canary::core::ReleaseSession *session, const QString &name)
{
    auto done = std::make_shared<bool>(false);
    QObject::connect(session, &canary::core::ReleaseSession::releasesChanged, &window, [&window, session, done, name] {
        if (*done || !session->release(name))
            return;
        *done = true;
        QMetaObject::invokeMethod(
                &window, [&window, name] { window.selectRelease(name); }, Qt::QueuedConnection);
    });
}

// --screenshot: the window saved to a file after a delay, then the application quits.
void screenshotAfter(canary::gui::MainWindow &window, double seconds, const QString &file)
{
    QTimer::singleShot(int(seconds * 1000), &window, [&window, file] {
        const bool saved = window.grab().save(file);
        std::fprintf(stderr, saved ? "screenshot saved to %s\n" : "error: cannot save %s\n", qPrintable(file));
        QApplication::exit(saved ? 0 : 1);
    });
}

} // namespace

int main(int argc, char *argv[])
{
    QElapsedTimer sinceLaunch;
    sinceLaunch.start();
    QCoreApplication::setApplicationName(QStringLiteral("canarydeck"));
    QCoreApplication::setApplicationVersion(QStringLiteral(CANARYDECK_VERSION));
    if (const std::optional<int> status = answerWithoutDisplay(argc, argv))
        return *status;
    QApplication app(argc, argv);
    QApplication::setApplicationDisplayName(QStringLiteral("Canary Deck"));
    QApplication::setOrganizationName(QStringLiteral("canarydeck"));
    QApplication::setDesktopFileName(QStringLiteral("io.canarydeck.CanaryDeck"));
    QCommandLineParser parser;
    const Options o;
    describe(parser, o);
    parser.process(app);

    canary::k8s::KubeconfigOptions options;
    options.kubeconfig = parser.value(o.kubeconfig);
    options.context = parser.value(o.context);
    options.ns = parser.value(o.ns);
    const auto endpoint = canary::k8s::loadKubeconfig(options);
    if (!endpoint) {
        std::fprintf(stderr, "error: %s\n", qPrintable(endpoint.error().message));
        QMessageBox::critical(nullptr, QApplication::translate("main", "Canary Deck cannot load the kubeconfig"),
                              endpoint.error().message);
        return 1;
    }

    auto *session = new canary::core::ReleaseSession(*endpoint);
    session->setKubeconfigOptions(options); // read again on each reconnection, as kubectl would
    canary::core::HealthMonitor health(session->client());
    health.setInterval(2000); // Prometheus scrapes the mesh every few seconds: the charts keep up with it
    health.setPrometheusUrl(QUrl(parser.value(o.prometheus)));
    health.setScrapeUrl(QUrl(parser.value(o.metrics)));
    canary::gui::MainWindow window(session, &health);
    session->setParent(&window); // a context switch replaces it
    window.setKubeconfig(options);
    window.show();
    if (parser.isSet(o.startupReport)) {
        if (auto *list = window.findChild<QTreeView *>(QStringLiteral("releaseList")))
            new canary::gui::StartupReport(sinceLaunch, list->model(), &window);
    }
    session->start();
    if (parser.isSet(o.select))
        selectWhenListed(window, session, parser.value(o.select));
    if (parser.isSet(o.present))
        window.setPresentation(true);
    if (parser.isSet(o.screenshot))
        screenshotAfter(window, parser.value(o.screenshotDelay).toDouble(), parser.value(o.screenshot));
    return app.exec();
}
