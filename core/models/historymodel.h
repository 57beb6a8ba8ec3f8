#pragma once

#include "core/apply/journal.h"

#include <QAbstractTableModel>
#include <QPointer>
#include <QStringList>

namespace canary::core {

class EditSession;

// The journal entries of the release being edited, newest first. By default only those of the
// current cluster and context: the journal is shared by every cluster the user ever worked on.
class HistoryModel final : public QAbstractTableModel {
    Q_OBJECT
public:
    enum Column { TimeColumn, ChangeColumn, StateColumn, ClusterColumn, ColumnCount };
    enum Role {
        EntryIdRole = Qt::UserRole + 1,
        CanRollBackRole, // applied, not rolled back yet, and of this cluster
        TimeRole, // when it was applied, a QDateTime
    };

    explicit HistoryModel(QObject *parent = nullptr);
    void setEditSession(EditSession *edits);
    void setShowAllClusters(bool all);
    bool showAllClusters() const { return m_all; }
    // Entries shown, and in the journal for this release on any cluster.
    int entryCount() const { return int(m_entries.size()); }

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

    // Fills the model from journal entries (oldest first, as the journal gives them).
    void setEntries(const QList<JournalEntry> &entries, const QString &server, const QString &context);

private:
    void refresh(bool force);

    QPointer<EditSession> m_edits;
    bool m_all = false;
    QString m_server;
    QString m_context;
    QList<JournalEntry> m_entries; // newest first
    QStringList m_rolledBack;
    QString m_key; // what the entries were read for
};

} // namespace canary::core
