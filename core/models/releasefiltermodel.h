#pragma once

#include <QSortFilterProxyModel>

namespace canary::core {

// "bulk-2" before "bulk-10": digits compare as numbers, the rest case-insensitively.
bool naturalLess(const QString &a, const QString &b);

// The release list as people sort it (natural order, releases before unrouted Services), filtered
// by what the user types: a part of the name, of a version, or of a host.
class ReleaseFilterModel final : public QSortFilterProxyModel {
    Q_OBJECT
public:
    explicit ReleaseFilterModel(QObject *parent = nullptr);
    void setFilterText(const QString &text);
    QString filterText() const { return m_filter; }
    // The selected release stays listed whatever the filter, so filtering never changes the selection.
    void setPinned(const QString &releaseName);

protected:
    bool lessThan(const QModelIndex &left, const QModelIndex &right) const override;
    bool filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const override;

private:
    QString m_filter;
    QString m_pinned;
};

} // namespace canary::core
