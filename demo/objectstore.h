#pragma once

#include "k8s/result.h"

#include <QJsonObject>
#include <QList>
#include <QString>
#include <QStringList>

#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <optional>

namespace canary::demo {

struct ResourceType {
    QString group; // empty: core
    QString kind;
    QString plural;
    QString singular;
    bool namespaced = true;
    QStringList versions; // served versions, preferred first
    QStringList shortNames;
    QStringList categories;

    // A kind of Kubernetes itself rather than a CRD: no schema, no resourceVersion needed on update,
    // strategic merge patch accepted (merged as a merge patch).
    bool isBuiltIn() const;
};

struct WatchEvent {
    qint64 resourceVersion = 0;
    QString type; // ADDED, MODIFIED, DELETED
    QString group;
    QString plural;
    QString ns;
    QJsonObject object;
};

// The demo API server's storage: one store per resource whatever the version it was written
// with, resourceVersion from one counter, and an event log that watches read from.
class ObjectStore final {
public:
    // Called under the store's lock with the live object (null when it is created) and the object
    // about to be stored (identity and metadata set); returns what is stored, or refuses the write.
    using Admission = std::function<Result<QJsonObject>(const QJsonObject *live, QJsonObject next)>;

    ObjectStore();

    const QList<ResourceType> &types() const { return m_types; }
    const ResourceType *findType(const QString &group, const QString &plural) const;
    const ResourceType *findKind(const QString &group, const QString &kind) const;

    Result<QJsonObject> get(const ResourceType &type, const QString &ns, const QString &name) const;
    QList<QJsonObject> list(const ResourceType &type, const QString &ns, qint64 *resourceVersion) const;
    Result<QJsonObject> create(const ResourceType &type, const QString &ns, QJsonObject object, bool dryRun = false,
                               const Admission &admit = {});
    Result<QJsonObject> replace(const ResourceType &type, const QString &ns, const QString &name, QJsonObject object,
                                bool dryRun = false, const Admission &admit = {});
    // Reads, changes and writes the live object under one lock (kube-apiserver's GuaranteedUpdate): for
    // patches and subresources, whose requests do not carry the whole object.
    using Change = std::function<Result<QJsonObject>(const QJsonObject &live)>;
    Result<QJsonObject> update(const ResourceType &type, const QString &ns, const QString &name, const Change &change,
                               bool dryRun = false, const Admission &admit = {});
    Result<QJsonObject> mergePatch(const ResourceType &type, const QString &ns, const QString &name,
                                   const QJsonObject &patch, bool dryRun = false, const Admission &admit = {});
    // Server-side apply: `applied` is the manager's whole intent; creates the object when missing.
    Result<QJsonObject> apply(const ResourceType &type, const QString &ns, const QString &name,
                              const QJsonObject &applied, const QString &manager, bool force, bool dryRun = false,
                              const Admission &admit = {});
    Result<QJsonObject> remove(const ResourceType &type, const QString &ns, const QString &name, bool dryRun = false);

    qint64 currentResourceVersion() const;
    // Changes since the event log's position; incremented on every write, for caches.
    quint64 generation() const;
    // Events after `after` for one resource (ns empty: all namespaces), waiting up to `wait` for one.
    // Returns false when `after` is older than the log keeps (410 Gone).
    // *scanned is the resourceVersion up to which the log was read: the next call starts there.
    bool eventsAfter(qint64 after, const ResourceType &type, const QString &ns, std::chrono::milliseconds wait,
                     QList<WatchEvent> *out, qint64 *scanned) const;
    // All objects of every kind in a namespace (empty: all), for the data plane.
    QList<QJsonObject> snapshot(const QString &group, const QString &plural) const;

    static QJsonObject mergePatchJson(const QJsonObject &target, const QJsonObject &patch);

private:
    using Key = std::tuple<QString, QString, QString, QString>; // group, plural, ns, name
    Result<QJsonObject> write(const ResourceType &type, const QString &ns, const QString &name, QJsonObject object,
                              bool create, bool requireVersion, bool dryRun, const Admission &admit = {});
    std::optional<Error> identityError(const ResourceType &type, const QString &ns, const QString &name,
                                       const QJsonObject &meta) const;
    void record(const ResourceType &type, const QString &ns, const QString &eventType, const QJsonObject &object);
    void reconcileDeployment(const QString &ns, const QJsonObject &deployment, bool deleted);
    Result<QJsonObject> removeLocked(const ResourceType &type, const QString &ns, const QString &name, bool dryRun);

    QList<ResourceType> m_types;
    mutable std::mutex m_mutex;
    mutable std::condition_variable m_changed;
    std::map<Key, QJsonObject> m_objects;
    std::deque<WatchEvent> m_log;
    qint64 m_resourceVersion = 1000;
    quint64 m_generation = 0;
};

Error statusError(int code, const QString &reason, const QString &message);
QJsonObject statusJson(const Error &error);

} // namespace canary::demo
