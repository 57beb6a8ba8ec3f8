#include "gui/panels/applybar.h"

#include "core/edit/editsession.h"
#include "core/session/releasesession.h"
#include "gui/panels/connectionbanner.h"

#include <QCheckBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QToolButton>
#include <QVBoxLayout>

namespace canary::gui {

ApplyBar::ApplyBar(core::EditSession *edits, QWidget *parent)
    : QWidget(parent)
    , m_edits(edits)
    , m_apply(new QPushButton(tr("&Apply"), this))
    , m_cancel(new QPushButton(tr("Cancel apply"), this))
    , m_reset(new QPushButton(tr("&Discard edits"), this))
    , m_undo(new QToolButton(this))
    , m_redo(new QToolButton(this))
    , m_serverSide(new QCheckBox(tr("Ser&ver-side apply"), this))
    , m_rollback(new QPushButton(tr("Roll&back"), this))
    , m_access(new QLabel(this))
    , m_message(new QLabel(this))
{
    setObjectName(QStringLiteral("applyBar"));
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(6);
    m_apply->setObjectName(QStringLiteral("applyButton"));
    m_apply->setDefault(true);
    m_cancel->setObjectName(QStringLiteral("cancelApplyButton"));
    m_cancel->setToolTip(tr("Stop the apply that is running: no further step is sent (Esc)"));
    m_cancel->hide();
    m_reset->setObjectName(QStringLiteral("resetButton"));
    m_undo->setObjectName(QStringLiteral("undoButton"));
    m_undo->setText(tr("Undo"));
    m_undo->setToolTip(tr("Undo the last unapplied edit (Ctrl+Z)"));
    m_redo->setObjectName(QStringLiteral("redoButton"));
    m_redo->setText(tr("Redo"));
    m_redo->setToolTip(tr("Redo (Ctrl+Shift+Z)"));
    m_rollback->setObjectName(QStringLiteral("rollbackButton"));
    m_serverSide->setObjectName(QStringLiteral("serverSideApply"));
    m_serverSide->setToolTip(
            tr("Write by server-side apply as field manager \"canarydeck\": changing fields that another "
               "manager owns (kubectl, Flagger, Argo Rollouts...) is then a conflict, shown to you, and "
               "only taken over when you say so. The resourceVersion read still guards the write."));
    m_access->setObjectName(QStringLiteral("accessLabel"));
    m_access->setWordWrap(true);
    m_access->setStyleSheet(QStringLiteral("QLabel { background: #fff4d6; color: #5c4300; border: 1px solid #e0c36a; "
                                           "border-radius: 3px; padding: 4px 6px; }"));
    m_access->hide();
    m_message->setObjectName(QStringLiteral("messageLabel"));
    m_message->setWordWrap(true);
    m_message->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_message->setTextFormat(Qt::PlainText);

    auto *buttons = new QHBoxLayout;
    buttons->addWidget(m_apply);
    buttons->addWidget(m_cancel);
    buttons->addWidget(m_reset);
    buttons->addWidget(m_undo);
    buttons->addWidget(m_redo);
    buttons->addStretch(1);
    buttons->addWidget(m_rollback);
    layout->addWidget(m_access);
    layout->addLayout(buttons);
    layout->addWidget(m_serverSide);
    layout->addWidget(m_message);

    connect(m_apply, &QPushButton::clicked, this, [this] {
        if (canApply())
            Q_EMIT applyRequested();
    });
    connect(m_cancel, &QPushButton::clicked, this, [this] {
        if (m_edits->session())
            m_edits->session()->cancelApply();
    });
    connect(m_reset, &QPushButton::clicked, m_edits, &core::EditSession::discard);
    connect(m_undo, &QToolButton::clicked, m_edits, &core::EditSession::undo);
    connect(m_redo, &QToolButton::clicked, m_edits, &core::EditSession::redo);
    connect(m_rollback, &QPushButton::clicked, this, &ApplyBar::rollbackRequested);
    connect(m_serverSide, &QCheckBox::toggled, this, [this](bool on) {
        if (m_edits->session())
            m_edits->session()->setServerSideApply(on);
        m_edits->refreshDryRun(); // the verdict depends on how the write goes
    });
    connect(m_edits, &core::EditSession::changed, this, &ApplyBar::refresh);
    connect(m_edits, &core::EditSession::messageChanged, this, &ApplyBar::showMessage);
    refresh();
}

QString ApplyBar::writeBlocker() const
{
    core::ReleaseSession *session = m_edits->session();
    if (!session)
        return tr("No cluster.");
    if (!canWrite(session->connection()))
        return connectionProblem(session->connection());
    if (session->writeAccess() == core::ReleaseSession::Access::Denied)
        return session->writeAccessDetail();
    if (session->isApplying())
        return tr("An apply is running.");
    return {};
}

bool ApplyBar::canApply() const
{
    return m_edits->live() && m_edits->hasDraft() && !m_edits->hasBlockingFindings() && writeBlocker().isEmpty();
}

void ApplyBar::refresh()
{
    core::ReleaseSession *session = m_edits->session();
    const bool busy = session && session->isApplying();
    const bool denied = session && session->writeAccess() == core::ReleaseSession::Access::Denied;
    const QString blocker = writeBlocker();
    const bool live = m_edits->live() != nullptr;
    m_access->setText(denied ? session->writeAccessDetail() : QString());
    m_access->setVisible(denied);
    m_apply->setEnabled(canApply());
    m_apply->setText(m_edits->rebaseOnApply() ? tr("&Apply over their change") : tr("&Apply"));
    m_apply->setToolTip(!blocker.isEmpty() && (denied || m_edits->hasDraft())
                                ? blocker
                                : tr("Server-side dry-run, then write with the resourceVersion read (Ctrl+Return)"));
    m_cancel->setVisible(busy);
    m_reset->setEnabled(m_edits->hasDraft() && !busy);
    m_undo->setEnabled(m_edits->canUndo());
    m_redo->setEnabled(m_edits->canRedo());
    const bool canRollback = live && session && session->canRollback(m_edits->releaseName());
    m_rollback->setEnabled(canRollback && blocker.isEmpty());
    m_rollback->setToolTip(
            !blocker.isEmpty() ? blocker
                    : canRollback
                    ? tr("Undo the last applied change: %1").arg(session->rollbackSummary(m_edits->releaseName()))
                    : tr("The journal holds no applied change of this release to roll back"));
}

void ApplyBar::showMessage()
{
    m_message->setStyleSheet(m_edits->messageIsError() ? QStringLiteral("color:#b42318;font-weight:600;") : QString());
    m_message->setText(m_edits->message());
    m_message->setVisible(!m_edits->message().isEmpty());
}

} // namespace canary::gui
