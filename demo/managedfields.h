#pragma once

#include "k8s/result.h"

#include <QJsonObject>
#include <QList>
#include <QSet>
#include <QString>

namespace canary::demo {

// Server-side field ownership, as kube-apiserver keeps it in metadata.managedFields. A field is a
// path to a leaf: a scalar, an empty object, or a list. Istio's CRDs give their lists no merge keys,
// so every list (spec.http, route, subsets) is atomic: owned, and replaced, whole.
using FieldPath = QStringList;
using FieldSet = QSet<QString>; // paths joined with '\n' (keys may hold dots)

struct ManagedFieldsEntry {
    QString manager;
    QString operation; // Apply or Update
    QString apiVersion;
    QString time;
    FieldSet fields;
    QString subresource; // empty, or "scale" for a write through a Deployment's scale
};

// The leaf fields of an object that managers can own (labels, annotations, spec...; not identity,
// server-set metadata or status).
FieldSet ownableFields(const QJsonObject &object);
// ".spec.http" for display, as kube-apiserver names fields in conflicts.
QString displayField(const QString &field);

QList<ManagedFieldsEntry> readManagedFields(const QJsonObject &object);
void writeManagedFields(QJsonObject *object, const QList<ManagedFieldsEntry> &entries);

// A create, update or patch by `manager`: it takes the fields it set or changed, others keep the rest.
QJsonObject recordUpdate(const QJsonObject *live, QJsonObject next, const QString &manager, const QString &apiVersion,
                         const QString &subresource = {});

// Server-side apply of `applied` (the manager's whole intent) over `live` (null: created). Fields
// the manager applied before and no longer does are removed unless someone else owns them. Changing
// a field another manager owns is a 409 naming the managers and fields, unless forced.
Result<QJsonObject> serverSideApply(const QJsonObject *live, const QJsonObject &applied, const QString &manager,
                                    const QString &apiVersion, bool force);

} // namespace canary::demo
