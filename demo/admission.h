#pragma once

#include "demo/objectstore.h"
#include "k8s/result.h"

#include <QByteArray>
#include <QJsonObject>
#include <QStringList>

namespace canary::demo {

// ?fieldValidation=: what the server does with unknown and duplicate fields.
enum class FieldValidation { Strict, Warn, Ignore };
Result<FieldValidation> parseFieldValidation(const QString &value);

// Paths ("spec.http[0].route") of keys that appear twice in one JSON object of the text.
QStringList duplicateJsonFields(const QByteArray &json);

// What kube-apiserver does to a custom resource before storing it: unknown fields (not in the CRD's
// schema) are refused (Strict), reported as warnings and pruned (Warn) or pruned (Ignore); values
// that break the schema are 422 Invalid with one cause per field. Non-Istio kinds pass unchanged.
Result<QJsonObject> admitCustomResource(const ResourceType &type, QJsonObject object, FieldValidation validation,
                                        const QStringList &duplicates, QStringList *warnings);

} // namespace canary::demo
