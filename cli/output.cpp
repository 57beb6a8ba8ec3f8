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
