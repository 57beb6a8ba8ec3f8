#pragma once

#include "k8s/result.h"

#include <QByteArray>
#include <QHash>
#include <QList>
#include <QString>
#include <QStringList>

#include <optional>

namespace canary::core {

struct PromSample {
    double atSeconds = 0;
    double value = 0; // may be NaN or +-Inf
};

// A vector has one sample per series; a scalar is one series without labels; a string is one series
// whose label "value" holds the string, with one NaN sample at its time.
struct PromSeries {
    QHash<QString, QString> labels;
    QList<PromSample> samples;
};

struct PromResult {
    enum class Type { Vector, Matrix, Scalar, String };
    Type type = Type::Vector;
    QList<PromSeries> series;
    QStringList warnings;
};

// Decodes one answer of /api/v1/query or /api/v1/query_range. httpStatus is the HTTP status the body
// came with (0 if unknown). A Prometheus error gives "Prometheus: <errorType>: <error>" with the
// errorType as the error's reason and any warnings as its causes.
Result<PromResult> decodePromAnswer(const QByteArray &body, int httpStatus = 0);

// The URL query part ("query=...&time=...") with every reserved character percent-encoded, '+' included.
QByteArray promQueryString(const QString &promql, std::optional<double> timeSeconds = {});
QByteArray promRangeQueryString(const QString &promql, double startSeconds, double endSeconds, double stepSeconds);

} // namespace canary::core
