#include "demo/admission.h"
#include "core/model/istio.h"

#include "core/model/validation.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QRegularExpression>
#include <QSet>

namespace canary::demo {

namespace {

// A small JSON scanner: enough to see every key of every object with its path.
class DuplicateScanner {
public:
    explicit DuplicateScanner(const QByteArray &text)
        : m_text(text)
    { }
    QStringList run()
    {
        skipSpace();
        value(QString());
        return m_found;
    }

private:
    void skipSpace()
    {
        while (m_pos < m_text.size() && QByteArrayView(" \t\r\n").contains(m_text.at(m_pos)))
            ++m_pos;
    }
    QString string()
    {
        QByteArray raw;
        ++m_pos; // opening quote
        while (m_pos < m_text.size() && m_text.at(m_pos) != '"') {
            if (m_text.at(m_pos) == '\\' && m_pos + 1 < m_text.size())
                raw += m_text.at(m_pos++);
            raw += m_text.at(m_pos++);
        }
        ++m_pos;
        // Decode escapes the way the JSON parser will, so "a" and "\u0061" are the same key.
        const QJsonDocument doc = QJsonDocument::fromJson("[\"" + raw + "\"]");
        return doc.isArray() ? doc.array().at(0).toString() : QString::fromUtf8(raw);
    }
    void value(const QString &path)
    {
        skipSpace();
        if (m_pos >= m_text.size() || ++m_depth > 200)
            return;
        const char c = m_text.at(m_pos);
        if (c == '{') {
            ++m_pos;
            QSet<QString> keys;
            for (;;) {
                skipSpace();
                if (m_pos >= m_text.size() || m_text.at(m_pos) == '}') {
                    ++m_pos;
                    break;
                }
                if (m_text.at(m_pos) == ',') {
                    ++m_pos;
                    continue;
                }
                if (m_text.at(m_pos) != '"')
                    return; // not JSON: the parser reports it
                const QString key = string();
                const QString child = path.isEmpty() ? key : path + QLatin1Char('.') + key;
                if (keys.contains(key) && !m_found.contains(child))
                    m_found.append(child);
                keys.insert(key);
                skipSpace();
                if (m_pos < m_text.size() && m_text.at(m_pos) == ':')
                    ++m_pos;
                value(child);
            }
        } else if (c == '[') {
            ++m_pos;
            for (int index = 0;;) {
                skipSpace();
                if (m_pos >= m_text.size() || m_text.at(m_pos) == ']') {
                    ++m_pos;
                    break;
                }
                if (m_text.at(m_pos) == ',') {
                    ++m_pos;
                    ++index;
                    continue;
                }
                value(path + QStringLiteral("[%1]").arg(index));
            }
        } else if (c == '"') {
            string();
        } else {
            while (m_pos < m_text.size() && !QByteArrayView(",]} \t\r\n").contains(m_text.at(m_pos)))
                ++m_pos;
        }
        --m_depth;
    }

    QByteArray m_text;
    qsizetype m_pos = 0;
    int m_depth = 0;
    QStringList m_found;
};

// Removes the field at "spec.http[0].foo" from the value.
QJsonValue removeField(const QJsonValue &value, const QStringList &tokens)
{
    if (tokens.isEmpty())
        return value;
    const QString &head = tokens.constFirst();
    if (head.startsWith(QLatin1Char('['))) {
        QJsonArray array = value.toArray();
        const int index = head.mid(1, head.size() - 2).toInt();
        if (index < 0 || index >= array.size())
            return value;
        if (tokens.size() == 1)
            array.removeAt(index);
        else
            array.replace(index, removeField(array.at(index), tokens.mid(1)));
        return array;
    }
    QJsonObject object = value.toObject();
    if (tokens.size() == 1)
        object.remove(head);
    else if (object.contains(head))
        object.insert(head, removeField(object.value(head), tokens.mid(1)));
    return object;
}

QStringList tokensOf(const QString &field)
{
    static const QRegularExpression token(QStringLiteral(R"(\[\d+\]|[^.\[]+)"));
    QStringList out;
    for (auto it = token.globalMatch(field); it.hasNext();)
        out.append(it.next().captured(0));
    return out;
}

bool isUnknownField(const core::Finding &f)
{
    return f.message.startsWith(QLatin1String("unknown field"));
}

} // namespace

Result<FieldValidation> parseFieldValidation(const QString &value)
{
    if (value.isEmpty() || value == QLatin1String("Warn"))
        return FieldValidation::Warn;
    if (value == QLatin1String("Strict"))
        return FieldValidation::Strict;
    if (value == QLatin1String("Ignore"))
        return FieldValidation::Ignore;
    return statusError(
            400, QStringLiteral("BadRequest"),
            QStringLiteral("fieldValidation must be one of \"Ignore\", \"Warn\" or \"Strict\", not \"%1\"").arg(value));
}

QStringList duplicateJsonFields(const QByteArray &json)
{
    return DuplicateScanner(json).run();
}

Result<QJsonObject> admitCustomResource(const ResourceType &type, QJsonObject object, FieldValidation validation,
                                        const QStringList &duplicates, QStringList *warnings)
{
    if (type.group != core::kIstioGroup)
        return object;
    QList<core::Finding> findings = core::validateSchema(object);
    QStringList unknown;
    for (const core::Finding &f : std::as_const(findings)) {
        if (isUnknownField(f))
            unknown.append(f.field);
    }
    if (!unknown.isEmpty() || !duplicates.isEmpty()) {
        QStringList problems;
        for (const QString &f : std::as_const(unknown))
            problems.append(QStringLiteral("unknown field \"%1\"").arg(f));
        for (const QString &f : duplicates)
            problems.append(QStringLiteral("duplicate field \"%1\"").arg(f));
        if (validation == FieldValidation::Strict)
            return statusError(400, QStringLiteral("BadRequest"),
                               QStringLiteral("strict decoding error: ") + problems.join(QLatin1String(", ")));
        if (validation == FieldValidation::Warn)
            warnings->append(problems);
        // Pruned, deepest first so indices stay right, as a structural schema prunes them.
        std::sort(unknown.begin(), unknown.end(), std::greater<>());
        for (const QString &f : std::as_const(unknown))
            object = removeField(object, tokensOf(f)).toObject();
        findings = core::validateSchema(object);
    }
    QStringList causes;
    for (const core::Finding &f : std::as_const(findings)) {
        if (f.severity == core::Finding::Severity::Error && !isUnknownField(f))
            causes.append(f.field + QStringLiteral(": ") + f.message);
    }
    if (causes.isEmpty())
        return object;
    Error e = statusError(
            422, QStringLiteral("Invalid"),
            QStringLiteral("%1.%2 \"%3\" is invalid: [%4]")
                    .arg(type.kind, type.group,
                         object.value(QLatin1String("metadata")).toObject().value(QLatin1String("name")).toString(),
                         causes.join(QLatin1String(", "))));
    e.causes = causes;
    return e;
}

} // namespace canary::demo
