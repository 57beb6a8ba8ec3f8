#include "cli/commands.h"

#include "cli/world.h"
#include "core/apply/applyplan.h"
#include "core/apply/applyrun.h"
#include "core/edit/releaseedits.h"
#include "core/model/istio.h"
#include "core/model/validation.h"
#include "core/model/yamldiff.h"
#include "k8s/kubeclient.h"

#include <QJsonArray>
#include <QMap>

namespace canary::cli {

namespace {

// The edited VirtualService and what the edit does, for history.
struct Edit {
    QJsonObject vs;
    QString summary;
};

// What a writing command produced, before it is printed or applied.
struct Change {
    core::Release release;
    QJsonObject vs;
    QJsonObject dr; // empty when unchanged
    QString summary;
    QStringList warnings;
};

const QString kUsageReason = QStringLiteral("Usage");

// An error in the command line (shown with the pointer to --help), not in the release.
Error usage(const QString &message)
{
    Error e = makeError(message);
    e.reason = kUsageReason;
    return e;
}

Result<Edit> edited(const Result<QJsonObject> &vs, const QString &summary)
{
    if (!vs)
        return vs.error();
    return Edit { *vs, summary };
}

Result<QList<core::MatchCondition>> conditions(const Options &o)
{
    using C = core::MatchCondition;
    QList<C> out;
    for (const auto &[flag, value] : o.values) {
        C c;
        if (flag == QLatin1String("header") || flag == QLatin1String("header-prefix")
            || flag == QLatin1String("header-regex") || flag == QLatin1String("query")) {
            if (!value.contains(QLatin1Char('=')))
                return usage(QStringLiteral("--%1 takes NAME=VALUE, got \"%2\"").arg(flag, value));
            c.field = flag == QLatin1String("query") ? C::Field::Query : C::Field::Header;
            c.kind = flag.endsWith(QLatin1String("prefix")) ? C::Kind::Prefix
                    : flag.endsWith(QLatin1String("regex")) ? C::Kind::Regex
                                                            : C::Kind::Exact;
            c.name = value.section(QLatin1Char('='), 0, 0);
            c.value = value.section(QLatin1Char('='), 1);
        } else if (flag == QLatin1String("uri-exact") || flag == QLatin1String("uri-prefix")
                   || flag == QLatin1String("uri-regex")) {
            c.field = C::Field::Uri;
            c.kind = flag == QLatin1String("uri-exact")   ? C::Kind::Exact
                    : flag == QLatin1String("uri-prefix") ? C::Kind::Prefix
                                                          : C::Kind::Regex;
            c.value = value;
        } else {
            continue;
        }
        out.append(c);
    }
    return out;
}

Result<Edit> setWeights(const core::Release &r, const QStringList &rest, const Result<int> &route)
{
    if (rest.isEmpty())
        return usage(QStringLiteral("set-weights needs VERSION=WEIGHT pairs, e.g. %1=90")
                             .arg(r.versionNames().value(0, QStringLiteral("v1"))));
    if (!route)
        return route.error();
    QMap<QString, int> weights;
    for (const QString &pair : rest) {
        bool ok = false;
        const int weight = pair.section(QLatin1Char('='), 1).toInt(&ok);
        if (!pair.contains(QLatin1Char('=')) || !ok)
            return usage(QStringLiteral("\"%1\" is not VERSION=WEIGHT (an integer percentage)").arg(pair));
        weights.insert(pair.section(QLatin1Char('='), 0, 0), weight);
    }
    QStringList parts;
    for (auto it = weights.begin(); it != weights.end(); ++it)
        parts.append(QStringLiteral("%1=%2").arg(it.key()).arg(it.value()));
    return edited(core::setRouteWeights(r, *route, weights),
                  QStringLiteral("set weights of route #%1: %2").arg(*route).arg(parts.join(QLatin1Char(' '))));
}

Result<Edit> promote(const core::Release &r, const QStringList &rest)
{
    if (rest.size() != 1)
        return usage(QStringLiteral("promote takes RELEASE VERSION"));
    return edited(core::promoteVersion(r, rest.constFirst()),
                  QStringLiteral("promote %1 to 100%").arg(rest.constFirst()));
}

Result<Edit> matchAdd(const Options &o, const core::Release &r)
{
    const auto conds = conditions(o);
    if (!conds)
        return conds.error();
    if (!o.isSet(QStringLiteral("to")))
        return usage(QStringLiteral("match add needs --to VERSION"));
    const QString to = o.value(QStringLiteral("to"));
    return edited(
            core::addMatchRoute(r, to, *conds, o.value(QStringLiteral("name"))),
            QStringLiteral("route %1 to %2").arg(core::summarizeMatch(QJsonArray { core::matchBlock(*conds) }), to));
}

Result<Edit> matchRemove(const Options &o, const core::Release &r, const Result<int> &route)
{
    const auto conds = conditions(o);
    if (!conds)
        return conds.error();
    if (o.isSet(QStringLiteral("route")) == !conds->isEmpty())
        return usage(QStringLiteral("match remove takes either --route NAME|INDEX or the conditions of the route"));
    const Result<int> index = o.isSet(QStringLiteral("route")) ? route : core::findMatchRoute(r, *conds);
    if (!index)
        return index.error();
    return edited(core::removeRoute(r, *index),
                  QStringLiteral("remove route #%1 (%2)")
                          .arg(*index)
                          .arg(core::summarizeMatch(r.route(*index) ? r.route(*index)->match : QJsonArray())));
}

Result<Edit> mirror(const Options &o, const core::Release &r, const Result<int> &route)
{
    if (!route)
        return route.error();
    bool ok = false;
    const double percent = o.value(QStringLiteral("percent")).toDouble(&ok);
    if (!o.isSet(QStringLiteral("percent")) || !ok)
        return usage(QStringLiteral("mirror needs --percent P (0 to 100; 0 stops mirroring)"));
    if (percent > 0 && !o.isSet(QStringLiteral("to")))
        return usage(QStringLiteral("mirror needs --to VERSION"));
    const QString to = o.value(QStringLiteral("to"));
    return edited(core::setMirror(r, *route, to, percent),
                  percent > 0 ? QStringLiteral("mirror %1% of route #%2 to %3").arg(percent).arg(*route).arg(to)
                              : QStringLiteral("stop mirroring route #%1").arg(*route));
}

Result<Edit> edit(const Options &o, const QString &command, const core::Release &r)
{
    const QStringList rest = o.positional.mid(1);
    const auto route = core::resolveRoute(r, o.value(QStringLiteral("route")));
    if (command == QLatin1String("set-weights"))
        return setWeights(r, rest, route);
    if (command == QLatin1String("promote"))
        return promote(r, rest);
    if (command == QLatin1String("match add"))
        return matchAdd(o, r);
    if (command == QLatin1String("match remove"))
        return matchRemove(o, r, route);
    return mirror(o, r, route);
}

// After a conflict: what changed underneath, the objects as read against the objects as they are now.
void printLiveDiffs(const Console &c, k8s::KubeClient *client, const core::ApplyPlan &plan)
{
    for (const core::PlanStep &step : plan.steps) {
        const auto now = getBlocking(client, step.path);
        if (now && now->value(QLatin1String("spec")) != step.before.value(QLatin1String("spec")))
            c.err << core::reviewDiff(QStringLiteral("a/%1/%2 (as read)").arg(step.kind, step.name),
                                      QStringLiteral("b/%1/%2 (live)").arg(step.kind, step.name), step.before, *now);
    }
}

int apply(const Console &c, const Options &o, World &w, const Change &change, const core::ApplyPlan &plan)
{
    const bool serverDryRun = o.value(QStringLiteral("dry-run")) == QLatin1String("server");
    core::ApplyOptions options;
    options.serverSideApply = o.isSet(QStringLiteral("server-side"));
    options.write.force = o.isSet(QStringLiteral("force-conflicts"));
    options.write.dryRun = serverDryRun;
    const core::ApplyOutcome outcome = core::applyBlocking(w.client.get(), plan, options);
    if (!outcome.ok) {
        c.fail(outcome.message);
        if (outcome.failedStatus == 409 && options.serverSideApply && !options.write.force
            && outcome.message.contains(QLatin1String("conflict with")))
            c.err << "Re-run with --force-conflicts to take these fields over, or leave them to their manager.\n";
        if (outcome.failedStatus == 409)
            printLiveDiffs(c, w.client.get(), plan);
        return 1;
    }
    c.warnAll(change.warnings);
    c.warnAll(outcome.warnings);
    if (!outcome.journalError.isEmpty())
        c.err << "Warning: applied, but not recorded in the journal: " << outcome.journalError << '\n';
    const QString format = o.value(QStringLiteral("output"));
    if (!format.isEmpty())
        return printObjects(c, format, outcome.results);
    for (const core::PlanStep &s : plan.steps)
        c.out << resourceName(s.kind, s.name) << (options.serverSideApply ? " serverside-applied" : " configured")
              << (serverDryRun ? " (server dry run)" : "") << '\n';
    return 0;
}

int finishChange(const Console &c, const Options &o, World &w, const Change &change)
{
    const QString format = o.value(QStringLiteral("output"));
    QList<QJsonObject> objects;
    if (!change.dr.isEmpty())
        objects.append(change.dr); // first: applying the stream in order is make-before-break
    objects.append(change.vs);
    if (o.isSet(QStringLiteral("diff"))) {
        c.warnAll(change.warnings);
        if (!change.dr.isEmpty())
            c.out << core::reviewDiff(QStringLiteral("a/DestinationRule/") + change.release.destinationRule,
                                      QStringLiteral("b/DestinationRule/") + change.release.destinationRule,
                                      change.release.dr, change.dr);
        c.out << core::reviewDiff(QStringLiteral("a/VirtualService/") + change.release.virtualService,
                                  QStringLiteral("b/VirtualService/") + change.release.virtualService,
                                  change.release.vs, change.vs);
        return 0;
    }
    if (w.offline || o.value(QStringLiteral("dry-run")) == QLatin1String("client")) {
        c.warnAll(change.warnings);
        if (w.offline || !format.isEmpty())
            return printObjects(c, format, objects);
        for (const QJsonObject &obj : std::as_const(objects))
            c.out << resourceName(obj.value(QLatin1String("kind")).toString(), core::objectName(obj))
                  << " configured (dry run)\n";
        return 0;
    }
    const core::ApplyPlan plan = core::makePlan(change.release, change.vs, change.dr, w.istioVersion, change.summary);
    if (plan.isEmpty()) {
        c.warnAll(change.warnings);
        c.out << resourceName(QStringLiteral("VirtualService"), change.release.virtualService) << " unchanged\n";
        return 0;
    }
    return apply(c, o, w, change, plan);
}

// The checks kubectl makes of a writing command's flags before it reads anything.
int checkWriteFlags(const Console &c, const Options &o, const QString &command)
{
    const QString output = o.value(QStringLiteral("output"));
    if (!output.isEmpty() && output != QLatin1String("yaml") && output != QLatin1String("json"))
        return c.usageError(QStringLiteral("--output must be yaml or json for %1, not \"%2\"").arg(command, output),
                            command);
    if (o.isSet(QStringLiteral("force-conflicts")) && !o.isSet(QStringLiteral("server-side")))
        return c.usageError(QStringLiteral("--force-conflicts only works with --server-side"), command);
    const auto dryRun = dryRunOption(o);
    if (!dryRun)
        return c.usageError(dryRun.error().message, command);
    if (o.positional.isEmpty())
        return c.usageError(QStringLiteral("%1 needs a RELEASE").arg(command), command);
    return 0;
}

} // namespace

int writeCommand(const Console &c, const Options &o, const QString &command)
{
    if (const int code = checkWriteFlags(c, o, command))
        return code;
    auto world = loadWorld(o, &c.err);
    if (!world)
        return c.fail(world.error().message);
    const auto found = core::findRelease(world->releases, o.positional.constFirst());
    if (!found)
        return c.fail(found.error().message);
    const core::Release &r = *found;
    const auto e = edit(o, command, r);
    if (!e)
        return e.error().reason == kUsageReason ? c.usageError(e.error().message, command) : c.fail(e.error().message);
    Change change { r, e->vs, {}, e->summary, {} };
    const QJsonObject dr = core::withSubsetsFor(r, change.vs);
    if (!dr.isEmpty() && dr.value(QLatin1String("spec")) != r.dr.value(QLatin1String("spec")))
        change.dr = dr;
    for (const core::Finding &f : core::validateRelease(r, change.vs, !world->offline)) {
        if (f.severity == core::Finding::Severity::Error)
            return c.fail(QStringLiteral("VirtualService/%1: %2: %3").arg(r.virtualService, f.field, f.message));
        change.warnings.append(QStringLiteral("VirtualService/%1: %2: %3").arg(r.virtualService, f.field, f.message));
    }
    return finishChange(c, o, world.value(), change);
}

} // namespace canary::cli
