#pragma once

#include <QFont>
#include <QList>
#include <QObject>
#include <QPalette>

class QAction;
class QMainWindow;
class QShortcut;
class QWidget;

namespace canary::gui {

class HealthCharts;
class ReleaseActions;

// View → Presentation (F11, --present): for a projector at the back of a room. The charts and the
// weights fill the screen, text is twice its size, colours are high-contrast, and one key each
// promotes the canary (P) or rolls it back (R), after a confirmation that Enter accepts. Esc leaves
// (the window's Esc: it cancels a running apply first).
class PresentationMode final : public QObject {
    Q_OBJECT
public:
    static constexpr double kFontScale = 2.0;

    PresentationMode(QMainWindow *window, ReleaseActions *actions);
    // What presentation hides (the service list, the previews, the match-route editor...).
    void setHiddenWidgets(const QList<QWidget *> &widgets) { m_hidden = widgets; }
    QList<QWidget *> hiddenWidgets() const { return m_hidden; }
    void setCharts(HealthCharts *charts) { m_charts = charts; }
    QAction *action() const { return m_action; }
    bool isOn() const { return m_on; }
    void setOn(bool on);

Q_SIGNALS:
    void toggled(bool on);

private:
    void enter();
    void leave();

    QMainWindow *m_window;
    ReleaseActions *m_actions;
    QAction *m_action;
    QList<QShortcut *> m_keys;
    QList<QWidget *> m_hidden;
    QList<QWidget *> m_hiddenByUs;
    HealthCharts *m_charts = nullptr; // the window's, as long-lived as this
    bool m_on = false;
    bool m_wasFullScreen = false;
    bool m_wasMaximized = false;
    QFont m_font;
    QPalette m_palette;
    QString m_styleSheet;
};

} // namespace canary::gui
