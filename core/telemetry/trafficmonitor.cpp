#include "core/telemetry/trafficmonitor.h"

#include "core/model/release.h"
#include "k8s/kubeclient.h"
#include "k8s/kubereply.h"

#include <QDateTime>
#include <QTimer>

namespace canary::core {

TrafficMonitor::TrafficMonitor(k8s::KubeClient *client, QObject *parent)
    : QObject(parent)
    , m_client(client)
    , m_timer(new QTimer(this))
{
    m_timer->setInterval(1000);
    connect(m_timer, &QTimer::timeout, this, &TrafficMonitor::scrape);
}

TrafficMonitor::~TrafficMonitor()
{
    delete m_reply.data(); // the client owns it and would keep it until it finishes
}

void TrafficMonitor::setClient(k8s::KubeClient *client)
{
    if (client == m_client)
        return;
    if (m_reply)
        m_reply->deleteLater(); // an answer from the other cluster's client is not ours
    m_reply = nullptr;
    m_client = client;
}

k8s::KubeClient *TrafficMonitor::client() const
{
    return m_client;
}

void TrafficMonitor::setSource(const QUrl &metricsUrl, History history)
{
    m_url = metricsUrl;
    delete m_reply.data(); // its answer is the old source's
    if (history == History::Clear)
        m_points.clear();
    m_rates.reset();
    m_seeded = false;
    if (m_url.isValid()) {
        scrape();
        m_timer->start();
    } else {
        m_timer->stop();
    }
}

void TrafficMonitor::setInterval(int ms)
{
    m_timer->setInterval(ms);
}

void TrafficMonitor::scrape()
{
    if (m_reply || !m_url.isValid() || !m_client)
        return;
    k8s::KubeRequest request = k8s::KubeRequest::getUrl(m_url);
    request.accept = "text/plain;version=0.0.4;q=0.9,*/*;q=0.1";
    request.timeoutMs = 5000;
    const QString where = m_url.toString(QUrl::RemoveUserInfo);
    k8s::KubeReply *reply = m_client->send(request, where);
    m_reply = reply;
    connect(reply, &k8s::KubeReply::finished, this, [this, reply, where] {
        reply->deleteLater();
        if (reply != m_reply)
            return;
        m_reply = nullptr;
        const qint64 now = QDateTime::currentMSecsSinceEpoch();
        if (!reply->ok()) {
            m_lastError = tr("Cannot read metrics: %1").arg(reply->error().message);
            Q_EMIT failed(m_lastError);
            return;
        }
        const Result<QList<MetricSample>> samples = parsePrometheusText(reply->body());
        if (!samples) {
            m_lastError = tr("Metrics from %1 are not Prometheus text: %2").arg(where, samples.error().message);
            Q_EMIT failed(m_lastError);
            return;
        }
        m_lastError.clear();
        const QList<SeriesRate> rates = m_rates.update(*samples, now);
        if (!m_seeded) {
            m_seeded = true; // the first scrape only sets the baseline
        } else {
            m_points.push_back(Point { now, rates });
        }
        while (!m_points.empty() && m_points.front().atMs < now - m_windowMs)
            m_points.pop_front();
        Q_EMIT updated();
    });
}

QList<QPointF> TrafficMonitor::series(const ReleaseVersion &version) const
{
    // Like rate(...[10s]): each point is the mean rate over the window that ends there.
    QList<QPointF> out;
    std::deque<std::pair<qint64, double>> window;
    double sum = 0;
    for (const Point &p : m_points) {
        const double rate = versionRate(version, p.rates);
        window.emplace_back(p.atMs, rate);
        sum += rate;
        while (window.front().first <= p.atMs - m_smoothingMs) {
            sum -= window.front().second;
            window.pop_front();
        }
        out.append(QPointF(double(p.atMs), sum / double(window.size())));
    }
    return out;
}

double TrafficMonitor::latestRate(const ReleaseVersion &version) const
{
    const QList<QPointF> points = series(version);
    return points.isEmpty() ? 0.0 : points.constLast().y();
}

} // namespace canary::core
