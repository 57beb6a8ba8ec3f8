#pragma once

#include <QAbstractTableModel>
#include <QJsonArray>
#include <QList>
#include <QPointer>

namespace canary::core {

class EditSession;
struct Release;

// The http routes of the release being edited (the draft when there is one): every route for a
// route picker, or only the routes in front of the default route (the match routes) for the match-route table.
class RouteListModel final : public QAbstractTableModel {
    Q_OBJECT
public:
    // LabelColumn is the whole route in one line, for a picker.
    enum Column { IndexColumn, WhenColumn, GoesToColumn, LabelColumn, ColumnCount };
    enum Role {
        RouteIndexRole = Qt::UserRole + 1, // the index in spec.http
        IsDefaultRole,
    };
    enum class Scope { AllRoutes, MatchRoutes };

    explicit RouteListModel(Scope scope, QObject *parent = nullptr);
    void setEditSession(EditSession *edits);
    // Fills the model from a release (what setEditSession does on every change).
    void setRelease(const Release *release);

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;
    int rowOfRoute(int routeIndex) const;

    struct Row {
        int index = 0;
        bool isDefault = false;
        QString name;
        QString when;
        QString goesTo;
        QJsonArray match;
        bool operator==(const Row &other) const = default;
    };

private:
    void refresh();

    Scope m_scope;
    QPointer<EditSession> m_edits;
    QList<Row> m_rows;
};

} // namespace canary::core
