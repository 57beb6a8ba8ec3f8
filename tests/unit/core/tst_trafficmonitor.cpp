#include "core/model/release.h"
#include "core/telemetry/trafficmonitor.h"
#include "k8s/kubeclient.h"
#include "k8s/kubeconfig.h"
#include "tests/support/testproxy.h"

#include <QSignalSpy>
#include <QTemporaryDir>
#include <QtTest>

using namespace canary;

// The traffic source asks through the k8s client: the kubeconfig's proxy-url carries the metrics
// request, and the API server's credentials stay with the API server.
class TestTrafficMonitor : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void metricsGoThroughTheKubeconfigProxy();
    void failuresAreReported();

private:
    k8s::ClusterEndpoint endpointWithProxy(const QUrl &proxy);
    QTemporaryDir m_dir;
};

static const char kToken[] = "secret-token-4f2a";

k8s::ClusterEndpoint TestTrafficMonitor::endpointWithProxy(const QUrl &proxy)
{
    const QString path = m_dir.filePath(QStringLiteral("kubeconfig"));
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly))
        return k8s::ClusterEndpoint();
    file.write("apiVersion: v1\nkind: Config\ncurrent-context: c\n"
               "clusters:\n- name: c\n  cluster:\n    server: https://api.cluster.test:6443\n    proxy-url: "
               + proxy.toEncoded()
               + "\n"
                 "users:\n- name: u\n  user:\n    token: "
               + QByteArray(kToken)
               + "\n"
                 "contexts:\n- name: c\n  context: {cluster: c, user: u}\n");
    file.close();
    k8s::KubeconfigOptions options;
    options.kubeconfig = path;
    const Result<k8s::ClusterEndpoint> endpoint = k8s::loadKubeconfig(options);
    if (!endpoint) {
        qWarning("%s", qPrintable(endpoint.error().message));
        return k8s::ClusterEndpoint();
    }
    return *endpoint;
}

void TestTrafficMonitor::metricsGoThroughTheKubeconfigProxy()
{
    test::TestProxy proxy;
    QVERIFY(proxy.listen());
    int scrapes = 0;
    proxy.setHandler([&scrapes](const QByteArray &) {
        ++scrapes; // 50 requests more at every scrape
        const QByteArray body = "# TYPE istio_requests_total counter\n"
                                "istio_requests_total{reporter=\"destination\",destination_service_name=\"greeting\","
                                "destination_version=\"v1\",response_code=\"200\"} "
                + QByteArray::number(scrapes * 50) + "\n";
        return test::httpResponse(200, body, "text/plain; version=0.0.4");
    });
    const k8s::ClusterEndpoint endpoint = endpointWithProxy(proxy.url());
    QCOMPARE(endpoint.proxyUrl, proxy.url());
    k8s::KubeClient client(endpoint);
    core::TrafficMonitor monitor(&client);
    monitor.setInterval(100);
    QSignalSpy updated(&monitor, &core::TrafficMonitor::updated);
    // A host only the proxy knows: the request can only arrive through it.
    monitor.setSource(QUrl(QStringLiteral("http://metrics.cluster.test:9090/metrics")));
    QTRY_VERIFY_WITH_TIMEOUT(updated.size() >= 4, 10000);
    QCOMPARE(monitor.lastError(), QString());
    QCOMPARE(proxy.requestLines().constFirst(),
             QStringLiteral("GET http://metrics.cluster.test:9090/metrics HTTP/1.1"));
    for (const QByteArray &head : proxy.requests()) {
        QVERIFY2(!head.toLower().contains("authorization:"), head.constData());
        QVERIFY(!head.contains(kToken));
    }
    core::ReleaseVersion v1;
    v1.name = QStringLiteral("v1");
    v1.host = QStringLiteral("greeting");
    QVERIFY2(monitor.latestRate(v1) > 100, qPrintable(QString::number(monitor.latestRate(v1))));
}

void TestTrafficMonitor::failuresAreReported()
{
    test::TestProxy proxy;
    QVERIFY(proxy.listen());
    proxy.setHandler([](const QByteArray &) { return test::httpResponse(404, "404 page not found"); });
    k8s::KubeClient client(endpointWithProxy(proxy.url()));
    core::TrafficMonitor monitor(&client);
    QSignalSpy failed(&monitor, &core::TrafficMonitor::failed);
    monitor.setSource(QUrl(QStringLiteral("http://metrics.cluster.test:9090/stats")));
    QVERIFY(failed.wait(10000));
    const QString message = failed.at(0).at(0).toString();
    QVERIFY2(message.contains(QLatin1String("http://metrics.cluster.test:9090/stats"))
                     && message.contains(QLatin1String("HTTP 404"))
                     && message.contains(QLatin1String("404 page not found")),
             qPrintable(message));
    QCOMPARE(monitor.lastError(), message);
}

QTEST_GUILESS_MAIN(TestTrafficMonitor)
#include "tst_trafficmonitor.moc"
