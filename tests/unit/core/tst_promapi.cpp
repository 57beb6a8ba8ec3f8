#include "core/telemetry/promapi.h"

#include <QtTest>
#include <algorithm>
#include <cmath>
#include <limits>

using namespace canary;

namespace {

QString typeName(core::PromResult::Type type)
{
    switch (type) {
    case core::PromResult::Type::Vector: return QStringLiteral("vector");
    case core::PromResult::Type::Matrix: return QStringLiteral("matrix");
    case core::PromResult::Type::Scalar: return QStringLiteral("scalar");
    case core::PromResult::Type::String: return QStringLiteral("string");
    }
    return QStringLiteral("?");
}

// Shortest round-trip form, so two strings are equal exactly when the doubles are.
QString number(double v)
{
    if (std::isnan(v))
        return QStringLiteral("NaN");
    if (std::isinf(v))
        return v > 0 ? QStringLiteral("+Inf") : QStringLiteral("-Inf");
    // Plain digits where Prometheus writes them so (timestamps, ordinary values), an exponent beyond.
    const char format = std::abs(v) >= 1e-4 && std::abs(v) < 1e16 ? 'f' : 'g';
    return QString::number(v, format, QLocale::FloatingPointShortest);
}

// One line a series: "{k=v,k=v} t:v t:v", labels sorted by name.
QStringList render(const core::PromResult &result)
{
    QStringList lines;
    for (const core::PromSeries &series : result.series) {
        QStringList keys = series.labels.keys();
        std::sort(keys.begin(), keys.end());
        QStringList labels;
        for (const QString &key : keys)
            labels << key + QLatin1Char('=') + series.labels.value(key);
        QStringList samples;
        for (const core::PromSample &sample : series.samples)
            samples << number(sample.atSeconds) + QLatin1Char(':') + number(sample.value);
        lines << QLatin1Char('{') + labels.join(QLatin1Char(',')) + QLatin1String("} ")
                        + samples.join(QLatin1Char(' '));
    }
    return lines;
}

QByteArray answer(const char *resultType, const QByteArray &result)
{
    return QByteArray(R"({"status":"success","data":{"resultType":")") + resultType + R"(","result":)" + result + "}}";
}

} // namespace

class TestPromApi : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void decodes_data();
    void decodes();
    void sampleValues_data();
    void sampleValues();
    void prometheusError_data();
    void prometheusError();
    void failures_data();
    void failures();
    void queryStrings_data();
    void queryStrings();
};

void TestPromApi::decodes_data()
{
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<int>("httpStatus");
    QTest::addColumn<QString>("type");
    QTest::addColumn<QStringList>("series");
    QTest::addColumn<QStringList>("warnings");

    QTest::newRow("vector of three series")
            << answer("vector", R"([
                {"metric":{"__name__":"istio_requests_total","destination_version":"v1","response_code":"200"},
                 "value":[1435781451.781,"1027"]},
                {"metric":{"__name__":"istio_requests_total","destination_version":"v2","response_code":"503"},
                 "value":[1435781451.781,"3.5"]},
                {"metric":{"destination_version":"v2","msg":"a \"q\" \\ \u00e9"},"value":[1435781451.781,"-0.25"]}])")
            << 200 << "vector"
            << QStringList { "{__name__=istio_requests_total,destination_version=v1,response_code=200} "
                             "1435781451.781:1027",
                             "{__name__=istio_requests_total,destination_version=v2,response_code=503} "
                             "1435781451.781:3.5",
                             QString::fromUtf8(
                                     "{destination_version=v2,msg=a \"q\" \\ \xc3\xa9} 1435781451.781:-0.25") }
            << QStringList {};
    QTest::newRow("vector: series without labels")
            << answer("vector", R"([{"metric":{},"value":[1700000000,"1"]},
                                                                           {"value":[1700000001,"2"]}])")
            << 0 << "vector" << QStringList { "{} 1700000000:1", "{} 1700000001:2" } << QStringList {};
    QTest::newRow("empty vector") << answer("vector", "[]") << 200 << "vector" << QStringList {} << QStringList {};
    QTest::newRow("matrix with points")
            << answer("matrix", R"([
                {"metric":{"destination_version":"v1"},
                 "values":[[1700000000,"1"],[1700000015,"2.5"],[1700000030.5,"NaN"]]},
                {"metric":{"destination_version":"v2"},"values":[[1700000015,"0"]]}])")
            << 200 << "matrix"
            << QStringList { "{destination_version=v1} 1700000000:1 1700000015:2.5 1700000030.5:NaN",
                             "{destination_version=v2} 1700000015:0" }
            << QStringList {};
    QTest::newRow("matrix: series with no points") << answer("matrix", R"([{"metric":{"job":"a"},"values":[]}])") << 200
                                                   << "matrix" << QStringList { "{job=a} " } << QStringList {};
    QTest::newRow("empty matrix") << answer("matrix", "[]") << 200 << "matrix" << QStringList {} << QStringList {};
    QTest::newRow("scalar") << answer("scalar", R"([1700000000.25,"42.5"])") << 200 << "scalar"
                            << QStringList { "{} 1700000000.25:42.5" } << QStringList {};
    QTest::newRow("string") << answer("string", R"([1700000000,"hello, world"])") << 200 << "string"
                            << QStringList { "{value=hello, world} 1700000000:NaN" } << QStringList {};
    QTest::newRow("warnings kept") << QByteArray(
            R"({"status":"success","warnings":["PromQL info: metric might not be a counter",7,
                             "partial response"],"data":{"resultType":"vector","result":[]}})")
                                   << 200 << "vector" << QStringList {}
                                   << QStringList { "PromQL info: metric might not be a counter", "partial response" };
}

void TestPromApi::decodes()
{
    QFETCH(QByteArray, body);
    QFETCH(int, httpStatus);
    QFETCH(QString, type);
    QFETCH(QStringList, series);
    QFETCH(QStringList, warnings);
    const auto result = core::decodePromAnswer(body, httpStatus);
    QVERIFY2(result.ok(), qPrintable(result.ok() ? QString() : result.error().message));
    QCOMPARE(typeName(result->type), type);
    QCOMPARE(render(*result), series);
    QCOMPARE(result->warnings, warnings);
}

void TestPromApi::sampleValues_data()
{
    QTest::addColumn<QByteArray>("resultType");
    QTest::addColumn<QString>("text");
    QTest::addColumn<double>("expected");

    const double inf = std::numeric_limits<double>::infinity();
    const double nan = std::numeric_limits<double>::quiet_NaN();
    for (const char *type : { "vector", "matrix", "scalar" }) {
        const auto row = [type](const char *name) -> QTestData & {
            return QTest::addRow("%s: %s", type, name) << QByteArray(type);
        };
        row("NaN") << "NaN" << nan;
        row("+Inf") << "+Inf" << inf;
        row("-Inf") << "-Inf" << -inf;
        row("zero") << "0" << 0.0;
        row("negative fraction") << "-0.000123" << -0.000123;
        row("integer") << "1027" << 1027.0;
    }
    // Samples of a vector or matrix: Go's strconv 'f' below 1e21 and from 1e-6, 'e' outside (jsonutil.MarshalFloat).
    for (const char *type : { "vector", "matrix" }) {
        const auto row = [type](const char *name) -> QTestData & {
            return QTest::addRow("%s: %s", type, name) << QByteArray(type);
        };
        row("2^53 + 2") << "9007199254740994" << 9007199254740994.0;
        row("just below 1e21") << "123456789012345680000" << 123456789012345680000.0;
        row("1e+21") << "1e+21" << 1e21;
        row("largest double") << "1.7976931348623157e+308" << std::numeric_limits<double>::max();
        row("lowest double") << "-1.7976931348623157e+308" << std::numeric_limits<double>::lowest();
        row("1e-07") << "1e-07" << 1e-7;
        row("smallest normal") << "2.2250738585072014e-308" << std::numeric_limits<double>::min();
    }
    // A scalar is written by promql.Scalar.MarshalJSON with strconv.FormatFloat(v, 'f', -1, 64) at any size:
    // scalar(1e100) comes as a 1 and a hundred zeros.
    QTest::newRow("scalar: 1e21 as 'f'") << QByteArray("scalar") << "1000000000000000000000" << 1e21;
    QTest::newRow("scalar: 1e100 as 'f'")
            << QByteArray("scalar") << QString(QLatin1Char('1') + QString(100, QLatin1Char('0'))) << 1e100;
    QTest::newRow("scalar: largest double as 'f'")
            << QByteArray("scalar") << QString(QStringLiteral("17976931348623157") + QString(292, QLatin1Char('0')))
            << std::numeric_limits<double>::max();
    QTest::newRow("scalar: 1e-100 as 'f'")
            << QByteArray("scalar") << QString(QStringLiteral("0.") + QString(99, QLatin1Char('0')) + QLatin1Char('1'))
            << 1e-100;
}

void TestPromApi::sampleValues()
{
    QFETCH(QByteArray, resultType);
    QFETCH(QString, text);
    QFETCH(double, expected);
    const QByteArray value = text.toLatin1();
    QByteArray result;
    if (resultType == "vector")
        result = R"([{"metric":{"job":"a"},"value":[1700000000,")" + value + R"("]}])";
    else if (resultType == "matrix")
        result = R"([{"metric":{"job":"a"},"values":[[1700000000,"1"],[1700000015,")" + value + R"("]]}])";
    else
        result = R"([1700000000,")" + value + R"("])";
    const auto decoded = core::decodePromAnswer(answer(resultType.constData(), result), 200);
    QVERIFY2(decoded.ok(), qPrintable(decoded.ok() ? QString() : decoded.error().message));
    QCOMPARE(decoded->series.size(), 1);
    const QList<core::PromSample> &samples = decoded->series.at(0).samples;
    QCOMPARE(samples.size(), resultType == "matrix" ? 2 : 1);
    const core::PromSample &sample = samples.constLast();
    QCOMPARE(sample.atSeconds, resultType == "matrix" ? 1700000015.0 : 1700000000.0);
    if (std::isnan(expected)) {
        QVERIFY2(std::isnan(sample.value), qPrintable(number(sample.value)));
    } else {
        // Exact, not QCOMPARE's fuzzy comparison: the text is the shortest form of exactly this double.
        QVERIFY2(sample.value == expected, qPrintable(number(sample.value) + " != " + number(expected)));
        QCOMPARE(std::signbit(sample.value), std::signbit(expected));
    }
}

void TestPromApi::prometheusError_data()
{
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<int>("httpStatus");
    QTest::addColumn<QString>("message");
    QTest::addColumn<QString>("reason");
    QTest::addColumn<QStringList>("causes");

    QTest::newRow("HTTP 400 bad_data")
            << QByteArray(R"({"status":"error","errorType":"bad_data","error":"invalid parameter \"query\": 1:9: )"
                          R"(parse error: unclosed left parenthesis"})")
            << 400 << R"(Prometheus: bad_data: invalid parameter "query": 1:9: parse error: unclosed left parenthesis)"
            << "bad_data" << QStringList {};
    QTest::newRow("HTTP 422 execution")
            << QByteArray(R"({"status":"error","errorType":"execution","error":"query processing would load too )"
                          R"(many samples into memory in query execution"})")
            << 422
            << "Prometheus: execution: query processing would load too many samples into memory in query execution"
            << "execution" << QStringList {};
    QTest::newRow("HTTP 503 timeout, with warnings")
            << QByteArray(R"({"status":"error","errorType":"timeout","error":"query timed out in expression )"
                          R"(evaluation","warnings":["remote read: partial data"]})")
            << 503 << "Prometheus: timeout: query timed out in expression evaluation"
            << "timeout" << QStringList { "remote read: partial data" };
    QTest::newRow("HTTP status unknown") << QByteArray(
            R"({"status":"error","errorType":"internal","error":"tsdb: \u00e9chec \t<x>"})")
                                         << 0
                                         << QString::fromUtf8("Prometheus: internal: tsdb: \xc3\xa9"
                                                              "chec \t<x>")
                                         << "internal" << QStringList {};
    QTest::newRow("no errorType") << QByteArray(R"({"status":"error","error":"something broke"})") << 500
                                  << "Prometheus: something broke"
                                  << "" << QStringList {};
    QTest::newRow("no error text, HTTP 422") << QByteArray(R"({"status":"error","errorType":"execution"})") << 422
                                             << "Prometheus answered HTTP 422 with an error (execution) and no message"
                                             << "execution" << QStringList {};
    QTest::newRow("no error text nor type")
            << QByteArray(R"({"status":"error"})") << 0 << "Prometheus answered an error (of no type) and no message"
            << "" << QStringList {};
    const QString longError = QString(290, QLatin1Char('x')) + QStringLiteral("0123456789cut off here");
    QTest::newRow("long error cut at 300 characters")
            << QByteArray(QByteArray(R"({"status":"error","errorType":"bad_data","error":")") + longError.toLatin1()
                          + "\"}")
            << 400
            << QString(QStringLiteral("Prometheus: bad_data: ") + QString(290, QLatin1Char('x'))
                       + QStringLiteral("0123456789"))
            << "bad_data" << QStringList {};
}

void TestPromApi::prometheusError()
{
    QFETCH(QByteArray, body);
    QFETCH(int, httpStatus);
    QFETCH(QString, message);
    QFETCH(QString, reason);
    QFETCH(QStringList, causes);
    const auto result = core::decodePromAnswer(body, httpStatus);
    QVERIFY(!result.ok());
    QCOMPARE(result.error().message, message);
    QCOMPARE(result.error().httpStatus, httpStatus);
    QCOMPARE(result.error().reason, reason);
    QCOMPARE(result.error().causes, causes);
}

void TestPromApi::failures_data()
{
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<int>("httpStatus");
    QTest::addColumn<QStringList>("expected"); // each contained in the message

    // Not Prometheus's JSON at all.
    QTest::newRow("HTTP 404, empty body")
            << QByteArray() << 404 << QStringList { "Prometheus answered HTTP 404 with an empty body" };
    QTest::newRow("HTTP 404, whitespace body")
            << QByteArray(" \r\n\t") << 404 << QStringList { "Prometheus answered HTTP 404 with an empty body" };
    QTest::newRow("HTTP 404, Go's text") << QByteArray("404 page not found\n") << 404
                                         << QStringList { "Prometheus answered HTTP 404: 404 page not found" };
    QTest::newRow("HTTP 502, HTML page")
            << QByteArray("<html>\n  <head><title>502 Bad Gateway</title></head>\n</html>\n") << 502
            << QStringList { "Prometheus answered HTTP 502: <html> <head><title>502 Bad Gateway</title></head> "
                             "</html>" };
    QTest::newRow("HTTP 503, Kubernetes Status")
            << QByteArray(R"({"kind":"Status","apiVersion":"v1","status":"Failure","message":"no endpoints )"
                          R"(available for service \"prometheus\"","reason":"ServiceUnavailable","code":503})")
            << 503
            << QStringList { R"(Prometheus answered HTTP 503: no endpoints available for service "prometheus")" };
    QTest::newRow("HTTP 500, JSON without a message")
            << QByteArray(R"({"oops":1})") << 500 << QStringList { R"(Prometheus answered HTTP 500: {"oops":1})" };
    QTest::newRow("empty body, HTTP 200")
            << QByteArray() << 200 << QStringList { "not its API's JSON (an empty body)" };
    QTest::newRow("malformed JSON, cut short")
            << QByteArray(R"({"status":"success","data":{"resultType":"vector","result":[)") << 200
            << QStringList { R"(not its API's JSON ({"status":"success","data":{"resultType":"vector","result":[))" };
    QTest::newRow("malformed JSON, trailing comma")
            << QByteArray(R"({"status":"success","data":{"resultType":"vector","result":[],}})") << 0
            << QStringList { "not its API's JSON" };
    QTest::newRow("long HTML body shortened")
            << QByteArray("<html>" + QByteArray(200, 'a') + "</html>") << 200
            << QStringList { "(<html>aaaa", QString(QChar(0x2026)) + QLatin1Char(')') };
    QTest::newRow("JSON array") << QByteArray(R"([{"status":"success"}])") << 200
                                << QStringList { "not its API's JSON" };

    // Prometheus-like JSON with fields missing or wrong.
    QTest::newRow("no status") << QByteArray(R"({"data":{"resultType":"vector","result":[]}})") << 200
                               << QStringList { R"(has no "status")", "is the URL a Prometheus server's?" };
    QTest::newRow("status pending") << QByteArray(R"({"status":"pending"})") << 200
                                    << QStringList { R"(status "pending", neither "success" nor "error")" };
    QTest::newRow("no data") << QByteArray(R"({"status":"success"})") << 200
                             << QStringList { R"("data" is nothing, not an object)" };
    QTest::newRow("data a string") << QByteArray(R"({"status":"success","data":"vector"})") << 200
                                   << QStringList { R"("data" is string, not an object)" };
    QTest::newRow("no resultType") << QByteArray(R"({"status":"success","data":{"result":[]}})") << 200
                                   << QStringList { "data.resultType is nothing, not a string" };
    QTest::newRow("no result") << QByteArray(R"({"status":"success","data":{"resultType":"vector"}})") << 200
                               << QStringList { "data.result is missing" };
    QTest::newRow("unknown resultType") << answer("table", "[]") << 200
                                        << QStringList { R"(data.resultType "table" is none of vector, matrix)" };
    QTest::newRow("vector result an object")
            << answer("vector", "{}") << 200 << QStringList { "data.result of a vector is object, not an array" };
    QTest::newRow("matrix result null") << answer("matrix", "null") << 200
                                        << QStringList { "data.result of a matrix is null, not an array" };
    QTest::newRow("series not an object")
            << answer("vector", "[3]") << 200 << QStringList { "series 0: it is number, not an object" };
    QTest::newRow("vector series without value")
            << answer("vector", R"([{"metric":{},"value":[1,"1"]},{"metric":{"a":"b"}}])") << 200
            << QStringList { R"(series 1 of the vector has no "value")" };
    QTest::newRow("matrix series without values") << answer("matrix", R"([{"metric":{},"value":[1,"1"]}])") << 200
                                                  << QStringList { R"(series 0 of the matrix has no "values")" };
    QTest::newRow("metric an array") << answer("vector", R"([{"metric":["a","b"],"value":[1,"1"]}])") << 200
                                     << QStringList { R"(series 0: "metric" is array of 2 element(s), not an object)" };
    QTest::newRow("label a number") << answer("vector", R"([{"metric":{"code":200},"value":[1,"1"]}])") << 200
                                    << QStringList { R"(series 0: label "code" is number, not a string)" };
    QTest::newRow("value of one element") << answer("vector", R"([{"value":["1"]}])") << 200
                                          << QStringList { "series 0: expected a [<time>, \"<value>\"] pair, found "
                                                           "array of 1 element(s)" };
    QTest::newRow("time a string") << answer("vector", R"([{"value":["1700000000","1"]}])") << 200
                                   << QStringList { "series 0: the time is string, not a number of seconds" };
    QTest::newRow("value a JSON number") << answer("vector", R"([{"value":[1700000000,1]}])") << 200
                                         << QStringList { "series 0: the value is number, not a string" };
    QTest::newRow("value not a number") << answer("vector", R"([{"value":[1700000000,"abc"]}])") << 200
                                        << QStringList { R"(series 0: the value "abc" is not a number)" };
    QTest::newRow("value empty") << answer("vector", R"([{"value":[1700000000,""]}])") << 200
                                 << QStringList { R"(series 0: the value "" is not a number)" };
    QTest::newRow("value with a decimal comma")
            << answer("matrix", R"([{"values":[[1,"1"]]},{"values":[[1,"1"],[2,"2"],[3,"1,5"]]}])") << 200
            << QStringList { R"(series 1, sample 2: the value "1,5" is not a number)" };
    QTest::newRow("values an object") << answer("matrix", R"([{"values":{}}])") << 200
                                      << QStringList { R"(series 0: "values" is object, not an array of samples)" };
    QTest::newRow("native histogram in a vector")
            << answer("vector", R"([{"metric":{},"histogram":[1,{"count":"1","sum":"1"}]}])") << 200
            << QStringList { "series 0: it holds native histogram samples", "histogram_quantile()" };
    QTest::newRow("native histograms in a matrix")
            << answer("matrix", R"([{"metric":{},"histograms":[[1,{"count":"1","sum":"1"}]]}])") << 200
            << QStringList { "series 0: it holds native histogram samples" };
    QTest::newRow("scalar not a pair") << answer("scalar", R"("1")") << 200
                                       << QStringList { "the scalar result: expected a [<time>, \"<value>\"] pair, "
                                                        "found string" };
    QTest::newRow("scalar value bad") << answer("scalar", R"([1,"1..2"])") << 200
                                      << QStringList { R"(the scalar result: the value "1..2" is not a number)" };
    QTest::newRow("string value a number")
            << answer("string", R"([1,2])") << 200 << QStringList { "the string result: the value is number" };
}

void TestPromApi::failures()
{
    QFETCH(QByteArray, body);
    QFETCH(int, httpStatus);
    QFETCH(QStringList, expected);
    const auto result = core::decodePromAnswer(body, httpStatus);
    QVERIFY2(!result.ok(), qPrintable(result.ok() ? render(*result).join(QLatin1Char('\n')) : QString()));
    for (const QString &part : expected)
        QVERIFY2(result.error().message.contains(part), qPrintable(result.error().message));
    QCOMPARE(result.error().httpStatus, httpStatus);
    QCOMPARE(result.error().reason, QString()); // only a Prometheus error has an errorType
}

void TestPromApi::queryStrings_data()
{
    QTest::addColumn<QString>("promql");
    QTest::addColumn<QList<double>>("times"); // none, {time} or {start, end, step}
    QTest::addColumn<QByteArray>("expected");

    QTest::newRow("bare name") << "up" << QList<double> {} << QByteArray("query=up");
    QTest::newRow("reserved characters, '+' included")
            << R"(sum(rate(x{a="b",c=~"d|e"}[5m])) + 1 & 2)" << QList<double> {}
            << QByteArray("query=sum%28rate%28x%7Ba%3D%22b%22%2Cc%3D~%22d%7Ce%22%7D%5B5m%5D%29%29%20%2B%201%20%26%202");
    QTest::newRow("non-ASCII label value") << QString::fromUtf8("up{a=\"\xc3\xa9\"}") << QList<double> {}
                                           << QByteArray("query=up%7Ba%3D%22%C3%A9%22%7D");
    QTest::newRow("with a time") << "up" << QList<double> { 1700000000.5 } << QByteArray("query=up&time=1700000000.5");
    QTest::newRow("with a whole time") << "up" << QList<double> { 1700000000 }
                                       << QByteArray("query=up&time=1700000000");
    QTest::newRow("range") << "rate(x[1m])" << QList<double> { 1700000000, 1700003600, 15 }
                           << QByteArray("query=rate%28x%5B1m%5D%29&start=1700000000&end=1700003600&step=15");
    QTest::newRow("range, fractional step") << "up" << QList<double> { 1700000000.25, 1700000010, 0.5 }
                                            << QByteArray("query=up&start=1700000000.25&end=1700000010&step=0.5");
}

void TestPromApi::queryStrings()
{
    QFETCH(QString, promql);
    QFETCH(QList<double>, times);
    QFETCH(QByteArray, expected);
    if (times.isEmpty())
        QCOMPARE(core::promQueryString(promql), expected);
    else if (times.size() == 1)
        QCOMPARE(core::promQueryString(promql, times.at(0)), expected);
    else
        QCOMPARE(core::promRangeQueryString(promql, times.at(0), times.at(1), times.at(2)), expected);
}

QTEST_GUILESS_MAIN(TestPromApi)
#include "tst_promapi.moc"
