#include "demo/certificates.h"
#include "k8s/kubeclient.h"
#include "k8s/kubeerror.h"
#include "k8s/kubereply.h"
#include "tests/support/testproxy.h"

#include <QNetworkRequest>
#include <QSignalSpy>
#include <QSslConfiguration>
#include <QtTest>

using namespace canary;

// Requests to absolute URLs (a metrics endpoint beside the API server): the same proxy and trust,
// and credentials only for the API server's own origin.
class TestKubeClient : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void credentialsOnlyForTheApiServer_data();
    void credentialsOnlyForTheApiServer();
    void otherHostsTrustTheClusterCaButNotItsExceptions();
    void throughTheProxy();
    void execPluginOnlyForTheApiServer();
    void statusMessagesReadWhole_data();
    void statusMessagesReadWhole();

private:
    k8s::ClusterEndpoint m_endpoint;
};

void TestKubeClient::initTestCase()
{
    m_endpoint.server = QUrl(QStringLiteral("http://api.cluster.test:8080/prefix"));
    m_endpoint.token = QStringLiteral("secret-token-77c1");
    m_endpoint.impersonateUser = QStringLiteral("ana");
}

void TestKubeClient::credentialsOnlyForTheApiServer_data()
{
    QTest::addColumn<QString>("url"); // empty: a path of the API server
    QTest::addColumn<bool>("credentials");
    QTest::newRow("path") << QString() << true;
    QTest::newRow("same origin") << "http://api.cluster.test:8080/api/v1/namespaces/x/services/p:9090/proxy/metrics"
                                 << true;
    QTest::newRow("host case") << "http://API.Cluster.Test:8080/metrics" << true;
    QTest::newRow("other port") << "http://api.cluster.test:9090/metrics" << false;
    QTest::newRow("default port") << "http://api.cluster.test/metrics" << false;
    QTest::newRow("other scheme") << "https://api.cluster.test:8080/metrics" << false;
    QTest::newRow("other host") << "http://prometheus.cluster.test:8080/metrics" << false;
    QTest::newRow("subdomain") << "http://evil.api.cluster.test:8080/metrics" << false;
}

void TestKubeClient::credentialsOnlyForTheApiServer()
{
    QFETCH(QString, url);
    QFETCH(bool, credentials);
    k8s::KubeClient client(m_endpoint);
    const k8s::KubeRequest request
            = url.isEmpty() ? k8s::KubeRequest::get(QStringLiteral("/version")) : k8s::KubeRequest::getUrl(QUrl(url));
    const QNetworkRequest nr = client.networkRequest(request);
    QCOMPARE(nr.url(), url.isEmpty() ? QUrl(QStringLiteral("http://api.cluster.test:8080/prefix/version")) : QUrl(url));
    QCOMPARE(nr.hasRawHeader("Authorization"), credentials);
    QCOMPARE(nr.hasRawHeader("Impersonate-User"), credentials);
    QVERIFY(nr.rawHeader("User-Agent").startsWith("canarydeck/"));
    if (credentials)
        QCOMPARE(nr.attribute(QNetworkRequest::RedirectPolicyAttribute).toInt(),
                 int(QNetworkRequest::SameOriginRedirectPolicy));
}

void TestKubeClient::otherHostsTrustTheClusterCaButNotItsExceptions()
{
    const auto certs = demo::generateServingCertificates();
    QVERIFY(certs.ok());
    const QList<QSslCertificate> ca = QSslCertificate::fromData(certs->caCertificatePem);
    QCOMPARE(ca.size(), 1);
    k8s::ClusterEndpoint endpoint = m_endpoint;
    endpoint.server = QUrl(QStringLiteral("https://api.cluster.test:6443"));
    endpoint.caCertificates = ca;
    endpoint.tlsServerName = QStringLiteral("kubernetes");
    endpoint.insecureSkipTlsVerify = true;
    k8s::KubeClient client(endpoint);

    const QNetworkRequest api = client.networkRequest(k8s::KubeRequest::get(QStringLiteral("/version")));
    QCOMPARE(api.sslConfiguration().caCertificates(), ca);
    QCOMPARE(api.sslConfiguration().peerVerifyMode(), QSslSocket::VerifyNone);
    QCOMPARE(api.peerVerifyName(), QStringLiteral("kubernetes"));

    const QNetworkRequest other = client.networkRequest(
            k8s::KubeRequest::getUrl(QUrl(QStringLiteral("https://prometheus.cluster.test/metrics"))));
    QVERIFY(other.sslConfiguration().caCertificates().contains(ca.constFirst()));
    QCOMPARE(other.sslConfiguration().caCertificates().size(),
             QSslConfiguration::defaultConfiguration().caCertificates().size() + 1);
    QVERIFY(other.sslConfiguration().peerVerifyMode() != QSslSocket::VerifyNone);
    QCOMPARE(other.peerVerifyName(), QString());
}

void TestKubeClient::throughTheProxy()
{
    test::TestProxy proxy;
    QVERIFY(proxy.listen());
    proxy.setHandler([](const QByteArray &) { return test::httpResponse(200, "{}", "application/json"); });
    k8s::ClusterEndpoint endpoint = m_endpoint;
    endpoint.proxyUrl = proxy.url();
    k8s::KubeClient client(endpoint);
    const auto send = [&client](const k8s::KubeRequest &request) {
        k8s::KubeReply *reply = client.send(request);
        QSignalSpy done(reply, &k8s::KubeReply::finished);
        if (!reply->isFinished())
            done.wait(10000);
        return reply->ok();
    };
    QVERIFY(send(k8s::KubeRequest::get(QStringLiteral("/version"))));
    QVERIFY(send(k8s::KubeRequest::getUrl(
            QUrl(QStringLiteral("http://prometheus.cluster.test:9090/api/v1/query?query=up")))));
    const QList<QByteArray> heads = proxy.requests();
    QCOMPARE(heads.size(), 2);
    QVERIFY(heads.at(0).startsWith("GET http://api.cluster.test:8080/prefix/version HTTP/1.1\r\n"));
    QVERIFY(heads.at(0).contains("Authorization: Bearer secret-token-77c1\r\n"));
    QVERIFY(heads.at(1).startsWith("GET http://prometheus.cluster.test:9090/api/v1/query?query=up HTTP/1.1\r\n"));
    QVERIFY2(!heads.at(1).toLower().contains("authorization") && !heads.at(1).toLower().contains("impersonate"),
             heads.at(1).constData());
}

void TestKubeClient::execPluginOnlyForTheApiServer()
{
    // A plugin that cannot run fails every request to the API server, and none to another host.
    test::TestProxy proxy;
    QVERIFY(proxy.listen());
    proxy.setHandler([](const QByteArray &) { return test::httpResponse(200, "up 1\n"); });
    k8s::ClusterEndpoint endpoint = m_endpoint;
    endpoint.token.clear();
    endpoint.proxyUrl = proxy.url();
    endpoint.hasExec = true;
    endpoint.exec.apiVersion = QStringLiteral("client.authentication.k8s.io/v1");
    endpoint.exec.command = QStringLiteral("/nonexistent/credential-plugin");
    endpoint.exec.interactiveMode = QStringLiteral("Never");
    endpoint.exec.userName = QStringLiteral("u");
    k8s::KubeClient client(endpoint);
    k8s::KubeReply *api = client.send(k8s::KubeRequest::get(QStringLiteral("/version")));
    k8s::KubeReply *metrics
            = client.send(k8s::KubeRequest::getUrl(QUrl(QStringLiteral("http://metrics.cluster.test/metrics"))));
    QTRY_VERIFY_WITH_TIMEOUT(api->isFinished() && metrics->isFinished(), 10000);
    QVERIFY(!api->ok());
    QVERIFY2(api->error().message.contains(QLatin1String("credential-plugin")), qPrintable(api->error().message));
    QVERIFY2(metrics->ok(), qPrintable(metrics->error().message));
    QCOMPARE(metrics->body(), QByteArray("up 1\n"));
    QCOMPARE(proxy.requestLines(), QStringList { QStringLiteral("GET http://metrics.cluster.test/metrics HTTP/1.1") });
}

void TestKubeClient::statusMessagesReadWhole_data()
{
    QTest::addColumn<int>("status");
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<QString>("expected");
    QTest::newRow("409 with the server's message and advice")
            << 409 << QByteArray(R"({"kind":"Status","reason":"Conflict","message":"the object has been modified"})")
            << QStringLiteral("put vs/greeting: HTTP 409 Conflict \u2014 the object has been modified \u2014 ");
    QTest::newRow("403, the server's message") << 403
                                               << QByteArray(R"({"kind":"Status","reason":"Forbidden","message":)"
                                                             R"("virtualservices is forbidden: ünïcode"})")
                                               << QStringLiteral("put vs/greeting: HTTP 403 Forbidden \u2014 "
                                                                 "virtualservices is forbidden: \u00fcn\u00efcode");
}

void TestKubeClient::statusMessagesReadWhole()
{
    QFETCH(int, status);
    QFETCH(QByteArray, body);
    QFETCH(QString, expected);
    // The parts are joined by an em dash, not by its UTF-8 bytes read as Latin-1 ("â€”").
    const QString message = k8s::decodeStatus(status, body, QStringLiteral("put vs/greeting")).message;
    QVERIFY2(message.startsWith(expected), qPrintable(message));
    QVERIFY2(!message.contains(QChar(0xe2)), qPrintable(message));
}

QTEST_GUILESS_MAIN(TestKubeClient)
#include "tst_kubeclient.moc"
