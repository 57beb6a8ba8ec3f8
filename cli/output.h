#pragma once

#include <QByteArray>
#include <QJsonObject>
#include <QList>
#include <QString>
#include <QStringList>
#include <QTextStream>

namespace canary::cli {

// Where a command writes, in kubectl's shapes: results on out; errors ("error: ...", exit code 1) and
// warnings on err.
struct Console {
    QTextStream &out;
    QTextStream &err;

    int fail(const QString &message) const;
    // An error in the command line: also points at the command's help.
    int usageError(const QString &message, const QString &command) const;
    void warnAll(const QStringList &warnings) const;
};

// Columns padded as kubectl's tables (three spaces between columns).
void printTable(QTextStream &out, const QList<QStringList> &rows);
QByteArray jsonText(const QJsonObject &object);
// "virtualservice.networking.istio.io/NAME", as kubectl names what it configured.
QString resourceName(const QString &kind, const QString &name);
// -o json (one object, or a List of several) or -o yaml (a stream); another format is an error.
int printObjects(const Console &console, const QString &format, const QList<QJsonObject> &objects);

} // namespace canary::cli
