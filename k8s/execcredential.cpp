#include "k8s/execcredential.h"

#include <QDir>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QProcess>
#include <QStandardPaths>
#include <QTimer>

namespace canary::k8s {

Result<ExecConfig> parseExecConfig(const QJsonObject &exec, const QString &kubeconfigFile, const QString &userName)
{
    ExecConfig c;
    c.userName = userName;
    c.apiVersion = exec.value(QLatin1String("apiVersion")).toString();
    const QString where = QStringLiteral("user \"%1\" in %2").arg(userName, kubeconfigFile);
    if (c.apiVersion == QLatin1String("client.authentication.k8s.io/v1alpha1"))
        return makeError(QStringLiteral("%1: exec plugin: apiVersion client.authentication.k8s.io/v1alpha1 was removed "
                                        "in Kubernetes 1.24; "
                                        "use client.authentication.k8s.io/v1 (update the plugin and kubeconfig)")
                                 .arg(where));
    if (c.apiVersion != QLatin1String("client.authentication.k8s.io/v1")
        && c.apiVersion != QLatin1String("client.authentication.k8s.io/v1beta1"))
        return makeError(
                QStringLiteral(
                        "%1: exec plugin: invalid apiVersion \"%2\" (use client.authentication.k8s.io/v1 or v1beta1)")
                        .arg(where, c.apiVersion));
    c.command = exec.value(QLatin1String("command")).toString();
    if (c.command.isEmpty())
        return makeError(QStringLiteral("%1: exec plugin: command is required").arg(where));
    // A command with a path separator is relative to the kubeconfig that names it; a bare name is looked up on PATH.
    if (c.command.contains(QLatin1Char('/')) && QFileInfo(c.command).isRelative())
        c.command = QFileInfo(kubeconfigFile).absoluteDir().filePath(c.command);
    for (const QJsonValue &a : exec.value(QLatin1String("args")).toArray())
        c.args.append(a.toString());
    for (const QJsonValue &e : exec.value(QLatin1String("env")).toArray())
        c.env.append({ e.toObject().value(QLatin1String("name")).toString(),
                       e.toObject().value(QLatin1String("value")).toString() });
    c.interactiveMode = exec.value(QLatin1String("interactiveMode")).toString();
    if (c.interactiveMode.isEmpty()) {
        if (c.apiVersion.endsWith(QLatin1String("/v1")))
            return makeError(
                    QStringLiteral("interactiveMode must be specified for %1 to use exec authentication plugin")
                            .arg(userName));
        c.interactiveMode = QStringLiteral("IfAvailable");
    }
    if (c.interactiveMode != QLatin1String("Never") && c.interactiveMode != QLatin1String("IfAvailable")
        && c.interactiveMode != QLatin1String("Always"))
        return makeError(
                QStringLiteral("%1: exec plugin: invalid interactiveMode \"%2\" (Never, IfAvailable or Always)")
                        .arg(where, c.interactiveMode));
    c.provideClusterInfo = exec.value(QLatin1String("provideClusterInfo")).toBool();
    c.installHint = exec.value(QLatin1String("installHint")).toString();
    return c;
}

ExecCredentialProvider::ExecCredentialProvider(ExecConfig config, QObject *parent)
    : QObject(parent)
    , m_config(std::move(config))
{ }

ExecCredentialProvider::~ExecCredentialProvider()
{
    if (m_process) {
        m_process->disconnect(this);
        m_process->kill();
        m_process->waitForFinished(1000);
    }
}

bool ExecCredentialProvider::hasValidCredential() const
{
    return m_valid && (!m_cached.expiry.isValid() || QDateTime::currentDateTimeUtc() < m_cached.expiry);
}

void ExecCredentialProvider::invalidate(const QString &usedToken)
{
    if (m_cached.token == usedToken)
        m_valid = false;
}

void ExecCredentialProvider::request(QObject *context, Callback callback)
{
    if (hasValidCredential()) {
        callback(m_cached);
        return;
    }
    m_waiting.append({ QPointer<QObject>(context), std::move(callback) });
    if (!m_process)
        start(); // one run serves every request waiting for it
}

void ExecCredentialProvider::finish(const Result<ExecCredential> &result)
{
    if (result) {
        m_cached = *result;
        m_valid = true;
    }
    const auto waiting = std::exchange(m_waiting, {});
    for (const auto &[context, callback] : waiting) {
        if (context)
            callback(result);
    }
}

namespace {

Result<ExecCredential> parseExecCredential(const QByteArray &out, const ExecConfig &config, const QString &where)
{
    const QJsonObject cred = QJsonDocument::fromJson(out).object();
    if (cred.value(QLatin1String("kind")).toString() != QLatin1String("ExecCredential"))
        return makeError(QStringLiteral("%1: %2 did not print an ExecCredential on stdout").arg(where, config.command));
    if (cred.value(QLatin1String("apiVersion")).toString() != config.apiVersion)
        return makeError(QStringLiteral("%1: %2 answered with apiVersion \"%3\", but the kubeconfig asks for \"%4\"")
                                 .arg(where, config.command, cred.value(QLatin1String("apiVersion")).toString(),
                                      config.apiVersion));
    const QJsonObject st = cred.value(QLatin1String("status")).toObject();
    ExecCredential c;
    c.token = st.value(QLatin1String("token")).toString();
    const QByteArray certPem = st.value(QLatin1String("clientCertificateData")).toString().toUtf8();
    const QByteArray keyPem = st.value(QLatin1String("clientKeyData")).toString().toUtf8();
    if (!certPem.isEmpty() || !keyPem.isEmpty()) {
        if (certPem.isEmpty() || keyPem.isEmpty())
            return makeError(
                    QStringLiteral("%1: the ExecCredential has only one of clientCertificateData and clientKeyData")
                            .arg(where));
        const QList<QSslCertificate> certs = QSslCertificate::fromData(certPem, QSsl::Pem);
        c.clientKey = QSslKey(keyPem, QSsl::Rsa, QSsl::Pem);
        if (c.clientKey.isNull())
            c.clientKey = QSslKey(keyPem, QSsl::Ec, QSsl::Pem);
        if (certs.isEmpty() || c.clientKey.isNull())
            return makeError(
                    QStringLiteral("%1: the ExecCredential's client certificate or key is not PEM").arg(where));
        c.clientCertificate = certs.constFirst();
    }
    if (c.token.isEmpty() && c.clientCertificate.isNull())
        return makeError(
                QStringLiteral("%1: the ExecCredential has neither status.token nor a client certificate").arg(where));
    const QString expiry = st.value(QLatin1String("expirationTimestamp")).toString();
    if (!expiry.isEmpty()) {
        c.expiry = QDateTime::fromString(expiry, Qt::ISODate);
        if (!c.expiry.isValid())
            return makeError(QStringLiteral("%1: expirationTimestamp \"%2\" is not RFC 3339").arg(where, expiry));
    }
    return c;
}

} // namespace

void ExecCredentialProvider::start()
{
    const QString where = QStringLiteral("exec plugin of user \"%1\"").arg(m_config.userName);
    if (m_config.interactiveMode == QLatin1String("Always"))
        return finish(makeError(
                QStringLiteral("%1: interactiveMode is Always, but Canary Deck has no terminal for it; run the plugin "
                               "once in a shell (for example `kubectl get ns`) so that it caches a login, or set "
                               "interactiveMode: IfAvailable")
                        .arg(where)));
    const QString program = m_config.command.contains(QLatin1Char('/'))
            ? m_config.command
            : QStandardPaths::findExecutable(m_config.command);
    if (program.isEmpty() || !QFileInfo(program).isExecutable()) {
        QString message
                = QStringLiteral(
                          "%1: executable %2 not found. It looks like you are trying to use a client-go credential "
                          "plugin that is not installed.")
                          .arg(where, m_config.command);
        if (!m_config.installHint.isEmpty())
            message += QLatin1Char(' ') + m_config.installHint.trimmed();
        return finish(makeError(message));
    }
    ++m_runs;
    auto *process = new QProcess(this);
    m_process = process;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    for (const auto &[name, value] : m_config.env)
        env.insert(name, value);
    QJsonObject spec { { QStringLiteral("interactive"), false } };
    if (m_config.provideClusterInfo)
        spec.insert(QStringLiteral("cluster"), m_config.clusterInfo);
    const QJsonObject info { { QStringLiteral("kind"), QStringLiteral("ExecCredential") },
                             { QStringLiteral("apiVersion"), m_config.apiVersion },
                             { QStringLiteral("spec"), spec } };
    env.insert(QStringLiteral("KUBERNETES_EXEC_INFO"),
               QString::fromUtf8(QJsonDocument(info).toJson(QJsonDocument::Compact)));
    process->setProcessEnvironment(env);
    process->setProgram(program);
    process->setArguments(m_config.args);
    process->setStandardInputFile(QProcess::nullDevice());
    auto *timeout = new QTimer(process);
    timeout->setSingleShot(true);
    connect(timeout, &QTimer::timeout, process, [process] { process->kill(); });
    timeout->start(120000);
    connect(process, &QProcess::readyReadStandardError, this, [this, process] {
        const QString text = QString::fromUtf8(process->readAllStandardError());
        m_lastStderr += text;
        Q_EMIT pluginMessage(text);
    });
    connect(process, &QProcess::errorOccurred, this, [this, process, where](QProcess::ProcessError error) {
        if (error != QProcess::FailedToStart)
            return;
        process->deleteLater();
        finish(makeError(
                QStringLiteral("%1: cannot start %2: %3").arg(where, m_config.command, process->errorString())));
    });
    connect(process, &QProcess::finished, this, [this, process, where](int code, QProcess::ExitStatus status) {
        process->deleteLater();
        const QByteArray out = process->readAllStandardOutput();
        if (status != QProcess::NormalExit || code != 0) {
            const QString err = m_lastStderr.trimmed().right(500);
            finish(makeError(QStringLiteral("%1: %2 failed with exit code %3%4")
                                     .arg(where, m_config.command)
                                     .arg(status == QProcess::NormalExit ? code : -1)
                                     .arg(err.isEmpty() ? QString() : QStringLiteral(": ") + err)));
            return;
        }
        // The output holds secrets: parse it, never quote it.
        finish(parseExecCredential(out, m_config, where));
    });
    m_lastStderr.clear();
    process->start();
}

} // namespace canary::k8s
