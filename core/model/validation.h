#pragma once

#include "core/model/release.h"

#include <QJsonObject>
#include <QList>
#include <QString>
#include <QStringList>

namespace canary::core {

struct Finding {
    enum class Severity { Error, Warning, Note };
    Severity severity = Severity::Error;
    QString object; // KIND/NAME
    QString field; // spec.http[0].route[1].weight
    QString message; // what is wrong and what to do
};

// The openAPIV3Schema of an Istio kind at a version, from the CRDs carried in the resources.
QJsonObject istioSchema(const QString &kind, const QString &version);
// Istio's CRD schemas (carried in the resources): structure, types, enums, ranges and required fields.
QList<Finding> validateSchema(const QJsonObject &object);
// The rules a release must keep: weights, versions that exist, RE2 regexes, reachable routes, subsets
// that select pods (when pods are known).
QList<Finding> validateRelease(const Release &release, const QJsonObject &virtualService, bool podsKnown);
// Field managers other than Canary Deck and kubectl users that own a VirtualService's routes
// (spec.http) according to its managedFields: controllers such as Flagger or Argo Rollouts, which set
// the routes back on their next reconcile. Each as "manager (Operation)".
QStringList otherRouteManagers(const QJsonObject &virtualService);
// The VirtualService with only what otherRouteManagers() reads of its managedFields (each entry's
// manager and operation, and whether it owns .spec.http): what a store of thousands keeps.
QJsonObject withRouteOwnersOnly(QJsonObject virtualService);
// Everything in a set of manifests: schema and rules for Istio kinds, a note for other kinds.
QList<Finding> validateDocuments(const QList<QJsonObject> &documents);

} // namespace canary::core
