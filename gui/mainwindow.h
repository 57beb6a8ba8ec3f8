#pragma once

#include "release.h"
#include "releasesession.h"

#include <QMainWindow>
#include <QPointer>

class QComboBox;
class QLabel;
class QPlainTextEdit;
class QPushButton;
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

private:
    void buildUi();
    void onReleasesChanged();
    void onConnectionChanged();
    void selectRelease(const QString &name);
    void showRelease(bool keepDraft);
    void onWeightsEdited(const QList<int> &weights);
    void updatePreview();
    void updateButtons();
    void applyDraft();
    void promote(const QString &version);
    void rollback();
    void resetDraft();
    void onApplyFinished(const QString &release, bool ok, const QString &message);
    void onTraffic();
    void showMessage(const QString &text, bool error);
    Result<QJsonObject> draftObject() const;
    QString draftSummary() const;

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
    QPushButton *m_applyButton;
    QPushButton *m_resetButton;
    QPushButton *m_rollbackButton;
    QLabel *m_messageLabel;
    QPlainTextEdit *m_yaml;
    QLabel *m_yamlTitle;
    TrafficChart *m_chart;
    QLabel *m_connectionLabel;
    QLabel *m_metricsLabel;

    QString m_releaseName;
    int m_routeIndex = -1;
    QList<int> m_liveWeights;
    QList<int> m_draftWeights;
    QString m_liveResourceVersion;
};

} // namespace canary::gui
