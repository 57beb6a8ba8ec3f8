#include "k8s/kubeerror.h"

#include <QCoreApplication>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>

namespace canary::k8s {

namespace {

QString advice(int status, const QString &reason)
{
    switch (status) {
    case 401:
        return QCoreApplication::translate("KubeError",
                                           "The API server did not accept your credentials: check the "
                                           "token or client certificate of your kubeconfig user, or log in again.");
    case 403:
        return QCoreApplication::translate("KubeError",
                                           "Your user lacks the RBAC permission for this; ask a cluster "
                                           "administrator for it.");
    case 404: return QCoreApplication::translate("KubeError", "It does not exist (or its API is not installed).");
    case 409:
        return reason == QLatin1String("AlreadyExists")
                ? QCoreApplication::translate("KubeError", "An object with that name already exists.")
                : QCoreApplication::translate("KubeError",
                                              "Someone changed it since it was read; reload and apply again.");
    case 410: return QCoreApplication::translate("KubeError", "The listing expired; it is read again from the start.");
    case 422: return QCoreApplication::translate("KubeError", "The server rejected the object as invalid.");
    case 429: return QCoreApplication::translate("KubeError", "The API server is overloaded; try again shortly.");
    default: return {};
    }
}

} // namespace

Error decodeStatus(int httpStatus, const QByteArray &body, const QString &what)
{
    Error e;
    e.httpStatus = httpStatus;
    QString serverMessage;
    const QJsonObject status = QJsonDocument::fromJson(body).object();
    if (status.value(QLatin1String("kind")).toString() == QLatin1String("Status")) {
        e.reason = status.value(QLatin1String("reason")).toString();
        serverMessage = status.value(QLatin1String("message")).toString();
        for (const QJsonValue &c :
             status.value(QLatin1String("details")).toObject().value(QLatin1String("causes")).toArray()) {
            const QJsonObject cause = c.toObject();
            const QString field = cause.value(QLatin1String("field")).toString();
            const QString message = cause.value(QLatin1String("message")).toString();
            e.causes.append(field.isEmpty() ? message : field + QStringLiteral(": ") + message);
        }
    } else if (!body.isEmpty()) {
        QString text = QString::fromUtf8(body.left(2000));
        static const QRegularExpression tags(QStringLiteral("<[^>]*>"));
        text.remove(tags);
        serverMessage = text.simplified().left(300);
    }
    QString head = what.isEmpty() ? QString() : what + QStringLiteral(": ");
    head += QStringLiteral("HTTP %1").arg(httpStatus);
    if (!e.reason.isEmpty())
        head += QLatin1Char(' ') + e.reason;
    QStringList parts { head };
    if (!serverMessage.isEmpty())
        parts.append(serverMessage);
    const QString hint = advice(httpStatus, e.reason);
    if (!hint.isEmpty())
        parts.append(hint);
    e.message = parts.join(QStringLiteral(" — "));
    return e;
}

} // namespace canary::k8s
