#include "gui/panels/mirrorpanel.h"

#include "core/edit/editsession.h"
#include "gui/widgets/elidingcombobox.h"

#include <QComboBox>
#include <QDoubleSpinBox>
#include <QHBoxLayout>
#include <QJsonDocument>
#include <QLabel>
#include <QPushButton>

namespace canary::gui {

MirrorPanel::MirrorPanel(core::EditSession *edits, QWidget *parent)
    : QWidget(parent)
    , m_edits(edits)
    , m_version(new ElidingComboBox(this))
    , m_percent(new QDoubleSpinBox(this))
    , m_button(new QPushButton(tr("Set mirror"), this))
{
    setObjectName(QStringLiteral("mirrorPanel"));
    auto *layout = new QHBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    auto *label = new QLabel(tr("M&irror"), this);
    label->setBuddy(m_version);
    m_version->setObjectName(QStringLiteral("mirrorVersion"));
    m_version->setMinimumContentsLength(10);
    m_percent->setObjectName(QStringLiteral("mirrorPercent"));
    m_percent->setRange(0, 100);
    m_percent->setDecimals(1);
    m_percent->setSuffix(QStringLiteral(" %"));
    m_button->setObjectName(QStringLiteral("mirrorButton"));
    m_button->setToolTip(
            tr("Copy this share of the route's requests to another version; answers from the copy are discarded"));
    layout->addWidget(label);
    layout->addWidget(m_version, 1);
    layout->addWidget(m_percent);
    layout->addWidget(m_button);
    connect(m_button, &QPushButton::clicked, this, [this] {
        const bool none = m_version->currentIndex() <= 0;
        m_edits->setMirror(none ? QString() : m_version->currentText(), none ? 0 : m_percent->value());
    });
    connect(m_edits, &core::EditSession::changed, this, &MirrorPanel::refresh);
    refresh();
}

void MirrorPanel::refresh()
{
    const Result<core::Release> cur = m_edits->current();
    m_button->setEnabled(cur.ok());
    if (!cur) {
        m_version->clear();
        m_shownFor.clear();
        return;
    }
    const int route = m_edits->routeIndex();
    const QJsonObject raw = cur->vs.value(QLatin1String("spec"))
                                    .toObject()
                                    .value(QLatin1String("http"))
                                    .toArray()
                                    .at(route)
                                    .toObject();
    const QJsonObject mirror { { QStringLiteral("to"), raw.value(QLatin1String("mirror")) },
                               { QStringLiteral("percent"), raw.value(QLatin1String("mirrorPercentage")) } };
    const QString key = QStringLiteral("%1#%2#").arg(cur->name).arg(route)
            + QString::fromUtf8(QJsonDocument(mirror).toJson(QJsonDocument::Compact));
    if (key == m_shownFor)
        return; // keep what the user is choosing while other edits happen
    m_shownFor = key;
    const QSignalBlocker block(m_version);
    m_version->clear();
    m_version->addItem(tr("(no mirror)"));
    for (const core::ReleaseVersion &v : cur->versions)
        m_version->addItem(v.name);
    if (raw.contains(QLatin1String("mirror"))) {
        m_version->setCurrentText(core::versionOfDestination(*cur, raw.value(QLatin1String("mirror")).toObject()));
        m_percent->setValue(
                raw.value(QLatin1String("mirrorPercentage")).toObject().value(QLatin1String("value")).toDouble(100));
    } else {
        m_version->setCurrentIndex(0);
    }
}

} // namespace canary::gui
