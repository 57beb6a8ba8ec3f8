#include "k8s/discoveryreply.h"

#include "k8s/kubeclient.h"
#include "k8s/kubereply.h"

namespace canary::k8s {

DiscoveryReply::DiscoveryReply(KubeClient *client, QStringList resourceGroups, QObject *parent)
    : QObject(parent)
    , m_client(client)
    , m_resourceGroups(std::move(resourceGroups))
{ }

DiscoveryReply *DiscoveryReply::fetch(KubeClient *client, const QStringList &resourceGroups, const QString &what)
{
    auto *reply = new DiscoveryReply(client, resourceGroups, client);
    reply->get(QStringLiteral("/apis"), what, [reply](const QJsonObject &apis) { reply->fetchGroups(apis); });
    return reply;
}

void DiscoveryReply::get(const QString &path, const QString &what, std::function<void(const QJsonObject &)> then)
{
    KubeReply *reply = m_client->send(KubeRequest::get(path), what);
    m_inFlight = reply;
    const auto handle = [this, reply, then] {
        reply->deleteLater();
        if (m_finished)
            return;
        if (!reply->ok()) {
            finish(reply->error());
            return;
        }
        then(reply->json());
    };
    // A reply can be finished already (a credential plugin that failed at once): still answer later.
    if (reply->isFinished())
        QMetaObject::invokeMethod(this, handle, Qt::QueuedConnection);
    else
        connect(reply, &KubeReply::finished, this, handle);
}

void DiscoveryReply::fetchGroups(const QJsonObject &apis)
{
    if (!m_resourceGroups.contains(QString())) {
        withGroups(Discovery::fromJson(apis));
        return;
    }
    get(QStringLiteral("/api"), {},
        [this, apis](const QJsonObject &core) { withGroups(Discovery::fromJson(apis, core)); });
}

void DiscoveryReply::withGroups(Result<Discovery> parsed)
{
    if (!parsed) {
        finish(parsed.error());
        return;
    }
    m_result = std::move(parsed);
    fetchResources(0);
}

void DiscoveryReply::fetchResources(int index)
{
    const Discovery &d = m_result.value();
    while (index < m_resourceGroups.size() && !d.hasGroup(m_resourceGroups.at(index)))
        ++index; // not served: nothing to list
    if (index >= m_resourceGroups.size()) {
        finish(m_result);
        return;
    }
    const QString group = m_resourceGroups.at(index);
    const QString version = d.preferredVersion(group);
    const QString path = group.isEmpty() ? QString(QStringLiteral("/api/") + version)
                                         : QStringLiteral("/apis/%1/%2").arg(group, version);
    get(path, {}, [this, index](const QJsonObject &list) {
        const Result<bool> added = m_result.value().addResources(list);
        if (!added) {
            finish(added.error());
            return;
        }
        fetchResources(index + 1);
    });
}

void DiscoveryReply::cancel()
{
    if (m_finished)
        return;
    if (m_inFlight) {
        m_inFlight->disconnect(this);
        m_inFlight->cancel();
        m_inFlight->deleteLater();
    }
    finish(makeError(tr("API discovery: cancelled")));
}

void DiscoveryReply::finish(Result<Discovery> result)
{
    if (m_finished)
        return;
    m_finished = true;
    m_result = std::move(result);
    Q_EMIT finished();
}

} // namespace canary::k8s
