#include "core/telemetry/releasehealth.h"

#include "core/telemetry/releasequeries.h"

#include <QJsonArray>

#include <cmath>

namespace canary::core {

namespace {

QString tr(const char *text)
{
    return QCoreApplication::translate("canary::core::ReleaseHealth", text);
}

QJsonValue number(const std::optional<double> &value)
{
    if (!value || !std::isfinite(*value))
        return QJsonValue(QJsonValue::Null);
    return QJsonValue(std::round(*value * 1000.0) / 1000.0);
}

QString ms(double value)
{
    return value >= 100 ? QString::number(value, 'f', 0) + QLatin1String(" ms")
                        : QString::number(value, 'f', 1) + QLatin1String(" ms");
}

} // namespace

QString verdictLabel(Verdict verdict)
{
    switch (verdict) {
    case Verdict::Stable: return tr("stable");
    case Verdict::Healthy: return tr("healthy");
    case Verdict::Worse: return tr("worse");
    case Verdict::NotEnoughTraffic: return tr("not enough traffic");
    case Verdict::NoTelemetry: break;
    }
    return tr("no telemetry");
}

QString verdictName(Verdict verdict)
{
    switch (verdict) {
    case Verdict::Stable: return QStringLiteral("stable");
    case Verdict::Healthy: return QStringLiteral("healthy");
    case Verdict::Worse: return QStringLiteral("worse");
    case Verdict::NotEnoughTraffic: return QStringLiteral("not-enough-traffic");
    case Verdict::NoTelemetry: break;
    }
    return QStringLiteral("no-telemetry");
}

QString HealthThresholds::describe() const
{
    return tr("success within %1 %2 of the stable's, p99 within %3× (+%4 ms), at least %5 requests in %6%7")
            .arg(maxSuccessDropPoints)
            .arg(maxSuccessDropPoints == 1 ? tr("point") : tr("points"))
            .arg(maxP99Factor)
            .arg(p99SlackMs)
            .arg(minRequests)
            .arg(promDuration(windowSeconds))
            .arg(countClientErrors ? tr("; 4xx count as errors") : QString());
}

int ReleaseHealth::indexOf(const QString &version) const
{
    for (int i = 0; i < versions.size(); ++i)
        if (versions.at(i).version == version)
            return i;
    return -1;
}

QJsonObject ReleaseHealth::toJson() const
{
    QJsonArray list;
    for (const VersionHealth &v : versions) {
        std::optional<double> requestsCount = v.requests;
        if (requestsCount)
            requestsCount = std::round(*requestsCount);
        list.append(QJsonObject { { QStringLiteral("version"), v.version },
                                  { QStringLiteral("weight"), v.weight },
                                  { QStringLiteral("requestsPerSecond"), number(v.requestsPerSecond) },
                                  { QStringLiteral("observedPercent"), number(v.observedPercent) },
                                  { QStringLiteral("successPercent"), number(v.successPercent) },
                                  { QStringLiteral("p50Ms"), number(v.p50Ms) },
                                  { QStringLiteral("p90Ms"), number(v.p90Ms) },
                                  { QStringLiteral("p99Ms"), number(v.p99Ms) },
                                  { QStringLiteral("requests"), number(requestsCount) },
                                  { QStringLiteral("verdict"), verdictName(v.verdict) },
                                  { QStringLiteral("reason"), v.reason } });
    }
    QJsonObject out { { QStringLiteral("release"), release },
                      { QStringLiteral("namespace"), ns },
                      { QStringLiteral("window"), promDuration(windowSeconds) },
                      { QStringLiteral("source"),
                        QJsonObject { { QStringLiteral("kind"), sourceKind },
                                      { QStringLiteral("target"), sourceTarget } } },
                      { QStringLiteral("versions"), list } };
    if (!notes.isEmpty())
        out.insert(QStringLiteral("notes"), QJsonArray::fromStringList(notes));
    return out;
}

void computeShares(QList<VersionHealth> &versions)
{
    double total = 0;
    for (const VersionHealth &v : versions)
        total += v.requestsPerSecond.value_or(0);
    for (VersionHealth &v : versions) {
        if (total > 0 && v.requestsPerSecond)
            v.observedPercent = 100.0 * *v.requestsPerSecond / total;
        else if (total > 0)
            v.observedPercent = 0.0;
        else
            v.observedPercent.reset();
    }
}

namespace {

// Why the canary's p99 is worse than the stable's (empty when it is not). The stable's true p99 may lie
// anywhere in its histogram bucket (histogram_quantile interpolates inside it): the canary is compared
// with the top of that bucket, so one slow request among few is no regression.
QString slowerReason(const VersionHealth &v, const VersionHealth &base, const HealthThresholds &t,
                     const QList<double> &bounds)
{
    if (!v.p99Ms || !base.p99Ms || !std::isfinite(*v.p99Ms) || !std::isfinite(*base.p99Ms))
        return {};
    const double top = bounds.isEmpty() ? *base.p99Ms : latencyBucket(*base.p99Ms, bounds).second;
    const double reference = std::isfinite(top) ? top : *base.p99Ms;
    if (*v.p99Ms <= reference * t.maxP99Factor || *v.p99Ms - reference <= t.p99SlackMs)
        return {};
    const QString bucket
            = reference == *base.p99Ms ? QString() : tr(" (its histogram bucket reaches %1)").arg(ms(reference));
    return tr("p99 %1 vs %2 on %3%4: more than %5× and %6 ms slower")
            .arg(ms(*v.p99Ms), ms(*base.p99Ms), base.version, bucket)
            .arg(t.maxP99Factor)
            .arg(t.p99SlackMs);
}

} // namespace

std::pair<double, double> latencyBucket(double ms, const QList<double> &bounds)
{
    double lower = 0;
    for (double bound : bounds) {
        if (ms <= bound)
            return { lower, bound };
        lower = bound;
    }
    return { lower, qInf() };
}

void judge(QList<VersionHealth> &versions, int stable, const HealthThresholds &t, const QList<double> &latencyBounds)
{
    const VersionHealth *base = stable >= 0 && stable < versions.size() ? &versions.at(stable) : nullptr;
    const bool baseMeasured = base && base->requests && *base->requests >= t.minRequests && base->successPercent;
    for (int i = 0; i < versions.size(); ++i) {
        VersionHealth &v = versions[i];
        if (v.verdict == Verdict::NoTelemetry && !v.reason.isEmpty())
            continue; // said already (no L7 telemetry)
        const double n = v.requests.value_or(0);
        if (i == stable) {
            v.verdict = Verdict::Stable;
            v.reason = tr("the version the others are judged against (most weight on the default route)");
            continue;
        }
        if (n < t.minRequests || !v.successPercent) {
            v.verdict = Verdict::NotEnoughTraffic;
            v.reason = tr("%1 requests in the last %2 s, fewer than %3")
                               .arg(qRound(n))
                               .arg(t.windowSeconds)
                               .arg(t.minRequests);
            continue;
        }
        if (!baseMeasured) {
            v.verdict = Verdict::NotEnoughTraffic;
            v.reason = base ? tr("the stable version %1 has too few requests to compare with").arg(base->version)
                            : tr("no stable version to compare with");
            continue;
        }
        const double drop = *base->successPercent - *v.successPercent;
        if (drop > t.maxSuccessDropPoints) {
            v.verdict = Verdict::Worse;
            v.reason = tr("success %1 % vs %2 % on %3: lower by more than %4 %5")
                               .arg(*v.successPercent, 0, 'f', 1)
                               .arg(*base->successPercent, 0, 'f', 1)
                               .arg(base->version)
                               .arg(t.maxSuccessDropPoints)
                               .arg(t.maxSuccessDropPoints == 1.0 ? tr("point") : tr("points"));
            continue;
        }
        const QString slower = slowerReason(v, *base, t, latencyBounds);
        if (!slower.isEmpty()) {
            v.verdict = Verdict::Worse;
            v.reason = slower;
            continue;
        }
        v.verdict = Verdict::Healthy;
        v.reason = tr("success %1 % vs %2 % on %3%4")
                           .arg(*v.successPercent, 0, 'f', 1)
                           .arg(*base->successPercent, 0, 'f', 1)
                           .arg(base->version)
                           .arg(v.p99Ms && base->p99Ms ? tr(", p99 %1 vs %2").arg(ms(*v.p99Ms), ms(*base->p99Ms))
                                                       : QString());
    }
}

} // namespace canary::core
