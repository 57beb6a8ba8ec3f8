#pragma once

#include <QCoreApplication>
#include <QJsonObject>
#include <QList>
#include <QString>
#include <QStringList>

#include <optional>

namespace canary::core {

// A version's health next to the stable version's.
enum class Verdict { Stable, Healthy, Worse, NotEnoughTraffic, NoTelemetry };
// In words, for badges and tables: "stable", "healthy", "worse", "not enough traffic", "no telemetry".
QString verdictLabel(Verdict verdict);
// As the plugin's JSON writes it: "stable", "healthy", "worse", "not-enough-traffic", "no-telemetry".
QString verdictName(Verdict verdict);

struct HealthThresholds {
    double maxSuccessDropPoints = 1; // worse: success rate lower than the stable's by more than this
    double maxP99Factor = 1.5; // worse: p99 higher than this times the stable's ...
    double p99SlackMs = 10; // ... and by more than this (a histogram's buckets are coarse near zero)
    int minRequests = 20; // not enough traffic: fewer requests than this in the window
    bool countClientErrors = false; // 4xx are failures too
    int windowSeconds = 60;

    // "success within 1 point, p99 within 1.5× (+10 ms), at least 20 requests in 1m"
    QString describe() const;
    bool operator==(const HealthThresholds &) const = default;
};

struct VersionHealth {
    QString version;
    int weight = 0; // configured, on the default route
    std::optional<double> requestsPerSecond;
    std::optional<double> observedPercent;
    std::optional<double> successPercent;
    std::optional<double> p50Ms;
    std::optional<double> p90Ms;
    std::optional<double> p99Ms;
    std::optional<double> requests; // in the window
    Verdict verdict = Verdict::NoTelemetry;
    QString reason; // "success 70.2 % vs 99.9 % on safe: lower by more than 1 point"
};

struct ReleaseHealth {
    QString release;
    QString ns;
    int windowSeconds = 60;
    QString sourceKind; // "service-proxy", "url", "scrape"
    QString sourceTarget;
    QList<VersionHealth> versions;
    QStringList notes; // what the measures cannot say (no L7 telemetry, scrape gives only rates)

    int indexOf(const QString &version) const;
    // The plugin's `status -o json` object.
    QJsonObject toJson() const;
};

// Sets the verdict of every version against the stable one (index `stable` into versions).
// latencyBounds: the upper bounds (ms) of the latency histogram's buckets, when known. p99s that
// fall in one bucket are not told apart (histogram_quantile interpolates inside a bucket), so a
// canary is slower only when a bound lies between its p99 and the stable's.
void judge(QList<VersionHealth> &versions, int stable, const HealthThresholds &thresholds,
           const QList<double> &latencyBounds = {});
// The bucket (lower, upper bound) a latency falls in; upper is +Inf past the last bound.
std::pair<double, double> latencyBucket(double ms, const QList<double> &bounds);
// Observed shares from the request rates (none when the release has no traffic).
void computeShares(QList<VersionHealth> &versions);

} // namespace canary::core
