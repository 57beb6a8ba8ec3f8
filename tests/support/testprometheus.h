#pragma once

#include <QProcess>
#include <QString>
#include <QTemporaryDir>
#include <QUrl>

#include <memory>

namespace canary::test {

// A real Prometheus server (Debian's prometheus binary) for tests: on a free 127.0.0.1 port, scraping one
// target every second, its storage in a temporary directory, stopped with the object. Without the binary
// ok() is false and error() says to install it (./dev test does).
class TestPrometheus final {
public:
    // target: the metrics URL to scrape, http or https; caFile: the CA of an https target's certificate.
    explicit TestPrometheus(const QUrl &target, const QString &caFile = {});
    ~TestPrometheus();
    TestPrometheus(const TestPrometheus &) = delete;
    TestPrometheus &operator=(const TestPrometheus &) = delete;

    bool ok() const { return m_ok; }
    QString error() const { return m_error; }
    QString url() const { return m_url; } // http://127.0.0.1:PORT, without a trailing slash

    // Polls /api/v1/query until `promql` gives a non-empty result; false after timeoutMs.
    bool waitForSeries(const QString &promql, int timeoutMs);
    // The JSON of one instant query (empty when Prometheus gave no JSON).
    QByteArray query(const QString &promql) const;

private:
    bool start(const QUrl &target, const QString &caFile);
    bool waitUntilReady(int timeoutMs);
    void stop();

    QTemporaryDir m_dir;
    QProcess m_process;
    QString m_url;
    bool m_ok = false;
    QString m_error;
};

class TestCluster;

// A demo cluster (with its background users) and a Prometheus scraping it, the cluster's service proxy
// forwarding to it, once greeting's requests show in a window of `windowSeconds`. Empty when all is
// up, else what is not.
QString startMeasuredCluster(std::unique_ptr<TestCluster> *cluster, std::unique_ptr<TestPrometheus> *prometheus,
                             int windowSeconds);

} // namespace canary::test
