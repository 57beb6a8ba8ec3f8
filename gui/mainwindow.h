#pragma once

#include "k8s/kubeconfig.h"

#include <QHash>
#include <QMainWindow>
#include <QPointer>

class QLabel;
class QScrollArea;
class QSplitter;

namespace canary::core {
class EditSession;
class ReleaseSession;
class HealthMonitor;
} // namespace canary::core

namespace canary::gui {

class ApplyBar;
class ConnectionBanner;
class ContextBar;
class DemoMenu;
class HistoryPanel;
class MatchRouteEditor;
class MirrorPanel;
class PresentationMode;
class PreviewTabs;
class ReleaseActions;
class ReleaseListPanel;
class RouteEditor;
class TrafficPanel;

// Assembles the panels over one ReleaseSession and its EditSession, and asks the user before
// anything that writes or throws edits away. The panels do the rest.
class MainWindow final : public QMainWindow {
    Q_OBJECT
public:
    MainWindow(core::ReleaseSession *session, core::HealthMonitor *health, QWidget *parent = nullptr);
    ~MainWindow() override;

    // Offers the kubeconfig's contexts in the picker; switching makes a session of the window's own.
    void setKubeconfig(const k8s::KubeconfigOptions &options);
    // Switches to another context in place (refused while edits are unapplied and the user keeps them).
    bool switchContext(const QString &context);
    core::ReleaseSession *session() const { return m_session; }
    core::EditSession *edits() const { return m_edits; }

    QString selectedRelease() const;
    bool hasDraft() const;
    void selectRelease(const QString &name);
    // View → Presentation (F11).
    void setPresentation(bool on);
    bool isPresenting() const;

private:
    void buildUi();
    QWidget *buildEditor();
    void buildMenus();
    void buildShortcuts();
    void setSession(core::ReleaseSession *session);
    void onReleasesChanged();
    void onConnectionChanged();
    void onReleaseActivated(const QString &key);
    void refreshWriteState();
    void applyDraft();
    void arrange();

protected:
    bool eventFilter(QObject *watched, QEvent *event) override;
    void resizeEvent(QResizeEvent *event) override;

private:
    QPointer<core::ReleaseSession> m_session;
    core::HealthMonitor *m_health; // measures the release shown, on each session's cluster
    core::EditSession *m_edits;
    ReleaseActions *m_actions;
    PresentationMode *m_presentation;
    DemoMenu *m_demoMenu;
    k8s::KubeconfigOptions m_kubeconfig;
    bool m_hasKubeconfig = false;
    QHash<QString, QString> m_lastNamespace; // per context, while the window is open

    ContextBar *m_contextBar;
    ConnectionBanner *m_banner;
    ReleaseListPanel *m_releases;
    RouteEditor *m_routeEditor;
    MirrorPanel *m_mirror;
    MatchRouteEditor *m_matchRoutes;
    ApplyBar *m_applyBar;
    PreviewTabs *m_tabs;
    HistoryPanel *m_history;
    TrafficPanel *m_trafficPanel;
    QScrollArea *m_editorScroll;
    QSplitter *m_split;
    bool m_userArranged = false;
    QLabel *m_connectionLabel;
};

} // namespace canary::gui
