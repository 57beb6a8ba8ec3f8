#pragma once

#include <QAbstractTableModel>
#include <QHash>
#include <QPointer>
#include <QStringList>

namespace canary::core {

class ReleaseSession;
struct Release;

// The releases of the namespace, then the Services no VirtualService routes to, one row each.
// Rows are updated in place as the watches report changes; only a new session resets the model.
class ReleaseListModel final : public QAbstractTableModel {
    Q_OBJECT
public:
    enum Column { NameColumn, VersionsColumn, RoutingColumn, MatchRoutesColumn, NotesColumn, ColumnCount };
    enum Role {
        ReleaseNameRole
        = Qt::UserRole + 1, // what EditSession::setRelease takes ("service:NAME" for an unrouted Service)
        UnroutedRole,
        SortRole,
    };

    explicit ReleaseListModel(QObject *parent = nullptr);
    void setSession(ReleaseSession *session);

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;
    // The row of a release or unrouted Service by its ReleaseNameRole, or -1.
    int rowOf(const QString &releaseName) const;

    struct Row {
        QString key; // ReleaseNameRole
        QString name;
        QString versions; // "v1 (2), v2 (1)": versions with their pod counts
        QString routing; // the default route's split, "80/20"
        int matchRoutes = 0;
        QStringList notes; // other managers of the routes, and the like
        QString tooltip;
        bool unrouted = false;
        bool operator==(const Row &other) const = default;
    };
    static Row rowFor(const Release &release);

private:
    void rebuild();
    void reindex();

    QPointer<ReleaseSession> m_session;
    QList<Row> m_rows;
    QHash<QString, int> m_index;
};

} // namespace canary::core
