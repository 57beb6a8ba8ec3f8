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
    // (ms since epoch, value); a NaN value, or a pause of more than three steps, breaks the line.
    QList<QPointF> points;
};

// A change applied at a moment (from the journal): a dashed line across the chart, its summary on hover.
struct ChartMarker {
    qint64 atMs = 0;
    QString summary;
};

// One measure of each version over the last minutes, against time. Qt Charts stays behind this class.
class TrafficChart final : public QWidget {
    Q_OBJECT
public:
    struct Measure {
        QString title; // "Requests per second"
        QString unit; // "req/s"
        QString labelFormat = QStringLiteral("%.0f");
        double minimumTop = 5; // the value axis reaches at least this
        double ceiling = 0; // and at most this, when positive (100 for percentages)
    };
    explicit TrafficChart(QWidget *parent = nullptr);
    explicit TrafficChart(Measure measure, QWidget *parent = nullptr);

    void setSeries(const QList<ChartSeries> &series, qint64 nowMs, int windowSeconds = 300);
    void setMarkers(const QList<ChartMarker> &markers);
    void setMessage(const QString &message);
    QString title() const;
    int seriesCount() const;
    QList<QPointF> points(const QString &name) const;
    // Pieces of a version's line: more than one when the source paused.
    int segmentCount(const QString &name) const;
    int markerCount() const { return int(m_markerLines.size()); }
    QString markerSummary(int index) const;

    // Charts stacked on one time axis line up their plot areas: each is padded on the left by what
    // its value labels are narrower than the widest of the stack's.
    int valueLabelWidth() const;
    void setLabelPad(int pixels);
    void setLegendVisible(bool visible);
    void setTimeLabelsVisible(bool visible);
    void setFontScale(double scale);
    void setHighContrast(bool on);
    QChart *chart() const { return m_chart; }

protected:
    void resizeEvent(QResizeEvent *event) override;

private:
    void applyMargins();
    void fitTimeTicks();
    void placeMarkers();
    void applyFonts();

    Measure m_measure;
    QChart *m_chart;
    QChartView *m_view;
    QDateTimeAxis *m_time;
    QValueAxis *m_value;
    QHash<QString, QList<QLineSeries *>> m_lines;
    QStringList m_order;
    QList<ChartMarker> m_markers;
    QList<QLineSeries *> m_markerLines;
    int m_labelPad = 0;
    double m_fontScale = 1;
    QFont m_baseTitleFont;
    QFont m_baseLabelFont;
};

} // namespace canary::gui
