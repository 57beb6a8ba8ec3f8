#include "k8s/yaml.h"

#include <QJsonArray>
#include <QRegularExpression>
#include <yaml-cpp/yaml.h>

#include <cmath>

namespace canary::k8s {

namespace {

bool isNullScalar(const std::string &s)
{
    return s.empty() || s == "~" || s == "null" || s == "Null" || s == "NULL";
}

// YAML 1.1 booleans as sigs.k8s.io/yaml (go-yaml v2) resolves them.
int boolScalar(const std::string &s)
{
    static const char *const yes[] = { "true", "True", "TRUE", "yes", "Yes", "YES", "on", "On", "ON", "y", "Y" };
    static const char *const no[] = { "false", "False", "FALSE", "no", "No", "NO", "off", "Off", "OFF", "n", "N" };
    for (const char *w : yes)
        if (s == w)
            return 1;
    for (const char *w : no)
        if (s == w)
            return 0;
    return -1;
}

bool numberScalar(const std::string &s, double *out)
{
    // Most scalars are words: only something that starts like a number can be one.
    if (s.empty())
        return false;
    const char c = s.front();
    if (!((c >= '0' && c <= '9') || c == '-' || c == '+' || c == '.'))
        return false;
    static const QRegularExpression intRe(QStringLiteral("^[-+]?(0|[1-9][0-9_]*)$"));
    static const QRegularExpression hexRe(QStringLiteral("^0x[0-9a-fA-F_]+$"));
    static const QRegularExpression octRe(QStringLiteral("^0o?[0-7_]+$"));
    static const QRegularExpression floatRe(QStringLiteral("^[-+]?([0-9][0-9_]*)?\\.?[0-9]*([eE][-+]?[0-9]+)?$"));
    const QString q = QString::fromStdString(s);
    if (intRe.match(q).hasMatch()) {
        *out = QString(q).remove(QLatin1Char('_')).toDouble();
        return true;
    }
    bool ok = false;
    if (hexRe.match(q).hasMatch()) {
        *out = double(QString(q.mid(2)).remove(QLatin1Char('_')).toLongLong(&ok, 16));
        return ok;
    }
    if (octRe.match(q).hasMatch() && q.size() > 1) {
        QString digits = q.startsWith(QLatin1String("0o")) ? q.mid(2) : q.mid(1);
        *out = double(digits.remove(QLatin1Char('_')).toLongLong(&ok, 8));
        return ok;
    }
    if (q == QLatin1String(".inf") || q == QLatin1String("+.inf") || q == QLatin1String(".Inf")) {
        *out = HUGE_VAL;
        return true;
    }
    if (q == QLatin1String("-.inf") || q == QLatin1String("-.Inf")) {
        *out = -HUGE_VAL;
        return true;
    }
    if (q.contains(QLatin1Char('.')) || q.contains(QLatin1Char('e')) || q.contains(QLatin1Char('E'))) {
        if (!floatRe.match(q).hasMatch() || q == QLatin1String(".") || q.isEmpty())
            return false;
        *out = QString(q).remove(QLatin1Char('_')).toDouble(&ok);
        return ok;
    }
    return false;
}

QJsonValue toJson(const YAML::Node &node, int depth)
{
    if (depth > 256)
        throw YAML::Exception(node.Mark(), "document nested too deeply");
    switch (node.Type()) {
    case YAML::NodeType::Undefined:
    case YAML::NodeType::Null: return QJsonValue::Null;
    case YAML::NodeType::Scalar: {
        const std::string &s = node.Scalar();
        if (node.Tag() == "!" || node.Tag() == "tag:yaml.org,2002:str")
            return QString::fromStdString(s);
        if (isNullScalar(s))
            return QJsonValue::Null;
        const int b = boolScalar(s);
        if (b >= 0)
            return b == 1;
        double d = 0;
        if (numberScalar(s, &d) && std::isfinite(d))
            return d;
        return QString::fromStdString(s);
    }
    case YAML::NodeType::Sequence: {
        QJsonArray array;
        for (const YAML::Node &item : node)
            array.append(toJson(item, depth + 1));
        return array;
    }
    case YAML::NodeType::Map: {
        QJsonObject object;
        for (const auto &entry : node) {
            const YAML::Node &key = entry.first;
            if (!key.IsScalar())
                throw YAML::Exception(key.Mark(), "mapping keys must be plain strings");
            const QString k = QString::fromStdString(key.Scalar());
            if (object.contains(k))
                throw YAML::Exception(key.Mark(), "duplicate key \"" + key.Scalar() + "\"");
            object.insert(k, toJson(entry.second, depth + 1));
        }
        return object;
    }
    }
    return QJsonValue::Null;
}

// Where a node property (tag or anchor) starting at `i` ends: at a space or a flow indicator.
int endOfProperty(const QByteArray &raw, int i)
{
    int j = i + 1;
    while (j < raw.size() && raw.at(j) != ' ' && raw.at(j) != '\t' && !QByteArrayView(",[]{}").contains(raw.at(j)))
        ++j;
    return j;
}

// The closing quote of a quoted scalar opened at `i` (or the end of the line).
int closingQuote(const QByteArray &raw, int i)
{
    const char quote = raw.at(i);
    int j = i + 1;
    while (j < raw.size()) {
        if (quote == '"' && raw.at(j) == '\\') {
            j += 2;
            continue;
        }
        if (raw.at(j) == quote) {
            if (quote == '\'' && j + 1 < raw.size() && raw.at(j + 1) == '\'') {
                j += 2;
                continue;
            }
            break;
        }
        ++j;
    }
    return j;
}

// A plain scalar runs to the next ": " or " #" (and inside a flow collection, to its next indicator).
int endOfPlainScalar(const QByteArray &raw, int i, int depth)
{
    int j = i;
    while (j < raw.size() && !(raw.at(j) == ':' && (j + 1 == raw.size() || raw.at(j + 1) == ' '))
           && !(raw.at(j) == '#' && j > 0 && raw.at(j - 1) == ' ')
           && !(depth > 0 && (raw.at(j) == ',' || raw.at(j) == ']' || raw.at(j) == '}')))
        ++j;
    return j;
}

// yaml-cpp 0.7 loops forever when a complete top-level node is followed by a flow separator (`[a], b`,
// `"q", x`, `!tag, x`, `&anchor, x`, or a document that starts with `,`), text that is invalid YAML anyway. Found by
// fuzzing; this scan reports that shape as the error it is before yaml-cpp sees it.
QString flowSeparatorProblem(const QByteArray &text)
{
    int depth = 0;
    int line = 1;
    int blockIndent = -1; // inside a | or > block scalar: lines indented more than this are content
    bool nodeEnded = false; // a quoted scalar or flow collection just closed at depth 0
    const QList<QByteArray> lines = text.split('\n');
    for (const QByteArray &raw : lines) {
        int indent = 0;
        while (indent < raw.size() && raw.at(indent) == ' ')
            ++indent;
        const QByteArray rest = raw.mid(indent);
        if (blockIndent >= 0) {
            if (rest.isEmpty() || indent > blockIndent) {
                ++line;
                continue;
            }
            blockIndent = -1;
        }
        if (depth == 0)
            nodeEnded = false;
        char previous = 0; // last significant character on this line
        for (int i = indent; i < raw.size(); ++i) {
            const char c = raw.at(i);
            if (c == '#' && (i == indent || raw.at(i - 1) == ' ' || raw.at(i - 1) == '\t'))
                break;
            if (c == ' ' || c == '\t' || c == '\r')
                continue;
            const bool nodeStart = depth > 0 || previous == 0 || previous == ':' || previous == '-' || previous == '?'
                    || previous == ',';
            if ((c == '!' || c == '&') && nodeStart) {
                // A node property (tag or anchor) ends at a space or a flow indicator; the node it belongs
                // to still starts after it, so `!p,t` and `&a [x], y` are the separator shape above.
                i = endOfProperty(raw, i) - 1;
                continue;
            }
            if ((c == '"' || c == '\'') && nodeStart) {
                i = closingQuote(raw, i);
                previous = c;
                nodeEnded = depth == 0;
                continue;
            }
            if ((c == '[' || c == '{') && nodeStart) {
                ++depth;
                previous = c;
                continue;
            }
            if ((c == ']' || c == '}') && depth > 0) {
                --depth;
                previous = c;
                nodeEnded = depth == 0;
                continue;
            }
            if (c == ',' && depth == 0 && (nodeEnded || previous == 0)
                && (previous == 0 || previous == '"' || previous == '\'' || previous == ']' || previous == '}'))
                return QStringLiteral("line %1: \",\" after a complete value: a flow separator outside [ ] or { }")
                        .arg(line);
            if (depth == 0 && (c == '|' || c == '>') && (previous == ':' || previous == '-' || previous == 0)) {
                blockIndent = indent;
                break;
            }
            if (depth == 0 && previous != 0 && previous != ':' && previous != '-' && previous != '?' && c != ':')
                nodeEnded = false;
            // A plain scalar: its quotes and brackets are text; skip to the next ": " or " #".
            if (!nodeStart || (c != '-' && c != ':' && c != '?' && c != ',' && depth == 0)) {
                const int j = endOfPlainScalar(raw, i, depth);
                if (j > i) { // always make progress
                    i = j - 1;
                    previous = 'a';
                    continue;
                }
            }
            previous = c;
        }
        ++line;
    }
    return {};
}

Error yamlError(const YAML::Exception &e)
{
    const QString where = e.mark.is_null()
            ? QString()
            : QStringLiteral("line %1, column %2: ").arg(e.mark.line + 1).arg(e.mark.column + 1);
    return makeError(QStringLiteral("invalid YAML: ") + where + QString::fromStdString(e.msg));
}

bool needsQuotes(const QString &s)
{
    if (s.isEmpty())
        return true;
    const std::string std = s.toStdString();
    if (isNullScalar(std) || boolScalar(std) >= 0)
        return true;
    double d;
    if (numberScalar(std, &d))
        return true;
    static const QString indicators = QStringLiteral("-?:,[]{}#&*!|>'\"%@`");
    if (indicators.contains(s.front()))
        return true;
    if (s.front().isSpace() || s.back().isSpace())
        return true;
    if (s.contains(QLatin1String(": ")) || s.contains(QLatin1String(" #")) || s.endsWith(QLatin1Char(':')))
        return true;
    for (QChar c : s)
        if (c.unicode() < 0x20 || c.unicode() == 0x7f)
            return true;
    return false;
}

QString quoted(const QString &s)
{
    bool plainSingle = true;
    for (QChar c : s)
        if (c.unicode() < 0x20 || c.unicode() == 0x7f)
            plainSingle = false;
    if (plainSingle)
        return QLatin1Char('\'') + QString(s).replace(QLatin1Char('\''), QLatin1String("''")) + QLatin1Char('\'');
    QString out = QStringLiteral("\"");
    for (QChar c : s) {
        switch (c.unicode()) {
        case '"': out += QLatin1String("\\\""); break;
        case '\\': out += QLatin1String("\\\\"); break;
        case '\n': out += QLatin1String("\\n"); break;
        case '\t': out += QLatin1String("\\t"); break;
        case '\r': out += QLatin1String("\\r"); break;
        default:
            if (c.unicode() < 0x20 || c.unicode() == 0x7f)
                out += QStringLiteral("\\x%1").arg(c.unicode(), 2, 16, QLatin1Char('0'));
            else
                out += c;
        }
    }
    return out + QLatin1Char('"');
}

QString scalarText(const QJsonValue &v)
{
    switch (v.type()) {
    case QJsonValue::Null:
    case QJsonValue::Undefined: return QStringLiteral("null");
    case QJsonValue::Bool: return v.toBool() ? QStringLiteral("true") : QStringLiteral("false");
    case QJsonValue::Double: {
        const double d = v.toDouble();
        if (std::floor(d) == d && std::fabs(d) < 9007199254740992.0)
            return QString::number(qint64(d));
        return QString::number(d, 'g', QLocale::FloatingPointShortest);
    }
    case QJsonValue::String: {
        const QString s = v.toString();
        return needsQuotes(s) ? quoted(s) : s;
    }
    default: return {};
    }
}

bool isEmptyContainer(const QJsonValue &v)
{
    return (v.isObject() && v.toObject().isEmpty()) || (v.isArray() && v.toArray().isEmpty());
}

void render(QString &out, const QJsonValue &value, int indent, bool inList);

void renderObject(QString &out, const QJsonObject &object, int indent, bool firstInline)
{
    bool first = true;
    for (auto it = object.begin(); it != object.end(); ++it) {
        if (!(first && firstInline))
            out += QString(indent, QLatin1Char(' '));
        first = false;
        const QString key = needsQuotes(it.key()) ? quoted(it.key()) : it.key();
        const QJsonValue v = it.value();
        if (v.isObject() && !isEmptyContainer(v)) {
            out += key + QLatin1String(":\n");
            renderObject(out, v.toObject(), indent + 2, false);
        } else if (v.isArray() && !isEmptyContainer(v)) {
            out += key + QLatin1String(":\n");
            render(out, v, indent, false);
        } else if (v.isObject()) {
            out += key + QLatin1String(": {}\n");
        } else if (v.isArray()) {
            out += key + QLatin1String(": []\n");
        } else {
            out += key + QLatin1String(": ") + scalarText(v) + QLatin1Char('\n');
        }
    }
}

void render(QString &out, const QJsonValue &value, int indent, bool)
{
    if (value.isArray()) {
        for (const QJsonValue &item : value.toArray()) {
            out += QString(indent, QLatin1Char(' ')) + QLatin1String("- ");
            if (item.isObject() && !isEmptyContainer(item)) {
                renderObject(out, item.toObject(), indent + 2, true);
            } else if (item.isArray() && !isEmptyContainer(item)) {
                out += QLatin1Char('\n');
                render(out, item, indent + 2, true);
            } else if (item.isObject()) {
                out += QLatin1String("{}\n");
            } else if (item.isArray()) {
                out += QLatin1String("[]\n");
            } else {
                out += scalarText(item) + QLatin1Char('\n');
            }
        }
    } else if (value.isObject()) {
        if (value.toObject().isEmpty())
            out += QLatin1String("{}\n");
        else
            renderObject(out, value.toObject(), indent, false);
    } else {
        out += scalarText(value) + QLatin1Char('\n');
    }
}

} // namespace

Result<QList<QJsonObject>> parseYamlDocuments(const QByteArray &text)
{
    const QString problem = flowSeparatorProblem(text);
    if (!problem.isEmpty())
        return makeError(QStringLiteral("invalid YAML: ") + problem);
    try {
        const std::vector<YAML::Node> docs = YAML::LoadAll(text.toStdString());
        QList<QJsonObject> out;
        int index = 0;
        for (const YAML::Node &doc : docs) {
            ++index;
            const QJsonValue v = toJson(doc, 0);
            if (v.isNull())
                continue;
            if (!v.isObject())
                return makeError(QStringLiteral("document %1 is not a mapping (a Kubernetes object is a map of fields)")
                                         .arg(index));
            out.append(v.toObject());
        }
        return out;
    } catch (const YAML::Exception &e) {
        return yamlError(e);
    }
}

Result<QJsonValue> parseYaml(const QByteArray &text)
{
    const QString problem = flowSeparatorProblem(text);
    if (!problem.isEmpty())
        return makeError(QStringLiteral("invalid YAML: ") + problem);
    try {
        return toJson(YAML::Load(text.toStdString()), 0);
    } catch (const YAML::Exception &e) {
        return yamlError(e);
    }
}

QByteArray renderYaml(const QJsonValue &value)
{
    QString out;
    render(out, value, 0, false);
    return out.toUtf8();
}

QByteArray renderYamlStream(const QList<QJsonObject> &documents)
{
    QByteArray out;
    for (int i = 0; i < documents.size(); ++i) {
        if (i > 0)
            out += "---\n";
        out += renderYaml(documents.at(i));
    }
    return out;
}

} // namespace canary::k8s
