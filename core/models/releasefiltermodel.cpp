#include "core/models/releasefiltermodel.h"

#include "core/models/releaselistmodel.h"

namespace canary::core {

bool naturalLess(const QString &a, const QString &b)
{
    qsizetype i = 0;
    qsizetype j = 0;
    while (i < a.size() && j < b.size()) {
        if (a.at(i).isDigit() && b.at(j).isDigit()) {
            qsizetype ei = i;
            qsizetype ej = j;
            while (ei < a.size() && a.at(ei).isDigit())
                ++ei;
            while (ej < b.size() && b.at(ej).isDigit())
                ++ej;
            // Compare the runs as numbers of any length: strip leading zeros, then by length, then by digits.
            qsizetype si = i;
            qsizetype sj = j;
            while (si + 1 < ei && a.at(si) == QLatin1Char('0'))
                ++si;
            while (sj + 1 < ej && b.at(sj) == QLatin1Char('0'))
                ++sj;
            if (ei - si != ej - sj)
                return ei - si < ej - sj;
            const int c = QStringView(a).mid(si, ei - si).compare(QStringView(b).mid(sj, ej - sj));
            if (c != 0)
                return c < 0;
            if (ei - i != ej - j) // "01" after "1"
                return ei - i < ej - j;
            i = ei;
            j = ej;
            continue;
        }
        const QChar ca = a.at(i).toCaseFolded();
        const QChar cb = b.at(j).toCaseFolded();
        if (ca != cb)
            return ca < cb;
        ++i;
        ++j;
    }
    if (a.size() - i != b.size() - j)
        return a.size() - i < b.size() - j;
    return a < b; // only case differs: a stable, total order
}

ReleaseFilterModel::ReleaseFilterModel(QObject *parent)
    : QSortFilterProxyModel(parent)
{
    setSortRole(ReleaseListModel::SortRole);
    setDynamicSortFilter(true);
}

void ReleaseFilterModel::setFilterText(const QString &text)
{
    if (text == m_filter)
        return;
    m_filter = text;
    invalidateFilter();
}

void ReleaseFilterModel::setPinned(const QString &releaseName)
{
    if (releaseName == m_pinned)
        return;
    m_pinned = releaseName;
    if (!m_filter.trimmed().isEmpty())
        invalidateFilter();
}

bool ReleaseFilterModel::lessThan(const QModelIndex &left, const QModelIndex &right) const
{
    const bool leftUnrouted = left.data(ReleaseListModel::UnroutedRole).toBool();
    const bool rightUnrouted = right.data(ReleaseListModel::UnroutedRole).toBool();
    if (leftUnrouted != rightUnrouted)
        return sortOrder() == Qt::AscendingOrder ? rightUnrouted : leftUnrouted;
    const QVariant l = left.data(sortRole());
    const QVariant r = right.data(sortRole());
    if (l.typeId() == QMetaType::Int && r.typeId() == QMetaType::Int)
        return l.toInt() < r.toInt();
    const QString ls = l.toString();
    const QString rs = r.toString();
    if (ls == rs) // ties by name, so the order never depends on the order rows arrived in
        return naturalLess(left.siblingAtColumn(ReleaseListModel::NameColumn).data().toString(),
                           right.siblingAtColumn(ReleaseListModel::NameColumn).data().toString());
    return naturalLess(ls, rs);
}

bool ReleaseFilterModel::filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const
{
    if (m_filter.trimmed().isEmpty())
        return true;
    const QAbstractItemModel *model = sourceModel();
    if (!m_pinned.isEmpty()
        && model->index(sourceRow, 0, sourceParent).data(ReleaseListModel::ReleaseNameRole).toString() == m_pinned)
        return true;
    // Every word must appear in the name, the versions or the tooltip (which names the VirtualService).
    const QStringList words = m_filter.split(QLatin1Char(' '), Qt::SkipEmptyParts);
    const QString haystack = model->index(sourceRow, ReleaseListModel::NameColumn, sourceParent).data().toString()
            + QLatin1Char(' ')
            + model->index(sourceRow, ReleaseListModel::VersionsColumn, sourceParent).data().toString()
            + QLatin1Char(' ')
            + model->index(sourceRow, ReleaseListModel::NameColumn, sourceParent).data(Qt::ToolTipRole).toString();
    for (const QString &word : words) {
        if (!haystack.contains(word, Qt::CaseInsensitive))
            return false;
    }
    return true;
}

} // namespace canary::core
