#pragma once

#include <QString>

class QWidget;

namespace canary::gui {

enum class Details { Text, Code };
enum class DefaultAnswer { Cancel, Yes };

// Asks Yes or Cancel (Cancel is the default, unless Enter is to accept: presentation mode's keys).
// Code details (a diff, field paths) are set in the fixed-width font so their columns line up.
bool confirm(QWidget *parent, const QString &title, const QString &text, const QString &details = {},
             Details kind = Details::Text, DefaultAnswer answer = DefaultAnswer::Cancel);

} // namespace canary::gui
