#include "k8s/kubeclient.h"
#include "k8s/kubeconfig.h"
#include "gui/mainwindow.h"
#include "core/session/releasesession.h"
#include "core/telemetry/trafficmonitor.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QMessageBox>
#include <QTimer>
#include <QTreeWidget>

#include <cstdio>

int main(int argc, char *argv[])
{
    QApplication app(argc, argv);
    QApplication::setApplicationName(QStringLiteral("canarydeck"));
    QApplication::setApplicationDisplayName(QStringLiteral("Canary Deck"));
    QApplication::setApplicationVersion(QStringLiteral(CANARYDECK_VERSION));
    QApplication::setDesktopFileName(QStringLiteral("io.canarydeck.CanaryDeck"));

    QCommandLineParser parser;
    parser.setApplicationDescription(QApplication::translate("main", "Release new versions of services on Kubernetes with Istio."));
    parser.addHelpOption();
    parser.addVersionOption();
    const QCommandLineOption kubeconfig(QStringLiteral("kubeconfig"), QApplication::translate("main", "Path to the kubeconfig file to use."), QStringLiteral("FILE"));
    const QCommandLineOption context(QStringLiteral("context"), QApplication::translate("main", "The kubeconfig context to use."), QStringLiteral("NAME"));
    const QCommandLineOption ns({ QStringLiteral("n"), QStringLiteral("namespace") }, QApplication::translate("main", "The namespace to open."), QStringLiteral("NAME"));
    const QCommandLineOption metrics(QStringLiteral("metrics-url"), QApplication::translate("main", "Prometheus-format endpoint with istio_requests_total (default: from the kubeconfig's canarydeck.io/traffic extension)."), QStringLiteral("URL"));
    const QCommandLineOption screenshot(QStringLiteral("screenshot"), QApplication::translate("main", "Save a screenshot of the window to FILE after SECONDS and quit."), QStringLiteral("FILE"));
    const QCommandLineOption screenshotDelay(QStringLiteral("screenshot-delay"), QApplication::translate("main", "Seconds before --screenshot."), QStringLiteral("SECONDS"), QStringLiteral("8"));
    const QCommandLineOption select(QStringLiteral("select"), QApplication::translate("main", "Service to select at start."), QStringLiteral("NAME"));
    parser.addOptions({ kubeconfig, context, ns, metrics, screenshot, screenshotDelay, select });
    parser.process(app);

    canary::k8s::KubeconfigOptions options;
    options.kubeconfig = parser.value(kubeconfig);
    options.context = parser.value(context);
    options.ns = parser.value(ns);
    const auto endpoint = canary::k8s::loadKubeconfig(options);
    if (!endpoint) {
        std::fprintf(stderr, "error: %s\n", qPrintable(endpoint.error().message));
        QMessageBox::critical(nullptr, QApplication::translate("main", "Canary Deck cannot load the kubeconfig"), endpoint.error().message);
        return 1;
    }

    canary::core::ReleaseSession session(*endpoint);
    session.setKubeconfigOptions(options);
    canary::core::TrafficMonitor traffic(session.client());
    const auto announcedMetrics = [](const canary::k8s::ClusterEndpoint &ep) {
        return QUrl(ep.clusterExtensions.value(QStringLiteral("canarydeck.io/traffic")).toObject().value(QStringLiteral("metrics")).toString());
    };
    QUrl metricsUrl(parser.value(metrics));
    if (metricsUrl.isEmpty()) {
        metricsUrl = announcedMetrics(*endpoint);
        // A demo cluster started again announces its metrics on another port.
        QObject::connect(session.client(), &canary::k8s::KubeClient::endpointChanged, &traffic,
                         [&] { traffic.setSource(announcedMetrics(session.endpoint())); });
    }
    traffic.setSource(metricsUrl);

    canary::gui::MainWindow window(&session, &traffic);
    window.show();
    session.start();

    if (parser.isSet(select)) {
        QObject::connect(&session, &canary::core::ReleaseSession::releasesChanged, &window, [&] {
            static bool done = false;
            if (!done && session.release(parser.value(select))) {
                done = true;
                QMetaObject::invokeMethod(&window, [&] {
                    auto *list = window.findChild<QTreeWidget *>(QStringLiteral("releaseList"));
                    for (int i = 0; list && i < list->topLevelItemCount(); ++i) {
                        if (list->topLevelItem(i)->text(0) == parser.value(select))
                            list->setCurrentItem(list->topLevelItem(i));
                    }
                }, Qt::QueuedConnection);
            }
        });
    }
    if (parser.isSet(screenshot)) {
        QTimer::singleShot(int(parser.value(screenshotDelay).toDouble() * 1000), &window, [&] {
            const bool saved = window.grab().save(parser.value(screenshot));
            std::fprintf(stderr, saved ? "screenshot saved to %s\n" : "error: cannot save %s\n", qPrintable(parser.value(screenshot)));
            QApplication::exit(saved ? 0 : 1);
        });
    }
    return app.exec();
}
