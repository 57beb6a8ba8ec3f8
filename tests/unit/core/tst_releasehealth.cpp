#include "core/telemetry/releasehealth.h"

#include <QtTest>

using namespace canary;

// Verdicts of a canary against the stable version: the thresholds, the minimum of requests, and the
// resolution of the latency histogram.
class TestReleaseHealth : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void verdicts_data();
    void verdicts();
    void bucketOf_data();
    void bucketOf();
};

namespace {

core::VersionHealth measured(const char *name, double requests, double success, double p99)
{
    core::VersionHealth v;
    v.version = QLatin1String(name);
    v.requests = requests;
    v.requestsPerSecond = requests / 60;
    v.successPercent = success;
    v.p99Ms = p99;
    return v;
}

const QList<double> kEnvoyBounds { 0.5, 1, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000 };

} // namespace

void TestReleaseHealth::verdicts_data()
{
    QTest::addColumn<double>("canaryRequests");
    QTest::addColumn<double>("canarySuccess");
    QTest::addColumn<double>("canaryP99");
    QTest::addColumn<double>("stableP99");
    QTest::addColumn<QList<double>>("bounds");
    QTest::addColumn<int>("verdict");
    QTest::addColumn<QString>("reasonHas");
    const QList<double> none;
    QTest::newRow("alike") << 300.0 << 100.0 << 80.0 << 78.0 << kEnvoyBounds << int(core::Verdict::Healthy)
                           << "success 100.0 %";
    QTest::newRow("30 % errors") << 300.0 << 70.0 << 80.0 << 78.0 << kEnvoyBounds << int(core::Verdict::Worse)
                                 << "success 70.0 % vs 99.9 % on safe";
    QTest::newRow("a drop within the point")
            << 300.0 << 99.0 << 80.0 << 78.0 << kEnvoyBounds << int(core::Verdict::Healthy) << "success 99.0 %";
    QTest::newRow("slower by a bucket") << 300.0 << 99.9 << 450.0 << 75.0 << kEnvoyBounds << int(core::Verdict::Worse)
                                        << "p99 450 ms vs 75.0 ms";
    QTest::newRow("1.6x inside one bucket (50-100 ms)")
            << 300.0 << 99.9 << 79.8 << 50.2 << kEnvoyBounds << int(core::Verdict::Healthy) << "p99 79.8 ms vs 50.2 ms";
    QTest::newRow("one slow request: past the bound, not past 1.5x its top")
            << 60.0 << 100.0 << 112.0 << 62.0 << kEnvoyBounds << int(core::Verdict::Healthy) << "p99 112 ms vs 62.0 ms";
    QTest::newRow("past 1.5x the top of the stable's bucket")
            << 300.0 << 99.9 << 151.0 << 62.0 << kEnvoyBounds << int(core::Verdict::Worse)
            << "p99 151 ms vs 62.0 ms on safe (its histogram bucket reaches 100 ms)";
    QTest::newRow("1.6x, bounds unknown")
            << 300.0 << 99.9 << 79.8 << 50.2 << none << int(core::Verdict::Worse) << "more than 1.5×";
    QTest::newRow("past the last bound") << 300.0 << 99.9 << 20000.0 << 9000.0 << kEnvoyBounds
                                         << int(core::Verdict::Worse) << "p99";
    QTest::newRow("within the slack") << 300.0 << 99.9 << 4.0 << 1.0 << none << int(core::Verdict::Healthy) << "";
    QTest::newRow("too few requests") << 12.0 << 50.0 << 900.0 << 75.0 << kEnvoyBounds
                                      << int(core::Verdict::NotEnoughTraffic) << "12 requests";
}

void TestReleaseHealth::verdicts()
{
    QFETCH(double, canaryRequests);
    QFETCH(double, canarySuccess);
    QFETCH(double, canaryP99);
    QFETCH(double, stableP99);
    QFETCH(QList<double>, bounds);
    QFETCH(int, verdict);
    QFETCH(QString, reasonHas);
    QList<core::VersionHealth> versions { measured("safe", 1200, 99.9, stableP99),
                                          measured("risky", canaryRequests, canarySuccess, canaryP99) };
    core::judge(versions, 0, core::HealthThresholds(), bounds);
    QCOMPARE(int(versions.at(0).verdict), int(core::Verdict::Stable));
    QCOMPARE(int(versions.at(1).verdict), verdict);
    QVERIFY2(versions.at(1).reason.contains(reasonHas), qPrintable(versions.at(1).reason));
}

void TestReleaseHealth::bucketOf_data()
{
    QTest::addColumn<double>("ms");
    QTest::addColumn<double>("lower");
    QTest::addColumn<double>("upper");
    QTest::newRow("inside") << 79.8 << 50.0 << 100.0;
    QTest::newRow("on a bound: le is inclusive") << 50.0 << 25.0 << 50.0;
    QTest::newRow("below the first") << 0.2 << 0.0 << 0.5;
    QTest::newRow("past the last") << 20000.0 << 10000.0 << qInf();
}

void TestReleaseHealth::bucketOf()
{
    QFETCH(double, ms);
    QFETCH(double, lower);
    QFETCH(double, upper);
    const auto bucket = core::latencyBucket(ms, kEnvoyBounds);
    QCOMPARE(bucket.first, lower);
    QCOMPARE(bucket.second, upper);
}

QTEST_GUILESS_MAIN(TestReleaseHealth)
#include "tst_releasehealth.moc"
