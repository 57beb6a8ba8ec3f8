#include "gui/panels/trafficpanel.h"

#include "core/edit/editsession.h"
#include "core/telemetry/trafficmonitor.h"
#include "gui/widgets/trafficchart.h"
#include "gui/widgets/versioncolors.h"

#include <QDateTime>
#include <QVBoxLayout>

namespace canary::gui {

TrafficPanel::TrafficPanel(core::EditSession *edits, core::TrafficMonitor *monitor, QWidget *parent)
    : QWidget(parent)
    , m_edits(edits)
    , m_monitor(monitor)
    , m_chart(new TrafficChart(this))
{
    setObjectName(QStringLiteral("trafficPanel"));
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    m_chart->setObjectName(QStringLiteral("trafficChart"));
    m_chart->setMinimumHeight(180);
    layout->addWidget(m_chart);
    if (m_monitor) {
        connect(m_monitor, &core::TrafficMonitor::updated, this, &TrafficPanel::refresh);
        connect(m_monitor, &core::TrafficMonitor::failed, this, [this](const QString &message) {
            Q_EMIT statusChanged(message);
            refresh(); // the time axis moves on: the outage shows as a gap
        });
    }
    connect(m_edits, &core::EditSession::changed, this, [this] {
        if (m_edits->releaseName() != m_shownFor) { // a new release: its lines at once, not at the next scrape
            m_shownFor = m_edits->releaseName();
            refresh();
        }
    });
    Q_EMIT statusChanged(m_monitor && m_monitor->source().isValid()
                                 ? tr("Traffic from %1").arg(m_monitor->source().toString())
                                 : tr("No traffic source: start with --metrics-url URL"));
}

void TrafficPanel::refresh()
{
    const core::Release *r = m_edits->live();
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    if (!r || !m_monitor) {
        m_chart->setSeries({}, now);
        Q_EMIT readings({}, QString());
        return;
    }
    QList<ChartSeries> series;
    QList<double> latest;
    double total = 0;
    for (int i = 0; i < r->versions.size(); ++i) {
        const core::ReleaseVersion &v = r->versions.at(i);
        series.append(ChartSeries { v.name, versionColor(v.name, v.labels, i), m_monitor->series(v) });
        latest.append(m_monitor->latestRate(v));
        total += latest.constLast();
    }
    QList<VersionReading> shares;
    for (double l : std::as_const(latest)) {
        VersionReading reading;
        reading.observedPercent = total > 0 && m_monitor->lastError().isEmpty() ? 100.0 * l / total : -1;
        shares.append(reading);
    }
    Q_EMIT readings(shares, tr("in the last %1 s").arg(m_monitor->smoothingSeconds()));
    m_chart->setSeries(series, now);
    if (m_monitor->lastError().isEmpty())
        Q_EMIT statusChanged(tr("Traffic from %1 · %2 req/s for %3")
                                     .arg(m_monitor->source().toString())
                                     .arg(total, 0, 'f', 1)
                                     .arg(r->name));
}

} // namespace canary::gui
