#pragma once

#include "k8s/result.h"

#include <QByteArray>
#include <QJsonObject>
#include <QObject>
#include <QPointer>
#include <QStringList>

#include <functional>

class QNetworkReply;
class QTimer;

namespace canary::k8s {

// A sentence for a request that got no HTTP answer (refused, unresolved, TLS failed), naming the server.
QString networkErrorText(const QNetworkReply *reply, bool apiServer = true);

// The handle of one request in flight: finished() fires exactly once, also on cancel or timeout.
class KubeReply final : public QObject {
    Q_OBJECT
public:
    KubeReply(QNetworkReply *reply, QString what, int timeoutMs, QObject *parent = nullptr);
    // A request whose network reply comes later (after credentials are fetched): attach() it.
    KubeReply(QString what, int timeoutMs, QObject *parent = nullptr);
    void attach(QNetworkReply *reply);
    void failWith(Error error) { fail(std::move(error)); }
    // Called on a 401; returning true means the request is sent again (and attach() follows).
    void setRetryOnUnauthorized(std::function<bool()> retry) { m_retryOnUnauthorized = std::move(retry); }
    // Sends the request again. With it, 429 is retried after Retry-After (10 times at most, as client-go
    // does) and, for reads, 500/502/503/504 with backoff (3 times), all within the request's timeout.
    void setResend(std::function<void()> resend, bool idempotent)
    {
        m_resend = std::move(resend);
        m_idempotent = idempotent;
    }
    int retries() const { return m_throttled + m_serverErrors; }
    // For messages: the request goes to another host than the API server (an absolute KubeRequest::url).
    void setExternal(bool external) { m_external = external; }
    ~KubeReply() override;

    bool isFinished() const { return m_finished; }
    // Ended by its transfer timeout, with or without an answer started.
    bool timedOut() const { return m_timedOut; }
    bool ok() const { return m_finished && m_error.message.isEmpty(); }
    int httpStatus() const { return m_status; }
    QByteArray body() const { return m_body; }
    QJsonObject json() const;
    const Error &error() const { return m_error; }
    QStringList warnings() const { return m_warnings; }

    void cancel();

Q_SIGNALS:
    void finished();

private:
    void complete();
    void fail(Error error);

    QPointer<QNetworkReply> m_reply;
    QString m_what;
    QTimer *m_timer = nullptr;
    bool m_finished = false;
    bool m_timedOut = false;
    bool m_cancelled = false;
    int m_status = 0;
    QByteArray m_body;
    Error m_error;
    QStringList m_warnings;
    std::function<bool()> m_retryOnUnauthorized;
    std::function<void()> m_resend;
    bool m_idempotent = false;
    bool m_external = false;
    int m_throttled = 0;
    int m_serverErrors = 0;
};

} // namespace canary::k8s
