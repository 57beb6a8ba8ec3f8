#include "gui/windowlayout.h"

#include <QGuiApplication>
#include <QScreen>
#include <QScrollArea>
#include <QScrollBar>
#include <QSplitter>
#include <QTabBar>

namespace canary::gui {

ColumnNeeds columnNeeds(const QWidget *list, int listPreferred, const QScrollArea *editor, const QTabBar *tabs)
{
    ColumnNeeds needs;
    needs.listMinimum = list->minimumWidth();
    needs.listPreferred = listPreferred;
    needs.editorMinimum
            = editor->widget()->minimumSizeHint().width() + editor->verticalScrollBar()->sizeHint().width() + 2;
    needs.sideMinimum = qMax(340, tabs->sizeHint().width() + 12);
    return needs;
}

void arrangeColumns(QSplitter *split, const ColumnNeeds &needs, bool presentation)
{
    const int total = split->width() - 2 * split->handleWidth();
    if (presentation) {
        const int editor = qMax(needs.editorMinimum, total / 2);
        split->setSizes({ 0, editor, qMax(0, total - editor) });
        return;
    }
    const int wanted = needs.listPreferred > 0 ? needs.listPreferred : total / 5;
    const int room = qMax(needs.listMinimum, total - needs.editorMinimum - needs.sideMinimum);
    const int list = qBound(needs.listMinimum, qMin(wanted, total / 3), room);
    const int side = qMax(0, total - list - needs.editorMinimum);
    const int extra = qMax(0, side - qMax(needs.sideMinimum, 420));
    const int editorRoom = qMax(0, 720 - needs.editorMinimum);
    const int toEditor = qMin(extra, editorRoom) + qMax(0, extra - editorRoom) / 2;
    split->setSizes({ list, needs.editorMinimum + toEditor, side - toEditor });
}

void fitToScreen(QWidget *window)
{
    const QScreen *screen = QGuiApplication::primaryScreen();
    const QRect available = screen ? screen->availableGeometry() : QRect(0, 0, 1280, 720);
    const QSize wanted(qMin(1440, available.width()), qMin(900, available.height()));
    window->resize(wanted.boundedTo(available.size()));
    window->move(available.topLeft()
                 + QPoint((available.width() - window->width()) / 2, (available.height() - window->height()) / 2));
}

} // namespace canary::gui
