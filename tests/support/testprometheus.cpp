#include "tests/support/testprometheus.h"

#include "tests/support/testcluster.h"

#include <QDeadlineTimer>
#include <QEventLoop>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QStandardPaths>
#include <QTcpServer>
#include <QThread>
#include <QTimer>

#include <csignal>
#include <sys/prctl.h>

namespace canary::test {

namespace {

// A port no one listens on now: the kernel's choice for a listener closed at once.
int freePort()
{
    QTcpServer probe;
    if (!probe.listen(QHostAddress::LocalHost, 0))
        return -1;
    return probe.serverPort();
}

// A synchronous GET for tests; the status (0: no answer) and the body.
int httpGet(const QUrl &url, QByteArray *body, int timeoutMs = 5000)
{
    QNetworkAccessManager network;
    QNetworkRequest request(url);
    request.setTransferTimeout(timeoutMs);
    QNetworkReply *reply = network.get(request);
    QEventLoop loop;
    QObject::connect(reply, &QNetworkReply::finished, &loop, &QEventLoop::quit);
    if (!reply->isFinished())
        loop.exec();
    *body = reply->readAll();
    const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    delete reply;
    return status;
}

QByteArray configYaml(const QUrl &target, const QString &caFile)
{
    QByteArray yaml = "global:\n  scrape_interval: 1s\n  scrape_timeout: 1s\n  evaluation_interval: 1s\n"
                      "scrape_configs:\n  - job_name: canarydeck-test\n";
    yaml += "    scheme: " + target.scheme().toUtf8() + "\n";
    yaml += "    metrics_path: '" + target.path().toUtf8() + "'\n";
    yaml += "    static_configs:\n      - targets: ['" + target.authority().toUtf8() + "']\n";
    if (!caFile.isEmpty())
        yaml += "    tls_config:\n      ca_file: '" + caFile.toUtf8() + "'\n";
    return yaml;
}

} // namespace

TestPrometheus::TestPrometheus(const QUrl &target, const QString &caFile)
{
    if (QStandardPaths::findExecutable(QStringLiteral("prometheus")).isEmpty()) {
        m_error = QStringLiteral("prometheus is not installed: ./dev test installs Debian's prometheus package "
                                 "(or: sudo apt-get install prometheus)");
        return;
    }
    // The port is free when chosen, not necessarily when Prometheus binds it: a few tries.
    for (int attempt = 0; attempt < 3 && !m_ok; ++attempt)
        m_ok = start(target, caFile);
}

TestPrometheus::~TestPrometheus()
{
    stop();
}

bool TestPrometheus::start(const QUrl &target, const QString &caFile)
{
    QFile config(m_dir.filePath(QStringLiteral("prometheus.yml")));
    if (!config.open(QIODevice::WriteOnly | QIODevice::Truncate)) {
        m_error = QStringLiteral("cannot write %1: %2").arg(config.fileName(), config.errorString());
        return false;
    }
    config.write(configYaml(target, caFile));
    config.close();
    const int port = freePort();
    m_url = QStringLiteral("http://127.0.0.1:%1").arg(port);
    m_process.setProgram(QStringLiteral("prometheus"));
    m_process.setArguments({ QStringLiteral("--config.file=") + config.fileName(),
                             QStringLiteral("--storage.tsdb.path=") + m_dir.filePath(QStringLiteral("data")),
                             QStringLiteral("--web.listen-address=127.0.0.1:%1").arg(port),
                             QStringLiteral("--log.level=warn") });
    m_process.setProcessChannelMode(QProcess::MergedChannels);
    // A test that crashes takes its Prometheus with it.
    m_process.setChildProcessModifier([] { ::prctl(PR_SET_PDEATHSIG, SIGKILL); });
    m_process.start();
    if (!m_process.waitForStarted(10000)) {
        m_error = QStringLiteral("prometheus did not start: %1").arg(m_process.errorString());
        return false;
    }
    if (waitUntilReady(30000))
        return true;
    const QString output = QString::fromUtf8(m_process.readAll());
    stop();
    m_error = QStringLiteral("prometheus on port %1 did not become ready: %2").arg(port).arg(output.right(2000));
    return false;
}

bool TestPrometheus::waitUntilReady(int timeoutMs)
{
    const QDeadlineTimer deadline(timeoutMs);
    while (!deadline.hasExpired() && m_process.state() == QProcess::Running) {
        QByteArray body;
        if (httpGet(QUrl(m_url + QStringLiteral("/-/ready")), &body, 2000) == 200)
            return true;
        QThread::msleep(100);
    }
    return false;
}

void TestPrometheus::stop()
{
    if (m_process.state() == QProcess::NotRunning)
        return;
    m_process.terminate();
    if (!m_process.waitForFinished(10000)) {
        m_process.kill();
        m_process.waitForFinished(5000);
    }
}

QByteArray TestPrometheus::query(const QString &promql) const
{
    QUrl url(m_url + QStringLiteral("/api/v1/query"));
    url.setQuery(QStringLiteral("query=") + QString::fromLatin1(QUrl::toPercentEncoding(promql)));
    QByteArray body;
    httpGet(url, &body);
    return body;
}

bool TestPrometheus::waitForSeries(const QString &promql, int timeoutMs)
{
    const QDeadlineTimer deadline(timeoutMs);
    while (!deadline.hasExpired()) {
        const QJsonObject answer = QJsonDocument::fromJson(query(promql)).object();
        if (!answer.value(QLatin1String("data")).toObject().value(QLatin1String("result")).toArray().isEmpty())
            return true;
        QThread::msleep(250);
    }
    return false;
}

QString startMeasuredCluster(std::unique_ptr<TestCluster> *cluster, std::unique_ptr<TestPrometheus> *prometheus,
                             int windowSeconds)
{
    *cluster = std::make_unique<TestCluster>(30);
    if (!(*cluster)->ok())
        return (*cluster)->error();
    *prometheus = std::make_unique<TestPrometheus>(QUrl((*cluster)->endpoints().metrics));
    if (!(*prometheus)->ok())
        return (*prometheus)->error();
    (*cluster)->setPrometheusUrl((*prometheus)->url());
    if (!(*prometheus)
                 ->waitForSeries(
                         QStringLiteral(
                                 "increase(istio_requests_total{destination_service_name=\"greeting\"}[%1s]) > 0")
                                 .arg(windowSeconds),
                         30000))
        return QStringLiteral("Prometheus saw no request to greeting within 30 s");
    return {};
}

} // namespace canary::test
