#include "core/model/release.h"
#include "core/telemetry/prometheus.h"

#include <QJsonObject>
#include <QtTest>
#include <cmath>

using namespace canary;

class TestPrometheus : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void parse();
    void parseErrors_data();
    void parseErrors();
    void ratesHandleResets();
    void versionRateBySubsetWorkloads();
    void versionRateByVersionLabel_data();
    void versionRateByVersionLabel();
};

void TestPrometheus::parse()
{
    const QByteArray text = "# HELP istio_requests_total Total requests.\n"
                            "# TYPE istio_requests_total counter\n"
                            "istio_requests_total{reporter=\"destination\",destination_version=\"v2\",msg=\"a "
                            "\\\"q\\\" \\\\ \\n\"} 1027\n"
                            "istio_request_duration_milliseconds_bucket{le=\"+Inf\"} 1027 1700000000000\n"
                            "up NaN\n"
                            "temperature -Inf\n";
    const auto samples = core::parsePrometheusText(text);
    QVERIFY2(samples.ok(), qPrintable(samples.ok() ? QString() : samples.error().message));
    QCOMPARE(samples->size(), 4);
    QCOMPARE(samples->at(0).name, QStringLiteral("istio_requests_total"));
    QCOMPARE(samples->at(0).labels.value(QStringLiteral("destination_version")), QStringLiteral("v2"));
    QCOMPARE(samples->at(0).labels.value(QStringLiteral("msg")), QStringLiteral("a \"q\" \\ \n"));
    QCOMPARE(samples->at(0).value, 1027.0);
    QCOMPARE(samples->at(1).labels.value(QStringLiteral("le")), QStringLiteral("+Inf"));
    QVERIFY(std::isnan(samples->at(2).value));
    QVERIFY(std::isinf(samples->at(3).value));
}

void TestPrometheus::parseErrors_data()
{
    QTest::addColumn<QByteArray>("text");
    QTest::addColumn<QString>("expected");
    QTest::newRow("no value") << QByteArray("metric{a=\"b\"}\n")
                              << QStringLiteral("line 1: metric: missing or malformed sample value");
    QTest::newRow("unquoted label") << QByteArray("ok 1\nmetric{a=b} 1\n")
                                    << QStringLiteral("line 2: label a: value must be quoted");
    QTest::newRow("unterminated") << QByteArray("metric{a=\"b} 1\n") << QStringLiteral("unterminated value");
    QTest::newRow("bad name") << QByteArray("9metric 1\n") << QStringLiteral("must start with a letter");
}

void TestPrometheus::parseErrors()
{
    QFETCH(QByteArray, text);
    QFETCH(QString, expected);
    const auto samples = core::parsePrometheusText(text);
    QVERIFY(!samples.ok());
    QVERIFY2(samples.error().message.contains(expected), qPrintable(samples.error().message));
}

void TestPrometheus::ratesHandleResets()
{
    const auto scrape = [](double value) {
        return *core::parsePrometheusText(
                QByteArray("istio_requests_total{reporter=\"destination\",destination_workload=\"w\"} ")
                + QByteArray::number(value) + "\n"
                + "istio_requests_total{reporter=\"source\",destination_workload=\"w\"} 99999\n");
    };
    core::CounterRates rates;
    QVERIFY(rates.update(scrape(100), 1000).isEmpty()); // first scrape: baseline only
    auto r = rates.update(scrape(120), 3000);
    QCOMPARE(r.size(), 1); // the source reporter is not counted twice
    QCOMPARE(r.at(0).perSecond, 10.0);
    r = rates.update(scrape(6), 4000); // counter reset: the process restarted
    QCOMPARE(r.at(0).perSecond, 6.0);
    r = rates.update(scrape(6), 5000);
    QCOMPARE(r.at(0).perSecond, 0.0);
}

void TestPrometheus::versionRateBySubsetWorkloads()
{
    QList<core::SeriesRate> rates;
    const auto series = [](const char *svc, const char *workload, double rps) {
        return core::SeriesRate { { { QStringLiteral("destination_service_name"), QLatin1String(svc) },
                                    { QStringLiteral("destination_workload"), QLatin1String(workload) } },
                                  rps };
    };
    rates << series("color-service", "dep-color-blue", 15) << series("color-service", "dep-color-green", 5)
          << series("web-v1-service", "web-v1", 9) << series("color-service", "dep-color-blue", 1);
    core::ReleaseVersion blue;
    blue.name = blue.subset = QStringLiteral("blue-sub");
    blue.service = QStringLiteral("color-service");
    blue.workloads = { QStringLiteral("dep-color-blue") };
    QCOMPARE(core::versionRate(blue, rates), 16.0);
    core::ReleaseVersion web;
    web.name = web.service = QStringLiteral("web-v1-service");
    QCOMPARE(core::versionRate(web, rates), 9.0);
    core::ReleaseVersion noPods;
    noPods.name = noPods.subset = QStringLiteral("v3");
    noPods.service = QStringLiteral("color-service");
    QCOMPARE(core::versionRate(noPods, rates), 0.0);
}

void TestPrometheus::versionRateByVersionLabel_data()
{
    QTest::addColumn<QString>("versionLabel");
    QTest::addColumn<QString>("revisionLabel");
    QTest::addColumn<QString>("workload");
    QTest::addColumn<double>("expected");
    // A bare pod or a StatefulSet's pods: no Deployment, so no workload the release knows of.
    QTest::newRow("bare pod by destination_version") << "v3"
                                                     << ""
                                                     << "myapp-v3-0" << 7.0;
    QTest::newRow("by canonical revision") << "unknown"
                                           << "v3"
                                           << "unknown" << 7.0;
    QTest::newRow("another version") << "v2"
                                     << ""
                                     << "myapp-v2" << 0.0;
}

void TestPrometheus::versionRateByVersionLabel()
{
    QFETCH(QString, versionLabel);
    QFETCH(QString, revisionLabel);
    QFETCH(QString, workload);
    QFETCH(double, expected);
    QHash<QString, QString> labels { { QStringLiteral("destination_service_name"), QStringLiteral("myapp") },
                                     { QStringLiteral("destination_version"), versionLabel },
                                     { QStringLiteral("destination_workload"), workload } };
    if (!revisionLabel.isEmpty())
        labels.insert(QStringLiteral("destination_canonical_revision"), revisionLabel);
    const QList<core::SeriesRate> rates { core::SeriesRate { labels, 7 } };
    core::ReleaseVersion v3;
    v3.name = v3.subset = QStringLiteral("v3");
    v3.service = QStringLiteral("myapp");
    v3.labels = QJsonObject { { QStringLiteral("version"), QStringLiteral("v3") } };
    v3.workloads = { QStringLiteral("myapp-v3") }; // a Deployment that exists, but these pods are not its own
    QCOMPARE(core::versionRate(v3, rates), expected);
}

QTEST_GUILESS_MAIN(TestPrometheus)
#include "tst_prometheus.moc"
