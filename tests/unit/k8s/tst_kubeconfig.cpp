#include "demo/certificates.h"
#include "k8s/kubeconfig.h"

#include <QTemporaryDir>
#include <QtTest>

using namespace canary;

class TestKubeconfig : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void init();
    void resolve_data();
    void resolve();
    void mergeFirstWins();
    void missingFilesAreNamed_data();
    void missingFilesAreNamed();
    void relativePathsResolveAgainstTheirFile();
    void rereadEndpointsCompare();

private:
    void write(const QString &name, const QByteArray &text);
    std::unique_ptr<QTemporaryDir> m_dir;
};

void TestKubeconfig::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    qunsetenv("KUBECONFIG");
}

void TestKubeconfig::write(const QString &name, const QByteArray &text)
{
    QDir().mkpath(QFileInfo(m_dir->filePath(name)).absolutePath());
    QFile f(m_dir->filePath(name));
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write(text);
}

void TestKubeconfig::resolve_data()
{
    QTest::addColumn<QByteArray>("config");
    QTest::addColumn<QString>("context");
    QTest::addColumn<QString>("ns");
    QTest::addColumn<QString>("expectServer"); // empty: expect an error
    QTest::addColumn<QString>("expectNamespaceOrError");

    const QByteArray base = "apiVersion: v1\nkind: Config\ncurrent-context: a\n"
                            "clusters:\n- name: c1\n  cluster: {server: 'https://10.0.0.1:6443/prefix', "
                            "insecure-skip-tls-verify: true}\n"
                            "users:\n- name: u1\n  user: {token: secret-token}\n"
                            "contexts:\n- name: a\n  context: {cluster: c1, user: u1, namespace: shop}\n"
                            "- name: b\n  context: {cluster: c1, user: u1}\n"
                            "- name: nouser\n  context: {cluster: c1, user: ghost}\n";
    QTest::newRow("current context") << base << QString() << QString() << QStringLiteral("https://10.0.0.1:6443/prefix")
                                     << QStringLiteral("shop");
    QTest::newRow("context without namespace")
            << base << QStringLiteral("b") << QString() << QStringLiteral("https://10.0.0.1:6443/prefix")
            << QStringLiteral("default");
    QTest::newRow("namespace flag") << base << QStringLiteral("a") << QStringLiteral("ops")
                                    << QStringLiteral("https://10.0.0.1:6443/prefix") << QStringLiteral("ops");
    QTest::newRow("unknown context") << base << QStringLiteral("zzz") << QString() << QString()
                                     << QStringLiteral("context was not found for specified context: zzz");
    QTest::newRow("unknown user") << base << QStringLiteral("nouser") << QString() << QString()
                                  << QStringLiteral("user \"ghost\"");
    QTest::newRow("no current context") << QByteArray("apiVersion: v1\nkind: Config\nclusters: []\n") << QString()
                                        << QString() << QString() << QStringLiteral("no context is set");
    QTest::newRow("malformed") << QByteArray("clusters: [\n") << QString() << QString() << QString()
                               << QStringLiteral("error loading config file");
    QTest::newRow("ca with insecure") << QByteArray(
            "current-context: a\nclusters:\n- name: c\n  cluster: {server: 'https://h:1', insecure-skip-tls-verify: "
            "true, certificate-authority: /nonexistent}\n"
            "contexts:\n- name: a\n  context: {cluster: c}\n")
                                      << QString() << QString() << QString()
                                      << QStringLiteral("insecure flag is not allowed");
    QTest::newRow("missing ca file") << QByteArray("current-context: a\nclusters:\n- name: c\n  cluster: {server: "
                                                   "'https://h:1', certificate-authority: missing-ca.pem}\n"
                                                   "contexts:\n- name: a\n  context: {cluster: c}\n")
                                     << QString() << QString() << QString() << QStringLiteral("missing-ca.pem");
    QTest::newRow("ca data beside ca file")
            << QByteArray("current-context: a\nclusters:\n- name: c\n  cluster: {server: 'https://h:1', "
                          "certificate-authority: ca.pem, certificate-authority-data: TFMwdA==}\n"
                          "contexts:\n- name: a\n  context: {cluster: c}\n")
            << QString() << QString() << QString()
            << QStringLiteral("certificate-authority-data and certificate-authority are both specified");
    QTest::newRow("missing token file") << QByteArray(
            "current-context: a\nclusters:\n- name: c\n  cluster: {server: 'https://h:1'}\n"
            "users:\n- name: u\n  user: {tokenFile: missing-token}\n"
            "contexts:\n- name: a\n  context: {cluster: c, user: u}\n")
                                        << QString() << QString() << QString()
                                        << QStringLiteral("unable to read tokenFile");
    QTest::newRow("two auth methods") << QByteArray(
            "current-context: a\nclusters:\n- name: c\n  cluster: {server: 'https://h:1'}\n"
            "users:\n- name: u\n  user: {token: t, username: x, password: y}\n"
            "contexts:\n- name: a\n  context: {cluster: c, user: u}\n")
                                      << QString() << QString() << QString()
                                      << QStringLiteral("more than one authentication method");
    QTest::newRow("gcp provider removed")
            << QByteArray("current-context: a\nclusters:\n- name: c\n  cluster: {server: 'https://h:1'}\n"
                          "users:\n- name: u\n  user: {auth-provider: {name: gcp}}\n"
                          "contexts:\n- name: a\n  context: {cluster: c, user: u}\n")
            << QString() << QString() << QString() << QStringLiteral("gke-gcloud-auth-plugin");
}

void TestKubeconfig::resolve()
{
    QFETCH(QByteArray, config);
    QFETCH(QString, context);
    QFETCH(QString, ns);
    QFETCH(QString, expectServer);
    QFETCH(QString, expectNamespaceOrError);
    write(QStringLiteral("config"), config);
    k8s::KubeconfigOptions options;
    options.kubeconfig = m_dir->filePath(QStringLiteral("config"));
    options.context = context;
    options.ns = ns;
    const auto ep = k8s::loadKubeconfig(options);
    if (expectServer.isEmpty()) {
        QVERIFY(!ep.ok());
        QVERIFY2(ep.error().message.contains(expectNamespaceOrError), qPrintable(ep.error().message));
        QVERIFY(!ep.error().message.contains(QLatin1String("secret-token")));
        return;
    }
    QVERIFY2(ep.ok(), qPrintable(ep.ok() ? QString() : ep.error().message));
    QCOMPARE(ep->server.toString(), expectServer);
    QCOMPARE(ep->ns, expectNamespaceOrError);
    QCOMPARE(ep->token, QStringLiteral("secret-token"));
}

void TestKubeconfig::mergeFirstWins()
{
    write(QStringLiteral("one"),
          "current-context: first\nusers:\n- name: u\n  user: {token: from-one}\n"
          "clusters:\n- name: c\n  cluster: {server: 'https://one:1'}\n"
          "contexts:\n- name: first\n  context: {cluster: c, user: u}\n");
    write(QStringLiteral("two"),
          "current-context: second\nusers:\n- name: u\n  user: {token: from-two, username: ignored}\n"
          "clusters:\n- name: c\n  cluster: {server: 'https://two:2'}\n"
          "contexts:\n- name: second\n  context: {cluster: c, user: u, namespace: two}\n");
    qputenv("KUBECONFIG",
            (m_dir->filePath(QStringLiteral("missing")) + QLatin1Char(':') + m_dir->filePath(QStringLiteral("one"))
             + QLatin1Char(':') + m_dir->filePath(QStringLiteral("two")))
                    .toUtf8());
    const auto ep = k8s::loadKubeconfig();
    QVERIFY2(ep.ok(), qPrintable(ep.ok() ? QString() : ep.error().message));
    QCOMPARE(ep->contextName, QStringLiteral("first"));
    QCOMPARE(ep->server.toString(), QStringLiteral("https://one:1"));
    QCOMPARE(ep->token, QStringLiteral("from-one"));
    QVERIFY(ep->username.isEmpty()); // entries are taken whole from the first file
    k8s::KubeconfigOptions second;
    second.context = QStringLiteral("second");
    const auto ep2 = k8s::loadKubeconfig(second);
    QVERIFY(ep2.ok());
    QCOMPARE(ep2->ns, QStringLiteral("two"));
    QCOMPARE(ep2->server.toString(), QStringLiteral("https://one:1"));
    const auto contexts = k8s::kubeconfigContexts();
    QVERIFY(contexts.ok());
    QCOMPARE(*contexts, (QStringList { QStringLiteral("first"), QStringLiteral("second") }));
    qunsetenv("KUBECONFIG");
}

void TestKubeconfig::missingFilesAreNamed_data()
{
    QTest::addColumn<QString>("kubeconfigEnv"); // ${DIR} is the test's directory; null: KUBECONFIG unset
    QTest::addColumn<QString>("kubeconfigFlag");
    QTest::addColumn<QString>("home");
    QTest::addColumn<QString>("error"); // empty: loads

    const QString one = QStringLiteral("${DIR}/one");
    QTest::newRow("the only KUBECONFIG entry")
            << QStringLiteral("${DIR}/missing") << QString() << QString()
            << QStringLiteral("the kubeconfig file ${DIR}/missing named by KUBECONFIG does not exist");
    QTest::newRow("every KUBECONFIG entry")
            << QStringLiteral("${DIR}/a::${DIR}/b:${DIR}/a") << QString() << QString()
            << QStringLiteral("the kubeconfig files ${DIR}/a, ${DIR}/b named by KUBECONFIG do not exist");
    QTest::newRow("one missing among existing ones is skipped")
            << QStringLiteral("${DIR}/missing:") + one << QString() << QString() << QString();
    QTest::newRow("an empty file is not missing")
            << QStringLiteral("${DIR}/empty") << QString() << QString() << QStringLiteral("no context is set");
    QTest::newRow("--kubeconfig") << one << QStringLiteral("${DIR}/gone") << QString()
                                  << QStringLiteral(
                                             "stat ${DIR}/gone: no such file or directory (given with --kubeconfig)");
    QTest::newRow("~/.kube/config")
            << QString() << QString() << QStringLiteral("${DIR}/home")
            << QStringLiteral("the kubeconfig file ${DIR}/home/.kube/config does not exist (KUBECONFIG is not set)");
}

void TestKubeconfig::missingFilesAreNamed()
{
    QFETCH(QString, kubeconfigEnv);
    QFETCH(QString, kubeconfigFlag);
    QFETCH(QString, home);
    QFETCH(QString, error);
    write(QStringLiteral("one"),
          "current-context: a\nclusters:\n- name: c\n  cluster: {server: 'https://h:1'}\n"
          "contexts:\n- name: a\n  context: {cluster: c}\n");
    write(QStringLiteral("empty"), "");
    const auto expand = [this](QString text) { return text.replace(QLatin1String("${DIR}"), m_dir->path()); };
    const QByteArray savedHome = qgetenv("HOME");
    if (!kubeconfigEnv.isNull())
        qputenv("KUBECONFIG", expand(kubeconfigEnv).toUtf8());
    if (!home.isEmpty())
        qputenv("HOME", expand(home).toUtf8());
    k8s::KubeconfigOptions options;
    options.kubeconfig = expand(kubeconfigFlag);
    const auto ep = k8s::loadKubeconfig(options);
    const auto contexts = k8s::kubeconfigContexts(options);
    qputenv("HOME", savedHome);
    qunsetenv("KUBECONFIG");
    if (error.isEmpty()) {
        QVERIFY2(ep.ok(), qPrintable(ep.ok() ? QString() : ep.error().message));
        QVERIFY(contexts.ok());
        return;
    }
    QVERIFY(!ep.ok());
    QVERIFY2(ep.error().message.contains(expand(error)), qPrintable(ep.error().message));
}

void TestKubeconfig::relativePathsResolveAgainstTheirFile()
{
    const auto certs = demo::generateServingCertificates();
    QVERIFY(certs.ok());
    write(QStringLiteral("sub/ca.pem"), certs->caCertificatePem);
    write(QStringLiteral("sub/token"), "rotated-token\n");
    write(QStringLiteral("sub/config"),
          "current-context: a\nclusters:\n- name: c\n  cluster: {server: 'https://h:1', certificate-authority: "
          "ca.pem}\n"
          "users:\n- name: u\n  user: {tokenFile: token}\n"
          "contexts:\n- name: a\n  context: {cluster: c, user: u}\n");
    QDir::setCurrent(QDir::tempPath());
    k8s::KubeconfigOptions options;
    options.kubeconfig = m_dir->filePath(QStringLiteral("sub/config"));
    const auto ep = k8s::loadKubeconfig(options);
    QVERIFY2(ep.ok(), qPrintable(ep.ok() ? QString() : ep.error().message));
    QCOMPARE(ep->tokenFile, m_dir->filePath(QStringLiteral("sub/token")));
    QCOMPARE(ep->caCertificates.size(), 1);
}

void TestKubeconfig::rereadEndpointsCompare()
{
    // A session reads the kubeconfig again on reconnect attempts and starts over only when it changed.
    const QByteArray config
            = "current-context: a\nclusters:\n- name: c\n  cluster: {server: 'https://h:1'}\n"
              "users:\n- name: u\n  user: {token: t1}\ncontexts:\n- name: a\n  context: {cluster: c, user: u}\n";
    write(QStringLiteral("config"), config);
    k8s::KubeconfigOptions options;
    options.kubeconfig = m_dir->filePath(QStringLiteral("config"));
    const auto first = k8s::loadKubeconfig(options);
    QVERIFY(first.ok());
    const auto again = k8s::loadKubeconfig(options);
    QVERIFY(again.ok());
    QVERIFY(*first == *again);
    QByteArray renewed = config;
    write(QStringLiteral("config"), renewed.replace("token: t1", "token: t2"));
    const auto otherToken = k8s::loadKubeconfig(options);
    QVERIFY(otherToken.ok());
    QVERIFY(!(*first == *otherToken));
    QByteArray moved = config;
    write(QStringLiteral("config"), moved.replace("https://h:1", "https://h:2"));
    const auto otherPort = k8s::loadKubeconfig(options);
    QVERIFY(otherPort.ok());
    QVERIFY(!(*first == *otherPort));
}

QTEST_GUILESS_MAIN(TestKubeconfig)
#include "tst_kubeconfig.moc"
