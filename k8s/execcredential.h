#pragma once

#include "k8s/result.h"

#include <QDateTime>
#include <QJsonObject>
#include <QList>
#include <QObject>
#include <QPair>
#include <QPointer>
#include <QSslCertificate>
#include <QSslKey>
#include <QStringList>

#include <functional>

class QProcess;

namespace canary::k8s {

// users[].user.exec of a kubeconfig (client.authentication.k8s.io v1 or v1beta1).
struct ExecConfig {
    QString apiVersion;
    QString command; // resolved: absolute when it names a path, else looked up on PATH at run time
    QStringList args;
    QList<QPair<QString, QString>> env;
    QString interactiveMode; // Never, IfAvailable, Always
    bool provideClusterInfo = false;
    QString installHint;
    QString userName; // for messages
    QJsonObject clusterInfo; // spec.cluster when provideClusterInfo

    bool operator==(const ExecConfig &) const = default;
};

struct ExecCredential {
    QString token;
    QSslCertificate clientCertificate;
    QSslKey clientKey;
    QDateTime expiry; // invalid: until a 401
};

// Reads users[].user.exec with kubectl's checks (apiVersion, v1's mandatory interactiveMode).
Result<ExecConfig> parseExecConfig(const QJsonObject &exec, const QString &kubeconfigFile, const QString &userName);

// Runs the plugin off the GUI thread's critical path (QProcess, asynchronous), once for any number
// of concurrent requests, and caches its answer until expirationTimestamp or a 401.
class ExecCredentialProvider final : public QObject {
    Q_OBJECT
public:
    using Callback = std::function<void(const Result<ExecCredential> &)>;

    explicit ExecCredentialProvider(ExecConfig config, QObject *parent = nullptr);
    ~ExecCredentialProvider() override;

    void request(QObject *context, Callback callback);
    // After a 401 with this token: the cached credential is discarded and the next request runs the
    // plugin again (a 401 for an older token leaves a newer credential alone).
    void invalidate(const QString &usedToken);
    bool hasValidCredential() const;
    const ExecCredential &cached() const { return m_cached; }
    int runs() const { return m_runs; }
    QString lastStderr() const { return m_lastStderr; }

Q_SIGNALS:
    // The plugin's stderr, for the user (prompts, warnings); never its stdout, which holds secrets.
    void pluginMessage(const QString &text);

private:
    void start();
    void finish(const Result<ExecCredential> &result);

    ExecConfig m_config;
    ExecCredential m_cached;
    bool m_valid = false;
    QPointer<QProcess> m_process;
    QList<QPair<QPointer<QObject>, Callback>> m_waiting;
    int m_runs = 0;
    QString m_lastStderr;
};

} // namespace canary::k8s
