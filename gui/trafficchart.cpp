#include "gui/trafficchart.h"

#include <QChart>
#include <QChartView>
#include <QDateTime>
#include <QDateTimeAxis>
#include <QLineSeries>
#include <QValueAxis>
#include <QVBoxLayout>

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
    m_chart->setTitle(tr("Requests per second by version — last 5 minutes"));
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

void TrafficChart::setSeries(const QList<ChartSeries> &series, qint64 nowMs, int windowSeconds)
{
    QList<QAbstractSeries *> existing = m_chart->series();
    bool same = existing.size() == series.size();
    for (int i = 0; same && i < series.size(); ++i)
        same = existing.at(i)->name() == series.at(i).name;
    if (!same) {
        m_chart->removeAllSeries();
        for (const ChartSeries &s : series) {
            auto *line = new QLineSeries;
            line->setName(s.name);
            QPen pen(s.color);
            pen.setWidthF(2.5);
            line->setPen(pen);
            m_chart->addSeries(line);
            line->attachAxis(m_time);
            line->attachAxis(m_rate);
        }
        existing = m_chart->series();
    }
    double top = 5;
    for (int i = 0; i < series.size(); ++i) {
        static_cast<QLineSeries *>(existing.at(i))->replace(series.at(i).points);
        for (const QPointF &p : series.at(i).points)
            top = qMax(top, p.y());
    }
    m_time->setRange(QDateTime::fromMSecsSinceEpoch(nowMs - qint64(windowSeconds) * 1000), QDateTime::fromMSecsSinceEpoch(nowMs));
    m_rate->setRange(0, top * 1.1);
    m_rate->applyNiceNumbers();
}

void TrafficChart::setMessage(const QString &message)
{
    m_chart->setTitle(message.isEmpty() ? tr("Requests per second by version — last 5 minutes") : message);
}

int TrafficChart::seriesCount() const
{
    return int(m_chart->series().size());
}

QList<QPointF> TrafficChart::points(const QString &name) const
{
    for (QAbstractSeries *s : m_chart->series()) {
        if (s->name() == name)
            return static_cast<QLineSeries *>(s)->points();
    }
    return {};
}

} // namespace canary::gui
