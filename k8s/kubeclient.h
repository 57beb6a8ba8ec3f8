#pragma once

#include "k8s/kubeconfig.h"
#include "k8s/kuberequest.h"

#include <QDateTime>
#include <QObject>

class QNetworkAccessManager;
class QNetworkReply;
class QNetworkRequest;

namespace canary::k8s {

class KubeReply;

// Talks to one cluster as one user. One QNetworkAccessManager; all I/O asynchronous.
class KubeClient final : public QObject {
    Q_OBJECT
public:
    explicit KubeClient(ClusterEndpoint endpoint, QObject *parent = nullptr);
    ~KubeClient() override;

    const ClusterEndpoint &endpoint() const { return m_endpoint; }
    // Talks to another endpoint from now on (the kubeconfig names a new server, CA or user), as the
    // same object, so whoever holds the client keeps it. Requests in flight finish on their own.
    void setEndpoint(ClusterEndpoint endpoint);
    QString userAgent() const;
    // --request-timeout: applies to every request that does not set its own (0: the request's default).
    void setRequestTimeout(int ms) { m_requestTimeoutMs = ms; }

    // The reply is parented to the client; delete it (or let the client do so) when done.
    KubeReply *send(const KubeRequest &request, const QString &what = {});
    // A long-lived response read as it arrives (watch streams); the caller owns the reply.
    QNetworkReply *openStream(const KubeRequest &request);

    QNetworkRequest networkRequest(const KubeRequest &request, const ExecCredential *credential = nullptr) const;
    // Whether url has the API server's scheme, host and port: only there do credentials go.
    bool isApiServerOrigin(const QUrl &url) const;
    // The exec credential plugin of the user, if the kubeconfig names one.
    ExecCredentialProvider *execProvider() const { return m_exec; }

Q_SIGNALS:
    void endpointChanged();

private:
    void applyEndpoint();
    void renewNetwork();
    QString bearerToken() const;
    bool usesExec(const KubeRequest &request) const;

    ClusterEndpoint m_endpoint;
    QNetworkReply *rawSend(const KubeRequest &request, const ExecCredential *credential);
    void sendWithExec(KubeReply *reply, const KubeRequest &request, bool retried);

    QNetworkAccessManager *m_network;
    ExecCredentialProvider *m_exec = nullptr;
    mutable QString m_fileToken;
    mutable QDateTime m_fileTokenReadAt;
    int m_requestTimeoutMs = 0;
};

} // namespace canary::k8s
