#include "core/models/routelistmodel.h"

#include "core/edit/editsession.h"
#include "core/model/istio.h"
#include "core/model/release.h"

namespace canary::core {

RouteListModel::RouteListModel(Scope scope, QObject *parent)
    : QAbstractTableModel(parent)
    , m_scope(scope)
{ }

void RouteListModel::setEditSession(EditSession *edits)
{
    if (m_edits)
        disconnect(m_edits, nullptr, this, nullptr);
    m_edits = edits;
    if (m_edits)
        connect(m_edits, &EditSession::changed, this, &RouteListModel::refresh);
    refresh();
}

void RouteListModel::refresh()
{
    const Result<Release> cur = m_edits ? m_edits->current() : Result<Release>(makeError(QString()));
    setRelease(cur ? &*cur : nullptr);
}

void RouteListModel::setRelease(const Release *release)
{
    QList<Row> rows;
    if (release) {
        for (const ReleaseRoute &route : release->routes) {
            const bool isDefault = route.index == release->defaultRoute;
            if (m_scope == Scope::MatchRoutes && isDefault)
                continue;
            Row row;
            row.index = route.index;
            row.isDefault = isDefault;
            row.name = route.name;
            row.match = route.match;
            row.when = route.match.isEmpty() ? tr("every other request") : summarizeMatch(route.match);
            QStringList to;
            const bool single = route.weights.count(-1) == release->versions.size() - 1;
            for (int i = 0; i < release->versions.size(); ++i) {
                if (route.weights.value(i, -1) > 0)
                    to.append(single ? release->versions.at(i).name
                                     : QStringLiteral("%1 %2%")
                                               .arg(release->versions.at(i).name)
                                               .arg(route.weights.at(i)));
            }
            row.goesTo = to.join(QLatin1String(", "));
            rows.append(row);
        }
    }
    if (rows == m_rows)
        return;
    if (rows.size() == m_rows.size()) {
        // The same routes with new weights or conditions: the view keeps its selection.
        m_rows = rows;
        if (!m_rows.isEmpty())
            Q_EMIT dataChanged(index(0, 0), index(int(m_rows.size()) - 1, ColumnCount - 1));
        return;
    }
    beginResetModel();
    m_rows = rows;
    endResetModel();
}

int RouteListModel::rowOfRoute(int routeIndex) const
{
    for (int i = 0; i < m_rows.size(); ++i) {
        if (m_rows.at(i).index == routeIndex)
            return i;
    }
    return -1;
}

int RouteListModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

int RouteListModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant RouteListModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const Row &row = m_rows.at(index.row());
    switch (role) {
    case Qt::DisplayRole:
        switch (index.column()) {
        case IndexColumn: return QString::number(row.index);
        case WhenColumn: return row.when;
        case GoesToColumn: return row.goesTo;
        case LabelColumn: {
            const QString label = row.match.isEmpty() ? tr("#%1 default route (every other request)").arg(row.index)
                                                      : tr("#%1 when %2").arg(row.index).arg(row.when);
            return row.name.isEmpty() ? label : label + QStringLiteral(" — ") + row.name;
        }
        }
        return {};
    case Qt::ToolTipRole: return row.name.isEmpty() ? row.when : tr("%1 (route \"%2\")").arg(row.when, row.name);
    case RouteIndexRole: return row.index;
    case IsDefaultRole: return row.isDefault;
    }
    return {};
}

QVariant RouteListModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case IndexColumn: return tr("#");
    case WhenColumn: return tr("When");
    case GoesToColumn: return tr("Goes to");
    case LabelColumn: return tr("Route");
    }
    return {};
}

} // namespace canary::core
