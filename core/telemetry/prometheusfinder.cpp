#include "core/telemetry/prometheusfinder.h"

#include "k8s/kubeclient.h"
#include "k8s/kubereply.h"

#include <memory>

namespace canary::core {

PrometheusFinder::PrometheusFinder(QObject *parent)
    : QObject(parent)
{ }

PrometheusFinder::~PrometheusFinder()
{
    cancel();
}

void PrometheusFinder::cancel()
{
    ++m_generation;
    m_busy = false;
    for (const QPointer<k8s::KubeReply> &r : std::as_const(m_replies))
        if (r)
            r->deleteLater();
    m_replies.clear();
}

void PrometheusFinder::find(k8s::KubeClient *client, const QUrl &prometheusUrl, const QUrl &scrapeUrl,
                            const QString &releaseNs)
{
    cancel();
    m_client = client;
    m_busy = true;
    if (prometheusUrl.isEmpty() && !scrapeUrl.isEmpty()) { // --metrics-url: the operator named it
        finish(scrapeSource(scrapeUrl, tr("--metrics-url")), false);
        return;
    }
    const Result<PrometheusSource> configured = configuredSource(prometheusUrl, client->endpoint().clusterExtensions);
    if (!configured)
        fail(configured.error().message);
    else if (configured->isValid())
        finish(*configured, false);
    else
        search(releaseNs);
}

void PrometheusFinder::search(const QString &releaseNs)
{
    struct Search {
        QList<QJsonObject> found;
        QStringList unreadable;
        QString networkError;
        int pending = 0;
    };
    auto search = std::make_shared<Search>();
    const int generation = m_generation;
    QList<std::pair<QString, QString>> candidates;
    for (const QString &ns : discoveryNamespaces(releaseNs))
        for (const QString &name : discoveryServiceNames())
            candidates.append({ ns, name });
    search->found.resize(candidates.size());
    search->pending = int(candidates.size());
    for (int i = 0; i < candidates.size(); ++i) {
        // Named copies, not a structured binding: clang 14 cannot capture bindings in a lambda.
        const QString ns = candidates.at(i).first;
        const QString name = candidates.at(i).second;
        k8s::KubeRequest request = k8s::KubeRequest::get(
                k8s::objectPath({}, QStringLiteral("v1"), ns, QStringLiteral("services"), name));
        request.timeoutMs = 10000;
        k8s::KubeReply *reply = m_client->send(request, QStringLiteral("service %1/%2").arg(ns, name));
        m_replies.append(reply);
        connect(reply, &k8s::KubeReply::finished, this, [=, this] {
            reply->deleteLater();
            if (generation != m_generation)
                return;
            if (reply->ok())
                search->found[i] = reply->json();
            else if (reply->httpStatus() == 403 && !search->unreadable.contains(ns))
                search->unreadable.append(ns);
            else if (reply->httpStatus() == 0)
                search->networkError = reply->error().message;
            if (--search->pending == 0) {
                m_replies.clear();
                searched(search->found, search->unreadable, search->networkError, releaseNs);
            }
        });
    }
}

void PrometheusFinder::searched(const QList<QJsonObject> &services, const QStringList &unreadable,
                                const QString &networkError, const QString &releaseNs)
{
    for (const QJsonObject &service : services) {
        if (service.isEmpty() || prometheusPort(service).isEmpty())
            continue;
        const QJsonObject meta = service.value(QLatin1String("metadata")).toObject();
        PrometheusSource source;
        source.kind = PrometheusSource::Kind::ServiceProxy;
        source.ns = meta.value(QLatin1String("namespace")).toString();
        source.service = meta.value(QLatin1String("name")).toString();
        source.port = prometheusPort(service);
        source.origin = tr("found in namespace %1").arg(source.ns);
        finish(source, true);
        return;
    }
    if (!networkError.isEmpty()) {
        fail(tr("Cannot look for Prometheus: %1").arg(networkError));
        return;
    }
    const QUrl scrape = announcedScrapeUrl(m_client->endpoint().clusterExtensions);
    if (!scrape.isEmpty()) {
        finish(scrapeSource(scrape, tr("the kubeconfig's canarydeck.io/traffic")), false);
        return;
    }
    QString message = noServiceFoundMessage(releaseNs);
    if (!unreadable.isEmpty())
        message += QLatin1Char(' ')
                + tr("You may not get services in %1, so it may be there.").arg(unreadable.join(QLatin1String(", ")));
    fail(message);
}

void PrometheusFinder::finish(const PrometheusSource &source, bool discovered)
{
    m_busy = false;
    Q_EMIT found(source, discovered);
}

void PrometheusFinder::fail(const QString &message)
{
    m_busy = false;
    Q_EMIT failed(message);
}

} // namespace canary::core
