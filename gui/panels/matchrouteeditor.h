#pragma once

#include "core/edit/releaseedits.h"

#include <QWidget>

class QComboBox;
class QLabel;
class QLineEdit;
class QPushButton;
class QToolButton;
class QTreeView;

namespace canary::core {
class EditSession;
class RouteListModel;
} // namespace canary::core

namespace canary::gui {

// The match routes in front of the default route (first match wins), and a form that builds one:
// conditions ANDed, each checked as it is typed (header names, RE2 syntax, URIs).
class MatchRouteEditor final : public QWidget {
    Q_OBJECT
public:
    explicit MatchRouteEditor(core::EditSession *edits, QWidget *parent = nullptr);
    QTreeView *view() const { return m_view; }

private:
    QLayout *buildForm();
    void refresh();
    void refreshButtons();
    void validateForm();
    void addRule(bool andMore);
    int selectedRoute() const;
    void selectRoute(int routeIndex);
    QList<core::MatchCondition> pendingConditions(bool includeForm, QString *problem) const;

    core::EditSession *m_edits;
    core::RouteListModel *m_routes;
    QTreeView *m_view;
    QToolButton *m_moveUp;
    QToolButton *m_moveDown;
    QToolButton *m_remove;
    QComboBox *m_field;
    QLineEdit *m_name;
    QComboBox *m_kind;
    QLineEdit *m_value;
    QComboBox *m_version;
    QPushButton *m_and;
    QPushButton *m_add;
    QLabel *m_status;
    QList<core::MatchCondition> m_pending; // conditions ANDed into the next match route
    QString m_versionsFor;
};

} // namespace canary::gui
