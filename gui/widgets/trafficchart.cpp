#include "gui/widgets/trafficchart.h"

#include <QChart>
#include <QChartView>
#include <QDateTime>
#include <QDateTimeAxis>
#include <QLegendMarker>
#include <QLineSeries>
#include <QToolTip>
#include <QVBoxLayout>
#include <QValueAxis>

#include <algorithm>
#include <cmath>

namespace canary::gui {

TrafficChart::TrafficChart(QWidget *parent)
    : TrafficChart(Measure { tr("Requests per second"), tr("req/s") }, parent)
{ }

TrafficChart::TrafficChart(Measure measure, QWidget *parent)
    : QWidget(parent)
    , m_measure(std::move(measure))
    , m_chart(new QChart)
    , m_view(new QChartView(m_chart, this))
    , m_time(new QDateTimeAxis(this))
    , m_value(new QValueAxis(this))
{
    m_view->setObjectName(QStringLiteral("trafficChartView"));
    m_view->setRenderHint(QPainter::Antialiasing);
    m_chart->setTitle(m_measure.title);
    QFont titleFont = m_chart->titleFont();
    titleFont.setPointSizeF(titleFont.pointSizeF() * 1.1);
    titleFont.setBold(true);
    m_baseTitleFont = titleFont;
    m_baseLabelFont = m_value->labelsFont();
    m_chart->setTitleFont(titleFont);
    // Stacked charts share one legend (the stack's); a chart alone shows its own.
    m_chart->legend()->setAlignment(Qt::AlignBottom);
    m_chart->setMargins(QMargins(6, 2, 6, 2));
    m_chart->setBackgroundRoundness(6);
    m_time->setFormat(QStringLiteral("HH:mm:ss"));
    m_time->setTickCount(6);
    m_value->setLabelFormat(m_measure.labelFormat);
    m_value->setTitleText(m_measure.unit);
    m_value->setMin(0);
    m_chart->addAxis(m_time, Qt::AlignBottom);
    m_chart->addAxis(m_value, Qt::AlignLeft);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_view);
}

namespace {

// A pause of the source (the cluster went away) or a missing sample is a gap: the points either side
// of it are not joined.
QList<QList<QPointF>> segments(const QList<QPointF> &points)
{
    QList<qreal> steps;
    for (qsizetype i = 1; i < points.size(); ++i)
        steps.append(points.at(i).x() - points.at(i - 1).x());
    qreal typical = 1000;
    if (!steps.isEmpty()) {
        QList<qreal> sorted = steps;
        std::sort(sorted.begin(), sorted.end());
        typical = sorted.at(sorted.size() / 2);
    }
    const qreal gap = qMax<qreal>(3000, 3 * typical);
    QList<QList<QPointF>> out;
    bool broken = true;
    for (qsizetype i = 0; i < points.size(); ++i) {
        const QPointF &p = points.at(i);
        if (!std::isfinite(p.y())) {
            broken = true;
            continue;
        }
        if (broken || (i > 0 && p.x() - points.at(i - 1).x() > gap))
            out.append(QList<QPointF>());
        broken = false;
        out.last().append(p);
    }
    return out;
}

} // namespace

void TrafficChart::setSeries(const QList<ChartSeries> &series, qint64 nowMs, int windowSeconds)
{
    double top = m_measure.minimumTop;
    QStringList names;
    for (const ChartSeries &s : series) {
        names.append(s.name);
        const QList<QList<QPointF>> parts = segments(s.points);
        QList<QLineSeries *> &lines = m_lines[s.name];
        while (lines.size() < qMax<qsizetype>(1, parts.size())) {
            auto *line = new QLineSeries;
            line->setName(s.name);
            m_chart->addSeries(line);
            line->attachAxis(m_time);
            line->attachAxis(m_value);
            // One legend entry per version, however many pieces its line is in.
            if (!lines.isEmpty())
                m_chart->legend()->markers(line).constFirst()->setVisible(false);
            lines.append(line);
        }
        for (qsizetype i = 0; i < lines.size(); ++i) {
            QPen pen(s.color);
            pen.setWidthF(2.5 * m_fontScale);
            lines.at(i)->setPen(pen);
            lines.at(i)->replace(parts.value(i));
        }
        for (const QPointF &p : s.points) {
            if (std::isfinite(p.y()))
                top = qMax(top, p.y());
        }
    }
    for (auto it = m_lines.begin(); it != m_lines.end();) {
        if (names.contains(it.key())) {
            ++it;
            continue;
        }
        for (QLineSeries *line : std::as_const(it.value())) {
            m_chart->removeSeries(line);
            delete line;
        }
        it = m_lines.erase(it);
    }
    m_order = names;
    m_time->setRange(QDateTime::fromMSecsSinceEpoch(nowMs - qint64(windowSeconds) * 1000),
                     QDateTime::fromMSecsSinceEpoch(nowMs));
    top *= 1.1;
    if (m_measure.ceiling > 0)
        top = qMin(top, m_measure.ceiling);
    m_value->setRange(0, top);
    m_value->applyNiceNumbers();
    placeMarkers();
}

void TrafficChart::setMarkers(const QList<ChartMarker> &markers)
{
    m_markers = markers;
    while (m_markerLines.size() > m_markers.size()) {
        QLineSeries *line = m_markerLines.takeLast();
        m_chart->removeSeries(line);
        delete line;
    }
    while (m_markerLines.size() < m_markers.size()) {
        auto *line = new QLineSeries;
        m_chart->addSeries(line);
        line->attachAxis(m_time);
        line->attachAxis(m_value);
        m_chart->legend()->markers(line).constFirst()->setVisible(false);
        QPen pen(QColor(0x55, 0x55, 0x55));
        pen.setStyle(Qt::DashLine);
        pen.setWidthF(1.5);
        line->setPen(pen);
        const int index = int(m_markerLines.size());
        connect(line, &QLineSeries::hovered, this, [this, index](const QPointF &, bool state) {
            if (state && index < m_markers.size())
                QToolTip::showText(QCursor::pos(), markerSummary(index), this);
            else
                QToolTip::hideText();
        });
        m_markerLines.append(line);
    }
    placeMarkers();
}

void TrafficChart::placeMarkers()
{
    for (qsizetype i = 0; i < m_markerLines.size(); ++i) {
        const qreal x = qreal(m_markers.at(i).atMs);
        m_markerLines.at(i)->replace({ QPointF(x, m_value->min()), QPointF(x, m_value->max()) });
    }
}

QString TrafficChart::markerSummary(int index) const
{
    if (index < 0 || index >= m_markers.size())
        return {};
    const ChartMarker &m = m_markers.at(index);
    return tr("%1 · %2").arg(QDateTime::fromMSecsSinceEpoch(m.atMs).toString(QStringLiteral("HH:mm:ss")), m.summary);
}

void TrafficChart::setMessage(const QString &message)
{
    m_chart->setTitle(message.isEmpty() ? m_measure.title : message);
}

QString TrafficChart::title() const
{
    return m_chart->title();
}

int TrafficChart::seriesCount() const
{
    return int(m_lines.size());
}

int TrafficChart::segmentCount(const QString &name) const
{
    int n = 0;
    for (const QLineSeries *line : m_lines.value(name))
        n += line->count() > 0 ? 1 : 0;
    return n;
}

QList<QPointF> TrafficChart::points(const QString &name) const
{
    QList<QPointF> out;
    for (const QLineSeries *line : m_lines.value(name))
        out.append(line->points());
    return out;
}

int TrafficChart::valueLabelWidth() const
{
    // The labels the axis draws: its tick values in its format.
    const QFontMetrics fm(m_value->labelsFont());
    int widest = 0;
    const int ticks = qMax(2, m_value->tickCount());
    for (int i = 0; i < ticks; ++i) {
        const double v = m_value->min() + (m_value->max() - m_value->min()) * i / (ticks - 1);
        widest = qMax(widest, fm.horizontalAdvance(QString::asprintf(qPrintable(m_measure.labelFormat), v)));
    }
    return widest;
}

void TrafficChart::setLabelPad(int pixels)
{
    if (pixels == m_labelPad)
        return;
    m_labelPad = pixels;
    applyMargins();
}

void TrafficChart::applyMargins()
{
    // The last time label is centred on the plot's right edge and overhangs it by half its width: a
    // chart without time labels keeps that room too, so the plot areas of a stack end alike.
    const int overhang = m_time->labelsVisible()
            ? 0
            : QFontMetrics(m_time->labelsFont()).horizontalAdvance(QStringLiteral("00:00:00")) / 2;
    m_chart->setMargins(QMargins(6 + m_labelPad, 2, 6 + overhang, 2));
}

void TrafficChart::setLegendVisible(bool visible)
{
    m_chart->legend()->setVisible(visible);
}

void TrafficChart::setTimeLabelsVisible(bool visible)
{
    m_time->setLabelsVisible(visible);
    applyMargins();
}

void TrafficChart::setFontScale(double scale)
{
    m_fontScale = scale;
    applyFonts();
}

void TrafficChart::applyFonts()
{
    QFont title = m_baseTitleFont;
    title.setPointSizeF(m_baseTitleFont.pointSizeF() * m_fontScale);
    m_chart->setTitleFont(title);
    QFont labels = m_baseLabelFont;
    labels.setPointSizeF(m_baseLabelFont.pointSizeF() * m_fontScale);
    m_value->setLabelsFont(labels);
    m_time->setLabelsFont(labels);
    m_value->setTitleFont(labels);
    m_chart->legend()->setFont(labels);
    applyMargins();
    fitTimeTicks();
}

void TrafficChart::resizeEvent(QResizeEvent *event)
{
    QWidget::resizeEvent(event);
    fitTimeTicks();
}

void TrafficChart::fitTimeTicks()
{
    // As many time labels as fit side by side with room between them: never elided to "06:1…".
    const int label = QFontMetrics(m_time->labelsFont()).horizontalAdvance(QStringLiteral("00:00:00")) * 3 / 2;
    const int plot = width() - valueLabelWidth() - m_labelPad - 40;
    m_time->setTickCount(qBound(2, plot / qMax(1, label) + 1, 6));
}

void TrafficChart::setHighContrast(bool on)
{
    // A washed-out projector keeps black on white and strong grid lines.
    m_chart->setBackgroundBrush(QBrush(Qt::white));
    const QColor ink = on ? QColor(Qt::black) : QColor(0x33, 0x33, 0x33);
    m_chart->setTitleBrush(ink);
    for (QAbstractAxis *axis : { static_cast<QAbstractAxis *>(m_time), static_cast<QAbstractAxis *>(m_value) }) {
        axis->setLabelsColor(ink);
        axis->setTitleBrush(ink);
        QPen grid = axis->gridLinePen();
        grid.setColor(on ? QColor(0x99, 0x99, 0x99) : QColor(0xdd, 0xdd, 0xdd));
        axis->setGridLinePen(grid);
    }
    m_chart->legend()->setLabelColor(ink);
}

} // namespace canary::gui
