#include "core/session/releasesession.h"
#include "core/edit/releaseedits.h"

#include "core/apply/applyplan.h"
#include "core/apply/applyrun.h"
#include "core/apply/releasesource.h"
#include "core/model/istio.h"
#include "core/model/validation.h"
#include "core/session/releasebuilder.h"
#include "k8s/accessreview.h"
#include "k8s/discoveryreply.h"
#include "k8s/kubeclient.h"
#include "k8s/kubereply.h"
#include "k8s/reflector.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QTimer>

namespace canary::core {

using k8s::KubeReply;
using k8s::KubeRequest;

namespace {

// While the server is away, attempts come at most this far apart, so that the window says
// "connected" again within seconds of its return.
constexpr int kFirstReconnectDelayMs = 250;
constexpr int kMaxReconnectDelayMs = 2000;

} // namespace

ReleaseSession::ReleaseSession(k8s::ClusterEndpoint endpoint, QObject *parent, QString journalDirectory)
    : QObject(parent)
    , m_client(new k8s::KubeClient(std::move(endpoint), this))
    , m_rebuild(new QTimer(this))
    , m_builder(new ReleaseBuilder(this))
    , m_journal(std::move(journalDirectory))
    , m_reconnect(new QTimer(this))
    , m_reconnectDelayMs(kFirstReconnectDelayMs)
{
    m_snapshot.ns = m_client->endpoint().ns;
    const auto followPlugin = [this] {
        if (k8s::ExecCredentialProvider *exec = m_client->execProvider()) {
            connect(exec, &k8s::ExecCredentialProvider::pluginMessage, this, [this](const QString &text) {
                setConnection(m_connection,
                              tr("credential plugin: %1").arg(text.trimmed().section(QLatin1Char('\n'), -1)));
            });
        }
    };
    followPlugin();
    connect(m_client, &k8s::KubeClient::endpointChanged, this, followPlugin);
    m_reconnect->setSingleShot(true);
    connect(m_reconnect, &QTimer::timeout, this, &ReleaseSession::reconnect);
    m_rebuild->setSingleShot(true);
    m_rebuild->setInterval(30);
    connect(m_rebuild, &QTimer::timeout, this, &ReleaseSession::rebuildInBackground);
    connect(m_builder, &ReleaseBuilder::built, this, [this](const QList<Release> &releases) {
        m_releases = releases;
        refreshRollbacks();
        Q_EMIT releasesChanged();
    });
}

ReleaseSession::~ReleaseSession()
{
    stopWatches();
}

const k8s::ClusterEndpoint &ReleaseSession::endpoint() const
{
    return m_client->endpoint();
}

void ReleaseSession::setConnection(Connection connection, const QString &detail)
{
    if (connection == Connection::NoIstio)
        m_noIstioDetail = detail; // said by discovery, said again when the watches are back
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

void ReleaseSession::cancelApply()
{
    if (m_runner)
        m_runner->cancel();
}

void ReleaseSession::refresh()
{
    setConnection(m_connection == Connection::Connected ? Connection::Connected : Connection::Connecting,
                  tr("Refreshing…"));
    discover();
}

void ReleaseSession::discover()
{
    k8s::DiscoveryReply *reply = k8s::DiscoveryReply::fetch(m_client, {}, tr("API discovery"));
    connect(reply, &k8s::DiscoveryReply::finished, this, [this, reply] {
        reply->deleteLater();
        if (!reply->ok()) {
            const Error &error = reply->result().error();
            if (error.httpStatus == 0) {
                // Not reached (down, or moved): reconnect as after an outage, reading the kubeconfig again.
                setConnection(Connection::Reconnecting, tr("Reconnecting: %1").arg(error.message));
                m_restartPending = true;
                scheduleReconnect();
                return;
            }
            setConnection(Connection::Failed, error.message);
            QTimer::singleShot(3000, this, &ReleaseSession::discover);
            return;
        }
        const k8s::Discovery &discovery = reply->result().value();
        const auto istioVersion = istioNetworkingVersion(discovery, endpoint().server.toString());
        m_istioVersion = istioVersion ? *istioVersion : QString();
        KubeReply *nsReply
                = m_client->send(KubeRequest::get(QStringLiteral("/api/v1/namespaces")), tr("list namespaces"));
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
        if (!discovery.hasGroup(kIstioGroup))
            setConnection(Connection::NoIstio,
                          tr("Istio is not installed on this cluster: the API group networking.istio.io "
                             "is not served. Install Istio, or pick another context."));
        else if (!istioVersion)
            setConnection(Connection::NoIstio, istioVersion.error().message);
        startWatches();
    });
}

void ReleaseSession::checkAccess()
{
    // Before Apply is offered, the server says whether this user may write what an apply writes.
    const int generation = ++m_accessGeneration;
    const QString ns = m_snapshot.ns;
    if (m_istioVersion.isEmpty()) {
        m_access = Access::Unknown;
        m_accessDetail.clear();
        Q_EMIT accessChanged(m_access, m_accessDetail);
        return;
    }
    struct Check {
        QString verb;
        QString resource;
    };
    const QList<Check> checks { { QStringLiteral("update"), QStringLiteral("virtualservices") },
                                { QStringLiteral("update"), QStringLiteral("destinationrules") },
                                { QStringLiteral("create"), QStringLiteral("destinationrules") } };
    auto pending = std::make_shared<int>(int(checks.size()));
    auto denied = std::make_shared<QStringList>();
    auto reasons = std::make_shared<QStringList>();
    auto unknown = std::make_shared<bool>(false);
    for (const Check &check : checks) {
        KubeReply *reply = m_client->send(
                k8s::accessReviewRequest({ ns, check.verb, kIstioGroup, check.resource, {}, {} }), tr("access review"));
        connect(reply, &KubeReply::finished, this,
                [this, reply, check, ns, generation, pending, denied, reasons, unknown] {
                    reply->deleteLater();
                    if (generation != m_accessGeneration)
                        return;
                    if (!reply->ok()) {
                        *unknown = true; // an old or locked-down server: the write itself will say
                    } else {
                        const k8s::AccessAnswer answer = k8s::accessReviewAnswer(reply->json());
                        if (!answer.allowed) {
                            denied->append(QStringLiteral("%1 %2.%3").arg(check.verb, check.resource, kIstioGroup));
                            if (!answer.reason.isEmpty() && !reasons->contains(answer.reason))
                                reasons->append(answer.reason);
                        }
                    }
                    if (--*pending > 0)
                        return;
                    if (!denied->isEmpty()) {
                        m_access = Access::Denied;
                        m_accessDetail = tr("Read-only: the cluster does not let your user %1 in namespace \"%2\"%3. "
                                            "Ask a cluster "
                                            "administrator for the permission.")
                                                 .arg(denied->join(tr(", nor ")), ns,
                                                      reasons->isEmpty() ? QString()
                                                                         : QStringLiteral(" (%1)").arg(
                                                                                 reasons->join(QLatin1String("; "))));
                    } else {
                        m_access = *unknown ? Access::Unknown : Access::Allowed;
                        m_accessDetail.clear();
                    }
                    Q_EMIT accessChanged(m_access, m_accessDetail);
                });
    }
}

void ReleaseSession::startWatches()
{
    checkAccess();
    stopWatches();
    const auto watch = [this](const QString &group, const QString &version, const QString &plural,
                              QList<QJsonObject> NamespaceSnapshot::*items) {
        Watched w { group, version, plural, items, nullptr, {} };
        w.reflector = new k8s::Reflector(m_client, k8s::collectionPath(group, version, m_snapshot.ns, plural), this);
        // Of managedFields only a VirtualService's route owners are read (who else manages its routes):
        // with 10,000 Services they would be most of the window's memory. Writes never send them.
        w.reflector->setTransform(plural == QLatin1String("virtualservices")
                                          ? k8s::Reflector::Transform(withRouteOwnersOnly)
                                          : k8s::withoutManagedFields);
        connect(w.reflector, &k8s::Reflector::applied, this, &ReleaseSession::scheduleRebuild);
        connect(w.reflector, &k8s::Reflector::deleted, this, &ReleaseSession::scheduleRebuild);
        connect(w.reflector, &k8s::Reflector::resynced, this, &ReleaseSession::scheduleRebuild);
        connect(w.reflector, &k8s::Reflector::stateChanged, this, &ReleaseSession::updateConnection);
        m_watched.append(w);
    };
    // The kinds a release is built from, the same list the plugin reads.
    const QHash<QString, QList<QJsonObject> NamespaceSnapshot::*> into {
        { QStringLiteral("Service"), &NamespaceSnapshot::services },
        { QStringLiteral("Pod"), &NamespaceSnapshot::pods },
        { QStringLiteral("Deployment"), &NamespaceSnapshot::deployments },
        { QStringLiteral("VirtualService"), &NamespaceSnapshot::virtualServices },
        { QStringLiteral("DestinationRule"), &NamespaceSnapshot::destinationRules },
        { QStringLiteral("Gateway"), &NamespaceSnapshot::gateways },
    };
    for (const ReleaseKind &kind : releaseKinds(m_istioVersion)) {
        if (into.contains(kind.kind))
            watch(kind.group, kind.version, kind.plural, into.value(kind.kind));
    }
    for (const Watched &w : std::as_const(m_watched))
        w.reflector->start();
}

void ReleaseSession::stopWatches()
{
    m_rebuild->stop(); // started only while every store is synced; the next ones are not yet
    for (const Watched &w : std::as_const(m_watched)) {
        w.reflector->disconnect(this);
        w.reflector->stop();
        w.reflector->deleteLater();
    }
    m_watched.clear();
}

void ReleaseSession::updateConnection()
{
    if (m_watched.isEmpty())
        return;
    const Watched *failed = nullptr;
    const Watched *backingOff = nullptr;
    bool allWatching = true;
    for (const Watched &w : std::as_const(m_watched)) {
        const k8s::Reflector::State state = w.reflector->state();
        if (state == k8s::Reflector::State::Failed && !failed)
            failed = &w;
        if (state == k8s::Reflector::State::Backoff && !backingOff)
            backingOff = &w;
        allWatching = allWatching && state == k8s::Reflector::State::Watching;
    }
    if (failed) {
        setConnection(Connection::Failed,
                      tr("Cannot watch %1: %2").arg(failed->plural, failed->reflector->stateDetail()));
    } else if (backingOff) {
        setConnection(Connection::Reconnecting, tr("Reconnecting: %1").arg(backingOff->reflector->stateDetail()));
        scheduleReconnect();
    } else if (allWatching) {
        m_reconnect->stop();
        m_reconnectDelayMs = kFirstReconnectDelayMs;
        if (m_istioVersion.isEmpty())
            setConnection(Connection::NoIstio, m_noIstioDetail);
        else
            setConnection(Connection::Connected, tr("Watching %1").arg(m_snapshot.ns));
    }
    // Otherwise a kind is being listed (first, or again after 410 Gone): the state stays what it was.
}

void ReleaseSession::scheduleReconnect()
{
    if (m_reconnect->isActive() || m_probe)
        return;
    m_reconnect->start(m_reconnectDelayMs);
    m_reconnectDelayMs = qMin(m_reconnectDelayMs * 2, kMaxReconnectDelayMs);
}

void ReleaseSession::reconnect()
{
    if (m_kubeconfig) {
        const Result<k8s::ClusterEndpoint> loaded = k8s::loadKubeconfig(*m_kubeconfig);
        if (!loaded) {
            // Perhaps being rewritten: the next attempt reads it again.
            setConnection(Connection::Reconnecting, tr("Reconnecting: %1").arg(loaded.error().message));
            scheduleReconnect();
            return;
        }
        if (!(*loaded == m_client->endpoint())) {
            // The stores and resourceVersions of the reflectors belong to the server that went away.
            stopWatches();
            m_client->setEndpoint(*loaded);
            m_restartPending = true;
            setConnection(Connection::Reconnecting,
                          tr("Reconnecting to %1: the kubeconfig changed").arg(loaded->server.toString()));
        }
    }
    k8s::KubeRequest request = k8s::KubeRequest::get(QStringLiteral("/version"));
    request.timeoutMs = 3000;
    k8s::KubeReply *probe = m_client->send(request, tr("reach the API server"));
    m_probe = probe;
    connect(probe, &KubeReply::finished, this, [this, probe] {
        probe->deleteLater();
        if (probe != m_probe)
            return;
        m_probe = nullptr;
        if (probe->httpStatus() == 0) {
            setConnection(Connection::Reconnecting, tr("Reconnecting: %1").arg(probe->error().message));
            scheduleReconnect();
            return;
        }
        // It answers (whatever it says: the watches report what is wrong).
        if (std::exchange(m_restartPending, false)) {
            discover(); // the new server may serve another Istio version, or none
            return;
        }
        for (const Watched &w : std::as_const(m_watched))
            w.reflector->retryNow();
    });
}

void ReleaseSession::setNamespace(const QString &ns)
{
    if (ns.isEmpty() || ns == m_snapshot.ns)
        return;
    m_snapshot.ns = ns;
    m_releases.clear();
    Q_EMIT releasesChanged();
    // Once discovery has set up the watches they follow the namespace, whatever state they are in (still
    // opening, or backing off). Before that, discovery starts them on the namespace set here.
    if (!m_watched.isEmpty())
        startWatches();
}

void ReleaseSession::scheduleRebuild()
{
    // Until every kind has been listed once, releases would show versions without their pods.
    for (const Watched &w : std::as_const(m_watched)) {
        if (!w.reflector->isSynced())
            return;
    }
    if (!m_rebuild->isActive())
        m_rebuild->start();
}

void ReleaseSession::rebuildSnapshot()
{
    NamespaceSnapshot next { m_snapshot.ns, {}, {}, {}, {}, {}, {} };
    for (Watched &w : m_watched) {
        // An object we wrote is in the snapshot before its watch event reaches the store (run() takes the
        // server's answer at once): it stays until the store's object changes from the one it replaced.
        QHash<QString, QJsonObject> written;
        for (const QJsonObject &o : std::as_const(m_snapshot.*w.items)) {
            const auto built = w.builtFrom.constFind(core::objectName(o));
            if (built != w.builtFrom.cend() && *built != core::resourceVersion(o))
                written.insert(core::objectName(o), o);
        }
        QList<QJsonObject> items = w.reflector->objects();
        QHash<QString, QString> builtFrom;
        for (QJsonObject &o : items) {
            const QString name = core::objectName(o);
            const QString rv = core::resourceVersion(o);
            builtFrom.insert(name, rv);
            const auto mine = written.constFind(name);
            if (mine != written.cend() && w.builtFrom.value(name) == rv)
                o = *mine;
        }
        w.builtFrom = builtFrom;
        next.*w.items = items;
    }
    m_snapshot = next;
}

void ReleaseSession::rebuildInBackground()
{
    rebuildSnapshot();
    if (m_snapshot.virtualServices.size() < ReleaseBuilder::kBackgroundFrom)
        rebuild();
    else
        m_builder->build(m_snapshot);
}

void ReleaseSession::rebuild()
{
    m_builder->cancel(); // what a build in the background finds is older
    m_releases = buildReleases(m_snapshot);
    refreshRollbacks();
    Q_EMIT releasesChanged();
}

void ReleaseSession::refreshRollbacks()
{
    m_rollbackable.clear();
    // One read of the journal (a file per applied change) for all releases: this runs on every rebuild.
    const QHash<QString, JournalEntry> undone
            = m_journal.lastUndoneByRelease(endpoint().server.toString(), m_snapshot.ns);
    for (const Release &r : std::as_const(m_releases)) {
        const auto entry = undone.constFind(r.virtualService);
        if (entry != undone.cend())
            m_rollbackable.insert(r.name, *entry);
    }
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

ApplyPlan ReleaseSession::planFor(const QString &releaseName, const QJsonObject &virtualService,
                                  const QString &summary) const
{
    const Release *r = release(releaseName);
    if (!r)
        return {};
    return makePlan(*r, virtualService, withSubsetsFor(*r, virtualService), m_istioVersion, summary);
}

void ReleaseSession::apply(const QString &releaseName, const QJsonObject &virtualService, const QString &summary,
                           bool forceConflicts)
{
    const Release *r = release(releaseName);
    if (!r) {
        Q_EMIT applyFinished(releaseName, false, tr("Release %1 is gone.").arg(releaseName));
        return;
    }
    run(releaseName, planFor(releaseName, virtualService, summary), {}, forceConflicts);
}

bool ReleaseSession::canRollback(const QString &releaseName) const
{
    return m_rollbackable.contains(releaseName);
}

QString ReleaseSession::rollbackSummary(const QString &releaseName) const
{
    return m_rollbackable.value(releaseName).summary;
}

void ReleaseSession::rollback(const QString &releaseName, bool force)
{
    if (!canRollback(releaseName)) {
        Q_EMIT applyFinished(
                releaseName, false,
                tr("Nothing to roll back for %1: the journal holds no applied change of it.").arg(releaseName));
        return;
    }
    rollbackEntry(releaseName, m_rollbackable.value(releaseName).id, force);
}

QList<JournalEntry> ReleaseSession::history(const QString &releaseName) const
{
    const Release *r = release(releaseName);
    return r ? m_journal.entries(endpoint().server.toString(), r->ns, r->virtualService) : QList<JournalEntry> {};
}

QStringList ReleaseSession::rolledBackIds(const QString &releaseName) const
{
    QStringList out;
    for (const JournalEntry &e : history(releaseName)) {
        if (!e.rollbackOf.isEmpty())
            out.append(e.rollbackOf);
    }
    return out;
}

void ReleaseSession::rollbackEntry(const QString &releaseName, const QString &entryId, bool force)
{
    const Release *r = release(releaseName);
    JournalEntry entry;
    for (const JournalEntry &e : history(releaseName)) {
        if (e.id == entryId)
            entry = e;
    }
    if (!r || entry.id.isEmpty()) {
        Q_EMIT applyFinished(releaseName, false, tr("The journal has no entry %1 for %2.").arg(entryId, releaseName));
        return;
    }
    if (rolledBackIds(releaseName).contains(entry.id)) {
        Q_EMIT applyFinished(releaseName, false, tr("\"%1\" was rolled back already.").arg(entry.summary));
        return;
    }
    QList<QJsonObject> live;
    QStringList changed;
    for (const PlanStep &step : entry.plan.steps) {
        const QJsonObject current = step.kind == QLatin1String("VirtualService") ? r->vs : r->dr;
        live.append(current);
        if (current.value(QLatin1String("spec")) != step.after.value(QLatin1String("spec")))
            changed.append(QStringLiteral("%1 %2").arg(step.kind, step.name));
    }
    if (!changed.isEmpty() && !force) {
        Q_EMIT applyFinished(releaseName, false,
                             tr("Rollback refused: %1 changed after \"%2\" was applied; rolling back would overwrite "
                                "that change. Review the live object first.")
                                     .arg(changed.join(QLatin1String(", ")), entry.summary));
        return;
    }
    run(releaseName, makeRestorePlan(entry.plan, live, m_istioVersion, tr("roll back: %1").arg(entry.summary)),
        entry.id);
}

void ReleaseSession::dryRun(const QString &releaseName, const QJsonObject &virtualService)
{
    delete m_dryRun.data(); // a newer draft makes the older answer irrelevant
    const ApplyPlan plan = planFor(releaseName, virtualService, QString());
    if (plan.isEmpty()) {
        Q_EMIT dryRunFinished(releaseName, true, tr("No change to the live objects."));
        return;
    }
    auto *runner = new PlanRunner(m_client, plan, true, this);
    runner->setServerSideApply(m_serverSide); // so the preview shows ownership conflicts before Apply
    m_dryRun = runner;
    connect(runner, &PlanRunner::finished, this, [this, runner, releaseName](bool ok, const QString &message) {
        runner->deleteLater();
        Q_EMIT dryRunFinished(releaseName, ok,
                              ok ? tr("The API server accepts every step (server-side dry-run).") : message);
    });
    runner->start();
}

void ReleaseSession::run(const QString &releaseName, const ApplyPlan &plan, const QString &rollbackOf,
                         bool forceConflicts)
{
    if (m_applying) {
        Q_EMIT applyFinished(releaseName, false, tr("Another apply is still running."));
        return;
    }
    if (plan.isEmpty()) {
        Q_EMIT applyFinished(releaseName, false, tr("Nothing to apply: the live objects already say this."));
        return;
    }
    m_applying = true;
    ApplyOptions options;
    options.serverSideApply = m_serverSide;
    options.write.force = m_serverSide && forceConflicts;
    options.rollbackOf = rollbackOf;
    auto *run = new ApplyRun(m_client, plan, options, m_journal, this);
    m_runner = run;
    m_fieldConflicts.remove(releaseName);
    connect(run, &ApplyRun::finished, this, [=, this](bool ok, const QString &message) {
        run->deleteLater();
        m_applying = false;
        if (!ok) {
            if (!run->fieldConflicts().isEmpty())
                m_fieldConflicts.insert(releaseName, run->fieldConflicts());
            Q_EMIT applyFinished(releaseName, false, message);
            return;
        }
        // Take the server's answers at once rather than wait for the watch events.
        const QList<QJsonObject> stored = run->results();
        for (const QJsonObject &object : stored) {
            QList<QJsonObject> &items
                    = object.value(QLatin1String("kind")).toString() == QLatin1String("VirtualService")
                    ? m_snapshot.virtualServices
                    : m_snapshot.destinationRules;
            for (QJsonObject &item : items) {
                if (core::objectName(item) == core::objectName(object))
                    item = object;
            }
        }
        rebuild();
        QString text = rollbackOf.isEmpty() ? tr("Applied to VirtualService %1: %2").arg(plan.release, plan.summary)
                                            : tr("Rolled back VirtualService %1 (%2).").arg(plan.release, plan.summary);
        if (!run->journalError().isEmpty())
            text += tr(" Not recorded in the journal: %1").arg(run->journalError());
        if (!run->warnings().isEmpty())
            text += tr(" Warning from the server: %1").arg(run->warnings().join(QLatin1String("; ")));
        Q_EMIT applyFinished(releaseName, true, text);
    });
    run->start();
}

} // namespace canary::core
