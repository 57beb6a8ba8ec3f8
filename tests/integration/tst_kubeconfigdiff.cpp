#include "demo/certificates.h"
#include "k8s/yaml.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QtTest>

using namespace canary;

// Differential test of kubeconfig handling: every case runs through the real `kubectl get virtualservices`
// and through `kubectl canary get` with the same files, environment and flags, against the demo cluster.
// Both succeed and see the same VirtualServices, or both fail, ours with one `error:` line naming the cause.
class TestKubeconfigDiff : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();
    void sameOutcome_data();
    void sameOutcome();

private:
    struct Outcome {
        int code = -1;
        QString out;
        QString err;
    };
    static Outcome run(const QString &program, const QStringList &args, const QProcessEnvironment &env,
                       const QString &cwd);
    bool startCluster(QProcess &process, const QStringList &args, QJsonObject *ready);
    QString expand(QString text, const QString &dir) const;
    QProcessEnvironment environment(const QString &dir, const QString &kubeconfig) const;

    QTemporaryDir m_dir;
    QProcess m_cluster;
    QProcess m_internal; // serves a certificate for DNS:api.internal only
    QList<QPair<QString, QString>> m_values; // ${NAME} -> value
    QStringList m_secrets;
    QHash<QString, QSet<QString>> m_expected; // namespace -> VirtualServices (namespace/name) in it
};

using Files = QMap<QString, QString>;

namespace {

const char kUnset[] = "(unset)";
const char kViewerToken[] = "viewer-token-4c1d9e";
const char kAliceToken[] = "alice-token-8b3f27";
const char kShadowToken[] = "shadowed-token-77aa01";
const char kWrongToken[] = "revoked-token-0d0d0d";
const char kPassword[] = "basic-Passw0rd-e5";

// The credential plugin: the token of $EXEC_USER in the demo's token file, as an ExecCredential of the
// apiVersion asked for; MODE=fail exits 1 as a plugin without a login session does.
const char kPlugin[] = R"PLUGIN(#!/bin/sh
apiv=$(printf '%s' "$KUBERNETES_EXEC_INFO" | sed 's/.*"apiVersion":"\([^"]*\)".*/\1/')
if [ "$MODE" = fail ]; then echo "demo-login: no session for $EXEC_USER; run 'demo-login' first" >&2; exit 1; fi
tok=$(grep "^[^,]*,$EXEC_USER," "$TOKENS" | cut -d, -f1)
exp=""
if [ -n "$EXPIRES_IN" ]; then exp=",\"expirationTimestamp\":\"$(date -u -d "+${EXPIRES_IN} seconds" +%Y-%m-%dT%H:%M:%SZ)\""; fi
printf '{"apiVersion":"%s","kind":"ExecCredential","status":{"token":"%s"%s}}\n' "$apiv" "$tok" "$exp"
)PLUGIN";

const char kSecondNamespace[] = R"YAML(apiVersion: v1
kind: Namespace
metadata: {name: shop}
---
apiVersion: v1
kind: Namespace
metadata: {name: quiet}
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: cart, namespace: shop}
spec:
  hosts: [cart]
  http:
  - route:
    - destination: {host: cart, subset: v1}
      weight: 90
    - destination: {host: cart, subset: v2}
      weight: 10
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: checkout, namespace: shop}
spec:
  hosts: [checkout]
  http:
  - route:
    - destination: {host: checkout}
)YAML";

QString indented(const QString &fields, int spaces)
{
    QStringList lines = fields.split(QLatin1Char('\n'), Qt::SkipEmptyParts);
    for (QString &line : lines)
        line.prepend(QString(spaces, QLatin1Char(' ')));
    return lines.join(QLatin1Char('\n')) + QLatin1Char('\n');
}

QString cluster(const QString &name, const QString &fields)
{
    return "- name: " + name + "\n  cluster:\n" + indented(fields, 4);
}

QString user(const QString &name, const QString &fields)
{
    return "- name: " + name + "\n  user:\n" + indented(fields, 4);
}

QString context(const QString &name, const QString &clusterName, const QString &userName, const QString &ns = {})
{
    QString body = "cluster: " + clusterName;
    if (!userName.isEmpty())
        body += ", user: " + userName;
    if (!ns.isEmpty())
        body += ", namespace: " + ns;
    return "- name: " + name + "\n  context: {" + body + "}\n";
}

QString kubeconfig(const QString &current, const QStringList &clusters, const QStringList &users,
                   const QStringList &contexts)
{
    QString text = "apiVersion: v1\nkind: Config\n";
    if (!current.isEmpty())
        text += "current-context: " + current + '\n';
    const auto list = [](const QString &key, const QStringList &entries) {
        return entries.isEmpty() ? QString(key + ": []\n") : QString(key + ":\n" + entries.join(QString()));
    };
    text += list("clusters", clusters) + list("users", users) + list("contexts", contexts);
    return text;
}

const QString kDemoFields = "server: ${SERVER}\ncertificate-authority-data: ${CA_DATA}";
const QString kAdminFields = "token: ${ADMIN_TOKEN}";

// One cluster, one user, one context: the usual single-file kubeconfig.
QString single(const QString &userFields, const QString &clusterFields = kDemoFields, const QString &ns = {})
{
    return kubeconfig("main", { cluster("demo", clusterFields) },
                      userFields.isEmpty() ? QStringList() : QStringList { user("u", userFields) },
                      { context("main", "demo", userFields.isEmpty() ? QString() : QString("u"), ns) });
}

QString execUser(const QString &apiVersion, const QString &extra, const QString &env = {})
{
    return "exec:\n  apiVersion: client.authentication.k8s.io/" + apiVersion + "\n  command: bin/demo-login.sh\n"
            + extra + "  env:\n  - {name: TOKENS, value: '${TOKENS_FILE}'}\n  - {name: EXEC_USER, value: alice}\n"
            + env;
}

QSet<QString> kubectlObjects(const QString &out)
{
    QSet<QString> objects;
    for (const QString &line : out.split(QLatin1Char('\n'), Qt::SkipEmptyParts)) {
        const QStringList columns = line.split(QLatin1Char(' '), Qt::SkipEmptyParts);
        if (columns.size() == 2)
            objects.insert(columns.at(0) + '/' + columns.at(1));
        else
            objects.insert("unparsable line: " + line);
    }
    return objects;
}

QSet<QString> canaryObjects(const QString &out, bool *ok)
{
    QJsonParseError error;
    const QJsonDocument doc = QJsonDocument::fromJson(out.toUtf8(), &error);
    *ok = error.error == QJsonParseError::NoError && doc.object().value("releases").isArray();
    QSet<QString> objects;
    for (const QJsonValue &r : doc.object().value("releases").toArray())
        objects.insert(r.toObject().value("namespace").toString() + '/' + r.toObject().value("name").toString());
    return objects;
}

QString describe(const QSet<QString> &objects)
{
    QStringList sorted(objects.cbegin(), objects.cend());
    sorted.sort();
    return QLatin1Char('[') + sorted.join(", ") + QLatin1Char(']');
}

} // namespace

TestKubeconfigDiff::Outcome TestKubeconfigDiff::run(const QString &program, const QStringList &args,
                                                    const QProcessEnvironment &env, const QString &cwd)
{
    QProcess p;
    p.setProcessEnvironment(env);
    p.setWorkingDirectory(cwd);
    // No terminal and no input: kubectl's prompts for a missing user read EOF, as in a script.
    p.setStandardInputFile(QProcess::nullDevice());
    p.start(program, args);
    Outcome o;
    if (!p.waitForFinished(30000)) {
        p.kill();
        p.waitForFinished(5000);
        o.err = program + " did not finish within 30 s: " + p.errorString();
        return o;
    }
    o.code = p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1;
    o.out = QString::fromUtf8(p.readAllStandardOutput());
    o.err = QString::fromUtf8(p.readAllStandardError());
    return o;
}

bool TestKubeconfigDiff::startCluster(QProcess &process, const QStringList &args, QJsonObject *ready)
{
    process.setProgram(CANARYDECK_DEMO_BINARY);
    process.setArguments(args);
    process.start();
    if (!process.waitForStarted(30000))
        return false;
    QElapsedTimer t;
    t.start();
    while (!process.canReadLine() && process.state() == QProcess::Running && t.elapsed() < 30000)
        process.waitForReadyRead(1000);
    const QString line = QString::fromUtf8(process.readLine()).trimmed();
    if (!line.startsWith("READY ")) {
        qWarning("demo cluster: %s %s", qUtf8Printable(line),
                 qUtf8Printable(QString::fromUtf8(process.readAllStandardError())));
        return false;
    }
    *ready = QJsonDocument::fromJson(line.mid(6).toUtf8()).object();
    return true;
}

QProcessEnvironment TestKubeconfigDiff::environment(const QString &dir, const QString &kubeconfig) const
{
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.remove("KUBECONFIG");
    env.remove("KUBECACHEDIR");
    env.insert("HOME", dir + "/home"); // ~/.kube/config and kubectl's discovery cache are the case's own
    if (kubeconfig != QLatin1String(kUnset))
        env.insert("KUBECONFIG", kubeconfig);
    return env;
}

QString TestKubeconfigDiff::expand(QString text, const QString &dir) const
{
    text.replace("${DIR}", dir);
    for (const auto &[name, value] : m_values)
        text.replace("${" + name + '}', value);
    return text;
}

void TestKubeconfigDiff::initTestCase()
{
    if (QStandardPaths::findExecutable("kubectl").isEmpty())
        QFAIL("kubectl is not installed: ./dev installs Debian's kubernetes-client when it is missing");
    QVERIFY(m_dir.isValid());
    const auto write = [this](const QString &name, const QByteArray &data) {
        QFile f(m_dir.filePath(name));
        const bool ok = f.open(QIODevice::WriteOnly) && f.write(data) == data.size();
        return ok ? f.fileName() : QString();
    };

    // Client certificates: RSA for a user of group dev, EC for a viewer, and one from a CA the cluster does not trust.
    const auto clientCa = demo::generateServingCertificates();
    const auto internal = demo::generateServingCertificates("DNS:api.internal");
    const auto wrongCa = demo::generateServingCertificates();
    QVERIFY(clientCa && internal && wrongCa);
    const QByteArray rsaKey = demo::generatePrivateKeyPem(demo::KeyType::Rsa2048);
    const QByteArray ecKey = demo::generatePrivateKeyPem(demo::KeyType::EcP256);
    const QByteArray strangerKey = demo::generatePrivateKeyPem(demo::KeyType::EcP256);
    const auto rsaCert = demo::signClientCertificate(*clientCa, rsaKey, "carol", { "dev" });
    const auto ecCert = demo::signClientCertificate(*clientCa, ecKey, "dave", { "canarydeck:viewers" });
    const auto strangerCert = demo::signClientCertificate(*wrongCa, strangerKey, "mallory", { "dev" });
    QVERIFY(rsaCert && ecCert && strangerCert);

    const QString tokens = write("tokens.csv",
                                 QByteArray(kViewerToken) + ",viewer,1001,\"canarydeck:viewers\"\n" + kAliceToken
                                         + ",alice,1002,dev\n");
    const QString clientCaFile = write("client-ca.crt", clientCa->caCertificatePem);
    const QString internalCert = write("internal.crt", internal->serverCertificatePem);
    const QString internalKey = write("internal.key", internal->serverKeyPem);
    QVERIFY(!tokens.isEmpty() && !clientCaFile.isEmpty() && !internalCert.isEmpty() && !internalKey.isEmpty());

    const QStringList common { "--users", "0", "--token-auth-file", tokens, "--client-ca-file", clientCaFile };
    QJsonObject ready;
    QJsonObject internalReady;
    QVERIFY(startCluster(m_cluster, common + QStringList { "--kubeconfig-out", m_dir.filePath("main/kubeconfig") },
                         &ready));
    QVERIFY(startCluster(m_internal,
                         common
                                 + QStringList { "--kubeconfig-out", m_dir.filePath("internal/kubeconfig"),
                                                 "--tls-cert-file", internalCert, "--tls-private-key-file",
                                                 internalKey },
                         &internalReady));

    const QString adminKubeconfig = ready.value("kubeconfig").toString();
    QFile kc(adminKubeconfig);
    QVERIFY(kc.open(QIODevice::ReadOnly));
    const QJsonObject config = k8s::parseYaml(kc.readAll())->toObject();
    const QJsonObject demoCluster = config.value("clusters").toArray().at(0).toObject().value("cluster").toObject();
    const QString adminToken
            = config.value("users").toArray().at(0).toObject().value("user").toObject().value("token").toString();
    QVERIFY(!adminToken.isEmpty());

    const auto data = [](const QByteArray &pem) { return QString::fromLatin1(pem.toBase64()); };
    m_values = {
        { "SERVER", demoCluster.value("server").toString() },
        { "CA_DATA", demoCluster.value("certificate-authority-data").toString() },
        { "CA_PEM",
          QString::fromLatin1(
                  QByteArray::fromBase64(demoCluster.value("certificate-authority-data").toString().toLatin1())) },
        { "WRONG_CA_DATA", data(wrongCa->caCertificatePem) },
        { "INTERNAL_SERVER", internalReady.value("api").toString() },
        { "INTERNAL_CA_DATA", data(internal->caCertificatePem) },
        { "ADMIN_TOKEN", adminToken },
        { "VIEWER_TOKEN", kViewerToken },
        { "ALICE_TOKEN", kAliceToken },
        { "SHADOW_TOKEN", kShadowToken },
        { "WRONG_TOKEN", kWrongToken },
        { "PASSWORD", kPassword },
        { "RSA_CERT", QString::fromLatin1(*rsaCert) },
        { "RSA_KEY", QString::fromLatin1(rsaKey) },
        { "EC_CERT_DATA", data(*ecCert) },
        { "EC_KEY_DATA", data(ecKey) },
        { "STRANGER_CERT_DATA", data(*strangerCert) },
        { "STRANGER_KEY_DATA", data(strangerKey) },
        { "TOKENS_FILE", tokens },
        { "PLUGIN", kPlugin },
    };
    // What must never be printed: tokens, the password, and any part of a private key (as PEM or as -data).
    m_secrets = QStringList { adminToken, kViewerToken, kAliceToken, kShadowToken, kWrongToken, kPassword };
    for (const QByteArray &key : { rsaKey, ecKey, strangerKey }) {
        m_secrets.append(QString::fromLatin1(key.split('\n').value(1)));
        m_secrets.append(data(key).mid(60, 40));
    }

    // A second namespace with VirtualServices and an empty one, so that namespace choices show.
    const QString manifest = write("shop.yaml", kSecondNamespace);
    const QString adminDir = m_dir.filePath("admin");
    QVERIFY(QDir().mkpath(adminDir + "/home"));
    Outcome applied = run("kubectl", { "apply", "-f", manifest }, environment(adminDir, adminKubeconfig), adminDir);
    QVERIFY2(applied.code == 0, qUtf8Printable(applied.err));
    const Outcome all = run("kubectl",
                            { "get", "virtualservices", "--all-namespaces", "-o",
                              "custom-columns=NS:.metadata.namespace,NAME:.metadata.name", "--no-headers" },
                            environment(adminDir, adminKubeconfig), adminDir);
    QVERIFY2(all.code == 0, qUtf8Printable(all.err));
    for (const QString &object : kubectlObjects(all.out))
        m_expected[object.section('/', 0, 0)].insert(object);
    QCOMPARE(m_expected.value("shop"), (QSet<QString> { "shop/cart", "shop/checkout" }));
    QVERIFY(m_expected.value("default").size() >= 3);
    QVERIFY(m_expected.value("quiet").isEmpty());
}

void TestKubeconfigDiff::cleanupTestCase()
{
    for (QProcess *p : { &m_cluster, &m_internal }) {
        if (p->state() != QProcess::NotRunning) {
            p->terminate();
            if (!p->waitForFinished(10000))
                p->kill();
        }
    }
}

void TestKubeconfigDiff::sameOutcome_data()
{
    QTest::addColumn<Files>("files"); // relative to the case's directory, which is the working directory
    QTest::addColumn<QString>("kubeconfigEnv"); // KUBECONFIG, or kUnset
    QTest::addColumn<QStringList>("args"); // flags given to both
    QTest::addColumn<bool>("succeeds");
    QTest::addColumn<QString>(
            "ns"); // on success: whose VirtualServices both see (the internal cluster has the same seeds)
    QTest::addColumn<QString>("ours"); // on failure: what our error line names
    QTest::addColumn<QString>("theirs"); // on failure: what kubectl's error names (the same cause)

    const QString config = "${DIR}/cfg/config";
    const QString demo = cluster("demo", kDemoFields);
    const QString admin = user("admin", kAdminFields);
    const auto ok
            = [](const char *name, const Files &files, const QString &env, const QStringList &args, const QString &ns) {
                  QTest::newRow(name) << files << env << args << true << ns << QString() << QString();
              };
    const auto fails = [](const char *name, const Files &files, const QString &env, const QStringList &args,
                          const QString &ours, const QString &theirs) {
        QTest::newRow(name) << files << env << args << false << QString() << ours << theirs;
    };

    // Credentials, one of each kind.
    ok("token", { { "cfg/config", single(kAdminFields) } }, config, {}, "default");
    ok("tokenFile, relative to its kubeconfig",
       { { "cfg/config", single("tokenFile: secrets/alice") }, { "cfg/secrets/alice", "${ALICE_TOKEN}\n" } }, config,
       {}, "default");
    fails("tokenFile missing", { { "cfg/config", single("tokenFile: secrets/nobody") } }, config, {}, "secrets/nobody",
          "secrets/nobody");
    ok("client certificate and key files, relative, RSA",
       { { "cfg/config", single("client-certificate: pki/carol.crt\nclient-key: pki/carol.key") },
         { "cfg/pki/carol.crt", "${RSA_CERT}" },
         { "cfg/pki/carol.key", "${RSA_KEY}" } },
       config, {}, "default");
    ok("client certificate and key data, EC, a viewer",
       { { "cfg/config", single("client-certificate-data: ${EC_CERT_DATA}\nclient-key-data: ${EC_KEY_DATA}") } },
       config, {}, "default");
    fails("client key file missing",
          { { "cfg/config", single("client-certificate: pki/carol.crt\nclient-key: pki/missing.key") },
            { "cfg/pki/carol.crt", "${RSA_CERT}" } },
          config, {}, "pki/missing.key", "pki/missing.key");
    fails("client key data beside a client key file",
          { { "cfg/config",
              single("client-certificate-data: ${EC_CERT_DATA}\nclient-key-data: ${EC_KEY_DATA}\nclient-key: "
                     "pki/carol.key") },
            { "cfg/pki/carol.key", "${RSA_KEY}" } },
          config, {}, "client-key-data and client-key", "client-key-data and client-key");
    fails("client certificate from an untrusted CA",
          { { "cfg/config",
              single("client-certificate-data: ${STRANGER_CERT_DATA}\nclient-key-data: ${STRANGER_KEY_DATA}") } },
          config, {}, "401", "must be logged in");
    fails("basic auth, which the demo refuses", { { "cfg/config", single("username: admin\npassword: ${PASSWORD}") } },
          config, {}, "401", "must be logged in");
    fails("token and basic auth together",
          { { "cfg/config", single("token: ${ADMIN_TOKEN}\nusername: admin\npassword: ${PASSWORD}") } }, config, {},
          "more than one authentication method", "more than one authentication method");
    fails("revoked token", { { "cfg/config", single("token: ${WRONG_TOKEN}") } }, config, {}, "401",
          "must be logged in");
    ok("viewer token, with --request-timeout", { { "cfg/config", single("token: ${VIEWER_TOKEN}") } }, config,
       { "--request-timeout", "20s" }, "default");

    // Exec credential plugins, relative command resolved against the kubeconfig's directory.
    const Files plugin { { "cfg/bin/demo-login.sh", "${PLUGIN}" } };
    const auto withPlugin = [&plugin](const QString &configText) {
        Files files = plugin;
        files.insert("cfg/config", configText);
        return files;
    };
    ok("exec v1, interactiveMode Never", withPlugin(single(execUser("v1", "  interactiveMode: Never\n"))), config, {},
       "default");
    ok("exec v1beta1, no expiry, default interactiveMode", withPlugin(single(execUser("v1beta1", {}))), config, {},
       "default");
    ok("exec v1 with expirationTimestamp and cluster info",
       withPlugin(single(execUser("v1", "  interactiveMode: IfAvailable\n  provideClusterInfo: true\n",
                                  "  - {name: EXPIRES_IN, value: '3600'}\n"))),
       config, {}, "default");
    fails("exec plugin exits 1",
          withPlugin(single(execUser("v1", "  interactiveMode: Never\n", "  - {name: MODE, value: fail}\n"))), config,
          {}, "exit code 1", "exit code 1");
    fails("exec command not found shows installHint",
          { { "cfg/config",
              single("exec:\n  apiVersion: client.authentication.k8s.io/v1beta1\n  command: "
                     "canarydeck-demo-login-not-installed\n  installHint: 'install demo-login from the demo kit'") } },
          config, {}, "install demo-login from the demo kit", "install demo-login from the demo kit");
    fails("exec v1 without interactiveMode", withPlugin(single(execUser("v1", {}))), config, {},
          "interactiveMode must be specified", "interactiveMode must be specified");

    // Which files are read, and how they merge.
    const QString shadowing
            = kubeconfig("shop", { cluster("demo", "server: ${SERVER}\ncertificate-authority-data: ${WRONG_CA_DATA}") },
                         { user("admin", "token: ${SHADOW_TOKEN}") }, { context("shop", "demo", "admin", "shop") });
    ok("two files: the first to name an entry wins, whole",
       { { "cfg/a.yaml", kubeconfig({}, { demo }, { admin }, { context("main", "demo", "admin") }) },
         { "cfg/b.yaml", shadowing } },
       "${DIR}/cfg/a.yaml:${DIR}/cfg/b.yaml", {}, "shop");
    ok("current-context from the first file that sets it; relative CA of the second file",
       { { "cfg/a.yaml", kubeconfig({}, {}, { admin }, { context("main", "far", "admin") }) },
         { "cfg/b/b.yaml",
           kubeconfig("shop", { cluster("far", "server: ${SERVER}\ncertificate-authority: ca.crt") }, {},
                      { context("shop", "far", "admin", "shop") }) },
         { "cfg/b/ca.crt", "${CA_PEM}" },
         { "cfg/c.yaml", kubeconfig("main", {}, {}, {}) } },
       "${DIR}/cfg/a.yaml:${DIR}/cfg/b/b.yaml:${DIR}/cfg/c.yaml", {}, "shop");
    ok("KUBECONFIG: empty entry, missing and empty files skipped",
       { { "cfg/empty.yaml", {} }, { "cfg/config", single(kAdminFields) } },
       "${DIR}/cfg/empty.yaml::${DIR}/cfg/missing.yaml:${DIR}/cfg/config", {}, "default");
    ok("--kubeconfig overrides KUBECONFIG, relative to the working directory",
       { { "cfg/broken.yaml", "clusters: [\n" }, { "cfg/config", single(kAdminFields) } }, "${DIR}/cfg/broken.yaml",
       { "--kubeconfig", "cfg/config" }, "default");
    fails("--kubeconfig names a missing file", { { "cfg/config", single(kAdminFields) } }, config,
          { "--kubeconfig", "cfg/missing.yaml" }, "cfg/missing.yaml", "cfg/missing.yaml");
    ok("~/.kube/config without KUBECONFIG", { { "home/.kube/config", single(kAdminFields, kDemoFields, "shop") } },
       kUnset, {}, "shop");
    // Both fail, for different reasons, deliberately: when nothing names a server kubectl tries its legacy default,
    // http://localhost:8080; we name the missing file, or say that no context is set.
    fails("KUBECONFIG of missing files does not fall back to ~/.kube/config",
          { { "home/.kube/config", single(kAdminFields) } }, "${DIR}/cfg/missing.yaml", {},
          "cfg/missing.yaml named by KUBECONFIG does not exist", "localhost:8080");
    fails("empty file", { { "cfg/config", {} } }, config, {}, "no context", "localhost:8080");
    fails("malformed YAML", { { "cfg/config", "apiVersion: v1\nclusters: [\n  - name: x\n" } }, config, {},
          "error loading config file", "error loading config file");

    // Contexts and the --context, --cluster, --user flags.
    const QString two = kubeconfig(
            "main", { demo, cluster("broken", "server: ${SERVER}\ncertificate-authority-data: ${WRONG_CA_DATA}") },
            { admin, user("basic", "username: admin\npassword: ${PASSWORD}") },
            { context("main", "demo", "admin"), context("shop", "demo", "admin", "shop"),
              context("bad", "broken", "basic"), context("ghost-user", "demo", "ghost"),
              context("ghost-cluster", "ghost", "admin") });
    ok("--context picks another context and its namespace", { { "cfg/config", two } }, config, { "--context", "shop" },
       "shop");
    ok("--cluster and --user override the context's", { { "cfg/config", two } }, config,
       { "--context", "bad", "--cluster", "demo", "--user", "admin" }, "default");
    fails("--user names a missing user", { { "cfg/config", two } }, config, { "--user", "nobody" }, "nobody", "nobody");
    fails("--cluster names a missing cluster", { { "cfg/config", two } }, config, { "--cluster", "nowhere" }, "nowhere",
          "nowhere");
    fails("unknown context", { { "cfg/config", two } }, config, { "--context", "nope" },
          "context was not found for specified context: nope", "context was not found for specified context: nope");
    fails("current-context names a missing context",
          { { "cfg/config", kubeconfig("gone", { demo }, { admin }, { context("main", "demo", "admin") }) } }, config,
          {}, "gone", "gone");
    // Deliberately stricter: kubectl goes on without credentials and asks for a username on stdin (empty here);
    // we name the missing user. Likewise for a missing cluster, where kubectl tries http://localhost:8080.
    fails("context names a missing user", { { "cfg/config", two } }, config, { "--context", "ghost-user" }, "ghost",
          "Username");
    fails("context names a missing cluster", { { "cfg/config", two } }, config, { "--context", "ghost-cluster" },
          "ghost", "localhost:8080");

    // TLS.
    fails("missing CA file",
          { { "cfg/config", single(kAdminFields, "server: ${SERVER}\ncertificate-authority: pki/ca.crt") } }, config,
          {}, "pki/ca.crt", "pki/ca.crt");
    fails("wrong CA",
          { { "cfg/config", single(kAdminFields, "server: ${SERVER}\ncertificate-authority-data: ${WRONG_CA_DATA}") } },
          config, {}, "TLS", "x509");
    fails("CA data beside a CA file",
          { { "cfg/config", single(kAdminFields, kDemoFields + "\ncertificate-authority: ca.crt") },
            { "cfg/ca.crt", "${CA_PEM}" } },
          config, {}, "certificate-authority-data and certificate-authority",
          "certificate-authority-data and certificate-authority");
    ok("insecure-skip-tls-verify without a CA",
       { { "cfg/config", single(kAdminFields, "server: ${SERVER}\ninsecure-skip-tls-verify: true") } }, config, {},
       "default");
    fails("insecure-skip-tls-verify with a CA",
          { { "cfg/config", single(kAdminFields, kDemoFields + "\ninsecure-skip-tls-verify: true") } }, config, {},
          "insecure", "insecure");
    fails("no CA: the system roots do not know the demo",
          { { "cfg/config", single(kAdminFields, "server: ${SERVER}") } }, config, {}, "TLS", "x509");
    ok("--insecure-skip-tls-verify replaces a wrong CA",
       { { "cfg/config", single(kAdminFields, "server: ${SERVER}\ncertificate-authority-data: ${WRONG_CA_DATA}") } },
       config, { "--insecure-skip-tls-verify" }, "default");
    ok("tls-server-name names the certificate's host",
       { { "cfg/config",
           single("token: ${ALICE_TOKEN}",
                  "server: ${INTERNAL_SERVER}\ncertificate-authority-data: ${INTERNAL_CA_DATA}\ntls-server-name: "
                  "api.internal") } },
       config, {}, "default");
    fails("without tls-server-name the certificate does not name 127.0.0.1",
          { { "cfg/config",
              single("token: ${ALICE_TOKEN}",
                     "server: ${INTERNAL_SERVER}\ncertificate-authority-data: ${INTERNAL_CA_DATA}") } },
          config, {}, "TLS", "x509");
    fails("tls-server-name names another host",
          { { "cfg/config",
              single("token: ${ALICE_TOKEN}",
                     "server: ${INTERNAL_SERVER}\ncertificate-authority-data: ${INTERNAL_CA_DATA}\ntls-server-name: "
                     "api.external") } },
          config, {}, "TLS", "x509");

    // Namespaces.
    ok("namespace from the context", { { "cfg/config", single(kAdminFields, kDemoFields, "shop") } }, config, {},
       "shop");
    ok("-n overrides the context's namespace", { { "cfg/config", single(kAdminFields, kDemoFields, "shop") } }, config,
       { "-n", "default" }, "default");
    ok("namespace without VirtualServices", { { "cfg/config", single(kAdminFields) } }, config,
       { "--namespace", "quiet" }, "quiet");
}

void TestKubeconfigDiff::sameOutcome()
{
    QFETCH(Files, files);
    QFETCH(QString, kubeconfigEnv);
    QFETCH(QStringList, args);
    QFETCH(bool, succeeds);
    QFETCH(QString, ns);
    QFETCH(QString, ours);
    QFETCH(QString, theirs);

    QTemporaryDir caseDir;
    QVERIFY(caseDir.isValid());
    const QString dir = caseDir.path();
    QVERIFY(QDir().mkpath(dir + "/home"));
    for (auto it = files.cbegin(); it != files.cend(); ++it) {
        const QString path = dir + '/' + it.key();
        QVERIFY(QDir().mkpath(QFileInfo(path).absolutePath()));
        QFile f(path);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(expand(it.value(), dir).toUtf8());
        f.close();
        if (path.endsWith(".sh"))
            f.setPermissions(f.permissions() | QFileDevice::ExeOwner);
    }
    for (QString &arg : args)
        arg = expand(arg, dir);
    const QProcessEnvironment env = environment(dir, expand(kubeconfigEnv, dir));

    const Outcome kubectl = run(
            "kubectl",
            QStringList { "get", "virtualservices" } + args
                    + QStringList { "-o", "custom-columns=NS:.metadata.namespace,NAME:.metadata.name", "--no-headers" },
            env, dir);
    const Outcome canary = run(CANARYDECK_CLI_BINARY, args + QStringList { "get", "-o", "json" }, env, dir);
    const QString both = "\n--- kubectl (exit " + QString::number(kubectl.code) + "):\n" + kubectl.out + kubectl.err
            + "--- kubectl canary (exit " + QString::number(canary.code) + "):\n" + canary.out + canary.err;

    bool parsed = false;
    const QSet<QString> theirObjects = kubectlObjects(kubectl.out);
    const QSet<QString> ourObjects = canaryObjects(canary.out, &parsed);
    const auto summary = [](const Outcome &o, const QSet<QString> &objects) -> QString {
        if (o.code == 0)
            return QStringLiteral("exit 0, %1 VirtualServices").arg(objects.size());
        const QStringList lines = o.err.split('\n', Qt::SkipEmptyParts);
        return QStringLiteral("exit %1: %2").arg(o.code).arg(lines.value(lines.size() - 1).left(200));
    };
    qInfo("kubectl: %s\nkubectl canary: %s", qUtf8Printable(summary(kubectl, theirObjects)),
          qUtf8Printable(summary(canary, ourObjects)));

    for (const QString &secret : std::as_const(m_secrets))
        QVERIFY2(!canary.out.contains(secret) && !canary.err.contains(secret),
                 qUtf8Printable("a secret was printed" + both));

    QVERIFY2((kubectl.code == 0) == succeeds,
             qUtf8Printable(QStringLiteral("kubectl ") + (succeeds ? "failed" : "succeeded") + both));
    QVERIFY2((canary.code == 0) == succeeds,
             qUtf8Printable(QStringLiteral("kubectl canary ") + (succeeds ? "failed" : "succeeded") + both));

    if (succeeds) {
        QVERIFY2(parsed, qUtf8Printable("not the JSON of kubectl canary get" + both));
        QVERIFY2(ourObjects == theirObjects,
                 qUtf8Printable("ours " + describe(ourObjects) + " != kubectl's " + describe(theirObjects) + both));
        QVERIFY2(ourObjects == m_expected.value(ns),
                 qUtf8Printable("expected " + describe(m_expected.value(ns)) + both));
        QVERIFY2(!canary.err.contains("error:"), qUtf8Printable(both));
        return;
    }

    QVERIFY2(canary.code > 0 && kubectl.code > 0, qUtf8Printable(both));
    QVERIFY2(canary.out.isEmpty(), qUtf8Printable(both));
    const QStringList lines = canary.err.split('\n', Qt::SkipEmptyParts);
    // One error line, last; a credential plugin's own stderr may come before it.
    QVERIFY2(!lines.isEmpty() && lines.size() <= 3 && lines.constLast().startsWith("error: "), qUtf8Printable(both));
    QCOMPARE(lines.filter(QRegularExpression("^error: ")).size(), 1);
    QVERIFY2(lines.constLast().contains(ours), qUtf8Printable("our error does not name \"" + ours + '"' + both));
    QVERIFY2(kubectl.err.contains(theirs) || kubectl.out.contains(theirs),
             qUtf8Printable("kubectl failed for another reason than \"" + theirs + '"' + both));
}

QTEST_GUILESS_MAIN(TestKubeconfigDiff)
#include "tst_kubeconfigdiff.moc"
