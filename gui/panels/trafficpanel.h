#pragma once

#include "gui/widgets/weighteditor.h"

#include <QPointer>
#include <QWidget>

namespace canary::core {
class EditSession;
class TrafficMonitor;
} // namespace canary::core

namespace canary::gui {

class TrafficChart;

// Requests per second of each version of the release being edited, as a chart, and each version's
// share of the release's traffic for the weight rows.
class TrafficPanel final : public QWidget {
    Q_OBJECT
public:
    TrafficPanel(core::EditSession *edits, core::TrafficMonitor *monitor, QWidget *parent = nullptr);
    void refresh();
    TrafficChart *chart() const { return m_chart; }

Q_SIGNALS:
    // Per version of the release shown; `window` says over what ("in the last 10 s").
    void readings(const QList<VersionReading> &readings, const QString &window);
    void statusChanged(const QString &text);

private:
    core::EditSession *m_edits;
    QPointer<core::TrafficMonitor> m_monitor;
    TrafficChart *m_chart;
    QString m_shownFor;
};

} // namespace canary::gui
