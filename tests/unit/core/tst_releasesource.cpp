#include "core/apply/releaseloader.h"
#include "core/apply/releasesource.h"
#include "core/model/istio.h"
#include "k8s/discovery.h"
#include "k8s/kubeclient.h"
#include "tests/support/testcluster.h"

#include <QJsonDocument>
#include <QtTest>

using namespace canary;

namespace {

QJsonObject groupList(const QStringList &istioVersions, const QString &preferred)
{
    QJsonArray versions;
    for (const QString &v : istioVersions)
        versions.append(QJsonObject { { "groupVersion", QString("networking.istio.io/" + v) }, { "version", v } });
    QJsonArray groups { QJsonObject {
            { "name", "apps" },
            { "versions", QJsonArray { QJsonObject { { "groupVersion", "apps/v1" }, { "version", "v1" } } } } } };
    if (!istioVersions.isEmpty())
        groups.append(QJsonObject { { "name", "networking.istio.io" },
                                    { "versions", versions },
                                    { "preferredVersion",
                                      QJsonObject { { "groupVersion", QString("networking.istio.io/" + preferred) },
                                                    { "version", preferred } } } });
    return QJsonObject { { "kind", "APIGroupList" }, { "groups", groups } };
}

} // namespace

class TestReleaseSource : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void istioVersion_data();
    void istioVersion();
    void kinds_data();
    void kinds();
    void loadFromTheDemoCluster();
};

void TestReleaseSource::istioVersion_data()
{
    QTest::addColumn<QStringList>("served");
    QTest::addColumn<QString>("preferred");
    QTest::addColumn<QString>("expected"); // empty: an error
    QTest::addColumn<QString>("error");

    QTest::newRow("istio 1.22 and later") << QStringList { "v1", "v1beta1", "v1alpha3" } << "v1"
                                          << "v1" << QString();
    QTest::newRow("istio 1.21") << QStringList { "v1beta1", "v1alpha3" } << "v1beta1"
                                << "v1beta1" << QString();
    QTest::newRow("the server's preference, when known") << QStringList { "v1beta1", "v1" } << "v1beta1"
                                                         << "v1beta1" << QString();
    QTest::newRow("istio 1.4") << QStringList { "v1alpha3" } << "v1alpha3"
                               << "v1alpha3" << QString();
    QTest::newRow("an unknown preferred version") << QStringList { "v2", "v1beta1", "v1alpha3" } << "v2"
                                                  << "v1beta1" << QString();
    QTest::newRow("only unknown versions") << QStringList { "v2" } << "v2" << QString()
                                           << "the server at https://h:1 serves networking.istio.io only as v2; Canary "
                                              "Deck reads and writes v1, v1beta1, v1alpha3";
    QTest::newRow("not installed") << QStringList() << QString() << QString()
                                   << "the server at https://h:1 does not serve networking.istio.io: Istio is not "
                                      "installed in this cluster (or its CRDs are missing)";
}

void TestReleaseSource::istioVersion()
{
    QFETCH(QStringList, served);
    QFETCH(QString, preferred);
    QFETCH(QString, expected);
    QFETCH(QString, error);
    const auto discovery = k8s::Discovery::fromJson(groupList(served, preferred));
    QVERIFY(discovery.ok());
    const auto version = core::istioNetworkingVersion(*discovery, QStringLiteral("https://h:1"));
    if (expected.isEmpty()) {
        QVERIFY(!version.ok());
        QCOMPARE(version.error().message, error);
        return;
    }
    QVERIFY2(version.ok(), qPrintable(version.ok() ? QString() : version.error().message));
    QCOMPARE(*version, expected);
}

void TestReleaseSource::kinds_data()
{
    QTest::addColumn<QString>("istioVersion");
    QTest::addColumn<QStringList>("paths"); // collection paths in namespace shop; optional ones end in "?"

    QTest::newRow("istio v1") << "v1"
                              << QStringList { "/apis/networking.istio.io/v1/namespaces/shop/virtualservices",
                                               "/apis/networking.istio.io/v1/namespaces/shop/destinationrules",
                                               "/apis/networking.istio.io/v1/namespaces/shop/gateways?",
                                               "/api/v1/namespaces/shop/services?",
                                               "/api/v1/namespaces/shop/pods?",
                                               "/apis/apps/v1/namespaces/shop/deployments?" };
    QTest::newRow("istio v1beta1") << "v1beta1"
                                   << QStringList {
                                          "/apis/networking.istio.io/v1beta1/namespaces/shop/virtualservices",
                                          "/apis/networking.istio.io/v1beta1/namespaces/shop/destinationrules",
                                          "/apis/networking.istio.io/v1beta1/namespaces/shop/gateways?",
                                          "/api/v1/namespaces/shop/services?",
                                          "/api/v1/namespaces/shop/pods?",
                                          "/apis/apps/v1/namespaces/shop/deployments?"
                                      };
    QTest::newRow("no istio") << QString()
                              << QStringList { "/api/v1/namespaces/shop/services?", "/api/v1/namespaces/shop/pods?",
                                               "/apis/apps/v1/namespaces/shop/deployments?" };
}

void TestReleaseSource::kinds()
{
    QFETCH(QString, istioVersion);
    QFETCH(QStringList, paths);
    QStringList got;
    core::NamespaceSnapshot snapshot;
    for (const core::ReleaseKind &k : core::releaseKinds(istioVersion)) {
        got.append(k8s::collectionPath(k.group, k.version, QStringLiteral("shop"), k.plural)
                   + (k.optional ? QStringLiteral("?") : QString()));
        // Every kind listed has its place in the snapshot the releases are built from.
        QVERIFY2(core::snapshotItems(snapshot, k.kind), qPrintable(k.kind));
    }
    QCOMPARE(got, paths);
}

void TestReleaseSource::loadFromTheDemoCluster()
{
    test::TestCluster cluster;
    QVERIFY2(cluster.ok(), qPrintable(cluster.error()));
    k8s::KubeClient client(cluster.endpoint());
    const auto loaded = core::loadReleasesBlocking(&client, QStringLiteral("default"));
    QVERIFY2(loaded.ok(), qPrintable(loaded.ok() ? QString() : loaded.error().message));
    QCOMPARE(loaded->istioVersion, QStringLiteral("v1"));
    QCOMPARE(loaded->snapshot.ns, QStringLiteral("default"));
    QStringList names;
    for (const core::Release &r : loaded->releases)
        names.append(r.virtualService);
    QVERIFY2(names.contains(QLatin1String("greeting")) && names.contains(QLatin1String("color-is-vs")),
             qPrintable(names.join(QLatin1Char(','))));
    QVERIFY(!loaded->snapshot.pods.isEmpty());
    for (const QJsonObject &pod : loaded->snapshot.pods)
        QCOMPARE(pod.value(QLatin1String("kind")).toString(), QStringLiteral("Pod"));
    // A viewer may read, so the same releases; a stranger gets the 401 of the first request.
    k8s::KubeClient viewer(cluster.endpointWithToken(QLatin1String(test::TestCluster::kViewerToken)));
    const auto asViewer = core::loadReleasesBlocking(&viewer, QStringLiteral("default"));
    QVERIFY(asViewer.ok());
    QCOMPARE(asViewer->releases.size(), loaded->releases.size());
    k8s::KubeClient stranger(cluster.endpointWithToken(QStringLiteral("not-a-token")));
    const auto refused = core::loadReleasesBlocking(&stranger, QStringLiteral("default"));
    QVERIFY(!refused.ok());
    QCOMPARE(refused.error().httpStatus, 401);
}

QTEST_GUILESS_MAIN(TestReleaseSource)
#include "tst_releasesource.moc"
