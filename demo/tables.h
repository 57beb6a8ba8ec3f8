#pragma once

#include <QJsonObject>
#include <QList>

#include <optional>
#include <string>

namespace canary::demo {

struct ResourceType;

// Whether a request's Accept header asks for a meta.k8s.io Table, as kubectl get does.
bool wantsTable(const std::string &accept);

// The objects as a meta.k8s.io/v1 Table, with the columns the API server prints for their kind;
// nothing for a kind the demo has no columns for (kubectl then prints NAME and AGE).
std::optional<QJsonObject> asTable(const ResourceType &type, const QList<QJsonObject> &objects,
                                   const QJsonObject &listMetadata);

} // namespace canary::demo
