#include "k8s/accessreview.h"
#include "k8s/kubeclient.h"
#include "k8s/kubereply.h"
#include "k8s/lease.h"
#include "tests/support/testcluster.h"

#include <QSignalSpy>
#include <QtTest>

using namespace canary;

// One driver at a time: LeaseLock against the demo cluster's coordination.k8s.io/v1 Leases over HTTPS.
class TestLease : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();
    void leaseTimeIsMicroTime();
    void recordReadsTheSpec();
    void firstCandidateCreatesTheLease();
    void secondCandidateIsRefusedNamingTheHolder_data();
    void secondCandidateIsRefusedNamingTheHolder();
    void renewalMovesRenewTimeAndKeepsAnnotations();
    void takeOverMakesTheFormerHolderLoseItsRenewal();
    void expiredLeaseCanBeTaken();
    void releasedLeaseIsFree();
    void viewerMayNotTakeALease();
    void whoAmI_data();
    void whoAmI();

private:
    std::unique_ptr<k8s::LeaseLock> lock(const QString &name, const QString &identity, const QString &instance);
    static bool acquire(k8s::LeaseLock &lock, QString *message = nullptr);
    static bool renew(k8s::LeaseLock &lock, QString *message = nullptr);
    static void release(k8s::LeaseLock &lock);
    k8s::LeaseRecord live(const QString &name) const;

    std::unique_ptr<test::TestCluster> m_cluster;
    std::unique_ptr<k8s::KubeClient> m_client;
};

void TestLease::initTestCase()
{
    m_cluster = std::make_unique<test::TestCluster>();
    QVERIFY2(m_cluster->ok(), qPrintable(m_cluster->error()));
    m_client = std::make_unique<k8s::KubeClient>(m_cluster->endpoint());
}

void TestLease::cleanupTestCase()
{
    m_client.reset();
    m_cluster.reset();
}

std::unique_ptr<k8s::LeaseLock> TestLease::lock(const QString &name, const QString &identity, const QString &instance)
{
    auto l = std::make_unique<k8s::LeaseLock>(m_client.get(), QStringLiteral("default"), name, identity);
    l->setInstance(instance);
    l->setDurationSeconds(30);
    return l;
}

bool TestLease::acquire(k8s::LeaseLock &lock, QString *message)
{
    QSignalSpy spy(&lock, &k8s::LeaseLock::acquired);
    lock.acquire();
    if (!spy.wait(20000))
        return false;
    if (message)
        *message = spy.at(0).at(1).toString();
    return spy.at(0).at(0).toBool();
}

bool TestLease::renew(k8s::LeaseLock &lock, QString *message)
{
    QSignalSpy spy(&lock, &k8s::LeaseLock::renewed);
    lock.renew();
    if (spy.isEmpty() && !spy.wait(20000))
        return false;
    if (message)
        *message = spy.at(0).at(1).toString();
    return spy.at(0).at(0).toBool();
}

void TestLease::release(k8s::LeaseLock &lock)
{
    QSignalSpy spy(&lock, &k8s::LeaseLock::released);
    lock.release();
    if (spy.isEmpty())
        QVERIFY(spy.wait(20000));
}

k8s::LeaseRecord TestLease::live(const QString &name) const
{
    return k8s::LeaseRecord::fromJson(m_cluster->get(k8s::leasePath(QStringLiteral("default"), name)));
}

void TestLease::leaseTimeIsMicroTime()
{
    const QDateTime t(QDate(2026, 12, 3), QTime(9, 5, 7, 42), Qt::UTC);
    QCOMPARE(k8s::leaseTime(t), QStringLiteral("2026-12-03T09:05:07.042000Z"));
    QCOMPARE(k8s::leasePath("team-a", "greeting"),
             QStringLiteral("/apis/coordination.k8s.io/v1/namespaces/team-a/leases/greeting"));
}

void TestLease::recordReadsTheSpec()
{
    const QJsonObject lease { { "metadata", QJsonObject { { "annotations", QJsonObject { { "a", "b" } } } } },
                              { "spec",
                                QJsonObject { { "holderIdentity", "alice@ws1" },
                                              { "leaseDurationSeconds", 30 },
                                              { "acquireTime", "2026-12-03T09:00:00.000000Z" },
                                              { "renewTime", "2026-12-03T09:00:20.123456Z" },
                                              { "leaseTransitions", 3 } } } };
    const k8s::LeaseRecord r = k8s::LeaseRecord::fromJson(lease);
    QCOMPARE(r.holder, QStringLiteral("alice@ws1"));
    QCOMPARE(r.transitions, 3);
    QCOMPARE(r.annotation("a"), QStringLiteral("b"));
    const QDateTime renewed(QDate(2026, 12, 3), QTime(9, 0, 20, 123), Qt::UTC);
    QCOMPARE(r.renewTime, renewed);
    QCOMPARE(r.secondsSinceRenewal(renewed.addSecs(25)), 25);
    QVERIFY(!r.isExpired(renewed.addSecs(30)));
    QVERIFY(r.isExpired(renewed.addSecs(31)));
    QVERIFY(!k8s::LeaseRecord::fromJson({}).exists());
    QVERIFY(!k8s::LeaseRecord::fromJson({}).isHeld());
}

void TestLease::firstCandidateCreatesTheLease()
{
    auto a = lock("first", "alice@ws1", "ws1:100");
    QString message;
    QVERIFY2(acquire(*a, &message), qPrintable(message));
    QVERIFY(a->isHeld());
    const k8s::LeaseRecord r = live("first");
    QCOMPARE(r.holder, QStringLiteral("alice@ws1"));
    QCOMPARE(r.durationSeconds, 30);
    QCOMPARE(r.transitions, 0);
    QVERIFY(r.acquireTime.isValid());
    QVERIFY(qAbs(r.secondsSinceRenewal()) <= 2);
    QCOMPARE(r.annotation("canarydeck.io/instance"), QStringLiteral("ws1:100"));
    // The same candidate again: still its own.
    QVERIFY(acquire(*a));
}

void TestLease::secondCandidateIsRefusedNamingTheHolder_data()
{
    QTest::addColumn<QString>("identity");
    QTest::addColumn<QString>("instance");
    QTest::newRow("another user") << "bob@ws2"
                                  << "ws2:200";
    QTest::newRow("the same user in another window") << "alice@ws1"
                                                     << "ws1:101";
}

void TestLease::secondCandidateIsRefusedNamingTheHolder()
{
    QFETCH(QString, identity);
    QFETCH(QString, instance);
    const QString name = QStringLiteral("refused-%1").arg(QTest::currentDataTag()[0] == 'a' ? 1 : 2);
    auto a = lock(name, "alice@ws1", "ws1:100");
    QVERIFY(acquire(*a));
    const QString before = live(name).object.value("metadata").toObject().value("resourceVersion").toString();
    auto b = lock(name, identity, instance);
    QString message;
    QVERIFY(!acquire(*b, &message));
    QVERIFY(!b->isHeld());
    QVERIFY2(message.contains(QLatin1String("held by alice@ws1")), qPrintable(message));
    QVERIFY2(message.contains(QRegularExpression(QStringLiteral("renewed \\d+s ago"))), qPrintable(message));
    QVERIFY2(message.contains(QLatin1String("30s without renewal")), qPrintable(message));
    // Refusing wrote nothing.
    QCOMPARE(live(name).object.value("metadata").toObject().value("resourceVersion").toString(), before);
}

void TestLease::renewalMovesRenewTimeAndKeepsAnnotations()
{
    auto a = lock("renewed", "alice@ws1", "ws1:100");
    QVERIFY(acquire(*a));
    const k8s::LeaseRecord first = live("renewed");
    QTest::qWait(30); // a renewal later than the acquisition, to the microsecond stored as milliseconds
    a->setAnnotations(QJsonObject { { "canarydeck.io/last-check", "{\"ok\":true}" } });
    QString message;
    QVERIFY2(renew(*a, &message), qPrintable(message));
    const k8s::LeaseRecord second = live("renewed");
    QVERIFY(second.renewTime > first.renewTime);
    QCOMPARE(second.acquireTime, first.acquireTime);
    QCOMPARE(second.annotation("canarydeck.io/last-check"), QStringLiteral("{\"ok\":true}"));
    QCOMPARE(second.annotation("canarydeck.io/instance"), QStringLiteral("ws1:100"));
}

void TestLease::takeOverMakesTheFormerHolderLoseItsRenewal()
{
    auto a = lock("taken", "alice@ws1", "ws1:100");
    QVERIFY(acquire(*a));
    auto b = lock("taken", "alice@ws1", "ws1:101");
    int asked = 0;
    b->setTakeOver([&asked](const k8s::LeaseRecord &r) {
        ++asked;
        return r.annotation("canarydeck.io/instance") == QLatin1String("ws1:100"); // that process is dead
    });
    QString message;
    QVERIFY2(acquire(*b, &message), qPrintable(message));
    QCOMPARE(asked, 1);
    QCOMPARE(live("taken").annotation("canarydeck.io/instance"), QStringLiteral("ws1:101"));
    // The former holder's renewal carries the resourceVersion it read: a conflict, so it knows it lost.
    QVERIFY(!renew(*a, &message));
    QVERIFY2(message.contains(QLatin1String("taken by another driver")), qPrintable(message));
    QVERIFY(!a->isHeld());
    QCOMPARE(live("taken").annotation("canarydeck.io/instance"), QStringLiteral("ws1:101"));
}

void TestLease::expiredLeaseCanBeTaken()
{
    auto a = lock("expired", "alice@ws1", "ws1:100");
    a->setDurationSeconds(1);
    QVERIFY(acquire(*a));
    auto b = lock("expired", "bob@ws2", "ws2:200");
    QVERIFY(!acquire(*b));
    QTest::qWait(2200);
    QString message;
    QVERIFY2(acquire(*b, &message), qPrintable(message));
    const k8s::LeaseRecord r = live("expired");
    QCOMPARE(r.holder, QStringLiteral("bob@ws2"));
    QCOMPARE(r.transitions, 1);
}

void TestLease::releasedLeaseIsFree()
{
    auto a = lock("released", "alice@ws1", "ws1:100");
    QVERIFY(acquire(*a));
    release(*a);
    QVERIFY(!a->isHeld());
    const k8s::LeaseRecord r = live("released");
    QVERIFY(r.exists());
    QVERIFY(!r.isHeld());
    QCOMPARE(r.durationSeconds, 1);
    auto b = lock("released", "bob@ws2", "ws2:200");
    QVERIFY(acquire(*b));
    QCOMPARE(live("released").holder, QStringLiteral("bob@ws2"));
}

void TestLease::viewerMayNotTakeALease()
{
    k8s::KubeClient viewer(m_cluster->endpointWithToken(QLatin1String(test::TestCluster::kViewerToken)));
    k8s::LeaseLock l(&viewer, QStringLiteral("default"), QStringLiteral("viewer"), QStringLiteral("viewer@ws3"));
    QString message;
    QVERIFY(!acquire(l, &message));
    QVERIFY2(message.contains(QLatin1String("forbidden"), Qt::CaseInsensitive), qPrintable(message));
    QVERIFY2(message.contains(QLatin1String("leases")), qPrintable(message));
}

// The user half of holderIdentity, as kubectl auth whoami finds it.
void TestLease::whoAmI_data()
{
    QTest::addColumn<QString>("token");
    QTest::addColumn<QString>("user");
    QTest::newRow("administrator") << QString() << "demo-admin";
    QTest::newRow("viewer") << QString::fromLatin1(test::TestCluster::kViewerToken) << "viewer";
    QTest::newRow("editor") << QString::fromLatin1(test::TestCluster::kEditorToken) << "editor";
}

void TestLease::whoAmI()
{
    QFETCH(QString, token);
    QFETCH(QString, user);
    k8s::KubeClient client(token.isEmpty() ? m_cluster->endpoint() : m_cluster->endpointWithToken(token));
    k8s::KubeReply *reply = client.send(k8s::selfSubjectReviewRequest());
    QSignalSpy done(reply, &k8s::KubeReply::finished);
    if (!reply->isFinished())
        QVERIFY(done.wait(20000));
    QVERIFY2(reply->ok(), qPrintable(reply->error().message));
    QCOMPARE(k8s::selfSubjectReviewUser(reply->json()), user);
    QCOMPARE(k8s::selfSubjectReviewUser({}), QString());
    reply->deleteLater();
}

QTEST_GUILESS_MAIN(TestLease)
#include "tst_lease.moc"
