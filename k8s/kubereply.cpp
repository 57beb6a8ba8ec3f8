#include "k8s/kubereply.h"

#include "k8s/kubeerror.h"

#include <QJsonDocument>
#include <QNetworkReply>
#include <QTimer>

namespace canary::k8s {

QString networkErrorText(const QNetworkReply *reply, bool apiServer)
{
    const QString url = reply->url().adjusted(QUrl::RemoveQuery | QUrl::RemovePath | QUrl::RemoveUserInfo).toString();
    if (!apiServer) {
        switch (reply->error()) {
        case QNetworkReply::ConnectionRefusedError:
            return QStringLiteral("cannot reach %1: connection refused").arg(url);
        case QNetworkReply::HostNotFoundError: return QStringLiteral("cannot reach %1: host not found").arg(url);
        default: return QStringLiteral("request to %1 failed: %2").arg(url, reply->errorString());
        }
    }
    switch (reply->error()) {
    case QNetworkReply::ConnectionRefusedError:
        return QStringLiteral("cannot reach the API server at %1: connection refused (is the cluster running?)")
                .arg(url);
    case QNetworkReply::HostNotFoundError:
        return QStringLiteral("cannot reach the API server at %1: host not found").arg(url);
    case QNetworkReply::SslHandshakeFailedError:
        return QStringLiteral("TLS handshake with %1 failed: %2 (check certificate-authority, tls-server-name or "
                              "client certificate in your kubeconfig)")
                .arg(url, reply->errorString());
    default: return QStringLiteral("request to %1 failed: %2").arg(url, reply->errorString());
    }
}

KubeReply::KubeReply(QNetworkReply *reply, QString what, int timeoutMs, QObject *parent)
    : KubeReply(std::move(what), timeoutMs, parent)
{
    attach(reply);
}

void KubeReply::attach(QNetworkReply *reply)
{
    if (m_finished) {
        reply->abort();
        reply->deleteLater();
        return;
    }
    m_reply = reply;
    connect(reply, &QNetworkReply::finished, this, &KubeReply::complete);
}

KubeReply::KubeReply(QString what, int timeoutMs, QObject *parent)
    : QObject(parent)
    , m_what(std::move(what))
{
    if (timeoutMs > 0) {
        m_timer = new QTimer(this);
        m_timer->setSingleShot(true);
        connect(m_timer, &QTimer::timeout, this, [this, timeoutMs] {
            m_timedOut = true;
            if (m_reply) {
                m_reply->disconnect(this);
                m_reply->abort();
            }
            fail(makeError((m_external ? QStringLiteral("%1: no answer within %2 s")
                                       : QStringLiteral("%1: the API server did not answer within %2 s"))
                                   .arg(m_what)
                                   .arg(timeoutMs / 1000.0)));
        });
        m_timer->start(timeoutMs);
    }
}

KubeReply::~KubeReply()
{
    if (m_reply) {
        m_reply->disconnect(this);
        m_reply->abort();
        m_reply->deleteLater();
    }
}

QJsonObject KubeReply::json() const
{
    return QJsonDocument::fromJson(m_body).object();
}

void KubeReply::cancel()
{
    if (m_finished)
        return;
    m_cancelled = true;
    if (m_reply) {
        m_reply->disconnect(this);
        m_reply->abort();
    }
    fail(makeError(QStringLiteral("%1: cancelled").arg(m_what)));
}

void KubeReply::fail(Error error)
{
    if (m_finished)
        return;
    m_finished = true;
    m_error = std::move(error);
    if (m_timer)
        m_timer->stop();
    Q_EMIT finished();
}

void KubeReply::complete()
{
    if (m_finished || !m_reply)
        return;
    m_status = m_reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    if (m_status == 401 && m_retryOnUnauthorized) {
        const auto retry = std::exchange(m_retryOnUnauthorized, {});
        QNetworkReply *old = m_reply;
        m_reply = nullptr;
        old->disconnect(this);
        old->deleteLater();
        if (retry())
            return; // fresh credentials, same request: attach() follows
        m_reply = old;
    }
    const bool throttled = m_status == 429 && m_throttled < 10;
    const bool serverError = (m_status == 500 || m_status == 502 || m_status == 503 || m_status == 504) && m_idempotent
            && m_serverErrors < 3;
    if (m_resend && (throttled || serverError)) {
        int delayMs = 500 << m_serverErrors;
        if (throttled) {
            const int seconds = m_reply->rawHeader("Retry-After").toInt();
            delayMs = qBound(100, (seconds > 0 ? seconds : 1) * 1000, 30000);
            ++m_throttled;
        } else {
            ++m_serverErrors;
        }
        m_reply->disconnect(this);
        m_reply->deleteLater();
        m_reply = nullptr;
        QTimer::singleShot(delayMs, this, [this] {
            if (!m_finished)
                m_resend();
        });
        return;
    }
    m_body = m_reply->readAll();
    for (const auto &header : m_reply->rawHeaderPairs()) {
        if (header.first.compare("Warning", Qt::CaseInsensitive) == 0) {
            // warn-code SP warn-agent SP quoted-string [SP date]; the text may hold \" and \\.
            const QString raw = QString::fromUtf8(header.second);
            const int quote = raw.indexOf(QLatin1Char('"'));
            if (quote < 0) {
                m_warnings.append(raw.trimmed());
                continue;
            }
            QString text;
            for (int i = quote + 1; i < raw.size() && raw.at(i) != QLatin1Char('"'); ++i) {
                if (raw.at(i) == QLatin1Char('\\') && i + 1 < raw.size())
                    ++i;
                text += raw.at(i);
            }
            m_warnings.append(text);
        }
    }
    if (m_status == 0) {
        fail(makeError(networkErrorText(m_reply, !m_external)));
        return;
    }
    if (m_status >= 400) {
        fail(decodeStatus(m_status, m_body, m_what));
        return;
    }
    m_finished = true;
    if (m_timer)
        m_timer->stop();
    Q_EMIT finished();
}

} // namespace canary::k8s
