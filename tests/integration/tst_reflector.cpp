#include "core/model/istio.h"
#include "k8s/kubeclient.h"
#include "k8s/kubereply.h"
#include "k8s/reflector.h"
#include "tests/support/testcluster.h"
#include "tests/support/testproxy.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QSignalSpy>
#include <QtTest>

using namespace canary;
using State = k8s::Reflector::State;

// The reflector against the demo cluster over HTTPS: its store against the server's list, its states.
class TestReflector : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();
    void storeFollowsTheServer();
    void transformAppliesToListAndWatch();
    void relistAfterGoneDropsDeletedObjects();
    void longStreamsCutAreResumedWithoutBackoff();
    void unservedKindFails();

private:
    bool send(const k8s::KubeRequest &request);
    bool createNamespace(const QString &name);
    static QByteArray destinationRule(const QString &name);
    // name -> resourceVersion, of the server's list and of a store.
    QMap<QString, QString> serverVersions(const QString &path) const;
    static QMap<QString, QString> storeVersions(const k8s::Reflector &reflector);
    static QList<State> states(const QSignalSpy &spy);

    std::unique_ptr<test::TestCluster> m_cluster;
    std::unique_ptr<k8s::KubeClient> m_client;
};

void TestReflector::initTestCase()
{
    qRegisterMetaType<k8s::Reflector::State>();
    m_cluster = std::make_unique<test::TestCluster>();
    QVERIFY2(m_cluster->ok(), qPrintable(m_cluster->error()));
    m_client = std::make_unique<k8s::KubeClient>(m_cluster->endpoint());
}

void TestReflector::cleanupTestCase()
{
    m_client.reset();
    m_cluster.reset();
}

bool TestReflector::send(const k8s::KubeRequest &request)
{
    k8s::KubeReply *reply = m_client->send(request);
    QSignalSpy done(reply, &k8s::KubeReply::finished);
    if (!reply->isFinished())
        done.wait(20000);
    if (!reply->ok())
        qWarning("%s", qPrintable(reply->error().message));
    reply->deleteLater();
    return reply->ok();
}

bool TestReflector::createNamespace(const QString &name)
{
    const QJsonObject ns { { QStringLiteral("apiVersion"), QStringLiteral("v1") },
                           { QStringLiteral("kind"), QStringLiteral("Namespace") },
                           { QStringLiteral("metadata"), QJsonObject { { QStringLiteral("name"), name } } } };
    return send(k8s::KubeRequest::create(QStringLiteral("/api/v1/namespaces"),
                                         QJsonDocument(ns).toJson(QJsonDocument::Compact)));
}

QByteArray TestReflector::destinationRule(const QString &name)
{
    return QStringLiteral(
                   R"({"apiVersion":"networking.istio.io/v1","kind":"DestinationRule","metadata":{"name":"%1"},"spec":{"host":"%1"}})")
            .arg(name)
            .toUtf8();
}

QMap<QString, QString> TestReflector::serverVersions(const QString &path) const
{
    QMap<QString, QString> out;
    for (const QJsonValue &item : m_cluster->get(path).value(QLatin1String("items")).toArray())
        out.insert(core::objectName(item.toObject()), core::resourceVersion(item.toObject()));
    return out;
}

QMap<QString, QString> TestReflector::storeVersions(const k8s::Reflector &reflector)
{
    QMap<QString, QString> out;
    for (const QJsonObject &o : reflector.objects())
        out.insert(core::objectName(o), core::resourceVersion(o));
    return out;
}

QList<State> TestReflector::states(const QSignalSpy &spy)
{
    QList<State> out;
    for (const QList<QVariant> &args : spy)
        out.append(args.at(0).value<State>());
    return out;
}

void TestReflector::transformAppliesToListAndWatch()
{
    // The server keeps managedFields on every object; a store told to drop them holds none, listed or
    // watched, and says so in what it announces.
    const QString path = QStringLiteral("/apis/networking.istio.io/v1/namespaces/default/destinationrules");
    const auto managed = [](const QJsonObject &o) {
        return o.value(QLatin1String("metadata")).toObject().contains(QLatin1String("managedFields"));
    };
    k8s::Reflector plain(m_client.get(), path);
    k8s::Reflector lean(m_client.get(), path);
    lean.setTransform(k8s::withoutManagedFields);
    QSignalSpy plainSynced(&plain, &k8s::Reflector::resynced);
    QSignalSpy leanSynced(&lean, &k8s::Reflector::resynced);
    QSignalSpy applied(&lean, &k8s::Reflector::applied);
    plain.start();
    lean.start();
    QVERIFY(plainSynced.wait(20000) || plainSynced.size() == 1);
    QTRY_COMPARE_WITH_TIMEOUT(leanSynced.size(), 1, 20000);
    QVERIFY(plain.size() > 0);
    QCOMPARE(lean.size(), plain.size());
    for (const QJsonObject &o : plain.objects())
        QVERIFY2(managed(o), qPrintable(core::objectName(o)));
    for (const QJsonObject &o : lean.objects())
        QVERIFY2(!managed(o), qPrintable(core::objectName(o)));
    QTRY_COMPARE_WITH_TIMEOUT(lean.state(), State::Watching, 10000);
    QVERIFY(send(k8s::KubeRequest::create(path, destinationRule(QStringLiteral("lean")))));
    QTRY_COMPARE_WITH_TIMEOUT(applied.size(), 1, 5000);
    QVERIFY(!managed(applied.at(0).at(0).value<QJsonObject>()));
    QVERIFY(!managed(lean.object(QStringLiteral("default"), QStringLiteral("lean"))));
    QTRY_VERIFY_WITH_TIMEOUT(managed(plain.object(QStringLiteral("default"), QStringLiteral("lean"))), 5000);
    QVERIFY(send(k8s::KubeRequest::remove(path + QStringLiteral("/lean"))));
}

void TestReflector::storeFollowsTheServer()
{
    const QString path = QStringLiteral("/apis/networking.istio.io/v1/namespaces/default/virtualservices");
    k8s::Reflector reflector(m_client.get(), path);
    QSignalSpy stateSpy(&reflector, &k8s::Reflector::stateChanged);
    QSignalSpy resynced(&reflector, &k8s::Reflector::resynced);
    QSignalSpy applied(&reflector, &k8s::Reflector::applied);
    QSignalSpy deleted(&reflector, &k8s::Reflector::deleted);
    QCOMPARE(reflector.state(), State::Idle);
    QVERIFY(!reflector.isSynced());
    reflector.start();
    QVERIFY(resynced.wait(20000));
    QVERIFY(reflector.isSynced());
    QCOMPARE(storeVersions(reflector), serverVersions(path));
    QCOMPARE(reflector.size(), 5);
    QTRY_COMPARE_WITH_TIMEOUT(reflector.state(), State::Watching, 10000);
    QCOMPARE(states(stateSpy), (QList<State> { State::Listing, State::Watching }));
    QCOMPARE(applied.size(), 0); // the list is announced by resynced(), not object by object
    const QJsonObject greeting = reflector.object(QStringLiteral("default"), QStringLiteral("greeting"));
    QCOMPARE(core::objectName(greeting), QStringLiteral("greeting"));
    QVERIFY(reflector.object(QStringLiteral("other"), QStringLiteral("greeting")).isEmpty());

    // Another client adds, changes and deletes: the store follows, one signal per event.
    k8s::KubeClient other(m_cluster->endpoint());
    const QString vs = QStringLiteral(
            R"({"apiVersion":"networking.istio.io/v1","kind":"VirtualService","metadata":{"name":"extra"},)"
            R"("spec":{"hosts":["extra"],"http":[{"route":[{"destination":{"host":"extra"}}]}]}})");
    QVERIFY(send(k8s::KubeRequest::create(path, vs.toUtf8())));
    QTRY_COMPARE_WITH_TIMEOUT(applied.size(), 1, 5000);
    QCOMPARE(core::objectName(applied.at(0).at(0).value<QJsonObject>()), QStringLiteral("extra"));
    QVERIFY(send(k8s::KubeRequest::mergePatch(path + QStringLiteral("/greeting"),
                                              R"({"metadata":{"labels":{"edited":"yes"}}})")));
    QTRY_COMPARE_WITH_TIMEOUT(applied.size(), 2, 5000);
    const QJsonObject edited = reflector.object(QStringLiteral("default"), QStringLiteral("greeting"));
    QCOMPARE(edited.value(QLatin1String("metadata"))
                     .toObject()
                     .value(QLatin1String("labels"))
                     .toObject()
                     .value(QLatin1String("edited"))
                     .toString(),
             QStringLiteral("yes"));
    QCOMPARE(reflector.lastResourceVersion(), core::resourceVersion(edited));
    QVERIFY(send(k8s::KubeRequest::remove(path + QStringLiteral("/extra"))));
    QTRY_COMPARE_WITH_TIMEOUT(deleted.size(), 1, 5000);
    QCOMPARE(core::objectName(deleted.at(0).at(0).value<QJsonObject>()), QStringLiteral("extra"));
    QCOMPARE(storeVersions(reflector), serverVersions(path));
    QCOMPARE(resynced.size(), 1);
    QCOMPARE(reflector.state(), State::Watching);

    reflector.stop();
    QCOMPARE(reflector.state(), State::Idle);
    QCOMPARE(reflector.size(), 5); // stopping keeps the store
}

void TestReflector::relistAfterGoneDropsDeletedObjects()
{
    // The reflector reaches the server through a proxy that goes down. Meanwhile objects are deleted and
    // the server compacts its history: back online, the watch is refused with 410 Gone and a new list
    // replaces the store, reporting the objects it no longer has.
    QVERIFY(createNamespace(QStringLiteral("gone")));
    const QString path = QStringLiteral("/apis/networking.istio.io/v1/namespaces/gone/destinationrules");
    for (int i = 0; i < 6; ++i)
        QVERIFY(send(k8s::KubeRequest::create(path, destinationRule(QStringLiteral("dr-%1").arg(i)))));
    test::TestProxy proxy;
    QVERIFY(proxy.listen());
    k8s::ClusterEndpoint endpoint = m_cluster->endpoint();
    endpoint.proxyUrl = proxy.url();
    k8s::KubeClient viaProxy(endpoint);
    k8s::Reflector reflector(&viaProxy, path);
    QSignalSpy stateSpy(&reflector, &k8s::Reflector::stateChanged);
    QSignalSpy resynced(&reflector, &k8s::Reflector::resynced);
    QSignalSpy deleted(&reflector, &k8s::Reflector::deleted);
    reflector.start();
    QTRY_COMPARE_WITH_TIMEOUT(reflector.state(), State::Watching, 20000);
    QCOMPARE(reflector.size(), 6);
    QVERIFY(proxy.requestLines().constFirst().startsWith(QLatin1String("CONNECT 127.0.0.1:")));

    proxy.setDown(true);
    QTRY_COMPARE_WITH_TIMEOUT(reflector.state(), State::Backoff, 5000);
    QVERIFY(send(k8s::KubeRequest::remove(path + QStringLiteral("/dr-1"))));
    QVERIFY(send(k8s::KubeRequest::remove(path + QStringLiteral("/dr-4"))));
    QVERIFY(send(k8s::KubeRequest::mergePatch(path + QStringLiteral("/dr-2"),
                                              R"({"metadata":{"labels":{"while":"away"}}})")));
    QVERIFY(m_cluster->setFaults(QStringLiteral("410=1")));
    QCOMPARE(reflector.size(), 6); // what it last knew
    proxy.setDown(false);
    reflector.retryNow();

    QTRY_COMPARE_WITH_TIMEOUT(resynced.size(), 2, 20000);
    QTRY_COMPARE_WITH_TIMEOUT(reflector.state(), State::Watching, 10000);
    QVERIFY(m_cluster->setFaults(QStringLiteral("410=0")));
    QCOMPARE(storeVersions(reflector), serverVersions(path));
    QCOMPARE(reflector.size(), 4);
    QStringList gone;
    for (const QList<QVariant> &args : std::as_const(deleted))
        gone.append(core::objectName(args.at(0).value<QJsonObject>()));
    gone.sort();
    QCOMPARE(gone, (QStringList { QStringLiteral("dr-1"), QStringLiteral("dr-4") }));
    QCOMPARE(reflector.object(QStringLiteral("gone"), QStringLiteral("dr-2"))
                     .value(QLatin1String("metadata"))
                     .toObject()
                     .value(QLatin1String("labels"))
                     .toObject()
                     .value(QLatin1String("while"))
                     .toString(),
             QStringLiteral("away"));
    // Listing, Watching; the proxy goes down: Backoff (the stream, then each refused attempt); back: the
    // stream opens (Watching) and says 410 Gone, so a new list, then Watching.
    QList<State> seen = states(stateSpy);
    seen.erase(std::unique(seen.begin(), seen.end()), seen.end());
    QCOMPARE(seen,
             (QList<State> { State::Listing, State::Watching, State::Backoff, State::Watching, State::Listing,
                             State::Watching }));
    bool expired = false;
    for (const QList<QVariant> &args : std::as_const(stateSpy))
        expired = expired
                || (args.at(0).value<State>() == State::Listing
                    && args.at(1).toString().contains(QLatin1String("too old resource version")));
    QVERIFY(expired);
}

void TestReflector::longStreamsCutAreResumedWithoutBackoff()
{
    // A load balancer that cuts streams after a while: the reflector watches again from the last
    // resourceVersion at once, stays Watching, never lists again, and misses nothing.
    QVERIFY(createNamespace(QStringLiteral("cut")));
    const QString path = QStringLiteral("/apis/networking.istio.io/v1/namespaces/cut/destinationrules");
    QVERIFY(m_cluster->setFaults(QStringLiteral("drop-watch=1200")));
    test::TestProxy proxy; // counts the streams: each one is a tunnel of its own
    QVERIFY(proxy.listen());
    k8s::ClusterEndpoint endpoint = m_cluster->endpoint();
    endpoint.proxyUrl = proxy.url();
    k8s::KubeClient viaProxy(endpoint);
    k8s::Reflector reflector(&viaProxy, path);
    QSignalSpy stateSpy(&reflector, &k8s::Reflector::stateChanged);
    QSignalSpy resynced(&reflector, &k8s::Reflector::resynced);
    reflector.start();
    QTRY_COMPARE_WITH_TIMEOUT(reflector.state(), State::Watching, 20000);
    for (int i = 0; i < 20; ++i) {
        QVERIFY(send(k8s::KubeRequest::create(path, destinationRule(QStringLiteral("dr-%1").arg(i)))));
        QTest::qWait(200);
    }
    for (int i = 0; i < 20; i += 3)
        QVERIFY(send(k8s::KubeRequest::remove(path + QStringLiteral("/dr-%1").arg(i))));
    QTRY_COMPARE_WITH_TIMEOUT(storeVersions(reflector), serverVersions(path), 10000);
    QVERIFY(m_cluster->setFaults(QStringLiteral("drop-watch=0")));
    QCOMPARE(reflector.size(), 13);
    QCOMPARE(resynced.size(), 1);
    qsizetype streams = 0;
    for (const QByteArray &head : proxy.requests())
        streams += head.startsWith("CONNECT") ? 1 : 0;
    QVERIFY2(streams >= 4, qPrintable(QStringLiteral("%1 connections: the streams were not cut").arg(streams)));
    QCOMPARE(states(stateSpy), (QList<State> { State::Listing, State::Watching }));
}

void TestReflector::unservedKindFails()
{
    k8s::Reflector reflector(m_client.get(),
                             QStringLiteral("/apis/networking.istio.io/v1/namespaces/default/nosuchkinds"));
    QSignalSpy stateSpy(&reflector, &k8s::Reflector::stateChanged);
    reflector.start();
    QTRY_COMPARE_WITH_TIMEOUT(reflector.state(), State::Failed, 10000);
    QCOMPARE(states(stateSpy), (QList<State> { State::Listing, State::Failed }));
    QVERIFY2(reflector.stateDetail().contains(QLatin1String("404")), qPrintable(reflector.stateDetail()));
    QVERIFY(!reflector.isSynced());
}

QTEST_GUILESS_MAIN(TestReflector)
#include "tst_reflector.moc"
