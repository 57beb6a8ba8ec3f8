#include "core/model/istio.h"
#include "core/session/releasesession.h"
#include "k8s/kubeclient.h"
#include "k8s/kubereply.h"
#include "tests/support/testcluster.h"
#include "tests/support/testproxy.h"

#include <QElapsedTimer>
#include <QJsonDocument>
#include <QProcess>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QtTest>

using namespace canary;
using Connection = core::ReleaseSession::Connection;

// The API server goes away and comes back: the session says so within seconds, reconnects with
// backoff and, reading the kubeconfig again, finds a cluster restarted on other ports with another CA.
class TestSessionReconnect : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void findsTheRestartedClusterThroughTheKubeconfig();
    void sameServerBackIsWatchedAgain_data();
    void sameServerBackIsWatchedAgain();
    void namespaceChosenWhileWatchesOpenIsWatched();

private:
    static bool send(const k8s::ClusterEndpoint &endpoint, const k8s::KubeRequest &request);
    static QStringList names(const QList<QJsonObject> &objects);
    static QStringList releaseNames(const core::ReleaseSession &session);
    static QList<Connection> connections(const QSignalSpy &spy);
    // Starts canarydeck-demo-cluster writing its kubeconfig to the path; returns its READY line.
    static QJsonObject startDemo(QProcess *process, const QString &kubeconfig);

    QTemporaryDir m_dir;
};

static const QString kVs = QStringLiteral("/apis/networking.istio.io/v1/namespaces/default/virtualservices");

static QByteArray virtualService(const QString &name)
{
    return QStringLiteral(R"({"apiVersion":"networking.istio.io/v1","kind":"VirtualService","metadata":{"name":"%1"},)"
                          R"("spec":{"hosts":["%1"],"http":[{"route":[{"destination":{"host":"%1"}}]}]}})")
            .arg(name)
            .toUtf8();
}

void TestSessionReconnect::initTestCase()
{
    qRegisterMetaType<Connection>();
    QVERIFY(m_dir.isValid());
}

bool TestSessionReconnect::send(const k8s::ClusterEndpoint &endpoint, const k8s::KubeRequest &request)
{
    k8s::KubeClient client(endpoint);
    k8s::KubeReply *reply = client.send(request);
    QSignalSpy done(reply, &k8s::KubeReply::finished);
    if (!reply->isFinished())
        done.wait(20000);
    if (!reply->ok())
        qWarning("%s", qPrintable(reply->error().message));
    return reply->ok();
}

QStringList TestSessionReconnect::names(const QList<QJsonObject> &objects)
{
    QStringList out;
    for (const QJsonObject &o : objects)
        out.append(core::objectName(o));
    out.sort();
    return out;
}

QStringList TestSessionReconnect::releaseNames(const core::ReleaseSession &session)
{
    QStringList out;
    for (const core::Release &r : session.releases())
        out.append(r.name);
    out.sort();
    return out;
}

QList<Connection> TestSessionReconnect::connections(const QSignalSpy &spy)
{
    QList<Connection> out;
    for (const QList<QVariant> &args : spy) {
        const auto c = args.at(0).value<Connection>();
        if (out.isEmpty() || out.constLast() != c)
            out.append(c);
    }
    return out;
}

QJsonObject TestSessionReconnect::startDemo(QProcess *process, const QString &kubeconfig)
{
    process->setProgram(QStringLiteral(CANARYDECK_DEMO_BINARY));
    process->setArguments(
            { QStringLiteral("--kubeconfig-out"), kubeconfig, QStringLiteral("--users"), QStringLiteral("0") });
    process->start();
    if (!process->waitForStarted(10000))
        return {};
    QElapsedTimer t;
    t.start();
    while (!process->canReadLine() && t.elapsed() < 60000)
        process->waitForReadyRead(1000);
    const QByteArray line = process->readLine().trimmed();
    if (!line.startsWith("READY ")) {
        qWarning("%s %s", line.constData(), process->readAllStandardError().constData());
        return {};
    }
    return QJsonDocument::fromJson(line.mid(6)).object();
}

void TestSessionReconnect::findsTheRestartedClusterThroughTheKubeconfig()
{
    // The demo cluster as a process of its own, killed as a crashed or stopped server would be.
    const QString path = m_dir.filePath(QStringLiteral("restarted/kubeconfig"));
    auto process = std::make_unique<QProcess>();
    const QJsonObject first = startDemo(process.get(), path);
    QVERIFY(!first.isEmpty());
    k8s::KubeconfigOptions kubeconfig;
    kubeconfig.kubeconfig = path;
    const Result<k8s::ClusterEndpoint> firstEndpoint = k8s::loadKubeconfig(kubeconfig);
    QVERIFY(firstEndpoint.ok());
    // An object only the first cluster has: after the restart it no longer exists.
    QVERIFY(send(*firstEndpoint, k8s::KubeRequest::create(kVs, virtualService(QStringLiteral("only-first")))));

    core::ReleaseSession session(*firstEndpoint, nullptr, m_dir.filePath(QStringLiteral("journal")));
    session.setKubeconfigOptions(kubeconfig);
    QSignalSpy changes(&session, &core::ReleaseSession::connectionChanged);
    session.start();
    QTRY_COMPARE_WITH_TIMEOUT(session.connection(), Connection::Connected, 20000);
    QTRY_VERIFY_WITH_TIMEOUT(!session.releases().isEmpty(), 10000);
    QVERIFY(names(session.snapshot().virtualServices).contains(QStringLiteral("only-first")));
    QStringList seeded = releaseNames(session);
    seeded.removeAll(QStringLiteral("only-first"));

    // The cluster goes away: the watches lose it, and the session says so at once.
    QElapsedTimer away;
    away.start();
    process->kill();
    QVERIFY(process->waitForFinished(10000));
    QTRY_VERIFY_WITH_TIMEOUT(session.connection() != Connection::Connected, 3000);
    qInfo("not connected %lld ms after the server went away", away.elapsed());
    QVERIFY(away.elapsed() < 2000);
    QCOMPARE(session.connection(), Connection::Reconnecting);
    QTest::qWait(1500); // attempts against nothing: still reconnecting, never failed
    QCOMPARE(session.connection(), Connection::Reconnecting);
    QVERIFY(!session.connectionDetail().isEmpty());

    // A new cluster (new ports, new CA, the seeds without only-first) writes the same kubeconfig.
    process = std::make_unique<QProcess>();
    QElapsedTimer back;
    back.start();
    const QJsonObject second = startDemo(process.get(), path);
    QVERIFY(!second.isEmpty());
    const qint64 startup = back.elapsed();
    QVERIFY(second.value(QLatin1String("api")) != first.value(QLatin1String("api")));
    const Result<k8s::ClusterEndpoint> secondEndpoint = k8s::loadKubeconfig(kubeconfig);
    QVERIFY(secondEndpoint.ok());
    QVERIFY(secondEndpoint->caCertificates != firstEndpoint->caCertificates);
    QTRY_COMPARE_WITH_TIMEOUT(session.connection(), Connection::Connected, 20000);
    qInfo("connected %lld ms after the new cluster wrote the kubeconfig", back.elapsed() - startup);
    QVERIFY(back.elapsed() - startup < 4000);
    QCOMPARE(session.endpoint().server, QUrl(second.value(QLatin1String("api")).toString()));
    QCOMPARE(session.client()->endpoint().caCertificates, secondEndpoint->caCertificates);
    QTRY_VERIFY_WITH_TIMEOUT(!names(session.snapshot().virtualServices).contains(QStringLiteral("only-first")), 5000);
    QCOMPARE(releaseNames(session), seeded);

    // What the session shows now comes from the new cluster.
    QVERIFY(send(*secondEndpoint, k8s::KubeRequest::create(kVs, virtualService(QStringLiteral("only-second")))));
    QTRY_VERIFY_WITH_TIMEOUT(names(session.snapshot().virtualServices).contains(QStringLiteral("only-second")), 5000);
    const QList<Connection> seen = connections(changes);
    QCOMPARE(seen.mid(seen.indexOf(Connection::Connected)),
             (QList<Connection> { Connection::Connected, Connection::Reconnecting, Connection::Connected }));
    process->terminate();
    QVERIFY(process->waitForFinished(10000));
}

void TestSessionReconnect::sameServerBackIsWatchedAgain_data()
{
    QTest::addColumn<bool>("refused");
    QTest::addColumn<int>("backWithinMs");
    QTest::newRow("connections refused") << true << 3500;
    // Accepted and closed at once, as by a load balancer without a backend: Qt's requests then hang
    // until their timeout (3 s for the attempts) instead of failing.
    QTest::newRow("connections closed") << false << 7000;
}

void TestSessionReconnect::sameServerBackIsWatchedAgain()
{
    // The network to the server goes away (a proxy, here) and comes back: the same endpoint, so the
    // watches carry on from where they were, and what was deleted meanwhile is gone.
    QFETCH(bool, refused);
    QFETCH(int, backWithinMs);
    test::TestCluster cluster;
    QVERIFY2(cluster.ok(), qPrintable(cluster.error()));
    test::TestProxy proxy;
    QVERIFY(proxy.listen());
    proxy.setRefuseWhenDown(refused);
    k8s::ClusterEndpoint endpoint = cluster.endpoint();
    endpoint.proxyUrl = proxy.url();
    QVERIFY(send(cluster.endpoint(), k8s::KubeRequest::create(kVs, virtualService(QStringLiteral("doomed")))));
    core::ReleaseSession session(endpoint, nullptr, m_dir.filePath(QStringLiteral("journal")));
    session.start();
    QTRY_COMPARE_WITH_TIMEOUT(session.connection(), Connection::Connected, 20000);
    QTRY_VERIFY_WITH_TIMEOUT(names(session.snapshot().virtualServices).contains(QStringLiteral("doomed")), 10000);

    QSignalSpy changes(&session, &core::ReleaseSession::connectionChanged);
    QElapsedTimer away;
    away.start();
    proxy.setDown(true);
    QTRY_COMPARE_WITH_TIMEOUT(session.connection(), Connection::Reconnecting, 3000);
    QVERIFY(away.elapsed() < 2500);
    QVERIFY(send(cluster.endpoint(), k8s::KubeRequest::remove(kVs + QStringLiteral("/doomed"))));
    QTest::qWait(4000); // long enough for the watches' own backoff to pass a few seconds
    QCOMPARE(session.connection(), Connection::Reconnecting);

    QElapsedTimer back;
    back.start();
    proxy.setDown(false);
    QTRY_COMPARE_WITH_TIMEOUT(session.connection(), Connection::Connected, 10000);
    qInfo("connected %lld ms after the network came back", back.elapsed());
    QVERIFY(back.elapsed() < backWithinMs);
    QTRY_VERIFY_WITH_TIMEOUT(!names(session.snapshot().virtualServices).contains(QStringLiteral("doomed")), 5000);
    QCOMPARE(connections(changes), (QList<Connection> { Connection::Reconnecting, Connection::Connected }));
}

void TestSessionReconnect::namespaceChosenWhileWatchesOpenIsWatched()
{
    // Every kind is listed (the releases show) but the watches have not opened yet: the session is still
    // Connecting. A namespace chosen then is the one listed and watched, not a label on the old one's objects.
    test::TestCluster cluster;
    QVERIFY2(cluster.ok(), qPrintable(cluster.error()));
    const QJsonObject ns { { QStringLiteral("apiVersion"), QStringLiteral("v1") },
                           { QStringLiteral("kind"), QStringLiteral("Namespace") },
                           { QStringLiteral("metadata"),
                             QJsonObject { { QStringLiteral("name"), QStringLiteral("team-b") } } } };
    QCOMPARE(cluster.create(QStringLiteral("/api/v1/namespaces"), ns), 201);
    QString teamB = kVs;
    teamB.replace(QLatin1String("/default/"), QLatin1String("/team-b/"));
    QVERIFY(send(cluster.endpoint(), k8s::KubeRequest::create(teamB, virtualService(QStringLiteral("only-b")))));
    QVERIFY(cluster.setFaults(QStringLiteral("slow=500"))); // each request, the watches' included, waits
    core::ReleaseSession session(cluster.endpoint(), nullptr, m_dir.path());
    session.start();
    QTRY_VERIFY_WITH_TIMEOUT(names(session.snapshot().virtualServices).contains(QStringLiteral("greeting")), 20000);
    QCOMPARE(session.connection(), Connection::Connecting);
    session.setNamespace(QStringLiteral("team-b"));
    QVERIFY(cluster.setFaults(QStringLiteral("slow=0")));
    QTRY_VERIFY_WITH_TIMEOUT(names(session.snapshot().virtualServices).contains(QStringLiteral("only-b")), 10000);
    QTRY_COMPARE_WITH_TIMEOUT(session.connection(), Connection::Connected, 10000);
    QCOMPARE(session.snapshot().ns, QStringLiteral("team-b"));
    QVERIFY(!names(session.snapshot().virtualServices).contains(QStringLiteral("greeting")));
    // A change in team-b arrives through the watch.
    QVERIFY(send(cluster.endpoint(), k8s::KubeRequest::create(teamB, virtualService(QStringLiteral("later-b")))));
    QTRY_VERIFY_WITH_TIMEOUT(names(session.snapshot().virtualServices).contains(QStringLiteral("later-b")), 5000);
}

QTEST_GUILESS_MAIN(TestSessionReconnect)
#include "tst_sessionreconnect.moc"
