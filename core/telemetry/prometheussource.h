#pragma once

#include "k8s/kuberequest.h"
#include "k8s/result.h"

#include <QJsonObject>
#include <QString>
#include <QStringList>
#include <QUrl>

namespace canary::core {

// Where the telemetry of a cluster comes from. A Prometheus inside the cluster is reached through
// the API server's service proxy with the kubeconfig's credentials, as `kubectl get --raw` would.
struct PrometheusSource {
    enum class Kind { None, ServiceProxy, Url, Scrape };
    Kind kind = Kind::None;
    QString ns; // ServiceProxy: the Service
    QString service;
    QString port; // a number or a port name
    QString scheme; // "http", "https" or empty (the proxy's default)
    QUrl url; // Url: Prometheus' base URL; Scrape: a Prometheus-format metrics page
    QString origin; // how it was chosen: "--prometheus-url", "the kubeconfig's canarydeck.io/prometheus", ...

    bool isValid() const { return kind != Kind::None; }
    bool isPrometheus() const { return kind == Kind::ServiceProxy || kind == Kind::Url; }
    // "service-proxy", "url" or "scrape" (the plugin's JSON).
    QString kindName() const;
    // "istio-system/prometheus:9090", or the URL without user info.
    QString target() const;
    // "Prometheus istio-system/prometheus:9090 via the API server", "Prometheus at http://…".
    QString describe() const;
    // A request to Prometheus' HTTP API (apiPath: "/api/v1/query"), query already encoded.
    k8s::KubeRequest request(const QString &apiPath, const QByteArray &encodedQuery) const;
    // The service proxy's path prefix: /api/v1/namespaces/NS/services/[SCHEME:]NAME:PORT/proxy
    QString proxyPath() const;

    bool operator==(const PrometheusSource &other) const;
};

// "NS/NAME:PORT" (also "NS/https:NAME:PORT"), as the kubeconfig extension and --prometheus-service write it.
Result<PrometheusSource> parseServiceReference(const QString &text);

// The source the user named, before any discovery: --prometheus-url, else the kubeconfig cluster
// extension canarydeck.io/prometheus ({"url": …} or {"service": "NS/NAME:PORT"}). Kind None when
// neither names one; an error when the extension is malformed.
Result<PrometheusSource> configuredSource(const QUrl &flagUrl, const QJsonObject &clusterExtensions);
// The Prometheus-format scrape page the kubeconfig announces (canarydeck.io/traffic), if any.
QUrl announcedScrapeUrl(const QJsonObject &clusterExtensions);
// A metrics page as the source; `origin` says who named it.
PrometheusSource scrapeSource(const QUrl &url, const QString &origin);

// Where discovery looks, in order: namespaces istio-system, monitoring, prometheus, then the
// release's own; in each the Services prometheus, prometheus-server, prometheus-operated,
// prometheus-k8s.
QStringList discoveryNamespaces(const QString &releaseNamespace);
QStringList discoveryServiceNames();
// The port of a found Service Prometheus answers on: one named http or web or http-web, else 9090,
// else the first. Empty when the Service has no ports.
QString prometheusPort(const QJsonObject &service);

// The messages of the reachability check: each says what is wrong and what to do, never a token.
QString noServiceFoundMessage(const QString &releaseNamespace);
QString proxyForbiddenMessage(const PrometheusSource &source, const QString &reviewVerdict);
QString noEndpointsMessage(const PrometheusSource &source);
QString noSeriesMessage(const QString &release, const QString &ns, const QString &reporter);

} // namespace canary::core
