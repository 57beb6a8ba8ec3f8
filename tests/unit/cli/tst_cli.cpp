#include "cli/canarycli.h"
#include "core/model/istio.h"
#include "k8s/kubeclient.h"
#include "k8s/kubereply.h"
#include "k8s/yaml.h"
#include "tests/support/testcluster.h"

#include <QDir>
#include <QJsonArray>
#include <QJsonDocument>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QProcess>
#include <QtTest>

using namespace canary;

namespace {

struct Run {
    int exit;
    QString out;
    QString err;
};

Run runCanary(QStringList args)
{
    QString out;
    QString err;
    QTextStream o(&out);
    QTextStream e(&err);
    const int code = cli::run(args, o, e);
    o.flush();
    e.flush();
    return { code, out, err };
}

QString seed(const char *name)
{
    return test::sourceDir() + QStringLiteral("/resources/seeds/") + QLatin1String(name) + QStringLiteral(".yaml");
}

QString data(const char *name)
{
    return test::sourceDir() + QStringLiteral("/tests/data/cli/") + QLatin1String(name);
}

} // namespace

class TestCli : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void offline_data();
    void offline();
    void editsKeepWhatTheyDoNotOwn();
    void warnsWhenAControllerOwnsTheRoutes();
    void getJsonShape();
    void validate();
    void validateEveryFile_data();
    void validateEveryFile();
    void renderedOutputPassesIstioSchemas();
    void missingKubeconfigIsNamed();

    void clusterWorkflow();
    void makeBeforeBreak();
    void serverSideApplyConflictNamesTheOtherManager();
};

void TestCli::offline_data()
{
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<int>("exit");
    QTest::addColumn<QString>("stdoutHas"); // "" : stdout must be empty
    QTest::addColumn<QString>("stderrHas");

    const QString color = seed("color-canary");
    const QString dark = seed("greeting-dark-release");
    const QString web = seed("web-two-services");
    const QString fqdn = seed("webserver-mesh-internal");
    const QString myapp = seed("myapp-blue-green");
    const QString kNoDr = QStringLiteral("Warning: VirtualService/greeting: spec.http: no DestinationRule for host "
                                         "greeting among the objects read: subsets are not checked\n");
    QTest::newRow("table")
            << QStringList { "get", "-f", color } << 0
            << QStringLiteral(
                       "NAME          HOSTS   VERSIONS             WEIGHTS                    MATCH-ROUTES   AGE\n"
                       "color-is-vs   *       blue-sub,green-sub   blue-sub=75,green-sub=25   1              "
                       "<unknown>\n")
            << QString();
    QTest::newRow("by host") << QStringList { "get", "color-service", "-f", color } << 0
                             << QStringLiteral("color-is-vs") << QString();
    QTest::newRow("fqdn by short host") << QStringList { "get", "webserver", "-f", fqdn } << 0
                                        << QStringLiteral("sample-vs") << QString();
    QTest::newRow("unknown release")
            << QStringList { "get", "nope", "-f", color } << 1 << QString()
            << QStringLiteral(
                       "error: no VirtualService is named \"nope\" or routes to it; releases here: color-is-vs\n");
    QTest::newRow("ambiguous host") << QStringList { "get", "*", "-f", color, "-f", web } << 1 << QString()
                                    << QStringLiteral(
                                               "is routed by 2 VirtualServices (color-is-vs, web-virtualservice)");
    QTest::newRow("set-weights yaml") << QStringList { "set-weights",  "color-is-vs", "blue-sub=40",
                                                       "green-sub=60", "-f",          color }
                                      << 0 << QStringLiteral("        subset: green-sub\n      weight: 60\n")
                                      << QString();
    QTest::newRow("set-weights two services")
            << QStringList { "set-weights", "web-virtualservice", "web-v1-service=0", "web-v2-service=100", "-f", web }
            << 0
            << QStringLiteral("        host: web-v2-service\n        port:\n          number: 80\n      weight: 100\n")
            << QString();
    QTest::newRow("set-weights fqdn keeps host spelling")
            << QStringList { "set-weights", "sample-vs", "v1=50", "v2=50", "-f", fqdn } << 0
            << QStringLiteral("host: webserver.default.svc.cluster.local\n        subset: v2\n      weight: 50")
            << QString();
    QTest::newRow("weights sum")
            << QStringList { "set-weights", "color-is-vs", "blue-sub=40", "green-sub=40", "-f", color } << 1
            << QString()
            << QStringLiteral(
                       "error: VirtualService/color-is-vs: spec.http[0]: weights sum to 80; they must sum to 100\n");
    QTest::newRow("unknown version")
            << QStringList { "set-weights", "color-is-vs", "red=100", "-f", color } << 1 << QString()
            << QStringLiteral("version \"red\" is not a version of this release; known versions: blue-sub, green-sub");
    QTest::newRow("not a pair") << QStringList { "set-weights", "color-is-vs", "blue-sub", "-f", color } << 1
                                << QString()
                                << QStringLiteral("error: \"blue-sub\" is not VERSION=WEIGHT (an integer "
                                                  "percentage)\nSee 'kubectl canary set-weights --help' for usage.\n");
    QTest::newRow("json output") << QStringList { "promote", "myapp", "v2", "-f", myapp, "-o", "json" } << 0
                                 << QStringLiteral("\"weight\": 100") << QString();
    QTest::newRow("dark release add")
            << QStringList { "match",
                             "add",
                             "greeting",
                             "--to",
                             "risky",
                             "--header",
                             "x-my-header=dark",
                             "-f",
                             seed("greeting-canary-and-dark") }
            << 0
            << QStringLiteral("  - match:\n    - headers:\n        x-my-header:\n          exact: dark\n    route:\n   "
                              " - destination:\n        host: greeting\n        subset: risky\n  - route:")
            << QString();
    QTest::newRow("and conditions")
            << QStringList { "match",      "add",          "greeting", "--to",    "risky",  "--header-prefix",
                             "x-user=qa-", "--uri-prefix", "/api",     "--query", "beta=1", "-f",
                             dark }
            << 0
            << QStringLiteral("    - headers:\n        x-user:\n          prefix: qa-\n      queryParams:\n        "
                              "beta:\n          exact: '1'\n      uri:\n        prefix: /api\n")
            << kNoDr;
    QTest::newRow("duplicate match") << QStringList {
        "match", "add", "greeting", "--to", "risky", "--header", "x-my-header=dark", "-f", dark
    } << 1 << QString() << QStringLiteral("spec.http[0] already matches these conditions");
    QTest::newRow("bad regex") << QStringList { "match",          "add",       "greeting", "--to", "risky",
                                                "--header-regex", "x-user=(a", "-f",       dark }
                               << 1 << QString()
                               << QStringLiteral("match.headers.x-user.regex: invalid RE2 regular expression \"(a\"");
    QTest::newRow("lookahead is not RE2")
            << QStringList { "match", "add", "greeting", "--to", "risky", "--uri-regex", "/(?=x)", "-f", dark } << 1
            << QString() << QStringLiteral("invalid RE2 regular expression");
    QTest::newRow("upper-case header") << QStringList { "match",    "add",      "greeting", "--to", "risky",
                                                        "--header", "X-Mine=1", "-f",       dark }
                                       << 1 << QString()
                                       << QStringLiteral("header names must be lower-case; use \"x-mine\"");
    QTest::newRow("match remove by conditions")
            << QStringList { "match", "remove", "greeting", "--header", "x-my-header=dark", "-f", dark } << 0
            << QStringLiteral("  http:\n  - route:\n    - destination:\n        host: greeting\n        subset: safe\n")
            << kNoDr;
    QTest::newRow("cannot remove default")
            << QStringList { "match", "remove", "greeting", "--route", "1", "-f", dark } << 1 << QString()
            << QStringLiteral("spec.http[1] is the default route (it has no match); only match routes can be removed");
    QTest::newRow("mirror") << QStringList { "mirror", "greeting", "--to", "risky", "--percent", "10", "-f", dark } << 0
                            << QStringLiteral("  - mirror:\n      host: greeting\n      subset: risky\n    "
                                              "mirrorPercentage:\n      value: 10\n")
                            << kNoDr;
    QTest::newRow("mirror range") << QStringList {
        "mirror", "greeting", "--to", "risky", "--percent", "120", "-f", dark
    } << 1 << QString() << QStringLiteral("mirrorPercentage.value: 120 is not a percentage from 0 to 100");
    QTest::newRow("route by index") << QStringList { "set-weights", "greeting", "risky=70", "safe=30",
                                                     "--route",     "0",        "-f",       dark }
                                    << 0 << QStringLiteral("        subset: risky\n      weight: 70\n") << kNoDr;
    QTest::newRow("route out of range") << QStringList { "set-weights", "greeting", "safe=100", "--route",
                                                         "7",           "-f",       dark }
                                        << 1 << QString()
                                        << QStringLiteral("spec.http[7]: no such route; routes are numbered 0 to 1");
    QTest::newRow("route by name unknown")
            << QStringList { "set-weights", "greeting", "safe=100", "--route", "main", "-f", dark } << 1 << QString()
            << QStringLiteral("no http route is named \"main\" (its routes have no names; give an index)");
    QTest::newRow("promote drops same match route")
            << QStringList { "promote", "greeting", "risky", "-f", dark } << 0
            << QStringLiteral(
                       "  http:\n  - route:\n    - destination:\n        host: greeting\n        subset: risky\n")
            << kNoDr;
    QTest::newRow("diff")
            << QStringList { "set-weights", "color-is-vs", "blue-sub=50", "green-sub=50", "-f", color, "--diff" } << 0
            << QStringLiteral("--- a/VirtualService/color-is-vs\n+++ b/VirtualService/color-is-vs\n@@ -15,8 +15,8 @@\n")
            << QString();
    QTest::newRow("unknown flag")
            << QStringList { "get", "--colour" } << 1 << QString()
            << QStringLiteral("error: unknown flag: --colour\nSee 'kubectl canary get --help' for usage.\n");
    QTest::newRow("unknown command") << QStringList { "deploy" } << 1 << QString()
                                     << QStringLiteral("error: unknown command \"deploy\" for \"kubectl canary\"");
    QTest::newRow("bad output") << QStringList { "get", "-f", color, "-o", "table" } << 1 << QString()
                                << QStringLiteral("unable to match a printer suitable for the output format \"table\"");
    QTest::newRow("bad dry-run")
            << QStringList { "promote", "myapp", "v2", "-f", myapp, "--dry-run=maybe" } << 1 << QString()
            << QStringLiteral("Invalid dry-run value (maybe). Must be \"none\", \"server\", or \"client\".");
    QTest::newRow("bad dry-run of a rollback")
            << QStringList { "rollback", "greeting", "--dry-run=maybe" } << 1 << QString()
            << QStringLiteral("error: Invalid dry-run value (maybe). Must be \"none\", \"server\", or \"client\".\nSee "
                              "'kubectl canary rollback --help' for usage.\n");
    QTest::newRow("missing file") << QStringList {
        "get", "-f", "/nonexistent.yaml"
    } << 1 << QString() << QStringLiteral("error: the path \"/nonexistent.yaml\" does not exist or cannot be read\n");
    QTest::newRow("help") << QStringList { "--help" } << 0 << QStringLiteral("kubectl canary [command] [flags]")
                          << QString();
}

void TestCli::offline()
{
    QFETCH(QStringList, args);
    QFETCH(int, exit);
    QFETCH(QString, stdoutHas);
    QFETCH(QString, stderrHas);
    const Run r = runCanary(args);
    QVERIFY2(r.exit == exit,
             qPrintable(QStringLiteral("exit %1\nstdout:\n%2\nstderr:\n%3").arg(r.exit).arg(r.out, r.err)));
    if (stdoutHas.isEmpty())
        QVERIFY2(r.out.isEmpty(), qPrintable(r.out));
    else
        QVERIFY2(r.out.contains(stdoutHas), qPrintable(r.out));
    if (stderrHas.isEmpty())
        QVERIFY2(r.err.isEmpty(), qPrintable(r.err));
    else
        QVERIFY2(r.err.contains(stderrHas), qPrintable(r.err));
    if (exit != 0)
        QCOMPARE(r.err.count(QLatin1String("error: ")), 1);
}

void TestCli::warnsWhenAControllerOwnsTheRoutes()
{
    const Run r = runCanary({ "set-weights", "podinfo", "podinfo-primary=50", "podinfo-canary=50", "-f",
                              data("podinfo-flagger.yaml"), "-o", "json" });
    QCOMPARE(r.exit, 0); // a warning, not an error: the operator may have paused Flagger
    QVERIFY2(r.err.contains(QLatin1String(
                     R"(spec.http: also managed by "flagger" (Update): a controller may set the routes back)")),
             qPrintable(r.err));
    QVERIFY(r.out.contains(QLatin1String("\"weight\": 50")));
    // Routes owned by kubectl users only: no such warning.
    const Run plain = runCanary(
            { "set-weights", "reviews", "v1=60", "v2=40", "-f", data("bookinfo-reviews.yaml"), "-o", "json" });
    QVERIFY2(!plain.err.contains(QLatin1String("also managed by")), qPrintable(plain.err));
}

void TestCli::editsKeepWhatTheyDoNotOwn()
{
    const QString file = data("bookinfo-reviews.yaml");
    QFile f(file);
    QVERIFY(f.open(QIODevice::ReadOnly));
    const QJsonObject before = k8s::parseYamlDocuments(f.readAll())->constFirst();
    const Run r = runCanary({ "set-weights", "reviews", "v1=60", "v2=40", "-f", file, "-o", "json" });
    QVERIFY2(r.exit == 0, qPrintable(r.err));
    QJsonObject after = QJsonDocument::fromJson(r.out.toUtf8()).object();
    QCOMPARE(after, test::withWeights(before, 2, { 60, 40 }));
    // The release sees every route: named, several blocks, and the mirror.
    const Run get = runCanary({ "get", "reviews", "-f", file, "-o", "json" });
    const QJsonObject release = QJsonDocument::fromJson(get.out.toUtf8())
                                        .object()
                                        .value(QLatin1String("releases"))
                                        .toArray()
                                        .at(0)
                                        .toObject();
    const QJsonArray routes = release.value(QLatin1String("routes")).toArray();
    QCOMPARE(routes.size(), 3);
    QCOMPARE(routes.at(0).toObject().value(QLatin1String("name")).toString(), QStringLiteral("jason"));
    QCOMPARE(routes.at(0).toObject().value(QLatin1String("match")).toArray().size(), 2);
    QCOMPARE(routes.at(2).toObject().value(QLatin1String("mirror")).toObject(),
             (QJsonObject { { QStringLiteral("version"), QStringLiteral("v3") }, { QStringLiteral("percent"), 5 } }));
    const Run named = runCanary({ "set-weights", "reviews", "v3=100", "--route", "api", "-f", file, "-o", "json" });
    QVERIFY2(named.exit == 0, qPrintable(named.err));
    const QJsonObject api = QJsonDocument::fromJson(named.out.toUtf8())
                                    .object()
                                    .value(QLatin1String("spec"))
                                    .toObject()
                                    .value(QLatin1String("http"))
                                    .toArray()
                                    .at(1)
                                    .toObject();
    QCOMPARE(api.value(QLatin1String("timeout")).toString(), QStringLiteral("10s"));
    QCOMPARE(api.value(QLatin1String("retries")).toObject().value(QLatin1String("attempts")).toInt(), 3);
}

void TestCli::getJsonShape()
{
    const Run r = runCanary({ "get", "-f", seed("color-canary"), "-o", "json" });
    QCOMPARE(r.exit, 0);
    const QJsonObject release = QJsonDocument::fromJson(r.out.toUtf8())
                                        .object()
                                        .value(QLatin1String("releases"))
                                        .toArray()
                                        .at(0)
                                        .toObject();
    QCOMPARE(release.keys(), (QStringList { "hosts", "name", "namespace", "routes", "versions" }));
    QCOMPARE(release.value(QLatin1String("name")).toString(), QStringLiteral("color-is-vs"));
    QCOMPARE(release.value(QLatin1String("versions")).toArray().at(0).toObject(),
             (QJsonObject {
                     { "name", "blue-sub" }, { "host", "color-service" }, { "subset", "blue-sub" }, { "pods", 1 } }));
    const QJsonObject route = release.value(QLatin1String("routes")).toArray().at(0).toObject();
    QCOMPARE(route.keys(), (QStringList { "destinations", "index", "match", "mirror", "name" }));
    QCOMPARE(route.value(QLatin1String("destinations")).toArray().at(1).toObject(),
             (QJsonObject { { "version", "green-sub" }, { "weight", 25 } }));
    // A lone destination without a weight shows 100.
    const Run dark = runCanary({ "get", "-f", seed("greeting-dark-release"), "-o", "json" });
    const QJsonObject darkRoute = QJsonDocument::fromJson(dark.out.toUtf8())
                                          .object()
                                          .value(QLatin1String("releases"))
                                          .toArray()
                                          .at(0)
                                          .toObject()
                                          .value(QLatin1String("routes"))
                                          .toArray()
                                          .at(0)
                                          .toObject();
    QCOMPARE(darkRoute.value(QLatin1String("destinations")).toArray().at(0).toObject(),
             (QJsonObject { { "version", "risky" }, { "weight", 100 } }));
}

void TestCli::validate()
{
    const Run bad = runCanary({ "validate", "-f", data("invalid.yaml") });
    QCOMPARE(bad.exit, 1);
    const QString file = data("invalid.yaml");
    for (const QString &expected :
         QStringList { file + QStringLiteral(": VirtualService/broken: spec.htp: unknown field \"htp\""),
                       file
                               + QStringLiteral(": VirtualService/broken: spec.http[0].route[0].weight: 150 is not a "
                                                "percentage from 0 to 100"),
                       file
                               + QStringLiteral(": VirtualService/broken: spec.http[0].route[1].weight: -50 is not a "
                                                "percentage from 0 to 100"),
                       file
                               + QStringLiteral(": VirtualService/broken: spec.http[0].route[1].destination.subset: "
                                                "subset \"v9\" is not defined in a DestinationRule for host reviews "
                                                "(requests would get 503); known subsets: v1"),
                       file
                               + QStringLiteral(": VirtualService/broken: spec.http[1].match[0].headers.X-User: header "
                                                "names must be lower-case"),
                       file
                               + QStringLiteral(": VirtualService/broken: spec.http[1].match[0].headers.X-User.regex: "
                                                "invalid RE2 regular expression"),
                       file
                               + QStringLiteral(": DestinationRule/reviews: spec.trafficPolicy.loadBalancer.simple: "
                                                "unsupported value FASTEST") })
        QVERIFY2(bad.out.contains(expected), qPrintable(expected + QStringLiteral("\n--- got:\n") + bad.out));
    QVERIFY2(bad.err.contains(
                     QLatin1String("ConfigMap/unrelated: ConfigMap is not an Istio networking object; passed over")),
             qPrintable(bad.err));
    const Run good = runCanary({ "validate", "-f", seed("color-canary"), "-f", data("bookinfo-reviews.yaml"), "-f",
                                 seed("webserver-mesh-internal") });
    QVERIFY2(good.exit == 0, qPrintable(good.out + good.err));
    QVERIFY(good.out.isEmpty());
    // A weight sum other than 100 is only a warning: exit 0.
    const Run warn = runCanary(
            { "validate", "-f", test::sourceDir() + QStringLiteral("/tests/data/cli/relative-weights.yaml") });
    QVERIFY2(warn.exit == 0, qPrintable(warn.out + warn.err));
    QVERIFY2(warn.err.contains(QLatin1String("warning: weights sum to 4")), qPrintable(warn.err));
}

void TestCli::validateEveryFile_data()
{
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<int>("exit");
    QTest::addColumn<QString>("stdoutHas"); // "" : stdout must be empty
    QTest::addColumn<QString>("stderrIs"); // null: not compared

    const QString good = seed("color-canary");
    const QString bad = data("invalid.yaml");
    const QString missing = QStringLiteral("/nonexistent.yaml");
    const QString missingLine
            = QStringLiteral("error: the path \"/nonexistent.yaml\" does not exist or cannot be read\n");
    // What the shell makes of -f resources/seeds/*.yaml: one -f, then the other files as arguments.
    QStringList seeds { "validate", "-f" };
    for (const QString &name :
         QDir(test::sourceDir() + QStringLiteral("/resources/seeds")).entryList({ "*.yaml" }, QDir::Files, QDir::Name))
        seeds.append(test::sourceDir() + QStringLiteral("/resources/seeds/") + name);
    QTest::newRow("every seed, as a glob expands") << seeds << 0 << QString() << QString();
    QTest::newRow("the second file is checked")
            << QStringList { "validate", "-f", good, bad } << 1
            << bad + QStringLiteral(": VirtualService/broken: spec.htp: unknown field \"htp\"") << QString();
    QTest::newRow("a file before -f is checked")
            << QStringList { "validate", bad, "-f", good } << 1
            << bad + QStringLiteral(": DestinationRule/reviews: spec.trafficPolicy.loadBalancer.simple") << QString();
    QTest::newRow("missing file") << QStringList { "validate", "-f", missing } << 1 << QString() << missingLine;
    QTest::newRow("missing file after a good one")
            << QStringList { "validate", "-f", good, missing } << 1 << QString() << missingLine;
    QTest::newRow("missing file after a bad one")
            << QStringList { "validate", "-f", bad, "-f", missing } << 1 << QString() << missingLine;
    QTest::newRow("no file") << QStringList { "validate" } << 1 << QString()
                             << QStringLiteral("error: validate needs -f FILE (one or more)\nSee 'kubectl canary "
                                               "validate --help' for usage.\n");
}

void TestCli::validateEveryFile()
{
    QFETCH(QStringList, args);
    QFETCH(int, exit);
    QFETCH(QString, stdoutHas);
    QFETCH(QString, stderrIs);
    const Run r = runCanary(args);
    QVERIFY2(r.exit == exit,
             qPrintable(QStringLiteral("exit %1\nstdout:\n%2\nstderr:\n%3").arg(r.exit).arg(r.out, r.err)));
    if (stdoutHas.isEmpty())
        QVERIFY2(r.out.isEmpty(), qPrintable(r.out));
    else
        QVERIFY2(r.out.contains(stdoutHas), qPrintable(r.out));
    if (!stderrIs.isNull())
        QCOMPARE(r.err, stderrIs);
}

void TestCli::missingKubeconfigIsNamed()
{
    // kubectl skips missing KUBECONFIG entries silently; when every one is missing, say so, not "no context".
    const QByteArray saved = qgetenv("KUBECONFIG");
    qputenv("KUBECONFIG", "/nonexistent");
    const Run r = runCanary({ "get" });
    if (saved.isNull())
        qunsetenv("KUBECONFIG");
    else
        qputenv("KUBECONFIG", saved);
    QCOMPARE(r.exit, 1);
    QVERIFY(r.out.isEmpty());
    QCOMPARE(r.err.count(QLatin1Char('\n')), 1);
    QVERIFY2(r.err.startsWith(
                     QLatin1String("error: the kubeconfig file /nonexistent named by KUBECONFIG does not exist")),
             qPrintable(r.err));
}

void TestCli::renderedOutputPassesIstioSchemas()
{
    QTemporaryDir dir;
    QFile out(dir.filePath(QStringLiteral("all.yaml")));
    QVERIFY(out.open(QIODevice::WriteOnly));
    const QList<QStringList> commands {
        { "set-weights", "color-is-vs", "blue-sub=10", "green-sub=90", "-f", seed("color-canary") },
        { "match", "add", "greeting", "--to", "risky", "--header-regex", "x-user=qa-.*", "--uri-exact", "/", "-f",
          seed("greeting-dark-release") },
        { "mirror", "reviews", "--to", "v3", "--percent", "12.5", "--route", "jason", "-f",
          data("bookinfo-reviews.yaml") },
        { "promote", "sample-vs", "v2", "-f", seed("webserver-mesh-internal") },
        { "match", "remove", "reviews", "--route", "api", "-f", data("bookinfo-reviews.yaml") },
    };
    for (const QStringList &c : commands) {
        const Run r = runCanary(c);
        QVERIFY2(r.exit == 0, qPrintable(c.join(QLatin1Char(' ')) + QLatin1Char('\n') + r.err));
        out.write(r.out.toUtf8() + "---\n");
        QStringList validate { "validate", "-f", "-" };
        Q_UNUSED(validate);
    }
    out.close();
    QProcess p;
    p.setProcessChannelMode(QProcess::MergedChannels);
    p.start(QStringLiteral("python3"),
            { test::sharedDir() + QStringLiteral("/tools/istio-schema-check"), out.fileName() });
    QVERIFY(p.waitForFinished(60000));
    const QString result = QString::fromUtf8(p.readAll());
    QVERIFY2(p.exitCode() == 0 && result.contains(QLatin1String("5 checked, 0 skipped, 0 errors")), qPrintable(result));
    const Run own = runCanary({ "validate", "-f", out.fileName() });
    QVERIFY2(own.exit == 0 && own.out.isEmpty(), qPrintable(own.out + own.err));
}

void TestCli::clusterWorkflow()
{
    test::TestCluster cluster(0);
    QVERIFY2(cluster.ok(), qPrintable(cluster.error()));
    const QString kc = cluster.endpoints().kubeconfig;
    const Run get = runCanary({ "get", "--kubeconfig", kc, "-o", "wide" });
    QVERIFY2(get.exit == 0, qPrintable(get.err));
    QVERIFY2(get.out.contains(QLatin1String("greeting")) && get.out.contains(QLatin1String("2,1")),
             qPrintable(get.out));

    Run r = runCanary({ "set-weights", "greeting", "safe=60", "risky=40", "--kubeconfig", kc, "--dry-run=server" });
    QCOMPARE(r.out, QStringLiteral("virtualservice.networking.istio.io/greeting configured (server dry run)\n"));
    QCOMPARE(test::routeWeights(cluster.get(QStringLiteral(
                                        "/apis/networking.istio.io/v1/namespaces/default/virtualservices/greeting")))
                     .value(QStringLiteral("safe")),
             80);
    r = runCanary({ "set-weights", "greeting", "safe=60", "risky=40", "--kubeconfig", kc });
    QCOMPARE(r.out, QStringLiteral("virtualservice.networking.istio.io/greeting configured\n"));
    r = runCanary({ "match", "add", "greeting", "--to", "risky", "--header", "x-my-header=dark", "--kubeconfig", kc });
    QVERIFY2(r.exit == 0, qPrintable(r.err));
    const QJsonObject live
            = cluster.get(QStringLiteral("/apis/networking.istio.io/v1/namespaces/default/virtualservices/greeting"));
    QCOMPARE(test::routeWeights(live),
             (QMap<QString, int> { { QStringLiteral("safe"), 60 }, { QStringLiteral("risky"), 40 } }));
    QCOMPARE(test::routeWeights(live, 0), (QMap<QString, int> { { QStringLiteral("risky"), -1 } }));

    r = runCanary({ "history", "greeting", "--kubeconfig", kc });
    QCOMPARE(r.out.count(QLatin1String("applied")), 2);
    // A dry run kubectl does not know is refused, not taken for a real rollback.
    r = runCanary({ "rollback", "greeting", "--kubeconfig", kc, "--dry-run=yes" });
    QCOMPARE(r.exit, 1);
    QVERIFY2(r.err.startsWith(QLatin1String("error: Invalid dry-run value (yes).")), qPrintable(r.err));
    QCOMPARE(test::routeWeights(cluster.get(QStringLiteral(
                                        "/apis/networking.istio.io/v1/namespaces/default/virtualservices/greeting")),
                                0),
             (QMap<QString, int> { { QStringLiteral("risky"), -1 } }));
    r = runCanary({ "rollback", "greeting", "--kubeconfig", kc });
    QCOMPARE(r.out, QStringLiteral("virtualservice.networking.istio.io/greeting rolled back\n"));
    QCOMPARE(test::routeWeights(cluster.get(QStringLiteral(
                                        "/apis/networking.istio.io/v1/namespaces/default/virtualservices/greeting")),
                                0),
             (QMap<QString, int> { { QStringLiteral("safe"), 60 }, { QStringLiteral("risky"), 40 } }));
    // Someone else edits; rollback refuses with a diff, and --force goes ahead.
    QJsonObject theirs = test::withWeights(
            cluster.get(QStringLiteral("/apis/networking.istio.io/v1/namespaces/default/virtualservices/greeting")), 0,
            { 30, 70 });
    QCOMPARE(cluster.put(QStringLiteral("/apis/networking.istio.io/v1/namespaces/default/virtualservices/greeting"),
                         theirs),
             200);
    r = runCanary({ "rollback", "greeting", "--kubeconfig", kc });
    QCOMPARE(r.exit, 1);
    QVERIFY(r.out.isEmpty());
    QVERIFY2(r.err.contains(QLatin1String("changed after \"set weights of route #0: risky=40 safe=60\" was applied"))
                     && r.err.contains(QLatin1String("-      weight: 60")),
             qPrintable(r.err));
    r = runCanary({ "rollback", "greeting", "--kubeconfig", kc, "--force" });
    QVERIFY2(r.exit == 0, qPrintable(r.err));
    QCOMPARE(test::routeWeights(cluster.get(QStringLiteral(
                                        "/apis/networking.istio.io/v1/namespaces/default/virtualservices/greeting")))
                     .value(QStringLiteral("safe")),
             80);
    r = runCanary({ "rollback", "greeting", "--kubeconfig", kc });
    QCOMPARE(r.exit, 1);
    QVERIFY2(r.err.contains(QLatin1String("no applied change of VirtualService greeting")), qPrintable(r.err));
    r = runCanary({ "version", "--kubeconfig", kc });
    QVERIFY2(r.out.contains(QLatin1String("Istio API: networking.istio.io/v1 (served: v1, v1beta1, v1alpha3)")),
             qPrintable(r.out));
    // A context that does not exist fails like kubectl, before anything is sent.
    r = runCanary({ "get", "--kubeconfig", kc, "--context", "prod" });
    QCOMPARE(r.err, QStringLiteral("error: context was not found for specified context: prod\n"));
}

void TestCli::makeBeforeBreak()
{
    test::TestCluster cluster(40);
    QVERIFY2(cluster.ok(), qPrintable(cluster.error()));
    const QString kc = cluster.endpoints().kubeconfig;
    // A new version comes up: the demo's myapp-v3 Deployment, shipped at 0 replicas, scaled to 1. Then
    // pods are labelled version=v3, and no subset names them yet.
    QVERIFY(!runCanary({ "get", "myapp", "--kubeconfig", kc, "-o", "json" })
                     .out.contains(QLatin1String("\"name\": \"v3\"")));
    k8s::KubeClient client(cluster.endpoint());
    k8s::KubeReply *scaled = client.send(k8s::KubeRequest::mergePatch(
            QStringLiteral("/apis/apps/v1/namespaces/default/deployments/myapp-v3"), R"({"spec":{"replicas":1}})"));
    QSignalSpy done(scaled, &k8s::KubeReply::finished);
    QVERIFY(done.wait(10000));
    QVERIFY2(scaled->ok(), qPrintable(scaled->error().message));
    const Run get = runCanary({ "get", "myapp", "--kubeconfig", kc, "-o", "json" });
    QVERIFY2(get.out.contains(QLatin1String("\"name\": \"v3\"")), qPrintable(get.out));
    QTest::qWait(500);
    const Run r = runCanary({ "set-weights", "myapp", "v1=50", "v2=25", "v3=25", "--kubeconfig", kc });
    QCOMPARE(r.out,
             QStringLiteral("destinationrule.networking.istio.io/myapp "
                            "configured\nvirtualservice.networking.istio.io/myapp configured\n"));
    QTest::qWait(1500);
    QNetworkAccessManager network;
    QNetworkReply *metrics = network.get(QNetworkRequest(QUrl(cluster.endpoints().metrics)));
    QSignalSpy fetched(metrics, &QNetworkReply::finished);
    QVERIFY(fetched.wait(10000));
    const QString text = QString::fromUtf8(metrics->readAll());
    int v3 = 0;
    for (const QString &line : text.split(QLatin1Char('\n'))) {
        if (!line.startsWith(QLatin1String("istio_requests_total{"))
            || !line.contains(QLatin1String("destination_service_name=\"myapp\"")))
            continue;
        QVERIFY2(!line.contains(QLatin1String("response_code=\"503\"")),
                 qPrintable(line)); // not one request to a missing subset
        if (line.contains(QLatin1String("destination_workload=\"myapp-v3\"")))
            v3 += line.section(QLatin1Char(' '), -1).toInt();
    }
    QVERIFY2(v3 > 0, qPrintable(text.left(3000)));
}

void TestCli::serverSideApplyConflictNamesTheOtherManager()
{
    test::TestCluster cluster(0);
    QVERIFY2(cluster.ok(), qPrintable(cluster.error()));
    const QString kc = cluster.endpoints().kubeconfig;
    const QString path = QStringLiteral("/apis/networking.istio.io/v1/namespaces/default/virtualservices/color-is-vs");
    // The seeds were applied with kubectl: its manager owns .spec.http, so changing weights by
    // server-side apply is a conflict that names it, and nothing is written.
    Run r = runCanary(
            { "set-weights", "color-service", "blue-sub=60", "green-sub=40", "--server-side", "--kubeconfig", kc });
    QCOMPARE(r.exit, 1);
    QVERIFY(r.out.isEmpty());
    QVERIFY2(r.err.startsWith(QLatin1String("error: VirtualService color-is-vs: fields another manager owns would "
                                            "change (.spec.http: conflict with \"kubectl-client-side-apply\"")),
             qPrintable(r.err));
    QCOMPARE(test::routeWeights(cluster.get(path), 0).value(QStringLiteral("green-sub")), 25);
    // --force-conflicts is the user's say-so, and only with --server-side.
    r = runCanary(
            { "set-weights", "color-service", "blue-sub=60", "green-sub=40", "--force-conflicts", "--kubeconfig", kc });
    QCOMPARE(r.exit, 1);
    QVERIFY2(r.err.startsWith(QLatin1String("error: --force-conflicts only works with --server-side")),
             qPrintable(r.err));
    r = runCanary({ "set-weights", "color-service", "blue-sub=60", "green-sub=40", "--server-side", "--force-conflicts",
                    "--kubeconfig", kc });
    QVERIFY2(r.exit == 0, qPrintable(r.err));
    QCOMPARE(r.out, QStringLiteral("virtualservice.networking.istio.io/color-is-vs serverside-applied\n"));
    const QJsonObject live = cluster.get(path);
    QCOMPARE(test::routeWeights(live, 0).value(QStringLiteral("green-sub")), 40);
    // Ownership moved: canarydeck's Apply holds .spec.http, kubectl's manager no longer does.
    QStringList owners;
    for (const QJsonValue &e :
         live.value(QLatin1String("metadata")).toObject().value(QLatin1String("managedFields")).toArray()) {
        const QJsonObject entry = e.toObject();
        if (entry.value(QLatin1String("fieldsV1"))
                    .toObject()
                    .value(QLatin1String("f:spec"))
                    .toObject()
                    .contains(QLatin1String("f:http")))
            owners.append(entry.value(QLatin1String("manager")).toString() + QLatin1Char('/')
                          + entry.value(QLatin1String("operation")).toString());
    }
    QCOMPARE(owners, QStringList { QStringLiteral("canarydeck/Apply") });
    // Now ours: further server-side applies need no force.
    r = runCanary(
            { "set-weights", "color-service", "blue-sub=50", "green-sub=50", "--server-side", "--kubeconfig", kc });
    QVERIFY2(r.exit == 0, qPrintable(r.err));
    QCOMPARE(test::routeWeights(cluster.get(path), 0).value(QStringLiteral("green-sub")), 50);
}

QTEST_GUILESS_MAIN(TestCli)
#include "tst_cli.moc"
