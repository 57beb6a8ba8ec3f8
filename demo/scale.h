#pragma once

#include "k8s/result.h"

#include <QJsonObject>
#include <QString>

namespace canary::demo {

struct ResourceType;

// Deployments serve the scale subresource (kubectl scale).
bool servesScale(const ResourceType &type);
// The autoscaling/v1 Scale of a Deployment, as kube-apiserver derives it (replicas 0 is omitted from spec).
QJsonObject scaleOf(const QJsonObject &deployment);
// The Deployment named `name` with the replicas of `scale` written to it, or why the Scale is refused. The
// Scale's resourceVersion is the Deployment's: given, it is a precondition.
Result<QJsonObject> withScale(const QJsonObject &deployment, const QJsonObject &scale, const QString &name);

} // namespace canary::demo
