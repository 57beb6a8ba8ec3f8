#include "cli/commands.h"

#include "cli/world.h"
#include "core/apply/applyplan.h"
#include "core/apply/applyrun.h"
#include "core/apply/journal.h"
#include "core/model/yamldiff.h"
#include "k8s/kubeclient.h"
#include "k8s/kubeconfig.h"

#include <QJsonArray>

namespace canary::cli {

namespace {

// The live objects a rollback of the entry overwrites, and their diff against what the entry applied
// (empty when nobody changed them since).
QString changedSince(const core::JournalEntry &entry, const core::Release &r, QList<QJsonObject> *live)
{
    QString diff;
    for (const core::PlanStep &s : entry.plan.steps) {
        const QJsonObject current = s.kind == QLatin1String("VirtualService") ? r.vs : r.dr;
        live->append(current);
        if (current.value(QLatin1String("spec")) != s.after.value(QLatin1String("spec")))
            diff += core::reviewDiff(
                    QStringLiteral("a/%1/%2 (as applied %3)").arg(s.kind, s.name, entry.time.toString(Qt::ISODate)),
                    QStringLiteral("b/%1/%2 (live)").arg(s.kind, s.name), s.after, current);
    }
    return diff;
}

void printHistoryTable(const Console &c, const QList<core::JournalEntry> &entries, const QStringList &undone)
{
    QList<QStringList> rows { { QStringLiteral("ID"), QStringLiteral("TIME"), QStringLiteral("RELEASE"),
                                QStringLiteral("CONTEXT"), QStringLiteral("STATE"), QStringLiteral("CHANGE") } };
    for (const core::JournalEntry &e : entries)
        rows.append({ e.id, e.time.toUTC().toString(Qt::ISODate), e.release, e.context,
                      !e.rollbackOf.isEmpty()         ? QStringLiteral("rollback")
                              : undone.contains(e.id) ? QStringLiteral("rolled-back")
                                                      : QStringLiteral("applied"),
                      e.summary });
    printTable(c.out, rows);
}

} // namespace

int rollbackCommand(const Console &c, const Options &o)
{
    if (o.positional.size() != 1)
        return c.usageError(QStringLiteral("rollback takes RELEASE"), QStringLiteral("rollback"));
    if (o.isSet(QStringLiteral("filename")))
        return c.usageError(QStringLiteral("rollback needs a cluster: it restores what the journal recorded there"),
                            QStringLiteral("rollback"));
    const auto dryRun = dryRunOption(o);
    if (!dryRun)
        return c.usageError(dryRun.error().message, QStringLiteral("rollback"));
    auto w = loadWorld(o, &c.err);
    if (!w)
        return c.fail(w.error().message);
    const auto found = core::findRelease(w->releases, o.positional.constFirst());
    if (!found)
        return c.fail(found.error().message);
    const core::Release &r = *found;
    const auto entry = core::Journal().lastUndone(w->server, r.ns, r.virtualService);
    if (!entry)
        return c.fail(entry.error().message);
    QList<QJsonObject> live;
    const QString diff = changedSince(*entry, r, &live);
    if (!diff.isEmpty() && !o.isSet(QStringLiteral("force"))) {
        c.err << "error: VirtualService/" << r.virtualService << " changed after \"" << entry->summary
              << "\" was applied; rolling back would overwrite that change (use --force to roll back anyway)\n"
              << diff;
        return 1;
    }
    const core::ApplyPlan plan
            = core::makeRestorePlan(entry->plan, live, w->istioVersion, QStringLiteral("roll back: ") + entry->summary);
    core::ApplyOptions options;
    options.write.dryRun = *dryRun == QLatin1String("server") || *dryRun == QLatin1String("client");
    options.rollbackOf = entry->id;
    const core::ApplyOutcome outcome = core::applyBlocking(w->client.get(), plan, options);
    if (!outcome.ok)
        return c.fail(outcome.message);
    if (!outcome.journalError.isEmpty())
        c.err << "Warning: rolled back, but not recorded in the journal: " << outcome.journalError << '\n';
    const char *how = *dryRun == QLatin1String("server") ? " (server dry run)"
            : *dryRun == QLatin1String("client")         ? " (dry run)"
                                                         : "";
    for (const core::PlanStep &s : plan.steps)
        c.out << resourceName(s.kind, s.name) << " rolled back" << how << '\n';
    return 0;
}

int historyCommand(const Console &c, const Options &o)
{
    QString server;
    QString ns;
    if (!o.isSet(QStringLiteral("filename"))) {
        const auto endpoint = k8s::loadKubeconfig(kubeconfigOptions(o));
        if (!endpoint)
            return c.fail(endpoint.error().message);
        server = endpoint->server.toString();
        ns = endpoint->ns;
    }
    const core::Journal journal;
    const QList<core::JournalEntry> entries = journal.entries(server, ns, o.positional.value(0));
    for (const QString &skipped : journal.skippedFiles())
        c.err << "Warning: journal file " << skipped << " cannot be read and is skipped\n";
    QStringList undone;
    for (const core::JournalEntry &e : entries) {
        if (!e.rollbackOf.isEmpty())
            undone.append(e.rollbackOf);
    }
    const QString format = o.value(QStringLiteral("output"));
    if (format == QLatin1String("json")) {
        QJsonArray items;
        for (const core::JournalEntry &e : entries) {
            QJsonObject j = e.toJson();
            j.insert(QStringLiteral("rolledBack"), undone.contains(e.id));
            items.append(j);
        }
        c.out << jsonText(QJsonObject { { QStringLiteral("entries"), items } });
        return 0;
    }
    if (!format.isEmpty())
        return c.usageError(QStringLiteral("history prints a table or -o json"), QStringLiteral("history"));
    if (entries.isEmpty()) {
        c.err << "No changes recorded" << (ns.isEmpty() ? QString() : QStringLiteral(" in %1 namespace").arg(ns))
              << ".\n";
        return 0;
    }
    printHistoryTable(c, entries, undone);
    return 0;
}

} // namespace canary::cli
