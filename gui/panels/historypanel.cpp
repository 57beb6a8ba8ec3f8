#include "gui/panels/historypanel.h"

#include "core/models/historymodel.h"

#include <QCheckBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QPushButton>
#include <QTreeView>
#include <QVBoxLayout>

namespace canary::gui {

using core::HistoryModel;

HistoryPanel::HistoryPanel(core::EditSession *edits, QWidget *parent)
    : QWidget(parent)
    , m_model(new HistoryModel(this))
    , m_view(new QTreeView(this))
    , m_all(new QCheckBox(tr("All clusters"), this))
    , m_rollback(new QPushButton(tr("Roll back this change…"), this))
{
    setObjectName(QStringLiteral("historyPanel"));
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    m_view->setObjectName(QStringLiteral("historyList"));
    m_view->setModel(m_model);
    m_view->setRootIsDecorated(false);
    m_view->setColumnHidden(HistoryModel::ClusterColumn, true);
    m_view->header()->setSectionResizeMode(HistoryModel::TimeColumn, QHeaderView::ResizeToContents);
    layout->addWidget(m_view, 1);
    auto *row = new QHBoxLayout;
    m_all->setObjectName(QStringLiteral("historyAllClusters"));
    m_all->setToolTip(tr("Also show what was applied to releases of this name on other clusters and contexts"));
    m_rollback->setObjectName(QStringLiteral("rollbackEntryButton"));
    row->addWidget(m_all);
    row->addStretch(1);
    row->addWidget(m_rollback);
    layout->addLayout(row);
    connect(m_all, &QCheckBox::toggled, this, [this](bool all) {
        m_model->setShowAllClusters(all);
        m_view->setColumnHidden(HistoryModel::ClusterColumn, !all);
    });
    connect(m_view->selectionModel(), &QItemSelectionModel::selectionChanged, this, &HistoryPanel::refreshButtons);
    // The journal is read again after every apply: the selected entry stays selected.
    connect(m_model, &QAbstractItemModel::modelAboutToBeReset, this,
            [this] { m_selected = m_view->currentIndex().data(HistoryModel::EntryIdRole).toString(); });
    connect(m_model, &QAbstractItemModel::modelReset, this, [this] {
        for (int row = 0; !m_selected.isEmpty() && row < m_model->rowCount(); ++row) {
            if (m_model->index(row, 0).data(HistoryModel::EntryIdRole).toString() == m_selected)
                m_view->selectionModel()->setCurrentIndex(
                        m_model->index(row, 0), QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
        }
        refreshButtons();
        Q_EMIT countChanged(m_model->entryCount());
    });
    connect(m_rollback, &QPushButton::clicked, this, [this] {
        const QModelIndex current = m_view->currentIndex();
        if (!current.isValid())
            return;
        Q_EMIT rollbackEntryRequested(current.data(HistoryModel::EntryIdRole).toString(),
                                      current.siblingAtColumn(HistoryModel::ChangeColumn).data().toString(),
                                      current.siblingAtColumn(HistoryModel::TimeColumn).data().toString());
    });
    m_model->setEditSession(edits);
}

void HistoryPanel::setWritable(bool writable)
{
    m_writable = writable;
    refreshButtons();
}

void HistoryPanel::refreshButtons()
{
    const QModelIndex current = m_view->currentIndex();
    m_rollback->setEnabled(m_writable && current.isValid() && m_view->selectionModel()->isSelected(current)
                           && current.data(HistoryModel::CanRollBackRole).toBool());
}

} // namespace canary::gui
