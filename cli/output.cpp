#include "cli/output.h"

#include "k8s/yaml.h"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>

namespace canary::cli {

int Console::fail(const QString &message) const
{
    err << "error: " << message << '\n';
    return 1;
}

int Console::usageError(const QString &message, const QString &command) const
{
    err << "error: " << message << '\n'
        << "See 'kubectl canary" << (command.isEmpty() ? QString() : QLatin1Char(' ') + command)
        << " --help' for usage.\n";
    return 1;
}

void Console::warnAll(const QStringList &warnings) const
{
    for (const QString &w : warnings)
        err << "Warning: " << w << '\n';
}

QString humanAge(const QJsonObject &object)
{
    const QDateTime created = QDateTime::fromString(
            object.value(QLatin1String("metadata")).toObject().value(QLatin1String("creationTimestamp")).toString(),
            Qt::ISODate);
    if (!created.isValid())
        return QStringLiteral("<unknown>");
    const qint64 s = qMax<qint64>(0, created.secsTo(QDateTime::currentDateTimeUtc()));
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

void printTable(QTextStream &out, const QList<QStringList> &rows)
{
    QList<int> widths;
    for (const QStringList &row : rows) {
        for (int i = 0; i < row.size(); ++i) {
            if (widths.size() <= i)
                widths.append(0);
            widths[i] = qMax(widths[i], int(row.at(i).size()));
        }
    }
    for (const QStringList &row : rows) {
        QString line;
        for (int i = 0; i < row.size(); ++i)
            line += i + 1 < row.size() ? row.at(i).leftJustified(widths.at(i) + 3) : row.at(i);
        out << line << '\n';
    }
}

QByteArray jsonText(const QJsonObject &object)
{
    return QJsonDocument(object).toJson(QJsonDocument::Indented);
}

QString resourceName(const QString &kind, const QString &name)
{
    return kind.toLower() + QStringLiteral(".networking.istio.io/") + name;
}

int printObjects(const Console &console, const QString &format, const QList<QJsonObject> &objects)
{
    if (format == QLatin1String("json")) {
        if (objects.size() == 1) {
            console.out << jsonText(objects.constFirst());
        } else {
            QJsonArray items;
            for (const QJsonObject &o : objects)
                items.append(o);
            console.out << jsonText(QJsonObject { { QStringLiteral("apiVersion"), QStringLiteral("v1") },
                                                  { QStringLiteral("kind"), QStringLiteral("List") },
                                                  { QStringLiteral("items"), items } });
        }
        return 0;
    }
    if (format == QLatin1String("yaml") || format.isEmpty()) {
        console.out << k8s::renderYamlStream(objects);
        return 0;
    }
    console.err << "error: unable to match a printer suitable for the output format \"" << format
                << "\", allowed formats are: json,yaml\n";
    return 1;
}

} // namespace canary::cli
