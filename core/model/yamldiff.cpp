#include "core/model/yamldiff.h"

#include "k8s/yaml.h"

#include <dtl/dtl.hpp>

#include <string>
#include <vector>

namespace canary::core {

namespace {

// Text split on newlines ends in an empty element when the text ends in a newline; it is not a line.
QStringList withoutFinalEmpty(QStringList lines)
{
    if (!lines.isEmpty() && lines.constLast().isEmpty())
        lines.removeLast();
    return lines;
}

} // namespace

QList<DiffLine> diffLines(const QStringList &beforeLines, const QStringList &afterLines)
{
    const QStringList before = withoutFinalEmpty(beforeLines);
    const QStringList after = withoutFinalEmpty(afterLines);
    std::vector<std::string> a;
    std::vector<std::string> b;
    a.reserve(before.size());
    b.reserve(after.size());
    for (const QString &s : before)
        a.push_back(s.toStdString());
    for (const QString &s : after)
        b.push_back(s.toStdString());
    dtl::Diff<std::string> diff(a, b);
    diff.compose();
    QList<DiffLine> out;
    for (const auto &[line, info] : diff.getSes().getSequence()) {
        DiffLine d;
        d.text = QString::fromStdString(line);
        d.kind = info.type == dtl::SES_ADD     ? DiffLine::Kind::Added
                : info.type == dtl::SES_DELETE ? DiffLine::Kind::Removed
                                               : DiffLine::Kind::Same;
        out.append(d);
    }
    return out;
}

QString unifiedDiff(const QString &beforeName, const QString &afterName, const QStringList &before,
                    const QStringList &after)
{
    const QList<DiffLine> lines = diffLines(before, after);
    bool changed = false;
    for (const DiffLine &l : lines)
        changed = changed || l.kind != DiffLine::Kind::Same;
    if (!changed)
        return {};
    // Hunks with three lines of context, numbered as diff -u numbers them.
    QString out = QStringLiteral("--- %1\n+++ %2\n").arg(beforeName, afterName);
    const int n = int(lines.size());
    QList<int> oldNo(n), newNo(n);
    for (int i = 0, o = 0, w = 0; i < n; ++i) {
        if (lines[i].kind != DiffLine::Kind::Added)
            ++o;
        if (lines[i].kind != DiffLine::Kind::Removed)
            ++w;
        oldNo[i] = o;
        newNo[i] = w;
    }
    int i = 0;
    while (i < n) {
        if (lines[i].kind == DiffLine::Kind::Same) {
            ++i;
            continue;
        }
        int start = qMax(0, i - 3);
        int end = i;
        int sameRun = 0;
        while (end < n && sameRun <= 6) {
            sameRun = lines[end].kind == DiffLine::Kind::Same ? sameRun + 1 : 0;
            ++end;
        }
        end = qMin(n, end - qMax(0, sameRun - 3));
        int oldCount = 0, newCount = 0;
        for (int k = start; k < end; ++k) {
            oldCount += lines[k].kind != DiffLine::Kind::Added;
            newCount += lines[k].kind != DiffLine::Kind::Removed;
        }
        const int oldStart = oldNo[start] - (lines[start].kind != DiffLine::Kind::Added ? 1 : 0) + (oldCount ? 1 : 0);
        const int newStart = newNo[start] - (lines[start].kind != DiffLine::Kind::Removed ? 1 : 0) + (newCount ? 1 : 0);
        out += QStringLiteral("@@ -%1,%2 +%3,%4 @@\n").arg(oldStart).arg(oldCount).arg(newStart).arg(newCount);
        for (int k = start; k < end; ++k) {
            const QChar mark = lines[k].kind == DiffLine::Kind::Added ? QLatin1Char('+')
                    : lines[k].kind == DiffLine::Kind::Removed        ? QLatin1Char('-')
                                                                      : QLatin1Char(' ');
            out += mark + lines[k].text + QLatin1Char('\n');
        }
        i = end;
    }
    return out;
}

QJsonObject withoutServerFields(QJsonObject object)
{
    QJsonObject meta = object.value(QLatin1String("metadata")).toObject();
    for (const char *field :
         { "managedFields", "uid", "resourceVersion", "generation", "creationTimestamp", "selfLink" })
        meta.remove(QLatin1String(field));
    QJsonObject annotations = meta.value(QLatin1String("annotations")).toObject();
    annotations.remove(QStringLiteral("kubectl.kubernetes.io/last-applied-configuration"));
    if (annotations.isEmpty())
        meta.remove(QStringLiteral("annotations"));
    else
        meta.insert(QStringLiteral("annotations"), annotations);
    object.insert(QStringLiteral("metadata"), meta);
    object.remove(QStringLiteral("status"));
    return object;
}

QString reviewYaml(const QJsonObject &object)
{
    return QString::fromUtf8(k8s::renderYaml(withoutServerFields(object)));
}

QString reviewDiff(const QString &beforeName, const QString &afterName, const QJsonObject &before,
                   const QJsonObject &after)
{
    return unifiedDiff(beforeName, afterName, reviewYaml(before).split(QLatin1Char('\n')),
                       reviewYaml(after).split(QLatin1Char('\n')));
}

} // namespace canary::core
