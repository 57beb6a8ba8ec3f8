#include "cli/canarycli.h"
#include "k8s/kubeclient.h"
#include "k8s/kubeconfig.h"
#include "k8s/kubereply.h"
#include "k8s/yaml.h"
#include "tests/support/testcluster.h"

#include <QJsonArray>
#include <QProcess>
#include <QSignalSpy>
#include <QtTest>

using namespace canary;

// Exec credential plugins against the demo cluster, with a real plugin program.
class TestExec : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void init();
    void concurrentRequestsRunThePluginOnce_data();
    void concurrentRequestsRunThePluginOnce();
    void expiryRunsItAgain();
    void unauthorizedRunsItAgainOnce();
    void failingPluginReachesTheUser();
    void missingCommandShowsInstallHint();
    void configErrors_data();
    void configErrors();
    void kubectlAndPluginAgree();

private:
    QString writeKubeconfig(const QString &apiVersion, const QString &mode, int expiresIn = 0,
                            const QString &command = QStringLiteral("./plugin.sh"),
                            const QString &extra = QStringLiteral("      interactiveMode: Never\n"));
    int runs() const;
    k8s::KubeReply *get(k8s::KubeClient &client);

    std::unique_ptr<test::TestCluster> m_cluster;
    QTemporaryDir m_dir;
    QString m_token;
    QString m_server;
    QString m_ca;
};

static const char kPlugin[] = R"PLUGIN(#!/bin/sh
n=$(cat "$COUNTER" 2>/dev/null || echo 0); n=$((n+1)); echo $n > "$COUNTER"
echo "plugin run $n" >&2
apiv=$(printf '%s' "$KUBERNETES_EXEC_INFO" | sed 's/.*"apiVersion":"\([^"]*\)".*/\1/')
case "$MODE" in
fail) echo "login required: run 'demo login' first" >&2; exit 3 ;;
garbage) echo "not json"; exit 0 ;;
wrongversion) apiv=client.authentication.k8s.io/v1alpha1 ;;
esac
tok=$TOKEN
if [ "$MODE" = wrongfirst ] && [ "$n" -eq 1 ]; then tok=wrong-token; fi
exp=""
if [ -n "$EXPIRES_IN" ] && [ "$EXPIRES_IN" != 0 ]; then exp=",\"expirationTimestamp\":\"$(date -u -d "+${EXPIRES_IN} seconds" +%Y-%m-%dT%H:%M:%SZ)\""; fi
printf '{"apiVersion":"%s","kind":"ExecCredential","status":{"token":"%s"%s}}\n' "$apiv" "$tok" "$exp"
)PLUGIN";

void TestExec::initTestCase()
{
    m_cluster = std::make_unique<test::TestCluster>(0);
    QVERIFY2(m_cluster->ok(), qPrintable(m_cluster->error()));
    QFile kc(m_cluster->endpoints().kubeconfig);
    QVERIFY(kc.open(QIODevice::ReadOnly));
    const QJsonObject config = k8s::parseYaml(kc.readAll())->toObject();
    m_token = config.value(QLatin1String("users"))
                      .toArray()
                      .at(0)
                      .toObject()
                      .value(QLatin1String("user"))
                      .toObject()
                      .value(QLatin1String("token"))
                      .toString();
    const QJsonObject cluster = config.value(QLatin1String("clusters"))
                                        .toArray()
                                        .at(0)
                                        .toObject()
                                        .value(QLatin1String("cluster"))
                                        .toObject();
    m_server = cluster.value(QLatin1String("server")).toString();
    m_ca = cluster.value(QLatin1String("certificate-authority-data")).toString();
    QFile plugin(m_dir.filePath(QStringLiteral("plugin.sh")));
    QVERIFY(plugin.open(QIODevice::WriteOnly));
    plugin.write(kPlugin);
    plugin.close();
    plugin.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner);
}

void TestExec::init()
{
    QFile::remove(m_dir.filePath(QStringLiteral("counter")));
}

QString TestExec::writeKubeconfig(const QString &apiVersion, const QString &mode, int expiresIn, const QString &command,
                                  const QString &extra)
{
    const QString path = m_dir.filePath(QStringLiteral("kubeconfig-%1").arg(mode));
    QFile f(path);
    f.open(QIODevice::WriteOnly);
    f.write(QStringLiteral("apiVersion: v1\nkind: Config\ncurrent-context: exec\n"
                           "clusters:\n- name: demo\n  cluster:\n    server: %1\n    certificate-authority-data: %2\n"
                           "users:\n- name: sso-user\n  user:\n    exec:\n      apiVersion: %3\n      command: %4\n%5"
                           "      installHint: \"Install it with: apt install demo-login\"\n"
                           "      env:\n      - {name: COUNTER, value: '%6'}\n      - {name: TOKEN, value: '%7'}\n"
                           "      - {name: MODE, value: '%8'}\n      - {name: EXPIRES_IN, value: '%9'}\n"
                           "contexts:\n- name: exec\n  context: {cluster: demo, user: sso-user}\n")
                    .arg(m_server, m_ca, apiVersion, command, extra, m_dir.filePath(QStringLiteral("counter")), m_token,
                         mode)
                    .arg(expiresIn)
                    .toUtf8());
    return path;
}

int TestExec::runs() const
{
    QFile f(m_dir.filePath(QStringLiteral("counter")));
    return f.open(QIODevice::ReadOnly) ? f.readAll().trimmed().toInt() : 0;
}

k8s::KubeReply *TestExec::get(k8s::KubeClient &client)
{
    return client.send(
            k8s::KubeRequest::get(QStringLiteral("/apis/networking.istio.io/v1/namespaces/default/virtualservices")));
}

void TestExec::concurrentRequestsRunThePluginOnce_data()
{
    QTest::addColumn<QString>("apiVersion");
    QTest::newRow("v1") << QStringLiteral("client.authentication.k8s.io/v1");
    QTest::newRow("v1beta1") << QStringLiteral("client.authentication.k8s.io/v1beta1");
}

void TestExec::concurrentRequestsRunThePluginOnce()
{
    QFETCH(QString, apiVersion);
    k8s::KubeconfigOptions options;
    options.kubeconfig = writeKubeconfig(apiVersion, QStringLiteral("ok"));
    const auto ep = k8s::loadKubeconfig(options);
    QVERIFY2(ep.ok(), qPrintable(ep.ok() ? QString() : ep.error().message));
    k8s::KubeClient client(*ep);
    QList<k8s::KubeReply *> replies;
    for (int i = 0; i < 10; ++i)
        replies.append(get(client));
    for (k8s::KubeReply *r : replies)
        QTRY_VERIFY_WITH_TIMEOUT(r->isFinished(), 20000);
    for (k8s::KubeReply *r : replies)
        QVERIFY2(r->ok(), qPrintable(r->error().message));
    QCOMPARE(runs(), 1);
    QVERIFY(get(client) != nullptr);
    QTRY_COMPARE(runs(), 1); // cached: no expiry given, valid until a 401
}

void TestExec::expiryRunsItAgain()
{
    k8s::KubeconfigOptions options;
    options.kubeconfig
            = writeKubeconfig(QStringLiteral("client.authentication.k8s.io/v1"), QStringLiteral("expiring"), 2);
    k8s::KubeClient client(*k8s::loadKubeconfig(options));
    k8s::KubeReply *first = get(client);
    QTRY_VERIFY_WITH_TIMEOUT(first->isFinished(), 20000);
    QVERIFY(first->ok());
    k8s::KubeReply *cached = get(client);
    QTRY_VERIFY_WITH_TIMEOUT(cached->isFinished(), 20000);
    QCOMPARE(runs(), 1);
    QTest::qWait(3100);
    k8s::KubeReply *later = get(client);
    QTRY_VERIFY_WITH_TIMEOUT(later->isFinished(), 20000);
    QVERIFY(later->ok());
    QCOMPARE(runs(), 2);
}

void TestExec::unauthorizedRunsItAgainOnce()
{
    k8s::KubeconfigOptions options;
    options.kubeconfig
            = writeKubeconfig(QStringLiteral("client.authentication.k8s.io/v1"), QStringLiteral("wrongfirst"));
    k8s::KubeClient client(*k8s::loadKubeconfig(options));
    k8s::KubeReply *reply = get(client);
    QTRY_VERIFY_WITH_TIMEOUT(reply->isFinished(), 20000);
    QVERIFY2(reply->ok(), qPrintable(reply->error().message));
    QCOMPARE(runs(), 2); // 401 with the first token, the plugin again, the request again
    // A plugin whose every token is refused: run again once, then the 401 is reported.
    init();
    QFile::copy(m_dir.filePath(QStringLiteral("plugin.sh")), m_dir.filePath(QStringLiteral("plugin-bad.sh")));
    QString badConfig = writeKubeconfig(QStringLiteral("client.authentication.k8s.io/v1"), QStringLiteral("ok"));
    QFile f(badConfig);
    f.open(QIODevice::ReadOnly);
    QString text = QString::fromUtf8(f.readAll()).replace(m_token, QStringLiteral("revoked"));
    f.close();
    f.open(QIODevice::WriteOnly | QIODevice::Truncate);
    f.write(text.toUtf8());
    f.close();
    options.kubeconfig = badConfig;
    k8s::KubeClient refused(*k8s::loadKubeconfig(options));
    k8s::KubeReply *denied = get(refused);
    QTRY_VERIFY_WITH_TIMEOUT(denied->isFinished(), 20000);
    QCOMPARE(denied->httpStatus(), 401);
    QCOMPARE(runs(), 2);
    QVERIFY(!denied->error().message.contains(QLatin1String("revoked")));
}

void TestExec::failingPluginReachesTheUser()
{
    k8s::KubeconfigOptions options;
    options.kubeconfig = writeKubeconfig(QStringLiteral("client.authentication.k8s.io/v1"), QStringLiteral("fail"));
    k8s::KubeClient client(*k8s::loadKubeconfig(options));
    QSignalSpy messages(client.execProvider(), &k8s::ExecCredentialProvider::pluginMessage);
    k8s::KubeReply *reply = get(client);
    QTRY_VERIFY_WITH_TIMEOUT(reply->isFinished(), 20000);
    QVERIFY(!reply->ok());
    QVERIFY2(reply->error().message.contains(QLatin1String("failed with exit code 3"))
                     && reply->error().message.contains(QLatin1String("login required: run 'demo login' first")),
             qPrintable(reply->error().message));
    QVERIFY(!messages.isEmpty());
    // An answer that is not an ExecCredential is refused without quoting it (it may hold secrets).
    options.kubeconfig = writeKubeconfig(QStringLiteral("client.authentication.k8s.io/v1"), QStringLiteral("garbage"));
    k8s::KubeClient garbage(*k8s::loadKubeconfig(options));
    k8s::KubeReply *bad = get(garbage);
    QTRY_VERIFY_WITH_TIMEOUT(bad->isFinished(), 20000);
    QVERIFY2(bad->error().message.contains(QLatin1String("did not print an ExecCredential"))
                     && !bad->error().message.contains(QLatin1String("not json")),
             qPrintable(bad->error().message));
    options.kubeconfig
            = writeKubeconfig(QStringLiteral("client.authentication.k8s.io/v1"), QStringLiteral("wrongversion"));
    k8s::KubeClient wrongVersion(*k8s::loadKubeconfig(options));
    k8s::KubeReply *mismatch = get(wrongVersion);
    QTRY_VERIFY_WITH_TIMEOUT(mismatch->isFinished(), 20000);
    QVERIFY2(mismatch->error().message.contains(
                     QLatin1String("but the kubeconfig asks for \"client.authentication.k8s.io/v1\"")),
             qPrintable(mismatch->error().message));
}

void TestExec::missingCommandShowsInstallHint()
{
    k8s::KubeconfigOptions options;
    options.kubeconfig
            = writeKubeconfig(QStringLiteral("client.authentication.k8s.io/v1beta1"), QStringLiteral("missing"), 0,
                              QStringLiteral("demo-login-not-installed"), QString());
    k8s::KubeClient client(*k8s::loadKubeconfig(options));
    k8s::KubeReply *reply = get(client);
    QTRY_VERIFY_WITH_TIMEOUT(reply->isFinished(), 20000);
    QVERIFY2(reply->error().message.contains(QLatin1String("executable demo-login-not-installed not found"))
                     && reply->error().message.contains(QLatin1String("Install it with: apt install demo-login")),
             qPrintable(reply->error().message));
}

void TestExec::configErrors_data()
{
    QTest::addColumn<QString>("apiVersion");
    QTest::addColumn<QString>("extra");
    QTest::addColumn<QString>("expected");
    QTest::newRow("v1 needs interactiveMode")
            << QStringLiteral("client.authentication.k8s.io/v1") << QString()
            << QStringLiteral("interactiveMode must be specified for sso-user to use exec authentication plugin");
    QTest::newRow("v1alpha1 removed") << QStringLiteral("client.authentication.k8s.io/v1alpha1")
                                      << QStringLiteral("      interactiveMode: Never\n")
                                      << QStringLiteral("was removed in Kubernetes 1.24");
    QTest::newRow("bad mode") << QStringLiteral("client.authentication.k8s.io/v1")
                              << QStringLiteral("      interactiveMode: Sometimes\n")
                              << QStringLiteral("invalid interactiveMode \"Sometimes\"");
}

void TestExec::configErrors()
{
    QFETCH(QString, apiVersion);
    QFETCH(QString, extra);
    QFETCH(QString, expected);
    k8s::KubeconfigOptions options;
    options.kubeconfig = writeKubeconfig(apiVersion, QStringLiteral("config"), 0, QStringLiteral("./plugin.sh"), extra);
    const auto ep = k8s::loadKubeconfig(options);
    QVERIFY(!ep.ok());
    QVERIFY2(ep.error().message.contains(expected), qPrintable(ep.error().message));
}

void TestExec::kubectlAndPluginAgree()
{
    const QString kubeconfig = writeKubeconfig(QStringLiteral("client.authentication.k8s.io/v1"), QStringLiteral("ok"));
    QProcess kubectl;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("KUBECONFIG"), kubeconfig);
    env.insert(QStringLiteral("HOME"), m_dir.path());
    kubectl.setProcessEnvironment(env);
    kubectl.start(
            QStringLiteral("kubectl"),
            { QStringLiteral("get"), QStringLiteral("virtualservices"), QStringLiteral("-o"), QStringLiteral("name") });
    QVERIFY(kubectl.waitForFinished(60000));
    QCOMPARE(kubectl.exitCode(), 0);
    QStringList theirs
            = QString::fromUtf8(kubectl.readAllStandardOutput()).split(QLatin1Char('\n'), Qt::SkipEmptyParts);
    for (QString &n : theirs)
        n = n.section(QLatin1Char('/'), 1);
    QString out;
    QString err;
    QTextStream o(&out);
    QTextStream e(&err);
    QCOMPARE(cli::run({ QStringLiteral("get"), QStringLiteral("--kubeconfig"), kubeconfig, QStringLiteral("-o"),
                        QStringLiteral("json") },
                      o, e),
             0);
    o.flush();
    QStringList ours;
    for (const QJsonValue &r :
         QJsonDocument::fromJson(out.toUtf8()).object().value(QLatin1String("releases")).toArray())
        ours.append(r.toObject().value(QLatin1String("name")).toString());
    theirs.sort();
    ours.sort();
    QCOMPARE(ours, theirs);
}

QTEST_GUILESS_MAIN(TestExec)
#include "tst_exec.moc"
