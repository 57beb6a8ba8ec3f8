#pragma once

#include <QMenu>
#include <QPointer>

namespace canary::core {
class EditSession;
}

namespace canary::gui {

// On a demo cluster (its kubeconfig says so), a menu that makes the release's canary fail or slow,
// and heals it, for telling the story of a bad canary on stage. It writes the data plane's knobs as
// annotations on the canary's Deployments through the ordinary API, as `kubectl annotate` would:
// the window still reaches the demo only as a cluster.
class DemoMenu final : public QMenu {
    Q_OBJECT
public:
    static constexpr int kFailPercent = 30;
    static constexpr int kSlowMs = 300;

    DemoMenu(core::EditSession *edits, QWidget *parent = nullptr);
    // Whether the session's cluster announces itself as the demo (menu shown only then).
    bool isDemoCluster() const;
    // The Deployments the actions write to: the canary version's workloads.
    QStringList targets() const;
    QString lastError() const { return m_lastError; }
    // Follows the session (another context may not be a demo) and the release shown.
    void refresh();

    void makeFail();
    void makeSlow();
    void heal();

Q_SIGNALS:
    void demoClusterChanged(bool demo);
    void written(const QString &message);

private:
    void annotate(const QJsonObject &annotations, const QString &what);

    core::EditSession *m_edits;
    QAction *m_fail;
    QAction *m_slow;
    QAction *m_heal;
    QString m_lastError;
    bool m_demo = false;
};

} // namespace canary::gui
