#include "gui/widgets/dialogs.h"

#include <QFontDatabase>
#include <QLabel>
#include <QMessageBox>

namespace canary::gui {

bool confirm(QWidget *parent, const QString &title, const QString &text, const QString &details, Details kind,
             DefaultAnswer answer)
{
    QMessageBox box(QMessageBox::Question, title, text, QMessageBox::Yes | QMessageBox::Cancel, parent);
    box.setObjectName(QStringLiteral("confirmDialog"));
    box.setDefaultButton(answer == DefaultAnswer::Yes ? QMessageBox::Yes : QMessageBox::Cancel);
    if (!details.isEmpty()) {
        box.setInformativeText(details);
        box.setTextFormat(Qt::PlainText);
        if (kind == Details::Code) {
            // QMessageBox names its informative label; there is no API for its font.
            if (auto *label = box.findChild<QLabel *>(QStringLiteral("qt_msgbox_informativelabel"))) {
                label->setTextFormat(Qt::PlainText);
                label->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
            }
        }
    }
    return box.exec() == QMessageBox::Yes;
}

} // namespace canary::gui
