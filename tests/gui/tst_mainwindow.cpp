#include "core/apply/journal.h"
#include "core/edit/editsession.h"
#include "core/model/istio.h"
#include "core/session/releasesession.h"
#include "core/telemetry/healthmonitor.h"
#include "gui/mainwindow.h"
#include "gui/widgets/trafficchart.h"
#include "k8s/kubeclient.h"
#include "k8s/kubereply.h"
#include "k8s/yaml.h"
#include "tests/support/testcluster.h"

#include <QCheckBox>
#include <QComboBox>
#include <QEventLoop>
#include <QFontInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QLabel>
#include <QLineEdit>
#include <QMenu>
#include <QMessageBox>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSignalSpy>
#include <QSlider>
#include <QSpinBox>
#include <QStatusBar>
#include <QTabWidget>
#include <QTemporaryDir>
#include <QTimer>
#include <QToolButton>
#include <QTreeView>
#include <QtTest>
#include <cmath>
#include <functional>

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
    void darkReleaseFromTheEditor();
    void invalidRegexIsMarkedAsYouType();
    void undoAndDiscardUnappliedEdits();
    void historyRollsBackOneEntry();
    void viewerSeesApplyDisabledWithTheReason();
    void serverSideApplyAsksBeforeTakingFields();
    void cancelStopsAHungApply();
    void staleApplyIsExplainedAndNothingIsOverwritten();
    void titlesSayItOnce();
    void planSaysTheVerdictOnce();
    void emptyNamespaceSaysSo();
    void historyIsOfThisClusterUnlessAsked();
    void demoMenuBreaksAndHealsTheCanary();
    void presentationKeysPromoteAndRollBack();
    void contextPickerSwitchesInPlace();

private:
    void answerNextConfirmation(QMessageBox::StandardButton button);
    void select(const QString &service);
    QMap<QString, int> liveColorWeights() const;
    void clickAndWaitForApply(QAbstractButton *button);

    std::unique_ptr<test::TestCluster> m_cluster;
    std::unique_ptr<core::ReleaseSession> m_session;
    std::unique_ptr<core::HealthMonitor> m_traffic;
    std::unique_ptr<gui::MainWindow> m_window;
    QString m_lastConfirmation;
    bool m_lastConfirmationFixedWidth = false;
};

// The row of a view whose column shows this text exactly (a view's findItems).
static QModelIndex findRow(const QTreeView *view, const QString &text, int column = 0)
{
    const QAbstractItemModel *model = view->model();
    for (int row = 0; row < model->rowCount(); ++row) {
        if (model->index(row, column).data().toString() == text)
            return model->index(row, 0);
    }
    return {};
}

static QString cell(const QTreeView *view, int row, int column)
{
    return view->model()->index(row, column).data().toString();
}

static const QString kColorVs
        = QStringLiteral("/apis/networking.istio.io/v1/namespaces/default/virtualservices/color-is-vs");

void TestMainWindow::initTestCase()
{
    m_cluster = std::make_unique<test::TestCluster>(20);
    QVERIFY2(m_cluster->ok(), qPrintable(m_cluster->error()));
    m_session = std::make_unique<core::ReleaseSession>(m_cluster->endpoint());
    m_traffic = std::make_unique<core::HealthMonitor>(m_session->client());
    m_traffic->setInterval(250);
    m_traffic->setScrapeUrl(QUrl(m_cluster->endpoints().metrics));
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
    auto *list = m_window->findChild<QTreeView *>(QStringLiteral("releaseList"));
    QVERIFY(list);
    QTRY_VERIFY_WITH_TIMEOUT(findRow(list, service).isValid(), 20000);
    list->scrollTo(findRow(list, service));
    const QRect rect = list->visualRect(findRow(list, service));
    QTest::mouseClick(list->viewport(), Qt::LeftButton, {}, rect.center());
    QTRY_COMPARE(m_window->selectedRelease(), service);
}

QMap<QString, int> TestMainWindow::liveColorWeights() const
{
    return test::routeWeights(m_cluster->get(kColorVs), 0);
}

void TestMainWindow::answerNextConfirmation(QMessageBox::StandardButton button)
{
    QTimer::singleShot(0, this, [this, button] {
        auto *box = qobject_cast<QMessageBox *>(QApplication::activeModalWidget());
        if (!box) {
            answerNextConfirmation(button); // not shown yet
            return;
        }
        QCOMPARE(box->objectName(), QStringLiteral("confirmDialog"));
        m_lastConfirmation = box->text() + QLatin1Char('\n') + box->informativeText();
        const auto *details = box->findChild<QLabel *>(QStringLiteral("qt_msgbox_informativelabel"));
        m_lastConfirmationFixedWidth = details && QFontInfo(details->font()).fixedPitch();
        QTest::mouseClick(box->button(button), Qt::LeftButton);
    });
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
    auto *list = m_window->findChild<QTreeView *>(QStringLiteral("releaseList"));
    QTRY_COMPARE_WITH_TIMEOUT(list->model()->rowCount(), 6, 20000); // 5 releases and the unrouted message service
    const QModelIndex webserver = findRow(list, QStringLiteral("webserver"));
    QVERIFY(webserver.isValid());
    QCOMPARE(cell(list, webserver.row(), 1), QStringLiteral("v1 (2), v2 (1)"));
    QCOMPARE(cell(list, webserver.row(), 2), QStringLiteral("1/99"));
    QTRY_VERIFY(m_window->findChild<QLabel *>(QStringLiteral("connectionLabel"))
                        ->text()
                        .contains(QLatin1String("Connected")));
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
    QCOMPARE(liveColorWeights(),
             (QMap<QString, int> { { QStringLiteral("blue-sub"), 50 }, { QStringLiteral("green-sub"), 50 } }));
    QVERIFY(!m_window->findChild<QPushButton *>(QStringLiteral("applyButton"))->isEnabled());
}

void TestMainWindow::promoteGreen()
{
    answerNextConfirmation(QMessageBox::Yes);
    clickAndWaitForApply(m_window->findChild<QToolButton *>(QStringLiteral("promoteButton_green-sub")));
    QCOMPARE(liveColorWeights(),
             (QMap<QString, int> { { QStringLiteral("blue-sub"), 0 }, { QStringLiteral("green-sub"), 100 } }));
    // The confirmation said what would change.
    QVERIFY2(m_lastConfirmation.contains(QLatin1String("-      weight: 50\n+      weight: 100")),
             qPrintable(m_lastConfirmation));
    QVERIFY2(m_lastConfirmationFixedWidth, "the diff is set in a proportional font");
    QTRY_COMPARE(m_window->findChild<QSpinBox *>(QStringLiteral("weightSpin_green-sub"))->value(), 100);
}

void TestMainWindow::rollback()
{
    auto *rollback = m_window->findChild<QPushButton *>(QStringLiteral("rollbackButton"));
    QVERIFY(rollback->toolTip().contains(QLatin1String("promote green-sub")));
    // Cancel changes nothing.
    answerNextConfirmation(QMessageBox::Cancel);
    QTest::mouseClick(rollback, Qt::LeftButton);
    QCOMPARE(liveColorWeights().value(QStringLiteral("green-sub")), 100);
    answerNextConfirmation(QMessageBox::Yes);
    clickAndWaitForApply(rollback);
    QCOMPARE(liveColorWeights(),
             (QMap<QString, int> { { QStringLiteral("blue-sub"), 50 }, { QStringLiteral("green-sub"), 50 } }));
    answerNextConfirmation(QMessageBox::Yes);
    clickAndWaitForApply(rollback); // and the apply before it
    QCOMPARE(liveColorWeights(),
             (QMap<QString, int> { { QStringLiteral("blue-sub"), 75 }, { QStringLiteral("green-sub"), 25 } }));
    QTRY_VERIFY(!rollback->isEnabled());
}

void TestMainWindow::externalChangeAppearsThroughTheWatch()
{
    const QJsonObject vs = test::withWeights(m_cluster->get(kColorVs), 0, { 60, 40 });
    QElapsedTimer t;
    t.start();
    QCOMPARE(m_cluster->put(kColorVs, vs), 200);
    QTRY_COMPARE_WITH_TIMEOUT(m_window->findChild<QSpinBox *>(QStringLiteral("weightSpin_green-sub"))->value(), 40,
                              1000);
    qInfo("external change shown after %lld ms", t.elapsed());
}

void TestMainWindow::chartShowsTrafficPerVersion()
{
    auto *chart = m_window->findChild<gui::TrafficChart *>(QStringLiteral("requestsChart"));
    QVERIFY(chart);
    QTRY_COMPARE_WITH_TIMEOUT(chart->seriesCount(), 2, 5000);
    const auto peak = [chart] {
        double top = 0;
        for (const QPointF &p : chart->points(QStringLiteral("blue-sub")))
            top = qMax(top, p.y());
        return top;
    };
    // Background users reach /color at 20 req/s; the chart shows it within seconds.
    QElapsedTimer waited;
    waited.start();
    while (!(peak() > 1.0 && chart->points(QStringLiteral("blue-sub")).size() >= 3) && waited.elapsed() < 15000)
        QTest::qWait(100);
    if (!(peak() > 1.0)) {
        QNetworkAccessManager nam;
        QNetworkReply *reply = nam.get(QNetworkRequest(QUrl(m_cluster->endpoints().metrics)));
        QSignalSpy done(reply, &QNetworkReply::finished);
        done.wait(5000);
        for (const QByteArray &line : reply->readAll().split('\n')) {
            if (line.startsWith("istio_requests_total") && line.contains("color"))
                qWarning("%s", line.constData());
        }
        qWarning("points=%lld", qint64(chart->points(QStringLiteral("blue-sub")).size()));
        for (const QPointF &p : chart->points(QStringLiteral("green-sub")).mid(0, 5))
            qWarning("green %f", p.y());
    }
    QVERIFY(peak() > 1.0);
}

void TestMainWindow::darkReleaseFromTheEditor()
{
    select(QStringLiteral("greeting"));
    auto *name = m_window->findChild<QLineEdit *>(QStringLiteral("ruleName"));
    auto *value = m_window->findChild<QLineEdit *>(QStringLiteral("ruleValue"));
    auto *version = m_window->findChild<QComboBox *>(QStringLiteral("ruleVersion"));
    QVERIFY(name && value && version);
    QTest::keyClicks(name, QStringLiteral("x-my-header"));
    QTest::keyClicks(value, QStringLiteral("dark"));
    version->setCurrentText(QStringLiteral("risky"));
    QTest::mouseClick(m_window->findChild<QPushButton *>(QStringLiteral("addRuleButton")), Qt::LeftButton);
    QVERIFY(m_window->hasDraft());
    auto *routes = m_window->findChild<QTreeView *>(QStringLiteral("matchRoutes"));
    QCOMPARE(routes->model()->rowCount(), 1);
    QCOMPARE(cell(routes, 0, 1), QStringLiteral("x-my-header = dark"));
    QCOMPARE(cell(routes, 0, 2), QStringLiteral("risky"));
    auto *plan = m_window->findChild<QPlainTextEdit *>(QStringLiteral("planView"));
    QTRY_VERIFY_WITH_TIMEOUT(plan->toPlainText().contains(QLatin1String("Server-side dry-run: accepted")), 10000);
    QVERIFY(plan->toPlainText().contains(QLatin1String("1. Update the routes of VirtualService greeting")));
    auto *after = m_window->findChild<QPlainTextEdit *>(QStringLiteral("diffAfter"));
    QVERIFY(after->toPlainText().contains(QLatin1String("          exact: dark")));
    clickAndWaitForApply(m_window->findChild<QPushButton *>(QStringLiteral("applyButton")));

    // Through the gateway: every request with the header reaches risky, the rest split 80/20.
    const QJsonObject greeting = m_cluster->get(
            QStringLiteral("/apis/networking.istio.io/v1/namespaces/default/virtualservices/greeting"));
    QCOMPARE(test::routeWeights(greeting, 1),
             (QMap<QString, int> { { QStringLiteral("safe"), 80 }, { QStringLiteral("risky"), 20 } }));
    QNetworkAccessManager network;
    QMap<QString, int> dark;
    QMap<QString, int> rest;
    const int n = 2000;
    int pending = 0;
    QEventLoop loop;
    std::function<void(int)> send = [&](int i) {
        QNetworkRequest request(QUrl(m_cluster->endpoints().gateway + QStringLiteral("/")));
        request.setRawHeader("Host", "greeting");
        const bool withHeader = i % 2 == 0;
        if (withHeader)
            request.setRawHeader("x-my-header", "dark");
        QNetworkReply *reply = network.get(request);
        ++pending;
        connect(reply, &QNetworkReply::finished, &loop, [&, reply, withHeader, i] {
            reply->deleteLater();
            --pending;
            ++(withHeader ? dark : rest)[QString::fromUtf8(reply->rawHeader("x-canary-version"))];
            if (i + 16 < 2 * n)
                send(i + 16);
            if (pending == 0)
                loop.quit();
        });
    };
    for (int i = 0; i < 16; ++i)
        send(i);
    loop.exec();
    QCOMPARE(dark, (QMap<QString, int> { { QStringLiteral("risky"), n } }));
    const double sd = std::sqrt(n * 0.2 * 0.8);
    qInfo("without the header: risky %d, safe %d", rest.value(QStringLiteral("risky")),
          rest.value(QStringLiteral("safe")));
    QVERIFY2(std::abs(rest.value(QStringLiteral("risky")) - n * 0.2) <= 3 * sd,
             qPrintable(QStringLiteral("risky got %1 of %2 without the header")
                                .arg(rest.value(QStringLiteral("risky")))
                                .arg(n)));
    QCOMPARE(rest.value(QStringLiteral("safe")) + rest.value(QStringLiteral("risky")), n);
}

void TestMainWindow::invalidRegexIsMarkedAsYouType()
{
    auto *kind = m_window->findChild<QComboBox *>(QStringLiteral("ruleKind"));
    auto *name = m_window->findChild<QLineEdit *>(QStringLiteral("ruleName"));
    auto *value = m_window->findChild<QLineEdit *>(QStringLiteral("ruleValue"));
    auto *add = m_window->findChild<QPushButton *>(QStringLiteral("addRuleButton"));
    name->clear();
    value->clear();
    kind->setCurrentIndex(kind->findText(QStringLiteral("regex")));
    QTest::keyClicks(name, QStringLiteral("x-user"));
    QTest::keyClicks(value, QStringLiteral("qa-(a"));
    QCOMPARE(value->property("invalid").toBool(), true);
    QVERIFY2(value->toolTip().contains(QLatin1String("missing )")), qPrintable(value->toolTip()));
    QVERIFY(!add->isEnabled());
    QTest::keyClicks(value, QStringLiteral(")"));
    QCOMPARE(value->property("invalid").toBool(), false);
    QVERIFY(add->isEnabled());
    name->clear();
    QTest::keyClicks(name, QStringLiteral("X-User"));
    QCOMPARE(name->property("invalid").toBool(), true);
    QVERIFY(name->toolTip().contains(QLatin1String("use \"x-user\"")));
    name->clear();
    value->clear();
    kind->setCurrentIndex(0);
}

void TestMainWindow::undoAndDiscardUnappliedEdits()
{
    auto *green = m_window->findChild<QSpinBox *>(QStringLiteral("weightSpin_risky"));
    QVERIFY(green);
    const int before = green->value();
    green->selectAll();
    QTest::keyClicks(green, QStringLiteral("35"));
    QVERIFY(m_window->hasDraft());
    auto *undo = m_window->findChild<QToolButton *>(QStringLiteral("undoButton"));
    QVERIFY(undo->isEnabled());
    QTest::mouseClick(undo, Qt::LeftButton); // typing 3 then 5 is one edit of the slider
    QCOMPARE(green->value(), before);
    QVERIFY(!m_window->hasDraft());
    QTest::mouseClick(m_window->findChild<QToolButton *>(QStringLiteral("redoButton")), Qt::LeftButton);
    QCOMPARE(green->value(), 35);
    QTest::mouseClick(m_window->findChild<QPushButton *>(QStringLiteral("resetButton")), Qt::LeftButton);
    QCOMPARE(green->value(), before);
    QVERIFY(!m_window->hasDraft());
}

void TestMainWindow::historyRollsBackOneEntry()
{
    auto *history = m_window->findChild<QTreeView *>(QStringLiteral("historyList"));
    QTRY_VERIFY(history->model()->rowCount() >= 1);
    QVERIFY2(cell(history, 0, 1).contains(QLatin1String("x-my-header = dark")), qPrintable(cell(history, 0, 1)));
    QCOMPARE(cell(history, 0, 2), QStringLiteral("applied"));
    history->setCurrentIndex(history->model()->index(0, 0));
    answerNextConfirmation(QMessageBox::Yes);
    clickAndWaitForApply(m_window->findChild<QPushButton *>(QStringLiteral("rollbackEntryButton")));
    const QJsonObject greeting = m_cluster->get(
            QStringLiteral("/apis/networking.istio.io/v1/namespaces/default/virtualservices/greeting"));
    QCOMPARE(greeting.value(QLatin1String("spec")).toObject().value(QLatin1String("http")).toArray().size(), 1);
    QTRY_COMPARE(cell(history, 0, 2), QStringLiteral("rollback"));
    QCOMPARE(cell(history, 1, 2), QStringLiteral("rolled back"));
}

void TestMainWindow::viewerSeesApplyDisabledWithTheReason()
{
    // A user of group canarydeck:viewers: the server says (SelfSubjectAccessReview) that writes are
    // denied, so the window edits and previews but does not offer Apply, and says why.
    core::ReleaseSession session(m_cluster->endpointWithToken(QLatin1String(test::TestCluster::kViewerToken)));
    gui::MainWindow window(&session, m_traffic.get());
    window.show();
    QSignalSpy access(&session, &core::ReleaseSession::accessChanged);
    session.start();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    QVERIFY(access.wait(20000));
    QCOMPARE(session.writeAccess(), core::ReleaseSession::Access::Denied);
    auto *list = window.findChild<QTreeView *>(QStringLiteral("releaseList"));
    QTRY_VERIFY_WITH_TIMEOUT(findRow(list, QStringLiteral("color-service")).isValid(), 20000);
    QTest::mouseClick(list->viewport(), Qt::LeftButton, {},
                      list->visualRect(findRow(list, QStringLiteral("color-service"))).center());
    QTRY_COMPARE(window.selectedRelease(), QStringLiteral("color-service"));
    const QMap<QString, int> before = liveColorWeights();
    auto *green = window.findChild<QSpinBox *>(QStringLiteral("weightSpin_green-sub"));
    QVERIFY(green);
    green->setValue(before.value(QStringLiteral("green-sub")) == 40 ? 35 : 40);
    auto *apply = window.findChild<QPushButton *>(QStringLiteral("applyButton"));
    auto *reason = window.findChild<QLabel *>(QStringLiteral("accessLabel"));
    QVERIFY(apply && reason);
    QTRY_VERIFY(reason->isVisible());
    QVERIFY(!apply->isEnabled());
    QVERIFY2(reason->text().contains(QLatin1String("update virtualservices.networking.istio.io")),
             qPrintable(reason->text()));
    QVERIFY2(reason->text().contains(QLatin1String("canarydeck:viewers")), qPrintable(reason->text()));
    QCOMPARE(apply->toolTip(), reason->text());
    QVERIFY(!window.findChild<QPushButton *>(QStringLiteral("rollbackButton"))->isEnabled());
    for (QToolButton *promote : window.findChildren<QToolButton *>()) {
        if (promote->objectName().startsWith(QLatin1String("promote")))
            QVERIFY2(!promote->isEnabled(), qPrintable(promote->objectName()));
    }
    // Ctrl+Return does not get round it, and the live object is untouched.
    QTest::keyClick(&window, Qt::Key_Return, Qt::ControlModifier);
    QTest::qWait(300);
    QCOMPARE(liveColorWeights(), before);
    if (!qEnvironmentVariableIsEmpty("CANARYDECK_SCREENSHOT_DIR"))
        window.grab().save(qEnvironmentVariable("CANARYDECK_SCREENSHOT_DIR") + QStringLiteral("/viewer.png"));
    // The notice takes room from the chart, not from the slider rows.
    const QWidget *weights = window.findChild<QWidget *>(QStringLiteral("weightEditor"));
    QTRY_VERIFY2(weights->height() >= weights->minimumSizeHint().height(), "the weight rows are squeezed");
}

void TestMainWindow::serverSideApplyAsksBeforeTakingFields()
{
    // webserver's VirtualService came from kubectl apply: kubectl-client-side-apply owns .spec.http.
    const QString path = QStringLiteral("/apis/networking.istio.io/v1/namespaces/default/virtualservices/sample-vs");
    select(QStringLiteral("webserver"));
    auto *serverSide = m_window->findChild<QCheckBox *>(QStringLiteral("serverSideApply"));
    QVERIFY(serverSide);
    serverSide->setChecked(true);
    QVERIFY(m_session->serverSideApply());
    auto *v2 = m_window->findChild<QSpinBox *>(QStringLiteral("weightSpin_v2"));
    QVERIFY(v2);
    v2->setValue(90);
    auto *apply = m_window->findChild<QPushButton *>(QStringLiteral("applyButton"));
    QTRY_VERIFY(apply->isEnabled());
    // The Plan tab's server-side dry-run already names the owner, before anything is applied.
    auto *plan = m_window->findChild<QPlainTextEdit *>(QStringLiteral("planView"));
    QVERIFY(plan);
    QTRY_VERIFY_WITH_TIMEOUT(
            plan->toPlainText().contains(QLatin1String(R"(conflict with "kubectl-client-side-apply")")), 10000);
    // First the user declines: nothing is written, the draft stays.
    QSignalSpy finished(m_session.get(), &core::ReleaseSession::applyFinished);
    answerNextConfirmation(QMessageBox::Cancel);
    QTest::mouseClick(apply, Qt::LeftButton);
    QTRY_COMPARE_WITH_TIMEOUT(finished.size(), 1, 20000);
    QVERIFY2(m_lastConfirmation.contains(QLatin1String(R"(.spec.http: conflict with "kubectl-client-side-apply")")),
             qPrintable(m_lastConfirmation));
    QCOMPARE(test::routeWeights(m_cluster->get(path)).value(QStringLiteral("v2")), 99);
    QCOMPARE(v2->value(), 90);
    QVERIFY(m_window->findChild<QLabel *>(QStringLiteral("messageLabel"))
                    ->text()
                    .contains(QLatin1String("other managers own"))
            || m_window->findChild<QLabel *>(QStringLiteral("messageLabel"))
                       ->text()
                       .contains(QLatin1String("another manager owns")));
    // Then takes the fields over on purpose.
    answerNextConfirmation(QMessageBox::Yes);
    QTest::mouseClick(apply, Qt::LeftButton);
    QTRY_COMPARE_WITH_TIMEOUT(finished.size(), 3, 20000); // the refused try, then the forced one
    QVERIFY2(finished.at(2).at(1).toBool(), qPrintable(finished.at(2).at(2).toString()));
    const QJsonObject live = m_cluster->get(path);
    QCOMPARE(test::routeWeights(live).value(QStringLiteral("v2")), 90);
    QStringList owners;
    for (const QJsonValue &e :
         live.value(QLatin1String("metadata")).toObject().value(QLatin1String("managedFields")).toArray()) {
        if (e.toObject()
                    .value(QLatin1String("fieldsV1"))
                    .toObject()
                    .value(QLatin1String("f:spec"))
                    .toObject()
                    .contains(QLatin1String("f:http")))
            owners.append(e.toObject().value(QLatin1String("manager")).toString() + QLatin1Char('/')
                          + e.toObject().value(QLatin1String("operation")).toString());
    }
    QCOMPARE(owners, QStringList { QStringLiteral("canarydeck/Apply") });
    serverSide->setChecked(false);

    // A controller takes the routes (as Flagger does, with an update): the release says so at once.
    k8s::KubeClient flagger(m_cluster->endpoint());
    k8s::KubeRequest patch = k8s::KubeRequest::mergePatch(
            path, QJsonDocument(test::withWeights(live, 0, { 20, 80 })).toJson(QJsonDocument::Compact));
    patch.query.addQueryItem(QStringLiteral("fieldManager"), QStringLiteral("flagger"));
    k8s::KubeReply *reply = flagger.send(patch);
    QSignalSpy patched(reply, &k8s::KubeReply::finished);
    QVERIFY(patched.wait(20000));
    QVERIFY2(reply->ok(), qPrintable(reply->error().message));
    const auto *detail = m_window->findChild<QLabel *>(QStringLiteral("releaseDetail"));
    QVERIFY(detail);
    QTRY_VERIFY2(detail->text().contains(QLatin1String("routes also managed by &quot;flagger&quot; (Update)")),
                 qPrintable(detail->text()));
}

void TestMainWindow::cancelStopsAHungApply()
{
    // The API server answers after 4 s: the window stays responsive and Cancel stops the apply.
    select(QStringLiteral("myapp"));
    const QString path = QStringLiteral("/apis/networking.istio.io/v1/namespaces/default/virtualservices/myapp");
    const QMap<QString, int> before = test::routeWeights(m_cluster->get(path));
    auto *v2 = m_window->findChild<QSpinBox *>(QStringLiteral("weightSpin_v2"));
    QVERIFY(v2);
    v2->setValue(before.value(QStringLiteral("v2")) == 70 ? 60 : 70);
    auto *apply = m_window->findChild<QPushButton *>(QStringLiteral("applyButton"));
    auto *cancel = m_window->findChild<QPushButton *>(QStringLiteral("cancelApplyButton"));
    QVERIFY(apply && cancel);
    QTRY_VERIFY(apply->isEnabled());
    QVERIFY(!cancel->isVisible());
    QVERIFY(m_cluster->setFaults(QStringLiteral("slow=4000")));
    QSignalSpy finished(m_session.get(), &core::ReleaseSession::applyFinished);
    QTest::mouseClick(apply, Qt::LeftButton);
    QTRY_VERIFY(cancel->isVisible());
    QElapsedTimer clock;
    clock.start();
    QTest::qWait(300); // the event loop runs while the server hangs
    m_window->activateWindow();
    QVERIFY(QTest::qWaitForWindowActive(m_window.get()));
    QTest::keyClick(m_window.get(), Qt::Key_Escape); // as the button's tooltip says
    QTRY_COMPARE_WITH_TIMEOUT(finished.size(), 1, 3000);
    QVERIFY2(clock.elapsed() < 2000, "cancel did not stop the apply at once");
    QCOMPARE(finished.at(0).at(1).toBool(), false);
    QVERIFY2(finished.at(0).at(2).toString().contains(
                     QLatin1String("Cancelled during the server-side dry-run: nothing was written")),
             qPrintable(finished.at(0).at(2).toString()));
    QVERIFY(!cancel->isVisible());
    QVERIFY(m_cluster->setFaults(QStringLiteral("slow=0")));
    QTest::qWait(4500); // let the abandoned dry-run reach the server: it writes nothing
    QCOMPARE(test::routeWeights(m_cluster->get(path)), before);
    QVERIFY(apply->isEnabled()); // the draft is still there to apply
    QTest::mouseClick(m_window->findChild<QPushButton *>(QStringLiteral("resetButton")), Qt::LeftButton);
    QTRY_VERIFY(!apply->isEnabled());
}

void TestMainWindow::staleApplyIsExplainedAndNothingIsOverwritten()
{
    const QString path = QStringLiteral("/apis/networking.istio.io/v1/namespaces/default/virtualservices/greeting");
    select(QStringLiteral("greeting"));
    auto *risky = m_window->findChild<QSpinBox *>(QStringLiteral("weightSpin_risky"));
    QVERIFY(risky);
    const int ours = risky->value() == 35 ? 45 : 35;
    risky->setValue(ours);
    // Someone else changes the VirtualService after our edit began (kubectl edit, say).
    QJsonObject theirs = m_cluster->get(path);
    QJsonObject meta = theirs.value(QLatin1String("metadata")).toObject();
    meta.insert(QStringLiteral("labels"),
                QJsonObject { { QStringLiteral("edited-by"), QStringLiteral("someone-else") } });
    theirs.insert(QStringLiteral("metadata"), meta);
    QCOMPARE(m_cluster->put(path, theirs), 200);
    auto *apply = m_window->findChild<QPushButton *>(QStringLiteral("applyButton"));
    QSignalSpy finished(m_session.get(), &core::ReleaseSession::applyFinished);
    QTRY_VERIFY(apply->isEnabled());
    QTest::mouseClick(apply, Qt::LeftButton);
    QTRY_COMPARE_WITH_TIMEOUT(finished.size(), 1, 20000);
    QCOMPARE(finished.at(0).at(1).toBool(), false);
    const auto *message = m_window->findChild<QLabel *>(QStringLiteral("messageLabel"));
    QVERIFY2(message->text().contains(QLatin1String("changed by someone else"))
                     && message->text().contains(QLatin1String("Your edits are kept")),
             qPrintable(message->text()));
    // Their change stands, ours is not written, and our draft is still there, now to apply over theirs.
    QJsonObject live = m_cluster->get(path);
    QCOMPARE(core::labelsOf(live).value(QLatin1String("edited-by")).toString(), QStringLiteral("someone-else"));
    QVERIFY(test::routeWeights(live).value(QStringLiteral("risky")) != ours);
    QCOMPARE(risky->value(), ours);
    QCOMPARE(apply->text(), QStringLiteral("&Apply over their change"));
    QCOMPARE(m_window->findChild<QTabWidget *>()->currentIndex(), 1); // the Diff tab
    clickAndWaitForApply(apply);
    live = m_cluster->get(path);
    QCOMPARE(test::routeWeights(live).value(QStringLiteral("risky")), ours);
    QCOMPARE(core::labelsOf(live).value(QLatin1String("edited-by")).toString(), QStringLiteral("someone-else"));
}

void TestMainWindow::titlesSayItOnce()
{
    select(QStringLiteral("greeting"));
    // The platform adds the product name to the title: the window's own title does not repeat it.
    QVERIFY2(!m_window->windowTitle().contains(QLatin1String("Canary Deck")), qPrintable(m_window->windowTitle()));
    QVERIFY2(m_window->windowTitle().startsWith(QStringLiteral("greeting — ")), qPrintable(m_window->windowTitle()));
    auto *risky = m_window->findChild<QSpinBox *>(QStringLiteral("weightSpin_risky"));
    risky->setValue(risky->value() == 30 ? 31 : 30);
    QCOMPARE(m_window->findChild<QLabel *>(QStringLiteral("releaseTitle"))->text(),
             QStringLiteral("greeting — edited, not applied"));
    QVERIFY(m_window->isWindowModified());
    QTest::mouseClick(m_window->findChild<QPushButton *>(QStringLiteral("resetButton")), Qt::LeftButton);
    QCOMPARE(m_window->findChild<QLabel *>(QStringLiteral("releaseTitle"))->text(), QStringLiteral("greeting"));
}

void TestMainWindow::planSaysTheVerdictOnce()
{
    select(QStringLiteral("greeting"));
    auto *risky = m_window->findChild<QSpinBox *>(QStringLiteral("weightSpin_risky"));
    risky->setValue(risky->value() == 30 ? 31 : 30);
    auto *plan = m_window->findChild<QPlainTextEdit *>(QStringLiteral("planView"));
    QTRY_VERIFY_WITH_TIMEOUT(plan->toPlainText().contains(QLatin1String("Server-side dry-run: accepted")), 10000);
    QCOMPARE(plan->toPlainText().count(QLatin1String("dry-run")), 1);
    QTest::mouseClick(m_window->findChild<QPushButton *>(QStringLiteral("resetButton")), Qt::LeftButton);
}

void TestMainWindow::emptyNamespaceSaysSo()
{
    const QJsonObject ns { { QStringLiteral("apiVersion"), QStringLiteral("v1") },
                           { QStringLiteral("kind"), QStringLiteral("Namespace") },
                           { QStringLiteral("metadata"),
                             QJsonObject { { QStringLiteral("name"), QStringLiteral("empty") } } } };
    QCOMPARE(m_cluster->create(QStringLiteral("/api/v1/namespaces"), ns), 201);
    k8s::ClusterEndpoint endpoint = m_cluster->endpoint();
    endpoint.ns = QStringLiteral("empty");
    core::ReleaseSession session(endpoint);
    gui::MainWindow window(&session, nullptr);
    window.show();
    session.start();
    QTRY_COMPARE_WITH_TIMEOUT(session.connection(), core::ReleaseSession::Connection::Connected, 20000);
    QTest::qWait(200);
    QCOMPARE(window.findChild<QLabel *>(QStringLiteral("releaseTitle"))->text(), QStringLiteral("No service selected"));
    QCOMPARE(window.findChild<QLabel *>(QStringLiteral("releaseDetail"))->text(),
             QStringLiteral("This namespace has no services to route yet."));
    QVERIFY(!window.findChild<QPushButton *>(QStringLiteral("addRuleButton"))->isEnabled());
    QVERIFY(!window.findChild<QPushButton *>(QStringLiteral("mirrorButton"))->isEnabled());
    QVERIFY(!window.findChild<QPushButton *>(QStringLiteral("applyButton"))->isEnabled());
}

void TestMainWindow::historyIsOfThisClusterUnlessAsked()
{
    select(QStringLiteral("greeting"));
    auto *history = m_window->findChild<QTreeView *>(QStringLiteral("historyList"));
    QTRY_VERIFY(history->model()->rowCount() >= 1);
    const int here = history->model()->rowCount();
    // An earlier demo cluster (another port) changed a release of the same name.
    core::JournalEntry old;
    old.time = QDateTime::currentDateTimeUtc().addDays(-1);
    old.context = QStringLiteral("canarydeck-demo");
    old.server = QStringLiteral("https://127.0.0.1:1");
    old.ns = QStringLiteral("default");
    old.release = QStringLiteral("greeting");
    old.summary = QStringLiteral("on an earlier cluster");
    old.plan.steps.append(core::PlanStep {
            QStringLiteral("VirtualService"),
            QStringLiteral("greeting"),
            {},
            {},
            m_cluster->get(QStringLiteral("/apis/networking.istio.io/v1/namespaces/default/virtualservices/greeting")),
            {} });
    QVERIFY(core::Journal().record(old));
    select(QStringLiteral("myapp"));
    select(QStringLiteral("greeting"));
    QCOMPARE(history->model()->rowCount(), here);
    auto *all = m_window->findChild<QCheckBox *>(QStringLiteral("historyAllClusters"));
    QVERIFY(all);
    all->setChecked(true);
    QCOMPARE(history->model()->rowCount(), here + 1);
    QVERIFY(!history->isColumnHidden(3));
    QCOMPARE(cell(history, here, 1), QStringLiteral("on an earlier cluster"));
    history->setCurrentIndex(history->model()->index(here, 0));
    QVERIFY(!m_window->findChild<QPushButton *>(QStringLiteral("rollbackEntryButton"))
                     ->isEnabled()); // not of this cluster
    all->setChecked(false);
    QCOMPARE(history->model()->rowCount(), here);
}

void TestMainWindow::demoMenuBreaksAndHealsTheCanary()
{
    // The demo announces itself in its kubeconfig: the window offers the Demo menu, which writes the
    // data plane's knobs on the canary's Deployment through the API, as kubectl annotate would.
    select(QStringLiteral("greeting"));
    auto *menu = m_window->findChild<QMenu *>(QStringLiteral("demoMenu"));
    QVERIFY(menu);
    QVERIFY(menu->menuAction()->isVisible());
    auto *fail = menu->findChild<QAction *>(QStringLiteral("demoFail"));
    auto *slow = menu->findChild<QAction *>(QStringLiteral("demoSlow"));
    auto *heal = menu->findChild<QAction *>(QStringLiteral("demoHeal"));
    QVERIFY(fail && slow && heal);
    QVERIFY2(fail->text().contains(QLatin1String("greeting-risky")), qPrintable(fail->text()));
    QVERIFY(fail->isEnabled());
    const QString path = QStringLiteral("/apis/apps/v1/namespaces/default/deployments/greeting-risky");
    const auto annotation = [&](const char *key) {
        return m_cluster->get(path)
                .value(QLatin1String("metadata"))
                .toObject()
                .value(QLatin1String("annotations"))
                .toObject()
                .value(QLatin1String(key));
    };
    fail->trigger();
    QTRY_COMPARE(annotation("demo.canarydeck.io/error-percent").toString(), QStringLiteral("30"));
    slow->trigger();
    QTRY_COMPARE(annotation("demo.canarydeck.io/latency-ms").toString(), QStringLiteral("300"));
    QVERIFY(m_window->statusBar()->currentMessage().contains(QLatin1String("greeting-risky")));
    heal->trigger();
    QTRY_VERIFY(annotation("demo.canarydeck.io/error-percent").isUndefined());
    QVERIFY(annotation("demo.canarydeck.io/latency-ms").isUndefined());
    // The safe version's Deployment is never touched.
    QVERIFY(m_cluster->get(QStringLiteral("/apis/apps/v1/namespaces/default/deployments/greeting-safe"))
                    .value(QLatin1String("metadata"))
                    .toObject()
                    .value(QLatin1String("annotations"))
                    .toObject()
                    .value(QLatin1String("demo.canarydeck.io/error-percent"))
                    .isUndefined());
}

void TestMainWindow::presentationKeysPromoteAndRollBack()
{
    select(QStringLiteral("greeting"));
    const QString vs = QStringLiteral("/apis/networking.istio.io/v1/namespaces/default/virtualservices/greeting");
    const QJsonObject before = m_cluster->get(vs);
    const QFont normal = m_window->font();
    m_window->setPresentation(true);
    QVERIFY(m_window->isPresenting());
    m_window->activateWindow(); // the keys are the window's shortcuts
    QVERIFY(QTest::qWaitForWindowActive(m_window.get()));
    m_lastConfirmation.clear();
    QVERIFY(m_window->font().pointSizeF() >= 2 * normal.pointSizeF() - 0.01);
    QVERIFY(!m_window->findChild<QTreeView *>(QStringLiteral("releaseList"))->isVisible());
    // R: every route back to the stable version, after a confirmation that Enter accepts.
    QTimer::singleShot(0, this, [this] {
        QTRY_VERIFY(qobject_cast<QMessageBox *>(QApplication::activeModalWidget()));
        auto *box = qobject_cast<QMessageBox *>(QApplication::activeModalWidget());
        m_lastConfirmation = box->text();
        QCOMPARE(box->defaultButton(), box->button(QMessageBox::Yes));
        QTest::keyClick(box, Qt::Key_Return);
    });
    QTest::keyClick(m_window.get(), Qt::Key_R);
    QVERIFY2(m_lastConfirmation.contains(QLatin1String("stable version safe")), qPrintable(m_lastConfirmation));
    QTRY_COMPARE(test::routeWeights(m_cluster->get(vs)).value(QStringLiteral("risky"), 0), 0);
    QCOMPARE(test::routeWeights(m_cluster->get(vs)).value(QStringLiteral("safe")), 100);
    // Esc leaves (once nothing is being applied: then it cancels that first), and the window is as it was.
    QTRY_VERIFY(!m_window->session()->isApplying());
    m_window->activateWindow(); // the offscreen platform does not give it back after the dialog
    QVERIFY(QTest::qWaitForWindowActive(m_window.get()));
    QTest::keyClick(m_window.get(), Qt::Key_Escape);
    QVERIFY(!m_window->isPresenting());
    QCOMPARE(m_window->font().pointSizeF(), normal.pointSizeF());
    QTRY_VERIFY(m_window->findChild<QTreeView *>(QStringLiteral("releaseList"))->isVisible());
    // Outside presentation, P is only a letter.
    QTest::keyClick(m_window.get(), Qt::Key_P);
    QTest::qWait(200);
    QVERIFY(!qobject_cast<QMessageBox *>(QApplication::activeModalWidget()));
    // The next tests find greeting as it was.
    QJsonObject restored = before;
    QJsonObject meta = restored.value(QLatin1String("metadata")).toObject();
    meta.insert(QStringLiteral("resourceVersion"), core::resourceVersion(m_cluster->get(vs)));
    restored.insert(QStringLiteral("metadata"), meta);
    QCOMPARE(m_cluster->put(vs, restored), 200);
    QTRY_COMPARE(test::routeWeights(m_window->edits()->live()->vs), test::routeWeights(before));
}

void TestMainWindow::contextPickerSwitchesInPlace()
{
    // A kubeconfig with a second context to the same cluster; its namespace comes from the kubeconfig.
    const QJsonObject ns { { QStringLiteral("apiVersion"), QStringLiteral("v1") },
                           { QStringLiteral("kind"), QStringLiteral("Namespace") },
                           { QStringLiteral("metadata"),
                             QJsonObject { { QStringLiteral("name"), QStringLiteral("team-b") } } } };
    QCOMPARE(m_cluster->create(QStringLiteral("/api/v1/namespaces"), ns), 201);
    QFile demo(m_cluster->endpoints().kubeconfig);
    QVERIFY(demo.open(QIODevice::ReadOnly));
    auto config = k8s::parseYamlDocuments(demo.readAll());
    QVERIFY(config && !config->isEmpty());
    QJsonObject kubeconfig = config->constFirst();
    QJsonArray contexts = kubeconfig.value(QLatin1String("contexts")).toArray();
    QJsonObject second = contexts.at(0).toObject();
    second.insert(QStringLiteral("name"), QStringLiteral("second"));
    QJsonObject inner = second.value(QLatin1String("context")).toObject();
    inner.insert(QStringLiteral("namespace"), QStringLiteral("default"));
    second.insert(QStringLiteral("context"), inner);
    contexts.append(second);
    kubeconfig.insert(QStringLiteral("contexts"), contexts);
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("kubeconfig"));
    {
        QFile out(path);
        QVERIFY(out.open(QIODevice::WriteOnly));
        out.write(QJsonDocument(kubeconfig).toJson()); // JSON is YAML
    }
    const QByteArray before = [&] {
        QFile f(path);
        f.open(QIODevice::ReadOnly);
        return f.readAll();
    }();
    k8s::KubeconfigOptions options;
    options.kubeconfig = path;
    const auto endpoint = k8s::loadKubeconfig(options);
    QVERIFY(endpoint);
    const QString first = endpoint->contextName;
    auto *session = new core::ReleaseSession(*endpoint);
    gui::MainWindow window(session, nullptr);
    session->setParent(&window);
    window.setKubeconfig(options);
    window.show();
    session->start();
    auto *picker = window.findChild<QComboBox *>(QStringLiteral("contextCombo"));
    QVERIFY(picker);
    QCOMPARE(picker->count(), 2);
    QCOMPARE(picker->itemText(0), first); // the current one first
    QVERIFY(picker->isEnabled());
    QTRY_VERIFY_WITH_TIMEOUT(session->release(QStringLiteral("greeting")), 20000);
    // In the first context the operator moves to namespace team-b.
    auto *nsCombo = window.findChild<QComboBox *>(QStringLiteral("namespaceCombo"));
    QTRY_VERIFY(nsCombo->findText(QStringLiteral("team-b")) >= 0);
    nsCombo->setCurrentIndex(nsCombo->findText(QStringLiteral("team-b")));
    Q_EMIT nsCombo->activated(nsCombo->currentIndex());
    QCOMPARE(window.session()->currentNamespace(), QStringLiteral("team-b"));
    nsCombo->setCurrentIndex(nsCombo->findText(QStringLiteral("default")));
    Q_EMIT nsCombo->activated(nsCombo->currentIndex());
    nsCombo->setCurrentIndex(nsCombo->findText(QStringLiteral("team-b")));
    Q_EMIT nsCombo->activated(nsCombo->currentIndex());
    // Back in default with an unapplied edit: switching context asks, and Cancel keeps everything.
    nsCombo->setCurrentIndex(nsCombo->findText(QStringLiteral("default")));
    Q_EMIT nsCombo->activated(nsCombo->currentIndex());
    QTRY_VERIFY_WITH_TIMEOUT(window.session()->release(QStringLiteral("greeting")), 20000);
    window.selectRelease(QStringLiteral("greeting"));
    window.edits()->setWeight(
            1, window.edits()->current()->routeWeights(window.edits()->routeIndex()).value(1) == 33 ? 34 : 33);
    QVERIFY(window.hasDraft());
    answerNextConfirmation(QMessageBox::Cancel);
    QVERIFY(!window.switchContext(QStringLiteral("second")));
    QVERIFY2(m_lastConfirmation.contains(QLatin1String("discards the unapplied edits")),
             qPrintable(m_lastConfirmation));
    QCOMPARE(window.session()->endpoint().contextName, first);
    QCOMPARE(picker->currentText(), first);
    QVERIFY(window.hasDraft());
    // Yes: the window reconnects in place to the other context, in its own namespace.
    answerNextConfirmation(QMessageBox::Yes);
    QVERIFY(window.switchContext(QStringLiteral("second")));
    QCOMPARE(window.session()->endpoint().contextName, QStringLiteral("second"));
    QCOMPARE(window.session()->currentNamespace(), QStringLiteral("default"));
    QVERIFY(!window.hasDraft());
    QTRY_VERIFY_WITH_TIMEOUT(window.session()->release(QStringLiteral("greeting")), 20000);
    QCOMPARE(picker->currentText(), QStringLiteral("second"));
    QVERIFY(window.windowTitle().contains(QLatin1String("second")));
    // And back: the first context is where the operator left it.
    window.session()->setNamespace(QStringLiteral("default"));
    nsCombo->setCurrentIndex(nsCombo->findText(QStringLiteral("team-b")));
    Q_EMIT nsCombo->activated(nsCombo->currentIndex());
    QVERIFY(window.switchContext(first));
    QCOMPARE(window.session()->currentNamespace(), QStringLiteral("default"));
    QVERIFY(window.switchContext(QStringLiteral("second")));
    QCOMPARE(window.session()->currentNamespace(), QStringLiteral("team-b"));
    // kubectl's choice stays kubectl's: the file is as it was.
    QFile after(path);
    QVERIFY(after.open(QIODevice::ReadOnly));
    QCOMPARE(after.readAll(), before);
}

QTEST_MAIN(TestMainWindow)
#include "tst_mainwindow.moc"
