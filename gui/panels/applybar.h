#pragma once

#include <QWidget>

class QCheckBox;
class QLabel;
class QPushButton;
class QToolButton;

namespace canary::core {
class EditSession;
}

namespace canary::gui {

// Apply and its companions: cancel, discard, undo/redo, server-side apply, rollback; and the line
// that says what the last of them did, or why they are off.
class ApplyBar final : public QWidget {
    Q_OBJECT
public:
    explicit ApplyBar(core::EditSession *edits, QWidget *parent = nullptr);

    // Whether the user may write now, and the reason when not (connection, permissions, a running apply).
    void refresh();
    bool canApply() const;

Q_SIGNALS:
    void applyRequested();
    void rollbackRequested();

private:
    void showMessage();
    QString writeBlocker() const;

    core::EditSession *m_edits;
    QPushButton *m_apply;
    QPushButton *m_cancel;
    QPushButton *m_reset;
    QToolButton *m_undo;
    QToolButton *m_redo;
    QCheckBox *m_serverSide;
    QPushButton *m_rollback;
    QLabel *m_access;
    QLabel *m_message;
};

} // namespace canary::gui
