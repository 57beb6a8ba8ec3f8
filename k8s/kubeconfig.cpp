#include "k8s/kubeconfig.h"

#include "k8s/yaml.h"

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QProcessEnvironment>

namespace canary::k8s {

namespace {

struct Entry {
    QJsonObject body;
    QString file;
};

struct MergedConfig {
    QString currentContext;
    QHash<QString, Entry> clusters;
    QHash<QString, Entry> users;
    QHash<QString, Entry> contexts;
    QStringList contextOrder;
};

QString homeConfig()
{
    return QDir::homePath() + QStringLiteral("/.kube/config");
}

// kubectl skips missing files silently and, when none is left, talks to localhost:8080; we name them.
Error missingFilesError(const QStringList &missing, const KubeconfigOptions &options)
{
    if (!options.kubeconfig.isEmpty())
        return makeError(QStringLiteral("stat %1: no such file or directory (given with --kubeconfig)")
                                 .arg(missing.constFirst()));
    const QString list = missing.join(QLatin1String(", "));
    if (QProcessEnvironment::systemEnvironment().value(QStringLiteral("KUBECONFIG")).isEmpty())
        return makeError(QCoreApplication::translate("Kubeconfig",
                                                     "the kubeconfig file %1 does not exist "
                                                     "(KUBECONFIG is not set); give a kubeconfig "
                                                     "with --kubeconfig FILE or KUBECONFIG")
                                 .arg(list));
    if (missing.size() == 1)
        return makeError(QCoreApplication::translate("Kubeconfig",
                                                     "the kubeconfig file %1 named by KUBECONFIG does "
                                                     "not exist; set KUBECONFIG to an existing file, "
                                                     "or give one with --kubeconfig FILE")
                                 .arg(list));
    return makeError(QCoreApplication::translate("Kubeconfig",
                                                 "the kubeconfig files %1 named by KUBECONFIG do not "
                                                 "exist; set KUBECONFIG to existing files, or give "
                                                 "one with --kubeconfig FILE")
                             .arg(list));
}

Result<MergedConfig> loadMerged(const KubeconfigOptions &options)
{
    MergedConfig merged;
    const QStringList files = kubeconfigFiles(options);
    QStringList missing;
    for (const QString &file : files) {
        if (!QFileInfo::exists(file))
            missing.append(file);
    }
    if (!missing.isEmpty() && (!options.kubeconfig.isEmpty() || missing.size() == files.size()))
        return missingFilesError(missing, options);
    for (const QString &file : files) {
        QFile f(file);
        if (!f.exists())
            continue; // kubectl skips a missing entry of KUBECONFIG when others exist
        if (!f.open(QIODevice::ReadOnly))
            return makeError(QStringLiteral("cannot read kubeconfig %1: %2").arg(file, f.errorString()));
        const QByteArray text = f.readAll();
        if (text.trimmed().isEmpty())
            continue;
        const Result<QJsonValue> parsed = parseYaml(text);
        if (!parsed)
            return makeError(QStringLiteral("error loading config file \"%1\": %2").arg(file, parsed.error().message));
        if (!parsed->isObject()) {
            if (parsed->isNull())
                continue;
            return makeError(
                    QStringLiteral("error loading config file \"%1\": the file is not a kubeconfig mapping").arg(file));
        }
        const QJsonObject doc = parsed->toObject();
        if (merged.currentContext.isEmpty())
            merged.currentContext = doc.value(QLatin1String("current-context")).toString();
        const struct {
            const char *list;
            const char *field;
            QHash<QString, Entry> *into;
        } maps[] = { { "clusters", "cluster", &merged.clusters },
                     { "users", "user", &merged.users },
                     { "contexts", "context", &merged.contexts } };
        for (const auto &m : maps) {
            const QJsonValue listValue = doc.value(QLatin1String(m.list));
            if (!listValue.isArray() && !listValue.isNull() && !listValue.isUndefined())
                return makeError(QStringLiteral("error loading config file \"%1\": \"%2\" must be a list")
                                         .arg(file, QLatin1String(m.list)));
            for (const QJsonValue &item : listValue.toArray()) {
                const QJsonObject o = item.toObject();
                const QString name = o.value(QLatin1String("name")).toString();
                if (name.isEmpty())
                    return makeError(QStringLiteral("error loading config file \"%1\": an entry of \"%2\" has no name")
                                             .arg(file, QLatin1String(m.list)));
                if (m.into->contains(name))
                    continue; // the first file to define a name wins, whole
                m.into->insert(name, Entry { o.value(QLatin1String(m.field)).toObject(), file });
                if (m.into == &merged.contexts)
                    merged.contextOrder.append(name);
            }
        }
    }
    return merged;
}

QString resolvePath(const QString &path, const QString &file)
{
    if (path.isEmpty() || QFileInfo(path).isAbsolute())
        return path;
    return QFileInfo(file).absoluteDir().filePath(path);
}

Result<QByteArray> readBytes(const QJsonObject &body, const QString &field, const QString &file, const QString &what)
{
    const QString dataField = field + QStringLiteral("-data");
    // kubectl refuses the pair rather than silently preferring one.
    if (!body.value(dataField).toString().isEmpty() && !body.value(field).toString().isEmpty())
        return makeError(
                QStringLiteral("%1: %2 and %3 are both specified; keep only one of them").arg(what, dataField, field));
    if (body.contains(dataField)) {
        const QByteArray decoded = QByteArray::fromBase64(body.value(dataField).toString().toLatin1(),
                                                          QByteArray::AbortOnBase64DecodingErrors);
        if (decoded.isEmpty() && !body.value(dataField).toString().isEmpty())
            return makeError(QStringLiteral("%1: %2 is not valid base64").arg(what, dataField));
        return decoded;
    }
    const QString path = resolvePath(body.value(field).toString(), file);
    if (path.isEmpty())
        return QByteArray();
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return makeError(QStringLiteral("%1: unable to read %2 %3: %4").arg(what, field, path, f.errorString()));
    return f.readAll();
}

} // namespace

QStringList kubeconfigFiles(const KubeconfigOptions &options)
{
    if (!options.kubeconfig.isEmpty())
        return { options.kubeconfig };
    const QString env = QProcessEnvironment::systemEnvironment().value(QStringLiteral("KUBECONFIG"));
    if (!env.isEmpty()) {
        QStringList files;
        for (const QString &part : env.split(QLatin1Char(':'), Qt::SkipEmptyParts)) {
            if (!files.contains(part))
                files.append(part);
        }
        return files;
    }
    return { homeConfig() };
}

Result<QStringList> kubeconfigContexts(const KubeconfigOptions &options)
{
    const Result<MergedConfig> merged = loadMerged(options);
    if (!merged)
        return merged.error();
    return merged->contextOrder;
}

namespace {

Result<bool> applyCluster(ClusterEndpoint &ep, const MergedConfig &merged, const KubeconfigOptions &options)
{
    const Entry cluster = merged.clusters.value(ep.clusterName);
    const QString what = QStringLiteral("cluster \"%1\" in %2").arg(ep.clusterName, cluster.file);
    ep.server = QUrl(cluster.body.value(QLatin1String("server")).toString());
    if (!ep.server.isValid() || ep.server.host().isEmpty())
        return makeError(QStringLiteral("%1: server \"%2\" is not a valid URL (expected https://HOST:PORT)")
                                 .arg(what, cluster.body.value(QLatin1String("server")).toString()));
    ep.insecureSkipTlsVerify
            = options.insecureSkipTlsVerify || cluster.body.value(QLatin1String("insecure-skip-tls-verify")).toBool();
    ep.tlsServerName = cluster.body.value(QLatin1String("tls-server-name")).toString();
    ep.proxyUrl = QUrl(cluster.body.value(QLatin1String("proxy-url")).toString());
    const bool hasCa = cluster.body.contains(QLatin1String("certificate-authority"))
            || cluster.body.contains(QLatin1String("certificate-authority-data"));
    if (hasCa && cluster.body.value(QLatin1String("insecure-skip-tls-verify")).toBool())
        return makeError(QStringLiteral("%1: specifying a root certificates file with the insecure flag is not allowed")
                                 .arg(what));
    if (hasCa && !ep.insecureSkipTlsVerify) {
        const Result<QByteArray> ca
                = readBytes(cluster.body, QStringLiteral("certificate-authority"), cluster.file, what);
        if (!ca)
            return ca.error();
        ep.caCertificates = QSslCertificate::fromData(*ca, QSsl::Pem);
        if (ep.caCertificates.isEmpty())
            return makeError(QStringLiteral("%1: certificate-authority holds no PEM certificate").arg(what));
    }
    for (const QJsonValue &ext : cluster.body.value(QLatin1String("extensions")).toArray()) {
        const QJsonObject e = ext.toObject();
        ep.clusterExtensions.insert(e.value(QLatin1String("name")).toString(), e.value(QLatin1String("extension")));
    }
    return true;
}

// The exec credential plugin and the cluster information it may ask for (provideClusterInfo).
Result<bool> applyExec(ClusterEndpoint &ep, const QJsonObject &u, const Entry &user)
{
    const auto exec = parseExecConfig(u.value(QLatin1String("exec")).toObject(), user.file, ep.userName);
    if (!exec)
        return exec.error();
    ep.hasExec = true;
    ep.exec = *exec;
    QJsonObject info { { QStringLiteral("server"), ep.server.toString() } };
    if (!ep.tlsServerName.isEmpty())
        info.insert(QStringLiteral("tls-server-name"), ep.tlsServerName);
    if (ep.insecureSkipTlsVerify)
        info.insert(QStringLiteral("insecure-skip-tls-verify"), true);
    QByteArray caPem;
    for (const QSslCertificate &c : std::as_const(ep.caCertificates))
        caPem += c.toPem();
    if (!caPem.isEmpty())
        info.insert(QStringLiteral("certificate-authority-data"), QString::fromLatin1(caPem.toBase64()));
    if (ep.proxyUrl.isValid() && !ep.proxyUrl.isEmpty())
        info.insert(QStringLiteral("proxy-url"), ep.proxyUrl.toString());
    if (ep.clusterExtensions.contains(QLatin1String("client.authentication.k8s.io/exec")))
        info.insert(QStringLiteral("config"),
                    ep.clusterExtensions.value(QLatin1String("client.authentication.k8s.io/exec")));
    ep.exec.clusterInfo = info;
    return true;
}

Result<bool> applyClientCertificate(ClusterEndpoint &ep, const QJsonObject &u, const Entry &user,
                                    const QString &whatUser)
{
    const bool hasCert
            = u.contains(QLatin1String("client-certificate")) || u.contains(QLatin1String("client-certificate-data"));
    const bool hasKey = u.contains(QLatin1String("client-key")) || u.contains(QLatin1String("client-key-data"));
    if (hasCert != hasKey)
        return makeError(QStringLiteral("%1: client-certificate and client-key must be given together").arg(whatUser));
    if (hasCert) {
        const Result<QByteArray> cert = readBytes(u, QStringLiteral("client-certificate"), user.file, whatUser);
        if (!cert)
            return cert.error();
        const Result<QByteArray> key = readBytes(u, QStringLiteral("client-key"), user.file, whatUser);
        if (!key)
            return key.error();
        const QList<QSslCertificate> certs = QSslCertificate::fromData(*cert, QSsl::Pem);
        if (certs.isEmpty())
            return makeError(QStringLiteral("%1: client-certificate holds no PEM certificate").arg(whatUser));
        ep.clientCertificate = certs.constFirst();
        ep.clientKey = QSslKey(*key, QSsl::Rsa, QSsl::Pem);
        if (ep.clientKey.isNull())
            ep.clientKey = QSslKey(*key, QSsl::Ec, QSsl::Pem);
        if (ep.clientKey.isNull())
            return makeError(QStringLiteral("%1: client-key is not a PEM RSA or EC private key").arg(whatUser));
    }
    return true;
}

Result<bool> applyUser(ClusterEndpoint &ep, const MergedConfig &merged)
{
    if (!merged.users.contains(ep.userName))
        return makeError(QStringLiteral("user \"%1\" (of context \"%2\") was not found in the kubeconfig")
                                 .arg(ep.userName, ep.contextName));
    const Entry user = merged.users.value(ep.userName);
    const QJsonObject &u = user.body;
    const QString whatUser = QStringLiteral("user \"%1\" in %2").arg(ep.userName, user.file);
    int methods = 0;
    methods += (u.contains(QLatin1String("token")) || u.contains(QLatin1String("tokenFile"))) ? 1 : 0;
    methods += u.contains(QLatin1String("username")) || u.contains(QLatin1String("password")) ? 1 : 0;
    methods += u.contains(QLatin1String("exec")) ? 1 : 0;
    methods += u.contains(QLatin1String("auth-provider")) ? 1 : 0;
    if (methods > 1)
        return makeError(QStringLiteral("%1: more than one authentication method found; found token, basic auth, "
                                        "exec or auth-provider together")
                                 .arg(whatUser));
    if (u.contains(QLatin1String("auth-provider"))) {
        const QString provider
                = u.value(QLatin1String("auth-provider")).toObject().value(QLatin1String("name")).toString();
        if (provider == QLatin1String("gcp"))
            return makeError(QStringLiteral("%1: the gcp auth plugin has been removed; please use the "
                                            "\"gke-gcloud-auth-plugin\" kubectl/client-go credential plugin instead")
                                     .arg(whatUser));
        if (provider == QLatin1String("azure"))
            return makeError(QStringLiteral("%1: the azure auth plugin has been removed; please use kubelogin "
                                            "(https://azure.github.io/kubelogin/) instead")
                                     .arg(whatUser));
        ep.token = u.value(QLatin1String("auth-provider"))
                           .toObject()
                           .value(QLatin1String("config"))
                           .toObject()
                           .value(QLatin1String("id-token"))
                           .toString();
    }
    if (u.contains(QLatin1String("exec"))) {
        const Result<bool> exec = applyExec(ep, u, user);
        if (!exec)
            return exec.error();
    }
    if (u.contains(QLatin1String("token")))
        ep.token = u.value(QLatin1String("token")).toString();
    else if (u.contains(QLatin1String("tokenFile")))
        ep.tokenFile = resolvePath(u.value(QLatin1String("tokenFile")).toString(), user.file);
    if (ep.token.isEmpty() && !ep.tokenFile.isEmpty()) {
        // Read once now, as kubectl does, so that a missing file is named instead of ending in a 401.
        QFile f(ep.tokenFile);
        if (!f.open(QIODevice::ReadOnly))
            return makeError(
                    QStringLiteral("%1: unable to read tokenFile %2: %3").arg(whatUser, ep.tokenFile, f.errorString()));
    }
    ep.username = u.value(QLatin1String("username")).toString();
    ep.password = u.value(QLatin1String("password")).toString();
    const Result<bool> cert = applyClientCertificate(ep, u, user, whatUser);
    if (!cert)
        return cert.error();
    ep.impersonateUser = u.value(QLatin1String("as")).toString();
    for (const QJsonValue &g : u.value(QLatin1String("as-groups")).toArray())
        ep.impersonateGroups.append(g.toString());
    return true;
}

} // namespace

Result<ClusterEndpoint> loadKubeconfig(const KubeconfigOptions &options)
{
    const Result<MergedConfig> mergedResult = loadMerged(options);
    if (!mergedResult)
        return mergedResult.error();
    const MergedConfig &merged = *mergedResult;

    ClusterEndpoint ep;
    ep.contextName = options.context.isEmpty() ? merged.currentContext : options.context;
    if (ep.contextName.isEmpty() && options.cluster.isEmpty())
        return makeError(
                QStringLiteral("no context is set: the kubeconfig (%1) has no current-context; choose one with "
                               "--context or `kubectl config use-context NAME`")
                        .arg(kubeconfigFiles(options).join(QLatin1String(", "))));
    Entry context;
    if (!ep.contextName.isEmpty()) {
        if (!merged.contexts.contains(ep.contextName))
            return makeError(QStringLiteral("context was not found for specified context: %1").arg(ep.contextName));
        context = merged.contexts.value(ep.contextName);
    }
    ep.clusterName
            = options.cluster.isEmpty() ? context.body.value(QLatin1String("cluster")).toString() : options.cluster;
    ep.userName = options.user.isEmpty() ? context.body.value(QLatin1String("user")).toString() : options.user;
    ep.ns = !options.ns.isEmpty() ? options.ns : context.body.value(QLatin1String("namespace")).toString();
    if (ep.ns.isEmpty())
        ep.ns = QStringLiteral("default");

    if (!merged.clusters.contains(ep.clusterName))
        return makeError(ep.clusterName.isEmpty()
                                 ? QStringLiteral("context \"%1\" names no cluster").arg(ep.contextName)
                                 : QStringLiteral("cluster \"%1\" (of context \"%2\") was not found in the kubeconfig")
                                           .arg(ep.clusterName, ep.contextName));
    const Result<bool> cluster = applyCluster(ep, merged, options);
    if (!cluster)
        return cluster.error();
    if (!ep.userName.isEmpty()) {
        const Result<bool> user = applyUser(ep, merged);
        if (!user)
            return user.error();
    }
    return ep;
}

} // namespace canary::k8s
