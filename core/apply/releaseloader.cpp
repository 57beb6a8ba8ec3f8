#include "core/apply/releaseloader.h"

#include "k8s/discoveryreply.h"
#include "k8s/kubeclient.h"
#include "k8s/kubereply.h"

#include <QEventLoop>
#include <QJsonArray>

namespace canary::core {

ReleaseLoader::ReleaseLoader(k8s::KubeClient *client, QString ns, QObject *parent)
    : QObject(parent)
    , m_client(client)
{
    m_loaded.snapshot.ns = std::move(ns);
}

void ReleaseLoader::start()
{
    k8s::DiscoveryReply *reply = k8s::DiscoveryReply::fetch(m_client);
    m_inFlight = reply;
    connect(reply, &k8s::DiscoveryReply::finished, this, [this, reply] {
        reply->deleteLater();
        if (!reply->ok()) {
            finish(reply->result().error());
            return;
        }
        const auto version = istioNetworkingVersion(reply->result().value(), m_client->endpoint().server.toString());
        if (!version) {
            finish(version.error());
            return;
        }
        discovered(*version);
    });
}

void ReleaseLoader::cancel()
{
    if (m_finished)
        return;
    if (auto *discovery = qobject_cast<k8s::DiscoveryReply *>(m_inFlight.data())) {
        discovery->disconnect(this);
        discovery->cancel();
    } else if (auto *reply = qobject_cast<k8s::KubeReply *>(m_inFlight.data())) {
        reply->disconnect(this);
        reply->cancel();
    }
    finish(makeError(tr("Reading namespace %1: cancelled").arg(m_loaded.snapshot.ns)));
}

void ReleaseLoader::await(k8s::KubeReply *reply, std::function<void()> then)
{
    m_inFlight = reply;
    // A reply can be finished already (a credential plugin that failed at once): still answer later.
    if (reply->isFinished())
        QMetaObject::invokeMethod(this, then, Qt::QueuedConnection);
    else
        connect(reply, &k8s::KubeReply::finished, this, then);
}

void ReleaseLoader::discovered(const QString &istioVersion)
{
    m_loaded.istioVersion = istioVersion;
    m_kinds = releaseKinds(istioVersion);
    list(0);
}

void ReleaseLoader::list(int index)
{
    if (m_finished)
        return;
    if (index >= m_kinds.size()) {
        m_loaded.releases = buildReleases(m_loaded.snapshot);
        finish(m_loaded);
        return;
    }
    const ReleaseKind &kind = m_kinds.at(index);
    k8s::KubeReply *reply = m_client->send(
            k8s::KubeRequest::get(k8s::collectionPath(kind.group, kind.version, m_loaded.snapshot.ns, kind.plural)));
    await(reply, [this, reply, index] {
        reply->deleteLater();
        if (m_finished)
            return;
        const ReleaseKind &kind = m_kinds.at(index);
        if (!reply->ok()) {
            if (kind.optional && reply->error().httpStatus == 403) {
                list(index + 1); // pod counts and version labels are a bonus; routes are not
                return;
            }
            finish(reply->error());
            return;
        }
        // Items of built-in lists usually carry no kind.
        for (const QJsonValue &item : reply->json().value(QLatin1String("items")).toArray()) {
            QJsonObject object = item.toObject();
            object.insert(QStringLiteral("kind"), kind.kind);
            addToSnapshot(m_loaded.snapshot, object);
        }
        list(index + 1);
    });
}

void ReleaseLoader::finish(Result<LoadedReleases> result)
{
    if (m_finished)
        return;
    m_finished = true;
    m_result = std::move(result);
    Q_EMIT finished();
}

Result<LoadedReleases> loadReleasesBlocking(k8s::KubeClient *client, const QString &ns)
{
    ReleaseLoader loader(client, ns);
    QEventLoop loop;
    QObject::connect(&loader, &ReleaseLoader::finished, &loop, &QEventLoop::quit);
    loader.start();
    if (!loader.isFinished())
        loop.exec();
    return loader.result();
}

} // namespace canary::core
