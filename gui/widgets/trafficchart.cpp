#include "gui/widgets/trafficchart.h"

#include <QChart>
#include <QChartView>
#include <QDateTime>
#include <QDateTimeAxis>
#include <QLegendMarker>
#include <QLineSeries>
#include <QVBoxLayout>
#include <QValueAxis>

#include <algorithm>

namespace canary::gui {

TrafficChart::TrafficChart(QWidget *parent)
    : QWidget(parent)
    , m_chart(new QChart)
    , m_view(new QChartView(m_chart, this))
    , m_time(new QDateTimeAxis(this))
    , m_rate(new QValueAxis(this))
{
    m_view->setObjectName(QStringLiteral("trafficChartView"));
    m_view->setRenderHint(QPainter::Antialiasing);
    m_chart->setTitle(tr("Requests per second"));
    QFont titleFont = m_chart->titleFont();
    titleFont.setPointSizeF(titleFont.pointSizeF() * 1.2);
    titleFont.setBold(true);
    m_chart->setTitleFont(titleFont);
    m_chart->legend()->setAlignment(Qt::AlignBottom);
    m_chart->setMargins(QMargins(6, 6, 6, 6));
    m_chart->setBackgroundRoundness(6);
    m_time->setFormat(QStringLiteral("HH:mm:ss"));
    m_time->setTickCount(6);
    m_rate->setLabelFormat(QStringLiteral("%.0f"));
    m_rate->setTitleText(tr("req/s"));
    m_rate->setMin(0);
    m_chart->addAxis(m_time, Qt::AlignBottom);
    m_chart->addAxis(m_rate, Qt::AlignLeft);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_view);
}

namespace {

// A pause of the source (the cluster went away) is a gap: the points either side of it are not joined.
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
    for (qsizetype i = 0; i < points.size(); ++i) {
        if (out.isEmpty() || (i > 0 && points.at(i).x() - points.at(i - 1).x() > gap))
            out.append(QList<QPointF>());
        out.last().append(points.at(i));
    }
    return out;
}

} // namespace

void TrafficChart::setSeries(const QList<ChartSeries> &series, qint64 nowMs, int windowSeconds)
{
    double top = 5;
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
            line->attachAxis(m_rate);
            // One legend entry per version, however many pieces its line is in.
            if (!lines.isEmpty())
                m_chart->legend()->markers(line).constFirst()->setVisible(false);
            lines.append(line);
        }
        for (qsizetype i = 0; i < lines.size(); ++i) {
            QPen pen(s.color);
            pen.setWidthF(2.5);
            lines.at(i)->setPen(pen);
            lines.at(i)->replace(parts.value(i));
        }
        for (const QPointF &p : s.points)
            top = qMax(top, p.y());
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
    m_rate->setRange(0, top * 1.1);
    m_rate->applyNiceNumbers();
}

void TrafficChart::setMessage(const QString &message)
{
    m_chart->setTitle(message.isEmpty() ? tr("Requests per second") : message);
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

} // namespace canary::gui
