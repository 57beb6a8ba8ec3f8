#include "cli/commands.h"

#include "cli/world.h"
#include "core/model/istio.h"
#include "core/model/release.h"
#include "k8s/humanduration.h"
#include "k8s/yaml.h"

#include <QJsonArray>

namespace canary::cli {

namespace {

QJsonObject releaseJson(const core::Release &r)
{
    QJsonArray versions;
    for (const core::ReleaseVersion &v : r.versions)
        versions.append(QJsonObject {
                { QStringLiteral("name"), v.name },
                { QStringLiteral("host"), v.host },
                { QStringLiteral("subset"), v.subset.isEmpty() ? QJsonValue(QJsonValue::Null) : QJsonValue(v.subset) },
                { QStringLiteral("pods"), v.pods < 0 ? QJsonValue(QJsonValue::Null) : QJsonValue(v.pods) } });
    QJsonArray routes;
    const QJsonArray http = r.vs.value(QLatin1String("spec")).toObject().value(QLatin1String("http")).toArray();
    for (const core::ReleaseRoute &route : r.routes) {
        const QJsonObject raw = http.at(route.index).toObject();
        QJsonArray dests;
        const QList<core::RouteDestination> rd = core::routeDestinations(raw);
        for (const QJsonValue &d : raw.value(QLatin1String("route")).toArray()) {
            const QJsonObject dest = d.toObject();
            dests.append(QJsonObject {
                    { QStringLiteral("version"),
                      core::versionOfDestination(r, dest.value(QLatin1String("destination")).toObject()) },
                    { QStringLiteral("weight"),
                      rd.size() == 1 && !dest.contains(QLatin1String("weight"))
                              ? 100
                              : dest.value(QLatin1String("weight")).toInt() } });
        }
        QJsonValue mirror = QJsonValue::Null;
        if (raw.contains(QLatin1String("mirror")))
            mirror = QJsonObject {
                { QStringLiteral("version"),
                  core::versionOfDestination(r, raw.value(QLatin1String("mirror")).toObject()) },
                { QStringLiteral("percent"),
                  raw.contains(QLatin1String("mirrorPercentage"))
                          ? raw.value(QLatin1String("mirrorPercentage")).toObject().value(QLatin1String("value"))
                          : QJsonValue(100) }
            };
        routes.append(QJsonObject { { QStringLiteral("index"), route.index },
                                    { QStringLiteral("name"),
                                      route.name.isEmpty() ? QJsonValue(QJsonValue::Null) : QJsonValue(route.name) },
                                    { QStringLiteral("match"),
                                      route.match.isEmpty() ? QJsonValue(QJsonValue::Null) : QJsonValue(route.match) },
                                    { QStringLiteral("destinations"), dests },
                                    { QStringLiteral("mirror"), mirror } });
    }
    return QJsonObject { { QStringLiteral("name"), r.virtualService },
                         { QStringLiteral("namespace"), r.ns },
                         { QStringLiteral("hosts"), QJsonArray::fromStringList(r.hosts) },
                         { QStringLiteral("versions"), versions },
                         { QStringLiteral("routes"), routes } };
}

QString weightsText(const core::Release &r)
{
    const core::ReleaseRoute *route = r.route(r.defaultRoute);
    if (!route)
        return QStringLiteral("<none>");
    QStringList parts;
    for (int i = 0; i < r.versions.size(); ++i) {
        if (route->weights.value(i, -1) >= 0)
            parts.append(QStringLiteral("%1=%2").arg(r.versions.at(i).name).arg(route->weights.at(i)));
    }
    return parts.join(QLatin1Char(','));
}

QStringList tableRow(const core::Release &r, bool wide)
{
    int matchRoutes = 0;
    for (const core::ReleaseRoute &route : r.routes)
        matchRoutes += route.match.isEmpty() ? 0 : 1;
    QStringList row { r.virtualService, r.hosts.join(QLatin1Char(',')), r.versionNames().join(QLatin1Char(',')),
                      weightsText(r),   QString::number(matchRoutes),   k8s::humanAge(r.vs) };
    if (wide) {
        QStringList pods;
        for (const core::ReleaseVersion &v : r.versions)
            pods.append(v.pods < 0 ? QStringLiteral("?") : QString::number(v.pods));
        row << (r.gateways.isEmpty() ? QStringLiteral("mesh") : r.gateways.join(QLatin1Char(',')))
            << (r.destinationRule.isEmpty() ? QStringLiteral("<none>") : r.destinationRule)
            << pods.join(QLatin1Char(','));
    }
    return row;
}

} // namespace

int getCommand(const Console &c, const Options &o)
{
    const QString format = o.value(QStringLiteral("output"));
    if (!format.isEmpty() && format != QLatin1String("wide") && format != QLatin1String("yaml")
        && format != QLatin1String("json"))
        return c.usageError(QStringLiteral("unable to match a printer suitable for the output format \"%1\", allowed "
                                           "formats are: json,wide,yaml")
                                    .arg(format),
                            QStringLiteral("get"));
    if (o.positional.size() > 1)
        return c.usageError(QStringLiteral("get takes at most one RELEASE"), QStringLiteral("get"));
    auto world = loadWorld(o, &c.err);
    if (!world)
        return c.fail(world.error().message);
    QList<core::Release> releases = world->releases;
    if (!o.positional.isEmpty()) {
        const auto r = core::findRelease(releases, o.positional.constFirst());
        if (!r)
            return c.fail(r.error().message);
        releases = { *r };
    }
    if (format == QLatin1String("json") || format == QLatin1String("yaml")) {
        QJsonArray items;
        for (const core::Release &r : std::as_const(releases))
            items.append(releaseJson(r));
        const QJsonObject doc { { QStringLiteral("releases"), items } };
        if (format == QLatin1String("json"))
            c.out << jsonText(doc);
        else
            c.out << k8s::renderYaml(doc);
        return 0;
    }
    if (releases.isEmpty()) {
        c.err << "No releases found in " << world->snapshot.ns << " namespace.\n";
        return 0;
    }
    const bool wide = format == QLatin1String("wide");
    QList<QStringList> rows;
    QStringList header { QStringLiteral("NAME"),    QStringLiteral("HOSTS"),        QStringLiteral("VERSIONS"),
                         QStringLiteral("WEIGHTS"), QStringLiteral("MATCH-ROUTES"), QStringLiteral("AGE") };
    if (wide)
        header << QStringLiteral("GATEWAYS") << QStringLiteral("DESTINATIONRULE") << QStringLiteral("PODS");
    rows.append(header);
    for (const core::Release &r : std::as_const(releases))
        rows.append(tableRow(r, wide));
    printTable(c.out, rows);
    return 0;
}

} // namespace canary::cli
