#include "gui/widgets/versioncolors.h"

#include <QStringList>

namespace canary::gui {

QColor versionColor(const QString &name, const QJsonObject &labels, int index)
{
    static const struct {
        const char *word;
        const char *hex;
    } named[] = { { "blue", "#2f6fde" },   { "green", "#1f9d55" },  { "red", "#d64545" },
                  { "yellow", "#d4a418" }, { "orange", "#e8730c" }, { "purple", "#8a4fd8" } };
    const QString hint = (labels.value(QLatin1String("color")).toString() + QLatin1Char(' ') + name).toLower();
    for (const auto &n : named) {
        if (hint.contains(QLatin1String(n.word)))
            return QColor(QLatin1String(n.hex));
    }
    static const char *const palette[]
            = { "#2f6fde", "#e8730c", "#1f9d55", "#8a4fd8", "#d64545", "#0f9bb0", "#b5487f", "#6b7d1f" };
    return QColor(QLatin1String(palette[index % int(std::size(palette))]));
}

} // namespace canary::gui
