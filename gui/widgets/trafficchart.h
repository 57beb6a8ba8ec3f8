#pragma once

#include <QColor>
#include <QHash>
#include <QList>
#include <QPointF>
#include <QWidget>

class QChart;
class QChartView;
class QDateTimeAxis;
class QLineSeries;
class QValueAxis;

namespace canary::gui {

struct ChartSeries {
    QString name;
    QColor color;
    QList<QPointF> points; // (ms since epoch, requests per second)
};

// Requests per second by version over the last minutes. Qt Charts stays behind this class.
class TrafficChart final : public QWidget {
    Q_OBJECT
public:
    explicit TrafficChart(QWidget *parent = nullptr);

    void setSeries(const QList<ChartSeries> &series, qint64 nowMs, int windowSeconds = 300);
    void setMessage(const QString &message);
    int seriesCount() const;
    QList<QPointF> points(const QString &name) const;
    // Pieces of a version's line: more than one when the source paused.
    int segmentCount(const QString &name) const;

private:
    QChart *m_chart;
    QChartView *m_view;
    QDateTimeAxis *m_time;
    QValueAxis *m_rate;
    QHash<QString, QList<QLineSeries *>> m_lines;
    QStringList m_order;
};

} // namespace canary::gui
