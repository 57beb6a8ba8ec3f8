#include "core/apply/applyplan.h"

#include "core/model/istio.h"
#include "k8s/kubeclient.h"
#include "k8s/kubereply.h"

#include <QJsonDocument>

namespace canary::core {

namespace {

QJsonObject forWrite(QJsonObject object, const QString &kind, const QString &istioVersion)
{
    QJsonObject meta = object.value(QLatin1String("metadata")).toObject();
    meta.remove(QStringLiteral("managedFields"));
    object.insert(QStringLiteral("metadata"), meta);
    object.insert(QStringLiteral("apiVersion"), QString(kIstioGroup + QLatin1Char('/') + istioVersion));
    object.insert(QStringLiteral("kind"), kind);
    object.remove(QStringLiteral("status"));
    return object;
}

PlanStep step(const QString &kind, const QJsonObject &before, const QJsonObject &after, const QString &istioVersion,
              const QString &description)
{
    const QString plural = kind == QLatin1String("VirtualService") ? QStringLiteral("virtualservices")
                                                                   : QStringLiteral("destinationrules");
    return PlanStep { kind,
                      objectName(after),
                      k8s::objectPath(kIstioGroup, istioVersion, objectNamespace(after), plural, objectName(after)),
                      before,
                      forWrite(after, kind, istioVersion),
                      description };
}

} // namespace

QStringList ApplyPlan::describe() const
{
    QStringList out;
    for (int i = 0; i < steps.size(); ++i)
        out.append(QStringLiteral("%1. %2").arg(i + 1).arg(steps.at(i).description));
    return out;
}

ApplyPlan makePlan(const Release &release, const QJsonObject &virtualService, const QJsonObject &destinationRule,
                   const QString &istioVersion, const QString &summary)
{
    ApplyPlan plan { release.virtualService, release.ns, summary, {} };
    const bool drChanged = !destinationRule.isEmpty()
            && destinationRule.value(QLatin1String("spec")) != release.dr.value(QLatin1String("spec"));
    if (drChanged)
        plan.steps.append(step(QStringLiteral("DestinationRule"), release.dr, destinationRule, istioVersion,
                               QObject::tr("Add the new subsets to DestinationRule %1 before any route uses them")
                                       .arg(objectName(destinationRule))));
    if (virtualService.value(QLatin1String("spec")) != release.vs.value(QLatin1String("spec"))
        || virtualService.value(QLatin1String("metadata")).toObject().value(QLatin1String("labels"))
                != release.vs.value(QLatin1String("metadata")).toObject().value(QLatin1String("labels")))
        plan.steps.append(step(QStringLiteral("VirtualService"), release.vs, virtualService, istioVersion,
                               QObject::tr("Update the routes of VirtualService %1").arg(release.virtualService)));
    return plan;
}

ApplyPlan makeRestorePlan(const ApplyPlan &applied, const QList<QJsonObject> &liveObjects, const QString &istioVersion,
                          const QString &summary)
{
    ApplyPlan plan { applied.release, applied.ns, summary, {} };
    // Undo in reverse: routes first, then the subsets they no longer use.
    for (int i = int(applied.steps.size()) - 1; i >= 0; --i) {
        const PlanStep &s = applied.steps.at(i);
        const QJsonObject live = liveObjects.value(i);
        QJsonObject restored = live;
        restored.insert(QStringLiteral("spec"), s.before.value(QLatin1String("spec")));
        plan.steps.append(step(
                s.kind, live, restored, istioVersion,
                s.kind == QLatin1String("VirtualService")
                        ? QObject::tr("Restore the routes of VirtualService %1").arg(s.name)
                        : QObject::tr("Restore the subsets of DestinationRule %1 after no route uses the added ones")
                                  .arg(s.name)));
    }
    return plan;
}

PlanRunner::PlanRunner(k8s::KubeClient *client, ApplyPlan plan, bool dryRunOnly, QObject *parent)
    : QObject(parent)
    , m_client(client)
    , m_plan(std::move(plan))
    , m_dryRunOnly(dryRunOnly)
{ }

void PlanRunner::start()
{
    m_results.clear();
    if (m_plan.isEmpty()) {
        Q_EMIT finished(true, tr("Nothing to change."));
        return;
    }
    runStep(0, true);
}

void PlanRunner::fail(const PlanStep &step, const k8s::KubeReply *reply, bool dryRun)
{
    m_done = true;
    m_failedStatus = reply->error().httpStatus;
    QString message;
    QStringList owners;
    for (const QString &cause : reply->error().causes) {
        if (cause.contains(QLatin1String("conflict with")))
            owners.append(cause);
    }
    if (m_failedStatus == 409)
        m_fieldConflicts = owners;
    if (m_failedStatus == 409 && !owners.isEmpty())
        message = tr("%1 %2: fields another manager owns would change (%3); nothing was written. Leave them to their "
                     "manager, or take them over on purpose.")
                          .arg(step.kind, step.name, owners.join(QLatin1String("; ")));
    else if (m_failedStatus == 409)
        message = tr("%1 %2 was changed by someone else since it was read; nothing was overwritten%3. Reload, review "
                     "the live object and apply again.")
                          .arg(step.kind, step.name, dryRun ? QString() : tr(" by this step"));
    else
        message = reply->error().message;
    if (!reply->error().causes.isEmpty() && owners.isEmpty())
        message += QStringLiteral(" (") + reply->error().causes.join(QLatin1String("; ")) + QLatin1Char(')');
    Q_EMIT finished(false, message);
}

void PlanRunner::cancel()
{
    if (m_done)
        return;
    m_done = true;
    if (m_inFlight) {
        m_inFlight->disconnect(this);
        m_inFlight->cancel();
    }
    QString message;
    if (!m_writing)
        message = tr("Cancelled during the server-side dry-run: nothing was written.");
    else if (m_step == 0)
        message = tr("Cancelled: the first write (%1 %2) may or may not have reached the server; nothing after it was "
                     "sent. "
                     "The live objects show what holds.")
                          .arg(m_plan.steps.at(0).kind, m_plan.steps.at(0).name);
    else
        message = tr("Cancelled after %1 of %2 writes; the write of %3 %4 may or may not have reached the server, and "
                     "nothing "
                     "after it was sent. The live objects show what holds.")
                          .arg(m_step)
                          .arg(m_plan.steps.size())
                          .arg(m_plan.steps.at(m_step).kind, m_plan.steps.at(m_step).name);
    Q_EMIT finished(false, message);
}

void PlanRunner::runStep(int index, bool dryRun)
{
    if (m_done)
        return;
    m_step = index;
    m_writing = !dryRun;
    if (index >= m_plan.steps.size()) {
        if (dryRun && !m_dryRunOnly) {
            m_results.clear();
            runStep(0, false);
            return;
        }
        m_done = true;
        Q_EMIT finished(true, dryRun ? tr("Server-side dry-run passed.") : tr("Applied."));
        return;
    }
    const PlanStep &s = m_plan.steps.at(index);
    const QByteArray body = QJsonDocument(s.after).toJson(QJsonDocument::Compact);
    k8s::WriteOptions options = m_writeOptions;
    options.dryRun = dryRun;
    k8s::KubeRequest request;
    if (m_serverSide) {
        request = k8s::KubeRequest::apply(s.path, body, options);
    } else {
        request = s.before.isEmpty() ? k8s::KubeRequest::create(s.path.section(QLatin1Char('/'), 0, -2),
                                                                body) // a DestinationRule made for new subsets
                                     : k8s::KubeRequest::replace(s.path, body);
        options.addTo(request.query);
    }
    k8s::KubeReply *reply
            = m_client->send(request, tr("%1 %2 %3").arg(dryRun ? tr("dry-run of") : tr("update of"), s.kind, s.name));
    m_inFlight = reply;
    connect(reply, &k8s::KubeReply::finished, this, [this, reply, index, dryRun] {
        reply->deleteLater();
        if (!reply->ok()) {
            fail(m_plan.steps.at(index), reply, dryRun);
            return;
        }
        m_results.append(reply->json());
        m_warnings.append(reply->warnings());
        runStep(index + 1, dryRun);
    });
}

} // namespace canary::core
