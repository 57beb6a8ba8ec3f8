#include "cli/commands.h"

#include "cli/world.h"
#include "core/telemetry/healthmonitor.h"
#include "core/telemetry/releasequeries.h"
#include "k8s/kubeclient.h"

#include <QEventLoop>
#include <QTimer>

#include <cmath>

namespace canary::cli {

namespace {

QString cell(const std::optional<double> &value, const char *unit, int decimals)
{
    if (!value || !std::isfinite(*value))
        return QStringLiteral("-");
    return QString::number(*value, 'f', decimals) + QLatin1String(unit);
}

QString latency(const std::optional<double> &value)
{
    return cell(value, "ms", value && *value >= 100 ? 0 : 1);
}

void printHealth(const Console &c, const core::ReleaseHealth &h, const core::PrometheusSource &source, bool wide)
{
    c.out << source.describe() << ", window " << core::promDuration(h.windowSeconds) << '\n';
    QList<QStringList> rows;
    QStringList header { QStringLiteral("VERSION"), QStringLiteral("WEIGHT"),  QStringLiteral("OBSERVED"),
                         QStringLiteral("REQ/S"),   QStringLiteral("SUCCESS"), QStringLiteral("P99"),
                         QStringLiteral("VERDICT") };
    if (wide)
        header << QStringLiteral("P50") << QStringLiteral("P90") << QStringLiteral("REQUESTS")
               << QStringLiteral("REASON");
    rows.append(header);
    for (const core::VersionHealth &v : h.versions) {
        QStringList row { v.version,
                          QString::number(v.weight) + QLatin1Char('%'),
                          cell(v.observedPercent, "%", 1),
                          cell(v.requestsPerSecond, "", 2),
                          cell(v.successPercent, "%", 1),
                          latency(v.p99Ms),
                          core::verdictLabel(v.verdict) };
        if (wide)
            row << latency(v.p50Ms) << latency(v.p90Ms)
                << (v.requests ? QString::number(qRound64(*v.requests)) : QStringLiteral("-")) << v.reason;
        rows.append(row);
    }
    printTable(c.out, rows);
    for (const QString &note : h.notes)
        c.out << "note: " << note << '\n';
}

Result<core::HealthThresholds> thresholdsFrom(const Options &o)
{
    core::HealthThresholds t;
    if (o.isSet(QStringLiteral("window"))) {
        const Result<int> ms = parseTimeout(o.value(QStringLiteral("window")));
        if (!ms || *ms < 1000)
            return makeError(QStringLiteral("invalid argument \"%1\" for \"--window\": a duration of at least 1s, "
                                            "such as 30s, 1m or 5m")
                                     .arg(o.value(QStringLiteral("window"))));
        t.windowSeconds = *ms / 1000;
    }
    if (o.isSet(QStringLiteral("min-requests"))) {
        bool ok = false;
        t.minRequests = o.value(QStringLiteral("min-requests")).toInt(&ok);
        if (!ok || t.minRequests < 0)
            return makeError(QStringLiteral("invalid argument \"%1\" for \"--min-requests\": a whole number, 0 or more")
                                     .arg(o.value(QStringLiteral("min-requests"))));
    }
    t.countClientErrors = o.isSet(QStringLiteral("count-client-errors"));
    return t;
}

// One round of the monitor, waited for: a scrape page needs two scrapes for a rate.
bool measure(core::HealthMonitor &monitor, const core::Release &release, int timeoutMs)
{
    QEventLoop loop;
    QTimer deadline;
    deadline.setSingleShot(true);
    QObject::connect(&deadline, &QTimer::timeout, &loop, &QEventLoop::quit);
    QObject::connect(&monitor, &core::HealthMonitor::roundFinished, &loop, [&] {
        if (!monitor.problem().isEmpty() || monitor.source().kind != core::PrometheusSource::Kind::Scrape
            || monitor.hasHealth())
            loop.quit();
    });
    deadline.start(timeoutMs);
    monitor.setRelease(release); // starts the round
    if (monitor.busy() || monitor.source().kind == core::PrometheusSource::Kind::Scrape)
        loop.exec(); // else it ended at once (a malformed --prometheus-url)
    return deadline.isActive();
}

} // namespace

int statusCommand(const Console &c, const Options &o)
{
    const QString format = o.value(QStringLiteral("output"));
    if (!format.isEmpty() && format != QLatin1String("wide") && format != QLatin1String("json"))
        return c.usageError(QStringLiteral("unable to match a printer suitable for the output format \"%1\", allowed "
                                           "formats are: json,wide")
                                    .arg(format),
                            QStringLiteral("status"));
    if (o.positional.size() != 1)
        return c.usageError(QStringLiteral("status takes one RELEASE"), QStringLiteral("status"));
    const Result<core::HealthThresholds> thresholds = thresholdsFrom(o);
    if (!thresholds)
        return c.usageError(thresholds.error().message, QStringLiteral("status"));
    if (o.isSet(QStringLiteral("filename")))
        return c.fail(QStringLiteral("status reads the cluster's telemetry: it does not take -f"));
    auto world = loadWorld(o, &c.err);
    if (!world)
        return c.fail(world.error().message);
    const auto release = core::findRelease(world->releases, o.positional.constFirst());
    if (!release)
        return c.fail(release.error().message);

    core::HealthMonitor monitor(world->client.get());
    monitor.setPeriodic(false);
    monitor.setScrapeFallback(false); // an error to fix, not a quieter answer
    monitor.setThresholds(*thresholds);
    monitor.setPrometheusUrl(QUrl(o.value(QStringLiteral("prometheus-url"))));
    monitor.setScrapeUrl(QUrl(o.value(QStringLiteral("metrics-url"))));
    if (!measure(monitor, *release, 60000))
        return c.fail(QStringLiteral("no answer from %1 within 60 s").arg(monitor.source().describe()));
    if (!monitor.problem().isEmpty())
        return c.fail(monitor.problem());
    if (format == QLatin1String("json"))
        c.out << jsonText(monitor.health().toJson());
    else
        printHealth(c, monitor.health(), monitor.source(), format == QLatin1String("wide"));
    return 0;
}

} // namespace canary::cli
