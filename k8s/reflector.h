#pragma once

#include "k8s/watchstream.h"

#include <QElapsedTimer>
#include <QJsonObject>
#include <QList>
#include <QMap>
#include <QObject>
#include <QPointer>

#include <functional>
#include <utility>

class QNetworkReply;
class QTimer;

namespace canary::k8s {

class KubeClient;
class KubeReply;

// Keeps a store of one collection's objects current, as client-go's reflector and kube-rs's watcher
// with its store do: list (limit/continue), then watch from the list's resourceVersion with
// bookmarks; a 410 Gone lists again, a dropped stream watches again from the last resourceVersion,
// and an unreachable server is retried with exponential backoff.
// An object without metadata.managedFields: a Transform for the kinds whose owners never read them.
QJsonObject withoutManagedFields(QJsonObject object);

class Reflector final : public QObject {
    Q_OBJECT
public:
    enum class State {
        Idle, // not started, or stopped
        Listing, // a full list is under way (the first one, or again after 410 Gone)
        Watching, // the watch stream is open: the store follows the server
        Backoff, // the server did not answer or the stream broke: waiting before the next attempt
        Failed, // the server refuses the collection (forbidden, not served, bad request): start() again
    };
    Q_ENUM(State)

    Reflector(KubeClient *client, QString collectionPath, QObject *parent = nullptr);
    ~Reflector() override;

    QString path() const { return m_path; }
    // Lists from scratch, then watches. What the store holds stays until that list replaces it.
    void start();
    // Stops listing and watching; the store keeps what it holds.
    void stop();
    // Ends a backoff at once, for an owner that knows the server is back.
    void retryNow();

    State state() const { return m_state; }
    QString stateDetail() const { return m_detail; }
    QString lastResourceVersion() const { return m_resourceVersion; }

    // True once a list has completed: from then on the store holds the whole collection (as of the
    // last event while not Watching).
    bool isSynced() const { return m_synced; }
    // The store, ordered by namespace, then name.
    QList<QJsonObject> objects() const { return m_store.values(); }
    // Empty when the store holds no such object. Cluster-scoped objects have an empty namespace.
    QJsonObject object(const QString &ns, const QString &name) const { return m_store.value({ ns, name }); }
    qsizetype size() const { return m_store.size(); }

    // What the store keeps of each object, as client-go's SetTransform: an owner that never reads an
    // object's managedFields (often as large as the rest of it) drops them. Set before start().
    using Transform = std::function<QJsonObject(QJsonObject)>;
    void setTransform(Transform transform) { m_transform = std::move(transform); }

Q_SIGNALS:
    void stateChanged(canary::k8s::Reflector::State state, const QString &detail);
    // The store took an object that was added or modified.
    void applied(const QJsonObject &object);
    // An object left the store: a DELETED event, or a relist that no longer has it.
    void deleted(const QJsonObject &object);
    // A full list replaced the store (after deleted() for what it dropped): reset views over it.
    void resynced();

private:
    using Key = std::pair<QString, QString>; // namespace, name

    void list(const QString &continueToken = {});
    void finishList(const QString &resourceVersion);
    void watch();
    void onStreamData();
    void onStreamFinished();
    // After a failed attempt: list again or watch again, at once or after the backoff.
    void retry(bool relist, const QString &why, bool immediately = false);
    void fail(const QString &why);
    void dropStream();
    void attempt();
    void setState(State state, const QString &detail = {});
    static Key keyOf(const QJsonObject &object);

    KubeClient *m_client;
    QString m_path;
    State m_state = State::Idle;
    QString m_detail;
    QMap<Key, QJsonObject> m_store;
    Transform m_transform;
    bool m_synced = false;
    QString m_resourceVersion;
    QMap<Key, QJsonObject> m_listing; // the pages of the list under way
    QPointer<KubeReply> m_listReply;
    QPointer<QNetworkReply> m_stream;
    QElapsedTimer m_streamAge;
    WatchStreamDecoder m_decoder;
    QTimer *m_retry;
    QTimer *m_openDeadline; // a stream whose answer does not start is given up
    bool m_relistNext = false;
    int m_backoffMs;
    int m_expiredInRow = 0; // 410s since the last event: the first one lists again at once
    int m_generation = 0; // start() and stop() make callbacks of earlier attempts stale
};

} // namespace canary::k8s
