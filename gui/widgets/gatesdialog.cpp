#include "gui/widgets/gatesdialog.h"

#include "core/telemetry/releasequeries.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QDoubleSpinBox>
#include <QFormLayout>
#include <QLabel>
#include <QPushButton>
#include <QSettings>
#include <QSpinBox>

namespace canary::gui {

namespace {

const int kWindows[] = { 30, 60, 120, 300, 600, 1800 };

} // namespace

GatesDialog::GatesDialog(const core::HealthThresholds &thresholds, QWidget *parent)
    : QDialog(parent)
    , m_successDrop(new QDoubleSpinBox(this))
    , m_p99Factor(new QDoubleSpinBox(this))
    , m_p99Slack(new QSpinBox(this))
    , m_minRequests(new QSpinBox(this))
    , m_clientErrors(new QCheckBox(tr("Count 4xx answers as errors too (as Kiali does)"), this))
    , m_window(new QComboBox(this))
{
    setObjectName(QStringLiteral("gatesDialog"));
    setWindowTitle(tr("Health gates"));
    auto *form = new QFormLayout(this);
    auto *intro = new QLabel(tr("A canary is <b>worse</b> than the stable version when its success rate is lower by "
                                "more than the first figure, or its p99 latency higher than the factor times the "
                                "stable's and by more than the slack. With fewer requests than the minimum in the "
                                "window it has <b>not enough traffic</b> to say."),
                             this);
    intro->setWordWrap(true);
    form->addRow(intro);
    m_successDrop->setObjectName(QStringLiteral("gateSuccessDrop"));
    m_successDrop->setRange(0, 100);
    m_successDrop->setDecimals(1);
    m_successDrop->setSingleStep(0.5);
    m_successDrop->setSuffix(tr(" points"));
    m_successDrop->setValue(thresholds.maxSuccessDropPoints);
    form->addRow(tr("Success rate lower by at most"), m_successDrop);
    m_p99Factor->setObjectName(QStringLiteral("gateP99Factor"));
    m_p99Factor->setRange(1, 100);
    m_p99Factor->setDecimals(2);
    m_p99Factor->setSingleStep(0.1);
    m_p99Factor->setSuffix(QStringLiteral(" ×"));
    m_p99Factor->setValue(thresholds.maxP99Factor);
    form->addRow(tr("p99 at most"), m_p99Factor);
    m_p99Slack->setObjectName(QStringLiteral("gateP99Slack"));
    m_p99Slack->setRange(0, 60000);
    m_p99Slack->setSuffix(tr(" ms"));
    m_p99Slack->setValue(int(thresholds.p99SlackMs));
    m_p99Slack->setToolTip(tr("A histogram's buckets are coarse near zero: 2 ms against 1 ms is no regression."));
    form->addRow(tr("… and higher by at most"), m_p99Slack);
    m_minRequests->setObjectName(QStringLiteral("gateMinRequests"));
    m_minRequests->setRange(0, 1000000);
    m_minRequests->setValue(thresholds.minRequests);
    form->addRow(tr("At least requests in the window"), m_minRequests);
    m_clientErrors->setObjectName(QStringLiteral("gateClientErrors"));
    m_clientErrors->setChecked(thresholds.countClientErrors);
    form->addRow(m_clientErrors);
    m_window->setObjectName(QStringLiteral("gateWindow"));
    for (int seconds : kWindows)
        m_window->addItem(core::promDuration(seconds), seconds);
    if (m_window->findData(thresholds.windowSeconds) < 0)
        m_window->addItem(core::promDuration(thresholds.windowSeconds), thresholds.windowSeconds);
    m_window->setCurrentIndex(m_window->findData(thresholds.windowSeconds));
    form->addRow(tr("Window"), m_window);
    auto *buttons = new QDialogButtonBox(
            QDialogButtonBox::Ok | QDialogButtonBox::Cancel | QDialogButtonBox::RestoreDefaults, this);
    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(buttons->button(QDialogButtonBox::RestoreDefaults), &QPushButton::clicked, this, [this] {
        const core::HealthThresholds d;
        m_successDrop->setValue(d.maxSuccessDropPoints);
        m_p99Factor->setValue(d.maxP99Factor);
        m_p99Slack->setValue(int(d.p99SlackMs));
        m_minRequests->setValue(d.minRequests);
        m_clientErrors->setChecked(d.countClientErrors);
        m_window->setCurrentIndex(m_window->findData(d.windowSeconds));
    });
    form->addRow(buttons);
}

core::HealthThresholds GatesDialog::thresholds() const
{
    core::HealthThresholds t;
    t.maxSuccessDropPoints = m_successDrop->value();
    t.maxP99Factor = m_p99Factor->value();
    t.p99SlackMs = m_p99Slack->value();
    t.minRequests = m_minRequests->value();
    t.countClientErrors = m_clientErrors->isChecked();
    t.windowSeconds = m_window->currentData().toInt();
    return t;
}

core::HealthThresholds GatesDialog::load()
{
    const QSettings s;
    core::HealthThresholds t;
    t.maxSuccessDropPoints
            = qBound(0.0, s.value(QStringLiteral("gates/successDrop"), t.maxSuccessDropPoints).toDouble(), 100.0);
    t.maxP99Factor = qBound(1.0, s.value(QStringLiteral("gates/p99Factor"), t.maxP99Factor).toDouble(), 100.0);
    t.p99SlackMs = qBound(0.0, s.value(QStringLiteral("gates/p99SlackMs"), t.p99SlackMs).toDouble(), 60000.0);
    t.minRequests = qBound(0, s.value(QStringLiteral("gates/minRequests"), t.minRequests).toInt(), 1000000);
    t.countClientErrors = s.value(QStringLiteral("gates/countClientErrors"), t.countClientErrors).toBool();
    t.windowSeconds = qBound(10, s.value(QStringLiteral("gates/windowSeconds"), t.windowSeconds).toInt(), 86400);
    return t;
}

void GatesDialog::save(const core::HealthThresholds &t)
{
    QSettings s;
    s.setValue(QStringLiteral("gates/successDrop"), t.maxSuccessDropPoints);
    s.setValue(QStringLiteral("gates/p99Factor"), t.maxP99Factor);
    s.setValue(QStringLiteral("gates/p99SlackMs"), t.p99SlackMs);
    s.setValue(QStringLiteral("gates/minRequests"), t.minRequests);
    s.setValue(QStringLiteral("gates/countClientErrors"), t.countClientErrors);
    s.setValue(QStringLiteral("gates/windowSeconds"), t.windowSeconds);
}

} // namespace canary::gui
