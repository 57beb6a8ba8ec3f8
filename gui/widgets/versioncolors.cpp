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

QColor verdictColor(core::Verdict verdict)
{
    switch (verdict) {
    case core::Verdict::Stable: return QColor(0x1d, 0x4f, 0x91);
    case core::Verdict::Healthy: return QColor(0x1f, 0x7a, 0x3a);
    case core::Verdict::Worse: return QColor(0xb3, 0x26, 0x1e);
    case core::Verdict::NotEnoughTraffic: return QColor(0x5f, 0x5f, 0x5f);
    case core::Verdict::NoTelemetry: break;
    }
    return QColor(0x8a, 0x6d, 0x00);
}

} // namespace canary::gui
