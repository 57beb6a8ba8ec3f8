#include "core/edit/editsession.h"
#include "core/model/istio.h"
#include "core/session/releasesession.h"
#include "tests/support/testcluster.h"

#include <QElapsedTimer>
#include <QJsonArray>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QtTest>

using namespace canary;

// The edit session of one release against the demo cluster, with no widget in sight.
class TestEditSession : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void init();
    void cleanup();
    void oneDragIsOneUndoStep();
    void aTwoSecondDragSendsOneDryRun();
    void atMostOneDryRunInFlightAndOnlyTheLatest();
    void selectionFollowsTheRouteWhenARouteIsInserted();
    void staleApplyMessageGoesWhenSomeoneElseChangesTheObject();
    void conflictKeepsTheDraftAndRebasesOnTheirObject();
    void promoteWritesTheLiveRoutesNotTheDraft();

private:
    void waitForReleases();
    void waitForSettledDryRun();
    bool applyAndWait(bool expectOk = true);

    std::unique_ptr<test::TestCluster> m_cluster;
    QTemporaryDir m_journal;
    std::unique_ptr<core::ReleaseSession> m_session;
    std::unique_ptr<core::EditSession> m_edits;
};

static const QString kGreeting
        = QStringLiteral("/apis/networking.istio.io/v1/namespaces/default/virtualservices/greeting");

void TestEditSession::initTestCase()
{
    m_cluster = std::make_unique<test::TestCluster>(0);
    QVERIFY2(m_cluster->ok(), qPrintable(m_cluster->error()));
}

void TestEditSession::init()
{
    m_session = std::make_unique<core::ReleaseSession>(m_cluster->endpoint(), nullptr, m_journal.path());
    m_edits = std::make_unique<core::EditSession>(m_session.get());
    m_session->start();
    waitForReleases();
    m_edits->setRelease(QStringLiteral("greeting"));
    QVERIFY(m_edits->live());
    QVERIFY(!m_edits->hasDraft());
}

void TestEditSession::cleanup()
{
    m_edits.reset();
    m_session.reset();
    // Every test starts from greeting at 80/20 with one route.
    QJsonObject vs = m_cluster->get(kGreeting);
    QJsonObject spec = vs.value(QLatin1String("spec")).toObject();
    spec.insert(
            QStringLiteral("http"),
            QJsonArray { QJsonObject {
                    { QStringLiteral("route"),
                      QJsonArray {
                              QJsonObject { { QStringLiteral("destination"),
                                              QJsonObject { { QStringLiteral("host"), QStringLiteral("greeting") },
                                                            { QStringLiteral("subset"), QStringLiteral("safe") } } },
                                            { QStringLiteral("weight"), 80 } },
                              QJsonObject { { QStringLiteral("destination"),
                                              QJsonObject { { QStringLiteral("host"), QStringLiteral("greeting") },
                                                            { QStringLiteral("subset"), QStringLiteral("risky") } } },
                                            { QStringLiteral("weight"), 20 } } } } } });
    vs.insert(QStringLiteral("spec"), spec);
    QCOMPARE(m_cluster->put(kGreeting, vs), 200);
}

void TestEditSession::waitForReleases()
{
    QTRY_VERIFY_WITH_TIMEOUT(m_session->release(QStringLiteral("greeting")) != nullptr, 20000);
    QTRY_COMPARE_WITH_TIMEOUT(m_session->connection(), core::ReleaseSession::Connection::Connected, 20000);
}

void TestEditSession::waitForSettledDryRun()
{
    QTRY_VERIFY_WITH_TIMEOUT(m_edits->dryRunState() == core::EditSession::DryRun::Accepted
                                     || m_edits->dryRunState() == core::EditSession::DryRun::Rejected,
                             10000);
}

bool TestEditSession::applyAndWait(bool expectOk)
{
    QSignalSpy finished(m_edits.get(), &core::EditSession::applyFinished);
    m_edits->apply();
    if (!finished.wait(20000))
        return false;
    return finished.at(0).at(0).toBool() == expectOk;
}

void TestEditSession::oneDragIsOneUndoStep()
{
    m_edits->beginGesture();
    for (int risky = 21; risky <= 60; ++risky)
        m_edits->setWeight(1, risky);
    m_edits->endGesture();
    QCOMPARE(m_edits->current()->routeWeights(0), (QList<int> { 40, 60 }));
    QCOMPARE(m_edits->summaries(), QStringList { QStringLiteral("route #0: safe 40%, risky 60%") });
    // A second drag is a second step.
    m_edits->beginGesture();
    m_edits->setWeight(1, 70);
    m_edits->endGesture();
    m_edits->undo();
    QCOMPARE(m_edits->current()->routeWeights(0), (QList<int> { 40, 60 }));
    m_edits->undo();
    QCOMPARE(m_edits->current()->routeWeights(0), (QList<int> { 80, 20 }));
    QVERIFY(!m_edits->hasDraft());
    QVERIFY(!m_edits->canUndo());
    m_edits->redo();
    QCOMPARE(m_edits->current()->routeWeights(0), (QList<int> { 40, 60 }));
}

void TestEditSession::aTwoSecondDragSendsOneDryRun()
{
    // A slider held for two seconds moves every 20 ms: 100 edits of the draft.
    const int before = m_cluster->dryRunRequests();
    QSignalSpy changed(m_edits.get(), &core::EditSession::changed);
    m_edits->beginGesture();
    QElapsedTimer drag;
    drag.start();
    int step = 0;
    while (drag.elapsed() < 2000) {
        m_edits->setWeight(1, 20 + (step++ % 50));
        QTest::qWait(20);
    }
    m_edits->endGesture();
    QVERIFY(changed.size() >= 50);
    QCOMPARE(m_edits->dryRunsStarted(), 0); // still moving: not asked yet
    waitForSettledDryRun();
    QCOMPARE(m_edits->dryRunState(), core::EditSession::DryRun::Accepted);
    QCOMPARE(m_edits->dryRunsStarted(), 1);
    const int received = m_cluster->dryRunRequests() - before;
    qInfo("%d edits in a 2 s drag; the API server received %d dry-run request(s)", step, received);
    QCOMPARE(received, 1); // one step (the VirtualService) of one plan
}

void TestEditSession::atMostOneDryRunInFlightAndOnlyTheLatest()
{
    // The server takes 600 ms a request; edits 300 ms apart outpace it.
    QVERIFY(m_cluster->setFaults(QStringLiteral("slow=600")));
    const int before = m_cluster->dryRunRequests();
    QList<core::EditSession::DryRun> states;
    connect(m_edits.get(), &core::EditSession::dryRunChanged, this,
            [this, &states] { states.append(m_edits->dryRunState()); });
    for (int risky : { 30, 40, 50, 60 }) {
        m_edits->setWeight(1, risky);
        QTest::qWait(300);
    }
    waitForSettledDryRun();
    QVERIFY(m_cluster->setFaults(QStringLiteral("slow=0")));
    QCOMPARE(m_edits->dryRunState(), core::EditSession::DryRun::Accepted);
    // The verdict shown is for the draft as it is now: no answer for an older draft was shown.
    QCOMPARE(states.count(core::EditSession::DryRun::Accepted), 1);
    QVERIFY2(m_edits->dryRunsStarted() <= 3, qPrintable(QString::number(m_edits->dryRunsStarted())));
    QVERIFY(m_cluster->dryRunRequests() - before <= 3);
    QCOMPARE(m_edits->current()->routeWeights(0), (QList<int> { 40, 60 }));
}

void TestEditSession::selectionFollowsTheRouteWhenARouteIsInserted()
{
    const core::MatchCondition dark { core::MatchCondition::Field::Header, core::MatchCondition::Kind::Exact,
                                      QStringLiteral("x-my-header"), QStringLiteral("dark") };
    QVERIFY(m_edits->addMatchRoute(QStringLiteral("risky"), { dark }));
    QVERIFY(applyAndWait());
    m_edits->selectRoute(0);
    QCOMPARE(m_edits->routeIndex(), 0);
    // Someone inserts another match route in front of ours.
    QJsonObject vs = m_cluster->get(kGreeting);
    QJsonObject spec = vs.value(QLatin1String("spec")).toObject();
    QJsonArray http = spec.value(QLatin1String("http")).toArray();
    QJsonObject qa = http.at(0).toObject();
    qa.insert(QStringLiteral("match"),
              QJsonArray { QJsonObject {
                      { QStringLiteral("headers"),
                        QJsonObject { { QStringLiteral("x-qa"),
                                        QJsonObject { { QStringLiteral("exact"), QStringLiteral("1") } } } } } } });
    http.insert(0, qa);
    spec.insert(QStringLiteral("http"), http);
    vs.insert(QStringLiteral("spec"), spec);
    QCOMPARE(m_cluster->put(kGreeting, vs), 200);
    QTRY_COMPARE_WITH_TIMEOUT(int(m_edits->live()->routes.size()), 3, 5000);
    QCOMPARE(m_edits->routeIndex(), 1); // still the x-my-header route
    QCOMPARE(m_edits->live()->route(1)->match, (QJsonArray { core::matchBlock({ dark }) }));
}

void TestEditSession::staleApplyMessageGoesWhenSomeoneElseChangesTheObject()
{
    m_edits->setWeight(1, 35);
    QVERIFY(applyAndWait());
    QVERIFY2(m_edits->message().startsWith(QLatin1String("Applied to VirtualService greeting")),
             qPrintable(m_edits->message()));
    QSignalSpy message(m_edits.get(), &core::EditSession::messageChanged);
    QCOMPARE(m_cluster->put(kGreeting, test::withWeights(m_cluster->get(kGreeting), 0, { 50, 50 })), 200);
    QTRY_VERIFY_WITH_TIMEOUT(m_edits->message().isEmpty(), 5000);
    QVERIFY(!message.isEmpty());
}

void TestEditSession::conflictKeepsTheDraftAndRebasesOnTheirObject()
{
    m_edits->setWeight(1, 45);
    // Their change lands before our apply: a label, outside the routes we edit.
    QJsonObject theirs = m_cluster->get(kGreeting);
    QJsonObject meta = theirs.value(QLatin1String("metadata")).toObject();
    meta.insert(QStringLiteral("labels"),
                QJsonObject { { QStringLiteral("edited-by"), QStringLiteral("someone-else") } });
    theirs.insert(QStringLiteral("metadata"), meta);
    QCOMPARE(m_cluster->put(kGreeting, theirs), 200);
    QVERIFY(applyAndWait(false));
    QVERIFY(m_edits->hasDraft());
    QVERIFY(m_edits->rebaseOnApply());
    QVERIFY2(m_edits->message().contains(QLatin1String("Your edits are kept")), qPrintable(m_edits->message()));
    QTRY_COMPARE_WITH_TIMEOUT(core::labelsOf(m_edits->live()->vs).value(QLatin1String("edited-by")).toString(),
                              QStringLiteral("someone-else"), 5000);
    QVERIFY(applyAndWait());
    const QJsonObject live = m_cluster->get(kGreeting);
    QCOMPARE(test::routeWeights(live).value(QStringLiteral("risky")), 45);
    QCOMPARE(core::labelsOf(live).value(QLatin1String("edited-by")).toString(), QStringLiteral("someone-else"));
}

void TestEditSession::promoteWritesTheLiveRoutesNotTheDraft()
{
    m_edits->setWeight(1, 10);
    QVERIFY(m_edits->hasDraft());
    QSignalSpy finished(m_edits.get(), &core::EditSession::applyFinished);
    m_edits->promote(QStringLiteral("risky"));
    QVERIFY(!m_edits->hasDraft());
    QVERIFY(finished.wait(20000));
    QVERIFY2(finished.at(0).at(0).toBool(), qPrintable(finished.at(0).at(1).toString()));
    QCOMPARE(test::routeWeights(m_cluster->get(kGreeting)),
             (QMap<QString, int> { { QStringLiteral("safe"), 0 }, { QStringLiteral("risky"), 100 } }));
}

QTEST_GUILESS_MAIN(TestEditSession)
#include "tst_editsession.moc"
