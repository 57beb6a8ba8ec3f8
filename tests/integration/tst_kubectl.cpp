#include "tests/support/testcluster.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QtTest>

using namespace canary;

// The real kubectl binary against the real demo cluster executable, over HTTPS, as an operator uses them.
class TestKubectl : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();
    void readyLine();
    void getEverything();
    void getYamlOfEveryVersion_data();
    void getYamlOfEveryVersion();
    // On the seeds as the demo starts with them, before the tests below change them.
    void readmeExamples();
    void scaleSubresource();
    void applyFixtureAndReadBack();
    void leaseShowsItsHolder();
    void wrongTokenIsUnauthorized();
    void closingStopsTheCluster();

private:
    int kubectl(const QStringList &args, QString *out, QString *err = nullptr, const QString &kubeconfig = {});
    QTemporaryDir m_dir;
    QProcess m_cluster;
    QJsonObject m_ready;
    QString m_readyLine;
};

void TestKubectl::initTestCase()
{
    if (QStandardPaths::findExecutable(QStringLiteral("kubectl")).isEmpty())
        QFAIL("kubectl is not installed: ./dev installs Debian's kubernetes-client when it is missing");
    m_cluster.setProgram(QStringLiteral(CANARYDECK_DEMO_BINARY));
    m_cluster.setArguments({ QStringLiteral("--kubeconfig-out"), m_dir.filePath(QStringLiteral("kubeconfig")),
                             QStringLiteral("--users"), QStringLiteral("5") });
    m_cluster.setProcessChannelMode(QProcess::SeparateChannels);
    m_cluster.start();
    QVERIFY(m_cluster.waitForStarted(10000));
    QElapsedTimer t;
    t.start();
    while (!m_cluster.canReadLine() && t.elapsed() < 60000)
        m_cluster.waitForReadyRead(1000);
    m_readyLine = QString::fromUtf8(m_cluster.readLine()).trimmed();
    QVERIFY2(m_readyLine.startsWith(QLatin1String("READY ")),
             qPrintable(m_readyLine + QString::fromUtf8(m_cluster.readAllStandardError())));
    m_ready = QJsonDocument::fromJson(m_readyLine.mid(6).toUtf8()).object();
}

void TestKubectl::cleanupTestCase()
{
    if (m_cluster.state() != QProcess::NotRunning) {
        m_cluster.terminate();
        m_cluster.waitForFinished(10000);
    }
}

int TestKubectl::kubectl(const QStringList &args, QString *out, QString *err, const QString &kubeconfig)
{
    QProcess p;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("KUBECONFIG"),
               kubeconfig.isEmpty() ? m_ready.value(QLatin1String("kubeconfig")).toString() : kubeconfig);
    env.insert(QStringLiteral("HOME"), m_dir.path()); // a discovery cache of our own
    // `kubectl canary` is this build's plugin, with a journal of its own.
    env.insert(QStringLiteral("PATH"),
               QFileInfo(QStringLiteral(CANARYDECK_CLI_BINARY)).absolutePath() + QLatin1Char(':')
                       + env.value(QStringLiteral("PATH")));
    env.insert(QStringLiteral("XDG_DATA_HOME"), m_dir.filePath(QStringLiteral("data")));
    p.setProcessEnvironment(env);
    p.start(QStringLiteral("kubectl"), args);
    p.waitForFinished(60000);
    *out = QString::fromUtf8(p.readAllStandardOutput());
    const QString e = QString::fromUtf8(p.readAllStandardError());
    if (err)
        *err = e;
    else if (p.exitCode() != 0)
        qWarning("kubectl %s: %s", qPrintable(args.join(QLatin1Char(' '))), qPrintable(e));
    return p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1;
}

void TestKubectl::readyLine()
{
    static const QRegularExpression shape(QStringLiteral(
            "^READY \\{\"api\":\"https://127\\.0\\.0\\.1:\\d+\",\"gateway\":\"http://127\\.0\\.0\\.1:\\d+\","
            "\"metrics\":\"http://127\\.0\\.0\\.1:\\d+/metrics\",\"kubeconfig\":\"[^\"]+\"\\}$"));
    QVERIFY2(shape.match(m_readyLine).hasMatch(), qPrintable(m_readyLine));
    QVERIFY(QFile::exists(m_ready.value(QLatin1String("kubeconfig")).toString()));
    // Exactly one line on stdout.
    QVERIFY(!m_cluster.canReadLine());
}

void TestKubectl::getEverything()
{
    QString out;
    QCOMPARE(kubectl({ QStringLiteral("get"), QStringLiteral("vs,dr,svc,pods") }, &out), 0);
    for (const char *name :
         { "virtualservice.networking.istio.io/color-is-vs", "virtualservice.networking.istio.io/sample-vs",
           "destinationrule.networking.istio.io/greeting", "service/web-v2-service", "pod/tested-load-" })
        QVERIFY2(out.contains(QLatin1String(name)), qPrintable(out));
    QCOMPARE(out.count(QLatin1String("pod/tested-load-")), 2);
    QCOMPARE(
            kubectl({ QStringLiteral("get"), QStringLiteral("gateways"), QStringLiteral("-o"), QStringLiteral("name") },
                    &out),
            0);
    QCOMPARE(out.split(QLatin1Char('\n'), Qt::SkipEmptyParts).size(), 3);
}

// A rollout's Lease as an operator looks at it: kubectl get lease prints the HOLDER column, also while watching.
void TestKubectl::leaseShowsItsHolder()
{
    QFile f(m_dir.filePath(QStringLiteral("lease.yaml")));
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write("apiVersion: coordination.k8s.io/v1\nkind: Lease\nmetadata:\n  name: greeting\n  namespace: default\n"
            "spec:\n  holderIdentity: alice@ws1\n  leaseDurationSeconds: 30\n");
    f.close();
    QString out;
    QString err;
    QCOMPARE(kubectl({ "apply", "-f", f.fileName() }, &out, &err), 0);
    QCOMPARE(kubectl({ "get", "lease", "greeting" }, &out, &err), 0);
    const QStringList lines = out.split(QLatin1Char('\n'), Qt::SkipEmptyParts);
    QCOMPARE(lines.size(), 2);
    QVERIFY2(lines.at(0).simplified() == QLatin1String("NAME HOLDER AGE"), qPrintable(out));
    QVERIFY2(lines.at(1).simplified().startsWith(QLatin1String("greeting alice@ws1 ")), qPrintable(out));
    QCOMPARE(kubectl({ "get", "leases", "-A" }, &out, &err), 0);
    QVERIFY2(out.contains(QRegularExpression(QStringLiteral("default\\s+greeting\\s+alice@ws1"))), qPrintable(out));
    QCOMPARE(kubectl({ "delete", "lease", "greeting" }, &out, &err), 0);
}

void TestKubectl::applyFixtureAndReadBack()
{
    QString out;
    QString err;
    const QString fixture = test::sharedDir() + QStringLiteral("/fixtures/seeds/greeting-dark-release.yaml");
    QVERIFY(QFile::exists(fixture));
    QCOMPARE(kubectl({ QStringLiteral("apply"), QStringLiteral("-f"), fixture }, &out, &err), 0);
    QVERIFY2(out.contains(QLatin1String("virtualservice.networking.istio.io/greeting configured")),
             qPrintable(out + err));
    QCOMPARE(kubectl({ QStringLiteral("get"), QStringLiteral("vs"), QStringLiteral("greeting"), QStringLiteral("-o"),
                       QStringLiteral("yaml") },
                     &out),
             0);
    QVERIFY2(out.contains(QLatin1String("x-my-header:")) && out.contains(QLatin1String("exact: dark")),
             qPrintable(out));
    QVERIFY(out.contains(QLatin1String("apiVersion: networking.istio.io/v1\n")));
    // Create a new object from a file too, and delete it again.
    QFile f(m_dir.filePath(QStringLiteral("new.yaml")));
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write("apiVersion: networking.istio.io/v1beta1\nkind: DestinationRule\nmetadata: {name: extra}\nspec:\n  host: "
            "extra\n  subsets:\n  - {name: v1, labels: {version: v1}}\n");
    f.close();
    QCOMPARE(kubectl({ QStringLiteral("apply"), QStringLiteral("-f"), f.fileName() }, &out, &err), 0);
    QVERIFY2(out.contains(QLatin1String("destinationrule.networking.istio.io/extra created")), qPrintable(out + err));
    QCOMPARE(kubectl({ QStringLiteral("delete"), QStringLiteral("dr"), QStringLiteral("extra") }, &out, &err), 0);
    QVERIFY2(out.contains(QLatin1String("deleted")), qPrintable(out + err));
    QCOMPARE(kubectl({ QStringLiteral("get"), QStringLiteral("dr"), QStringLiteral("extra") }, &out, &err), 1);
    QVERIFY2(err.contains(QLatin1String("NotFound")) || err.contains(QLatin1String("not found")), qPrintable(err));
}

void TestKubectl::getYamlOfEveryVersion_data()
{
    QTest::addColumn<QString>("resource");
    QTest::newRow("v1") << QStringLiteral("virtualservices.v1.networking.istio.io");
    QTest::newRow("v1beta1") << QStringLiteral("virtualservices.v1beta1.networking.istio.io");
    QTest::newRow("v1alpha3") << QStringLiteral("virtualservices.v1alpha3.networking.istio.io");
}

void TestKubectl::getYamlOfEveryVersion()
{
    QFETCH(QString, resource);
    QString out;
    QCOMPARE(kubectl({ QStringLiteral("get"), resource, QStringLiteral("myapp"), QStringLiteral("-o"),
                       QStringLiteral("jsonpath={.apiVersion} {.spec.http[0].route[1].weight}") },
                     &out),
             0);
    QCOMPARE(out,
             QStringLiteral("networking.istio.io/") + resource.section(QLatin1Char('.'), 1, 1) + QStringLiteral(" 50"));
}

void TestKubectl::wrongTokenIsUnauthorized()
{
    QFile in(m_ready.value(QLatin1String("kubeconfig")).toString());
    QVERIFY(in.open(QIODevice::ReadOnly));
    QByteArray config = in.readAll();
    config.replace(
            QRegularExpression(QStringLiteral("token: \\S+")).match(QString::fromUtf8(config)).captured().toUtf8(),
            "token: wrong");
    QFile out(m_dir.filePath(QStringLiteral("wrong-token")));
    QVERIFY(out.open(QIODevice::WriteOnly));
    out.write(config);
    out.close();
    QString stdOut;
    QString err;
    QVERIFY(kubectl({ QStringLiteral("get"), QStringLiteral("vs") }, &stdOut, &err, out.fileName()) != 0);
    QVERIFY2(err.contains(QLatin1String("Unauthorized")) || err.contains(QLatin1String("provide credentials")),
             qPrintable(err));
}

// The README's `kubectl canary` lines against the demo, in its order, with the kubectl scale that brings
// up MyApp's v3 (shipped at 0 replicas) before the make-before-break example.
void TestKubectl::readmeExamples()
{
    QString out;
    QString err;
    const auto lines = [](const QString &text) { return text.split(QLatin1Char('\n'), Qt::SkipEmptyParts); };
    QCOMPARE(kubectl({ "canary", "get", "myapp" }, &out), 0);
    QVERIFY2(lines(out).value(1).contains(
                     QRegularExpression(QStringLiteral("^myapp\\s+\\*\\s+v1,v2\\s+v1=50,v2=50\\s"))),
             qPrintable(out));
    QCOMPARE(kubectl({ "get", "pods", "-l", "version=v3", "-o", "name" }, &out), 0);
    QCOMPARE(out, QString());

    QCOMPARE(kubectl({ "canary", "set-weights", "color-service", "blue-sub=50", "green-sub=50" }, &out), 0);
    QCOMPARE(out, QStringLiteral("virtualservice.networking.istio.io/color-is-vs configured\n"));
    QCOMPARE(
            kubectl({ "canary", "match", "add", "greeting", "--to", "risky", "--header", "x-my-header=dark", "--diff" },
                    &out),
            0);
    QVERIFY2(out.contains(QLatin1String("+++ b/VirtualService/greeting")), qPrintable(out));
    QCOMPARE(kubectl({ "canary", "match", "add", "greeting", "--to", "risky", "--header", "x-my-header=dark" }, &out),
             0);
    QCOMPARE(out, QStringLiteral("virtualservice.networking.istio.io/greeting configured\n"));
    QCOMPARE(kubectl({ "canary", "promote", "myapp", "v2" }, &out), 0);
    QCOMPARE(kubectl({ "canary", "history", "myapp" }, &out), 0);
    QVERIFY2(out.contains(QLatin1String("promote v2 to 100%")), qPrintable(out));
    QCOMPARE(kubectl({ "canary", "rollback", "myapp" }, &out), 0);
    QCOMPARE(kubectl({ "canary", "set-weights", "webserver", "v1=90", "v2=10", "--dry-run=server" }, &out), 0);

    QCOMPARE(kubectl({ "scale", "deployment", "myapp-v3", "--replicas=1" }, &out, &err), 0);
    QCOMPARE(out, QStringLiteral("deployment.apps/myapp-v3 scaled\n"));
    QCOMPARE(kubectl({ "get", "pods", "-l", "app=myapp,version=v3", "-o", "jsonpath={.items[*].status.phase}" }, &out),
             0);
    QCOMPARE(out, QStringLiteral("Running"));
    QCOMPARE(kubectl({ "canary", "set-weights", "myapp", "v1=50", "v2=25", "v3=25" }, &out, &err), 0);
    QCOMPARE(out,
             QStringLiteral("destinationrule.networking.istio.io/myapp "
                            "configured\nvirtualservice.networking.istio.io/myapp configured\n"));
    QCOMPARE(kubectl({ "get", "dr", "myapp", "-o", "jsonpath={.spec.subsets[*].name}" }, &out), 0);
    QCOMPARE(out, QStringLiteral("v1 v2 v3"));
    QCOMPARE(kubectl({ "canary", "get", "myapp" }, &out), 0);
    QVERIFY2(lines(out).value(1).contains(
                     QRegularExpression(QStringLiteral("^myapp\\s+\\*\\s+v1,v2,v3\\s+v1=50,v2=25,v3=25\\s"))),
             qPrintable(out));
}

// What else kubectl does with the scale subresource: GET then PUT with a precondition, server-side
// dry-run, merge patch, and the errors it reports.
void TestKubectl::scaleSubresource()
{
    QString out;
    QString err;
    const auto podsOfV3 = [&] {
        QString names;
        kubectl({ "get", "pods", "-l", "app=myapp,version=v3", "-o", "name" }, &names);
        return names.count(QLatin1Char('\n'));
    };
    QCOMPARE(kubectl({ "get", "deployment", "myapp-v3", "--subresource=scale", "-o",
                       "jsonpath={.apiVersion} {.kind} {.spec.replicas} {.status.selector}" },
                     &out),
             0);
    QCOMPARE(out, QStringLiteral("autoscaling/v1 Scale 1 app=myapp,version=v3"));
    QCOMPARE(kubectl({ "scale", "deployment", "myapp-v3", "--current-replicas=1", "--replicas=2" }, &out, &err), 0);
    QCOMPARE(out, QStringLiteral("deployment.apps/myapp-v3 scaled\n"));
    QCOMPARE(podsOfV3(), 2);
    QCOMPARE(kubectl({ "scale", "deployment", "myapp-v3", "--current-replicas=5", "--replicas=1" }, &out, &err), 1);
    QVERIFY2(err.contains(QLatin1String("Expected replicas to be 5, was 2")), qPrintable(err));
    QCOMPARE(kubectl({ "scale", "deployment", "myapp-v3", "--resource-version=1", "--replicas=1" }, &out, &err), 1);
    QVERIFY2(err.contains(QLatin1String("Expected resource version to be 1")), qPrintable(err));
    QCOMPARE(kubectl({ "scale", "deployment", "myapp-v3", "--replicas=3", "--dry-run=server" }, &out, &err), 0);
    QCOMPARE(out, QStringLiteral("deployment.apps/myapp-v3 scaled (server dry run)\n"));
    QCOMPARE(podsOfV3(), 2);
    QCOMPARE(kubectl({ "patch", "deployment", "myapp-v3", "--subresource=scale", "--type=merge", "-p",
                       R"({"spec":{"replicas":1}})" },
                     &out, &err),
             0);
    QCOMPARE(out, QStringLiteral("scale.autoscaling/myapp-v3 patched\n"));
    QCOMPARE(podsOfV3(), 1);
    QCOMPARE(kubectl({ "patch", "deployment", "myapp-v3", "--subresource=scale", "--type=merge", "-p",
                       R"({"spec":{"replicas":-1}})" },
                     &out, &err),
             1);
    QVERIFY2(err.contains(QLatin1String("spec.replicas: Invalid value: -1: must be greater than or equal to 0")),
             qPrintable(err));
    QCOMPARE(kubectl({ "get", "deployment", "myapp-v3", "-o",
                       "jsonpath={.metadata.managedFields[?(@.subresource==\"scale\")].manager}",
                       "--show-managed-fields" },
                     &out),
             0);
    QCOMPARE(out, QStringLiteral("kubectl-patch"));
    QCOMPARE(kubectl({ "get", "deployment", "no-such-app", "--subresource=scale" }, &out, &err), 1);
    QVERIFY2(err.contains(QLatin1String("deployments.apps \"no-such-app\" not found")), qPrintable(err));
}

void TestKubectl::closingStopsTheCluster()
{
    m_cluster.terminate();
    QVERIFY(m_cluster.waitForFinished(15000));
    QCOMPARE(m_cluster.exitStatus(), QProcess::NormalExit);
    QCOMPARE(m_cluster.exitCode(), 0);
}

QTEST_GUILESS_MAIN(TestKubectl)
#include "tst_kubectl.moc"
