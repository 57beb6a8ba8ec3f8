#include "core/models/releaselistmodel.h"

#include "core/model/release.h"
#include "core/model/validation.h"
#include "core/session/releasesession.h"

namespace canary::core {

ReleaseListModel::ReleaseListModel(QObject *parent)
    : QAbstractTableModel(parent)
{ }

void ReleaseListModel::setSession(ReleaseSession *session)
{
    if (m_session)
        disconnect(m_session, nullptr, this, nullptr);
    beginResetModel();
    m_session = session;
    m_rows.clear();
    m_index.clear();
    endResetModel();
    if (m_session) {
        connect(m_session, &ReleaseSession::releasesChanged, this, &ReleaseListModel::rebuild);
        rebuild();
    }
}

ReleaseListModel::Row ReleaseListModel::rowFor(const Release &r)
{
    Row row;
    row.key = r.name;
    row.name = r.name;
    QStringList versions;
    for (const ReleaseVersion &v : r.versions)
        versions.append(v.pods >= 0 ? QStringLiteral("%1 (%2)").arg(v.name).arg(v.pods) : v.name);
    row.versions = versions.join(QLatin1String(", "));
    QStringList split;
    if (const ReleaseRoute *route = r.route(r.defaultRoute)) {
        for (int i = 0; i < r.versions.size(); ++i) {
            if (route->weights.value(i, -1) >= 0)
                split.append(QString::number(route->weights.at(i)));
        }
    }
    row.routing = split.join(QLatin1Char('/'));
    for (const ReleaseRoute &route : r.routes)
        row.matchRoutes += route.index != r.defaultRoute ? 1 : 0;
    for (const QString &manager : otherRouteManagers(r.vs))
        row.notes.append(tr("routes also managed by %1").arg(manager));
    row.tooltip = tr("VirtualService %1").arg(r.virtualService);
    return row;
}

void ReleaseListModel::rebuild()
{
    QList<Row> rows;
    if (m_session) {
        for (const Release &r : m_session->releases())
            rows.append(rowFor(r));
        for (const QString &svc : m_session->unroutedServices()) {
            Row row;
            row.key = QStringLiteral("service:") + svc;
            row.name = svc;
            row.routing = QStringLiteral("—");
            row.tooltip = tr("No VirtualService routes to %1: all its pods share its traffic").arg(svc);
            row.unrouted = true;
            rows.append(row);
        }
    }
    QHash<QString, int> wanted;
    for (int i = 0; i < rows.size(); ++i)
        wanted.insert(rows.at(i).key, i);
    // Row by row: a view keeps its selection and scroll position while the watches report changes.
    for (int i = int(m_rows.size()) - 1; i >= 0; --i) {
        if (wanted.contains(m_rows.at(i).key))
            continue;
        int first = i;
        while (first > 0 && !wanted.contains(m_rows.at(first - 1).key))
            --first;
        beginRemoveRows({}, first, i);
        m_rows.remove(first, i - first + 1);
        endRemoveRows();
        i = first;
    }
    reindex();
    QList<Row> added;
    for (const Row &row : std::as_const(rows)) {
        const auto at = m_index.constFind(row.key);
        if (at == m_index.cend()) {
            added.append(row);
        } else if (!(m_rows.at(*at) == row)) {
            m_rows[*at] = row;
            Q_EMIT dataChanged(index(*at, 0), index(*at, ColumnCount - 1));
        }
    }
    if (!added.isEmpty()) {
        beginInsertRows({}, int(m_rows.size()), int(m_rows.size() + added.size() - 1));
        m_rows.append(added);
        endInsertRows();
        reindex();
    }
}

void ReleaseListModel::reindex()
{
    m_index.clear();
    m_index.reserve(m_rows.size());
    for (int i = 0; i < m_rows.size(); ++i)
        m_index.insert(m_rows.at(i).key, i);
}

int ReleaseListModel::rowOf(const QString &releaseName) const
{
    return m_index.value(releaseName, -1);
}

int ReleaseListModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

int ReleaseListModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant ReleaseListModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const Row &row = m_rows.at(index.row());
    switch (role) {
    case Qt::DisplayRole:
        switch (index.column()) {
        case NameColumn: return row.name;
        case VersionsColumn: return row.versions;
        case RoutingColumn: return row.routing;
        case MatchRoutesColumn: return row.unrouted ? QVariant() : QVariant(row.matchRoutes);
        case NotesColumn: return row.notes.isEmpty() ? QString() : QStringLiteral("⚠");
        }
        return {};
    case Qt::ToolTipRole:
        if (index.column() == NotesColumn)
            return row.notes.join(QLatin1Char('\n'));
        if (index.column() == MatchRoutesColumn)
            return tr("%n match route(s) in front of the default route", nullptr, row.matchRoutes);
        return row.tooltip;
    case ReleaseNameRole: return row.key;
    case UnroutedRole: return row.unrouted;
    case SortRole:
        return index.column() == MatchRoutesColumn ? QVariant(row.matchRoutes) : data(index, Qt::DisplayRole);
    case Qt::TextAlignmentRole:
        return index.column() == MatchRoutesColumn || index.column() == NotesColumn ? QVariant(Qt::AlignCenter)
                                                                                    : QVariant();
    }
    return {};
}

QVariant ReleaseListModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal)
        return {};
    if (role == Qt::DisplayRole) {
        switch (section) {
        case NameColumn: return tr("Service");
        case VersionsColumn: return tr("Versions");
        case RoutingColumn: return tr("Split");
        case MatchRoutesColumn: return tr("Match");
        case NotesColumn: return QStringLiteral("!");
        }
    }
    if (role == Qt::ToolTipRole) {
        switch (section) {
        case VersionsColumn: return tr("Versions with their pod counts");
        case RoutingColumn: return tr("Weights of the default route, in the order of the versions");
        case MatchRoutesColumn: return tr("Match routes in front of the default route (dark releases)");
        case NotesColumn: return tr("Warnings: routes also managed by a controller");
        }
    }
    return {};
}

} // namespace canary::core
