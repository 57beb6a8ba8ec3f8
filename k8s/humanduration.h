#pragma once

#include <QJsonObject>
#include <QString>

namespace canary::k8s {

// A duration as kubectl's AGE column shows it (k8s.io/apimachinery's HumanDuration): "45s", "3m20s", "5h".
QString humanDuration(qint64 seconds);
// An object's age from its metadata.creationTimestamp ("<unknown>" without one).
QString humanAge(const QJsonObject &object);

} // namespace canary::k8s
