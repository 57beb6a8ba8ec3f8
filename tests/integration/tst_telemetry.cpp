#include "core/model/release.h"
#include "core/telemetry/healthmonitor.h"
#include "k8s/kubeclient.h"
#include "tests/support/testcluster.h"
#include "tests/support/testprometheus.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QProcess>
#include <QSignalSpy>
#include <QTcpServer>
#include <QtTest>

using namespace canary;

// Canary health as `kubectl canary status` measures it: a real Prometheus scraping the demo cluster every
// second, read through the demo API server's service proxy, with a bad canary made on demand.
class TestTelemetry : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();
    void sharesFollowWeights();
    void agreesWithDirectPromQL();
    void errorsMakeTheCanaryWorse();
    void latencyShowsInP99();
    void viewerIsToldAboutServicesProxy();
    void stoppedPrometheusIsServiceUnavailable();
    void wrongUrlIsAClearError_data();
    void wrongUrlIsAClearError();

private:
    int status(const QStringList &extra, QJsonObject *json, QString *err = nullptr) const;
    void annotate(const QString &deployment, const QJsonValue &errorPercent, const QJsonValue &latencyMs);
    static QJsonObject version(const QJsonObject &status, const QString &name);
    double promValue(const QString &promql) const;

    std::unique_ptr<test::TestCluster> m_cluster;
    std::unique_ptr<test::TestPrometheus> m_prometheus;
    QTemporaryDir m_home;
};

static const int kWindow = 15; // seconds; each fault is given this long and a few scrapes more

void TestTelemetry::initTestCase()
{
    const QString error = test::startMeasuredCluster(&m_cluster, &m_prometheus, kWindow);
    QVERIFY2(error.isEmpty(), qPrintable(error));
    QTest::qWait(kWindow * 1000); // a full window of traffic
}

void TestTelemetry::cleanupTestCase()
{
    m_prometheus.reset();
    m_cluster.reset();
}

int TestTelemetry::status(const QStringList &extra, QJsonObject *json, QString *err) const
{
    QProcess p;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("XDG_DATA_HOME"), m_home.path());
    p.setProcessEnvironment(env);
    p.start(QStringLiteral(CANARYDECK_CLI_BINARY),
            QStringList { QStringLiteral("status"), QStringLiteral("--kubeconfig"), m_cluster->endpoints().kubeconfig }
                    + extra);
    p.waitForFinished(90000);
    const QByteArray out = p.readAllStandardOutput();
    if (json)
        *json = QJsonDocument::fromJson(out).object();
    if (err)
        *err = QString::fromUtf8(p.readAllStandardError());
    return p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1;
}

void TestTelemetry::annotate(const QString &deployment, const QJsonValue &errorPercent, const QJsonValue &latencyMs)
{
    const QJsonObject patch {
        { QStringLiteral("metadata"),
          QJsonObject { { QStringLiteral("annotations"),
                          QJsonObject { { QStringLiteral("demo.canarydeck.io/error-percent"), errorPercent },
                                        { QStringLiteral("demo.canarydeck.io/latency-ms"), latencyMs } } } } }
    };
    QCOMPARE(m_cluster->mergePatch(QStringLiteral("/apis/apps/v1/namespaces/default/deployments/") + deployment,
                                   QJsonDocument(patch).toJson(QJsonDocument::Compact)),
             200);
}

QJsonObject TestTelemetry::version(const QJsonObject &status, const QString &name)
{
    for (const QJsonValue &v : status.value(QLatin1String("versions")).toArray())
        if (v.toObject().value(QLatin1String("version")).toString() == name)
            return v.toObject();
    return {};
}

double TestTelemetry::promValue(const QString &promql) const
{
    const QJsonArray result = QJsonDocument::fromJson(m_prometheus->query(promql))
                                      .object()
                                      .value(QLatin1String("data"))
                                      .toObject()
                                      .value(QLatin1String("result"))
                                      .toArray();
    if (result.size() != 1)
        return qQNaN();
    return result.at(0).toObject().value(QLatin1String("value")).toArray().at(1).toString().toDouble();
}

void TestTelemetry::sharesFollowWeights()
{
    QJsonObject json;
    QString err;
    QCOMPARE(status({ QStringLiteral("greeting"), QStringLiteral("-o"), QStringLiteral("json") }, &json, &err), 0);
    QVERIFY2(err.isEmpty(), qPrintable(err));
    QCOMPARE(json.value(QLatin1String("release")).toString(), QStringLiteral("greeting"));
    QCOMPARE(json.value(QLatin1String("namespace")).toString(), QStringLiteral("default"));
    QCOMPARE(json.value(QLatin1String("window")).toString(), QStringLiteral("1m"));
    QCOMPARE(json.value(QLatin1String("source")).toObject(),
             (QJsonObject { { QStringLiteral("kind"), QStringLiteral("service-proxy") },
                            { QStringLiteral("target"), QStringLiteral("istio-system/prometheus:9090") } }));
    const QJsonObject safe = version(json, QStringLiteral("safe"));
    const QJsonObject risky = version(json, QStringLiteral("risky"));
    QCOMPARE(safe.value(QLatin1String("weight")).toInt(), 80);
    QCOMPARE(risky.value(QLatin1String("weight")).toInt(), 20);
    qInfo("observed: safe %.1f %%, risky %.1f %%", safe.value(QLatin1String("observedPercent")).toDouble(),
          risky.value(QLatin1String("observedPercent")).toDouble());
    QVERIFY(qAbs(safe.value(QLatin1String("observedPercent")).toDouble() - 80) <= 5);
    QVERIFY(qAbs(risky.value(QLatin1String("observedPercent")).toDouble() - 20) <= 5);
    QCOMPARE(safe.value(QLatin1String("verdict")).toString(), QStringLiteral("stable"));
    QCOMPARE(risky.value(QLatin1String("verdict")).toString(), QStringLiteral("healthy"));
    for (const char *key : { "requestsPerSecond", "successPercent", "p50Ms", "p90Ms", "p99Ms", "requests" })
        QVERIFY2(risky.value(QLatin1String(key)).isDouble(), key);
}

void TestTelemetry::agreesWithDirectPromQL()
{
    // The same measures asked of Prometheus itself, not through the API server, at nearly the same moment.
    QJsonObject json;
    QCOMPARE(status({ QStringLiteral("greeting"), QStringLiteral("-o"), QStringLiteral("json") }, &json), 0);
    const QString sel = QStringLiteral("reporter=\"destination\",destination_service_name=\"greeting\","
                                       "destination_version=\"%1\"");
    for (const QString &name : { QStringLiteral("safe"), QStringLiteral("risky") }) {
        const QJsonObject v = version(json, name);
        const double rps = promValue(QStringLiteral("sum(rate(istio_requests_total{%1}[1m]))").arg(sel.arg(name)));
        const double p99 = promValue(QStringLiteral("histogram_quantile(0.99, sum by (le) "
                                                    "(rate(istio_request_duration_milliseconds_bucket{%1}[1m])))")
                                             .arg(sel.arg(name)));
        qInfo("%s: status %.3f req/s, PromQL %.3f req/s; p99 %.1f ms, PromQL %.1f ms", qPrintable(name),
              v.value(QLatin1String("requestsPerSecond")).toDouble(), rps, v.value(QLatin1String("p99Ms")).toDouble(),
              p99);
        QVERIFY(rps > 0);
        QVERIFY(qAbs(v.value(QLatin1String("requestsPerSecond")).toDouble() - rps) <= 0.1 * rps);
        QVERIFY(qAbs(v.value(QLatin1String("p99Ms")).toDouble() - p99) <= 0.25 * p99 + 1);
    }
}

void TestTelemetry::errorsMakeTheCanaryWorse()
{
    annotate(QStringLiteral("greeting-risky"), QStringLiteral("30"), QJsonValue::Null);
    QTest::qWait((kWindow + 4) * 1000);
    QJsonObject json;
    QCOMPARE(status({ QStringLiteral("greeting"), QStringLiteral("--window"), QStringLiteral("%1s").arg(kWindow),
                      QStringLiteral("-o"), QStringLiteral("json") },
                    &json),
             0);
    const double risky = version(json, QStringLiteral("risky")).value(QLatin1String("successPercent")).toDouble();
    const double safe = version(json, QStringLiteral("safe")).value(QLatin1String("successPercent")).toDouble();
    qInfo("success with error-percent=30: risky %.1f %%, safe %.1f %%", risky, safe);
    QVERIFY(qAbs(risky - 70) <= 5);
    QVERIFY(safe >= 99);
    QCOMPARE(version(json, QStringLiteral("risky")).value(QLatin1String("verdict")).toString(),
             QStringLiteral("worse"));
    const double direct = promValue(QStringLiteral(
            "100 * sum(rate(istio_requests_total{reporter=\"destination\",destination_service_name=\"greeting\","
            "destination_version=\"risky\",response_code!~\"5..\"}[15s])) / sum(rate(istio_requests_total{reporter="
            "\"destination\",destination_service_name=\"greeting\",destination_version=\"risky\"}[15s]))"));
    qInfo("risky's success rate asked of Prometheus directly: %.1f %%", direct);
    QVERIFY(qAbs(direct - risky) <= 3);

    QString err;
    QCOMPARE(status({ QStringLiteral("greeting"), QStringLiteral("--window"), QStringLiteral("%1s").arg(kWindow) },
                    nullptr, &err),
             0);
}

void TestTelemetry::latencyShowsInP99()
{
    annotate(QStringLiteral("greeting-risky"), QJsonValue::Null, QStringLiteral("200"));
    QTest::qWait((kWindow + 4) * 1000);
    QJsonObject json;
    QCOMPARE(status({ QStringLiteral("greeting"), QStringLiteral("--window"), QStringLiteral("%1s").arg(kWindow),
                      QStringLiteral("-o"), QStringLiteral("json") },
                    &json),
             0);
    const QJsonObject risky = version(json, QStringLiteral("risky"));
    qInfo("p99 with latency-ms=200: risky %.1f ms, safe %.1f ms", risky.value(QLatin1String("p99Ms")).toDouble(),
          version(json, QStringLiteral("safe")).value(QLatin1String("p99Ms")).toDouble());
    QVERIFY(risky.value(QLatin1String("p99Ms")).toDouble() >= 200);
    QVERIFY(risky.value(QLatin1String("successPercent")).toDouble() >= 99);
    QCOMPARE(risky.value(QLatin1String("verdict")).toString(), QStringLiteral("worse"));
    annotate(QStringLiteral("greeting-risky"), QJsonValue::Null, QJsonValue::Null);
}

void TestTelemetry::viewerIsToldAboutServicesProxy()
{
    k8s::KubeClient client(m_cluster->endpointWithToken(QString::fromLatin1(test::TestCluster::kViewerToken)));
    core::HealthMonitor monitor(&client);
    monitor.setPeriodic(false);
    QSignalSpy finished(&monitor, &core::HealthMonitor::roundFinished);
    core::Release release;
    release.name = QStringLiteral("greeting");
    release.ns = QStringLiteral("default");
    core::ReleaseVersion safe;
    safe.name = safe.subset = QStringLiteral("safe");
    safe.host = safe.service = QStringLiteral("greeting");
    safe.labels = QJsonObject { { QStringLiteral("version"), QStringLiteral("safe") } };
    release.versions.append(safe);
    monitor.setRelease(release);
    QVERIFY(finished.wait(30000));
    qInfo("%s", qPrintable(monitor.problem()));
    QVERIFY(monitor.problem().contains(QLatin1String("services/proxy in namespace istio-system")));
    QVERIFY(monitor.problem().contains(QLatin1String("SelfSubjectAccessReview says: not allowed")));
    QVERIFY(!monitor.problem().contains(QLatin1String(test::TestCluster::kViewerToken)));
    QVERIFY(!monitor.hasHealth());
}

void TestTelemetry::stoppedPrometheusIsServiceUnavailable()
{
    m_cluster->setPrometheusUrl(QString()); // as a Service without endpoints
    QString err;
    QJsonObject json;
    QCOMPARE(status({ QStringLiteral("greeting"), QStringLiteral("-o"), QStringLiteral("json") }, &json, &err), 1);
    m_cluster->setPrometheusUrl(m_prometheus->url());
    qInfo("%s", qPrintable(err.trimmed()));
    QCOMPARE(err.count(QLatin1Char('\n')), 1);
    QVERIFY(err.startsWith(QLatin1String("error: Prometheus istio-system/prometheus:9090 via the API server answered "
                                         "503")));
    QVERIFY(err.contains(QLatin1String("not running")));
    QVERIFY(json.isEmpty());
}

void TestTelemetry::wrongUrlIsAClearError_data()
{
    QTcpServer closed;
    QVERIFY(closed.listen(QHostAddress::LocalHost));
    const quint16 port = closed.serverPort();
    closed.close();
    QTest::addColumn<QString>("url");
    QTest::addColumn<QString>("message");
    QTest::addColumn<QString>("hint");
    QTest::newRow("nothing listens")
            << QStringLiteral("http://127.0.0.1:%1").arg(port)
            << QStringLiteral("error: Cannot reach Prometheus at http://127.0.0.1:%1: ").arg(port) << QString();
    QTest::newRow("not Prometheus") << QUrl(m_cluster->endpoints().metrics).toString()
                                    << QStringLiteral("error: Prometheus answered HTTP 404")
                                    << QStringLiteral("Prometheus' base URL");
    QTest::newRow("the API path given too")
            << m_prometheus->url() + QStringLiteral("/api/v1") << QStringLiteral("error: Prometheus answered HTTP 404")
            << QStringLiteral("(is %1/api/v1 Prometheus' base URL, the address of its "
                              "web page, without /api/v1?)")
                       .arg(m_prometheus->url());
    QTest::newRow("not a URL") << QStringLiteral("prometheus:9090")
                               << QStringLiteral(
                                          "error: --prometheus-url \"prometheus:9090\" is not an http or https URL")
                               << QString();
}

void TestTelemetry::wrongUrlIsAClearError()
{
    QFETCH(QString, url);
    QFETCH(QString, message);
    QFETCH(QString, hint);
    QString err;
    QCOMPARE(status({ QStringLiteral("greeting"), QStringLiteral("--prometheus-url"), url }, nullptr, &err), 1);
    qInfo("%s", qPrintable(err.trimmed()));
    QVERIFY2(err.startsWith(message), qPrintable(err));
    QVERIFY2(err.contains(hint), qPrintable(err));
    QCOMPARE(err.count(QLatin1Char('\n')), 1);
}

QTEST_GUILESS_MAIN(TestTelemetry)
#include "tst_telemetry.moc"
