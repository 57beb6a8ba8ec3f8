#pragma once

class QScrollArea;
class QSplitter;
class QTabBar;
class QWidget;

namespace canary::gui {

// The widths of the window's three columns: the service list, the editor, and the side column of
// traffic and previews.
struct ColumnNeeds {
    int listMinimum = 180;
    int listPreferred = 0; // what the list's columns need, 0 when not known yet
    int editorMinimum = 0; // the editor's content with its scroll bar
    int sideMinimum = 340; // the previews' tab bar, a readable chart
};
ColumnNeeds columnNeeds(const QWidget *list, int listPreferred, const QScrollArea *editor, const QTabBar *tabs);

// The editor gets the width it needs, the list what its columns need as long as the side column
// keeps its minimum (and at most a third); what the side column has beyond a comfortable width goes
// to the editor's sliders first. In presentation the list is hidden and the editor and the charts
// share the width.
void arrangeColumns(QSplitter *split, const ColumnNeeds &needs, bool presentation);

// The window within the screen's available geometry, whatever its size and scale, centred.
void fitToScreen(QWidget *window);

} // namespace canary::gui
