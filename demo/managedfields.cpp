#include "demo/managedfields.h"

#include "demo/objectstore.h"

#include <QDateTime>
#include <QJsonArray>

#include <map>

namespace canary::demo {

namespace {

const QChar kSep = QLatin1Char('\n');

void collect(const QJsonValue &value, const QString &path, FieldSet *out)
{
    if (value.isObject() && !value.toObject().isEmpty()) {
        const QJsonObject object = value.toObject();
        for (auto it = object.begin(); it != object.end(); ++it)
            collect(it.value(), path.isEmpty() ? it.key() : path + kSep + it.key(), out);
        return;
    }
    out->insert(path);
}

QJsonValue valueAt(const QJsonObject &object, const QString &field)
{
    QJsonValue v = object;
    for (const QString &key : field.split(kSep)) {
        if (!v.isObject())
            return QJsonValue(QJsonValue::Undefined);
        v = v.toObject().value(key);
    }
    return v;
}

QJsonObject removeAt(QJsonObject object, const QStringList &path)
{
    if (path.isEmpty())
        return object;
    if (path.size() == 1) {
        object.remove(path.constFirst());
        return object;
    }
    const QJsonValue child = object.value(path.constFirst());
    if (!child.isObject())
        return object;
    const QJsonObject pruned = removeAt(child.toObject(), path.mid(1));
    if (pruned.isEmpty())
        object.remove(path.constFirst());
    else
        object.insert(path.constFirst(), pruned);
    return object;
}

// Maps merge key by key; anything else (lists included: atomic) is replaced.
QJsonObject deepMerge(QJsonObject target, const QJsonObject &source)
{
    for (auto it = source.begin(); it != source.end(); ++it) {
        if (it.value().isObject() && target.value(it.key()).isObject() && !it.value().toObject().isEmpty())
            target.insert(it.key(), deepMerge(target.value(it.key()).toObject(), it.value().toObject()));
        else
            target.insert(it.key(), it.value());
    }
    return target;
}

bool overlaps(const QString &a, const QString &b)
{
    return a == b || a.startsWith(b + kSep) || b.startsWith(a + kSep);
}

QString now()
{
    return QDateTime::currentDateTimeUtc().toString(Qt::ISODate);
}

void insertFieldsV1(QJsonObject *node, const QStringList &path)
{
    if (path.isEmpty())
        return;
    const QString key = QStringLiteral("f:") + path.constFirst();
    QJsonObject child = node->value(key).toObject();
    insertFieldsV1(&child, path.mid(1));
    node->insert(key, child);
}

void readFieldsV1(const QJsonObject &node, const QString &path, FieldSet *out)
{
    bool leaf = true;
    for (auto it = node.begin(); it != node.end(); ++it) {
        if (!it.key().startsWith(QLatin1String("f:")))
            continue;
        leaf = false;
        const QString key = it.key().mid(2);
        readFieldsV1(it.value().toObject(), path.isEmpty() ? key : path + kSep + key, out);
    }
    if (leaf && !path.isEmpty())
        out->insert(path);
}

} // namespace

FieldSet ownableFields(const QJsonObject &object)
{
    FieldSet out;
    for (auto it = object.begin(); it != object.end(); ++it) {
        const QString &key = it.key();
        if (key == QLatin1String("apiVersion") || key == QLatin1String("kind") || key == QLatin1String("status"))
            continue;
        if (key == QLatin1String("metadata")) {
            const QJsonObject meta = it.value().toObject();
            for (const char *owned : { "labels", "annotations", "finalizers", "ownerReferences" }) {
                if (meta.contains(QLatin1String(owned)))
                    collect(meta.value(QLatin1String(owned)), QStringLiteral("metadata") + kSep + QLatin1String(owned),
                            &out);
            }
            continue;
        }
        collect(it.value(), key, &out);
    }
    return out;
}

QString displayField(const QString &field)
{
    return QLatin1Char('.') + QString(field).replace(kSep, QLatin1Char('.'));
}

QList<ManagedFieldsEntry> readManagedFields(const QJsonObject &object)
{
    QList<ManagedFieldsEntry> entries;
    for (const QJsonValue &v :
         object.value(QLatin1String("metadata")).toObject().value(QLatin1String("managedFields")).toArray()) {
        const QJsonObject e = v.toObject();
        ManagedFieldsEntry entry { e.value(QLatin1String("manager")).toString(),
                                   e.value(QLatin1String("operation")).toString(),
                                   e.value(QLatin1String("apiVersion")).toString(),
                                   e.value(QLatin1String("time")).toString(),
                                   {},
                                   e.value(QLatin1String("subresource")).toString() };
        readFieldsV1(e.value(QLatin1String("fieldsV1")).toObject(), QString(), &entry.fields);
        entries.append(entry);
    }
    return entries;
}

void writeManagedFields(QJsonObject *object, const QList<ManagedFieldsEntry> &entries)
{
    QJsonArray out;
    for (const ManagedFieldsEntry &e : entries) {
        if (e.fields.isEmpty())
            continue;
        QStringList sorted(e.fields.begin(), e.fields.end());
        sorted.sort();
        QJsonObject fields;
        for (const QString &f : std::as_const(sorted))
            insertFieldsV1(&fields, f.split(kSep));
        QJsonObject entry { { QStringLiteral("manager"), e.manager },
                            { QStringLiteral("operation"), e.operation },
                            { QStringLiteral("apiVersion"), e.apiVersion },
                            { QStringLiteral("time"), e.time },
                            { QStringLiteral("fieldsType"), QStringLiteral("FieldsV1") },
                            { QStringLiteral("fieldsV1"), fields } };
        if (!e.subresource.isEmpty())
            entry.insert(QStringLiteral("subresource"), e.subresource);
        out.append(entry);
    }
    QJsonObject meta = object->value(QLatin1String("metadata")).toObject();
    if (out.isEmpty())
        meta.remove(QStringLiteral("managedFields"));
    else
        meta.insert(QStringLiteral("managedFields"), out);
    object->insert(QStringLiteral("metadata"), meta);
}

QJsonObject recordUpdate(const QJsonObject *live, QJsonObject next, const QString &manager, const QString &apiVersion,
                         const QString &subresource)
{
    const FieldSet present = ownableFields(next);
    FieldSet changed;
    for (const QString &f : present) {
        if (!live || valueAt(*live, f) != valueAt(next, f))
            changed.insert(f);
    }
    QList<ManagedFieldsEntry> entries = live ? readManagedFields(*live) : QList<ManagedFieldsEntry>();
    bool found = false;
    for (ManagedFieldsEntry &e : entries) {
        if (e.manager == manager && e.operation == QLatin1String("Update") && e.apiVersion == apiVersion
            && e.subresource == subresource) {
            e.fields += changed;
            e.time = now();
            found = true;
        } else {
            e.fields -= changed;
        }
        e.fields &= present; // fields removed from the object are nobody's
    }
    if (!found && !changed.isEmpty())
        entries.append(
                ManagedFieldsEntry { manager, QStringLiteral("Update"), apiVersion, now(), changed, subresource });
    writeManagedFields(&next, entries);
    return next;
}

namespace {

bool isApplyOf(const ManagedFieldsEntry &e, const QString &manager)
{
    return e.manager == manager && e.operation == QLatin1String("Apply");
}

// Fields whose value the intent changes and another manager owns, by (manager, apiVersion).
using Conflicts = std::map<std::pair<QString, QString>, QStringList>;
Conflicts findConflicts(const QJsonObject &live, const QJsonObject &applied, const FieldSet &intent,
                        const QList<ManagedFieldsEntry> &entries, const QString &manager)
{
    Conflicts conflicts;
    for (const QString &f : intent) {
        if (valueAt(live, f) == valueAt(applied, f))
            continue; // the same value: owned together, no conflict
        for (const ManagedFieldsEntry &e : entries) {
            if (isApplyOf(e, manager))
                continue;
            for (const QString &owned : e.fields) {
                if (overlaps(owned, f)) {
                    conflicts[{ e.manager, e.apiVersion }].append(displayField(f));
                    break;
                }
            }
        }
    }
    return conflicts;
}

// kube-apiserver's 409 for an apply that is not forced: each conflict a cause, and a message naming them all.
Error conflictError(const Conflicts &conflicts)
{
    int count = 0;
    QStringList causes;
    QStringList lines;
    for (const auto &[who, fields] : conflicts) {
        count += int(fields.size());
        const QString with = QStringLiteral("conflict with \"%1\" using %2").arg(who.first, who.second);
        for (const QString &f : fields)
            causes.append(f + QStringLiteral(": ") + with);
        lines.append(fields.size() == 1 ? with + QStringLiteral(": ") + fields.constFirst()
                                        : QStringLiteral("conflicts with \"%1\" using %2:\n- %3")
                                                  .arg(who.first, who.second, fields.join(QLatin1String("\n- "))));
    }
    Error e = statusError(409, QStringLiteral("Conflict"),
                          QStringLiteral("Apply failed with %1 conflict%2: %3")
                                  .arg(count)
                                  .arg(count == 1 ? QString() : QStringLiteral("s"), lines.join(QLatin1Char('\n'))));
    e.causes = causes;
    return e;
}

// What the manager applied before and no longer does goes, unless someone else holds it.
QJsonObject withoutWithdrawnFields(QJsonObject object, const FieldSet &intent, const QList<ManagedFieldsEntry> &entries,
                                   const QString &manager)
{
    for (const ManagedFieldsEntry &e : entries) {
        if (!isApplyOf(e, manager))
            continue;
        for (const QString &f : e.fields) {
            if (intent.contains(f))
                continue;
            bool heldByOthers = false;
            for (const ManagedFieldsEntry &other : entries)
                heldByOthers = heldByOthers || (!isApplyOf(other, manager) && other.fields.contains(f));
            if (!heldByOthers)
                object = removeAt(object, f.split(kSep));
        }
    }
    return object;
}

// The manager's Apply entry now holds the intent; forced, the fields it changed leave their other owners.
void takeOwnership(QList<ManagedFieldsEntry> *entries, const QJsonObject &live, const QJsonObject &applied,
                   const FieldSet &intent, const QString &manager, const QString &apiVersion, bool force)
{
    bool found = false;
    for (ManagedFieldsEntry &e : *entries) {
        if (isApplyOf(e, manager)) {
            e.fields = intent;
            e.apiVersion = apiVersion;
            e.time = now();
            found = true;
            continue;
        }
        if (!force)
            continue;
        for (const QString &f : intent) {
            for (auto it = e.fields.begin(); it != e.fields.end();) {
                if (overlaps(*it, f) && valueAt(live, f) != valueAt(applied, f))
                    it = e.fields.erase(it);
                else
                    ++it;
            }
        }
    }
    if (!found)
        entries->append(ManagedFieldsEntry { manager, QStringLiteral("Apply"), apiVersion, now(), intent, {} });
}

} // namespace

Result<QJsonObject> serverSideApply(const QJsonObject *live, const QJsonObject &applied, const QString &manager,
                                    const QString &apiVersion, bool force)
{
    const FieldSet intent = ownableFields(applied);
    if (!live) {
        QJsonObject created = applied;
        writeManagedFields(&created,
                           { ManagedFieldsEntry { manager, QStringLiteral("Apply"), apiVersion, now(), intent, {} } });
        return created;
    }
    QList<ManagedFieldsEntry> entries = readManagedFields(*live);
    const Conflicts conflicts = findConflicts(*live, applied, intent, entries, manager);
    if (!conflicts.empty() && !force)
        return conflictError(conflicts);
    QJsonObject intentObject = applied;
    intentObject.remove(QStringLiteral("status"));
    QJsonObject merged = deepMerge(withoutWithdrawnFields(*live, intent, entries, manager), intentObject);
    takeOwnership(&entries, *live, applied, intent, manager, apiVersion, force);
    const FieldSet present = ownableFields(merged);
    for (ManagedFieldsEntry &e : entries)
        e.fields &= present;
    writeManagedFields(&merged, entries);
    return merged;
}

} // namespace canary::demo
