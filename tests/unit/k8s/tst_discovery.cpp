#include "k8s/discovery.h"
#include "k8s/discoveryreply.h"
#include "k8s/kubeclient.h"
#include "tests/support/testcluster.h"

#include <QJsonDocument>
#include <QtTest>

using namespace canary;

namespace {

QJsonObject json(const QByteArray &text)
{
    return QJsonDocument::fromJson(text).object();
}

// Abridged from kube-apiserver 1.31 with Istio 1.24 installed.
const QByteArray kApis = R"({"kind":"APIGroupList","apiVersion":"v1","groups":[
  {"name":"apps","versions":[{"groupVersion":"apps/v1","version":"v1"}],"preferredVersion":{"groupVersion":"apps/v1","version":"v1"}},
  {"name":"networking.istio.io","versions":[{"groupVersion":"networking.istio.io/v1","version":"v1"},
     {"groupVersion":"networking.istio.io/v1beta1","version":"v1beta1"},{"groupVersion":"networking.istio.io/v1alpha3","version":"v1alpha3"}],
   "preferredVersion":{"groupVersion":"networking.istio.io/v1","version":"v1"}},
  {"name":"gateway.networking.k8s.io","versions":[{"groupVersion":"gateway.networking.k8s.io/v1","version":"v1"},
     {"groupVersion":"gateway.networking.k8s.io/v1beta1","version":"v1beta1"}],
   "preferredVersion":{"groupVersion":"gateway.networking.k8s.io/v1","version":"v1"}}]})";

const QByteArray kResources
        = R"({"kind":"APIResourceList","apiVersion":"v1","groupVersion":"networking.istio.io/v1","resources":[
  {"name":"virtualservices","singularName":"virtualservice","namespaced":true,"kind":"VirtualService",
   "verbs":["delete","deletecollection","get","list","patch","create","update","watch"],"shortNames":["vs"],"categories":["istio-io","networking-istio-io"]},
  {"name":"virtualservices/status","singularName":"","namespaced":true,"kind":"VirtualService","verbs":["get","patch","update"]},
  {"name":"destinationrules","singularName":"destinationrule","namespaced":true,"kind":"DestinationRule",
   "verbs":["get","list","watch","create","update","patch","delete"],"shortNames":["dr"]}]})";

} // namespace

class TestDiscovery : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void groups_data();
    void groups();
    void resources_data();
    void resources();
    void resourceListErrors();
    void fetchFromTheDemoCluster();
    void fetchFailureIsReported();
};

void TestDiscovery::groups_data()
{
    QTest::addColumn<QByteArray>("apis");
    QTest::addColumn<QByteArray>("api"); // /api, or empty when not asked
    QTest::addColumn<QString>("group");
    QTest::addColumn<QString>("preferred"); // empty: the group is not served
    QTest::addColumn<QStringList>("versions");
    QTest::addColumn<QString>("error"); // non-empty: parsing fails with a message containing this

    QTest::newRow("istio 1.24") << kApis << QByteArray() << "networking.istio.io"
                                << "v1" << QStringList { "v1", "v1beta1", "v1alpha3" } << QString();
    QTest::newRow("apps") << kApis << QByteArray() << "apps"
                          << "v1" << QStringList { "v1" } << QString();
    QTest::newRow("no istio") << kApis << QByteArray() << "security.istio.io" << QString() << QStringList()
                              << QString();
    QTest::newRow("core group not asked") << kApis << QByteArray() << "" << QString() << QStringList() << QString();
    QTest::newRow("core group from /api") << kApis << QByteArray(R"({"kind":"APIVersions","versions":["v1"]})") << ""
                                          << "v1" << QStringList { "v1" } << QString();
    QTest::newRow("istio 1.21: v1beta1 preferred") << QByteArray(
            R"({"groups":[{"name":"networking.istio.io","versions":[{"groupVersion":"networking.istio.io/v1beta1","version":"v1beta1"},
                            {"groupVersion":"networking.istio.io/v1alpha3","version":"v1alpha3"}],
                            "preferredVersion":{"groupVersion":"networking.istio.io/v1beta1","version":"v1beta1"}}]})")
                                                   << QByteArray() << "networking.istio.io"
                                                   << "v1beta1" << QStringList { "v1beta1", "v1alpha3" } << QString();
    QTest::newRow("versions by groupVersion only") << QByteArray(
            R"({"groups":[{"name":"g.example.com","versions":[{"groupVersion":"g.example.com/v2"}],"preferredVersion":{"groupVersion":"g.example.com/v2"}}]})")
                                                   << QByteArray() << "g.example.com"
                                                   << "v2" << QStringList { "v2" } << QString();
    QTest::newRow("no preferred version: the first") << QByteArray(
            R"({"groups":[{"name":"g.example.com","versions":[{"version":"v1beta2"},{"version":"v1beta1"}]}]})")
                                                     << QByteArray() << "g.example.com"
                                                     << "v1beta2" << QStringList { "v1beta2", "v1beta1" } << QString();
    QTest::newRow("a group without versions is not served")
            << QByteArray(R"({"groups":[{"name":"g.example.com","versions":[]}]})") << QByteArray() << "g.example.com"
            << QString() << QStringList() << QString();
    QTest::newRow("no groups at all") << QByteArray(R"({"kind":"APIGroupList","groups":[]})") << QByteArray() << "apps"
                                      << QString() << QStringList() << QString();
    QTest::newRow("not an APIGroupList") << QByteArray("<html>502 Bad Gateway</html>") << QByteArray() << "apps"
                                         << QString() << QStringList() << QStringLiteral("is not an APIGroupList");
    QTest::newRow("a group without a name")
            << QByteArray(R"({"groups":[{"versions":[{"version":"v1"}]}]})") << QByteArray() << "" << QString()
            << QStringList() << QStringLiteral("group without a name");
    QTest::newRow("not an APIVersions") << kApis << QByteArray(R"({"kind":"Status"})") << "" << QString()
                                        << QStringList() << QStringLiteral("not an APIVersions list");
}

void TestDiscovery::groups()
{
    QFETCH(QByteArray, apis);
    QFETCH(QByteArray, api);
    QFETCH(QString, group);
    QFETCH(QString, preferred);
    QFETCH(QStringList, versions);
    QFETCH(QString, error);
    const auto d = k8s::Discovery::fromJson(json(apis), json(api));
    if (!error.isEmpty()) {
        QVERIFY(!d.ok());
        QVERIFY2(d.error().message.contains(error), qPrintable(d.error().message));
        return;
    }
    QVERIFY2(d.ok(), qPrintable(d.ok() ? QString() : d.error().message));
    QCOMPARE(d->hasGroup(group), !preferred.isEmpty());
    QCOMPARE(d->groups().contains(group), !preferred.isEmpty());
    QCOMPARE(d->preferredVersion(group), preferred);
    QCOMPARE(d->versions(group), versions);
    for (const QString &v : versions)
        QVERIFY(d->serves(group, v));
    QVERIFY(!d->serves(group, QStringLiteral("v9")));
    QVERIFY(!d->hasResources(group, preferred));
}

void TestDiscovery::resources_data()
{
    QTest::addColumn<QString>("name");
    QTest::addColumn<QString>("plural"); // empty: not found
    QTest::addColumn<QString>("kind");
    QTest::addColumn<QStringList>("shortNames");

    QTest::newRow("plural") << "virtualservices"
                            << "virtualservices"
                            << "VirtualService" << QStringList { "vs" };
    QTest::newRow("singular") << "virtualservice"
                              << "virtualservices"
                              << "VirtualService" << QStringList { "vs" };
    QTest::newRow("short name") << "dr"
                                << "destinationrules"
                                << "DestinationRule" << QStringList { "dr" };
    QTest::newRow("kind") << "DestinationRule"
                          << "destinationrules"
                          << "DestinationRule" << QStringList { "dr" };
    QTest::newRow("upper case") << "VS"
                                << "virtualservices"
                                << "VirtualService" << QStringList { "vs" };
    QTest::newRow("subresource") << "virtualservices/status"
                                 << "virtualservices/status"
                                 << "VirtualService" << QStringList();
    QTest::newRow("not served") << "gateways" << QString() << QString() << QStringList();
}

void TestDiscovery::resources()
{
    QFETCH(QString, name);
    QFETCH(QString, plural);
    QFETCH(QString, kind);
    QFETCH(QStringList, shortNames);
    auto d = k8s::Discovery::fromJson(json(kApis));
    QVERIFY(d.ok());
    k8s::Discovery discovery = *d;
    QVERIFY(discovery.addResources(json(kResources)).ok());
    QVERIFY(discovery.hasResources(QStringLiteral("networking.istio.io"), QStringLiteral("v1")));
    QVERIFY(!discovery.hasResources(QStringLiteral("networking.istio.io"), QStringLiteral("v1beta1")));
    QCOMPARE(discovery.resources(QStringLiteral("networking.istio.io"), QStringLiteral("v1")).size(), 3);
    const auto r = discovery.resource(QStringLiteral("networking.istio.io"), QStringLiteral("v1"), name);
    QCOMPARE(r.has_value(), !plural.isEmpty());
    if (!r)
        return;
    QCOMPARE(r->name, plural);
    QCOMPARE(r->kind, kind);
    QCOMPARE(r->shortNames, shortNames);
    QVERIFY(r->namespaced);
    QVERIFY(r->verbs.contains(QLatin1String("get")));
    QCOMPARE(r->verbs.contains(QLatin1String("watch")), !plural.endsWith(QLatin1String("/status")));
}

void TestDiscovery::resourceListErrors()
{
    k8s::Discovery d;
    const auto added = d.addResources(json(R"({"kind":"Status","code":404})"));
    QVERIFY(!added.ok());
    QVERIFY2(added.error().message.contains(QLatin1String("not an APIResourceList")),
             qPrintable(added.error().message));
    // The core group's list is named by its version alone.
    QVERIFY(d.addResources(
                     json(R"({"kind":"APIResourceList","groupVersion":"v1","resources":[{"name":"pods","kind":"Pod","namespaced":true,"verbs":["list"]}]})"))
                    .ok());
    QCOMPARE(d.resource(QString(), QStringLiteral("v1"), QStringLiteral("pod"))->name, QStringLiteral("pods"));
}

void TestDiscovery::fetchFromTheDemoCluster()
{
    test::TestCluster cluster;
    QVERIFY2(cluster.ok(), qPrintable(cluster.error()));
    k8s::KubeClient client(cluster.endpoint());
    k8s::DiscoveryReply *reply = k8s::DiscoveryReply::fetch(
            &client, { QStringLiteral("networking.istio.io"), QString(), QStringLiteral("not.served.example.com") });
    QSignalSpy finished(reply, &k8s::DiscoveryReply::finished);
    QVERIFY(!reply->isFinished());
    QVERIFY(finished.wait(20000));
    QCOMPARE(finished.size(), 1);
    QVERIFY2(reply->ok(), qPrintable(reply->ok() ? QString() : reply->result().error().message));
    const k8s::Discovery &d = reply->result().value();
    QCOMPARE(d.preferredVersion(QStringLiteral("networking.istio.io")), QStringLiteral("v1"));
    QCOMPARE(d.versions(QStringLiteral("networking.istio.io")), (QStringList { "v1", "v1beta1", "v1alpha3" }));
    QCOMPARE(d.preferredVersion(QString()), QStringLiteral("v1"));
    QCOMPARE(d.resource(QStringLiteral("networking.istio.io"), QStringLiteral("v1"), QStringLiteral("vs"))->kind,
             QStringLiteral("VirtualService"));
    QCOMPARE(d.resource(QString(), QStringLiteral("v1"), QStringLiteral("services"))->kind, QStringLiteral("Service"));
    QVERIFY(!d.hasResources(QStringLiteral("apps"), QStringLiteral("v1"))); // not asked for
    delete reply;
}

void TestDiscovery::fetchFailureIsReported()
{
    test::TestCluster cluster;
    QVERIFY2(cluster.ok(), qPrintable(cluster.error()));
    k8s::KubeClient stranger(cluster.endpointWithToken(QStringLiteral("not-a-token")));
    k8s::DiscoveryReply *reply = k8s::DiscoveryReply::fetch(&stranger, {}, QStringLiteral("API discovery"));
    QSignalSpy finished(reply, &k8s::DiscoveryReply::finished);
    QVERIFY(finished.wait(20000));
    QVERIFY(!reply->ok());
    QCOMPARE(reply->result().error().httpStatus, 401);
    QVERIFY2(reply->result().error().message.startsWith(QLatin1String("API discovery: ")),
             qPrintable(reply->result().error().message));
    // Cancelled before an answer: finished once, with nothing discovered.
    k8s::KubeClient client(cluster.endpoint());
    k8s::DiscoveryReply *cancelled = k8s::DiscoveryReply::fetch(&client);
    QSignalSpy cancelledFinished(cancelled, &k8s::DiscoveryReply::finished);
    cancelled->cancel();
    QCOMPARE(cancelledFinished.size(), 1);
    QVERIFY(!cancelled->ok());
    QTest::qWait(200);
    QCOMPARE(cancelledFinished.size(), 1);
}

QTEST_GUILESS_MAIN(TestDiscovery)
#include "tst_discovery.moc"
