#pragma once

#include "core/apply/applyplan.h"
#include "core/apply/journal.h"
#include "k8s/writeoptions.h"

#include <QJsonObject>
#include <QList>
#include <QObject>
#include <QPointer>
#include <QStringList>

namespace canary::k8s {
class KubeClient;
}

namespace canary::core {

struct ApplyOptions {
    // PUT with the resourceVersion read (default), or server-side apply as write.fieldManager (the
    // resourceVersion still a precondition).
    bool serverSideApply = false;
    // dryRun: only the server-side dry-run of every step; nothing is written, nothing recorded. force
    // (server-side apply only) takes the fields other managers own: only on the user's word.
    k8s::WriteOptions write;
    QString rollbackOf; // the journal entry this run undoes
};

// An apply as both faces run it: the plan (dry-run of every step, then the writes) and, once written,
// its journal entry with the objects the server stored. finished() fires once.
class ApplyRun final : public QObject {
    Q_OBJECT
public:
    ApplyRun(k8s::KubeClient *client, ApplyPlan plan, ApplyOptions options, Journal journal = Journal(),
             QObject *parent = nullptr);
    void start();
    // Stops the run (see PlanRunner::cancel); nothing is recorded.
    void cancel();
    bool isFinished() const { return m_finished; }

    const ApplyPlan &plan() const { return m_plan; }
    // The objects the server answered for the writes (or the dry-runs), in step order.
    QList<QJsonObject> results() const { return m_results; }
    QStringList warnings() const { return m_warnings; }
    int failedStatus() const { return m_failedStatus; }
    QStringList fieldConflicts() const { return m_fieldConflicts; }
    // After a write: why the journal could not record it (empty when it did, or had nothing to record).
    QString journalError() const { return m_journalError; }

Q_SIGNALS:
    void finished(bool ok, const QString &message);

private:
    void done(bool ok, const QString &message);

    k8s::KubeClient *m_client;
    ApplyPlan m_plan;
    ApplyOptions m_options;
    Journal m_journal;
    QPointer<PlanRunner> m_runner;
    QList<QJsonObject> m_results;
    QStringList m_warnings;
    int m_failedStatus = 0;
    QStringList m_fieldConflicts;
    QString m_journalError;
    bool m_finished = false;
};

// What a blocking apply came to, for command-line use.
struct ApplyOutcome {
    bool ok = false;
    QString message;
    QList<QJsonObject> results;
    QStringList warnings;
    int failedStatus = 0;
    QStringList fieldConflicts;
    QString journalError;
};
// Runs an ApplyRun in a local event loop.
ApplyOutcome applyBlocking(k8s::KubeClient *client, const ApplyPlan &plan, const ApplyOptions &options,
                           const Journal &journal = Journal());

} // namespace canary::core
