#include "core/telemetry/prometheus.h"

#include "core/model/release.h"

#include <cmath>
#include <limits>

namespace canary::core {

namespace {

bool isNameStart(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':';
}

bool isNameChar(char c)
{
    return isNameStart(c) || (c >= '0' && c <= '9');
}

bool parseValue(const QByteArray &token, double *out)
{
    if (token == "NaN") {
        *out = std::numeric_limits<double>::quiet_NaN();
        return true;
    }
    if (token == "+Inf" || token == "Inf") {
        *out = std::numeric_limits<double>::infinity();
        return true;
    }
    if (token == "-Inf") {
        *out = -std::numeric_limits<double>::infinity();
        return true;
    }
    bool ok = false;
    *out = token.toDouble(&ok);
    return ok;
}

Error lineError(int line, const QString &what)
{
    return makeError(QStringLiteral("metrics text, line %1: %2").arg(line).arg(what));
}

} // namespace

Result<QList<MetricSample>> parsePrometheusText(const QByteArray &text)
{
    QList<MetricSample> out;
    int lineNo = 0;
    for (const QByteArray &rawLine : text.split('\n')) {
        ++lineNo;
        const QByteArray line = rawLine.trimmed();
        if (line.isEmpty() || line.startsWith('#'))
            continue;
        int i = 0;
        const int n = int(line.size());
        if (!isNameStart(line.at(0)))
            return lineError(lineNo, QStringLiteral("a metric name must start with a letter, '_' or ':'"));
        while (i < n && isNameChar(line.at(i)))
            ++i;
        MetricSample sample;
        sample.name = QString::fromLatin1(line.left(i));
        if (i < n && line.at(i) == '{') {
            ++i;
            for (;;) {
                while (i < n && (line.at(i) == ' ' || line.at(i) == ','))
                    ++i;
                if (i < n && line.at(i) == '}') {
                    ++i;
                    break;
                }
                const int start = i;
                while (i < n && isNameChar(line.at(i)))
                    ++i;
                if (i == start || i >= n || line.at(i) != '=')
                    return lineError(lineNo, QStringLiteral("expected label=\"value\""));
                const QString label = QString::fromLatin1(line.mid(start, i - start));
                ++i;
                if (i >= n || line.at(i) != '"')
                    return lineError(lineNo, QStringLiteral("label %1: value must be quoted").arg(label));
                ++i;
                QByteArray value;
                bool closed = false;
                while (i < n) {
                    const char c = line.at(i++);
                    if (c == '\\' && i < n) {
                        const char e = line.at(i++);
                        value += e == 'n' ? '\n' : e;
                    } else if (c == '"') {
                        closed = true;
                        break;
                    } else {
                        value += c;
                    }
                }
                if (!closed)
                    return lineError(lineNo, QStringLiteral("label %1: unterminated value").arg(label));
                sample.labels.insert(label, QString::fromUtf8(value));
            }
        }
        const QList<QByteArray> rest = line.mid(i).simplified().split(' ');
        if (rest.isEmpty() || rest.at(0).isEmpty() || !parseValue(rest.at(0), &sample.value))
            return lineError(lineNo, QStringLiteral("%1: missing or malformed sample value").arg(sample.name));
        out.append(sample);
    }
    return out;
}

CounterRates::CounterRates(QString metric, QString reporter)
    : m_metric(std::move(metric))
    , m_reporter(std::move(reporter))
{ }

void CounterRates::reset()
{
    m_last.clear();
}

QList<SeriesRate> CounterRates::update(const QList<MetricSample> &samples, qint64 nowMs)
{
    QList<SeriesRate> out;
    QHash<QString, Last> next;
    for (const MetricSample &s : samples) {
        if (s.name != m_metric || std::isnan(s.value))
            continue;
        if (!m_reporter.isEmpty() && s.labels.value(QStringLiteral("reporter")) != m_reporter)
            continue;
        QStringList keyParts;
        for (auto it = s.labels.begin(); it != s.labels.end(); ++it)
            keyParts.append(it.key() + QLatin1Char('=') + it.value());
        keyParts.sort();
        const QString key = keyParts.join(QLatin1Char(','));
        next.insert(key, Last { s.value, nowMs });
        const auto prev = m_last.constFind(key);
        if (prev == m_last.constEnd() || nowMs <= prev->atMs)
            continue;
        const double delta = s.value < prev->value ? s.value : s.value - prev->value;
        out.append(SeriesRate { s.labels, delta * 1000.0 / double(nowMs - prev->atMs) });
    }
    m_last = next; // series that vanished are dropped
    return out;
}

QString versionLabelOf(const ReleaseVersion &version)
{
    // What Istio reports as destination_version / destination_canonical_revision for the pods of a subset.
    for (const char *key : { "version", "service.istio.io/canonical-revision", "app.kubernetes.io/version" }) {
        const QString value = version.labels.value(QLatin1String(key)).toString();
        if (!value.isEmpty())
            return value;
    }
    return {};
}

double versionRate(const ReleaseVersion &version, const QList<SeriesRate> &rates)
{
    const QString service = version.service.isEmpty() ? version.host : version.service;
    const QString label = versionLabelOf(version);
    double sum = 0;
    for (const SeriesRate &r : rates) {
        if (r.labels.value(QStringLiteral("destination_service_name")) != service)
            continue;
        if (!version.subset.isEmpty()) {
            if (!label.isEmpty()) {
                // By the version label: pods of a StatefulSet or bare pods are counted as well as a Deployment's.
                QString reported = r.labels.value(QStringLiteral("destination_version"));
                if (reported.isEmpty() || reported == QLatin1String("unknown"))
                    reported = r.labels.value(QStringLiteral("destination_canonical_revision"));
                if (reported != label)
                    continue;
            } else if (!version.workloads.contains(r.labels.value(QStringLiteral("destination_workload")))) {
                // Subsets that select on other labels (seed 000's `color`): only the workloads tell them apart.
                continue;
            }
        }
        sum += r.perSecond;
    }
    return sum;
}

} // namespace canary::core
