#pragma once

#include <QTabWidget>

class QPlainTextEdit;

namespace canary::core {
class EditSession;
}

namespace canary::gui {

// What Apply would write: the YAML, its diff against the live object side by side, and the plan
// with the API server's dry-run verdict. Other pages (history) are added by the window.
class PreviewTabs final : public QTabWidget {
    Q_OBJECT
public:
    enum Page { YamlPage, DiffPage, PlanPage };
    explicit PreviewTabs(core::EditSession *edits, QWidget *parent = nullptr);

private:
    void refresh();
    void refreshPlan();

    core::EditSession *m_edits;
    QPlainTextEdit *m_yaml;
    QPlainTextEdit *m_before;
    QPlainTextEdit *m_after;
    QPlainTextEdit *m_plan;
};

} // namespace canary::gui
