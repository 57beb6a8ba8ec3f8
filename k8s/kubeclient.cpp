#include "k8s/kubeclient.h"

#include "k8s/kubereply.h"

#include <QFile>
#include <QNetworkAccessManager>
#include <QNetworkProxy>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QPointer>
#include <QSslConfiguration>
#include <QSysInfo>

namespace canary::k8s {

KubeClient::KubeClient(ClusterEndpoint endpoint, QObject *parent)
    : QObject(parent)
    , m_endpoint(std::move(endpoint))
    , m_network(new QNetworkAccessManager(this))
{
    // No HTTP/2 for now: Qt 6.4's HTTP/2 client does not stream long-lived watch responses line by line.
    applyEndpoint();
}

void KubeClient::setEndpoint(ClusterEndpoint endpoint)
{
    m_endpoint = std::move(endpoint);
    m_fileToken.clear();
    if (m_exec) {
        m_exec->deleteLater(); // another user's plugin, or the same one for another cluster: run it afresh
        m_exec = nullptr;
    }
    applyEndpoint();
    Q_EMIT endpointChanged();
}

void KubeClient::applyEndpoint()
{
    QNetworkProxy proxy(QNetworkProxy::DefaultProxy);
    if (m_endpoint.proxyUrl.isValid() && !m_endpoint.proxyUrl.host().isEmpty()) {
        const QUrl &p = m_endpoint.proxyUrl;
        const auto type
                = p.scheme().startsWith(QLatin1String("socks")) ? QNetworkProxy::Socks5Proxy : QNetworkProxy::HttpProxy;
        proxy = QNetworkProxy(type, p.host(), quint16(p.port(type == QNetworkProxy::Socks5Proxy ? 1080 : 8080)),
                              p.userName(), p.password());
    }
    m_network->setProxy(proxy);
    if (m_endpoint.hasExec)
        m_exec = new ExecCredentialProvider(m_endpoint.exec, this);
}

KubeClient::~KubeClient() = default;

QString KubeClient::userAgent() const
{
    return QStringLiteral("canarydeck/%1 (linux/%2)")
            .arg(QLatin1String(CANARYDECK_VERSION), QSysInfo::buildCpuArchitecture());
}

QString KubeClient::bearerToken() const
{
    if (!m_endpoint.token.isEmpty())
        return m_endpoint.token;
    if (m_endpoint.tokenFile.isEmpty())
        return {};
    // Rotated tokens: re-read about every minute, as client-go does.
    const QDateTime now = QDateTime::currentDateTimeUtc();
    if (m_fileToken.isEmpty() || m_fileTokenReadAt.secsTo(now) >= 60) {
        QFile f(m_endpoint.tokenFile);
        if (f.open(QIODevice::ReadOnly)) {
            m_fileToken = QString::fromUtf8(f.readAll()).trimmed();
            m_fileTokenReadAt = now;
        }
    }
    return m_fileToken;
}

bool KubeClient::isApiServerOrigin(const QUrl &url) const
{
    const QUrl &api = m_endpoint.server;
    const auto port = [](const QUrl &u) {
        return u.port(u.scheme().compare(QLatin1String("https"), Qt::CaseInsensitive) == 0 ? 443 : 80);
    };
    return url.scheme().compare(api.scheme(), Qt::CaseInsensitive) == 0
            && url.host().compare(api.host(), Qt::CaseInsensitive) == 0 && port(url) == port(api);
}

bool KubeClient::usesExec(const KubeRequest &request) const
{
    return m_exec && (request.url.isEmpty() || isApiServerOrigin(request.url));
}

QNetworkRequest KubeClient::networkRequest(const KubeRequest &request, const ExecCredential *credential) const
{
    QUrl url = request.url;
    if (url.isEmpty()) {
        url = m_endpoint.server;
        QString base = url.path();
        if (base.endsWith(QLatin1Char('/')))
            base.chop(1);
        url.setPath(base + request.path);
        url.setQuery(request.query);
    }
    QNetworkRequest nr(url);
    nr.setAttribute(QNetworkRequest::Http2AllowedAttribute, false);
    nr.setRawHeader("Accept", request.accept);
    nr.setHeader(QNetworkRequest::UserAgentHeader, userAgent());
    if (!request.contentType.isEmpty())
        nr.setHeader(QNetworkRequest::ContentTypeHeader, request.contentType);
    QSslConfiguration ssl = QSslConfiguration::defaultConfiguration();
    if (!isApiServerOrigin(url)) {
        // Another host (a metrics endpoint) goes through the kubeconfig's proxy, the manager's, and may be
        // served with the cluster's CA; it gets no credentials, no impersonation, and the API server's
        // TLS exceptions (insecure-skip-tls-verify, tls-server-name) are not its own.
        ssl.addCaCertificates(m_endpoint.caCertificates);
        nr.setSslConfiguration(ssl);
        return nr;
    }
    // Qt keeps the headers on a redirect: one to another host would carry the credentials there.
    nr.setAttribute(QNetworkRequest::RedirectPolicyAttribute, QNetworkRequest::SameOriginRedirectPolicy);
    const QString token = credential && !credential->token.isEmpty() ? credential->token : bearerToken();
    if (!token.isEmpty())
        nr.setRawHeader("Authorization", "Bearer " + token.toUtf8());
    else if (!m_endpoint.username.isEmpty())
        nr.setRawHeader("Authorization",
                        "Basic " + (m_endpoint.username + QLatin1Char(':') + m_endpoint.password).toUtf8().toBase64());
    if (!m_endpoint.impersonateUser.isEmpty())
        nr.setRawHeader("Impersonate-User", m_endpoint.impersonateUser.toUtf8());
    for (const QString &g : m_endpoint.impersonateGroups)
        nr.setRawHeader("Impersonate-Group", g.toUtf8());

    if (!m_endpoint.caCertificates.isEmpty())
        ssl.setCaCertificates(m_endpoint.caCertificates);
    if (m_endpoint.insecureSkipTlsVerify)
        ssl.setPeerVerifyMode(QSslSocket::VerifyNone);
    if (credential && !credential->clientCertificate.isNull()) {
        ssl.setLocalCertificate(credential->clientCertificate);
        ssl.setPrivateKey(credential->clientKey);
    } else if (!m_endpoint.clientCertificate.isNull()) {
        ssl.setLocalCertificate(m_endpoint.clientCertificate);
        ssl.setPrivateKey(m_endpoint.clientKey);
    }
    nr.setSslConfiguration(ssl);
    if (!m_endpoint.tlsServerName.isEmpty())
        nr.setPeerVerifyName(m_endpoint.tlsServerName);
    return nr;
}

QNetworkReply *KubeClient::rawSend(const KubeRequest &request, const ExecCredential *credential)
{
    const QNetworkRequest nr = networkRequest(request, credential);
    return request.body.isEmpty() && request.verb == "GET"
            ? m_network->get(nr)
            : m_network->sendCustomRequest(nr, request.verb, request.body);
}

KubeReply *KubeClient::send(const KubeRequest &request, const QString &what)
{
    const QString target
            = request.url.isEmpty() ? request.path : request.url.toString(QUrl::RemoveUserInfo | QUrl::RemoveQuery);
    const QString description = what.isEmpty() ? QString::fromLatin1(request.verb) + QLatin1Char(' ') + target : what;
    auto *reply = new KubeReply(description, m_requestTimeoutMs > 0 ? m_requestTimeoutMs : request.timeoutMs, this);
    reply->setExternal(!request.url.isEmpty() && !isApiServerOrigin(request.url));
    const bool exec = usesExec(request);
    reply->setResend(
            [this, reply, request, exec] {
                if (exec)
                    sendWithExec(reply, request, true);
                else
                    reply->attach(rawSend(request, nullptr));
            },
            request.verb == "GET");
    if (exec)
        sendWithExec(reply, request, false);
    else
        reply->attach(rawSend(request, nullptr));
    connect(reply, &KubeReply::finished, this, [this, reply, used = QPointer<QNetworkAccessManager>(m_network)] {
        if (reply->timedOut() && reply->httpStatus() == 0 && used == m_network)
            renewNetwork();
    });
    return reply;
}

void KubeClient::renewNetwork()
{
    // Qt 6.4 leaves a manager hung for good once a proxy closed a connection it had accepted (a load
    // balancer without a backend does that): after a request got no answer at all, the next ones go
    // through a new manager, and the old one goes when its last reply does.
    QNetworkAccessManager *old = std::exchange(m_network, new QNetworkAccessManager(this));
    m_network->setProxy(old->proxy());
    const QList<QNetworkReply *> replies = old->findChildren<QNetworkReply *>(Qt::FindDirectChildrenOnly);
    if (replies.isEmpty()) {
        old->deleteLater();
        return;
    }
    auto remaining = std::make_shared<qsizetype>(replies.size());
    for (QNetworkReply *r : replies) {
        connect(r, &QObject::destroyed, old, [old, remaining] {
            if (--*remaining == 0)
                old->deleteLater();
        });
    }
}

void KubeClient::sendWithExec(KubeReply *reply, const KubeRequest &request, bool retried)
{
    m_exec->request(reply, [this, reply, request, retried](const Result<ExecCredential> &credential) {
        if (!credential) {
            reply->failWith(credential.error());
            return;
        }
        const QString usedToken = credential->token;
        if (!retried) {
            // client-go's rule: a 401 discards the credential and runs the plugin again, once.
            reply->setRetryOnUnauthorized([this, reply, request, usedToken] {
                m_exec->invalidate(usedToken);
                sendWithExec(reply, request, true);
                return true;
            });
        }
        reply->attach(rawSend(request, &*credential));
    });
}

QNetworkReply *KubeClient::openStream(const KubeRequest &request)
{
    // Streams use the cached exec credential; when there is none the stream gets a 401, and the watch
    // lists again through send(), which runs the plugin.
    QNetworkRequest nr
            = networkRequest(request, usesExec(request) && m_exec->hasValidCredential() ? &m_exec->cached() : nullptr);
    nr.setTransferTimeout(0);
    // Events must arrive as they happen, not when a compressor's buffer fills.
    nr.setRawHeader("Accept-Encoding", "identity");
    // A stream holds its connection for minutes; Qt allows six per host and manager, so each stream
    // gets a manager of its own and requests are never queued behind watches.
    auto *streams = new QNetworkAccessManager(this);
    streams->setProxy(m_network->proxy());
    QNetworkReply *reply = streams->get(nr);
    connect(reply, &QObject::destroyed, streams, &QObject::deleteLater);
    return reply;
}

} // namespace canary::k8s
