#include "core/edit/releaseedits.h"
#include "core/model/istio.h"
#include "core/model/release.h"
#include "core/model/validation.h"
#include "k8s/yaml.h"
#include "tests/support/testcluster.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

using namespace canary;

namespace {

core::NamespaceSnapshot snapshotOf(const QStringList &files)
{
    core::NamespaceSnapshot s;
    for (const QString &name : files) {
        QFile f(test::sourceDir() + QStringLiteral("/resources/") + name);
        if (!f.open(QIODevice::ReadOnly))
            qFatal("cannot open %s", qPrintable(name));
        const QList<QJsonObject> docs = *k8s::parseYamlDocuments(f.readAll());
        for (const QJsonObject &doc : docs) {
            core::addToSnapshot(s, doc);
            if (doc.value(QLatin1String("kind")).toString() != QLatin1String("Deployment"))
                continue;
            // The pods a Deployment would run, so that versions show pod counts as on a cluster.
            const QJsonObject spec = doc.value(QLatin1String("spec")).toObject();
            for (int i = 0; i < spec.value(QLatin1String("replicas")).toInt(1); ++i) {
                s.pods.append(QJsonObject {
                        { QStringLiteral("metadata"),
                          QJsonObject { { QStringLiteral("name"), QStringLiteral("pod%1").arg(s.pods.size()) },
                                        { QStringLiteral("labels"),
                                          spec.value(QLatin1String("template"))
                                                  .toObject()
                                                  .value(QLatin1String("metadata"))
                                                  .toObject()
                                                  .value(QLatin1String("labels")) } } } });
            }
        }
    }
    return s;
}

QString describe(const core::Release &r)
{
    QStringList parts;
    const QList<int> w = r.routeWeights(r.defaultRoute);
    for (int i = 0; i < r.versions.size(); ++i)
        parts.append(QStringLiteral("%1(%2)=%3").arg(r.versions.at(i).name).arg(r.versions.at(i).pods).arg(w.value(i)));
    return r.name + QLatin1Char(':') + parts.join(QLatin1Char(','));
}

int schemaCheck(const QList<QJsonObject> &docs, QString *output)
{
    QTemporaryDir dir;
    QFile f(dir.filePath(QStringLiteral("rendered.yaml")));
    f.open(QIODevice::WriteOnly);
    f.write(k8s::renderYamlStream(docs));
    f.close();
    QProcess p;
    p.setProcessChannelMode(QProcess::MergedChannels);
    p.start(QStringLiteral("python3"),
            { test::sharedDir() + QStringLiteral("/tools/istio-schema-check"), f.fileName() });
    p.waitForFinished(60000);
    *output = QString::fromUtf8(p.readAll());
    return p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1;
}

} // namespace

class TestRelease : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void routeOwnersSurviveTheStoreTransform();
    void thousandsBuildInOrder();
    void buildFromSeeds_data();
    void buildFromSeeds();
    void hosts_data();
    void hosts();
    void setWeights_data();
    void setWeights();
    void setWeightsKeepsUnownedFields();
    void promote_data();
    void promote();
    void renderedEditsPassIstioSchemas();
    void stableAndCanary_data();
    void stableAndCanary();
    void everySchemaFieldRoundTrips_data();
    void everySchemaFieldRoundTrips();
    void everyFieldSurvivesAnEdit();
};

namespace {

// A value for every property the schema declares, recursively: a fixture that uses every field.
QJsonValue exampleFor(const QJsonObject &schema, int depth, int *fields)
{
    ++*fields;
    if (schema.value(QLatin1String("x-kubernetes-int-or-string")).toBool())
        return 8080;
    const QString type = schema.value(QLatin1String("type")).toString();
    if (type == QLatin1String("object") || schema.contains(QLatin1String("properties"))) {
        QJsonObject o;
        const QJsonObject props = schema.value(QLatin1String("properties")).toObject();
        if (depth < 14) {
            for (auto it = props.begin(); it != props.end(); ++it)
                o.insert(it.key(), exampleFor(it.value().toObject(), depth + 1, fields));
            if (props.isEmpty() && schema.value(QLatin1String("additionalProperties")).isObject())
                o.insert(QStringLiteral("some-key"),
                         exampleFor(schema.value(QLatin1String("additionalProperties")).toObject(), depth + 1, fields));
        }
        if (props.isEmpty() && o.isEmpty())
            o.insert(QStringLiteral("preserved"), QStringLiteral("unknown field"));
        return o;
    }
    if (type == QLatin1String("array"))
        return QJsonArray { exampleFor(schema.value(QLatin1String("items")).toObject(), depth + 1, fields) };
    if (type == QLatin1String("integer"))
        return 3;
    if (type == QLatin1String("number"))
        return 12.5;
    if (type == QLatin1String("boolean"))
        return true;
    if (schema.contains(QLatin1String("enum")))
        return schema.value(QLatin1String("enum")).toArray().last();
    return QStringLiteral("value: with 'quotes', \"double\" and # hash");
}

QJsonObject everyField(const QString &kind, int *fields)
{
    const QJsonObject schema = core::istioSchema(kind, QStringLiteral("v1"));
    QJsonObject doc { { QStringLiteral("apiVersion"), QStringLiteral("networking.istio.io/v1") },
                      { QStringLiteral("kind"), kind },
                      { QStringLiteral("metadata"),
                        QJsonObject { { QStringLiteral("name"), QStringLiteral("all-fields") },
                                      { QStringLiteral("namespace"), QStringLiteral("default") } } } };
    doc.insert(QStringLiteral("spec"),
               exampleFor(schema.value(QLatin1String("properties")).toObject().value(QLatin1String("spec")).toObject(),
                          0, fields));
    return doc;
}

} // namespace

void TestRelease::everySchemaFieldRoundTrips_data()
{
    QTest::addColumn<QString>("kind");
    QTest::newRow("VirtualService") << QStringLiteral("VirtualService");
    QTest::newRow("DestinationRule") << QStringLiteral("DestinationRule");
    QTest::newRow("Gateway") << QStringLiteral("Gateway");
}

void TestRelease::everySchemaFieldRoundTrips()
{
    QFETCH(QString, kind);
    int fields = 0;
    const QJsonObject doc = everyField(kind, &fields);
    QVERIFY2(fields > 40,
             qPrintable(QString::number(fields))); // the generator reached into the schema, not just its top
    const QByteArray yaml = k8s::renderYaml(doc);
    const auto parsed = k8s::parseYamlDocuments(yaml);
    QVERIFY2(parsed.ok(), yaml.left(2000).constData());
    QCOMPARE(parsed->constFirst(), doc);
    qInfo("%s: %d schema fields, %lld bytes of YAML, round trip equal", qPrintable(kind), fields, qint64(yaml.size()));
}

void TestRelease::everyFieldSurvivesAnEdit()
{
    int fields = 0;
    const QJsonObject vs = everyField(QStringLiteral("VirtualService"), &fields);
    const QJsonObject dr = everyField(QStringLiteral("DestinationRule"), &fields);
    core::NamespaceSnapshot s;
    s.virtualServices = { vs };
    s.destinationRules = { dr };
    const QList<core::Release> releases = core::buildReleases(s);
    QCOMPARE(releases.size(), 1);
    const core::Release &r = releases.constFirst();
    const auto edited = core::setRouteWeights(r, 0, { { r.versions.constFirst().name, 100 } });
    QVERIFY2(edited.ok(), qPrintable(edited.ok() ? QString() : edited.error().message));
    // Everything but the weight of the edited route's destination is as it was, to the last field.
    QCOMPARE(*edited, test::withWeights(vs, 0, { 100 }));
    const auto mirrored = core::setMirror(r, 0, r.versions.constFirst().name, 7);
    QVERIFY(mirrored.ok());
    QJsonObject expected = vs;
    QJsonObject spec = expected.value(QLatin1String("spec")).toObject();
    QJsonArray http = spec.value(QLatin1String("http")).toArray();
    QJsonObject route = http.at(0).toObject();
    route.insert(QStringLiteral("mirror"),
                 mirrored->value(QLatin1String("spec"))
                         .toObject()
                         .value(QLatin1String("http"))
                         .toArray()
                         .at(0)
                         .toObject()
                         .value(QLatin1String("mirror")));
    QJsonObject percentage = route.value(QLatin1String("mirrorPercentage")).toObject();
    percentage.insert(QStringLiteral("value"), 7);
    route.insert(QStringLiteral("mirrorPercentage"), percentage);
    http.replace(0, route);
    spec.insert(QStringLiteral("http"), http);
    expected.insert(QStringLiteral("spec"), spec);
    QCOMPARE(*mirrored, expected);
}

void TestRelease::buildFromSeeds_data()
{
    QTest::addColumn<QStringList>("files");
    QTest::addColumn<QString>("expected");
    QTest::newRow("000 color") << QStringList { QStringLiteral("seeds/color-canary.yaml") }
                               << QStringLiteral("color-service:blue-sub(1)=75,green-sub(1)=25");
    QTest::newRow("001 two services") << QStringList { QStringLiteral("seeds/web-two-services.yaml") }
                                      << QStringLiteral("web-virtualservice:web-v1-service(1)=90,web-v2-service(1)=10");
    QTest::newRow("002 greeting") << QStringList { QStringLiteral("seeds/greeting-canary-and-dark.yaml"),
                                                   QStringLiteral("demo/greeting-workloads.yaml") }
                                  << QStringLiteral("greeting:safe(2)=80,risky(1)=20");
    QTest::newRow("002 dark release") << QStringList { QStringLiteral("seeds/greeting-dark-release.yaml") }
                                      << QStringLiteral("greeting:risky(-1)=0,safe(-1)=100");
    QTest::newRow("003 myapp") << QStringList { QStringLiteral("seeds/myapp-blue-green.yaml") }
                               << QStringLiteral("myapp:v1(1)=50,v2(1)=50");
    QTest::newRow("004 webserver fqdn") << QStringList { QStringLiteral("seeds/webserver-mesh-internal.yaml") }
                                        << QStringLiteral("webserver:v1(2)=1,v2(1)=99");
}

void TestRelease::buildFromSeeds()
{
    QFETCH(QStringList, files);
    QFETCH(QString, expected);
    const QList<core::Release> releases = core::buildReleases(snapshotOf(files));
    QCOMPARE(releases.size(), 1);
    QCOMPARE(describe(releases.constFirst()), expected);
}

void TestRelease::hosts_data()
{
    QTest::addColumn<QString>("host");
    QTest::addColumn<QString>("ns");
    QTest::addColumn<QString>("fqdn");
    QTest::addColumn<QString>("service");
    QTest::newRow("short") << QStringLiteral("greeting") << QStringLiteral("default")
                           << QStringLiteral("greeting.default.svc.cluster.local") << QStringLiteral("greeting");
    QTest::newRow("short other ns") << QStringLiteral("reviews") << QStringLiteral("shop")
                                    << QStringLiteral("reviews.shop.svc.cluster.local") << QStringLiteral("reviews");
    QTest::newRow("name.ns") << QStringLiteral("reviews.shop") << QStringLiteral("default")
                             << QStringLiteral("reviews.shop.svc.cluster.local") << QString();
    QTest::newRow("fqdn") << QStringLiteral("webserver.default.svc.cluster.local") << QStringLiteral("default")
                          << QStringLiteral("webserver.default.svc.cluster.local") << QStringLiteral("webserver");
    QTest::newRow("external") << QStringLiteral("api.example.com") << QStringLiteral("default")
                              << QStringLiteral("api.example.com") << QString();
    QTest::newRow("wildcard") << QStringLiteral("*") << QStringLiteral("default") << QStringLiteral("*") << QString();
}

void TestRelease::hosts()
{
    QFETCH(QString, host);
    QFETCH(QString, ns);
    QFETCH(QString, fqdn);
    QFETCH(QString, service);
    QCOMPARE(core::fullyQualifiedHost(host, ns), fqdn);
    QCOMPARE(core::serviceNameOfHost(host, ns), service);
}

using Weights = QMap<QString, int>;

void TestRelease::setWeights_data()
{
    QTest::addColumn<QString>("file");
    QTest::addColumn<Weights>("weights");
    QTest::addColumn<Weights>("expected"); // empty: expect an error
    QTest::addColumn<QString>("error");
    QTest::newRow("color 50/50") << QStringLiteral("seeds/color-canary.yaml")
                                 << Weights { { QStringLiteral("blue-sub"), 50 }, { QStringLiteral("green-sub"), 50 } }
                                 << Weights { { QStringLiteral("blue-sub"), 50 }, { QStringLiteral("green-sub"), 50 } }
                                 << QString();
    QTest::newRow("zero kept when named")
            << QStringLiteral("seeds/myapp-blue-green.yaml")
            << Weights { { QStringLiteral("v1"), 0 }, { QStringLiteral("v2"), 100 } }
            << Weights { { QStringLiteral("v1"), 0 }, { QStringLiteral("v2"), 100 } } << QString();
    QTest::newRow("unnamed leaves route")
            << QStringLiteral("seeds/myapp-blue-green.yaml") << Weights { { QStringLiteral("v2"), 100 } }
            << Weights { { QStringLiteral("v2"), 100 } } << QString();
    QTest::newRow("two services") << QStringLiteral("seeds/web-two-services.yaml")
                                  << Weights { { QStringLiteral("web-v1-service"), 70 },
                                               { QStringLiteral("web-v2-service"), 30 } }
                                  << Weights { { QStringLiteral("web-v1-service"), 70 },
                                               { QStringLiteral("web-v2-service"), 30 } }
                                  << QString();
    QTest::newRow("fqdn hosts") << QStringLiteral("seeds/webserver-mesh-internal.yaml")
                                << Weights { { QStringLiteral("v1"), 90 }, { QStringLiteral("v2"), 10 } }
                                << Weights { { QStringLiteral("v1"), 90 }, { QStringLiteral("v2"), 10 } } << QString();
    QTest::newRow("sum not 100") << QStringLiteral("seeds/color-canary.yaml")
                                 << Weights { { QStringLiteral("blue-sub"), 50 }, { QStringLiteral("green-sub"), 40 } }
                                 << Weights {} << QStringLiteral("weights sum to 90; they must sum to 100");
    QTest::newRow("unknown version")
            << QStringLiteral("seeds/color-canary.yaml") << Weights { { QStringLiteral("red-sub"), 100 } } << Weights {}
            << QStringLiteral("\"red-sub\" is not a version of this release; known versions: blue-sub, green-sub");
    QTest::newRow("negative") << QStringLiteral("seeds/color-canary.yaml")
                              << Weights { { QStringLiteral("blue-sub"), 110 }, { QStringLiteral("green-sub"), -10 } }
                              << Weights {} << QStringLiteral("a weight is a percentage from 0 to 100");
}

void TestRelease::setWeights()
{
    QFETCH(QString, file);
    QFETCH(Weights, weights);
    QFETCH(Weights, expected);
    QFETCH(QString, error);
    const core::Release r = core::buildReleases(snapshotOf({ file })).constFirst();
    const auto edited = core::setRouteWeights(r, r.defaultRoute, weights);
    if (expected.isEmpty()) {
        QVERIFY(!edited.ok());
        QVERIFY2(edited.error().message.contains(error), qPrintable(edited.error().message));
        return;
    }
    QVERIFY2(edited.ok(), qPrintable(edited.ok() ? QString() : edited.error().message));
    QCOMPARE(test::routeWeights(*edited, r.defaultRoute), expected);
    // Only the route's destinations changed.
    QJsonObject before = r.vs;
    QJsonObject after = *edited;
    QCOMPARE(after.value(QLatin1String("metadata")), before.value(QLatin1String("metadata")));
    QCOMPARE(after.value(QLatin1String("spec")).toObject().value(QLatin1String("hosts")),
             before.value(QLatin1String("spec")).toObject().value(QLatin1String("hosts")));
}

void TestRelease::setWeightsKeepsUnownedFields()
{
    const QByteArray yaml = R"(apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: reviews, annotations: {team: books}}
spec:
  hosts: [reviews]
  http:
  - name: primary
    retries: {attempts: 3, perTryTimeout: 2s, retryOn: 5xx}
    timeout: 10s
    fault: {delay: {percentage: {value: 10}, fixedDelay: 5s}}
    headers: {response: {set: {x-served-by: canary}}}
    corsPolicy: {allowOrigins: [{exact: "https://example.com"}]}
    mirror: {host: reviews, subset: v3}
    mirrorPercentage: {value: 5}
    x-unknown-field: kept
    route:
    - destination: {host: reviews, subset: v1, port: {number: 9080}}
      weight: 90
      headers: {request: {add: {x-version: v1}}}
    - destination: {host: reviews, subset: v2}
      weight: 10
  tcp:
  - route: [{destination: {host: reviews, port: {number: 31400}}}]
)";
    core::NamespaceSnapshot s;
    s.virtualServices = *k8s::parseYamlDocuments(yaml);
    const core::Release r = core::buildReleases(s).constFirst();
    const auto edited = core::setRouteWeights(r, 0, { { QStringLiteral("v1"), 60 }, { QStringLiteral("v2"), 40 } });
    QVERIFY(edited.ok());
    // Only the weights differ from the live object.
    const QJsonObject expected = test::withWeights(r.vs, 0, { 60, 40 });
    QCOMPARE(*edited, expected);
}

void TestRelease::promote_data()
{
    QTest::addColumn<QString>("file");
    QTest::addColumn<QString>("version");
    QTest::addColumn<int>("routes");
    QTest::addColumn<Weights>("expected");
    QTest::newRow("myapp v2") << QStringLiteral("seeds/myapp-blue-green.yaml") << QStringLiteral("v2") << 1
                              << Weights { { QStringLiteral("v1"), 0 }, { QStringLiteral("v2"), 100 } };
    QTest::newRow("color green") << QStringLiteral("seeds/color-canary.yaml") << QStringLiteral("green-sub") << 1
                                 << Weights { { QStringLiteral("blue-sub"), 0 }, { QStringLiteral("green-sub"), 100 } };
    // The dark route then does what the default route does, so it is dropped.
    QTest::newRow("dark release risky") << QStringLiteral("seeds/greeting-dark-release.yaml") << QStringLiteral("risky")
                                        << 1 << Weights { { QStringLiteral("risky"), -1 } };
    QTest::newRow("dark release safe keeps dark route")
            << QStringLiteral("seeds/greeting-dark-release.yaml") << QStringLiteral("safe") << 1
            << Weights { { QStringLiteral("safe"), -1 } };
}

void TestRelease::promote()
{
    QFETCH(QString, file);
    QFETCH(QString, version);
    QFETCH(int, routes);
    QFETCH(Weights, expected);
    const core::Release r = core::buildReleases(snapshotOf({ file })).constFirst();
    const auto promoted = core::promoteVersion(r, version);
    QVERIFY(promoted.ok());
    const QJsonArray http = promoted->value(QLatin1String("spec")).toObject().value(QLatin1String("http")).toArray();
    QCOMPARE(http.size(), routes);
    QCOMPARE(test::routeWeights(*promoted), expected);
    QVERIFY(!core::promoteVersion(r, QStringLiteral("nope")).ok());
}

void TestRelease::renderedEditsPassIstioSchemas()
{
    QList<QJsonObject> docs;
    for (const char *file : { "seeds/color-canary.yaml", "seeds/web-two-services.yaml", "seeds/myapp-blue-green.yaml",
                              "seeds/webserver-mesh-internal.yaml", "seeds/greeting-dark-release.yaml" }) {
        const core::Release r = core::buildReleases(snapshotOf({ QLatin1String(file) })).constFirst();
        QMap<QString, int> weights;
        const QList<int> split = { 33, 67 };
        for (int i = 0; i < r.versions.size(); ++i)
            weights.insert(r.versions.at(i).name, split.value(i));
        docs.append(*core::setRouteWeights(r, r.defaultRoute, weights));
        docs.append(*core::promoteVersion(r, r.versions.constLast().name));
    }
    QString output;
    const int exit = schemaCheck(docs, &output);
    QVERIFY2(exit == 0, qPrintable(output));
    QVERIFY2(output.contains(QLatin1String("10 checked, 0 skipped, 0 errors")), qPrintable(output));
    // And a broken object is caught, so the check can fail.
    QJsonObject broken = docs.constFirst();
    QJsonObject spec = broken.value(QLatin1String("spec")).toObject();
    spec.insert(QStringLiteral("http"),
                QJsonArray { QJsonObject { { QStringLiteral("route"), QStringLiteral("not-a-list") } } });
    broken.insert(QStringLiteral("spec"), spec);
    QCOMPARE(schemaCheck({ broken }, &output), 1);
}

void TestRelease::stableAndCanary_data()
{
    QTest::addColumn<QList<int>>("weights"); // of the default route, per version; -1: not sent to
    QTest::addColumn<int>("stable");
    QTest::addColumn<int>("canary");
    QTest::newRow("80/20") << QList<int> { 80, 20 } << 0 << 1;
    QTest::newRow("20/80: the stable one is where most goes") << QList<int> { 20, 80 } << 1 << 0;
    QTest::newRow("100/0: the other one is the canary") << QList<int> { 100, 0 } << 0 << 1;
    QTest::newRow("0/100") << QList<int> { 0, 100 } << 1 << 0;
    QTest::newRow("50/50: the first of equals is stable") << QList<int> { 50, 50 } << 0 << 1;
    QTest::newRow("three, v3 unrouted") << QList<int> { 90, 10, -1 } << 0 << 1;
    QTest::newRow("three, all on v1") << QList<int> { 100, -1, -1 } << 0 << 2;
    QTest::newRow("three, all on v3") << QList<int> { -1, -1, 100 } << 2 << 1;
    QTest::newRow("one version") << QList<int> { 100 } << 0 << -1;
}

void TestRelease::stableAndCanary()
{
    QFETCH(QList<int>, weights);
    QFETCH(int, stable);
    QFETCH(int, canary);
    core::Release release;
    for (int i = 0; i < weights.size(); ++i) {
        core::ReleaseVersion version;
        version.name = QStringLiteral("v%1").arg(i + 1);
        release.versions.append(version);
    }
    // A match route first that sends everything elsewhere: only the default route counts.
    core::ReleaseRoute match;
    match.match = QJsonArray { QJsonObject() };
    match.weights = QList<int>(weights.size(), 0);
    match.weights.last() = 100;
    core::ReleaseRoute fallback;
    fallback.index = 1;
    fallback.weights = weights;
    release.routes = { match, fallback };
    release.defaultRoute = 1;
    QCOMPARE(release.stableVersion(), stable);
    QCOMPARE(release.canaryVersion(), canary);
}

void TestRelease::routeOwnersSurviveTheStoreTransform()
{
    // What a store of thousands keeps of a VirtualService's managedFields still names who else owns
    // its routes, and nothing more.
    const QJsonObject vs = QJsonDocument::fromJson(R"({"apiVersion":"networking.istio.io/v1","kind":"VirtualService",
        "metadata":{"name":"greeting","managedFields":[
          {"manager":"kubectl-client-side-apply","operation":"Update","fieldsType":"FieldsV1",
           "fieldsV1":{"f:spec":{"f:hosts":{},"f:http":{}}}},
          {"manager":"helm","operation":"Apply","time":"2026-12-01T10:00:00Z","fieldsType":"FieldsV1",
           "fieldsV1":{"f:metadata":{"f:labels":{"f:app":{}}},"f:spec":{"f:http":{}}}},
          {"manager":"istio-operator","operation":"Update","fieldsType":"FieldsV1",
           "fieldsV1":{"f:metadata":{"f:annotations":{"f:note":{}}}}}]},
        "spec":{"hosts":["greeting"],"http":[{"route":[{"destination":{"host":"greeting"}}]}]}})")
                                   .object();
    const QJsonObject kept = core::withRouteOwnersOnly(vs);
    QCOMPARE(core::otherRouteManagers(vs), QStringList { QStringLiteral("\"helm\" (Apply)") });
    QCOMPARE(core::otherRouteManagers(kept), core::otherRouteManagers(vs));
    const QJsonArray fields
            = kept.value(QLatin1String("metadata")).toObject().value(QLatin1String("managedFields")).toArray();
    QCOMPARE(fields.size(), 3);
    QCOMPARE(fields.at(1).toObject(),
             QJsonDocument::fromJson(R"({"manager":"helm","operation":"Apply","fieldsV1":{"f:spec":{"f:http":{}}}})")
                     .object());
    QVERIFY(!fields.at(2).toObject().contains(QLatin1String("fieldsV1")));
    QCOMPARE(kept.value(QLatin1String("spec")), vs.value(QLatin1String("spec")));
    QCOMPARE(core::withRouteOwnersOnly(kept), kept);
}

void TestRelease::thousandsBuildInOrder()
{
    // Past 512 VirtualServices the releases are built in pieces on every core: the same releases, in
    // the order of their VirtualServices, one that routes nowhere left out.
    core::NamespaceSnapshot s;
    s.ns = QStringLiteral("bulk");
    for (int i = 0; i < 1500; ++i) {
        const QString name = QStringLiteral("svc-%1").arg(i);
        const QString route = i == 700
                ? QString()
                : QStringLiteral(R"({"route":[{"destination":{"host":"%1","subset":"v1"},"weight":70},)"
                                 R"({"destination":{"host":"%1","subset":"v2"},"weight":30}]})")
                          .arg(name);
        s.virtualServices.append(
                QJsonDocument::fromJson(QStringLiteral(R"({"metadata":{"name":"%1","namespace":"bulk"},)"
                                                       R"("spec":{"hosts":["%1"],"http":[%2]}})")
                                                .arg(name, route)
                                                .toUtf8())
                        .object());
        s.destinationRules.append(
                QJsonDocument::fromJson(
                        QStringLiteral(R"({"metadata":{"name":"%1","namespace":"bulk"},"spec":{"host":"%1",)"
                                       R"("subsets":[{"name":"v1","labels":{"version":"v1"}},)"
                                       R"({"name":"v2","labels":{"version":"v2"}}]}})")
                                .arg(name)
                                .toUtf8())
                        .object());
    }
    const QList<core::Release> releases = core::buildReleases(s);
    QCOMPARE(releases.size(), 1499);
    for (int i = 0; i < releases.size(); ++i) {
        const int n = i < 700 ? i : i + 1;
        QCOMPARE(releases.at(i).name, QStringLiteral("svc-%1").arg(n));
        QCOMPARE(releases.at(i).versionNames(), (QStringList { QStringLiteral("v1"), QStringLiteral("v2") }));
        QCOMPARE(releases.at(i).routeWeights(releases.at(i).defaultRoute), (QList<int> { 70, 30 }));
    }
}

QTEST_GUILESS_MAIN(TestRelease)
#include "tst_release.moc"
