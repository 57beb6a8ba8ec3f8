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

QSlider *makeSlider(const WeightRow &row, QWidget *parent)
{
    auto *slider = new QSlider(Qt::Horizontal, parent);
    slider->setObjectName(QStringLiteral("weightSlider_") + row.version);
    slider->setRange(0, 100);
    slider->setPageStep(5);
    slider->setMinimumWidth(120);
    slider->setAccessibleName(WeightEditor::tr("Weight of %1").arg(row.version));
    slider->setStyleSheet(
            QStringLiteral("QSlider::groove:horizontal{height:8px;background:palette(midlight);border-radius:4px;}"
                           "QSlider::sub-page:horizontal{background:%1;border-radius:4px;}"
                           "QSlider::handle:horizontal{background:white;border:2px solid %1;width:18px;"
                           "margin:-7px 0;border-radius:10px;}")
                    .arg(row.color.name()));
    return slider;
}

QSpinBox *makeSpin(const WeightRow &row, QWidget *parent)
{
    auto *spin = new QSpinBox(parent);
    spin->setObjectName(QStringLiteral("weightSpin_") + row.version);
    spin->setRange(0, 100);
    spin->setSuffix(QStringLiteral(" %"));
    spin->setAccessibleName(WeightEditor::tr("Weight of %1 in percent").arg(row.version));
    spin->setMinimumWidth(spin->sizeHint().width());
    return spin;
}

QString percent(double value)
{
    return QStringLiteral("%1 %").arg(value, 0, 'f', 1);
}

} // namespace

WeightEditor::WeightEditor(QWidget *parent)
    : QWidget(parent)
    , m_grid(new QGridLayout(this))
{
    m_grid->setContentsMargins(0, 0, 0, 0);
    m_grid->setHorizontalSpacing(10);
    m_grid->setVerticalSpacing(3);
    m_grid->setColumnStretch(1, 1);
}

bool WeightEditor::sameVersions(const QList<WeightRow> &rows) const
{
    bool same = rows.size() == m_rows.size();
    for (int i = 0; same && i < rows.size(); ++i)
        same = rows.at(i).version == m_rows.at(i).version && rows.at(i).color == m_rows.at(i).color;
    return same;
}

void WeightEditor::setRows(const QList<WeightRow> &rows, const QList<int> &weights)
{
    // Same versions: update in place. Rebuilding would delete the very slider or spin box whose
    // signal led here.
    if (sameVersions(rows)) {
        for (int i = 0; i < rows.size(); ++i)
            m_widgets.at(i).name->setText(nameText(rows.at(i)));
        m_rows = rows;
        m_weights = weights;
        sync();
        return;
    }
    for (const Widgets &w : std::as_const(m_widgets))
        qDeleteAll(QList<QWidget *> { w.swatch, w.name, w.slider, w.spin, w.promote, w.reading, w.verdict });
    m_widgets.clear();
    m_readings.clear();
    m_rows = rows;
    m_weights = weights;
    for (int i = 0; i < rows.size(); ++i)
        m_widgets.append(makeRow(i, rows.at(i)));
    showReadings();
    sync();
}

WeightEditor::Widgets WeightEditor::makeRow(int i, const WeightRow &row)
{
    Widgets w {};
    w.swatch = new QLabel(this);
    w.swatch->setFixedSize(14, 14);
    w.swatch->setStyleSheet(QStringLiteral("background:%1;border-radius:7px;").arg(row.color.name()));
    w.name = new QLabel(nameText(row), this);
    w.name->setWordWrap(true);
    w.name->setContentsMargins(0, i > 0 ? 8 : 0, 0, 0);
    w.slider = makeSlider(row, this);
    w.spin = makeSpin(row, this);
    w.promote = new QToolButton(this);
    w.promote->setObjectName(QStringLiteral("promoteButton_") + row.version);
    w.promote->setText(tr("Promote"));
    w.promote->setToolTip(tr("Send all traffic of this release to %1 and apply").arg(row.version));
    w.reading = new QLabel(this);
    w.reading->setObjectName(QStringLiteral("reading_") + row.version);
    w.reading->setWordWrap(m_wrapReadings);
    w.verdict = new QLabel(this);
    w.verdict->setObjectName(QStringLiteral("verdict_") + row.version);
    w.verdict->setAlignment(Qt::AlignCenter);
    connect(w.slider, &QSlider::valueChanged, this, [this, i](int v) { onValueChanged(i, v); });
    connect(w.spin, &QSpinBox::valueChanged, this, [this, i](int v) { onValueChanged(i, v); });
    connect(w.slider, &QSlider::sliderPressed, this, &WeightEditor::dragStarted);
    connect(w.slider, &QSlider::sliderReleased, this, &WeightEditor::dragFinished);
    connect(w.promote, &QToolButton::clicked, this,
            [this, version = row.version] { Q_EMIT promoteRequested(version); });
    // Three lines a version: what it is, its weight, what the telemetry says of it; narrow enough for
    // a 1280-pixel screen.
    m_grid->addWidget(w.swatch, 3 * i, 0, Qt::AlignBottom);
    m_grid->addWidget(w.name, 3 * i, 1, 1, 3);
    m_grid->addWidget(w.slider, 3 * i + 1, 1);
    m_grid->addWidget(w.spin, 3 * i + 1, 2);
    m_grid->addWidget(w.promote, 3 * i + 1, 3);
    m_grid->addWidget(w.reading, 3 * i + 2, 1);
    m_grid->addWidget(w.verdict, 3 * i + 2, 2, 1, 2, Qt::AlignLeft);
    return w;
}

void WeightEditor::setWeights(const QList<int> &weights)
{
    m_weights = weights;
    sync();
}

void WeightEditor::setWrapReadings(bool wrap)
{
    m_wrapReadings = wrap;
    for (const Widgets &w : std::as_const(m_widgets))
        w.reading->setWordWrap(wrap);
}

void WeightEditor::setPromoteEnabled(bool enabled)
{
    for (const Widgets &w : std::as_const(m_widgets))
        w.promote->setEnabled(enabled);
}

void WeightEditor::setReadings(const QList<VersionReading> &readings)
{
    m_readings = readings;
    showReadings();
}

void WeightEditor::setObservedVisible(bool visible)
{
    m_observedVisible = visible;
    showReadings();
}

void WeightEditor::setObservedToolTip(const QString &text)
{
    m_observedTip = text;
    showReadings();
}

void WeightEditor::showReadings()
{
    for (int i = 0; i < m_widgets.size(); ++i) {
        const VersionReading r = m_readings.value(i);
        QStringList parts;
        if (m_observedVisible && r.observedPercent >= 0)
            parts.append(tr("observed %1").arg(percent(r.observedPercent)));
        if (r.successPercent >= 0)
            parts.append(tr("success %1").arg(percent(r.successPercent)));
        if (r.p99Ms >= 0)
            parts.append(tr("p99 %1 ms").arg(r.p99Ms, 0, 'f', r.p99Ms < 10 ? 1 : 0));
        const Widgets &w = m_widgets.at(i);
        w.reading->setText(parts.join(QStringLiteral(" · ")));
        w.reading->setToolTip(m_observedTip);
        w.reading->setVisible(!parts.isEmpty());
        w.verdict->setText(r.verdict);
        w.verdict->setToolTip(r.verdictDetail);
        w.verdict->setVisible(!r.verdict.isEmpty());
        const QColor c = r.verdictColor.isValid() ? r.verdictColor : QColor(0x66, 0x66, 0x66);
        w.verdict->setStyleSheet(
                QStringLiteral("QLabel{background:%1;color:white;font-weight:600;border-radius:4px;padding:1px 6px;}")
                        .arg(c.name()));
    }
}

QString WeightEditor::readingText(int row) const
{
    return row >= 0 && row < m_widgets.size() ? m_widgets.at(row).reading->text() : QString();
}

QString WeightEditor::verdictText(int row) const
{
    return row >= 0 && row < m_widgets.size() ? m_widgets.at(row).verdict->text() : QString();
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
    for (int i = 0; i < m_widgets.size(); ++i) {
        const int w = m_weights.value(i);
        const QSignalBlocker b1(m_widgets.at(i).slider);
        const QSignalBlocker b2(m_widgets.at(i).spin);
        m_widgets.at(i).slider->setValue(w);
        m_widgets.at(i).spin->setValue(w);
    }
}

} // namespace canary::gui
