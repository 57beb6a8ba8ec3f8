#include "core/routing/routing.h"

#include <re2/re2.h>

#include <QMutex>
#include <QMutexLocker>

#include <memory>

namespace canary::core {

namespace {

std::shared_ptr<const RE2> compiled(const QString &pattern, bool ignoreCase)
{
    static QMutex mutex;
    static QHash<QString, std::shared_ptr<const RE2>> cache;
    const QString key = (ignoreCase ? QLatin1Char('i') : QLatin1Char('c')) + pattern;
    QMutexLocker lock(&mutex);
    auto it = cache.find(key);
    if (it != cache.end())
        return it.value();
    RE2::Options options;
    options.set_log_errors(false);
    options.set_case_sensitive(!ignoreCase);
    auto re = std::make_shared<const RE2>(pattern.toStdString(), options);
    if (cache.size() > 4096)
        cache.clear();
    cache.insert(key, re);
    return re;
}

} // namespace

bool isValidRe2(const QString &pattern, QString *error)
{
    RE2::Options options;
    options.set_log_errors(false);
    RE2 re(pattern.toStdString(), options);
    if (!re.ok() && error)
        *error = QString::fromStdString(re.error());
    return re.ok();
}

bool stringMatches(const QJsonObject &match, const QString &value, bool ignoreCase)
{
    const Qt::CaseSensitivity cs = ignoreCase ? Qt::CaseInsensitive : Qt::CaseSensitive;
    if (match.contains(QLatin1String("exact")))
        return value.compare(match.value(QLatin1String("exact")).toString(), cs) == 0;
    if (match.contains(QLatin1String("prefix")))
        return value.startsWith(match.value(QLatin1String("prefix")).toString(), cs);
    if (match.contains(QLatin1String("regex"))) {
        const auto re = compiled(match.value(QLatin1String("regex")).toString(), ignoreCase);
        return re->ok() && RE2::FullMatch(value.toStdString(), *re);
    }
    return true; // an empty StringMatch only asks that the value be present
}

bool matchBlockMatches(const QJsonObject &block, const RequestInfo &request)
{
    if (block.contains(QLatin1String("uri"))
        && !stringMatches(block.value(QLatin1String("uri")).toObject(), request.path,
                          block.value(QLatin1String("ignoreUriCase")).toBool()))
        return false;
    if (block.contains(QLatin1String("method"))
        && !stringMatches(block.value(QLatin1String("method")).toObject(), request.method))
        return false;
    if (block.contains(QLatin1String("scheme"))
        && !stringMatches(block.value(QLatin1String("scheme")).toObject(), request.scheme))
        return false;
    if (block.contains(QLatin1String("authority"))
        && !stringMatches(block.value(QLatin1String("authority")).toObject(), request.authority))
        return false;
    const QJsonObject headers = block.value(QLatin1String("headers")).toObject();
    for (auto it = headers.begin(); it != headers.end(); ++it) {
        const QString name = it.key().toLower();
        if (!request.headers.contains(name) || !stringMatches(it.value().toObject(), request.headers.value(name)))
            return false;
    }
    const QJsonObject without = block.value(QLatin1String("withoutHeaders")).toObject();
    for (auto it = without.begin(); it != without.end(); ++it) {
        const QString name = it.key().toLower();
        if (request.headers.contains(name) && stringMatches(it.value().toObject(), request.headers.value(name)))
            return false;
    }
    const QJsonObject query = block.value(QLatin1String("queryParams")).toObject();
    for (auto it = query.begin(); it != query.end(); ++it) {
        if (!request.query.contains(it.key()) || !stringMatches(it.value().toObject(), request.query.value(it.key())))
            return false;
    }
    return true;
}

int firstMatchingRoute(const QJsonArray &http, const RequestInfo &request)
{
    for (int i = 0; i < http.size(); ++i) {
        const QJsonArray match = http.at(i).toObject().value(QLatin1String("match")).toArray();
        if (match.isEmpty())
            return i;
        for (const QJsonValue &block : match) {
            if (matchBlockMatches(block.toObject(), request))
                return i;
        }
    }
    return -1;
}

int pickDestination(const QList<RouteDestination> &destinations, double uniform)
{
    if (destinations.isEmpty())
        return -1;
    if (destinations.size() == 1)
        return 0;
    long total = 0;
    for (const RouteDestination &d : destinations)
        total += qMax(0, d.weight);
    if (total <= 0)
        return -1;
    double point = uniform * double(total);
    for (int i = 0; i < destinations.size(); ++i) {
        point -= qMax(0, destinations.at(i).weight);
        if (point < 0)
            return i;
    }
    for (int i = int(destinations.size()) - 1; i >= 0; --i) {
        if (destinations.at(i).weight > 0)
            return i;
    }
    return -1;
}

} // namespace canary::core
