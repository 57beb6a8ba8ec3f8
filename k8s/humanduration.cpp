#include "k8s/humanduration.h"

#include <QDateTime>

namespace canary::k8s {

QString humanDuration(qint64 seconds)
{
    const qint64 s = qMax<qint64>(0, seconds);
    if (s < 120)
        return QStringLiteral("%1s").arg(s);
    const qint64 m = s / 60;
    if (m < 10)
        return s % 60 == 0 ? QStringLiteral("%1m").arg(m) : QStringLiteral("%1m%2s").arg(m).arg(s % 60);
    if (m < 180)
        return QStringLiteral("%1m").arg(m);
    const qint64 h = s / 3600;
    if (h < 8)
        return m % 60 == 0 ? QStringLiteral("%1h").arg(h) : QStringLiteral("%1h%2m").arg(h).arg(m % 60);
    if (h < 48)
        return QStringLiteral("%1h").arg(h);
    if (h < 192)
        return h % 24 == 0 ? QStringLiteral("%1d").arg(h / 24) : QStringLiteral("%1d%2h").arg(h / 24).arg(h % 24);
    if (h < 24 * 365 * 2)
        return QStringLiteral("%1d").arg(h / 24);
    if (h < 24 * 365 * 8)
        return QStringLiteral("%1y%2d").arg(h / 24 / 365).arg((h / 24) % 365);
    return QStringLiteral("%1y").arg(h / 24 / 365);
}

QString humanAge(const QJsonObject &object)
{
    const QDateTime created = QDateTime::fromString(
            object.value(QLatin1String("metadata")).toObject().value(QLatin1String("creationTimestamp")).toString(),
            Qt::ISODate);
    if (!created.isValid())
        return QStringLiteral("<unknown>");
    return humanDuration(created.secsTo(QDateTime::currentDateTimeUtc()));
}

} // namespace canary::k8s
