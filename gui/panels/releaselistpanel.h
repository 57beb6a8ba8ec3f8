#pragma once

#include <QWidget>

class QLineEdit;
class QTreeView;

namespace canary::core {
class ReleaseFilterModel;
class ReleaseListModel;
class ReleaseSession;
} // namespace canary::core

namespace canary::gui {

// The services of the namespace: a filter box over a sorted list of releases and unrouted Services.
class ReleaseListPanel final : public QWidget {
    Q_OBJECT
public:
    explicit ReleaseListPanel(QWidget *parent = nullptr);

    void setSession(core::ReleaseSession *session);
    // Marks the release as current without announcing it (the window decided already).
    void setCurrentRelease(const QString &key);
    QString currentRelease() const;
    QTreeView *view() const { return m_view; }
    QLineEdit *filterBox() const { return m_filter; }
    core::ReleaseListModel *model() const { return m_model; }
    // The width at which no column of the first rows is elided (0 before there are rows).
    int preferredWidth() const { return m_preferredWidth; }

Q_SIGNALS:
    void releaseActivated(const QString &key);
    void preferredWidthChanged();

private:
    void fitColumns();

    QLineEdit *m_filter;
    QTreeView *m_view;
    core::ReleaseListModel *m_model;
    core::ReleaseFilterModel *m_proxy;
    bool m_fitted = false;
    int m_preferredWidth = 0;
};

} // namespace canary::gui
