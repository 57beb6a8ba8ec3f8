#include "gui/releaseactions.h"

#include "core/edit/editsession.h"
#include "core/model/yamldiff.h"
#include "core/session/releasesession.h"
#include "gui/widgets/dialogs.h"

#include <QWidget>

namespace canary::gui {

ReleaseActions::ReleaseActions(core::EditSession *edits, QWidget *window)
    : QObject(window)
    , m_edits(edits)
    , m_window(window)
{ }

void ReleaseActions::promote(const QString &version, Confirmation confirmation)
{
    const core::Release *live = m_edits->live();
    if (!live)
        return;
    sendAllTo(version, tr("Promote %1?").arg(version),
              tr("Every route of %1 will send all its traffic to %2, and match routes that then do the same as the "
                 "default route are removed.")
                      .arg(live->name, version),
              tr("promoted"), confirmation);
}

void ReleaseActions::promoteCanary(Confirmation confirmation)
{
    const core::Release *live = m_edits->live();
    const int canary = live ? live->canaryVersion() : -1;
    if (canary >= 0)
        promote(live->versions.at(canary).name, confirmation);
}

void ReleaseActions::rollBackCanary(Confirmation confirmation)
{
    const core::Release *live = m_edits->live();
    const int stable = live ? live->stableVersion() : -1;
    const int canary = live ? live->canaryVersion() : -1;
    if (stable < 0 || canary < 0)
        return;
    const QString stableName = live->versions.at(stable).name;
    sendAllTo(stableName, tr("Roll back %1?").arg(live->versions.at(canary).name),
              tr("Every route of %1 will send all its traffic to the stable version %2.").arg(live->name, stableName),
              tr("rolled back"), confirmation);
}

void ReleaseActions::sendAllTo(const QString &version, const QString &title, const QString &text,
                               const QString &afterLabel, Confirmation confirmation)
{
    // A copy: the confirmation runs an event loop, in which watch events may rebuild the releases.
    const core::Release release = *m_edits->live();
    const Result<QJsonObject> promoted = m_edits->promotion(version);
    if (!promoted) {
        m_edits->promote(version); // says why
        return;
    }
    const QString when = m_edits->hasDraft() ? tr(" This is applied at once; your unapplied edits are discarded.")
                                             : tr(" This is applied at once.");
    if (!confirm(m_window, title, text + when, core::reviewDiff(tr("live"), afterLabel, release.vs, *promoted),
                 Details::Code,
                 confirmation == Confirmation::YesByDefault ? DefaultAnswer::Yes : DefaultAnswer::Cancel))
        return;
    m_edits->promote(version);
    Q_EMIT started();
}

void ReleaseActions::rollback()
{
    core::ReleaseSession *session = m_edits->session();
    const QString name = m_edits->releaseName();
    if (!session || !session->canRollback(name))
        return;
    if (!confirm(m_window, tr("Roll back?"),
                 tr("Undo the last change applied to %1: \"%2\". The objects get back what they held before it.")
                         .arg(name, session->rollbackSummary(name))))
        return;
    m_edits->rollback();
    Q_EMIT started();
}

void ReleaseActions::rollbackEntry(const QString &entryId, const QString &summary, const QString &when)
{
    if (!confirm(m_window, tr("Roll back this change?"),
                 tr("Undo \"%1\" (applied %2). This is refused if the objects changed since.").arg(summary, when)))
        return;
    m_edits->rollbackEntry(entryId);
    Q_EMIT started();
}

void ReleaseActions::onApplyFinished(bool ok)
{
    core::ReleaseSession *session = m_edits->session();
    const QStringList owned = session ? session->fieldConflicts(m_edits->releaseName()) : QStringList();
    if (ok || !m_edits->hasDraft() || owned.isEmpty())
        return;
    QStringList lines;
    for (const QString &conflict : owned)
        lines.append(QStringLiteral("• ") + conflict);
    if (confirm(m_window, tr("Take over fields from other managers?"),
                tr("This change alters fields of %1 that other managers own. Nothing was written.")
                        .arg(m_edits->releaseName()),
                lines.join(QLatin1Char('\n'))
                        + tr("\n\nTaking them over makes Canary Deck their manager. A controller that owned them "
                             "(Flagger, Argo Rollouts) may set them back on its next reconcile."),
                Details::Code)) {
        m_edits->apply(true);
        Q_EMIT started();
    }
}

} // namespace canary::gui
