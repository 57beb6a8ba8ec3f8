#include "releasesession.h"

#include "istio.h"
#include "kubeclient.h"
#include "kubereply.h"
#include "kubewatch.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QTimer>

namespace canary::core {

using k8s::KubeReply;
using k8s::KubeRequest;

namespace {

const QString kIstioGroup = QStringLiteral("networking.istio.io");

QString changeKey(const QString &ns, const QString &vs)
{
    return ns + QLatin1Char('/') + vs;
}

} // namespace

ReleaseSession::ReleaseSession(k8s::ClusterEndpoint endpoint, QObject *parent)
    : QObject(parent)
    , m_client(new k8s::KubeClient(std::move(endpoint), this))
    , m_rebuild(new QTimer(this))
{
    m_snapshot.ns = m_client->endpoint().ns;
    m_rebuild->setSingleShot(true);
    m_rebuild->setInterval(30);
    connect(m_rebuild, &QTimer::timeout, this, &ReleaseSession::rebuild);
}

ReleaseSession::~ReleaseSession() = default;

const k8s::ClusterEndpoint &ReleaseSession::endpoint() const
{
    return m_client->endpoint();
}

void ReleaseSession::setConnection(Connection connection, const QString &detail)
{
    if (m_connection == connection && m_connectionDetail == detail)
        return;
    m_connection = connection;
    m_connectionDetail = detail;
    Q_EMIT connectionChanged(connection, detail);
}

void ReleaseSession::start()
{
    setConnection(Connection::Connecting, tr("Connecting to %1").arg(endpoint().server.toString()));
    discover();
}

void ReleaseSession::discover()
{
    KubeReply *reply = m_client->send(KubeRequest::get(QStringLiteral("/apis")), tr("API discovery"));
    connect(reply, &KubeReply::finished, this, [this, reply] {
        reply->deleteLater();
        if (!reply->ok()) {
            setConnection(Connection::Failed, reply->error().message);
            QTimer::singleShot(3000, this, &ReleaseSession::discover);
            return;
        }
        m_istioVersion.clear();
        for (const QJsonValue &g : reply->json().value(QLatin1String("groups")).toArray()) {
            const QJsonObject group = g.toObject();
            if (group.value(QLatin1String("name")).toString() == kIstioGroup)
                m_istioVersion = group.value(QLatin1String("preferredVersion")).toObject().value(QLatin1String("version")).toString();
        }
        KubeReply *nsReply = m_client->send(KubeRequest::get(QStringLiteral("/api/v1/namespaces")), tr("list namespaces"));
        connect(nsReply, &KubeReply::finished, this, [this, nsReply] {
            nsReply->deleteLater();
            QStringList names;
            for (const QJsonValue &item : nsReply->json().value(QLatin1String("items")).toArray())
                names.append(core::objectName(item.toObject()));
            if (!names.contains(m_snapshot.ns))
                names.append(m_snapshot.ns);
            names.sort();
            m_namespaces = names;
            Q_EMIT namespacesChanged();
        });
        if (m_istioVersion.isEmpty())
            setConnection(Connection::NoIstio, tr("Istio is not installed on this cluster: the API group networking.istio.io "
                                                  "is not served. Install Istio, or pick another context."));
        startWatches();
    });
}

void ReleaseSession::startWatches()
{
    for (const QPointer<k8s::KubeWatch> &w : std::as_const(m_watches))
        delete w.data();
    m_watches.clear();
    m_watchState.clear();
    m_awaitingFirstList.clear();
    m_snapshot = NamespaceSnapshot { m_snapshot.ns, {}, {}, {}, {}, {}, {} };
    QList<Watched> watched { { {}, QStringLiteral("v1"), QStringLiteral("services"), &m_snapshot.services },
                             { {}, QStringLiteral("v1"), QStringLiteral("pods"), &m_snapshot.pods },
                             { QStringLiteral("apps"), QStringLiteral("v1"), QStringLiteral("deployments"), &m_snapshot.deployments } };
    if (!m_istioVersion.isEmpty()) {
        watched.append({ kIstioGroup, m_istioVersion, QStringLiteral("virtualservices"), &m_snapshot.virtualServices });
        watched.append({ kIstioGroup, m_istioVersion, QStringLiteral("destinationrules"), &m_snapshot.destinationRules });
        watched.append({ kIstioGroup, m_istioVersion, QStringLiteral("gateways"), &m_snapshot.gateways });
    }
    for (const Watched &w : watched) {
        auto *watch = new k8s::KubeWatch(m_client, k8s::collectionPath(w.group, w.version, m_snapshot.ns, w.plural), this);
        m_watches.append(watch);
        m_watchState.insert(watch, 0);
        QList<QJsonObject> *items = w.items;
        m_awaitingFirstList.insert(watch);
        connect(watch, &k8s::KubeWatch::listed, this, [this, items, watch](const QList<QJsonObject> &listed) {
            *items = listed;
            m_awaitingFirstList.remove(watch);
            scheduleRebuild();
        });
        connect(watch, &k8s::KubeWatch::event, this, [this, items](const QString &type, const QJsonObject &object) {
            const QString name = core::objectName(object);
            qsizetype at = -1;
            for (qsizetype i = 0; i < items->size(); ++i) {
                if (core::objectName(items->at(i)) == name) {
                    at = i;
                    break;
                }
            }
            if (type == QLatin1String("DELETED")) {
                if (at >= 0)
                    items->removeAt(at);
            } else if (at >= 0) {
                (*items)[at] = object;
            } else {
                items->append(object);
            }
            scheduleRebuild();
        });
        connect(watch, &k8s::KubeWatch::stateChanged, this, [this, watch](k8s::KubeWatch::State state, const QString &detail) {
            m_watchState.insert(watch, state == k8s::KubeWatch::State::Watching ? 1 : state == k8s::KubeWatch::State::Reconnecting ? 2 : 0);
            bool allWatching = true;
            bool anyReconnecting = false;
            for (int s : std::as_const(m_watchState)) {
                allWatching = allWatching && s == 1;
                anyReconnecting = anyReconnecting || s == 2;
            }
            if (anyReconnecting)
                setConnection(Connection::Reconnecting, tr("Reconnecting: %1").arg(detail));
            else if (allWatching && !m_istioVersion.isEmpty())
                setConnection(Connection::Connected, tr("Watching %1").arg(m_snapshot.ns));
        });
        watch->start();
    }
}

void ReleaseSession::setNamespace(const QString &ns)
{
    if (ns.isEmpty() || ns == m_snapshot.ns)
        return;
    m_snapshot.ns = ns;
    m_releases.clear();
    Q_EMIT releasesChanged();
    if (m_connection != Connection::Failed && m_connection != Connection::Connecting)
        startWatches();
}

void ReleaseSession::scheduleRebuild()
{
    // Until every kind has been listed once, releases would show versions without their pods.
    if (!m_awaitingFirstList.isEmpty())
        return;
    if (!m_rebuild->isActive())
        m_rebuild->start();
}

void ReleaseSession::rebuild()
{
    m_releases = buildReleases(m_snapshot);
    Q_EMIT releasesChanged();
}

QStringList ReleaseSession::unroutedServices() const
{
    return core::unroutedServices(m_snapshot, m_releases);
}

const Release *ReleaseSession::release(const QString &name) const
{
    for (const Release &r : m_releases) {
        if (r.name == name)
            return &r;
    }
    return nullptr;
}

void ReleaseSession::apply(const QString &releaseName, const QJsonObject &virtualService, const QString &summary)
{
    put(releaseName, virtualService, summary, false);
}

bool ReleaseSession::canRollback(const QString &releaseName) const
{
    const Release *r = release(releaseName);
    return r && !m_applied.value(changeKey(r->ns, r->virtualService)).isEmpty();
}

QString ReleaseSession::rollbackSummary(const QString &releaseName) const
{
    const Release *r = release(releaseName);
    if (!r)
        return {};
    const QList<AppliedChange> changes = m_applied.value(changeKey(r->ns, r->virtualService));
    return changes.isEmpty() ? QString() : changes.constLast().summary;
}

void ReleaseSession::rollback(const QString &releaseName)
{
    const Release *r = release(releaseName);
    if (!r || !canRollback(releaseName)) {
        Q_EMIT applyFinished(releaseName, false, tr("Nothing to roll back for %1: no change was applied in this session.").arg(releaseName));
        return;
    }
    const AppliedChange &last = m_applied.value(changeKey(r->ns, r->virtualService)).constLast();
    if (resourceVersion(r->vs) != last.afterResourceVersion) {
        Q_EMIT applyFinished(releaseName, false,
                             tr("Rollback refused: VirtualService %1 was changed by someone else after your last apply "
                                "(resourceVersion %2, now %3). Review the live object before changing it.")
                                     .arg(r->virtualService, last.afterResourceVersion, resourceVersion(r->vs)));
        return;
    }
    QJsonObject restored = r->vs;
    restored.insert(QStringLiteral("spec"), last.before.value(QLatin1String("spec")));
    put(releaseName, restored, tr("Roll back: %1").arg(last.summary), true);
}

void ReleaseSession::put(const QString &releaseName, const QJsonObject &virtualService, const QString &summary, bool isRollback)
{
    const Release *r = release(releaseName);
    if (!r || m_applying) {
        Q_EMIT applyFinished(releaseName, false, m_applying ? tr("Another apply is still running.") : tr("Release %1 is gone.").arg(releaseName));
        return;
    }
    m_applying = true;
    const QString ns = r->ns;
    const QString vsName = r->virtualService;
    const QJsonObject before = r->vs;
    QJsonObject body = virtualService;
    QJsonObject meta = body.value(QLatin1String("metadata")).toObject();
    meta.remove(QStringLiteral("managedFields"));
    body.insert(QStringLiteral("metadata"), meta);
    body.insert(QStringLiteral("apiVersion"), QString(kIstioGroup + QLatin1Char('/') + m_istioVersion));
    body.insert(QStringLiteral("kind"), QStringLiteral("VirtualService"));
    const QString path = k8s::objectPath(kIstioGroup, m_istioVersion, ns, QStringLiteral("virtualservices"), vsName);
    const QByteArray json = QJsonDocument(body).toJson(QJsonDocument::Compact);

    KubeRequest dryRun = KubeRequest::replace(path, json);
    dryRun.query.addQueryItem(QStringLiteral("dryRun"), QStringLiteral("All"));
    dryRun.query.addQueryItem(QStringLiteral("fieldManager"), QStringLiteral("canarydeck"));
    KubeReply *check = m_client->send(dryRun, tr("dry-run of VirtualService %1").arg(vsName));
    connect(check, &KubeReply::finished, this, [=, this] {
        check->deleteLater();
        if (!check->ok()) {
            m_applying = false;
            const int status = check->error().httpStatus;
            QString message = check->error().message;
            if (status == 409)
                message = tr("VirtualService %1 was changed by someone else since you loaded it; nothing was applied. The view "
                             "now shows the live object: review it and apply again.")
                                  .arg(vsName);
            Q_EMIT applyFinished(releaseName, false, message);
            return;
        }
        KubeRequest write = KubeRequest::replace(path, json);
        write.query.addQueryItem(QStringLiteral("fieldManager"), QStringLiteral("canarydeck"));
        KubeReply *reply = m_client->send(write, tr("update VirtualService %1").arg(vsName));
        connect(reply, &KubeReply::finished, this, [=, this] {
            reply->deleteLater();
            m_applying = false;
            if (!reply->ok()) {
                QString message = reply->error().message;
                if (reply->error().httpStatus == 409)
                    message = tr("VirtualService %1 was changed by someone else between the dry-run and the apply; nothing "
                                 "was overwritten. Review the live object and apply again.")
                                      .arg(vsName);
                Q_EMIT applyFinished(releaseName, false, message);
                return;
            }
            const QJsonObject after = reply->json();
            QList<AppliedChange> &changes = m_applied[changeKey(ns, vsName)];
            if (isRollback) {
                changes.removeLast();
                // The live object is now what the previous apply left: that apply can be rolled back next.
                if (!changes.isEmpty())
                    changes.last().afterResourceVersion = resourceVersion(after);
            } else
                changes.append(AppliedChange { before, resourceVersion(after), summary });
            // Take the answer at once rather than wait for the watch event.
            for (QJsonObject &vs : m_snapshot.virtualServices) {
                if (core::objectName(vs) == vsName && resourceVersion(vs) != resourceVersion(after))
                    vs = after;
            }
            rebuild();
            QString message = isRollback ? tr("Rolled back VirtualService %1.").arg(vsName)
                                         : tr("Applied to VirtualService %1: %2").arg(vsName, summary);
            if (!reply->warnings().isEmpty())
                message += tr(" Warning from the server: %1").arg(reply->warnings().join(QLatin1String("; ")));
            Q_EMIT applyFinished(releaseName, true, message);
        });
    });
}

} // namespace canary::core
