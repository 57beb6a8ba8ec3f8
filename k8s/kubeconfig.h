#pragma once

#include "k8s/execcredential.h"
#include "k8s/result.h"

#include <QJsonObject>
#include <QList>
#include <QSslCertificate>
#include <QSslKey>
#include <QString>
#include <QUrl>

namespace canary::k8s {

// Overrides given on the command line, as kubectl names them.
struct KubeconfigOptions {
    QString kubeconfig; // --kubeconfig: exactly this file, which must exist
    QString context;
    QString cluster;
    QString user;
    QString ns;
    bool insecureSkipTlsVerify = false;
};

// Everything needed to talk to one cluster as one user: the resolved context.
struct ClusterEndpoint {
    QString contextName;
    QString clusterName;
    QString userName;
    QString ns = QStringLiteral("default");
    QUrl server;
    QList<QSslCertificate> caCertificates;
    bool insecureSkipTlsVerify = false;
    QString tlsServerName;
    QUrl proxyUrl;
    QJsonObject clusterExtensions; // name -> extension, e.g. "canarydeck.io/metrics"

    // Credentials: never logged, never shown.
    QString token;
    QString tokenFile;
    QString username;
    QString password;
    QSslCertificate clientCertificate;
    QSslKey clientKey;
    QString impersonateUser;
    QStringList impersonateGroups;
    bool hasExec = false;
    ExecConfig exec;

    // Everything equal: the same server, trust and user (a reread kubeconfig that changed none of them).
    bool operator==(const ClusterEndpoint &) const = default;
};

// The kubeconfig files kubectl would read, in order (--kubeconfig, else KUBECONFIG, else ~/.kube/config).
QStringList kubeconfigFiles(const KubeconfigOptions &options);
Result<ClusterEndpoint> loadKubeconfig(const KubeconfigOptions &options = {});
// The contexts of the merged configuration, for a context picker.
Result<QStringList> kubeconfigContexts(const KubeconfigOptions &options = {});

} // namespace canary::k8s
