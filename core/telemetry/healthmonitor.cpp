#include "core/telemetry/healthmonitor.h"

#include "core/telemetry/promapi.h"
#include "core/telemetry/prometheusfinder.h"
#include "core/telemetry/trafficmonitor.h"
#include "k8s/accessreview.h"
#include "k8s/kubeclient.h"
#include "k8s/kubereply.h"

#include <QJsonDocument>
#include <QTimer>

#include <algorithm>
#include <cmath>

namespace canary::core {

namespace {

// The slots of one round's queries: instant ones first, then the charts' ranges.
enum Slot {
    RequestsPerSecond,
    Requests,
    SuccessPercent,
    P50,
    P90,
    P99,
    LastScrape,
    LatencyBounds,
    RangeRequests,
    RangeErrors,
    RangeP99,
    SlotCount
};

bool isRange(int slot)
{
    return slot >= RangeRequests;
}

int rangeSlotOf(HealthMonitor::Metric metric)
{
    switch (metric) {
    case HealthMonitor::Metric::RequestsPerSecond: return RangeRequests;
    case HealthMonitor::Metric::ErrorPercent: return RangeErrors;
    case HealthMonitor::Metric::P99Ms: break;
    }
    return RangeP99;
}

std::optional<double> finite(const QHash<QString, double> &values, const QString &version)
{
    const auto it = values.constFind(version);
    if (it == values.constEnd() || !std::isfinite(*it))
        return std::nullopt;
    return *it;
}

// A range query's samples as chart points: a NaN where Prometheus had nothing for more than a step.
QList<QPointF> withGaps(const QList<PromSample> &samples, double step)
{
    QList<QPointF> out;
    double last = -1;
    for (const PromSample &s : samples) {
        if (last >= 0 && s.atSeconds - last > step * 1.5)
            out.append(QPointF((last + step) * 1000.0, qQNaN()));
        out.append(QPointF(s.atSeconds * 1000.0, s.value));
        last = s.atSeconds;
    }
    return out;
}

bool isKubernetesStatus(const QByteArray &body)
{
    return QJsonDocument::fromJson(body).object().value(QLatin1String("kind")).toString() == QLatin1String("Status");
}

} // namespace

HealthMonitor::HealthMonitor(k8s::KubeClient *client, QObject *parent)
    : QObject(parent)
    , m_timer(new QTimer(this))
    , m_finder(new PrometheusFinder(this))
{
    connect(m_finder, &PrometheusFinder::found, this, [this](const PrometheusSource &source, bool discovered) {
        m_resolving = false;
        m_discovered = discovered;
        useSource(source);
    });
    connect(m_finder, &PrometheusFinder::failed, this, [this](const QString &message) {
        m_resolving = false;
        endRound(message);
    });
    m_timer->setInterval(5000);
    connect(m_timer, &QTimer::timeout, this, &HealthMonitor::refresh);
    setClient(client);
}

HealthMonitor::~HealthMonitor()
{
    for (const QPointer<k8s::KubeReply> &r : std::as_const(m_replies))
        delete r.data();
}

void HealthMonitor::setClient(k8s::KubeClient *client)
{
    if (m_client == client)
        return;
    if (m_client)
        disconnect(m_client, nullptr, this, nullptr);
    m_client = client;
    if (m_client)
        connect(m_client, &k8s::KubeClient::endpointChanged, this, &HealthMonitor::resetSource);
    resetSource();
}

k8s::KubeClient *HealthMonitor::client() const
{
    return m_client;
}

void HealthMonitor::setPrometheusUrl(const QUrl &url)
{
    if (url == m_flagUrl)
        return;
    m_flagUrl = url;
    resetSource();
}

void HealthMonitor::setScrapeUrl(const QUrl &url)
{
    if (url == m_scrapeUrl)
        return;
    m_scrapeUrl = url;
    resetSource();
}

bool HealthMonitor::setRelease(const Release &release)
{
    const bool same = m_hasRelease && release.name == m_release.name && release.ns == m_release.ns
            && release.versionNames() == m_release.versionNames();
    const bool otherNamespace = m_hasRelease && release.ns != m_release.ns;
    m_release = release;
    m_hasRelease = true;
    if (same)
        return false; // new weights: the next round judges by them
    abandonRound();
    clearMeasures();
    m_lastScrapeSeconds = 0;
    if (otherNamespace)
        resetSource(); // discovery looks in the release's namespace too
    else
        refresh();
    if (m_periodic)
        m_timer->start();
    return true;
}

void HealthMonitor::clearRelease()
{
    m_hasRelease = false;
    m_release = Release();
    abandonRound();
    clearMeasures();
    m_timer->stop();
    Q_EMIT updated();
}

void HealthMonitor::setThresholds(const HealthThresholds &thresholds)
{
    if (thresholds == m_thresholds)
        return;
    m_thresholds = thresholds;
    abandonRound();
    refresh();
}

void HealthMonitor::abandonRound()
{
    ++m_generation; // answers of the older round are dropped, and a search in flight: the next starts over
    m_pending = 0;
    m_resolving = false;
    m_finder->cancel();
}

void HealthMonitor::clearMeasures()
{
    m_series.clear();
    m_health = ReleaseHealth();
    m_measuredAt = QDateTime();
}

void HealthMonitor::setInterval(int ms)
{
    m_timer->setInterval(ms);
}

void HealthMonitor::setHistorySeconds(int seconds)
{
    m_historySeconds = qMax(10, seconds);
}

void HealthMonitor::setPeriodic(bool periodic)
{
    m_periodic = periodic;
    if (!periodic)
        m_timer->stop();
    else if (m_hasRelease)
        m_timer->start();
}

void HealthMonitor::resetSource()
{
    abandonRound();
    for (const QPointer<k8s::KubeReply> &r : std::as_const(m_replies))
        if (r)
            r->deleteLater();
    m_replies.clear();
    if (m_scrape) // kept until the next source is known: a metrics page again keeps its history (a gap, not a reset)
        m_scrape->setSource(QUrl(), TrafficMonitor::History::Keep);
    m_source = PrometheusSource();
    m_discovered = false;
    m_note.clear();
    m_meshFor.clear();
    Q_EMIT sourceChanged();
    if (m_hasRelease)
        refresh();
}

k8s::KubeReply *HealthMonitor::send(const k8s::KubeRequest &request, const QString &what)
{
    k8s::KubeReply *reply = m_client->send(request, what);
    m_replies.append(reply);
    connect(reply, &QObject::destroyed, this, [this, reply] { m_replies.removeAll(reply); });
    return reply;
}

void HealthMonitor::refresh()
{
    if (!m_hasRelease || !m_client || busy())
        return;
    if (m_source.kind == PrometheusSource::Kind::Scrape)
        return; // the scrape runs on its own timer
    if (!m_source.isValid()) {
        resolve();
        return;
    }
    startRound();
}

void HealthMonitor::resolve()
{
    m_resolving = true;
    m_finder->find(m_client, m_flagUrl, m_scrapeUrl, m_release.ns);
}

void HealthMonitor::useSource(const PrometheusSource &source)
{
    m_source = source;
    Q_EMIT sourceChanged();
    const bool sameScrape = m_scrape && m_scrape->client() == m_client;
    if (source.kind != PrometheusSource::Kind::Scrape) {
        // Kept, idle, until Prometheus answers: a Service found with nothing behind it gives way to the
        // metrics page again, whose history then goes on (an outage is a gap, not a reset).
        if (sameScrape)
            m_scrape->setSource(QUrl(), TrafficMonitor::History::Keep);
        startRound();
        return;
    }
    if (sameScrape) {
        m_scrape->setSource(source.url, TrafficMonitor::History::Keep);
        return;
    }
    delete m_scrape;
    m_scrape = new TrafficMonitor(m_client, this);
    m_scrape->setWindowSeconds(m_historySeconds);
    if (m_timer->interval() < 1000) // a page is cheap to read: as often as asked, at most every second otherwise
        m_scrape->setInterval(m_timer->interval());
    connect(m_scrape, &TrafficMonitor::updated, this, &HealthMonitor::scrapeUpdated);
    connect(m_scrape, &TrafficMonitor::failed, this, [this](const QString &message) { endRound(message); });
    m_scrape->setSource(source.url);
}

void HealthMonitor::startRound()
{
    if (m_meshFor == m_release.ns) {
        askPrometheus();
        return;
    }
    // Whether the namespace runs ambient, and with a waypoint: that decides the reporter.
    const int generation = m_generation;
    m_resolving = true;
    k8s::KubeReply *reply = send(k8s::KubeRequest::get(k8s::objectPath({}, QStringLiteral("v1"), {},
                                                                       QStringLiteral("namespaces"), m_release.ns)),
                                 QStringLiteral("namespace %1").arg(m_release.ns));
    connect(reply, &k8s::KubeReply::finished, this, [this, reply, generation] {
        reply->deleteLater();
        if (generation != m_generation)
            return;
        m_resolving = false;
        m_mesh = reply->ok() ? meshModeOf(reply->json()) : MeshMode(); // unreadable: sidecars, the common case
        m_meshFor = m_release.ns;
        askPrometheus();
    });
}

void HealthMonitor::askPrometheus()
{
    if (!m_mesh.hasL7Telemetry()) {
        noL7Telemetry();
        return;
    }
    m_queries = releaseQueries(m_release,
                               QueryOptions { m_thresholds.windowSeconds, m_thresholds.countClientErrors, m_mesh });
    if (m_queries.requestsPerSecond.isEmpty()) {
        endRound(tr("%1 has no versions to measure").arg(m_release.name));
        return;
    }
    m_instant.clear();
    m_range.clear();
    m_pending = SlotCount;
    const double end = double(QDateTime::currentMSecsSinceEpoch()) / 1000.0;
    const double step = qMax(1.0, std::round(m_historySeconds / 150.0));
    const double start = end - m_historySeconds;
    const QString *instant[] = { &m_queries.requestsPerSecond,
                                 &m_queries.requests,
                                 &m_queries.successPercent,
                                 &m_queries.p50Ms,
                                 &m_queries.p90Ms,
                                 &m_queries.p99Ms,
                                 &m_queries.lastScrape,
                                 &m_queries.latencyBounds };
    for (int slot = 0; slot < RangeRequests; ++slot)
        ask(*instant[slot], slot, 0, end, 0);
    ask(m_queries.requestsPerSecond, RangeRequests, start, end, step);
    ask(m_queries.errorPercent, RangeErrors, start, end, step);
    ask(m_queries.p99Ms, RangeP99, start, end, step);
}

void HealthMonitor::ask(const QString &promql, int slot, double start, double end, double step)
{
    const bool range = isRange(slot);
    const k8s::KubeRequest request
            = m_source.request(range ? QStringLiteral("/api/v1/query_range") : QStringLiteral("/api/v1/query"),
                               range ? promRangeQueryString(promql, start, end, step) : promQueryString(promql, end));
    k8s::KubeReply *reply = send(request, m_source.describe());
    const int generation = m_generation;
    connect(reply, &k8s::KubeReply::finished, this, [this, slot, reply, generation, step] {
        reply->deleteLater();
        if (generation != m_generation)
            return;
        --m_pending;
        if (!reply->ok() && (reply->httpStatus() == 0 || isKubernetesStatus(reply->body()))) {
            failRound(reply);
            return;
        }
        const Result<PromResult> result = decodePromAnswer(reply->body(), reply->httpStatus());
        if (!result) {
            ++m_generation; // the round's other answers are not needed
            m_pending = 0;
            QString message = result.error().message;
            if (m_source.kind == PrometheusSource::Kind::Url && reply->httpStatus() == 404)
                message += tr(" (is %1 Prometheus' base URL, the address of its web page, without /api/v1?)")
                                   .arg(m_source.target());
            endRound(message);
            return;
        }
        for (const PromSeries &s : result->series) {
            const QString version = s.labels.value(QStringLiteral("canary_version"));
            if (slot == LatencyBounds)
                m_instant[slot].insert(s.labels.value(QStringLiteral("le")), 0);
            else if (isRange(slot))
                m_range[slot].insert(version, withGaps(s.samples, step));
            else if (!s.samples.isEmpty())
                m_instant[slot].insert(version, s.samples.constLast().value);
        }
        if (m_pending == 0)
            finishRound();
    });
}

void HealthMonitor::failRound(k8s::KubeReply *reply)
{
    ++m_generation; // the round's other answers are not needed
    m_pending = 0;
    const int status = reply->httpStatus();
    if (status == 0) {
        endRound(tr("Cannot reach %1: %2").arg(m_source.describe(), reply->error().message));
    } else if (m_source.kind == PrometheusSource::Kind::ServiceProxy && status == 403) {
        explainForbidden(m_generation);
    } else if (m_source.kind == PrometheusSource::Kind::ServiceProxy && status == 503) {
        const QUrl scrape = announcedScrapeUrl(m_client->endpoint().clusterExtensions);
        if (m_scrapeFallback && m_discovered && !scrape.isEmpty()) {
            // A Service found, not named, with nothing behind it: the metrics page, with the reason said.
            m_note = noEndpointsMessage(m_source);
            useSource(scrapeSource(scrape, tr("the kubeconfig's canarydeck.io/traffic")));
            return;
        }
        endRound(noEndpointsMessage(m_source));
    } else {
        endRound(tr("Cannot reach %1: the API server answered %2: %3")
                         .arg(m_source.describe())
                         .arg(status)
                         .arg(reply->error().message));
    }
}

void HealthMonitor::explainForbidden(int generation)
{
    // Ask the API server what it allows, so the message names exactly the permission that is missing.
    m_resolving = true;
    k8s::KubeReply *reply = send(k8s::accessReviewRequest({ m_source.ns,
                                                            QStringLiteral("get"),
                                                            {},
                                                            QStringLiteral("services"),
                                                            QStringLiteral("proxy"),
                                                            m_source.service }),
                                 tr("access review"));
    connect(reply, &k8s::KubeReply::finished, this, [this, reply, generation] {
        reply->deleteLater();
        if (generation != m_generation)
            return;
        m_resolving = false;
        QString verdict = tr("the API server answered 403 Forbidden");
        if (reply->ok()) {
            const k8s::AccessAnswer answer = k8s::accessReviewAnswer(reply->json());
            verdict = answer.allowed
                    ? tr("a SelfSubjectAccessReview says it is allowed, yet the proxy answered 403")
                    : tr("a SelfSubjectAccessReview says: not allowed%1")
                              .arg(answer.reason.isEmpty() ? QString() : QLatin1String(", ") + answer.reason);
        }
        endRound(proxyForbiddenMessage(m_source, verdict));
    });
}

VersionHealth HealthMonitor::versionBase(int index) const
{
    VersionHealth v;
    v.version = m_release.versions.at(index).name;
    const QList<int> weights = m_release.routeWeights(m_release.defaultRoute);
    v.weight = weights.value(index);
    return v;
}

ReleaseHealth HealthMonitor::healthBase(int windowSeconds) const
{
    ReleaseHealth health;
    health.release = m_release.name;
    health.ns = m_release.ns;
    health.windowSeconds = windowSeconds;
    health.sourceKind = m_source.kindName();
    health.sourceTarget = m_source.target();
    return health;
}

void HealthMonitor::finishRound()
{
    ReleaseHealth health = healthBase(m_thresholds.windowSeconds);
    const QHash<QString, double> lastScrape = m_instant.value(LastScrape);
    const bool hasSeries = !lastScrape.isEmpty();
    m_lastScrapeSeconds = hasSeries ? lastScrape.constBegin().value() : 0;
    for (int i = 0; i < m_release.versions.size(); ++i) {
        VersionHealth v = versionBase(i);
        v.requestsPerSecond = finite(m_instant.value(RequestsPerSecond), v.version);
        v.requests = finite(m_instant.value(Requests), v.version);
        v.successPercent = finite(m_instant.value(SuccessPercent), v.version);
        v.p50Ms = finite(m_instant.value(P50), v.version);
        v.p90Ms = finite(m_instant.value(P90), v.version);
        v.p99Ms = finite(m_instant.value(P99), v.version);
        if (!hasSeries) {
            v.verdict = Verdict::NoTelemetry;
            v.reason = tr("Prometheus has no istio_requests_total series for it");
        }
        health.versions.append(v);
    }
    computeShares(health.versions);
    if (hasSeries)
        judge(health.versions, m_release.stableVersion(), m_thresholds, latencyBounds());
    m_health = health;
    m_series = m_range;
    delete m_scrape; // Prometheus answers: its ranges are the history now
    m_scrape = nullptr;
    m_measuredAt = QDateTime::currentDateTimeUtc();
    Q_EMIT updated();
    endRound(hasSeries ? QString() : noSeriesMessage(m_release.name, m_release.ns, m_mesh.reporter));
}

QList<double> HealthMonitor::latencyBounds() const
{
    QList<double> bounds;
    for (const QString &le : m_instant.value(LatencyBounds).keys()) {
        bool ok = false;
        const double bound = le.toDouble(&ok);
        if (ok && std::isfinite(bound))
            bounds.append(bound);
    }
    std::sort(bounds.begin(), bounds.end());
    return bounds;
}

void HealthMonitor::noL7Telemetry()
{
    ReleaseHealth health = healthBase(m_thresholds.windowSeconds);
    const QString why = tr("namespace %1 runs Istio ambient without a waypoint: ztunnel reports no HTTP "
                           "metrics (no requests, response codes or latency); add a waypoint (istio.io/use-waypoint)")
                                .arg(m_release.ns);
    for (int i = 0; i < m_release.versions.size(); ++i) {
        VersionHealth v = versionBase(i);
        v.verdict = Verdict::NoTelemetry;
        v.reason = why;
        health.versions.append(v);
    }
    health.notes.append(why);
    m_health = health;
    m_series.clear();
    m_measuredAt = QDateTime::currentDateTimeUtc();
    Q_EMIT updated();
    endRound(QString());
}

void HealthMonitor::scrapeUpdated()
{
    if (m_release.versions.isEmpty() || m_scrape->series(m_release.versions.constFirst()).isEmpty())
        return; // the first scrape only sets the counters' baseline
    ReleaseHealth health = healthBase(m_scrape->smoothingSeconds());
    m_series.clear();
    for (int i = 0; i < m_release.versions.size(); ++i) {
        VersionHealth v = versionBase(i);
        const ReleaseVersion &version = m_release.versions.at(i);
        v.requestsPerSecond = m_scrape->latestRate(version);
        v.verdict = Verdict::NoTelemetry;
        v.reason = tr("a metrics page gives request rates only: no success rate or latency without Prometheus");
        m_series[RangeRequests].insert(v.version, m_scrape->series(version));
        health.versions.append(v);
    }
    computeShares(health.versions);
    health.notes.append(tr("Request rates from a metrics page; success rate, latency and verdicts need Prometheus."));
    m_health = health;
    m_measuredAt = QDateTime::currentDateTimeUtc();
    m_lastScrapeSeconds = double(QDateTime::currentMSecsSinceEpoch()) / 1000.0;
    Q_EMIT updated();
    endRound(QString());
}

void HealthMonitor::endRound(const QString &problem)
{
    setProblem(problem);
    Q_EMIT roundFinished();
}

void HealthMonitor::setProblem(const QString &problem)
{
    if (problem == m_problem)
        return;
    m_problem = problem;
    Q_EMIT problemChanged(m_problem);
}

QList<QPointF> HealthMonitor::series(Metric metric, const QString &version) const
{
    return m_series.value(rangeSlotOf(metric)).value(version);
}

QString HealthMonitor::queriesText() const
{
    return m_source.isPrometheus() && m_hasRelease ? m_queries.text() : QString();
}

QString HealthMonitor::stateText() const
{
    QString text = m_source.describe();
    if (!m_source.isValid())
        return m_problem.isEmpty() ? tr("Looking for Prometheus…") : tr("No telemetry source");
    if (m_lastScrapeSeconds > 0) {
        const qint64 ago
                = qMax<qint64>(0, qint64(double(QDateTime::currentMSecsSinceEpoch()) / 1000.0 - m_lastScrapeSeconds));
        text += tr(" · scraped %1 s ago").arg(ago);
    } else if (!m_measuredAt.isValid()) {
        text += tr(" · waiting for the first answer");
    }
    return text;
}

} // namespace canary::core
