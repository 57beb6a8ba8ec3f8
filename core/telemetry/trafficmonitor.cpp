#include "core/telemetry/trafficmonitor.h"

#include "core/model/release.h"

#include <QDateTime>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QTimer>

namespace canary::core {

TrafficMonitor::TrafficMonitor(QObject *parent)
    : QObject(parent)
    , m_network(new QNetworkAccessManager(this))
    , m_timer(new QTimer(this))
{
    m_timer->setInterval(1000);
    connect(m_timer, &QTimer::timeout, this, &TrafficMonitor::scrape);
}

void TrafficMonitor::setSource(const QUrl &metricsUrl)
{
    m_url = metricsUrl;
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
    if (m_inFlight || !m_url.isValid())
        return;
    m_inFlight = true;
    QNetworkRequest request(m_url);
    request.setTransferTimeout(5000);
    QNetworkReply *reply = m_network->get(request);
    connect(reply, &QNetworkReply::finished, this, [this, reply] {
        reply->deleteLater();
        m_inFlight = false;
        const qint64 now = QDateTime::currentMSecsSinceEpoch();
        if (reply->error() != QNetworkReply::NoError) {
            m_lastError = tr("Cannot read metrics from %1: %2").arg(m_url.toString(), reply->errorString());
            Q_EMIT failed(m_lastError);
            return;
        }
        const Result<QList<MetricSample>> samples = parsePrometheusText(reply->readAll());
        if (!samples) {
            m_lastError = tr("Metrics from %1 are not Prometheus text: %2").arg(m_url.toString(), samples.error().message);
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
