#pragma once

#include <QColor>
#include <QTextEdit>

class QPlainTextEdit;

namespace canary::gui {

inline const QColor kAddedLine(QStringLiteral("#d9f2e1"));
inline const QColor kRemovedLine(QStringLiteral("#fbe0e0"));

// A read-only view of YAML or a diff, in the fixed-width font.
QPlainTextEdit *makeCodeView(QWidget *parent, const QString &objectName);
// A full-width background on one line of a code view.
QTextEdit::ExtraSelection lineMark(QPlainTextEdit *view, int line, const QColor &color);

} // namespace canary::gui
