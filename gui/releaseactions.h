#pragma once

#include <QObject>
#include <QString>

class QWidget;

namespace canary::core {
class EditSession;
}

namespace canary::gui {

enum class Confirmation { CancelByDefault, YesByDefault };

// The decisions an operator makes on the release being edited — promote a version, roll back the
// last change or one from history, take over fields other managers own — each asked first with
// what it will write, then handed to the edit session.
class ReleaseActions final : public QObject {
    Q_OBJECT
public:
    ReleaseActions(core::EditSession *edits, QWidget *window);

    // Every route sends all its traffic to `version`. With YesByDefault, Enter accepts (presentation).
    void promote(const QString &version, Confirmation confirmation = Confirmation::CancelByDefault);
    // The canary (Release::canaryVersion) to 100 %.
    void promoteCanary(Confirmation confirmation = Confirmation::CancelByDefault);
    // The canary's rollback as Flagger and Argo Rollouts mean it: every route back to the stable version.
    void rollBackCanary(Confirmation confirmation = Confirmation::CancelByDefault);
    void rollback();
    void rollbackEntry(const QString &entryId, const QString &summary, const QString &when);
    // After an apply: server-side apply refused over fields other managers own; the user decides.
    void onApplyFinished(bool ok);

Q_SIGNALS:
    void started(); // something was handed to the edit session: the write state changes

private:
    void sendAllTo(const QString &version, const QString &title, const QString &text, const QString &afterLabel,
                   Confirmation confirmation);

    core::EditSession *m_edits;
    QWidget *m_window;
};

} // namespace canary::gui
