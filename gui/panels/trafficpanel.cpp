#include "gui/panels/trafficpanel.h"

#include "core/edit/editsession.h"
#include "core/models/historymodel.h"
#include "core/telemetry/healthmonitor.h"
#include "core/telemetry/releasequeries.h"
#include "gui/widgets/gatesdialog.h"
#include "gui/widgets/healthcharts.h"
#include "gui/widgets/versioncolors.h"

#include <QClipboard>
#include <QDateTime>
#include <QGuiApplication>
#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QTimer>
#include <QVBoxLayout>

namespace canary::gui {

namespace {

double known(const std::optional<double> &value)
{
    return value ? *value : -1;
}

} // namespace

TrafficPanel::TrafficPanel(core::EditSession *edits, core::HealthMonitor *monitor, QWidget *parent)
    : QWidget(parent)
    , m_edits(edits)
    , m_monitor(monitor)
    , m_history(new core::HistoryModel(this))
    , m_charts(new HealthCharts(this))
    , m_source(new QLabel(this))
    , m_tools(new QWidget(this))
    , m_gates(new QLabel(this))
    , m_copy(new QPushButton(tr("Copy PromQL"), m_tools))
    , m_clock(new QTimer(this))
{
    setObjectName(QStringLiteral("trafficPanel"));
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(4);
    auto *top = new QHBoxLayout;
    top->setContentsMargins(0, 0, 0, 0);
    m_source->setObjectName(QStringLiteral("telemetrySource"));
    m_source->setTextFormat(Qt::RichText);
    m_source->setWordWrap(true);
    m_source->setTextInteractionFlags(Qt::TextSelectableByMouse);
    top->addWidget(m_source, 1);
    auto *tools = new QHBoxLayout(m_tools);
    tools->setContentsMargins(0, 0, 0, 0);
    m_copy->setObjectName(QStringLiteral("copyPromqlButton"));
    m_copy->setToolTip(tr("The PromQL behind these figures, to paste into your own Prometheus or Grafana"));
    tools->addWidget(m_copy);
    auto *gates = new QPushButton(tr("&Gates…"), m_tools);
    gates->setObjectName(QStringLiteral("gatesButton"));
    gates->setToolTip(tr("The thresholds a canary is judged by, and the window they look at"));
    tools->addWidget(gates);
    top->addWidget(m_tools, 0, Qt::AlignTop);
    layout->addLayout(top);
    layout->addWidget(m_charts, 1);
    m_gates->setObjectName(QStringLiteral("gatesSummary"));
    m_gates->setWordWrap(true);
    layout->addWidget(m_gates);

    connect(m_copy, &QPushButton::clicked, this, [this] {
        const QString text = m_monitor ? m_monitor->queriesText() : QString();
        QGuiApplication::clipboard()->setText(text);
        Q_EMIT message(tr("The PromQL of %1 is on the clipboard").arg(m_monitor->release().name));
    });
    connect(gates, &QPushButton::clicked, this, &TrafficPanel::editGates);
    connect(m_history, &QAbstractItemModel::modelReset, this, &TrafficPanel::showMarkers);
    connect(m_history, &QAbstractItemModel::rowsInserted, this, &TrafficPanel::showMarkers);
    m_history->setEditSession(edits);
    connect(m_edits, &core::EditSession::changed, this, &TrafficPanel::followRelease);
    m_clock->setInterval(1000); // "scraped 3 s ago" stays true
    connect(m_clock, &QTimer::timeout, this, &TrafficPanel::showSource);
    m_clock->start();
    if (m_monitor) {
        m_monitor->setThresholds(GatesDialog::load());
        connect(m_monitor, &core::HealthMonitor::updated, this, &TrafficPanel::refresh);
        connect(m_monitor, &core::HealthMonitor::problemChanged, this, &TrafficPanel::refresh);
        connect(m_monitor, &core::HealthMonitor::sourceChanged, this, &TrafficPanel::showSource);
    }
    showGates();
    followRelease();
}

QList<QWidget *> TrafficPanel::tools() const
{
    return { m_tools, m_gates };
}

QString TrafficPanel::sourceText() const
{
    return m_source->text();
}

void TrafficPanel::followRelease()
{
    if (!m_monitor)
        return;
    const core::Release *live = m_edits->live();
    if (!live) {
        if (!m_monitor->release().name.isEmpty())
            m_monitor->clearRelease();
        refresh();
        return;
    }
    // New weights: the verdicts are judged by them. Another release: its lines at once, not at the next round.
    if (m_monitor->setRelease(*live))
        refresh();
}

void TrafficPanel::refresh()
{
    const core::Release *r = m_edits->live();
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    showSource();
    if (!m_monitor)
        return;
    const bool ratesOnly = m_monitor->source().kind == core::PrometheusSource::Kind::Scrape;
    m_charts->chart(HealthCharts::Errors)->setVisible(!ratesOnly);
    m_charts->chart(HealthCharts::Latency)->setVisible(!ratesOnly);
    m_charts->chart(HealthCharts::Requests)->setTimeLabelsVisible(ratesOnly);
    m_copy->setEnabled(!m_monitor->queriesText().isEmpty());
    const core::HealthMonitor::Metric metrics[HealthCharts::KindCount]
            = { core::HealthMonitor::Metric::RequestsPerSecond, core::HealthMonitor::Metric::ErrorPercent,
                core::HealthMonitor::Metric::P99Ms };
    QList<ChartSeries> legend;
    for (int kind = 0; kind < HealthCharts::KindCount; ++kind) {
        QList<ChartSeries> series;
        for (int i = 0; r && i < r->versions.size(); ++i) {
            const core::ReleaseVersion &v = r->versions.at(i);
            series.append(ChartSeries { v.name, versionColor(v.name, v.labels, i),
                                        m_monitor->series(metrics[kind], v.name) });
        }
        if (kind == 0)
            legend = series;
        m_charts->setSeries(HealthCharts::Kind(kind), series, now, m_monitor->historySeconds());
    }
    m_charts->setLegend(legend);

    // Stale figures would mislead: none while the source fails.
    const core::ReleaseHealth &health = m_monitor->health();
    QList<VersionReading> shown;
    for (int i = 0; r && m_monitor->hasHealth() && m_monitor->problem().isEmpty() && i < r->versions.size(); ++i) {
        const int at = health.indexOf(r->versions.at(i).name);
        VersionReading reading;
        if (at >= 0) {
            const core::VersionHealth &v = health.versions.at(at);
            reading.observedPercent = known(v.observedPercent);
            reading.successPercent = known(v.successPercent);
            reading.p99Ms = known(v.p99Ms);
            if (!ratesOnly || v.verdict != core::Verdict::NoTelemetry) {
                reading.verdict = core::verdictLabel(v.verdict);
                reading.verdictColor = verdictColor(v.verdict);
                reading.verdictDetail = v.reason;
            }
        }
        shown.append(reading);
    }
    Q_EMIT readings(shown, tr("in the last %1").arg(core::promDuration(health.windowSeconds)));
}

void TrafficPanel::showSource()
{
    if (!m_monitor) {
        m_source->setText(tr("No telemetry"));
        return;
    }
    QString text = m_monitor->stateText().toHtmlEscaped();
    if (!m_monitor->note().isEmpty())
        text += QStringLiteral("<br><span style=\"color:palette(mid)\">%1</span>")
                        .arg(m_monitor->note().toHtmlEscaped());
    if (!m_monitor->problem().isEmpty())
        text += QStringLiteral("<br><span style=\"color:#b3261e;font-weight:600\">%1</span>")
                        .arg(m_monitor->problem().toHtmlEscaped());
    if (m_source->text() != text)
        m_source->setText(text);
}

void TrafficPanel::showMarkers()
{
    QList<ChartMarker> markers;
    for (int row = m_history->rowCount() - 1; row >= 0; --row) { // oldest first
        const QModelIndex time = m_history->index(row, core::HistoryModel::TimeColumn);
        const QDateTime at = time.data(core::HistoryModel::TimeRole).toDateTime();
        if (at.isValid())
            markers.append(ChartMarker { at.toMSecsSinceEpoch(),
                                         m_history->index(row, core::HistoryModel::ChangeColumn).data().toString() });
    }
    m_charts->setMarkers(markers);
}

void TrafficPanel::showGates()
{
    m_gates->setText(m_monitor ? tr("Gates: %1").arg(m_monitor->thresholds().describe()) : QString());
}

void TrafficPanel::editGates()
{
    if (!m_monitor)
        return;
    GatesDialog dialog(m_monitor->thresholds(), this);
    if (dialog.exec() != QDialog::Accepted)
        return;
    GatesDialog::save(dialog.thresholds());
    m_monitor->setThresholds(dialog.thresholds());
    showGates();
}

} // namespace canary::gui
