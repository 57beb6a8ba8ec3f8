#pragma once

#include <QFrame>

class QComboBox;
class QLabel;
class QToolButton;

namespace canary::gui {

// The top bar: which cluster (a kubeconfig context), which namespace, and Refresh.
class ContextBar final : public QFrame {
    Q_OBJECT
public:
    explicit ContextBar(QWidget *parent = nullptr);

    // Contexts as `kubectl config get-contexts` lists them; the current one first.
    void setContexts(const QStringList &contexts, const QString &current);
    void setCurrentContext(const QString &context);
    void setNamespaces(const QStringList &namespaces, const QString &current);
    void setIdentity(const QString &server, const QString &user);
    QComboBox *namespaceCombo() const { return m_namespace; }

Q_SIGNALS:
    void contextRequested(const QString &context);
    void namespaceRequested(const QString &ns);
    void refreshRequested();

private:
    QComboBox *m_context;
    QComboBox *m_namespace;
    QLabel *m_identity;
    QToolButton *m_refresh;
};

} // namespace canary::gui
