#include "kubeclient.h"

#include "kubereply.h"

#include <QFile>
#include <QNetworkAccessManager>
#include <QNetworkProxy>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QSslConfiguration>
#include <QSysInfo>

namespace canary::k8s {

KubeClient::KubeClient(ClusterEndpoint endpoint, QObject *parent)
    : QObject(parent)
    , m_endpoint(std::move(endpoint))
    , m_network(new QNetworkAccessManager(this))
{
    if (m_endpoint.proxyUrl.isValid() && !m_endpoint.proxyUrl.host().isEmpty()) {
        const QUrl &p = m_endpoint.proxyUrl;
        const auto type = p.scheme().startsWith(QLatin1String("socks")) ? QNetworkProxy::Socks5Proxy : QNetworkProxy::HttpProxy;
        m_network->setProxy(QNetworkProxy(type, p.host(), quint16(p.port(type == QNetworkProxy::Socks5Proxy ? 1080 : 8080)),
                                          p.userName(), p.password()));
    }
    // No HTTP/2 for now: Qt 6.4's HTTP/2 client does not stream long-lived watch responses line by line.
}

KubeClient::~KubeClient() = default;

QString KubeClient::userAgent() const
{
    return QStringLiteral("canarydeck/%1 (linux/%2)").arg(QLatin1String(CANARYDECK_VERSION), QSysInfo::buildCpuArchitecture());
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

QNetworkRequest KubeClient::networkRequest(const KubeRequest &request) const
{
    QUrl url = m_endpoint.server;
    QString base = url.path();
    if (base.endsWith(QLatin1Char('/')))
        base.chop(1);
    url.setPath(base + request.path);
    url.setQuery(request.query);
    QNetworkRequest nr(url);
    nr.setAttribute(QNetworkRequest::Http2AllowedAttribute, false);
    nr.setRawHeader("Accept", request.accept);
    nr.setHeader(QNetworkRequest::UserAgentHeader, userAgent());
    if (!request.contentType.isEmpty())
        nr.setHeader(QNetworkRequest::ContentTypeHeader, request.contentType);
    const QString token = bearerToken();
    if (!token.isEmpty())
        nr.setRawHeader("Authorization", "Bearer " + token.toUtf8());
    else if (!m_endpoint.username.isEmpty())
        nr.setRawHeader("Authorization",
                        "Basic " + (m_endpoint.username + QLatin1Char(':') + m_endpoint.password).toUtf8().toBase64());
    if (!m_endpoint.impersonateUser.isEmpty())
        nr.setRawHeader("Impersonate-User", m_endpoint.impersonateUser.toUtf8());
    for (const QString &g : m_endpoint.impersonateGroups)
        nr.setRawHeader("Impersonate-Group", g.toUtf8());

    QSslConfiguration ssl = QSslConfiguration::defaultConfiguration();
    if (!m_endpoint.caCertificates.isEmpty())
        ssl.setCaCertificates(m_endpoint.caCertificates);
    if (m_endpoint.insecureSkipTlsVerify)
        ssl.setPeerVerifyMode(QSslSocket::VerifyNone);
    if (!m_endpoint.clientCertificate.isNull()) {
        ssl.setLocalCertificate(m_endpoint.clientCertificate);
        ssl.setPrivateKey(m_endpoint.clientKey);
    }
    nr.setSslConfiguration(ssl);
    if (!m_endpoint.tlsServerName.isEmpty())
        nr.setPeerVerifyName(m_endpoint.tlsServerName);
    return nr;
}

KubeReply *KubeClient::send(const KubeRequest &request, const QString &what)
{
    const QNetworkRequest nr = networkRequest(request);
    QNetworkReply *reply = request.body.isEmpty() && request.verb == "GET"
            ? m_network->get(nr)
            : m_network->sendCustomRequest(nr, request.verb, request.body);
    const QString description = what.isEmpty() ? QString::fromLatin1(request.verb) + QLatin1Char(' ') + request.path : what;
    return new KubeReply(reply, description, m_requestTimeoutMs > 0 ? m_requestTimeoutMs : request.timeoutMs, this);
}

QNetworkReply *KubeClient::openStream(const KubeRequest &request)
{
    QNetworkRequest nr = networkRequest(request);
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
