#pragma once

#include "k8s/watchstream.h"

#include <QJsonObject>
#include <QList>
#include <QObject>
#include <QPointer>

class QNetworkReply;
class QTimer;

namespace canary::k8s {

class KubeClient;
class KubeReply;

// list, then watch from the list's resourceVersion; on 410 Gone list again; on a dropped stream
// watch again from the last resourceVersion seen, backing off while the server is unreachable.
class KubeWatch final : public QObject {
    Q_OBJECT
public:
    enum class State { Idle, Listing, Watching, Reconnecting };
    Q_ENUM(State)

    KubeWatch(KubeClient *client, QString collectionPath, QObject *parent = nullptr);
    ~KubeWatch() override;

    void start();
    void stop();
    State state() const { return m_state; }
    QString lastResourceVersion() const { return m_resourceVersion; }

Q_SIGNALS:
    void listed(const QList<QJsonObject> &items); // a full (re)list: replace what you hold
    void changed(const QString &type, const QJsonObject &object); // ADDED, MODIFIED, DELETED
    void stateChanged(canary::k8s::KubeWatch::State state, const QString &detail);

private:
    void list(const QString &continueToken = {});
    void watch();
    void onStreamData();
    void onStreamFinished();
    void retryLater(const QString &why, bool relist);
    void setState(State state, const QString &detail = {});

    KubeClient *m_client;
    QString m_path;
    State m_state = State::Idle;
    QString m_resourceVersion;
    QList<QJsonObject> m_listed;
    QPointer<KubeReply> m_listReply;
    QPointer<QNetworkReply> m_stream;
    WatchStreamDecoder m_decoder;
    QTimer *m_retry;
    int m_backoffMs = 500;
    bool m_needRelist = false;
};

} // namespace canary::k8s
