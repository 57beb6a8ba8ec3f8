#include "gui/widgets/codeview.h"

#include <QFontDatabase>
#include <QPlainTextEdit>
#include <QTextBlock>

namespace canary::gui {

QPlainTextEdit *makeCodeView(QWidget *parent, const QString &objectName)
{
    auto *view = new QPlainTextEdit(parent);
    view->setObjectName(objectName);
    view->setReadOnly(true);
    view->setLineWrapMode(QPlainTextEdit::NoWrap);
    view->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    return view;
}

QTextEdit::ExtraSelection lineMark(QPlainTextEdit *view, int line, const QColor &color)
{
    QTextEdit::ExtraSelection mark;
    mark.format.setBackground(color);
    mark.format.setProperty(QTextFormat::FullWidthSelection, true);
    mark.cursor = QTextCursor(view->document()->findBlockByNumber(line));
    return mark;
}

} // namespace canary::gui
