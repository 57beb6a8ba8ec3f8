#include "mainwindow.h"
#include "releasesession.h"
#include "testcluster.h"
#include "trafficchart.h"
#include "trafficmonitor.h"

#include <QLabel>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSignalSpy>
#include <QSpinBox>
#include <QSlider>
#include <QToolButton>
#include <QTreeWidget>
#include <QtTest>

using namespace canary;

// The window as an operator drives it, against the demo cluster over HTTPS.
class TestMainWindow : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();
    void listsServicesWithVersionsAndPods();
    void setGreenTo50AndApply();
    void promoteGreen();
    void rollback();
    void externalChangeAppearsThroughTheWatch();
    void chartShowsTrafficPerVersion();

private:
    void select(const QString &service);
    QMap<QString, int> liveColorWeights() const;
    void clickAndWaitForApply(QAbstractButton *button);

    std::unique_ptr<test::TestCluster> m_cluster;
    std::unique_ptr<core::ReleaseSession> m_session;
    std::unique_ptr<core::TrafficMonitor> m_traffic;
    std::unique_ptr<gui::MainWindow> m_window;
};

static const QString kColorVs = QStringLiteral("/apis/networking.istio.io/v1/namespaces/default/virtualservices/color-is-vs");

void TestMainWindow::initTestCase()
{
    m_cluster = std::make_unique<test::TestCluster>(20);
    QVERIFY2(m_cluster->ok(), qPrintable(m_cluster->error()));
    m_session = std::make_unique<core::ReleaseSession>(m_cluster->endpoint());
    m_traffic = std::make_unique<core::TrafficMonitor>();
    m_traffic->setInterval(250);
    m_traffic->setSource(QUrl(m_cluster->endpoints().metrics));
    m_window = std::make_unique<gui::MainWindow>(m_session.get(), m_traffic.get());
    m_window->show();
    m_session->start();
    QVERIFY(QTest::qWaitForWindowExposed(m_window.get()));
}

void TestMainWindow::cleanupTestCase()
{
    m_window.reset();
    m_traffic.reset();
    m_session.reset();
    m_cluster.reset();
}

void TestMainWindow::select(const QString &service)
{
    auto *list = m_window->findChild<QTreeWidget *>(QStringLiteral("releaseList"));
    QVERIFY(list);
    QTRY_VERIFY_WITH_TIMEOUT(!list->findItems(service, Qt::MatchExactly).isEmpty(), 20000);
    QTreeWidgetItem *item = list->findItems(service, Qt::MatchExactly).constFirst();
    const QRect rect = list->visualItemRect(item);
    QTest::mouseClick(list->viewport(), Qt::LeftButton, {}, rect.center());
    QTRY_COMPARE(m_window->selectedRelease(), service);
}

QMap<QString, int> TestMainWindow::liveColorWeights() const
{
    return test::routeWeights(m_cluster->get(kColorVs), 0);
}

void TestMainWindow::clickAndWaitForApply(QAbstractButton *button)
{
    QSignalSpy finished(m_session.get(), &core::ReleaseSession::applyFinished);
    QTRY_VERIFY_WITH_TIMEOUT(button->isEnabled(), 10000);
    QTest::mouseClick(button, Qt::LeftButton);
    QTRY_COMPARE_WITH_TIMEOUT(finished.size(), 1, 20000);
    const auto *message = m_window->findChild<QLabel *>(QStringLiteral("messageLabel"));
    QVERIFY2(finished.at(0).at(1).toBool(), qPrintable(finished.at(0).at(2).toString()));
    QCOMPARE(message->text(), finished.at(0).at(2).toString());
}

void TestMainWindow::listsServicesWithVersionsAndPods()
{
    auto *list = m_window->findChild<QTreeWidget *>(QStringLiteral("releaseList"));
    QTRY_COMPARE_WITH_TIMEOUT(list->topLevelItemCount(), 6, 20000); // 5 releases and the unrouted message service
    const QTreeWidgetItem *webserver = list->findItems(QStringLiteral("webserver"), Qt::MatchExactly).value(0);
    QVERIFY(webserver);
    QCOMPARE(webserver->text(1), QStringLiteral("v1 (2), v2 (1)"));
    QCOMPARE(webserver->text(2), QStringLiteral("1/99"));
    QTRY_VERIFY(m_window->findChild<QLabel *>(QStringLiteral("connectionLabel"))->text().contains(QLatin1String("Connected")));
}

void TestMainWindow::setGreenTo50AndApply()
{
    select(QStringLiteral("color-service"));
    auto *green = m_window->findChild<QSpinBox *>(QStringLiteral("weightSpin_green-sub"));
    auto *blue = m_window->findChild<QSpinBox *>(QStringLiteral("weightSpin_blue-sub"));
    QVERIFY(green && blue);
    QCOMPARE(green->value(), 25);
    green->selectAll();
    QTest::keyClicks(green, QStringLiteral("50"));
    QCOMPARE(green->value(), 50);
    QCOMPARE(blue->value(), 50); // linked: the other version takes the rest
    QCOMPARE(m_window->findChild<QSlider *>(QStringLiteral("weightSlider_blue-sub"))->value(), 50);
    auto *yaml = m_window->findChild<QPlainTextEdit *>(QStringLiteral("yamlPreview"));
    QVERIFY(yaml->toPlainText().contains(QLatin1String("subset: green-sub\n      weight: 50")));
    clickAndWaitForApply(m_window->findChild<QPushButton *>(QStringLiteral("applyButton")));
    QCOMPARE(liveColorWeights(), (QMap<QString, int> { { QStringLiteral("blue-sub"), 50 }, { QStringLiteral("green-sub"), 50 } }));
    QVERIFY(!m_window->findChild<QPushButton *>(QStringLiteral("applyButton"))->isEnabled());
}

void TestMainWindow::promoteGreen()
{
    clickAndWaitForApply(m_window->findChild<QToolButton *>(QStringLiteral("promoteButton_green-sub")));
    QCOMPARE(liveColorWeights(), (QMap<QString, int> { { QStringLiteral("blue-sub"), 0 }, { QStringLiteral("green-sub"), 100 } }));
    QTRY_COMPARE(m_window->findChild<QSpinBox *>(QStringLiteral("weightSpin_green-sub"))->value(), 100);
}

void TestMainWindow::rollback()
{
    auto *rollback = m_window->findChild<QPushButton *>(QStringLiteral("rollbackButton"));
    QVERIFY(rollback->toolTip().contains(QLatin1String("promote green-sub")));
    clickAndWaitForApply(rollback);
    QCOMPARE(liveColorWeights(), (QMap<QString, int> { { QStringLiteral("blue-sub"), 50 }, { QStringLiteral("green-sub"), 50 } }));
    clickAndWaitForApply(rollback); // and the apply before it
    QCOMPARE(liveColorWeights(), (QMap<QString, int> { { QStringLiteral("blue-sub"), 75 }, { QStringLiteral("green-sub"), 25 } }));
    QTRY_VERIFY(!rollback->isEnabled());
}

void TestMainWindow::externalChangeAppearsThroughTheWatch()
{
    const QJsonObject vs = test::withWeights(m_cluster->get(kColorVs), 0, { 60, 40 });
    QElapsedTimer t;
    t.start();
    QCOMPARE(m_cluster->put(kColorVs, vs), 200);
    QTRY_COMPARE_WITH_TIMEOUT(m_window->findChild<QSpinBox *>(QStringLiteral("weightSpin_green-sub"))->value(), 40, 1000);
    qInfo("external change shown after %lld ms", t.elapsed());
}

void TestMainWindow::chartShowsTrafficPerVersion()
{
    auto *chart = m_window->findChild<gui::TrafficChart *>(QStringLiteral("trafficChart"));
    QVERIFY(chart);
    QTRY_COMPARE_WITH_TIMEOUT(chart->seriesCount(), 2, 5000);
    QTRY_VERIFY_WITH_TIMEOUT(chart->points(QStringLiteral("blue-sub")).size() >= 3, 15000);
    double blue = 0;
    for (const QPointF &p : chart->points(QStringLiteral("blue-sub")))
        blue = qMax(blue, p.y());
    QVERIFY2(blue > 1.0, qPrintable(QString::number(blue))); // background users reach /color at 20 req/s
}

QTEST_MAIN(TestMainWindow)
#include "tst_mainwindow.moc"
