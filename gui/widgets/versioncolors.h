#pragma once

#include "core/telemetry/releasehealth.h"

#include <QColor>
#include <QJsonObject>
#include <QString>

namespace canary::gui {

// A version's colour on the sliders and the chart: the colour it is named after when it has one
// (the Color app's blue and green), else a fixed palette that reads well on a projector.
QColor versionColor(const QString &name, const QJsonObject &labels, int index);
// A verdict badge's background, dark enough for white words on a washed-out projector.
QColor verdictColor(core::Verdict verdict);

} // namespace canary::gui
