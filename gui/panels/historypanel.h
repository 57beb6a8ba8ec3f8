#pragma once

#include <QWidget>

class QCheckBox;
class QPushButton;
class QTreeView;

namespace canary::core {
class EditSession;
class HistoryModel;
} // namespace canary::core

namespace canary::gui {

// The journal of the release: every applied change, and a rollback of any one of them.
class HistoryPanel final : public QWidget {
    Q_OBJECT
public:
    explicit HistoryPanel(core::EditSession *edits, QWidget *parent = nullptr);
    core::HistoryModel *model() const { return m_model; }
    void setWritable(bool writable);

Q_SIGNALS:
    void rollbackEntryRequested(const QString &entryId, const QString &summary, const QString &when);
    void countChanged(int entries);

private:
    void refreshButtons();

    core::HistoryModel *m_model;
    QTreeView *m_view;
    QCheckBox *m_all;
    QPushButton *m_rollback;
    bool m_writable = false;
    QString m_selected;
};

} // namespace canary::gui
