#pragma once

#include "k8s/discovery.h"
#include "k8s/result.h"

#include <QObject>
#include <QPointer>
#include <QStringList>

#include <functional>

namespace canary::k8s {

class KubeClient;
class KubeReply;

// The discovery of one API server in flight: /apis, then (for the groups asked) the resources of each
// group's preferred version; the core group "" adds /api and /api/V. finished() fires exactly once, always
// after fetch() returned, also on cancel.
class DiscoveryReply final : public QObject {
    Q_OBJECT
public:
    // `what` names the /apis request in errors, as KubeClient::send does. The reply is parented to the
    // client; delete it (or let the client do so) when done.
    static DiscoveryReply *fetch(KubeClient *client, const QStringList &resourceGroups = {}, const QString &what = {});

    bool isFinished() const { return m_finished; }
    bool ok() const { return m_finished && m_result.ok(); }
    const Result<Discovery> &result() const { return m_result; }
    void cancel();

Q_SIGNALS:
    void finished();

private:
    DiscoveryReply(KubeClient *client, QStringList resourceGroups, QObject *parent);
    void get(const QString &path, const QString &what, std::function<void(const QJsonObject &)> then);
    void fetchGroups(const QJsonObject &apis);
    void withGroups(Result<Discovery> parsed);
    void fetchResources(int index);
    void finish(Result<Discovery> result);

    KubeClient *m_client;
    QStringList m_resourceGroups;
    Result<Discovery> m_result = Discovery();
    QPointer<KubeReply> m_inFlight;
    bool m_finished = false;
};

} // namespace canary::k8s
