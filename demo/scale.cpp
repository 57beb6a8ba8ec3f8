#include "demo/scale.h"

#include "demo/objectstore.h"
#include "demo/selectors.h"

#include <cmath>
#include <limits>

namespace canary::demo {

bool servesScale(const ResourceType &type)
{
    return type.group == QLatin1String("apps") && type.plural == QLatin1String("deployments");
}

QJsonObject scaleOf(const QJsonObject &deployment)
{
    const QJsonObject meta = deployment.value(QLatin1String("metadata")).toObject();
    const QJsonObject spec = deployment.value(QLatin1String("spec")).toObject();
    QJsonObject scaleMeta;
    for (const char *key : { "name", "namespace", "uid", "resourceVersion", "creationTimestamp" })
        scaleMeta.insert(QLatin1String(key), meta.value(QLatin1String(key)));
    const int replicas = spec.value(QLatin1String("replicas")).toInt(1);
    QJsonObject scaleSpec;
    if (replicas != 0)
        scaleSpec.insert(QStringLiteral("replicas"), replicas);
    return QJsonObject {
        { QStringLiteral("kind"), QStringLiteral("Scale") },
        { QStringLiteral("apiVersion"), QStringLiteral("autoscaling/v1") },
        { QStringLiteral("metadata"), scaleMeta },
        { QStringLiteral("spec"), scaleSpec },
        { QStringLiteral("status"),
          QJsonObject {
                  { QStringLiteral("replicas"),
                    deployment.value(QLatin1String("status")).toObject().value(QLatin1String("replicas")).toInt() },
                  { QStringLiteral("selector"),
                    formatLabelSelector(spec.value(QLatin1String("selector")).toObject()) } } }
    };
}

Result<QJsonObject> withScale(const QJsonObject &deployment, const QJsonObject &scale, const QString &name)
{
    const QJsonObject scaleMeta = scale.value(QLatin1String("metadata")).toObject();
    const QString bodyName = scaleMeta.value(QLatin1String("name")).toString();
    if (!bodyName.isEmpty() && bodyName != name)
        return statusError(400, QStringLiteral("BadRequest"),
                           QStringLiteral("the name of the object (%1) does not match the name on the URL (%2)")
                                   .arg(bodyName, name));
    const QJsonValue replicas = scale.value(QLatin1String("spec")).toObject().value(QLatin1String("replicas"));
    const double count = replicas.isUndefined() || replicas.isNull() ? 0 : replicas.toDouble(-0.5);
    if (count != std::floor(count) || count > std::numeric_limits<qint32>::max())
        return statusError(
                400, QStringLiteral("BadRequest"),
                QStringLiteral("Scale in version \"v1\" cannot be handled as a Scale: spec.replicas must be an int32"));
    if (count < 0)
        return statusError(422, QStringLiteral("Invalid"),
                           QStringLiteral("Scale.autoscaling \"%1\" is invalid: spec.replicas: Invalid value: %2: "
                                          "must be greater than or equal to 0")
                                   .arg(name)
                                   .arg(qint64(count)));
    QJsonObject next = deployment;
    QJsonObject spec = next.value(QLatin1String("spec")).toObject();
    spec.insert(QStringLiteral("replicas"), int(count));
    next.insert(QStringLiteral("spec"), spec);
    QJsonObject meta = next.value(QLatin1String("metadata")).toObject();
    meta.insert(QStringLiteral("resourceVersion"), scaleMeta.value(QLatin1String("resourceVersion")).toString());
    next.insert(QStringLiteral("metadata"), meta);
    return next;
}

} // namespace canary::demo
