#include "core/apply/applyrun.h"
#include "core/apply/releaseloader.h"
#include "core/edit/releaseedits.h"
#include "core/model/istio.h"
#include "k8s/kubeclient.h"
#include "tests/support/testcluster.h"

#include <QSignalSpy>
#include <QTemporaryDir>
#include <QtTest>

using namespace canary;

namespace {

const QString kGreeting = QStringLiteral("/apis/networking.istio.io/v1/namespaces/default/virtualservices/greeting");

core::ApplyPlan weightsPlan(k8s::KubeClient *client, int safe, int risky)
{
    const auto loaded = core::loadReleasesBlocking(client, QStringLiteral("default"));
    const auto release = core::findRelease(loaded->releases, QStringLiteral("greeting"));
    const auto vs = core::setRouteWeights(*release, release->defaultRoute,
                                          { { QStringLiteral("safe"), safe }, { QStringLiteral("risky"), risky } });
    return core::makePlan(*release, *vs, {}, loaded->istioVersion,
                          QStringLiteral("safe=%1 risky=%2").arg(safe).arg(risky));
}

} // namespace

class TestApplyRun : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void init();
    void writesAndRecords_data();
    void writesAndRecords();
    void conflictRecordsNothing();
    void asyncRunFinishesOnce();

private:
    std::unique_ptr<test::TestCluster> m_cluster;
    std::unique_ptr<QTemporaryDir> m_journalDir;
};

void TestApplyRun::init()
{
    m_cluster = std::make_unique<test::TestCluster>();
    QVERIFY2(m_cluster->ok(), qPrintable(m_cluster->error()));
    m_journalDir = std::make_unique<QTemporaryDir>();
}

void TestApplyRun::writesAndRecords_data()
{
    QTest::addColumn<bool>("serverSide");
    QTest::addColumn<bool>("dryRun");
    QTest::addColumn<QString>("rollbackOf");

    QTest::newRow("replace") << false << false << QString();
    QTest::newRow("server-side apply, forced") << true << false << QString();
    QTest::newRow("a rollback names what it undoes") << false << false << QStringLiteral("20260101-000000-abcd");
    QTest::newRow("dry run: nothing written or recorded") << false << true << QString();
}

void TestApplyRun::writesAndRecords()
{
    QFETCH(bool, serverSide);
    QFETCH(bool, dryRun);
    QFETCH(QString, rollbackOf);
    k8s::KubeClient client(m_cluster->endpoint());
    const core::ApplyPlan plan = weightsPlan(&client, 40, 60);
    QCOMPARE(plan.steps.size(), 1);
    core::ApplyOptions options;
    options.serverSideApply = serverSide;
    options.write.force = serverSide; // the seeds' routes belong to kubectl's manager
    options.write.dryRun = dryRun;
    options.rollbackOf = rollbackOf;
    const core::Journal journal(m_journalDir->path());
    const core::ApplyOutcome outcome = core::applyBlocking(&client, plan, options, journal);
    QVERIFY2(outcome.ok, qPrintable(outcome.message));
    QVERIFY(outcome.journalError.isEmpty());
    QCOMPARE(outcome.results.size(), 1);
    const QJsonObject live = m_cluster->get(kGreeting);
    QCOMPARE(test::routeWeights(live).value(QStringLiteral("safe")), dryRun ? 80 : 40);
    const QList<core::JournalEntry> entries = journal.entries();
    if (dryRun) {
        QVERIFY(entries.isEmpty());
        return;
    }
    QCOMPARE(entries.size(), 1);
    const core::JournalEntry &e = entries.constFirst();
    QCOMPARE(e.server, client.endpoint().server.toString());
    QCOMPARE(e.context, client.endpoint().contextName);
    QCOMPARE(e.ns, QStringLiteral("default"));
    QCOMPARE(e.release, QStringLiteral("greeting"));
    QCOMPARE(e.summary, QStringLiteral("safe=40 risky=60"));
    QCOMPARE(e.rollbackOf, rollbackOf);
    QCOMPARE(e.plan.steps.size(), 1);
    QCOMPARE(e.plan.steps.at(0).before, plan.steps.at(0).before);
    // After is what the server stored (its resourceVersion), not what was sent.
    QCOMPARE(core::resourceVersion(e.plan.steps.at(0).after), core::resourceVersion(live));
    QVERIFY(core::resourceVersion(e.plan.steps.at(0).after) != core::resourceVersion(plan.steps.at(0).after));
}

void TestApplyRun::conflictRecordsNothing()
{
    k8s::KubeClient client(m_cluster->endpoint());
    const core::Journal journal(m_journalDir->path());
    // Server-side apply over fields kubectl's manager owns, unforced: the conflict names it.
    core::ApplyOptions ssa;
    ssa.serverSideApply = true;
    const core::ApplyOutcome owned = core::applyBlocking(&client, weightsPlan(&client, 40, 60), ssa, journal);
    QVERIFY(!owned.ok);
    QCOMPARE(owned.failedStatus, 409);
    QVERIFY2(!owned.fieldConflicts.isEmpty()
                     && owned.fieldConflicts.constFirst().contains(QLatin1String("kubectl-client-side-apply")),
             qPrintable(owned.fieldConflicts.join(QLatin1Char('\n'))));
    QVERIFY(journal.entries().isEmpty());
    // Someone else writes in between: the plan's resourceVersion is stale.
    const core::ApplyPlan plan = weightsPlan(&client, 40, 60);
    QCOMPARE(m_cluster->put(kGreeting, test::withWeights(m_cluster->get(kGreeting), 0, { 70, 30 })), 200);
    const core::ApplyOutcome outcome = core::applyBlocking(&client, plan, {}, journal);
    QVERIFY(!outcome.ok);
    QCOMPARE(outcome.failedStatus, 409);
    QVERIFY2(outcome.message.contains(QLatin1String("changed by someone else")), qPrintable(outcome.message));
    QVERIFY(journal.entries().isEmpty());
    QCOMPARE(test::routeWeights(m_cluster->get(kGreeting)).value(QStringLiteral("safe")), 70);
}

void TestApplyRun::asyncRunFinishesOnce()
{
    k8s::KubeClient client(m_cluster->endpoint());
    core::ApplyRun run(&client, weightsPlan(&client, 10, 90), {}, core::Journal(m_journalDir->path()));
    QSignalSpy finished(&run, &core::ApplyRun::finished);
    run.start();
    QVERIFY(finished.wait(20000));
    QCOMPARE(finished.size(), 1);
    QVERIFY(finished.at(0).at(0).toBool());
    QVERIFY(run.isFinished());
    QCOMPARE(core::Journal(m_journalDir->path()).entries().size(), 1);
    // An empty plan: finished, nothing sent, nothing recorded.
    core::ApplyRun nothing(&client, core::ApplyPlan {}, {}, core::Journal(m_journalDir->path()));
    QSignalSpy nothingFinished(&nothing, &core::ApplyRun::finished);
    nothing.start();
    QCOMPARE(nothingFinished.size(), 1);
    QVERIFY(nothingFinished.at(0).at(0).toBool());
    QCOMPARE(core::Journal(m_journalDir->path()).entries().size(), 1);
}

QTEST_GUILESS_MAIN(TestApplyRun)
#include "tst_applyrun.moc"
