#pragma once

#include "gui/widgets/weighteditor.h"

#include <QPointer>
#include <QWidget>

class QLabel;
class QPushButton;
class QTimer;

namespace canary::core {
class EditSession;
class HealthMonitor;
class HistoryModel;
} // namespace canary::core

namespace canary::gui {

class HealthCharts;

// The health of each version of the release being edited, from the health monitor: requests/s,
// error % and p99 on one time axis with every applied change marked, the source and its state in
// one line (what is wrong, in red, when it fails), the queries to copy and the gates to set. Each
// version's readings and verdict go to the weight rows.
class TrafficPanel final : public QWidget {
    Q_OBJECT
public:
    TrafficPanel(core::EditSession *edits, core::HealthMonitor *monitor, QWidget *parent = nullptr);
    HealthCharts *charts() const { return m_charts; }
    // The copy and gates buttons and the gates' summary: presentation mode hides them.
    QList<QWidget *> tools() const;
    QString sourceText() const;

Q_SIGNALS:
    // Per version of the release shown, in its order; `window` says over what ("in the last 1m").
    void readings(const QList<VersionReading> &readings, const QString &window);
    void message(const QString &text);

private:
    void followRelease();
    void refresh();
    void showSource();
    void showMarkers();
    void showGates();
    void editGates();

    core::EditSession *m_edits;
    QPointer<core::HealthMonitor> m_monitor;
    core::HistoryModel *m_history;
    HealthCharts *m_charts;
    QLabel *m_source;
    QWidget *m_tools;
    QLabel *m_gates;
    QPushButton *m_copy;
    QTimer *m_clock;
};

} // namespace canary::gui
