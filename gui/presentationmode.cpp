#include "gui/presentationmode.h"

#include "gui/releaseactions.h"
#include "gui/widgets/healthcharts.h"
#include "gui/widgets/weighteditor.h"

#include <QAction>
#include <QMainWindow>
#include <QShortcut>

namespace canary::gui {

PresentationMode::PresentationMode(QMainWindow *window, ReleaseActions *actions)
    : QObject(window)
    , m_window(window)
    , m_actions(actions)
    , m_action(new QAction(tr("&Presentation"), this))
{
    m_action->setObjectName(QStringLiteral("presentationAction"));
    m_action->setCheckable(true);
    m_action->setShortcut(QKeySequence(Qt::Key_F11));
    m_action->setShortcutContext(Qt::WindowShortcut);
    m_action->setToolTip(tr("Charts and weights full screen, large type, high contrast; P promotes, R rolls back, "
                            "Esc leaves"));
    window->addAction(m_action); // F11 works with the menu bar hidden too
    connect(m_action, &QAction::toggled, this, &PresentationMode::setOn);
    const auto key = [this](const QKeySequence &keys, auto slot) {
        auto *shortcut = new QShortcut(keys, m_window);
        shortcut->setObjectName(QStringLiteral("presentationKey"));
        shortcut->setEnabled(false);
        connect(shortcut, &QShortcut::activated, this, slot);
        m_keys.append(shortcut);
    };
    key(QKeySequence(Qt::Key_P), [this] { m_actions->promoteCanary(Confirmation::YesByDefault); });
    key(QKeySequence(Qt::Key_R), [this] { m_actions->rollBackCanary(Confirmation::YesByDefault); });
}

void PresentationMode::setOn(bool on)
{
    if (on == m_on)
        return;
    m_on = on;
    const QSignalBlocker block(m_action);
    m_action->setChecked(on);
    if (on)
        enter();
    else
        leave();
    for (QShortcut *key : std::as_const(m_keys))
        key->setEnabled(on);
    Q_EMIT toggled(on);
}

void PresentationMode::enter()
{
    for (WeightEditor *weights : m_window->findChildren<WeightEditor *>())
        weights->setWrapReadings(true); // large type: two lines rather than a wider editor
    m_wasFullScreen = m_window->isFullScreen();
    m_wasMaximized = m_window->isMaximized();
    m_font = m_window->font();
    m_palette = m_window->palette();
    m_styleSheet = m_window->styleSheet();
    m_hiddenByUs.clear();
    for (QWidget *widget : std::as_const(m_hidden)) {
        if (widget->isVisibleTo(m_window)) {
            widget->hide();
            m_hiddenByUs.append(widget);
        }
    }
    QFont big = m_font;
    big.setPointSizeF(m_font.pointSizeF() * kFontScale);
    m_window->setFont(big);
    // Black on white, strong selection and borders: what a washed-out projector still shows.
    QPalette contrast = m_palette;
    contrast.setColor(QPalette::Window, Qt::white);
    contrast.setColor(QPalette::Base, Qt::white);
    contrast.setColor(QPalette::AlternateBase, QColor(0xee, 0xee, 0xee));
    contrast.setColor(QPalette::WindowText, Qt::black);
    contrast.setColor(QPalette::Text, Qt::black);
    contrast.setColor(QPalette::ButtonText, Qt::black);
    contrast.setColor(QPalette::PlaceholderText, QColor(0x44, 0x44, 0x44));
    contrast.setColor(QPalette::Mid, QColor(0x44, 0x44, 0x44)); // secondary text, as in "2 pods"
    contrast.setColor(QPalette::Disabled, QPalette::WindowText, QColor(0x55, 0x55, 0x55));
    contrast.setColor(QPalette::Disabled, QPalette::Text, QColor(0x55, 0x55, 0x55));
    contrast.setColor(QPalette::Highlight, QColor(0x00, 0x3d, 0x99));
    contrast.setColor(QPalette::HighlightedText, Qt::white);
    m_window->setPalette(contrast);
    // The window's style sheet gives some widgets fonts of their own, which a font set on the window
    // would not reach: the sizes go in the sheet.
    m_window->setStyleSheet(m_styleSheet
                            + QStringLiteral("QWidget{font-size:%1pt;}"
                                             "QLabel#releaseTitle{font-size:%2pt;}"
                                             "QFrame#card{border:2px solid black;}")
                                      .arg(m_font.pointSizeF() * kFontScale)
                                      .arg(int(15 * kFontScale)));
    if (m_charts) {
        m_charts->setFontScale(kFontScale);
        m_charts->setHighContrast(true);
    }
    m_window->showFullScreen();
}

void PresentationMode::leave()
{
    for (WeightEditor *weights : m_window->findChildren<WeightEditor *>())
        weights->setWrapReadings(false);
    m_window->setStyleSheet(m_styleSheet);
    m_window->setPalette(m_palette);
    m_window->setFont(m_font);
    for (QWidget *widget : std::as_const(m_hiddenByUs))
        widget->show();
    m_hiddenByUs.clear();
    if (m_charts) {
        m_charts->setFontScale(1);
        m_charts->setHighContrast(false);
    }
    if (m_wasFullScreen)
        return;
    if (m_wasMaximized)
        m_window->showMaximized();
    else
        m_window->showNormal();
}

} // namespace canary::gui
