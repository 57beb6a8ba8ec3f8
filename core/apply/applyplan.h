#pragma once

#include "core/model/release.h"
#include "k8s/writeoptions.h"

#include <QJsonObject>
#include <QList>
#include <QObject>
#include <QPointer>

namespace canary::k8s {
class KubeClient;
class KubeReply;
} // namespace canary::k8s

namespace canary::core {

struct PlanStep {
    QString kind; // VirtualService or DestinationRule
    QString name;
    QString path; // object path on the API server
    QJsonObject before; // live object (empty when created)
    QJsonObject after; // object to write, with the resourceVersion read
    QString description; // for the user: what this step does and why it comes here
};

// The writes one change needs, in a safe order: a subset the VirtualService will use is added to the
// DestinationRule first (make-before-break), and removed only after no route uses it.
struct ApplyPlan {
    QString release; // VirtualService name
    QString ns;
    QString summary;
    QList<PlanStep> steps;

    bool isEmpty() const { return steps.isEmpty(); }
    QStringList describe() const;
};

ApplyPlan makePlan(const Release &release, const QJsonObject &virtualService, const QJsonObject &destinationRule,
                   const QString &istioVersion, const QString &summary);
// The reverse of an applied change: restore `before` of each step, VirtualService first.
ApplyPlan makeRestorePlan(const ApplyPlan &applied, const QList<QJsonObject> &liveObjects, const QString &istioVersion,
                          const QString &summary);

// Runs a plan: a server-side dry-run of every step, then (unless dryRunOnly) the writes in order, each
// with the resourceVersion read, so a change made by someone else in between is a conflict, never
// overwritten. finished() fires once.
class PlanRunner final : public QObject {
    Q_OBJECT
public:
    PlanRunner(k8s::KubeClient *client, ApplyPlan plan, bool dryRunOnly, QObject *parent = nullptr);
    // How the writes go: PUT with the resourceVersion read (default), or server-side apply as
    // fieldManager canarydeck (still with the resourceVersion as a precondition). Fields another
    // manager owns are a conflict unless forceConflicts, which only the user may ask for.
    void setServerSideApply(bool enabled, bool forceConflicts = false)
    {
        m_serverSide = enabled;
        m_writeOptions.force = forceConflicts;
    }
    // fieldManager, fieldValidation and force of every write; dryRun is set by the runner, per phase.
    void setWriteOptions(const k8s::WriteOptions &options) { m_writeOptions = options; }
    void start();
    // Stops the plan: the request in flight is abandoned and no further step is sent. finished()
    // reports which steps were written, and that the one in flight may or may not have been.
    void cancel();
    const ApplyPlan &plan() const { return m_plan; }
    // The objects the server answered for the writes (or the dry-runs), in step order.
    QList<QJsonObject> results() const { return m_results; }
    QStringList warnings() const { return m_warnings; }
    int failedStatus() const { return m_failedStatus; }
    // After a server-side apply conflict: each field with the manager that owns it
    // (".spec.http: conflict with \"flagger\" using networking.istio.io/v1").
    QStringList fieldConflicts() const { return m_fieldConflicts; }

Q_SIGNALS:
    void finished(bool ok, const QString &message);

private:
    void runStep(int index, bool dryRun);
    void fail(const PlanStep &step, const k8s::KubeReply *reply, bool dryRun);

    k8s::KubeClient *m_client;
    ApplyPlan m_plan;
    bool m_dryRunOnly;
    bool m_serverSide = false;
    k8s::WriteOptions m_writeOptions; // dryRun is set per phase
    QList<QJsonObject> m_results;
    QStringList m_warnings;
    int m_failedStatus = 0;
    QStringList m_fieldConflicts;
    QPointer<k8s::KubeReply> m_inFlight;
    int m_step = 0;
    bool m_writing = false;
    bool m_done = false;
};

} // namespace canary::core
