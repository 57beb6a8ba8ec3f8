#include "core/telemetry/promapi.h"

#include <QCoreApplication>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QJsonValue>
#include <QLocale>
#include <QUrl>

#include <cmath>
#include <limits>

namespace canary::core {

namespace {

struct PromApi {
    Q_DECLARE_TR_FUNCTIONS(PromApi)
};

// Beyond these a chart is unreadable anyway, and the limits keep memory and time bounded on any answer.
constexpr qsizetype kMaxSeries = 100000;
constexpr qsizetype kMaxSamples = 2000000;
constexpr qsizetype kMaxBodyBytes = 128 * 1024 * 1024;
constexpr qsizetype kSnippetChars = 80;
constexpr qsizetype kQuotedChars = 300;

Error failure(QString message, int httpStatus, QString reason = {}, QStringList causes = {})
{
    return Error { std::move(message), httpStatus, std::move(reason), std::move(causes) };
}

QString truncated(const QString &text, qsizetype chars)
{
    if (text.size() <= chars)
        return text;
    qsizetype cut = chars;
    if (text.at(cut - 1).isHighSurrogate())
        --cut;
    return text.left(cut);
}

// The first printable characters of a body, whitespace runs shown as one space; empty if there are none.
QString snippet(const QByteArray &body)
{
    constexpr qsizetype scanBytes = 4096;
    const QString text = QString::fromUtf8(body.left(scanBytes));
    QString out;
    bool space = false;
    bool more = body.size() > scanBytes;
    for (const QChar c : text) {
        if (c.isSpace()) {
            space = !out.isEmpty();
            continue;
        }
        if (!c.isPrint() || c == QChar::ReplacementCharacter)
            continue;
        if (out.size() + (space ? 2 : 1) > kSnippetChars) {
            more = true;
            break;
        }
        if (space)
            out += QLatin1Char(' ');
        space = false;
        out += c;
    }
    if (more && !out.isEmpty())
        out += QChar(0x2026);
    return out;
}

QString jsonTypeName(const QJsonValue &v)
{
    switch (v.type()) {
    case QJsonValue::Null: return PromApi::tr("null");
    case QJsonValue::Bool: return PromApi::tr("boolean");
    case QJsonValue::Double: return PromApi::tr("number");
    case QJsonValue::String: return PromApi::tr("string");
    case QJsonValue::Array: return PromApi::tr("array of %n element(s)", nullptr, int(v.toArray().size()));
    case QJsonValue::Object: return PromApi::tr("object");
    case QJsonValue::Undefined: break;
    }
    return PromApi::tr("nothing");
}

QString quoted(const QString &text)
{
    return QLatin1Char('"') + truncated(text, 60) + QLatin1Char('"');
}

Error notApiJson(const QByteArray &body, int httpStatus)
{
    const QString shown = snippet(body);
    if (httpStatus != 0 && (httpStatus < 200 || httpStatus > 299)) {
        if (shown.isEmpty())
            return failure(PromApi::tr("Prometheus answered HTTP %1 with an empty body").arg(httpStatus), httpStatus);
        return failure(PromApi::tr("Prometheus answered HTTP %1: %2").arg(httpStatus).arg(shown), httpStatus);
    }
    return failure(PromApi::tr("Prometheus answered with something that is not its API's JSON (%1)")
                           .arg(shown.isEmpty() ? PromApi::tr("an empty body") : shown),
                   httpStatus);
}

std::optional<double> parseSampleValue(const QString &text)
{
    // Prometheus writes values with Go's strconv.FormatFloat: NaN, +Inf, -Inf or a decimal number.
    if (text.compare(QLatin1String("NaN"), Qt::CaseInsensitive) == 0)
        return std::numeric_limits<double>::quiet_NaN();
    for (const char *inf : { "+Inf", "Inf", "+Infinity", "Infinity" }) {
        if (text.compare(QLatin1String(inf), Qt::CaseInsensitive) == 0)
            return std::numeric_limits<double>::infinity();
    }
    if (text.compare(QLatin1String("-Inf"), Qt::CaseInsensitive) == 0
        || text.compare(QLatin1String("-Infinity"), Qt::CaseInsensitive) == 0)
        return -std::numeric_limits<double>::infinity();
    // A scalar comes in plain digits at every size (strconv 'f'): the largest double is 309 digits,
    // the smallest subnormal over a thousand.
    if (text.isEmpty() || text.size() > 1100)
        return std::nullopt;
    for (const QChar c : text) {
        if (!c.isDigit() && c != QLatin1Char('.') && c != QLatin1Char('e') && c != QLatin1Char('E')
            && c != QLatin1Char('+') && c != QLatin1Char('-'))
            return std::nullopt;
    }
    bool ok = false;
    const double value = text.toDouble(&ok);
    if (!ok)
        return std::nullopt;
    return value;
}

// One [<time>, "<text>"] pair; `where` names it in messages ("series 3, sample 7").
std::optional<Error> decodePair(const QJsonValue &v, const QString &where, int httpStatus, double *atSeconds,
                                QString *text)
{
    const QJsonArray pair = v.toArray();
    if (!v.isArray() || pair.size() != 2)
        return failure(PromApi::tr("Prometheus's answer, %1: expected a [<time>, \"<value>\"] pair, found %2")
                               .arg(where, jsonTypeName(v)),
                       httpStatus);
    const QJsonValue time = pair.at(0);
    if (!time.isDouble() || !std::isfinite(time.toDouble()))
        return failure(PromApi::tr("Prometheus's answer, %1: the time is %2, not a number of seconds")
                               .arg(where, jsonTypeName(time)),
                       httpStatus);
    const QJsonValue value = pair.at(1);
    if (!value.isString())
        return failure(PromApi::tr("Prometheus's answer, %1: the value is %2, not a string as Prometheus writes them")
                               .arg(where, jsonTypeName(value)),
                       httpStatus);
    *atSeconds = time.toDouble();
    *text = value.toString();
    return std::nullopt;
}

std::optional<Error> decodeSample(const QJsonValue &v, const QString &where, int httpStatus, PromSample *out)
{
    QString text;
    if (auto error = decodePair(v, where, httpStatus, &out->atSeconds, &text))
        return error;
    const auto value = parseSampleValue(text);
    if (!value)
        return failure(PromApi::tr("Prometheus's answer, %1: the value %2 is not a number").arg(where, quoted(text)),
                       httpStatus);
    out->value = *value;
    return std::nullopt;
}

std::optional<Error> decodeLabels(const QJsonObject &series, qsizetype index, int httpStatus,
                                  QHash<QString, QString> *labels)
{
    const QJsonValue metric = series.value(QLatin1String("metric"));
    if (metric.isUndefined())
        return std::nullopt;
    if (!metric.isObject())
        return failure(PromApi::tr("Prometheus's answer, series %1: \"metric\" is %2, not an object of labels")
                               .arg(index)
                               .arg(jsonTypeName(metric)),
                       httpStatus);
    const QJsonObject object = metric.toObject();
    labels->reserve(object.size());
    for (auto it = object.begin(); it != object.end(); ++it) {
        if (!it.value().isString())
            return failure(PromApi::tr("Prometheus's answer, series %1: label %2 is %3, not a string")
                                   .arg(index)
                                   .arg(quoted(it.key()), jsonTypeName(it.value())),
                           httpStatus);
        labels->insert(it.key(), it.value().toString());
    }
    return std::nullopt;
}

Error histogramsUnsupported(qsizetype index, int httpStatus)
{
    return failure(PromApi::tr("Prometheus's answer, series %1: it holds native histogram samples, which Canary Deck "
                               "cannot chart; query histogram_quantile(), histogram_count() or histogram_sum() of it")
                           .arg(index),
                   httpStatus);
}

Result<QList<PromSeries>> decodeSeries(const QJsonValue &result, bool matrix, int httpStatus)
{
    const QString kind = matrix ? QStringLiteral("matrix") : QStringLiteral("vector");
    if (!result.isArray())
        return failure(PromApi::tr("Prometheus's answer: data.result of a %1 is %2, not an array")
                               .arg(kind, jsonTypeName(result)),
                       httpStatus);
    const QJsonArray array = result.toArray();
    if (array.size() > kMaxSeries)
        return failure(PromApi::tr("Prometheus answered %1 series, more than the %2 Canary Deck reads; aggregate the "
                                   "query (sum by (...)) or select fewer series")
                               .arg(array.size())
                               .arg(kMaxSeries),
                       httpStatus);
    QList<PromSeries> out;
    out.reserve(array.size());
    qsizetype samples = 0;
    for (qsizetype i = 0; i < array.size(); ++i) {
        const QJsonValue element = array.at(i);
        if (!element.isObject())
            return failure(PromApi::tr("Prometheus's answer, series %1: it is %2, not an object")
                                   .arg(i)
                                   .arg(jsonTypeName(element)),
                           httpStatus);
        const QJsonObject object = element.toObject();
        PromSeries series;
        if (auto error = decodeLabels(object, i, httpStatus, &series.labels))
            return *error;
        const QLatin1String histogramKey = matrix ? QLatin1String("histograms") : QLatin1String("histogram");
        if (object.contains(histogramKey))
            return histogramsUnsupported(i, httpStatus);
        const QLatin1String valueKey = matrix ? QLatin1String("values") : QLatin1String("value");
        const QJsonValue value = object.value(valueKey);
        if (value.isUndefined())
            return failure(
                    PromApi::tr("Prometheus's answer, series %1 of the %2 has no \"%3\"").arg(i).arg(kind, valueKey),
                    httpStatus);
        if (!matrix) {
            PromSample sample;
            if (auto error = decodeSample(value, PromApi::tr("series %1").arg(i), httpStatus, &sample))
                return *error;
            series.samples.append(sample);
        } else {
            if (!value.isArray())
                return failure(PromApi::tr("Prometheus's answer, series %1: \"values\" is %2, not an array of samples")
                                       .arg(i)
                                       .arg(jsonTypeName(value)),
                               httpStatus);
            const QJsonArray values = value.toArray();
            samples += values.size();
            if (samples > kMaxSamples)
                return failure(PromApi::tr("Prometheus answered more than %1 samples, more than Canary Deck reads; "
                                           "query a shorter range, with a larger step, or fewer series")
                                       .arg(kMaxSamples),
                               httpStatus);
            series.samples.reserve(values.size());
            for (qsizetype j = 0; j < values.size(); ++j) {
                PromSample sample;
                if (auto error = decodeSample(values.at(j), PromApi::tr("series %1, sample %2").arg(i).arg(j),
                                              httpStatus, &sample))
                    return *error;
                series.samples.append(sample);
            }
        }
        out.append(std::move(series));
    }
    return out;
}

Error prometheusError(const QJsonObject &answer, int httpStatus, const QStringList &warnings)
{
    const QString type = answer.value(QLatin1String("errorType")).toString();
    const QString error = truncated(answer.value(QLatin1String("error")).toString(), kQuotedChars);
    QString message;
    if (error.isEmpty())
        message = httpStatus != 0 ? PromApi::tr("Prometheus answered HTTP %1 with an error (%2) and no message")
                                            .arg(httpStatus)
                                            .arg(type.isEmpty() ? PromApi::tr("of no type") : truncated(type, 60))
                                  : PromApi::tr("Prometheus answered an error (%1) and no message")
                                            .arg(type.isEmpty() ? PromApi::tr("of no type") : truncated(type, 60));
    else if (type.isEmpty())
        message = PromApi::tr("Prometheus: %1").arg(error);
    else
        message = PromApi::tr("Prometheus: %1: %2").arg(truncated(type, 60), error);
    return failure(message, httpStatus, type, warnings);
}

QByteArray encodedNumber(double seconds)
{
    return QUrl::toPercentEncoding(
            QString::fromLatin1(QByteArray::number(seconds, 'f', QLocale::FloatingPointShortest)));
}

} // namespace

namespace {

// The "data" of a successful answer: its result by its resultType.
Result<PromResult> decodeData(const QJsonValue &dataValue, int httpStatus, PromResult result)
{
    if (!dataValue.isObject())
        return failure(PromApi::tr("Prometheus's answer: \"data\" is %1, not an object with resultType and result")
                               .arg(jsonTypeName(dataValue)),
                       httpStatus);
    const QJsonObject data = dataValue.toObject();
    const QJsonValue typeValue = data.value(QLatin1String("resultType"));
    if (!typeValue.isString())
        return failure(
                PromApi::tr("Prometheus's answer: data.resultType is %1, not a string").arg(jsonTypeName(typeValue)),
                httpStatus);
    const QString type = typeValue.toString();
    const QJsonValue resultValue = data.value(QLatin1String("result"));
    if (resultValue.isUndefined())
        return failure(PromApi::tr("Prometheus's answer: data.result is missing"), httpStatus);

    if (type == QLatin1String("vector") || type == QLatin1String("matrix")) {
        const bool matrix = type == QLatin1String("matrix");
        auto series = decodeSeries(resultValue, matrix, httpStatus);
        if (!series)
            return series.error();
        result.type = matrix ? PromResult::Type::Matrix : PromResult::Type::Vector;
        result.series = std::move(series).value();
        return result;
    }
    if (type == QLatin1String("scalar")) {
        PromSample sample;
        if (auto error = decodeSample(resultValue, PromApi::tr("the scalar result"), httpStatus, &sample))
            return *error;
        result.type = PromResult::Type::Scalar;
        result.series.append(PromSeries { {}, { sample } });
        return result;
    }
    if (type == QLatin1String("string")) {
        PromSample sample;
        QString text;
        if (auto error
            = decodePair(resultValue, PromApi::tr("the string result"), httpStatus, &sample.atSeconds, &text))
            return *error;
        sample.value = std::numeric_limits<double>::quiet_NaN();
        result.type = PromResult::Type::String;
        result.series.append(PromSeries { { { QStringLiteral("value"), text } }, { sample } });
        return result;
    }
    return failure(PromApi::tr("Prometheus's answer: data.resultType %1 is none of vector, matrix, scalar, string")
                           .arg(quoted(type)),
                   httpStatus);
}

} // namespace

Result<PromResult> decodePromAnswer(const QByteArray &body, int httpStatus)
{
    const bool httpFailed = httpStatus != 0 && (httpStatus < 200 || httpStatus > 299);
    if (body.size() > kMaxBodyBytes)
        return failure(PromApi::tr("Prometheus answered %1 MiB, more than the %2 MiB Canary Deck reads; query a "
                                   "shorter range, with a larger step, or fewer series")
                               .arg(body.size() / (1024 * 1024))
                               .arg(kMaxBodyBytes / (1024 * 1024)),
                       httpStatus);
    QJsonParseError parseError;
    const QJsonDocument document = QJsonDocument::fromJson(body, &parseError);
    if (parseError.error != QJsonParseError::NoError || !document.isObject())
        return notApiJson(body, httpStatus);
    const QJsonObject answer = document.object();

    PromResult result;
    for (const QJsonValue warning : answer.value(QLatin1String("warnings")).toArray()) {
        if (warning.isString())
            result.warnings.append(warning.toString());
    }

    const QJsonValue status = answer.value(QLatin1String("status"));
    if (status.toString() == QLatin1String("error"))
        return prometheusError(answer, httpStatus, result.warnings);
    if (httpFailed) {
        // JSON from something in front of Prometheus, such as a Kubernetes Status from the API server's proxy.
        const QString message = truncated(answer.value(QLatin1String("message")).toString(), kQuotedChars);
        if (!message.isEmpty())
            return failure(PromApi::tr("Prometheus answered HTTP %1: %2").arg(httpStatus).arg(message), httpStatus);
        return notApiJson(body, httpStatus);
    }
    if (!status.isString())
        return failure(PromApi::tr("Prometheus's answer has no \"status\": it is JSON, but not from Prometheus's "
                                   "/api/v1 (is the URL a Prometheus server's?)"),
                       httpStatus);
    if (status.toString() != QLatin1String("success"))
        return failure(PromApi::tr("Prometheus's answer has status %1, neither \"success\" nor \"error\"")
                               .arg(quoted(status.toString())),
                       httpStatus);

    return decodeData(answer.value(QLatin1String("data")), httpStatus, std::move(result));
}

QByteArray promQueryString(const QString &promql, std::optional<double> timeSeconds)
{
    QByteArray out = "query=" + QUrl::toPercentEncoding(promql);
    if (timeSeconds)
        out += "&time=" + encodedNumber(*timeSeconds);
    return out;
}

QByteArray promRangeQueryString(const QString &promql, double startSeconds, double endSeconds, double stepSeconds)
{
    return "query=" + QUrl::toPercentEncoding(promql) + "&start=" + encodedNumber(startSeconds)
            + "&end=" + encodedNumber(endSeconds) + "&step=" + encodedNumber(stepSeconds);
}

} // namespace canary::core
