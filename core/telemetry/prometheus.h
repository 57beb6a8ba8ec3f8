#pragma once

#include "k8s/result.h"

#include <QHash>
#include <QList>
#include <QString>

namespace canary::core {

struct ReleaseVersion;

struct MetricSample {
    QString name;
    QHash<QString, QString> labels;
    double value = 0;
};

// Prometheus text exposition format (version 0.0.4), as Envoy, pilot-agent and the demo serve it.
Result<QList<MetricSample>> parsePrometheusText(const QByteArray &text);

struct SeriesRate {
    QHash<QString, QString> labels;
    double perSecond = 0;
};

// Client-side rate() over successive scrapes of a counter: a value lower than the last one is a
// counter reset (the process restarted), so the new value itself is the increase.
class CounterRates final {
public:
    explicit CounterRates(QString metric = QStringLiteral("istio_requests_total"),
                          QString reporter = QStringLiteral("destination"));
    QList<SeriesRate> update(const QList<MetricSample> &samples, qint64 nowMs);
    void reset();

private:
    struct Last {
        double value;
        qint64 atMs;
    };
    QString m_metric;
    QString m_reporter;
    QHash<QString, Last> m_last;
};

// Requests per second reaching one version of a release. A subset is not a metric label (seed 000
// selects on `color`), so such a subset is matched through the workloads its labels select; one that
// selects on a version label is matched by the version the metric reports.
double versionRate(const ReleaseVersion &version, const QList<SeriesRate> &rates);
// The value of the version label a subset selects on (`version`, or the canonical revision), if any.
QString versionLabelOf(const ReleaseVersion &version);

} // namespace canary::core
