#pragma once

#include <QJsonObject>
#include <QList>
#include <QString>
#include <QStringList>

namespace canary::core {

struct Release;
struct ReleaseVersion;

// Which proxy reports a request, as the namespace's data plane decides.
struct MeshMode {
    QString reporter = QStringLiteral("destination"); // sidecars; "waypoint" in ambient with a waypoint
    bool ambient = false;
    bool waypoint = false;
    // Ambient without a waypoint: ztunnel reports no L7 metrics at all (no response codes, no latency).
    bool hasL7Telemetry() const { return !ambient || waypoint; }
};
// From the labels of the namespace (istio.io/dataplane-mode=ambient, istio.io/use-waypoint).
MeshMode meshModeOf(const QJsonObject &ns);

// The PromQL that measures one release, one query per measure with a series per version, each
// labelled canary_version="NAME". What is asked is exactly what "Copy PromQL" gives the operator.
struct ReleaseQueries {
    QString requestsPerSecond;
    QString requests; // in the window
    QString successPercent;
    QString errorPercent; // 100 - success, for the chart
    QString p50Ms;
    QString p90Ms;
    QString p99Ms;
    QString lastScrape; // the time of the newest istio_requests_total sample of the release (empty: none)
    QString latencyBounds; // a series per histogram bucket bound (label le) of the release's latency

    // Every query with a comment line naming it, for the clipboard.
    QString text() const;
};

struct QueryOptions {
    int windowSeconds = 60;
    bool countClientErrors = false; // 4xx counts as failed, as Kiali can
    MeshMode mesh;
};

// The label matchers of one version: the release's Service (destination_service_name), and, for a
// subset, its version label (destination_version, or destination_canonical_revision for a subset on
// service.istio.io/canonical-revision or app.kubernetes.io/version), else the workloads it selects.
QString versionSelector(const Release &release, const ReleaseVersion &version, const MeshMode &mesh);
ReleaseQueries releaseQueries(const Release &release, const QueryOptions &options);
// A duration as PromQL writes it: 90 -> "1m30s", 60 -> "1m", 5 -> "5s".
QString promDuration(int seconds);
// A label value inside "…" (backslash, quote, newline escaped); regexEscape for =~.
QString promQuote(const QString &value);
QString promRegexEscape(const QString &value);

} // namespace canary::core
