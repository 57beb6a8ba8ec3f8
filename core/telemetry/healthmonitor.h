#pragma once

#include "core/model/release.h"
#include "core/telemetry/prometheussource.h"
#include "core/telemetry/releasehealth.h"
#include "core/telemetry/releasequeries.h"

#include <QDateTime>
#include <QHash>
#include <QJsonObject>
#include <QList>
#include <QObject>
#include <QPointF>
#include <QPointer>
#include <QUrl>

class QTimer;

namespace canary::k8s {
class KubeClient;
class KubeReply;
} // namespace canary::k8s

namespace canary::core {

class PrometheusFinder;
class TrafficMonitor;

// The health of one release's versions, measured by Prometheus: found as the issue of sources says
// (--prometheus-url, the kubeconfig's canarydeck.io/prometheus, a Service found in the cluster,
// last a scrape page), asked through the client (so the kubeconfig's proxy, TLS and credentials
// apply), every interval. The window and the plugin use it alike: the plugin for one round.
class HealthMonitor final : public QObject {
    Q_OBJECT
public:
    explicit HealthMonitor(k8s::KubeClient *client, QObject *parent = nullptr);
    ~HealthMonitor() override;

    // Another cluster (a context switch): its source is found again.
    void setClient(k8s::KubeClient *client);
    k8s::KubeClient *client() const;
    // --prometheus-url (empty: none).
    void setPrometheusUrl(const QUrl &url);
    // --metrics-url: a Prometheus-format page, used when no Prometheus is named or found.
    void setScrapeUrl(const QUrl &url);
    // The release to measure (its namespace is release.ns). Measuring starts at once. True when it is
    // another release (or its versions changed): what was measured is dropped; false for new weights.
    bool setRelease(const Release &release);
    void clearRelease();
    const Release &release() const { return m_release; }
    void setThresholds(const HealthThresholds &thresholds);
    HealthThresholds thresholds() const { return m_thresholds; }
    void setInterval(int ms);
    // How far back the charts reach.
    void setHistorySeconds(int seconds);
    int historySeconds() const { return m_historySeconds; }
    // Whether rounds repeat every interval (the window) or only on refresh() (the plugin).
    void setPeriodic(bool periodic);
    // Whether a Prometheus Service found by discovery that has no endpoints gives way to the
    // kubeconfig's metrics page (the window: rates rather than nothing), or is an error (the plugin).
    void setScrapeFallback(bool fallback) { m_scrapeFallback = fallback; }

    // One round now: finds the source if needed, asks every query, then updated() or problemChanged().
    void refresh();
    bool busy() const { return m_pending > 0 || m_resolving; }

    const ReleaseHealth &health() const { return m_health; }
    bool hasHealth() const { return m_measuredAt.isValid(); }
    QDateTime measuredAt() const { return m_measuredAt; }
    PrometheusSource source() const { return m_source; }
    enum class Metric { RequestsPerSecond, ErrorPercent, P99Ms };
    // (ms since epoch, value) over the history; NaN where the source had no value (a gap).
    QList<QPointF> series(Metric metric, const QString &version) const;
    // The queries of the current release, for "Copy PromQL" (empty in scrape mode).
    QString queriesText() const;
    // "Prometheus istio-system/prometheus:9090 via the API server · scraped 3 s ago"
    QString stateText() const;
    // What the reachability check found wrong, in one message (empty when all is well).
    QString problem() const { return m_problem; }
    // Why the source is not the one found ("Prometheus … answered 503 …": the metrics page instead).
    QString note() const { return m_note; }

Q_SIGNALS:
    void updated();
    void problemChanged(const QString &problem);
    void sourceChanged();
    // The end of every round, measured or failed (the plugin waits for it).
    void roundFinished();

private:
    void resetSource();
    void resolve();
    void abandonRound();
    void clearMeasures();
    void useSource(const PrometheusSource &source);
    void startRound();
    void askPrometheus();
    void ask(const QString &promql, int slot, double start, double end, double step);
    void answered(int slot, k8s::KubeReply *reply, int generation);
    void finishRound();
    void failRound(k8s::KubeReply *reply);
    void explainForbidden(int generation);
    void endRound(const QString &problem);
    void setProblem(const QString &problem);
    void scrapeUpdated();
    void noL7Telemetry();
    QList<double> latencyBounds() const;
    VersionHealth versionBase(int index) const;
    ReleaseHealth healthBase(int windowSeconds) const;
    k8s::KubeReply *send(const k8s::KubeRequest &request, const QString &what);

    QPointer<k8s::KubeClient> m_client;
    QTimer *m_timer;
    PrometheusFinder *m_finder;
    TrafficMonitor *m_scrape = nullptr;
    QUrl m_flagUrl;
    QUrl m_scrapeUrl;
    Release m_release;
    bool m_hasRelease = false;
    HealthThresholds m_thresholds;
    int m_historySeconds = 300;
    bool m_periodic = true;

    PrometheusSource m_source;
    bool m_resolving = false;
    bool m_discovered = false; // m_source was found, not named
    bool m_scrapeFallback = true;
    QString m_note; // why the source is not the one found
    MeshMode m_mesh;
    QString m_meshFor; // the namespace m_mesh was read for
    ReleaseQueries m_queries;
    int m_generation = 0; // answers of an older round, source or release are dropped
    int m_pending = 0;
    QList<QPointer<k8s::KubeReply>> m_replies;
    QHash<int, QHash<QString, double>> m_instant; // slot -> version -> value
    QHash<int, QHash<QString, QList<QPointF>>> m_range; // metric -> version -> points
    QHash<int, QHash<QString, QList<QPointF>>> m_series;
    double m_lastScrapeSeconds = 0;
    ReleaseHealth m_health;
    QDateTime m_measuredAt;
    QString m_problem;
};

} // namespace canary::core
