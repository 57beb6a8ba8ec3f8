#include "core/apply/applyrun.h"

#include "k8s/kubeclient.h"

#include <QEventLoop>

namespace canary::core {

namespace {

JournalEntry journalEntry(const k8s::ClusterEndpoint &endpoint, const ApplyPlan &plan, const QList<QJsonObject> &stored,
                          const QString &rollbackOf)
{
    JournalEntry entry;
    entry.context = endpoint.contextName;
    entry.server = endpoint.server.toString();
    entry.ns = plan.ns;
    entry.release = plan.release;
    entry.summary = plan.summary;
    entry.rollbackOf = rollbackOf;
    entry.plan = plan;
    // What the server stored, so that a rollback can tell whether someone changed it since.
    for (int i = 0; i < entry.plan.steps.size() && i < stored.size(); ++i)
        entry.plan.steps[i].after = stored.at(i);
    return entry;
}

} // namespace

ApplyRun::ApplyRun(k8s::KubeClient *client, ApplyPlan plan, ApplyOptions options, Journal journal, QObject *parent)
    : QObject(parent)
    , m_client(client)
    , m_plan(std::move(plan))
    , m_options(std::move(options))
    , m_journal(std::move(journal))
{ }

void ApplyRun::start()
{
    auto *runner = new PlanRunner(m_client, m_plan, m_options.write.dryRun, this);
    m_runner = runner;
    runner->setWriteOptions(m_options.write);
    runner->setServerSideApply(m_options.serverSideApply, m_options.serverSideApply && m_options.write.force);
    connect(runner, &PlanRunner::finished, this, [this, runner](bool ok, const QString &message) {
        runner->deleteLater();
        m_results = runner->results();
        m_warnings = runner->warnings();
        m_failedStatus = runner->failedStatus();
        m_fieldConflicts = runner->fieldConflicts();
        done(ok, message);
    });
    runner->start();
}

void ApplyRun::cancel()
{
    if (m_runner)
        m_runner->cancel();
}

void ApplyRun::done(bool ok, const QString &message)
{
    if (m_finished)
        return;
    m_finished = true;
    if (ok && !m_options.write.dryRun && !m_plan.isEmpty()) {
        const auto recorded
                = m_journal.record(journalEntry(m_client->endpoint(), m_plan, m_results, m_options.rollbackOf));
        if (!recorded)
            m_journalError = recorded.error().message;
    }
    Q_EMIT finished(ok, message);
}

ApplyOutcome applyBlocking(k8s::KubeClient *client, const ApplyPlan &plan, const ApplyOptions &options,
                           const Journal &journal)
{
    ApplyRun run(client, plan, options, journal);
    QEventLoop loop;
    ApplyOutcome outcome;
    QObject::connect(&run, &ApplyRun::finished, &loop, [&](bool ok, const QString &message) {
        outcome.ok = ok;
        outcome.message = message;
        loop.quit();
    });
    run.start();
    if (!run.isFinished())
        loop.exec();
    outcome.results = run.results();
    outcome.warnings = run.warnings();
    outcome.failedStatus = run.failedStatus();
    outcome.fieldConflicts = run.fieldConflicts();
    outcome.journalError = run.journalError();
    return outcome;
}

} // namespace canary::core
