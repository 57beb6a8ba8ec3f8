#include "core/models/historymodel.h"

#include "core/edit/editsession.h"
#include "core/model/istio.h"
#include "core/session/releasesession.h"

namespace canary::core {

HistoryModel::HistoryModel(QObject *parent)
    : QAbstractTableModel(parent)
{ }

void HistoryModel::setEditSession(EditSession *edits)
{
    if (m_edits)
        disconnect(m_edits, nullptr, this, nullptr);
    m_edits = edits;
    if (m_edits) {
        connect(m_edits, &EditSession::changed, this, [this] { refresh(false); });
        connect(m_edits, &EditSession::applyFinished, this, [this] { refresh(true); });
    }
    refresh(true);
}

void HistoryModel::setShowAllClusters(bool all)
{
    if (all == m_all)
        return;
    m_all = all;
    refresh(true);
}

void HistoryModel::refresh(bool force)
{
    const Release *live = m_edits ? m_edits->live() : nullptr;
    ReleaseSession *session = m_edits ? m_edits->session() : nullptr;
    // The journal is files on disk: read again when the live objects changed, not on every edit of a draft.
    const QString key = live
            ? live->name + QLatin1Char('@') + resourceVersion(live->vs) + QLatin1Char('/') + resourceVersion(live->dr)
            : QString();
    if (!force && key == m_key)
        return;
    m_key = key;
    if (!live || !session) {
        setEntries({}, {}, {});
        return;
    }
    const QString server = session->endpoint().server.toString();
    const QString context = session->endpoint().contextName;
    const QList<JournalEntry> entries
            = session->journal().entries(m_all ? QString() : server, live->ns, live->virtualService);
    setEntries(entries, server, context);
}

void HistoryModel::setEntries(const QList<JournalEntry> &entries, const QString &server, const QString &context)
{
    beginResetModel();
    m_server = server;
    m_context = context;
    m_entries.clear();
    m_rolledBack.clear();
    for (auto it = entries.crbegin(); it != entries.crend(); ++it) {
        if (!m_all && !context.isEmpty() && !it->context.isEmpty() && it->context != context)
            continue;
        m_entries.append(*it);
        if (!it->rollbackOf.isEmpty())
            m_rolledBack.append(it->rollbackOf);
    }
    endResetModel();
}

int HistoryModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_entries.size());
}

int HistoryModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant HistoryModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const JournalEntry &e = m_entries.at(index.row());
    const bool here = e.server == m_server && (e.context.isEmpty() || m_context.isEmpty() || e.context == m_context);
    const QString state = !e.rollbackOf.isEmpty() ? tr("rollback")
            : m_rolledBack.contains(e.id)         ? tr("rolled back")
                                                  : tr("applied");
    switch (role) {
    case Qt::DisplayRole:
        switch (index.column()) {
        case TimeColumn: return e.time.toLocalTime().toString(QStringLiteral("yyyy-MM-dd HH:mm:ss"));
        case ChangeColumn: return e.summary;
        case StateColumn: return state;
        case ClusterColumn: return here ? tr("this cluster") : QStringLiteral("%1 (%2)").arg(e.context, e.server);
        }
        return {};
    case Qt::ToolTipRole: return e.plan.describe().join(QLatin1Char('\n'));
    case EntryIdRole: return e.id;
    case TimeRole: return e.time;
    case CanRollBackRole: return here && e.rollbackOf.isEmpty() && !m_rolledBack.contains(e.id);
    }
    return {};
}

QVariant HistoryModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case TimeColumn: return tr("When");
    case ChangeColumn: return tr("Change");
    case StateColumn: return tr("State");
    case ClusterColumn: return tr("Cluster");
    }
    return {};
}

} // namespace canary::core
