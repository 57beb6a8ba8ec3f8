#include "demo/meshmetrics.h"

namespace canary::demo {

namespace {

QString escapeLabel(QString value)
{
    return value.replace(QLatin1Char('\\'), QLatin1String("\\\\"))
            .replace(QLatin1Char('"'), QLatin1String("\\\""))
            .replace(QLatin1Char('\n'), QLatin1String("\\n"));
}

QString number(double v)
{
    return QString::number(v, 'g', 15);
}

} // namespace

MeshMetrics::MeshMetrics()
    : m_bounds { 0.5,  1,    5,     10,    25,    50,     100,    250,     500,    1000,
                 2500, 5000, 10000, 30000, 60000, 300000, 600000, 1800000, 3600000 }
{ }

void MeshMetrics::record(const RequestRecord &r)
{
    const QString labels
            = QStringLiteral("reporter=\"destination\",source_workload=\"%1\",source_workload_namespace=\"%2\","
                             "destination_service=\"%3\",destination_service_name=\"%4\","
                             "destination_service_namespace=\"%5\",destination_version=\"%6\","
                             "destination_workload=\"%7\",destination_workload_namespace=\"%5\","
                             "request_protocol=\"http\",response_code=\"%8\",response_flags=\"%9\"")
                      .arg(escapeLabel(r.sourceWorkload),
                           r.sourceWorkload == QLatin1String("istio-ingressgateway") ? QStringLiteral("istio-system")
                                                                                     : QStringLiteral("default"),
                           escapeLabel(r.destinationService), escapeLabel(r.destinationServiceName),
                           escapeLabel(r.destinationServiceNamespace), escapeLabel(r.destinationVersion),
                           escapeLabel(r.destinationWorkload), QString::number(r.responseCode),
                           escapeLabel(r.responseFlags));
    std::lock_guard lock(m_mutex);
    Series &s = m_series[labels];
    if (s.buckets.empty())
        s.buckets.assign(m_bounds.size(), 0);
    s.count += 1;
    s.sum += r.durationMs;
    for (size_t i = 0; i < m_bounds.size(); ++i) {
        if (r.durationMs <= m_bounds[i])
            s.buckets[i] += 1;
    }
    ++m_total;
}

quint64 MeshMetrics::total() const
{
    std::lock_guard lock(m_mutex);
    return m_total;
}

QByteArray MeshMetrics::exposition() const
{
    std::lock_guard lock(m_mutex);
    QString out;
    out += QLatin1String("# HELP istio_requests_total Total requests.\n# TYPE istio_requests_total counter\n");
    for (const auto &[labels, s] : m_series)
        out += QStringLiteral("istio_requests_total{%1} %2\n").arg(labels, number(s.count));
    out += QLatin1String("# HELP istio_request_duration_milliseconds Request duration.\n"
                         "# TYPE istio_request_duration_milliseconds histogram\n");
    for (const auto &[labels, s] : m_series) {
        for (size_t i = 0; i < m_bounds.size(); ++i)
            out += QStringLiteral("istio_request_duration_milliseconds_bucket{%1,le=\"%2\"} %3\n")
                           .arg(labels, number(m_bounds[i]), number(s.buckets[i]));
        out += QStringLiteral("istio_request_duration_milliseconds_bucket{%1,le=\"+Inf\"} %2\n")
                       .arg(labels, number(s.count));
        out += QStringLiteral("istio_request_duration_milliseconds_sum{%1} %2\n").arg(labels, number(s.sum));
        out += QStringLiteral("istio_request_duration_milliseconds_count{%1} %2\n").arg(labels, number(s.count));
    }
    return out.toUtf8();
}

} // namespace canary::demo
