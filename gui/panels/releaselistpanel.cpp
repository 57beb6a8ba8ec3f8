#include "gui/panels/releaselistpanel.h"

#include "core/models/releasefiltermodel.h"
#include "core/models/releaselistmodel.h"

#include <QHeaderView>
#include <QLineEdit>
#include <QScrollBar>
#include <QStyledItemDelegate>
#include <QTreeView>
#include <QVBoxLayout>

namespace canary::gui {

namespace {

using core::ReleaseListModel;

// Services without a VirtualService are listed, greyed: there is nothing to split yet.
class UnroutedDelegate final : public QStyledItemDelegate {
public:
    using QStyledItemDelegate::QStyledItemDelegate;

protected:
    void initStyleOption(QStyleOptionViewItem *option, const QModelIndex &index) const override
    {
        QStyledItemDelegate::initStyleOption(option, index);
        if (index.data(ReleaseListModel::UnroutedRole).toBool())
            option->palette.setBrush(QPalette::Text, option->palette.brush(QPalette::Disabled, QPalette::Text));
    }
};

} // namespace

ReleaseListPanel::ReleaseListPanel(QWidget *parent)
    : QWidget(parent)
    , m_filter(new QLineEdit(this))
    , m_view(new QTreeView(this))
    , m_model(new core::ReleaseListModel(this))
    , m_proxy(new core::ReleaseFilterModel(this))
{
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(4);
    m_filter->setObjectName(QStringLiteral("releaseFilter"));
    m_filter->setPlaceholderText(tr("Filter services (Ctrl+F)"));
    m_filter->setClearButtonEnabled(true);
    connect(m_filter, &QLineEdit::textChanged, m_proxy, &core::ReleaseFilterModel::setFilterText);
    m_proxy->setSourceModel(m_model);
    m_view->setObjectName(QStringLiteral("releaseList"));
    m_view->setModel(m_proxy);
    m_view->setItemDelegate(new UnroutedDelegate(m_view));
    m_view->setRootIsDecorated(false);
    m_view->setAlternatingRowColors(true);
    m_view->setUniformRowHeights(true); // 10,000 services: rows are not measured one by one
    m_view->setSortingEnabled(true);
    m_view->sortByColumn(ReleaseListModel::NameColumn, Qt::AscendingOrder);
    m_view->setSelectionMode(QAbstractItemView::SingleSelection);
    m_view->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    m_view->setTextElideMode(Qt::ElideRight);
    QHeaderView *header = m_view->header();
    header->setStretchLastSection(false);
    header->setSectionResizeMode(QHeaderView::Interactive);
    header->setSectionResizeMode(ReleaseListModel::VersionsColumn, QHeaderView::Stretch);
    header->setMinimumSectionSize(24);
    layout->addWidget(m_filter);
    layout->addWidget(m_view, 1);
    connect(m_view->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
            [this](const QModelIndex &current) {
                if (current.isValid())
                    Q_EMIT releaseActivated(current.data(ReleaseListModel::ReleaseNameRole).toString());
            });
    connect(m_model, &QAbstractItemModel::rowsInserted, this, &ReleaseListPanel::fitColumns);
    connect(m_model, &QAbstractItemModel::modelReset, this, [this] { m_fitted = false; });
    // The warnings column only when there is a warning to show.
    const auto showNotes = [this] {
        bool any = false;
        for (int row = 0; row < m_model->rowCount() && !any; ++row)
            any = !m_model->index(row, ReleaseListModel::NotesColumn).data().toString().isEmpty();
        m_view->setColumnHidden(ReleaseListModel::NotesColumn, !any);
    };
    connect(m_model, &QAbstractItemModel::rowsInserted, this, showNotes);
    connect(m_model, &QAbstractItemModel::rowsRemoved, this, showNotes);
    connect(m_model, &QAbstractItemModel::modelReset, this, showNotes);
    connect(m_model, &QAbstractItemModel::dataChanged, this, showNotes);
    setMinimumWidth(180);
}

void ReleaseListPanel::setSession(core::ReleaseSession *session)
{
    m_fitted = false;
    m_model->setSession(session);
    fitColumns();
}

void ReleaseListPanel::fitColumns()
{
    if (m_fitted || m_model->rowCount() == 0)
        return;
    m_fitted = true;
    // Measured on the first rows only: measuring 10,000 rows would freeze the window.
    const QFontMetrics fm = m_view->fontMetrics();
    const int pad = 2 * m_view->style()->pixelMetric(QStyle::PM_FocusFrameHMargin, nullptr, m_view) + 12;
    const auto widest = [&](int column, int cap) {
        // The name column is the one sorted on, with the arrow beside its title.
        int w = fm.horizontalAdvance(m_model->headerData(column, Qt::Horizontal).toString())
                + (column == ReleaseListModel::NameColumn ? 24 : pad);
        for (int row = 0; row < qMin(m_model->rowCount(), 200); ++row)
            w = qMax(w, fm.horizontalAdvance(m_model->index(row, column).data().toString()) + pad);
        return qMin(w, cap);
    };
    m_view->setColumnWidth(ReleaseListModel::NameColumn, widest(ReleaseListModel::NameColumn, 170));
    m_view->setColumnWidth(ReleaseListModel::RoutingColumn, widest(ReleaseListModel::RoutingColumn, 90));
    m_view->setColumnWidth(ReleaseListModel::MatchRoutesColumn, widest(ReleaseListModel::MatchRoutesColumn, 60));
    m_view->setColumnWidth(ReleaseListModel::NotesColumn, widest(ReleaseListModel::NotesColumn, 30));
    // The versions column stretches into what is left: wide enough for its text, the panel is.
    int width = widest(ReleaseListModel::VersionsColumn, 240);
    for (const int column : { ReleaseListModel::NameColumn, ReleaseListModel::RoutingColumn,
                              ReleaseListModel::MatchRoutesColumn, ReleaseListModel::NotesColumn }) {
        if (!m_view->isColumnHidden(column))
            width += m_view->columnWidth(column);
    }
    width += 2 * m_view->frameWidth() + m_view->verticalScrollBar()->sizeHint().width();
    if (width != m_preferredWidth) {
        m_preferredWidth = width;
        Q_EMIT preferredWidthChanged();
    }
}

void ReleaseListPanel::setCurrentRelease(const QString &key)
{
    m_proxy->setPinned(key);
    const int row = m_model->rowOf(key);
    const QModelIndex index = row < 0 ? QModelIndex() : m_proxy->mapFromSource(m_model->index(row, 0));
    if (index == m_view->currentIndex())
        return;
    const QSignalBlocker block(m_view->selectionModel());
    if (index.isValid())
        m_view->selectionModel()->setCurrentIndex(index,
                                                  QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
    else
        m_view->selectionModel()->clear();
    m_view->viewport()->update();
}

QString ReleaseListPanel::currentRelease() const
{
    return m_view->currentIndex().data(core::ReleaseListModel::ReleaseNameRole).toString();
}

} // namespace canary::gui
