#include "gui/widgets/weighteditor.h"

#include "core/edit/weights.h"

#include <QGridLayout>
#include <QLabel>
#include <QSlider>
#include <QSpinBox>
#include <QToolButton>

namespace canary::gui {

namespace {

QString nameText(const WeightRow &row)
{
    return QStringLiteral("<b>%1</b> &nbsp;<span style='color:palette(mid)'>%2</span>")
            .arg(row.version.toHtmlEscaped(), row.detail.toHtmlEscaped());
}

} // namespace

WeightEditor::WeightEditor(QWidget *parent)
    : QWidget(parent)
    , m_grid(new QGridLayout(this))
{
    m_grid->setContentsMargins(0, 0, 0, 0);
    m_grid->setHorizontalSpacing(10);
    m_grid->setVerticalSpacing(4);
    m_grid->setColumnStretch(1, 1);
}

void WeightEditor::setRows(const QList<WeightRow> &rows, const QList<int> &weights)
{
    // Same versions: update in place. Rebuilding would delete the very slider or spin box whose
    // signal led here.
    bool same = rows.size() == m_rows.size();
    for (int i = 0; same && i < rows.size(); ++i)
        same = rows.at(i).version == m_rows.at(i).version && rows.at(i).color == m_rows.at(i).color;
    if (same) {
        for (int i = 0; i < rows.size(); ++i) {
            m_names.at(i)->setText(nameText(rows.at(i)));
        }
        m_rows = rows;
        m_weights = weights;
        sync();
        return;
    }
    clearRows();
    m_rows = rows;
    m_weights = weights;
    for (int i = 0; i < rows.size(); ++i)
        addRow(i, rows.at(i));
    sync();
}

void WeightEditor::clearRows()
{
    qDeleteAll(m_widgets);
    m_names.clear();
    m_widgets.clear();
    m_sliders.clear();
    m_spins.clear();
    m_observed.clear();
    m_promote.clear();
}

// Two lines a version: what it is, then its weight; narrow enough for a 1280-pixel screen.
void WeightEditor::addRow(int i, const WeightRow &row)
{
    auto *swatch = new QLabel(this);
    swatch->setFixedSize(14, 14);
    swatch->setStyleSheet(QStringLiteral("background:%1;border-radius:7px;").arg(row.color.name()));
    auto *name = new QLabel(nameText(row), this);
    m_names.append(name);
    name->setWordWrap(true);
    name->setContentsMargins(0, i > 0 ? 8 : 0, 0, 0);
    auto *slider = new QSlider(Qt::Horizontal, this);
    slider->setObjectName(QStringLiteral("weightSlider_") + row.version);
    slider->setRange(0, 100);
    slider->setPageStep(5);
    slider->setMinimumWidth(120);
    slider->setAccessibleName(tr("Weight of %1").arg(row.version));
    slider->setStyleSheet(
            QStringLiteral("QSlider::groove:horizontal{height:8px;background:palette(midlight);border-radius:4px;}"
                           "QSlider::sub-page:horizontal{background:%1;border-radius:4px;}"
                           "QSlider::handle:horizontal{background:white;border:2px solid %1;width:18px;"
                           "margin:-7px 0;border-radius:10px;}")
                    .arg(row.color.name()));
    auto *spin = new QSpinBox(this);
    spin->setObjectName(QStringLiteral("weightSpin_") + row.version);
    spin->setRange(0, 100);
    spin->setSuffix(QStringLiteral(" %"));
    spin->setAccessibleName(tr("Weight of %1 in percent").arg(row.version));
    spin->setMinimumWidth(spin->sizeHint().width());
    auto *observed = new QLabel(this);
    observed->setObjectName(QStringLiteral("observed_") + row.version);
    observed->setMinimumWidth(observed->fontMetrics().horizontalAdvance(tr("observed %1 %").arg(100.0, 0, 'f', 1)) + 4);
    observed->setToolTip(m_observedTip);
    observed->setVisible(m_observedVisible);
    auto *promote = new QToolButton(this);
    promote->setObjectName(QStringLiteral("promoteButton_") + row.version);
    promote->setText(tr("Promote"));
    promote->setToolTip(tr("Send all traffic of this release to %1 and apply").arg(row.version));
    connect(slider, &QSlider::valueChanged, this, [this, i](int v) { onValueChanged(i, v); });
    connect(spin, &QSpinBox::valueChanged, this, [this, i](int v) { onValueChanged(i, v); });
    connect(slider, &QSlider::sliderPressed, this, &WeightEditor::dragStarted);
    connect(slider, &QSlider::sliderReleased, this, &WeightEditor::dragFinished);
    connect(promote, &QToolButton::clicked, this, [this, version = row.version] { Q_EMIT promoteRequested(version); });
    m_grid->addWidget(swatch, 2 * i, 0, Qt::AlignBottom);
    m_grid->addWidget(name, 2 * i, 1, 1, 4);
    m_grid->addWidget(slider, 2 * i + 1, 1);
    m_grid->addWidget(spin, 2 * i + 1, 2);
    m_grid->addWidget(observed, 2 * i + 1, 3);
    m_grid->addWidget(promote, 2 * i + 1, 4);
    m_widgets << swatch << name << slider << spin << observed << promote;
    m_sliders.append(slider);
    m_spins.append(spin);
    m_observed.append(observed);
    m_promote.append(promote);
}

void WeightEditor::setWeights(const QList<int> &weights)
{
    m_weights = weights;
    sync();
}

void WeightEditor::setPromoteEnabled(bool enabled)
{
    for (QToolButton *b : std::as_const(m_promote))
        b->setEnabled(enabled);
}

void WeightEditor::setObservedShares(const QList<double> &percent)
{
    for (int i = 0; i < m_observed.size(); ++i) {
        const double p = percent.value(i, -1);
        m_observed.at(i)->setText(p < 0 ? QString() : tr("observed %1 %").arg(p, 0, 'f', 1));
    }
}

void WeightEditor::setObservedVisible(bool visible)
{
    m_observedVisible = visible;
    for (QLabel *l : std::as_const(m_observed))
        l->setVisible(visible);
}

void WeightEditor::setObservedToolTip(const QString &text)
{
    m_observedTip = text;
    for (QLabel *l : std::as_const(m_observed))
        l->setToolTip(text);
}

void WeightEditor::onValueChanged(int index, int value)
{
    if (index >= m_weights.size() || m_weights.at(index) == value)
        return;
    m_weights = core::redistributeWeights(m_weights, index, value);
    sync();
    Q_EMIT weightsChanged(m_weights);
}

void WeightEditor::sync()
{
    for (int i = 0; i < m_sliders.size(); ++i) {
        const int w = m_weights.value(i);
        const QSignalBlocker b1(m_sliders.at(i));
        const QSignalBlocker b2(m_spins.at(i));
        m_sliders.at(i)->setValue(w);
        m_spins.at(i)->setValue(w);
    }
}

} // namespace canary::gui
