#pragma once

#include <QJsonObject>
#include <QList>
#include <QString>
#include <QStringList>

namespace canary::core {

struct DiffLine {
    enum class Kind { Same, Added, Removed };
    Kind kind = Kind::Same;
    QString text;
};

// A line diff (shortest edit script), as `diff -u` would pair the lines.
QList<DiffLine> diffLines(const QStringList &before, const QStringList &after);
QString unifiedDiff(const QString &beforeName, const QString &afterName, const QStringList &before,
                    const QStringList &after);

// The object as a person reviews it: server-managed noise removed (managedFields, uid,
// resourceVersion, generation, creationTimestamp, status, kubectl's last-applied annotation).
QJsonObject withoutServerFields(QJsonObject object);
// YAML as the user should see it: withoutServerFields(), rendered as kubectl prints it.
QString reviewYaml(const QJsonObject &object);
// A unified diff of two objects as the user reviews them.
QString reviewDiff(const QString &beforeName, const QString &afterName, const QJsonObject &before,
                   const QJsonObject &after);

} // namespace canary::core
