#include "gui/widgets/healthcharts.h"

#include <QLabel>
#include <QVBoxLayout>

namespace canary::gui {

HealthCharts::HealthCharts(QWidget *parent)
    : QWidget(parent)
    , m_legend(new QLabel(this))
{
    setObjectName(QStringLiteral("healthCharts"));
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(0);
    m_legend->setObjectName(QStringLiteral("healthLegend"));
    m_legend->setTextFormat(Qt::RichText);
    m_legend->setAlignment(Qt::AlignCenter);
    layout->addWidget(m_legend);
    const TrafficChart::Measure measures[KindCount] = {
        { tr("Requests per second"), tr("req/s"), QStringLiteral("%.0f"), 5, 0 },
        { tr("Errors (5xx)"), tr("%"), QStringLiteral("%.0f"), 5, 100 },
        { tr("Latency p99"), tr("ms"), QStringLiteral("%.0f"), 10, 0 },
    };
    const char *names[KindCount] = { "requestsChart", "errorsChart", "latencyChart" };
    for (int kind = 0; kind < KindCount; ++kind) {
        m_charts[kind] = new TrafficChart(measures[kind], this);
        m_charts[kind]->setObjectName(QLatin1String(names[kind]));
        m_charts[kind]->setLegendVisible(false);
        m_charts[kind]->setTimeLabelsVisible(kind == KindCount - 1); // one time axis, under the last
        m_charts[kind]->setMinimumHeight(kind == KindCount - 1 ? 84 : 64); // a 540-pixel screen holds the window
        layout->addWidget(m_charts[kind], kind == KindCount - 1 ? 6 : 5);
    }
}

void HealthCharts::setLegend(const QList<ChartSeries> &versions)
{
    QStringList parts;
    for (const ChartSeries &v : versions)
        parts.append(QStringLiteral("<span style=\"color:%1\">&#9632;</span>&nbsp;%2")
                             .arg(v.color.name(), v.name.toHtmlEscaped()));
    m_legend->setText(parts.join(QLatin1String("&nbsp;&nbsp;&nbsp;")));
}

QString HealthCharts::legendText() const
{
    return m_legend->text();
}

void HealthCharts::setSeries(Kind kind, const QList<ChartSeries> &series, qint64 nowMs, int windowSeconds)
{
    m_charts[kind]->setSeries(series, nowMs, windowSeconds);
    align();
}

void HealthCharts::setMarkers(const QList<ChartMarker> &markers)
{
    for (TrafficChart *chart : m_charts)
        chart->setMarkers(markers);
}

void HealthCharts::align()
{
    int widest = 0;
    for (const TrafficChart *chart : m_charts)
        widest = qMax(widest, chart->valueLabelWidth());
    for (TrafficChart *chart : m_charts)
        chart->setLabelPad(widest - chart->valueLabelWidth());
}

void HealthCharts::setFontScale(double scale)
{
    for (TrafficChart *chart : m_charts)
        chart->setFontScale(scale);
    QFont f = font();
    f.setBold(true);
    m_legend->setFont(f);
    align();
}

void HealthCharts::setHighContrast(bool on)
{
    for (TrafficChart *chart : m_charts)
        chart->setHighContrast(on);
}

} // namespace canary::gui
