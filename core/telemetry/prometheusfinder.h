#pragma once

#include "core/telemetry/prometheussource.h"

#include <QJsonObject>
#include <QList>
#include <QObject>
#include <QPointer>
#include <QStringList>
#include <QUrl>

namespace canary::k8s {
class KubeClient;
class KubeReply;
} // namespace canary::k8s

namespace canary::core {

// Finds the telemetry source of a release's cluster in the documented order: --prometheus-url,
// --metrics-url, the kubeconfig's canarydeck.io/prometheus, a Prometheus Service in istio-system,
// monitoring, prometheus or the release's namespace (all asked at once, the first in that order
// wins), last the metrics page the kubeconfig announces. Then found() or failed(), once.
class PrometheusFinder final : public QObject {
    Q_OBJECT
public:
    explicit PrometheusFinder(QObject *parent = nullptr);
    ~PrometheusFinder() override;

    void find(k8s::KubeClient *client, const QUrl &prometheusUrl, const QUrl &scrapeUrl, const QString &releaseNs);
    // Drops a search in flight: neither signal comes for it.
    void cancel();
    bool isBusy() const { return m_busy; }

Q_SIGNALS:
    // `discovered`: the source was found in the cluster, not named by the operator.
    void found(const PrometheusSource &source, bool discovered);
    void failed(const QString &message);

private:
    void search(const QString &releaseNs);
    void searched(const QList<QJsonObject> &services, const QStringList &unreadable, const QString &networkError,
                  const QString &releaseNs);
    void finish(const PrometheusSource &source, bool discovered);
    void fail(const QString &message);

    QPointer<k8s::KubeClient> m_client;
    int m_generation = 0;
    bool m_busy = false;
    QList<QPointer<k8s::KubeReply>> m_replies;
};

} // namespace canary::core
