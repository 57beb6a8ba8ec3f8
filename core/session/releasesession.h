#pragma once

#include "core/apply/journal.h"
#include "core/model/release.h"
#include "k8s/kubeconfig.h"

#include <QHash>
#include <QJsonObject>
#include <QObject>
#include <QPointer>

#include <optional>

class QTimer;

namespace canary::k8s {
class KubeClient;
class KubeReply;
class Reflector;
} // namespace canary::k8s

namespace canary::core {

class ReleaseBuilder;

class ApplyRun;

// One user's view of one namespace of one cluster: what is there (kept current by watches), the
// releases built from it, and the workflows that change it (apply, promote, rollback).
class ReleaseSession final : public QObject {
    Q_OBJECT
public:
    enum class Connection { Connecting, Connected, Reconnecting, NoIstio, Failed };
    Q_ENUM(Connection)
    // Whether the server lets this user write the Istio objects of the namespace (SelfSubjectAccessReview).
    enum class Access { Unknown, Allowed, Denied };
    Q_ENUM(Access)

    explicit ReleaseSession(k8s::ClusterEndpoint endpoint, QObject *parent = nullptr,
                            QString journalDirectory = Journal::defaultDirectory());
    ~ReleaseSession() override;
    // Where the endpoint was loaded from. While the API server is away, every reconnect attempt reads
    // the kubeconfig again, as the next kubectl command would: a cluster restarted on other ports with
    // another CA, or a renewed credential, is found, and the session starts over on it.
    void setKubeconfigOptions(const k8s::KubeconfigOptions &options) { m_kubeconfig = options; }

    void start();
    // Discovers the API again (Istio installed or upgraded since?), asks for permissions again and
    // lists everything again. Discovery is otherwise done once per session, that is per context.
    void refresh();
    void setNamespace(const QString &ns);
    QString currentNamespace() const { return m_snapshot.ns; }
    QStringList namespaces() const { return m_namespaces; }

    const k8s::ClusterEndpoint &endpoint() const;
    // The same client for the session's life; its endpoint changes when the kubeconfig does.
    k8s::KubeClient *client() const { return m_client; }
    QString istioVersion() const { return m_istioVersion; }
    // Connected: every kind is listed and watched. Reconnecting: a watch lost the server, which is tried
    // again with backoff (writes should wait). NoIstio and Failed: see connectionDetail().
    Connection connection() const { return m_connection; }
    QString connectionDetail() const { return m_connectionDetail; }
    Access writeAccess() const { return m_access; }
    // Why writes are denied, naming the verb and resource, for the user.
    QString writeAccessDetail() const { return m_accessDetail; }
    // Asks the server again (for example after the user got the permission).
    void checkAccess();

    const NamespaceSnapshot &snapshot() const { return m_snapshot; }
    const QList<Release> &releases() const { return m_releases; }
    QStringList unroutedServices() const;
    const Release *release(const QString &name) const;

    // Server-side dry-run, then PUT with the resourceVersion read, so a change made by someone else in
    // between is a conflict, never overwritten. `summary` says what the change does, for history.
    // With server-side apply on, `forceConflicts` takes over fields other managers own: only on the user's word.
    void apply(const QString &releaseName, const QJsonObject &virtualService, const QString &summary,
               bool forceConflicts = false);
    // Writes by server-side apply (fieldManager canarydeck, resourceVersion still a precondition)
    // instead of PUT; then fields other managers own are conflicts, see fieldConflicts().
    void setServerSideApply(bool enabled) { m_serverSide = enabled; }
    bool serverSideApply() const { return m_serverSide; }
    // The fields and owners of the last apply of the release that failed on them (empty otherwise).
    QStringList fieldConflicts(const QString &releaseName) const { return m_fieldConflicts.value(releaseName); }
    bool isApplying() const { return m_applying; }
    // Stops a running apply or rollback (applyFinished reports what was and was not written).
    void cancelApply();
    bool canRollback(const QString &releaseName) const;
    QString rollbackSummary(const QString &releaseName) const;
    // Restores the state before the last apply of the release that is not rolled back yet; refuses,
    // with a diff, when the live objects changed since, unless forced.
    void rollback(const QString &releaseName, bool force = false);
    // Rolls back one journal entry of the release (not only the last), when the live objects are still
    // what that entry left; refuses otherwise unless forced.
    void rollbackEntry(const QString &releaseName, const QString &entryId, bool force = false);
    QList<JournalEntry> history(const QString &releaseName) const;
    QStringList rolledBackIds(const QString &releaseName) const;
    // A server-side dry-run of the plan, reported by dryRunFinished; results of older requests are dropped.
    void dryRun(const QString &releaseName, const QJsonObject &virtualService);
    // The plan an apply of this VirtualService would run (subsets first), for review before Apply.
    ApplyPlan planFor(const QString &releaseName, const QJsonObject &virtualService, const QString &summary) const;
    const Journal &journal() const { return m_journal; }

Q_SIGNALS:
    void releasesChanged();
    void namespacesChanged();
    void connectionChanged(canary::core::ReleaseSession::Connection connection, const QString &detail);
    void accessChanged(canary::core::ReleaseSession::Access access, const QString &detail);
    void applyFinished(const QString &releaseName, bool ok, const QString &message);
    void dryRunFinished(const QString &releaseName, bool ok, const QString &message);

private:
    // One watched kind: its reflector's store makes up one list of the snapshot.
    struct Watched {
        QString group;
        QString version;
        QString plural;
        QList<QJsonObject> NamespaceSnapshot::*items;
        k8s::Reflector *reflector = nullptr;
        QHash<QString, QString> builtFrom; // name -> resourceVersion of the store's object in the snapshot
    };

    void discover();
    void startWatches();
    void stopWatches();
    void updateConnection();
    void scheduleReconnect();
    void reconnect();
    void setConnection(Connection connection, const QString &detail);
    void scheduleRebuild();
    void rebuildSnapshot();
    void rebuild();
    void rebuildInBackground();
    void run(const QString &releaseName, const ApplyPlan &plan, const QString &rollbackOf, bool forceConflicts = false);
    void refreshRollbacks();

    k8s::KubeClient *m_client;
    QString m_istioVersion;
    Connection m_connection = Connection::Connecting;
    QString m_connectionDetail;
    Access m_access = Access::Unknown;
    QString m_accessDetail;
    int m_accessGeneration = 0;
    QStringList m_namespaces;
    NamespaceSnapshot m_snapshot;
    QList<Release> m_releases;
    QList<Watched> m_watched;
    QString m_noIstioDetail;
    QTimer *m_rebuild;
    ReleaseBuilder *m_builder;
    bool m_applying = false;
    QPointer<ApplyRun> m_runner;
    bool m_serverSide = false;
    QHash<QString, QStringList> m_fieldConflicts;
    Journal m_journal;
    QHash<QString, JournalEntry> m_rollbackable; // by release name
    QPointer<QObject> m_dryRun;
    std::optional<k8s::KubeconfigOptions> m_kubeconfig;
    QTimer *m_reconnect;
    int m_reconnectDelayMs;
    QPointer<k8s::KubeReply> m_probe;
    bool m_restartPending = false; // the endpoint changed: discovery and every list start over once it answers
};

} // namespace canary::core
