#include "core/telemetry/releasequeries.h"

#include "core/model/release.h"

#include <QJsonObject>
#include <QRegularExpression>

#include <functional>

namespace canary::core {

namespace {

const QLatin1String kRequests("istio_requests_total");
const QLatin1String kDuration("istio_request_duration_milliseconds_bucket");

QString serviceOf(const ReleaseVersion &version)
{
    if (!version.service.isEmpty())
        return version.service;
    return version.host.section(QLatin1Char('.'), 0, 0);
}

// One expression per version, each labelled with its name, joined with `or`.
QString perVersion(const Release &release, const MeshMode &mesh,
                   const std::function<QString(const QString &selector)> &expression)
{
    QStringList parts;
    for (const ReleaseVersion &v : release.versions)
        parts.append(QStringLiteral("label_replace(%1, \"canary_version\", %2, \"\", \"\")")
                             .arg(expression(versionSelector(release, v, mesh)), promQuote(v.name)));
    return parts.join(QLatin1String("\n  or "));
}

} // namespace

MeshMode meshModeOf(const QJsonObject &ns)
{
    const QJsonObject labels = ns.value(QLatin1String("metadata")).toObject().value(QLatin1String("labels")).toObject();
    MeshMode mode;
    mode.ambient = labels.value(QLatin1String("istio.io/dataplane-mode")).toString() == QLatin1String("ambient");
    const QString waypoint = labels.value(QLatin1String("istio.io/use-waypoint")).toString();
    mode.waypoint = mode.ambient && !waypoint.isEmpty() && waypoint != QLatin1String("none");
    if (mode.waypoint)
        mode.reporter = QStringLiteral("waypoint");
    return mode;
}

QString promDuration(int seconds)
{
    if (seconds <= 0)
        seconds = 1;
    QString out;
    if (seconds >= 3600) {
        out += QString::number(seconds / 3600) + QLatin1Char('h');
        seconds %= 3600;
    }
    if (seconds >= 60) {
        out += QString::number(seconds / 60) + QLatin1Char('m');
        seconds %= 60;
    }
    if (seconds > 0 || out.isEmpty())
        out += QString::number(seconds) + QLatin1Char('s');
    return out;
}

QString promQuote(const QString &value)
{
    QString out = value;
    out.replace(QLatin1Char('\\'), QLatin1String("\\\\"));
    out.replace(QLatin1Char('"'), QLatin1String("\\\""));
    out.replace(QLatin1Char('\n'), QLatin1String("\\n"));
    return QLatin1Char('"') + out + QLatin1Char('"');
}

QString promRegexEscape(const QString &value)
{
    // RE2 metacharacters; the result still goes through promQuote.
    static const QString special = QStringLiteral("\\.+*?()|[]{}^$");
    QString out;
    for (const QChar c : value) {
        if (special.contains(c))
            out += QLatin1Char('\\');
        out += c;
    }
    return out;
}

QString versionSelector(const Release &release, const ReleaseVersion &version, const MeshMode &mesh)
{
    QStringList m { QStringLiteral("reporter=%1").arg(promQuote(mesh.reporter)),
                    QStringLiteral("destination_service_namespace=%1").arg(promQuote(release.ns)),
                    QStringLiteral("destination_service_name=%1").arg(promQuote(serviceOf(version))) };
    if (!version.subset.isEmpty()) {
        const QString byVersion = version.labels.value(QLatin1String("version")).toString();
        QString byRevision;
        for (const char *key : { "service.istio.io/canonical-revision", "app.kubernetes.io/version" })
            if (byRevision.isEmpty())
                byRevision = version.labels.value(QLatin1String(key)).toString();
        if (!byVersion.isEmpty()) {
            m.append(QStringLiteral("destination_version=%1").arg(promQuote(byVersion)));
        } else if (!byRevision.isEmpty()) {
            m.append(QStringLiteral("destination_canonical_revision=%1").arg(promQuote(byRevision)));
        } else {
            // Subsets on other labels (seed 000's `color`): only the workloads tell them apart.
            QStringList names;
            for (const QString &w : version.workloads)
                names.append(promRegexEscape(w));
            m.append(QStringLiteral("destination_workload=~%1")
                             .arg(promQuote(names.isEmpty() ? QStringLiteral("^$") : names.join(QLatin1Char('|')))));
            m.append(QStringLiteral("destination_workload_namespace=%1").arg(promQuote(release.ns)));
        }
    }
    return m.join(QLatin1Char(','));
}

ReleaseQueries releaseQueries(const Release &release, const QueryOptions &options)
{
    ReleaseQueries q;
    if (release.versions.isEmpty())
        return q;
    const QString w = promDuration(options.windowSeconds);
    const QString failed = options.countClientErrors ? QStringLiteral("[45]..") : QStringLiteral("5..");
    const MeshMode &mesh = options.mesh;
    auto rate = [&](const QString &sel) { return QStringLiteral("sum(rate(%1{%2}[%3]))").arg(kRequests, sel, w); };
    q.requestsPerSecond = perVersion(release, mesh, rate);
    q.requests = perVersion(release, mesh, [&](const QString &sel) {
        return QStringLiteral("sum(increase(%1{%2}[%3]))").arg(kRequests, sel, w);
    });
    // `or vector(0)`: a version whose every request failed has no non-failed series at all.
    auto share = [&](const QString &sel, const QString &codes) {
        return QStringLiteral("100 * (sum(rate(%1{%2,response_code%3%4}[%5])) or vector(0)) / %6")
                .arg(kRequests, sel, codes, promQuote(failed), w, rate(sel));
    };
    q.successPercent = perVersion(release, mesh, [&](const QString &sel) { return share(sel, QStringLiteral("!~")); });
    q.errorPercent = perVersion(release, mesh, [&](const QString &sel) { return share(sel, QStringLiteral("=~")); });
    auto quantile = [&](const char *phi) {
        return perVersion(release, mesh, [&](const QString &sel) {
            return QStringLiteral("histogram_quantile(%1, sum by (le) (rate(%2{%3}[%4])))")
                    .arg(QLatin1String(phi), kDuration, sel, w);
        });
    };
    q.p50Ms = quantile("0.5");
    q.p90Ms = quantile("0.9");
    q.p99Ms = quantile("0.99");
    QStringList services;
    for (const ReleaseVersion &v : release.versions)
        if (!services.contains(promRegexEscape(serviceOf(v))))
            services.append(promRegexEscape(serviceOf(v)));
    const QString ofRelease
            = QStringLiteral("reporter=%1,destination_service_namespace=%2,destination_service_name=~%3")
                      .arg(promQuote(mesh.reporter), promQuote(release.ns), promQuote(services.join(QLatin1Char('|'))));
    q.lastScrape = QStringLiteral("max(timestamp(%1{%2}))").arg(kRequests, ofRelease);
    // The bounds are the mesh's configuration, not Envoy's defaults: read from the data.
    q.latencyBounds = QStringLiteral("count by (le) (%1{%2})").arg(kDuration, ofRelease);
    return q;
}

QString ReleaseQueries::text() const
{
    if (requestsPerSecond.isEmpty())
        return {};
    const QList<std::pair<const char *, const QString *>> all {
        { "requests per second", &requestsPerSecond },
        { "requests in the window", &requests },
        { "success %", &successPercent },
        { "error %", &errorPercent },
        { "p50 latency, ms", &p50Ms },
        { "p90 latency, ms", &p90Ms },
        { "p99 latency, ms", &p99Ms },
        { "newest sample of the release (is it scraped?)", &lastScrape },
        { "the latency histogram's bucket bounds", &latencyBounds },
    };
    QString out;
    for (const auto &[name, query] : all)
        out += QStringLiteral("# %1\n%2\n\n").arg(QLatin1String(name), *query);
    return out.trimmed() + QLatin1Char('\n');
}

} // namespace canary::core
