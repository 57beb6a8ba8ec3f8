#include "core/model/istio.h"
#include "core/session/releasesession.h"
#include "tests/support/testcluster.h"

#include <QJsonDocument>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QtTest>

#include <algorithm>

using namespace canary;

// A namespace of more releases than the session builds on the thread that paints (512): they are
// built in the background and in pieces, and the session still tells every change, in order.
class TestBigSession : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void everyReleaseIsBuiltAndFollowed();

private:
    static QJsonObject object(const QString &json) { return QJsonDocument::fromJson(json.toUtf8()).object(); }

    std::unique_ptr<test::TestCluster> m_cluster;
    QTemporaryDir m_journal;
    QStringList m_names;
};

static const int kReleases = 600;
static const QString kNs = QStringLiteral("bulk");

void TestBigSession::initTestCase()
{
    m_cluster = std::make_unique<test::TestCluster>(0);
    QVERIFY2(m_cluster->ok(), qPrintable(m_cluster->error()));
    QCOMPARE(m_cluster->create(
                     QStringLiteral("/api/v1/namespaces"),
                     object(QStringLiteral(R"({"apiVersion":"v1","kind":"Namespace","metadata":{"name":"%1"}})")
                                    .arg(kNs))),
             201);
    const QString istio = QStringLiteral("/apis/networking.istio.io/v1/namespaces/%1/").arg(kNs);
    for (int i = 0; i < kReleases; ++i) {
        const QString name = QStringLiteral("svc-%1").arg(i);
        m_names.append(name);
        QCOMPARE(m_cluster->create(
                         istio + QStringLiteral("destinationrules"),
                         object(QStringLiteral(R"({"apiVersion":"networking.istio.io/v1","kind":"DestinationRule",)"
                                               R"("metadata":{"name":"%1"},"spec":{"host":"%1","subsets":[)"
                                               R"({"name":"v1","labels":{"version":"v1"}},)"
                                               R"({"name":"v2","labels":{"version":"v2"}}]}})")
                                        .arg(name))),
                 201);
        QCOMPARE(m_cluster->create(
                         istio + QStringLiteral("virtualservices"),
                         object(QStringLiteral(R"({"apiVersion":"networking.istio.io/v1","kind":"VirtualService",)"
                                               R"("metadata":{"name":"%1"},"spec":{"hosts":["%1"],"http":[{"route":[)"
                                               R"({"destination":{"host":"%1","subset":"v1"},"weight":90},)"
                                               R"({"destination":{"host":"%1","subset":"v2"},"weight":10}]}]}})")
                                        .arg(name))),
                 201);
    }
    std::sort(m_names.begin(), m_names.end()); // the stores' order: by name
}

void TestBigSession::everyReleaseIsBuiltAndFollowed()
{
    k8s::ClusterEndpoint endpoint = m_cluster->endpoint();
    endpoint.ns = kNs;
    core::ReleaseSession session(endpoint, nullptr, m_journal.path());
    session.start();
    QTRY_COMPARE_WITH_TIMEOUT(session.releases().size(), qsizetype(kReleases), 30000);
    QStringList names;
    for (const core::Release &r : session.releases())
        names.append(r.name);
    QCOMPARE(names, m_names);
    const core::Release *r = session.release(QStringLiteral("svc-321"));
    QVERIFY(r);
    QCOMPARE(r->versionNames(), (QStringList { QStringLiteral("v1"), QStringLiteral("v2") }));
    QCOMPARE(r->routeWeights(r->defaultRoute), (QList<int> { 90, 10 }));

    // Another client changes one: the watch brings it, and the build in the background shows it.
    const QString path = QStringLiteral("/apis/networking.istio.io/v1/namespaces/%1/virtualservices/svc-321").arg(kNs);
    QCOMPARE(m_cluster->put(path, test::withWeights(m_cluster->get(path), 0, { 40, 60 })), 200);
    QTRY_COMPARE_WITH_TIMEOUT(session.release(QStringLiteral("svc-321"))->routeWeights(0), (QList<int> { 40, 60 }),
                              10000);
    // And deletes one.
    QCOMPARE(m_cluster->remove(
                     QStringLiteral("/apis/networking.istio.io/v1/namespaces/%1/virtualservices/svc-7").arg(kNs)),
             200);
    QTRY_COMPARE_WITH_TIMEOUT(session.releases().size(), qsizetype(kReleases - 1), 10000);
    QVERIFY(!session.release(QStringLiteral("svc-7")));
}

QTEST_GUILESS_MAIN(TestBigSession)
#include "tst_bigsession.moc"
