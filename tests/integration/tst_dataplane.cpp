#include "core/model/istio.h"
#include "k8s/yaml.h"
#include "tests/support/testcluster.h"

#include <QElapsedTimer>
#include <QEventLoop>
#include <QJsonArray>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QtTest>
#include <cmath>

using namespace canary;

// The demo gateway over real HTTP: Istio's routing semantics, measured.
class TestDataPlane : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();
    void gatewayMergesByAge_data();
    void gatewayMergesByAge();
    void weightedSplitIsStatisticallyRight();
    void headerRuleSendsEveryMatchToItsSubset();
    void missingSubsetIs503();
    void metricsCountRequests();
    void errorPercentAnswersThatShareWith500();
    void latencyIsWaitedAndRecorded();
    void invalidAnnotationsAreIgnored();

private:
    struct Answer {
        int status = 0;
        QString version;
        qint64 elapsedMs = 0;
    };
    // Each reply, sent `concurrency` at a time.
    QList<Answer> collect(int count, const QHash<QByteArray, QByteArray> &headers, int concurrency = 16);
    // The sum of a metric's samples whose labels contain every one of `labels` (name="value" pairs).
    double metric(const QString &name, const QStringList &labels);
    int annotate(const QString &deployment, const QByteArray &annotations);
    // version (x-canary-version) -> count
    QMap<QString, int> send(int count, const QString &path, const QHash<QByteArray, QByteArray> &headers = {},
                            QMap<int, int> *statuses = nullptr);
    std::unique_ptr<test::TestCluster> m_cluster;
    QNetworkAccessManager m_network;
};

static const QString kVs = QStringLiteral("/apis/networking.istio.io/v1/namespaces/default/virtualservices");

void TestDataPlane::initTestCase()
{
    m_cluster = std::make_unique<test::TestCluster>(0);
    QVERIFY2(m_cluster->ok(), qPrintable(m_cluster->error()));
}

void TestDataPlane::cleanupTestCase()
{
    m_cluster.reset();
}

QMap<QString, int> TestDataPlane::send(int count, const QString &path, const QHash<QByteArray, QByteArray> &headers,
                                       QMap<int, int> *statuses)
{
    QMap<QString, int> versions;
    int pending = 0;
    int started = 0;
    QEventLoop loop;
    std::function<void()> next = [&] {
        while (pending < 16 && started < count) {
            QNetworkRequest request(QUrl(m_cluster->endpoints().gateway + path));
            for (auto it = headers.begin(); it != headers.end(); ++it)
                request.setRawHeader(it.key(), it.value());
            QNetworkReply *reply = m_network.get(request);
            ++pending;
            ++started;
            connect(reply, &QNetworkReply::finished, &loop, [&, reply] {
                reply->deleteLater();
                --pending;
                const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
                if (statuses)
                    ++(*statuses)[status];
                if (status == 200)
                    ++versions[QString::fromUtf8(reply->rawHeader("x-canary-version"))];
                if (started == count && pending == 0)
                    loop.quit();
                else
                    next();
            });
        }
    };
    next();
    if (count > 0)
        loop.exec();
    return versions;
}

void TestDataPlane::gatewayMergesByAge_data()
{
    QTest::addColumn<QString>("path");
    QTest::addColumn<QStringList>("versions");
    QTest::newRow("/color prefix reaches Color")
            << QStringLiteral("/color") << QStringList { QStringLiteral("blue-sub"), QStringLiteral("green-sub") };
    QTest::newRow("/colorful too") << QStringLiteral("/colorful")
                                   << QStringList { QStringLiteral("blue-sub"), QStringLiteral("green-sub") };
    QTest::newRow("exactly / reaches Web")
            << QStringLiteral("/")
            << QStringList { QStringLiteral("web-v1-service"), QStringLiteral("web-v2-service") };
    QTest::newRow("anything else reaches MyApp")
            << QStringLiteral("/index.html") << QStringList { QStringLiteral("v1"), QStringLiteral("v2") };
}

void TestDataPlane::gatewayMergesByAge()
{
    QFETCH(QString, path);
    QFETCH(QStringList, versions);
    const QMap<QString, int> got = send(200, path);
    for (auto it = got.begin(); it != got.end(); ++it)
        QVERIFY2(versions.contains(it.key()), qPrintable(it.key()));
    int total = 0;
    for (int n : got)
        total += n;
    QCOMPARE(total, 200);
}

void TestDataPlane::weightedSplitIsStatisticallyRight()
{
    const int n = 2000;
    QMap<int, int> statuses;
    const QMap<QString, int> got = send(n, QStringLiteral("/color"), {}, &statuses);
    QCOMPARE(statuses.value(200), n);
    const double p = 0.25;
    const double sd = std::sqrt(n * p * (1 - p));
    const int green = got.value(QStringLiteral("green-sub"));
    QVERIFY2(std::abs(green - n * p) <= 3 * sd,
             qPrintable(QStringLiteral("green-sub got %1 of %2, expected %3 ± %4")
                                .arg(green)
                                .arg(n)
                                .arg(n * p)
                                .arg(3 * sd)));
    QCOMPARE(got.value(QStringLiteral("blue-sub")) + green, n);
}

void TestDataPlane::headerRuleSendsEveryMatchToItsSubset()
{
    QFile f(test::sourceDir() + QStringLiteral("/resources/seeds/greeting-dark-release.yaml"));
    QVERIFY(f.open(QIODevice::ReadOnly));
    QJsonObject dark = k8s::parseYamlDocuments(f.readAll())->constFirst();
    const QJsonObject live = m_cluster->get(kVs + QStringLiteral("/greeting"));
    QJsonObject meta = dark.value(QLatin1String("metadata")).toObject();
    meta.insert(QStringLiteral("resourceVersion"), core::resourceVersion(live));
    dark.insert(QStringLiteral("metadata"), meta);
    QByteArray answer;
    QCOMPARE(m_cluster->put(kVs + QStringLiteral("/greeting"), dark, &answer), 200);

    const QMap<QString, int> withHeader
            = send(300, QStringLiteral("/"), { { "Host", "greeting" }, { "x-my-header", "dark" } });
    QCOMPARE(withHeader, (QMap<QString, int> { { QStringLiteral("risky"), 300 } }));
    const QMap<QString, int> otherValue = send(
            100, QStringLiteral("/"), { { "Host", "greeting.default.svc.cluster.local" }, { "x-my-header", "light" } });
    QCOMPARE(otherValue, (QMap<QString, int> { { QStringLiteral("safe"), 100 } }));
    const QMap<QString, int> without = send(100, QStringLiteral("/"), { { "Host", "greeting.default" } });
    QCOMPARE(without, (QMap<QString, int> { { QStringLiteral("safe"), 100 } }));
}

void TestDataPlane::missingSubsetIs503()
{
    QJsonObject vs = m_cluster->get(kVs + QStringLiteral("/myapp"));
    QJsonObject spec = vs.value(QLatin1String("spec")).toObject();
    spec.insert(QStringLiteral("http"),
                k8s::parseYaml("- route: [{destination: {host: myapp, subset: v3}}]")->toArray());
    vs.insert(QStringLiteral("spec"), spec);
    QCOMPARE(m_cluster->put(kVs + QStringLiteral("/myapp"), vs), 200);
    QMap<int, int> statuses;
    send(20, QStringLiteral("/home"), {}, &statuses);
    QCOMPARE(statuses, (QMap<int, int> { { 503, 20 } }));
}

void TestDataPlane::metricsCountRequests()
{
    QNetworkReply *reply = m_network.get(QNetworkRequest(QUrl(m_cluster->endpoints().metrics)));
    QSignalSpy done(reply, &QNetworkReply::finished);
    QVERIFY(done.wait(10000));
    const QString text = QString::fromUtf8(reply->readAll());
    reply->deleteLater();
    QVERIFY(text.contains(QLatin1String("# TYPE istio_requests_total counter")));
    QVERIFY2(text.contains(QLatin1String("destination_service_name=\"greeting\",destination_service_namespace="
                                         "\"default\",destination_version=\"risky\","
                                         "destination_workload=\"greeting-risky\"")),
             qPrintable(text.left(2000)));
    QVERIFY(text.contains(QLatin1String("response_code=\"503\",response_flags=\"NR\"")));
    QVERIFY(text.contains(QLatin1String("istio_request_duration_milliseconds_bucket{")));
}

QList<TestDataPlane::Answer> TestDataPlane::collect(int count, const QHash<QByteArray, QByteArray> &headers,
                                                    int concurrency)
{
    QList<Answer> answers;
    int pending = 0;
    int started = 0;
    QEventLoop loop;
    std::function<void()> next = [&] {
        while (pending < concurrency && started < count) {
            QNetworkRequest request(QUrl(m_cluster->endpoints().gateway + QStringLiteral("/")));
            for (auto it = headers.begin(); it != headers.end(); ++it)
                request.setRawHeader(it.key(), it.value());
            auto timer = std::make_shared<QElapsedTimer>();
            timer->start();
            QNetworkReply *reply = m_network.get(request);
            ++pending;
            ++started;
            connect(reply, &QNetworkReply::finished, &loop, [&, reply, timer] {
                reply->deleteLater();
                --pending;
                answers.append(Answer { reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt(),
                                        QString::fromUtf8(reply->rawHeader("x-canary-version")), timer->elapsed() });
                if (started == count && pending == 0)
                    loop.quit();
                else
                    next();
            });
        }
    };
    next();
    if (count > 0)
        loop.exec();
    return answers;
}

double TestDataPlane::metric(const QString &name, const QStringList &labels)
{
    QNetworkReply *reply = m_network.get(QNetworkRequest(QUrl(m_cluster->endpoints().metrics)));
    QSignalSpy done(reply, &QNetworkReply::finished);
    if (!reply->isFinished())
        done.wait(10000);
    const QStringList lines = QString::fromUtf8(reply->readAll()).split(QLatin1Char('\n'));
    reply->deleteLater();
    double sum = 0;
    for (const QString &line : lines) {
        if (!line.startsWith(name + QLatin1Char('{')))
            continue;
        bool all = true;
        for (const QString &label : labels)
            all = all && line.contains(label);
        if (all)
            sum += line.section(QLatin1Char(' '), -1).toDouble();
    }
    return sum;
}

int TestDataPlane::annotate(const QString &deployment, const QByteArray &annotations)
{
    return m_cluster->mergePatch(QStringLiteral("/apis/apps/v1/namespaces/default/deployments/") + deployment,
                                 R"({"metadata":{"annotations":)" + annotations + "}}");
}

static const QHash<QByteArray, QByteArray> kToRisky { { "Host", "greeting" }, { "x-my-header", "dark" } };
static const QString kRisky = QStringLiteral("destination_workload=\"greeting-risky\"");

void TestDataPlane::errorPercentAnswersThatShareWith500()
{
    const QString errors = QStringLiteral("response_code=\"500\",response_flags=\"-\"");
    const double errorsBefore = metric(QStringLiteral("istio_requests_total"), { kRisky, errors });
    QCOMPARE(annotate(QStringLiteral("greeting-risky"), R"({"demo.canarydeck.io/error-percent":"30"})"), 200);
    int risky = 0;
    int failed = 0;
    for (const Answer &a : collect(1000, kToRisky)) {
        if (a.version != QLatin1String("risky"))
            continue;
        ++risky;
        QVERIFY2(a.status == 200 || a.status == 500, qPrintable(QString::number(a.status)));
        failed += a.status == 500;
    }
    QVERIFY2(risky >= 200, qPrintable(QStringLiteral("only %1 replies from risky").arg(risky)));
    const double share = 100.0 * failed / risky;
    QVERIFY2(std::abs(share - 30) <= 5,
             qPrintable(QStringLiteral("%1 of %2 risky replies were 500 (%3 %)").arg(failed).arg(risky).arg(share)));
    QCOMPARE(metric(QStringLiteral("istio_requests_total"), { kRisky, errors }) - errorsBefore, double(failed));

    // Without the annotation the version is healthy again.
    QCOMPARE(annotate(QStringLiteral("greeting-risky"), R"({"demo.canarydeck.io/error-percent":null})"), 200);
    for (const Answer &a : collect(200, kToRisky))
        QCOMPARE(a.status, 200);
}

void TestDataPlane::latencyIsWaitedAndRecorded()
{
    const QString bucket = QStringLiteral("istio_request_duration_milliseconds_bucket");
    const double fastBefore = metric(bucket, { kRisky, QStringLiteral("le=\"100\"") });
    const double allBefore = metric(bucket, { kRisky, QStringLiteral("le=\"+Inf\"") });
    QCOMPARE(annotate(QStringLiteral("greeting-risky"), R"({"demo.canarydeck.io/latency-ms":"200"})"), 200);
    QElapsedTimer wall;
    wall.start();
    const QList<Answer> slow = collect(48, kToRisky);
    const qint64 wallMs = wall.elapsed();
    int risky = 0;
    for (const Answer &a : slow) {
        if (a.version != QLatin1String("risky"))
            continue;
        ++risky;
        QCOMPARE(a.status, 200);
        QVERIFY2(a.elapsedMs >= 200, qPrintable(QStringLiteral("a risky reply took %1 ms").arg(a.elapsedMs)));
    }
    QVERIFY(risky > 0);
    // 16 at a time: the gateway waits for each in parallel, not one after the other (48 × 200 ms).
    QVERIFY2(wallMs < 48 * 200 / 2, qPrintable(QStringLiteral("48 replies took %1 ms").arg(wallMs)));
    QCOMPARE(metric(bucket, { kRisky, QStringLiteral("le=\"+Inf\"") }) - allBefore, double(risky));
    QCOMPARE(metric(bucket, { kRisky, QStringLiteral("le=\"100\"") }) - fastBefore, 0.0);
    // The other version is not slowed.
    for (const Answer &a : collect(20, { { "Host", "greeting" } })) {
        if (a.version == QLatin1String("safe"))
            QVERIFY2(a.elapsedMs < 200, qPrintable(QStringLiteral("a safe reply took %1 ms").arg(a.elapsedMs)));
    }

    QCOMPARE(annotate(QStringLiteral("greeting-risky"), R"({"demo.canarydeck.io/latency-ms":null})"), 200);
    for (const Answer &a : collect(20, kToRisky))
        QVERIFY2(a.elapsedMs < 200, qPrintable(QStringLiteral("a reply took %1 ms").arg(a.elapsedMs)));
    QVERIFY(metric(bucket, { kRisky, QStringLiteral("le=\"100\"") }) > fastBefore);
}

void TestDataPlane::invalidAnnotationsAreIgnored()
{
    QCOMPARE(annotate(QStringLiteral("greeting-risky"),
                      R"({"demo.canarydeck.io/error-percent":"lots","demo.canarydeck.io/latency-ms":"-200"})"),
             200);
    for (const Answer &a : collect(100, kToRisky)) {
        QCOMPARE(a.status, 200);
        QVERIFY2(a.elapsedMs < 200, qPrintable(QStringLiteral("a reply took %1 ms").arg(a.elapsedMs)));
    }
    QCOMPARE(annotate(QStringLiteral("greeting-risky"), R"({"demo.canarydeck.io/error-percent":"130"})"), 200);
    for (const Answer &a : collect(20, kToRisky))
        QCOMPARE(a.status, 200);
    QCOMPARE(annotate(QStringLiteral("greeting-risky"),
                      R"({"demo.canarydeck.io/error-percent":null,"demo.canarydeck.io/latency-ms":null})"),
             200);
}

QTEST_GUILESS_MAIN(TestDataPlane)
#include "tst_dataplane.moc"
