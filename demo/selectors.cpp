#include "demo/selectors.h"

#include <QJsonArray>
#include <QList>
#include <QStringList>

#include <algorithm>

namespace canary::demo {

bool labelSelectorMatches(const QString &selector, const QJsonObject &labels)
{
    for (const QString &raw : selector.split(QLatin1Char(','), Qt::SkipEmptyParts)) {
        const QString term = raw.trimmed();
        if (term.contains(QLatin1String("!="))) {
            if (labels.value(term.section(QLatin1String("!="), 0, 0).trimmed()).toString()
                == term.section(QLatin1String("!="), 1).trimmed())
                return false;
        } else if (term.contains(QLatin1Char('='))) {
            const QString key = term.section(QLatin1Char('='), 0, 0).trimmed();
            const QString value = term.section(QLatin1Char('='), 1).remove(QLatin1Char('=')).trimmed();
            if (!labels.contains(key) || labels.value(key).toString() != value)
                return false;
        } else if (term.startsWith(QLatin1Char('!'))) {
            if (labels.contains(term.mid(1)))
                return false;
        } else if (!labels.contains(term)) {
            return false;
        }
    }
    return true;
}

bool fieldSelectorMatches(const QString &selector, const QJsonObject &object)
{
    const QJsonObject meta = object.value(QLatin1String("metadata")).toObject();
    for (const QString &raw : selector.split(QLatin1Char(','), Qt::SkipEmptyParts)) {
        const bool negate = raw.contains(QLatin1String("!="));
        const QString key = raw.section(negate ? QStringLiteral("!=") : QStringLiteral("="), 0, 0).trimmed();
        const QString value = raw.section(negate ? QStringLiteral("!=") : QStringLiteral("="), 1)
                                      .remove(QLatin1Char('='))
                                      .trimmed();
        QString actual;
        if (key == QLatin1String("metadata.name"))
            actual = meta.value(QLatin1String("name")).toString();
        else if (key == QLatin1String("metadata.namespace"))
            actual = meta.value(QLatin1String("namespace")).toString();
        else
            continue;
        if ((actual == value) == negate)
            return false;
    }
    return true;
}

bool selectorsMatch(const QString &labelSelector, const QString &fieldSelector, const QJsonObject &object)
{
    return labelSelectorMatches(
                   labelSelector,
                   object.value(QLatin1String("metadata")).toObject().value(QLatin1String("labels")).toObject())
            && fieldSelectorMatches(fieldSelector, object);
}

QString formatLabelSelector(const QJsonObject &selector)
{
    QList<std::pair<QString, QString>> terms;
    const QJsonObject labels = selector.value(QLatin1String("matchLabels")).toObject();
    for (auto it = labels.begin(); it != labels.end(); ++it)
        terms.append({ it.key(), it.key() + QLatin1Char('=') + it.value().toString() });
    for (const QJsonValue &e : selector.value(QLatin1String("matchExpressions")).toArray()) {
        const QString key = e.toObject().value(QLatin1String("key")).toString();
        const QString op = e.toObject().value(QLatin1String("operator")).toString();
        QStringList values;
        for (const QJsonValue &v : e.toObject().value(QLatin1String("values")).toArray())
            values.append(v.toString());
        values.sort();
        const QString list = QStringLiteral(" (") + values.join(QLatin1Char(',')) + QLatin1Char(')');
        terms.append({ key,
                       op == QLatin1String("In")               ? key + QStringLiteral(" in") + list
                               : op == QLatin1String("NotIn")  ? key + QStringLiteral(" notin") + list
                               : op == QLatin1String("Exists") ? key
                                                               : QLatin1Char('!') + key });
    }
    std::stable_sort(terms.begin(), terms.end(), [](const auto &a, const auto &b) { return a.first < b.first; });
    QStringList out;
    for (const auto &t : std::as_const(terms))
        out.append(t.second);
    return out.join(QLatin1Char(','));
}

} // namespace canary::demo
