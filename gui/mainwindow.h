#pragma once

#include "core/edit/releaseedits.h"
#include "core/model/release.h"
#include "core/session/releasesession.h"

#include <QMainWindow>
#include <QPointer>

class QCheckBox;
class QComboBox;
class QDoubleSpinBox;
class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QPushButton;
class QTabWidget;
class QToolButton;
class QTreeWidget;

namespace canary::core {
class TrafficMonitor;
}

namespace canary::gui {

class TrafficChart;
class WeightEditor;

class MainWindow final : public QMainWindow {
    Q_OBJECT
public:
    MainWindow(core::ReleaseSession *session, core::TrafficMonitor *traffic, QWidget *parent = nullptr);

    QString selectedRelease() const { return m_releaseName; }
    bool hasDraft() const { return !m_draft.isEmpty(); }

private:
    void buildUi();
    QWidget *buildEditor(QWidget *parent);
    QWidget *buildDetails(QWidget *parent);
    void onReleasesChanged();
    void onConnectionChanged();
    void selectRelease(const QString &name);
    void refresh();
    void refreshRoutes(const core::Release &release);
    void refreshPreview(const core::Release &live, const core::Release &current);
    void refreshHistory();
    void refreshButtons();
    void validateRuleForm();

    // Editing works on a draft VirtualService; each edit is a core function from documents to documents.
    Result<core::Release> current() const;
    void edit(const Result<QJsonObject> &edited, const QString &summary, const QString &coalesceKey = {});
    void undo();
    void redo();
    void discard();
    void onWeightsEdited(const QList<int> &weights);
    void addRule(bool andMore);
    void removeRoute();
    void moveRoute(int delta);
    void setMirror();

    void applyDraft();
    void startApply(bool forceConflicts);
    QJsonObject draftToApply() const;
    void promote(const QString &version);
    void rollback();
    void rollbackEntry();
    bool confirm(const QString &title, const QString &text, const QString &details);
    void onApplyFinished(const QString &release, bool ok, const QString &message);
    void onDryRun(const QString &release, bool ok, const QString &message);
    void onTraffic();
    void showMessage(const QString &text, bool error);
    QList<core::MatchCondition> pendingConditions(bool includeForm, QString *problem) const;

    core::ReleaseSession *m_session;
    core::TrafficMonitor *m_traffic;

    QLabel *m_contextLabel;
    QComboBox *m_namespaceCombo;
    QTreeWidget *m_releaseList;
    QLabel *m_releaseTitle;
    QLabel *m_releaseDetail;
    QComboBox *m_routeCombo;
    WeightEditor *m_weights;
    QLabel *m_sumLabel;
    QTreeWidget *m_matchRoutes;
    QToolButton *m_moveUp;
    QToolButton *m_moveDown;
    QToolButton *m_removeRoute;
    QComboBox *m_ruleField;
    QLineEdit *m_ruleName;
    QComboBox *m_ruleKind;
    QLineEdit *m_ruleValue;
    QComboBox *m_ruleVersion;
    QPushButton *m_andButton;
    QPushButton *m_addRuleButton;
    QLabel *m_ruleStatus;
    QComboBox *m_mirrorVersion;
    QDoubleSpinBox *m_mirrorPercent;
    QPushButton *m_mirrorButton;
    QPushButton *m_applyButton;
    QPushButton *m_cancelApplyButton;
    QCheckBox *m_serverSideCheck;
    QPushButton *m_resetButton;
    QToolButton *m_undoButton;
    QToolButton *m_redoButton;
    QPushButton *m_rollbackButton;
    QLabel *m_messageLabel;
    QLabel *m_accessLabel;
    QTabWidget *m_tabs;
    QPlainTextEdit *m_yaml;
    QPlainTextEdit *m_diffBefore;
    QPlainTextEdit *m_diffAfter;
    QPlainTextEdit *m_plan;
    QTreeWidget *m_history;
    QPushButton *m_rollbackEntryButton;
    TrafficChart *m_chart;
    QLabel *m_connectionLabel;
    QLabel *m_metricsLabel;

    QString m_releaseName;
    int m_routeIndex = -1;
    QJsonObject m_draft; // empty: no unapplied edits
    QStringList m_summaries; // what the draft does, for the journal
    QString m_lastCoalesce;
    struct Snapshot {
        QJsonObject draft;
        QStringList summaries;
    };
    void step(QList<Snapshot> &from, QList<Snapshot> &to);
    QList<Snapshot> m_undo;
    QList<Snapshot> m_redo;
    QList<core::MatchCondition> m_pending; // conditions ANDed into the next match route
    bool m_rebaseOnApply = false;
    QString m_dryRunText;
    bool m_dryRunOk = true;
};

} // namespace canary::gui
