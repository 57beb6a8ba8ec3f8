#include "core/edit/editsession.h"
#include "core/session/releasesession.h"
#include "core/telemetry/healthmonitor.h"
#include "gui/mainwindow.h"
#include "gui/widgets/trafficchart.h"
#include "tests/support/testcluster.h"
#include "tests/support/testprometheus.h"

#include <QAction>
#include <QApplication>
#include <QClipboard>
#include <QLabel>
#include <QMessageBox>
#include <QPushButton>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTimer>
#include <QtTest>

using namespace canary;

// The window over a real Prometheus scraping the demo cluster every second, read through the demo API
// server's service proxy, as on a real cluster: the 60-second story of the README, told by a test.
class TestHealthWindow : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();
    void threeChartsOnOneTimeAxis();
    void sourceAndPromqlAreShown();
    void applyIsAMarkerOnEveryChart();
    void faultTurnsTheVerdictAndRollsBack();

private:
    gui::TrafficChart *chart(const char *name) const;
    QString verdict(const QString &version) const;

    QTemporaryDir m_home;
    std::unique_ptr<test::TestCluster> m_cluster;
    std::unique_ptr<test::TestPrometheus> m_prometheus;
    std::unique_ptr<core::ReleaseSession> m_session;
    std::unique_ptr<core::HealthMonitor> m_health;
    std::unique_ptr<gui::MainWindow> m_window;
};

static const int kWindow = 15; // seconds of telemetry each verdict looks at

void TestHealthWindow::initTestCase()
{
    qputenv("XDG_CONFIG_HOME", m_home.filePath(QStringLiteral("config")).toUtf8()); // the gates' settings
    const QString error = test::startMeasuredCluster(&m_cluster, &m_prometheus, kWindow);
    QVERIFY2(error.isEmpty(), qPrintable(error));
    m_session = std::make_unique<core::ReleaseSession>(m_cluster->endpoint(), nullptr,
                                                       m_home.filePath(QStringLiteral("journal")));
    m_health = std::make_unique<core::HealthMonitor>(m_session->client());
    m_health->setInterval(1000);
    m_health->setHistorySeconds(120);
    m_window = std::make_unique<gui::MainWindow>(m_session.get(), m_health.get());
    core::HealthThresholds gates = m_health->thresholds();
    gates.windowSeconds = kWindow;
    gates.minRequests = 5;
    // The story is the error fault: in 15 s a canary's p99 is nearly its slowest request, which a
    // loaded machine (sanitizers, tests side by side) makes noisy; latency is tst_telemetry's.
    gates.maxP99Factor = 4;
    m_health->setThresholds(gates);
    m_window->show();
    m_session->start();
    QVERIFY(QTest::qWaitForWindowExposed(m_window.get()));
    QTRY_VERIFY_WITH_TIMEOUT(m_session->release(QStringLiteral("greeting")), 20000);
    m_window->selectRelease(QStringLiteral("greeting"));
    QTRY_COMPARE(m_window->selectedRelease(), QStringLiteral("greeting"));
}

void TestHealthWindow::cleanupTestCase()
{
    m_window.reset();
    m_health.reset();
    m_session.reset();
    m_prometheus.reset();
    m_cluster.reset();
}

gui::TrafficChart *TestHealthWindow::chart(const char *name) const
{
    return m_window->findChild<gui::TrafficChart *>(QLatin1String(name));
}

QString TestHealthWindow::verdict(const QString &version) const
{
    const auto *badge = m_window->findChild<QLabel *>(QStringLiteral("verdict_") + version);
    return badge && badge->isVisible() ? badge->text() : QString();
}

void TestHealthWindow::threeChartsOnOneTimeAxis()
{
    const char *names[] = { "requestsChart", "errorsChart", "latencyChart" };
    for (const char *name : names) {
        gui::TrafficChart *c = chart(name);
        QVERIFY2(c && c->isVisible(), name);
        QTRY_COMPARE_WITH_TIMEOUT(c->seriesCount(), 2, 20000);
        QTRY_VERIFY2_WITH_TIMEOUT(c->points(QStringLiteral("safe")).size() >= 3, name, 20000);
    }
    QCOMPARE(chart("requestsChart")->title(), QStringLiteral("Requests per second"));
    QCOMPARE(chart("errorsChart")->title(), QStringLiteral("Errors (5xx)"));
    QCOMPARE(chart("latencyChart")->title(), QStringLiteral("Latency p99"));
    // One time axis: the same moments in the three, and latency in milliseconds, not seconds.
    const QList<QPointF> requests = chart("requestsChart")->points(QStringLiteral("safe"));
    const QList<QPointF> latency = chart("latencyChart")->points(QStringLiteral("safe"));
    QVERIFY(qAbs(requests.constLast().x() - latency.constLast().x()) <= 5000);
    QVERIFY2(latency.constLast().y() > 20 && latency.constLast().y() < 1000,
             qPrintable(QString::number(latency.constLast().y())));
    // The stable version at 80 % serves most requests; it has no errors.
    QTRY_VERIFY_WITH_TIMEOUT(chart("requestsChart")->points(QStringLiteral("safe")).constLast().y()
                                     > chart("requestsChart")->points(QStringLiteral("risky")).constLast().y(),
                             10000);
    QCOMPARE(chart("errorsChart")->points(QStringLiteral("safe")).constLast().y(), 0.0);
}

void TestHealthWindow::sourceAndPromqlAreShown()
{
    auto *source = m_window->findChild<QLabel *>(QStringLiteral("telemetrySource"));
    QVERIFY(source);
    QTRY_VERIFY2_WITH_TIMEOUT(source->text().contains(QLatin1String("scraped")), qPrintable(source->text()), 20000);
    QVERIFY2(source->text().startsWith(
                     QStringLiteral("Prometheus istio-system/prometheus:9090 via the API server · scraped")),
             qPrintable(source->text()));
    QVERIFY2(!source->text().contains(QLatin1String("color:#b3261e")), qPrintable(source->text())); // no problem
    auto *copy = m_window->findChild<QPushButton *>(QStringLiteral("copyPromqlButton"));
    QVERIFY(copy);
    QTRY_VERIFY(copy->isEnabled());
    QTest::mouseClick(copy, Qt::LeftButton);
    const QString promql = QGuiApplication::clipboard()->text();
    QVERIFY2(promql.contains(QLatin1String("istio_requests_total")), qPrintable(promql));
    QVERIFY2(promql.contains(QLatin1String("histogram_quantile(0.99")), qPrintable(promql));
    QVERIFY2(promql.contains(QLatin1String("reporter=\"destination\"")), qPrintable(promql));
    QVERIFY2(promql.contains(QLatin1String("[15s]")), qPrintable(promql)); // the gates' window
}

void TestHealthWindow::applyIsAMarkerOnEveryChart()
{
    QCOMPARE(chart("requestsChart")->markerCount(), 0);
    m_window->edits()->setWeight(1, 30);
    auto *apply = m_window->findChild<QPushButton *>(QStringLiteral("applyButton"));
    QSignalSpy finished(m_session.get(), &core::ReleaseSession::applyFinished);
    QTRY_VERIFY_WITH_TIMEOUT(apply->isEnabled(), 10000);
    QTest::mouseClick(apply, Qt::LeftButton);
    QTRY_COMPARE_WITH_TIMEOUT(finished.size(), 1, 20000);
    QVERIFY2(finished.at(0).at(1).toBool(), qPrintable(finished.at(0).at(2).toString()));
    for (const char *name : { "requestsChart", "errorsChart", "latencyChart" }) {
        QTRY_COMPARE_WITH_TIMEOUT(chart(name)->markerCount(), 1, 5000);
        QVERIFY2(chart(name)->markerSummary(0).contains(QLatin1String("30")),
                 qPrintable(chart(name)->markerSummary(0)));
    }
    // The badge sits beside the slider: the stable version says so, the canary is judged against it.
    QTRY_COMPARE_WITH_TIMEOUT(verdict(QStringLiteral("safe")), QStringLiteral("stable"), 20000);
    QTRY_COMPARE_WITH_TIMEOUT(verdict(QStringLiteral("risky")), QStringLiteral("healthy"), 30000);
    const QString reading = m_window->findChild<QLabel *>(QStringLiteral("reading_risky"))->text();
    QVERIFY2(reading.contains(QLatin1String("success 100.0 %")) && reading.contains(QLatin1String("p99")),
             qPrintable(reading));
}

void TestHealthWindow::faultTurnsTheVerdictAndRollsBack()
{
    // On the projector: twice the type at 1280×720, the badges with it.
    const double normal = m_window->findChild<QLabel *>(QStringLiteral("reading_risky"))->font().pointSizeF();
    m_window->setPresentation(true);
    QVERIFY(m_window->isPresenting());
    QTRY_VERIFY(m_window->findChild<QLabel *>(QStringLiteral("verdict_risky"))->font().pointSizeF() >= 2 * normal);
    QVERIFY(m_window->findChild<QLabel *>(QStringLiteral("reading_risky"))->font().pointSizeF() >= 2 * normal);
    QVERIFY(chart("errorsChart")->isVisible() && chart("latencyChart")->isVisible());

    // Demo → "Make greeting-risky fail": the error line rises and the verdict turns.
    auto *fail = m_window->findChild<QAction *>(QStringLiteral("demoFail"));
    QVERIFY(fail);
    QTRY_VERIFY(fail->isEnabled());
    fail->trigger();
    QTRY_COMPARE_WITH_TIMEOUT(verdict(QStringLiteral("risky")), QStringLiteral("worse"), 45000);
    const auto *badge = m_window->findChild<QLabel *>(QStringLiteral("verdict_risky"));
    QTRY_VERIFY2_WITH_TIMEOUT(badge->toolTip().contains(QLatin1String("success")), qPrintable(badge->toolTip()), 30000);
    // The error line rises to the 30 % asked for (the window fills with failed requests).
    QTRY_VERIFY_WITH_TIMEOUT(chart("errorsChart")->points(QStringLiteral("risky")).constLast().y() > 15, 30000);
    QCOMPARE(chart("errorsChart")->points(QStringLiteral("safe")).constLast().y(), 0.0);
    QCOMPARE(verdict(QStringLiteral("safe")), QStringLiteral("stable"));

    // R rolls back, and Enter accepts the confirmation.
    QTimer accept;
    connect(&accept, &QTimer::timeout, this, [] {
        if (auto *box = qobject_cast<QMessageBox *>(QApplication::activeModalWidget()))
            QTest::keyClick(box, Qt::Key_Return);
    });
    accept.start(100);
    QSignalSpy finished(m_session.get(), &core::ReleaseSession::applyFinished);
    QTest::keyClick(m_window.get(), Qt::Key_R);
    QTRY_COMPARE_WITH_TIMEOUT(finished.size(), 1, 20000);
    accept.stop();
    QVERIFY2(finished.at(0).at(1).toBool(), qPrintable(finished.at(0).at(2).toString()));
    QCOMPARE(m_window->edits()->live()->routeWeights(m_window->edits()->live()->defaultRoute), (QList<int> { 100, 0 }));
    QTRY_COMPARE_WITH_TIMEOUT(chart("requestsChart")->markerCount(), 2, 5000);
    // The canary has no traffic left: its share falls to nothing, and the markers say why.
    QTRY_VERIFY_WITH_TIMEOUT(chart("requestsChart")->points(QStringLiteral("risky")).constLast().y() < 0.5, 30000);
    m_window->findChild<QAction *>(QStringLiteral("demoHeal"))->trigger();
    QTRY_VERIFY(!m_cluster->get(QStringLiteral("/apis/apps/v1/namespaces/default/deployments/greeting-risky"))
                         .value(QLatin1String("metadata"))
                         .toObject()
                         .value(QLatin1String("annotations"))
                         .toObject()
                         .contains(QLatin1String("demo.canarydeck.io/error-percent")));
    m_window->setPresentation(false);
}

QTEST_MAIN(TestHealthWindow)
#include "tst_healthwindow.moc"
