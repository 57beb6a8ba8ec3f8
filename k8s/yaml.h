#pragma once

#include "k8s/result.h"

#include <QJsonObject>
#include <QJsonValue>
#include <QList>

namespace canary::k8s {

// YAML is read into JSON values (as kubectl and the API server do: YAML is JSON's superset for
// Kubernetes objects) and rendered back in kubectl's style: keys sorted, two-space indent,
// lists not indented under their key.
Result<QList<QJsonObject>> parseYamlDocuments(const QByteArray &text);
Result<QJsonValue> parseYaml(const QByteArray &text);
QByteArray renderYaml(const QJsonValue &value);
QByteArray renderYamlStream(const QList<QJsonObject> &documents);

} // namespace canary::k8s
