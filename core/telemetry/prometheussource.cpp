#include "core/telemetry/prometheussource.h"

#include <QCoreApplication>
#include <QJsonArray>
#include <QRegularExpression>

namespace canary::core {

namespace {

QString tr(const char *text)
{
    return QCoreApplication::translate("canary::core::PrometheusSource", text);
}

const QLatin1String kPrometheusExtension("canarydeck.io/prometheus");
const QLatin1String kTrafficExtension("canarydeck.io/traffic");

} // namespace

QString PrometheusSource::kindName() const
{
    switch (kind) {
    case Kind::ServiceProxy: return QStringLiteral("service-proxy");
    case Kind::Url: return QStringLiteral("url");
    case Kind::Scrape: return QStringLiteral("scrape");
    case Kind::None: break;
    }
    return QStringLiteral("none");
}

QString PrometheusSource::target() const
{
    if (kind == Kind::ServiceProxy)
        return QStringLiteral("%1/%2%3:%4")
                .arg(ns, scheme.isEmpty() ? QString() : scheme + QLatin1Char(':'), service, port);
    return url.toString(QUrl::RemoveUserInfo);
}

QString PrometheusSource::describe() const
{
    switch (kind) {
    case Kind::ServiceProxy: return tr("Prometheus %1 via the API server").arg(target());
    case Kind::Url: return tr("Prometheus at %1").arg(target());
    case Kind::Scrape: return tr("Metrics page %1 (request rates only)").arg(target());
    case Kind::None: break;
    }
    return tr("No telemetry source");
}

QString PrometheusSource::proxyPath() const
{
    const QString name = scheme.isEmpty() ? service : scheme + QLatin1Char(':') + service;
    return QStringLiteral("/api/v1/namespaces/%1/services/%2:%3/proxy").arg(ns, name, port);
}

k8s::KubeRequest PrometheusSource::request(const QString &apiPath, const QByteArray &encodedQuery) const
{
    k8s::KubeRequest request;
    if (kind == Kind::ServiceProxy) {
        request.path = proxyPath() + apiPath;
        request.query = QUrlQuery(QString::fromLatin1(encodedQuery));
    } else {
        QUrl u = url;
        QString base = u.path();
        while (base.endsWith(QLatin1Char('/')))
            base.chop(1);
        u.setPath(base + apiPath);
        u.setQuery(QString::fromLatin1(encodedQuery), QUrl::StrictMode);
        request.url = u;
    }
    request.timeoutMs = 10000;
    return request;
}

bool PrometheusSource::operator==(const PrometheusSource &o) const
{
    return kind == o.kind && ns == o.ns && service == o.service && port == o.port && scheme == o.scheme && url == o.url;
}

Result<PrometheusSource> parseServiceReference(const QString &text)
{
    static const QRegularExpression re(QStringLiteral(
            R"(^([a-z0-9]([-a-z0-9]*[a-z0-9])?)/(?:(https?):)?([a-z0-9]([-a-z0-9]*[a-z0-9])?):([A-Za-z0-9-]+)$)"));
    const QRegularExpressionMatch m = re.match(text.trimmed());
    if (!m.hasMatch())
        return makeError(tr("\"%1\" is not a Service reference: write NAMESPACE/NAME:PORT, for example "
                            "istio-system/prometheus:9090")
                                 .arg(text));
    PrometheusSource source;
    source.kind = PrometheusSource::Kind::ServiceProxy;
    source.ns = m.captured(1);
    source.scheme = m.captured(3);
    source.service = m.captured(4);
    source.port = m.captured(6);
    return source;
}

Result<PrometheusSource> configuredSource(const QUrl &flagUrl, const QJsonObject &clusterExtensions)
{
    PrometheusSource source;
    if (!flagUrl.isEmpty()) {
        if (!flagUrl.isValid()
            || (flagUrl.scheme() != QLatin1String("http") && flagUrl.scheme() != QLatin1String("https"))
            || flagUrl.host().isEmpty())
            return makeError(tr("--prometheus-url \"%1\" is not an http or https URL")
                                     .arg(flagUrl.toString(QUrl::RemoveUserInfo)));
        source.kind = PrometheusSource::Kind::Url;
        source.url = flagUrl;
        source.origin = QStringLiteral("--prometheus-url");
        return source;
    }
    if (!clusterExtensions.contains(kPrometheusExtension))
        return source;
    const QJsonObject ext = clusterExtensions.value(kPrometheusExtension).toObject();
    const QString where = tr("the kubeconfig's %1 extension").arg(kPrometheusExtension);
    if (ext.contains(QLatin1String("url"))) {
        const QUrl url(ext.value(QLatin1String("url")).toString());
        if (!url.isValid() || url.host().isEmpty()
            || (url.scheme() != QLatin1String("http") && url.scheme() != QLatin1String("https")))
            return makeError(tr("%1: url \"%2\" is not an http or https URL")
                                     .arg(where, ext.value(QLatin1String("url")).toString()));
        source.kind = PrometheusSource::Kind::Url;
        source.url = url;
    } else if (ext.contains(QLatin1String("service"))) {
        Result<PrometheusSource> parsed = parseServiceReference(ext.value(QLatin1String("service")).toString());
        if (!parsed)
            return makeError(where + QLatin1String(": ") + parsed.error().message);
        source = *parsed;
    } else {
        return makeError(tr("%1 names neither a url nor a service (write {\"url\": \"https://…\"} or "
                            "{\"service\": \"NAMESPACE/NAME:PORT\"})")
                                 .arg(where));
    }
    source.origin = where;
    return source;
}

QUrl announcedScrapeUrl(const QJsonObject &clusterExtensions)
{
    const QJsonValue ext = clusterExtensions.value(kTrafficExtension);
    // {"metrics": URL} as the demo cluster writes it; {"url": URL} and a bare string are read too.
    const QJsonObject object = ext.toObject();
    const QUrl url(!ext.isObject() ? ext.toString()
                           : object.contains(QLatin1String("metrics"))
                           ? object.value(QLatin1String("metrics")).toString()
                           : object.value(QLatin1String("url")).toString());
    return url.isValid() && !url.host().isEmpty() ? url : QUrl();
}

PrometheusSource scrapeSource(const QUrl &url, const QString &origin)
{
    PrometheusSource source;
    source.kind = PrometheusSource::Kind::Scrape;
    source.url = url;
    source.origin = origin;
    return source;
}

QStringList discoveryNamespaces(const QString &releaseNamespace)
{
    QStringList out { QStringLiteral("istio-system"), QStringLiteral("monitoring"), QStringLiteral("prometheus") };
    if (!releaseNamespace.isEmpty() && !out.contains(releaseNamespace))
        out.append(releaseNamespace);
    return out;
}

QStringList discoveryServiceNames()
{
    return { QStringLiteral("prometheus"), QStringLiteral("prometheus-server"), QStringLiteral("prometheus-operated"),
             QStringLiteral("prometheus-k8s") };
}

QString prometheusPort(const QJsonObject &service)
{
    const QJsonArray ports = service.value(QLatin1String("spec")).toObject().value(QLatin1String("ports")).toArray();
    if (ports.isEmpty())
        return {};
    auto numberOf = [](const QJsonObject &p) { return QString::number(p.value(QLatin1String("port")).toInt()); };
    for (const char *name : { "http", "web", "http-web" })
        for (const QJsonValue &p : ports)
            if (p.toObject().value(QLatin1String("name")).toString() == QLatin1String(name))
                return numberOf(p.toObject());
    for (const QJsonValue &p : ports)
        if (p.toObject().value(QLatin1String("port")).toInt() == 9090)
            return QStringLiteral("9090");
    return numberOf(ports.first().toObject());
}

QString noServiceFoundMessage(const QString &releaseNamespace)
{
    return tr("No Prometheus found: no Service named %1 in namespace %2. Name one with --prometheus-url URL, or "
              "in the kubeconfig's cluster extension %3 ({\"service\": \"NAMESPACE/NAME:PORT\"}).")
            .arg(discoveryServiceNames().join(QLatin1String(", ")),
                 discoveryNamespaces(releaseNamespace).join(QLatin1String(", ")), kPrometheusExtension);
}

QString proxyForbiddenMessage(const PrometheusSource &source, const QString &reviewVerdict)
{
    return tr("Cannot reach %1: you may not get services/proxy in namespace %2 (%3). Ask for that "
              "permission (verb get, resource services/proxy, namespace %2), or give --prometheus-url.")
            .arg(source.describe(), source.ns, reviewVerdict);
}

QString noEndpointsMessage(const PrometheusSource &source)
{
    return tr("%1 answered 503: the Service has no endpoints, so Prometheus is not running (or not ready).")
            .arg(source.describe());
}

QString noSeriesMessage(const QString &release, const QString &ns, const QString &reporter)
{
    return tr("Prometheus has no istio_requests_total series for %1 in namespace %2 with reporter=\"%3\": "
              "Istio's telemetry is off, Prometheus does not scrape the proxies, or the mesh reports "
              "otherwise.")
            .arg(release, ns, reporter);
}

} // namespace canary::core
