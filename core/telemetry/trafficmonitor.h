#pragma once

#include "core/telemetry/prometheus.h"

#include <QList>
#include <QObject>
#include <QPointF>
#include <QPointer>
#include <QUrl>

#include <deque>

class QTimer;

namespace canary::k8s {
class KubeClient;
class KubeReply;
} // namespace canary::k8s

namespace canary::core {

struct ReleaseVersion;

// Scrapes a Prometheus-format endpoint (the demo's metrics, an Envoy's stats) at a fixed interval
// and keeps the per-series request rates of the last minutes. It asks through the client, so the
// kubeconfig's proxy and TLS settings apply (and credentials, when the URL is the API server's).
class TrafficMonitor final : public QObject {
    Q_OBJECT
public:
    explicit TrafficMonitor(k8s::KubeClient *client, QObject *parent = nullptr);
    ~TrafficMonitor() override;

    // Another cluster (a context switch): scraped through its client from now on.
    void setClient(k8s::KubeClient *client);
    k8s::KubeClient *client() const;
    // The same cluster at another address (restarted, say) keeps the history: its outage is a gap.
    enum class History { Clear, Keep };
    void setSource(const QUrl &metricsUrl, History history = History::Clear);
    QUrl source() const { return m_url; }
    void setInterval(int ms);
    void setWindowSeconds(int seconds) { m_windowMs = qint64(seconds) * 1000; }
    void setSmoothingSeconds(int seconds) { m_smoothingMs = qint64(seconds) * 1000; }
    int smoothingSeconds() const { return int(m_smoothingMs / 1000); }

    // Requests per second reaching a version over the window: (time in ms since epoch, rate).
    QList<QPointF> series(const ReleaseVersion &version) const;
    double latestRate(const ReleaseVersion &version) const;
    QString lastError() const { return m_lastError; }

Q_SIGNALS:
    void updated();
    void failed(const QString &message);

private:
    void scrape();

    struct Point {
        qint64 atMs;
        QList<SeriesRate> rates;
    };
    QPointer<k8s::KubeClient> m_client;
    QPointer<k8s::KubeReply> m_reply;
    QTimer *m_timer;
    QUrl m_url;
    CounterRates m_rates;
    std::deque<Point> m_points;
    qint64 m_windowMs = 300000;
    qint64 m_smoothingMs = 10000;
    bool m_seeded = false;
    QString m_lastError;
};

} // namespace canary::core
