#include "core/model/istio.h"

namespace canary::core {

QString fullyQualifiedHost(const QString &host, const QString &objectNamespace)
{
    if (host.isEmpty() || host.contains(QLatin1Char('*')))
        return host;
    const QStringList parts = host.split(QLatin1Char('.'));
    if (parts.size() == 1)
        return host + QLatin1Char('.') + objectNamespace + QLatin1Char('.') + kClusterDomain;
    if (parts.size() == 2)
        return host + QLatin1Char('.') + kClusterDomain;
    if (parts.size() == 3 && parts.at(2) == QLatin1String("svc"))
        return host + QLatin1String(".cluster.local");
    return host;
}

QString serviceNameOfHost(const QString &host, const QString &objectNamespace)
{
    const QString fqdn = fullyQualifiedHost(host, objectNamespace);
    const QString suffix = QLatin1Char('.') + kClusterDomain;
    if (!fqdn.endsWith(suffix))
        return {};
    const QStringList parts = fqdn.left(fqdn.size() - suffix.size()).split(QLatin1Char('.'));
    if (parts.size() != 2 || parts.at(1) != objectNamespace)
        return {};
    return parts.at(0);
}

QString objectName(const QJsonObject &object)
{
    return object.value(QLatin1String("metadata")).toObject().value(QLatin1String("name")).toString();
}

QString objectNamespace(const QJsonObject &object, const QString &fallback)
{
    const QString ns = object.value(QLatin1String("metadata")).toObject().value(QLatin1String("namespace")).toString();
    return ns.isEmpty() ? fallback : ns;
}

QString resourceVersion(const QJsonObject &object)
{
    return object.value(QLatin1String("metadata")).toObject().value(QLatin1String("resourceVersion")).toString();
}

QJsonObject labelsOf(const QJsonObject &object)
{
    return object.value(QLatin1String("metadata")).toObject().value(QLatin1String("labels")).toObject();
}

bool labelsMatch(const QJsonObject &selector, const QJsonObject &labels)
{
    for (auto it = selector.begin(); it != selector.end(); ++it) {
        if (labels.value(it.key()).toString() != it.value().toString())
            return false;
    }
    return true;
}

QList<RouteDestination> routeDestinations(const QJsonObject &httpRoute)
{
    QList<RouteDestination> out;
    for (const QJsonValue &v : httpRoute.value(QLatin1String("route")).toArray()) {
        const QJsonObject d = v.toObject();
        const QJsonObject dest = d.value(QLatin1String("destination")).toObject();
        RouteDestination rd;
        rd.host = dest.value(QLatin1String("host")).toString();
        rd.subset = dest.value(QLatin1String("subset")).toString();
        rd.hasWeight = d.contains(QLatin1String("weight"));
        rd.weight = d.value(QLatin1String("weight")).toInt();
        out.append(rd);
    }
    return out;
}

QList<double> effectiveShares(const QList<RouteDestination> &destinations)
{
    QList<double> shares;
    if (destinations.size() == 1)
        return { 100.0 };
    double total = 0;
    for (const RouteDestination &d : destinations)
        total += qMax(0, d.weight);
    for (const RouteDestination &d : destinations)
        shares.append(total > 0 ? 100.0 * qMax(0, d.weight) / total : 0.0);
    return shares;
}

namespace {

QString summarizeStringMatch(const QString &what, const QJsonObject &sm)
{
    // In words an operator reads aloud: "path starts with /color", "x-my-header = dark".
    if (sm.contains(QLatin1String("exact")))
        return QStringLiteral("%1 = %2").arg(what, sm.value(QLatin1String("exact")).toString());
    if (sm.contains(QLatin1String("prefix")))
        return QStringLiteral("%1 starts with %2").arg(what, sm.value(QLatin1String("prefix")).toString());
    if (sm.contains(QLatin1String("regex")))
        return QStringLiteral("%1 matches %2").arg(what, sm.value(QLatin1String("regex")).toString());
    return what + QLatin1String(" present");
}

} // namespace

QString summarizeMatch(const QJsonArray &match)
{
    QStringList blocks;
    for (const QJsonValue &bv : match) {
        const QJsonObject block = bv.toObject();
        QStringList conditions;
        if (block.contains(QLatin1String("uri")))
            conditions.append(
                    summarizeStringMatch(QStringLiteral("path"), block.value(QLatin1String("uri")).toObject()));
        const QJsonObject headers = block.value(QLatin1String("headers")).toObject();
        for (auto it = headers.begin(); it != headers.end(); ++it)
            conditions.append(summarizeStringMatch(it.key(), it.value().toObject()));
        const QJsonObject query = block.value(QLatin1String("queryParams")).toObject();
        for (auto it = query.begin(); it != query.end(); ++it)
            conditions.append(summarizeStringMatch(QStringLiteral("query ") + it.key(), it.value().toObject()));
        for (const char *k : { "method", "authority", "scheme" }) {
            if (block.contains(QLatin1String(k)))
                conditions.append(summarizeStringMatch(QLatin1String(k), block.value(QLatin1String(k)).toObject()));
        }
        if (conditions.isEmpty())
            conditions.append(QStringLiteral("any request"));
        blocks.append(conditions.join(QLatin1String(" and ")));
    }
    return blocks.join(QLatin1String(" or "));
}

} // namespace canary::core
