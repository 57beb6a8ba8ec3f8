#include "core/edit/editsession.h"
#include "core/session/releasesession.h"
#include "core/telemetry/healthmonitor.h"
#include "gui/mainwindow.h"
#include "gui/widgets/trafficchart.h"

#include <QElapsedTimer>
#include <QJsonDocument>
#include <QLabel>
#include <QProcess>
#include <QPushButton>
#include <QTemporaryDir>
#include <QToolButton>
#include <QTreeView>
#include <QtTest>

using namespace canary;
using Connection = core::ReleaseSession::Connection;

// The API server goes away while the operator works: the window says so where they look, stops
// writing with the reason, keeps the edits, draws the outage as a gap, and picks the cluster up
// again when it is back (restarted on other ports, with another CA, as `./dev demo` would).
class TestOutage : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void outageIsShownAndWritingStops();

private:
    static bool startDemo(QProcess *process, const QString &kubeconfig);
};

bool TestOutage::startDemo(QProcess *process, const QString &kubeconfig)
{
    process->setProgram(QStringLiteral(CANARYDECK_DEMO_BINARY));
    process->setArguments(
            { QStringLiteral("--kubeconfig-out"), kubeconfig, QStringLiteral("--users"), QStringLiteral("20") });
    process->start();
    if (!process->waitForStarted(10000))
        return false;
    QElapsedTimer t;
    t.start();
    while (!process->canReadLine() && t.elapsed() < 60000)
        process->waitForReadyRead(1000);
    return process->readLine().startsWith("READY ");
}

void TestOutage::outageIsShownAndWritingStops()
{
    QTemporaryDir dir;
    qputenv("XDG_DATA_HOME", dir.filePath(QStringLiteral("data")).toUtf8());
    qputenv("XDG_CONFIG_HOME", dir.filePath(QStringLiteral("config")).toUtf8());
    const QString path = dir.filePath(QStringLiteral("demo/kubeconfig"));
    auto process = std::make_unique<QProcess>();
    QVERIFY(startDemo(process.get(), path));
    k8s::KubeconfigOptions options;
    options.kubeconfig = path;
    const auto endpoint = k8s::loadKubeconfig(options);
    QVERIFY(endpoint);
    core::ReleaseSession session(*endpoint);
    session.setKubeconfigOptions(options);
    core::HealthMonitor traffic(session.client());
    traffic.setInterval(250);
    gui::MainWindow window(&session, &traffic);
    window.show();
    session.start();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    QTRY_COMPARE_WITH_TIMEOUT(session.connection(), Connection::Connected, 20000);
    QTRY_VERIFY_WITH_TIMEOUT(session.release(QStringLiteral("greeting")), 20000);
    window.selectRelease(QStringLiteral("greeting"));
    window.edits()->setWeight(1, 35);
    auto *apply = window.findChild<QPushButton *>(QStringLiteral("applyButton"));
    auto *banner = window.findChild<QWidget *>(QStringLiteral("connectionBanner"));
    auto *promote = window.findChild<QToolButton *>(QStringLiteral("promoteButton_risky"));
    auto *chart = window.findChild<gui::TrafficChart *>(QStringLiteral("requestsChart"));
    QVERIFY(apply && banner && promote && chart);
    QTRY_VERIFY_WITH_TIMEOUT(apply->isEnabled(), 10000);
    QVERIFY(!banner->isVisible());
    QTRY_VERIFY_WITH_TIMEOUT(chart->points(QStringLiteral("safe")).size() >= 4, 15000);

    // The cluster goes away.
    process->kill();
    QVERIFY(process->waitForFinished(10000));
    QTRY_VERIFY_WITH_TIMEOUT(banner->isVisible(), 3000);
    const QString said = window.findChild<QLabel *>(QStringLiteral("connectionBannerText"))->text();
    QVERIFY2(said.contains(QLatin1String("Lost the connection to")) && said.contains(endpoint->server.toString()),
             qPrintable(said));
    QVERIFY(!apply->isEnabled());
    QVERIFY2(apply->toolTip().contains(QLatin1String("cannot be reached")), qPrintable(apply->toolTip()));
    QVERIFY(!promote->isEnabled());
    QVERIFY(!window.findChild<QPushButton *>(QStringLiteral("rollbackButton"))->isEnabled());
    QVERIFY(window.hasDraft()); // nothing the operator did is lost
    QTest::qWait(4000); // an outage long enough to see on the chart

    // It comes back elsewhere: the session reads the kubeconfig again and finds it.
    process = std::make_unique<QProcess>();
    QVERIFY(startDemo(process.get(), path));
    QTRY_COMPARE_WITH_TIMEOUT(session.connection(), Connection::Connected, 30000);
    QTRY_VERIFY_WITH_TIMEOUT(!banner->isVisible(), 5000);
    QTRY_VERIFY_WITH_TIMEOUT(promote->isEnabled(), 10000);
    // The outage is a gap in the line, not a ramp down to zero and back.
    QTRY_VERIFY_WITH_TIMEOUT(chart->segmentCount(QStringLiteral("safe")) >= 2, 20000);
    QList<QPointF> points = chart->points(QStringLiteral("safe"));
    double longest = 0;
    for (qsizetype i = 1; i < points.size(); ++i)
        longest = qMax(longest, points.at(i).x() - points.at(i - 1).x());
    QVERIFY2(longest >= 3000, qPrintable(QStringLiteral("longest gap %1 ms").arg(longest)));
    process->terminate();
    process->waitForFinished(10000);
}

QTEST_MAIN(TestOutage)
#include "tst_outage.moc"
