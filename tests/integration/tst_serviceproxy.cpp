#include "k8s/kubeclient.h"
#include "k8s/kubereply.h"
#include "tests/support/testcluster.h"
#include "tests/support/testprometheus.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QProcess>
#include <QSignalSpy>
#include <QTcpServer>
#include <QtTest>

using namespace canary;

// Prometheus through the demo API server's service proxy, as Canary Deck reaches it on a real cluster: a real
// Prometheus scraping the demo, the real HTTPS client and the real kubectl.
class TestServiceProxy : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();
    void serviceIsListed();
    void proxiesPrometheusQueries_data();
    void proxiesPrometheusQueries();
    void formPostIsProxied();
    void istioSeriesAfterTraffic();
    void viewerIsForbidden_data();
    void viewerIsForbidden();
    void editorMayProxy();
    void accessReviews_data();
    void accessReviews();
    void resolutionErrors_data();
    void resolutionErrors();
    void noUrlIsServiceUnavailable();
    void closedPortIsServiceUnavailable();
    void kubectlGetRaw();

private:
    k8s::KubeReply *send(const k8s::KubeRequest &request, const QString &token = {});
    k8s::KubeReply *query(const QString &path, const QString &promql, const QString &token = {});
    std::unique_ptr<test::TestCluster> m_cluster;
    std::unique_ptr<test::TestPrometheus> m_prometheus;
    std::vector<std::unique_ptr<k8s::KubeClient>> m_clients;
};

static const QString kProxy = QStringLiteral("/api/v1/namespaces/istio-system/services/prometheus:9090/proxy");

void TestServiceProxy::initTestCase()
{
    m_cluster = std::make_unique<test::TestCluster>(20);
    QVERIFY2(m_cluster->ok(), qPrintable(m_cluster->error()));
    m_prometheus = std::make_unique<test::TestPrometheus>(QUrl(m_cluster->endpoints().metrics));
    QVERIFY2(m_prometheus->ok(), qPrintable(m_prometheus->error()));
    m_cluster->setPrometheusUrl(m_prometheus->url());
    QVERIFY2(m_prometheus->waitForSeries(QStringLiteral("up == 1"), 30000), m_prometheus->query(QStringLiteral("up")));
}

void TestServiceProxy::cleanupTestCase()
{
    m_clients.clear();
    m_prometheus.reset();
    m_cluster.reset();
}

k8s::KubeReply *TestServiceProxy::send(const k8s::KubeRequest &request, const QString &token)
{
    m_clients.push_back(std::make_unique<k8s::KubeClient>(token.isEmpty() ? m_cluster->endpoint()
                                                                          : m_cluster->endpointWithToken(token)));
    k8s::KubeReply *reply = m_clients.back()->send(request);
    QSignalSpy spy(reply, &k8s::KubeReply::finished);
    if (!reply->isFinished())
        spy.wait(60000);
    return reply;
}

k8s::KubeReply *TestServiceProxy::query(const QString &path, const QString &promql, const QString &token)
{
    k8s::KubeRequest request = k8s::KubeRequest::get(path + QStringLiteral("/api/v1/query"));
    request.query.addQueryItem(QStringLiteral("query"), promql);
    return send(request, token);
}

static QJsonArray resultOf(const k8s::KubeReply *reply)
{
    return reply->json().value(QLatin1String("data")).toObject().value(QLatin1String("result")).toArray();
}

void TestServiceProxy::serviceIsListed()
{
    const QJsonObject svc = m_cluster->get(QStringLiteral("/api/v1/namespaces/istio-system/services/prometheus"));
    const QJsonObject port
            = svc.value(QLatin1String("spec")).toObject().value(QLatin1String("ports")).toArray().at(0).toObject();
    QCOMPARE(port.value(QLatin1String("port")).toInt(), 9090);
    QCOMPARE(port.value(QLatin1String("name")).toString(), QStringLiteral("http"));
    QCOMPARE(svc.value(QLatin1String("spec")).toObject().value(QLatin1String("selector")).toObject(),
             (QJsonObject { { QStringLiteral("app"), QStringLiteral("prometheus") } }));
}

void TestServiceProxy::proxiesPrometheusQueries_data()
{
    QTest::addColumn<QString>("service");
    QTest::newRow("port number") << "prometheus:9090";
    QTest::newRow("port name") << "prometheus:http";
    QTest::newRow("scheme, name and port") << "http:prometheus:9090";
}

void TestServiceProxy::proxiesPrometheusQueries()
{
    QFETCH(QString, service);
    k8s::KubeReply *reply = query(QStringLiteral("/api/v1/namespaces/istio-system/services/%1/proxy").arg(service),
                                  QStringLiteral("up"));
    QVERIFY2(reply->ok(), qPrintable(reply->error().message));
    QCOMPARE(reply->httpStatus(), 200);
    QCOMPARE(reply->json().value(QLatin1String("status")).toString(), QStringLiteral("success"));
    const QJsonArray result = resultOf(reply);
    QCOMPARE(result.size(), 1);
    QCOMPARE(result.at(0).toObject().value(QLatin1String("value")).toArray().at(1).toString(), QStringLiteral("1"));
    QCOMPARE(result.at(0)
                     .toObject()
                     .value(QLatin1String("metric"))
                     .toObject()
                     .value(QLatin1String("instance"))
                     .toString(),
             QUrl(m_cluster->endpoints().metrics).authority());
}

void TestServiceProxy::formPostIsProxied()
{
    k8s::KubeRequest request;
    request.verb = "POST";
    request.path = kProxy + QStringLiteral("/api/v1/query");
    request.body = "query=" + QUrl::toPercentEncoding(QStringLiteral("count(up == 1)"));
    request.contentType = "application/x-www-form-urlencoded";
    k8s::KubeReply *reply = send(request);
    QVERIFY2(reply->ok(), qPrintable(reply->error().message));
    QCOMPARE(reply->json().value(QLatin1String("status")).toString(), QStringLiteral("success"));
    QCOMPARE(resultOf(reply).at(0).toObject().value(QLatin1String("value")).toArray().at(1).toString(),
             QStringLiteral("1"));
}

void TestServiceProxy::istioSeriesAfterTraffic()
{
    QVERIFY(m_prometheus->waitForSeries(QStringLiteral("istio_requests_total{destination_service_name=\"greeting\"}"),
                                        20000));
    k8s::KubeReply *reply = query(kProxy,
                                  QStringLiteral("sum by (destination_version) (istio_requests_total{reporter="
                                                 "\"destination\",destination_service_name=\"greeting\"})"));
    QVERIFY2(reply->ok(), qPrintable(reply->error().message));
    QStringList versions;
    for (const QJsonValue &series : resultOf(reply))
        versions.append(series.toObject()
                                .value(QLatin1String("metric"))
                                .toObject()
                                .value(QLatin1String("destination_version"))
                                .toString());
    versions.sort();
    QCOMPARE(versions, (QStringList { QStringLiteral("risky"), QStringLiteral("safe") }));
}

void TestServiceProxy::viewerIsForbidden_data()
{
    QTest::addColumn<QString>("service");
    QTest::newRow("name") << "prometheus";
    QTest::newRow("name and port") << "prometheus:9090";
}

void TestServiceProxy::viewerIsForbidden()
{
    QFETCH(QString, service);
    k8s::KubeReply *reply = query(QStringLiteral("/api/v1/namespaces/istio-system/services/%1/proxy").arg(service),
                                  QStringLiteral("up"), QLatin1String(test::TestCluster::kViewerToken));
    QCOMPARE(reply->httpStatus(), 403);
    const QJsonObject status = QJsonDocument::fromJson(reply->body()).object();
    QCOMPARE(status.value(QLatin1String("reason")).toString(), QStringLiteral("Forbidden"));
    // kube-apiserver names the object as the path does: NAME, NAME:PORT or SCHEME:NAME:PORT.
    QCOMPARE(status.value(QLatin1String("message")).toString(),
             QStringLiteral("services \"%1\" is forbidden: User \"viewer\" cannot get resource \"services/proxy\" in "
                            "API group \"\" in the namespace \"istio-system\"")
                     .arg(service));
}

void TestServiceProxy::editorMayProxy()
{
    k8s::KubeReply *reply = query(kProxy, QStringLiteral("up"), QLatin1String(test::TestCluster::kEditorToken));
    QVERIFY2(reply->ok(), qPrintable(reply->error().message));
    QCOMPARE(reply->json().value(QLatin1String("status")).toString(), QStringLiteral("success"));
}

void TestServiceProxy::accessReviews_data()
{
    QTest::addColumn<QString>("token");
    QTest::addColumn<bool>("allowed");
    QTest::newRow("admin") << QString() << true;
    QTest::newRow("editor") << QString::fromLatin1(test::TestCluster::kEditorToken) << true;
    QTest::newRow("viewer") << QString::fromLatin1(test::TestCluster::kViewerToken) << false;
}

void TestServiceProxy::accessReviews()
{
    QFETCH(QString, token);
    QFETCH(bool, allowed);
    const QJsonObject review {
        { QStringLiteral("apiVersion"), QStringLiteral("authorization.k8s.io/v1") },
        { QStringLiteral("kind"), QStringLiteral("SelfSubjectAccessReview") },
        { QStringLiteral("spec"),
          QJsonObject { { QStringLiteral("resourceAttributes"),
                          QJsonObject { { QStringLiteral("namespace"), QStringLiteral("istio-system") },
                                        { QStringLiteral("verb"), QStringLiteral("get") },
                                        { QStringLiteral("resource"), QStringLiteral("services") },
                                        { QStringLiteral("subresource"), QStringLiteral("proxy") },
                                        { QStringLiteral("name"), QStringLiteral("prometheus") } } } } }
    };
    k8s::KubeReply *reply
            = send(k8s::KubeRequest::create(QStringLiteral("/apis/authorization.k8s.io/v1/selfsubjectaccessreviews"),
                                            QJsonDocument(review).toJson()),
                   token);
    QVERIFY2(reply->ok(), qPrintable(reply->error().message));
    const QJsonObject status = reply->json().value(QLatin1String("status")).toObject();
    QCOMPARE(status.value(QLatin1String("allowed")).toBool(), allowed);
    if (!allowed)
        QVERIFY2(status.value(QLatin1String("reason")).toString().contains(QLatin1String("services/proxy")),
                 qPrintable(status.value(QLatin1String("reason")).toString()));
}

void TestServiceProxy::resolutionErrors_data()
{
    QTest::addColumn<QString>("service");
    QTest::addColumn<int>("code");
    QTest::addColumn<QString>("reason");
    QTest::addColumn<QString>("message");
    QTest::newRow("unknown service, port number") << "nothing:9090" << 404 << "NotFound"
                                                  << "services \"nothing\" not found";
    QTest::newRow("unknown service, no port") << "nothing" << 404 << "NotFound"
                                              << "endpoints \"nothing\" not found";
    QTest::newRow("unknown port number") << "prometheus:1234" << 503 << "ServiceUnavailable"
                                         << "no service port 1234 found for service \"prometheus\"";
    QTest::newRow("unknown port name") << "prometheus:grpc" << 503 << "ServiceUnavailable"
                                       << "no endpoints available for service \"prometheus:grpc\"";
    QTest::newRow("unknown scheme") << "ftp:prometheus:9090" << 400 << "BadRequest"
                                    << "invalid service request \"ftp:prometheus:9090\"";
}

void TestServiceProxy::resolutionErrors()
{
    QFETCH(QString, service);
    QFETCH(int, code);
    QFETCH(QString, reason);
    QFETCH(QString, message);
    k8s::KubeReply *reply = query(QStringLiteral("/api/v1/namespaces/istio-system/services/%1/proxy").arg(service),
                                  QStringLiteral("up"));
    QCOMPARE(reply->httpStatus(), code);
    const QJsonObject status = QJsonDocument::fromJson(reply->body()).object();
    QCOMPARE(status.value(QLatin1String("kind")).toString(), QStringLiteral("Status"));
    QCOMPARE(status.value(QLatin1String("reason")).toString(), reason);
    QCOMPARE(status.value(QLatin1String("message")).toString(), message);
}

void TestServiceProxy::noUrlIsServiceUnavailable()
{
    m_cluster->setPrometheusUrl({});
    k8s::KubeReply *reply = query(kProxy, QStringLiteral("up"));
    m_cluster->setPrometheusUrl(m_prometheus->url());
    QCOMPARE(reply->httpStatus(), 503);
    const QJsonObject status = QJsonDocument::fromJson(reply->body()).object();
    QCOMPARE(status.value(QLatin1String("reason")).toString(), QStringLiteral("ServiceUnavailable"));
    QCOMPARE(status.value(QLatin1String("code")).toInt(), 503);
    QCOMPARE(status.value(QLatin1String("message")).toString(),
             QStringLiteral("no endpoints available for service \"prometheus\""));
}

void TestServiceProxy::closedPortIsServiceUnavailable()
{
    QTcpServer probe;
    QVERIFY(probe.listen(QHostAddress::LocalHost, 0));
    const int port = probe.serverPort();
    probe.close();
    m_cluster->setPrometheusUrl(QStringLiteral("http://127.0.0.1:%1").arg(port));
    k8s::KubeReply *reply = query(kProxy, QStringLiteral("up"));
    m_cluster->setPrometheusUrl(m_prometheus->url());
    QCOMPARE(reply->httpStatus(), 503);
    const QJsonObject status = QJsonDocument::fromJson(reply->body()).object();
    QCOMPARE(status.value(QLatin1String("reason")).toString(), QStringLiteral("ServiceUnavailable"));
    QCOMPARE(status.value(QLatin1String("message")).toString(),
             QStringLiteral("error trying to reach service: dial tcp 127.0.0.1:%1: connect: connection refused")
                     .arg(port));
}

void TestServiceProxy::kubectlGetRaw()
{
    if (QStandardPaths::findExecutable(QStringLiteral("kubectl")).isEmpty())
        QFAIL("kubectl is not installed: ./dev installs Debian's kubernetes-client when it is missing");
    QProcess kubectl;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("KUBECONFIG"), m_cluster->endpoints().kubeconfig);
    env.insert(QStringLiteral("HOME"), m_cluster->directory()); // a discovery cache of its own
    kubectl.setProcessEnvironment(env);
    kubectl.start(QStringLiteral("kubectl"),
                  { QStringLiteral("get"), QStringLiteral("--raw"),
                    QStringLiteral("/api/v1/namespaces/istio-system/services/prometheus:9090/proxy/api/v1/"
                                   "query?query=up") });
    QVERIFY(kubectl.waitForFinished(60000));
    const QByteArray err = kubectl.readAllStandardError();
    QCOMPARE(kubectl.exitCode(), 0);
    const QJsonObject answer = QJsonDocument::fromJson(kubectl.readAllStandardOutput()).object();
    QVERIFY2(answer.value(QLatin1String("status")).toString() == QLatin1String("success"), err.constData());
    QCOMPARE(answer.value(QLatin1String("data")).toObject().value(QLatin1String("result")).toArray().size(), 1);
}

QTEST_GUILESS_MAIN(TestServiceProxy)
#include "tst_serviceproxy.moc"
