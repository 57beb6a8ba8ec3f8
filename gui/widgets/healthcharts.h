#pragma once

#include "gui/widgets/trafficchart.h"

#include <QWidget>

class QLabel;

namespace canary::gui {

// Requests per second, error % and p99 latency of each version, stacked on one time axis: the plot
// areas line up, so a moment is at the same x in all three, and every applied change is a marker
// across them.
class HealthCharts final : public QWidget {
    Q_OBJECT
public:
    enum Kind { Requests, Errors, Latency, KindCount };
    explicit HealthCharts(QWidget *parent = nullptr);

    TrafficChart *chart(Kind kind) const { return m_charts[kind]; }
    // The versions, in their colours, once for the three charts.
    void setLegend(const QList<ChartSeries> &versions);
    void setSeries(Kind kind, const QList<ChartSeries> &series, qint64 nowMs, int windowSeconds);
    void setMarkers(const QList<ChartMarker> &markers);
    void setFontScale(double scale);
    void setHighContrast(bool on);
    QString legendText() const;
    // Room for three readable charts: the column gives them the larger part.
    QSize sizeHint() const override { return QSize(420, 480); }

private:
    void align();

    TrafficChart *m_charts[KindCount];
    QLabel *m_legend;
};

} // namespace canary::gui
