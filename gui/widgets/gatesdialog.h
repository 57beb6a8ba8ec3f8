#pragma once

#include "core/telemetry/releasehealth.h"

#include <QDialog>

class QCheckBox;
class QComboBox;
class QDoubleSpinBox;
class QSpinBox;

namespace canary::gui {

// The thresholds a canary is judged by against the stable version, and the window they look at.
// Kept in the settings, so the next start judges alike.
class GatesDialog final : public QDialog {
    Q_OBJECT
public:
    explicit GatesDialog(const core::HealthThresholds &thresholds, QWidget *parent = nullptr);
    core::HealthThresholds thresholds() const;

    static core::HealthThresholds load();
    static void save(const core::HealthThresholds &thresholds);

private:
    QDoubleSpinBox *m_successDrop;
    QDoubleSpinBox *m_p99Factor;
    QSpinBox *m_p99Slack;
    QSpinBox *m_minRequests;
    QCheckBox *m_clientErrors;
    QComboBox *m_window;
};

} // namespace canary::gui
