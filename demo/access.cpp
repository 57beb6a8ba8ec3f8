#include "demo/access.h"

#include "demo/objectstore.h"

#include <QFile>
#include <QJsonArray>

namespace canary::demo {

namespace {

// Splits one CSV line: commas separate fields, double quotes group (and "" is a quote).
QStringList csvFields(const QString &line, bool *ok)
{
    QStringList fields;
    QString current;
    bool quoted = false;
    for (int i = 0; i < line.size(); ++i) {
        const QChar c = line.at(i);
        if (quoted) {
            if (c == QLatin1Char('"') && i + 1 < line.size() && line.at(i + 1) == QLatin1Char('"')) {
                current += c;
                ++i;
            } else if (c == QLatin1Char('"')) {
                quoted = false;
            } else {
                current += c;
            }
        } else if (c == QLatin1Char('"')) {
            quoted = true;
        } else if (c == QLatin1Char(',')) {
            fields.append(current);
            current.clear();
        } else {
            current += c;
        }
    }
    fields.append(current);
    *ok = !quoted;
    return fields;
}

bool isProxy(const QString &resource)
{
    return resource.section(QLatin1Char('/'), 1) == QLatin1String("proxy");
}

bool isReadVerb(const QString &verb)
{
    return verb == QLatin1String("get") || verb == QLatin1String("list") || verb == QLatin1String("watch");
}

} // namespace

Result<QList<StaticToken>> parseTokenAuthFile(const QByteArray &text, const QString &path)
{
    QList<StaticToken> tokens;
    const QStringList lines = QString::fromUtf8(text).split(QLatin1Char('\n'));
    for (int i = 0; i < lines.size(); ++i) {
        const QString line = lines.at(i).trimmed();
        if (line.isEmpty() || line.startsWith(QLatin1Char('#')))
            continue;
        bool ok = false;
        const QStringList fields = csvFields(line, &ok);
        const QString where = QStringLiteral("%1:%2").arg(path).arg(i + 1);
        if (!ok)
            return makeError(QStringLiteral("%1: unterminated quote").arg(where));
        if (fields.size() < 3)
            return makeError(QStringLiteral("%1: expected token,user,uid[,\"group1,group2\"], found %2 field(s)")
                                     .arg(where)
                                     .arg(fields.size()));
        StaticToken t;
        t.token = fields.at(0).trimmed();
        t.user.name = fields.at(1).trimmed();
        t.user.uid = fields.at(2).trimmed();
        if (t.token.isEmpty() || t.user.name.isEmpty())
            return makeError(QStringLiteral("%1: the token and the user name must not be empty").arg(where));
        if (fields.size() > 3) {
            for (const QString &g : fields.at(3).split(QLatin1Char(','), Qt::SkipEmptyParts))
                t.user.groups.append(g.trimmed());
        }
        t.user.groups.append(QStringLiteral("system:authenticated"));
        for (const StaticToken &other : std::as_const(tokens)) {
            if (other.token == t.token)
                return makeError(QStringLiteral("%1: a token appears twice (users \"%2\" and \"%3\")")
                                         .arg(where, other.user.name, t.user.name));
        }
        tokens.append(t);
    }
    return tokens;
}

Result<QList<StaticToken>> readTokenAuthFile(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return makeError(QStringLiteral("--token-auth-file %1: %2").arg(path, file.errorString()));
    return parseTokenAuthFile(file.readAll(), path);
}

bool isAllowed(const UserInfo &user, const QString &verb, const QString &resource)
{
    if (user.groups.contains(QLatin1String("system:masters")))
        return true;
    if (user.groups.contains(QLatin1String(kViewersGroup)))
        return isReadVerb(verb) && !isProxy(resource);
    return true;
}

QJsonObject forbiddenStatus(const UserInfo &user, const QString &verb, const QString &group, const QString &resource,
                            const QString &name, const QString &ns)
{
    const QString base
            = resource.section(QLatin1Char('/'), 0, 0); // "deployments/scale": the message names deployments.apps
    const QString qualified = group.isEmpty() ? base : base + QLatin1Char('.') + group;
    QString message = name.isEmpty() ? qualified : QStringLiteral("%1 \"%2\"").arg(qualified, name);
    message += QStringLiteral(" is forbidden: User \"%1\" cannot %2 resource \"%3\" in API group \"%4\"")
                       .arg(user.name, verb, resource, group);
    message += ns.isEmpty() ? QStringLiteral(" at the cluster scope")
                            : QStringLiteral(" in the namespace \"%1\"").arg(ns);
    QJsonObject status = statusJson(statusError(403, QStringLiteral("Forbidden"), message));
    status.insert(QStringLiteral("details"),
                  QJsonObject { { QStringLiteral("name"), name },
                                { QStringLiteral("group"), group },
                                { QStringLiteral("kind"), base } });
    return status;
}

QJsonObject selfSubjectAccessReview(const UserInfo &user, QJsonObject review)
{
    const QJsonObject spec = review.value(QLatin1String("spec")).toObject();
    const QJsonObject attributes = spec.value(QLatin1String("resourceAttributes")).toObject();
    QJsonObject status;
    if (spec.contains(QLatin1String("nonResourceAttributes"))) {
        status.insert(QStringLiteral("allowed"), true);
    } else {
        const QString verb = attributes.value(QLatin1String("verb")).toString();
        const QString subresource = attributes.value(QLatin1String("subresource")).toString();
        QString resource = attributes.value(QLatin1String("resource")).toString();
        if (!subresource.isEmpty())
            resource += QLatin1Char('/') + subresource;
        const bool allowed = isAllowed(user, verb == QLatin1String("*") ? QStringLiteral("update") : verb, resource);
        status.insert(QStringLiteral("allowed"), allowed);
        if (!allowed && isProxy(resource)) {
            status.insert(QStringLiteral("reason"),
                          QStringLiteral("members of group \"%1\" may not use %2, as Kubernetes' view role may not")
                                  .arg(QLatin1String(kViewersGroup), resource));
        } else if (!allowed) {
            status.insert(QStringLiteral("reason"),
                          QStringLiteral("members of group \"%1\" may only get, list and watch")
                                  .arg(QLatin1String(kViewersGroup)));
        }
    }
    review.insert(QStringLiteral("status"), status);
    QJsonObject meta = review.value(QLatin1String("metadata")).toObject();
    meta.insert(QStringLiteral("creationTimestamp"), QJsonValue::Null);
    review.insert(QStringLiteral("metadata"), meta);
    return review;
}

QJsonObject selfSubjectReview(const UserInfo &user, const QString &apiVersion)
{
    QJsonObject userInfo { { QStringLiteral("username"), user.name },
                           { QStringLiteral("groups"), QJsonArray::fromStringList(user.groups) } };
    if (!user.uid.isEmpty())
        userInfo.insert(QStringLiteral("uid"), user.uid);
    return QJsonObject { { QStringLiteral("kind"), QStringLiteral("SelfSubjectReview") },
                         { QStringLiteral("apiVersion"), apiVersion },
                         { QStringLiteral("metadata"),
                           QJsonObject { { QStringLiteral("creationTimestamp"), QJsonValue::Null } } },
                         { QStringLiteral("status"), QJsonObject { { QStringLiteral("userInfo"), userInfo } } } };
}

} // namespace canary::demo
