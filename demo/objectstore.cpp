#include "demo/objectstore.h"
#include "core/model/istio.h"

#include "demo/managedfields.h"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>
#include <QRandomGenerator>
#include <QUuid>

#include <optional>

namespace canary::demo {

Error statusError(int code, const QString &reason, const QString &message)
{
    Error e;
    e.httpStatus = code;
    e.reason = reason;
    e.message = message;
    return e;
}

QJsonObject statusJson(const Error &error)
{
    QJsonObject status {
        { QStringLiteral("kind"), QStringLiteral("Status") }, { QStringLiteral("apiVersion"), QStringLiteral("v1") },
        { QStringLiteral("metadata"), QJsonObject() },        { QStringLiteral("status"), QStringLiteral("Failure") },
        { QStringLiteral("message"), error.message },         { QStringLiteral("reason"), error.reason },
        { QStringLiteral("code"), error.httpStatus }
    };
    if (!error.causes.isEmpty()) {
        QJsonArray causes;
        for (const QString &c : error.causes) {
            const int colon = c.indexOf(QLatin1String(": "));
            const bool managers = error.reason == QLatin1String("Conflict");
            causes.append(QJsonObject {
                    { QStringLiteral("reason"),
                      managers ? QStringLiteral("FieldManagerConflict") : QStringLiteral("FieldValueInvalid") },
                    { QStringLiteral("field"), colon > 0 ? c.left(colon) : QString() },
                    { QStringLiteral("message"), colon > 0 ? c.mid(colon + 2) : c } });
        }
        status.insert(QStringLiteral("details"), QJsonObject { { QStringLiteral("causes"), causes } });
    }
    return status;
}

namespace {

QString nowRfc3339()
{
    return QDateTime::currentDateTimeUtc().toString(Qt::ISODate);
}

QString groupResource(const ResourceType &type)
{
    return type.group.isEmpty() ? type.plural : type.plural + QLatin1Char('.') + type.group;
}

QString randomSuffix(int length)
{
    static const char alphabet[] = "bcdfghjklmnpqrstvwxz2456789";
    QString s;
    for (int i = 0; i < length; ++i)
        s += QLatin1Char(alphabet[QRandomGenerator::global()->bounded(int(sizeof alphabet - 1))]);
    return s;
}

// A Running, Ready pod of a Deployment's template, as its ReplicaSet would create it.
QJsonObject podOf(const QString &deployment, const QString &hash, const QString &podName, const QJsonObject &podLabels,
                  const QJsonObject &templ)
{
    return QJsonObject {
        { QStringLiteral("apiVersion"), QStringLiteral("v1") },
        { QStringLiteral("kind"), QStringLiteral("Pod") },
        { QStringLiteral("metadata"),
          QJsonObject { { QStringLiteral("name"), podName },
                        { QStringLiteral("labels"), podLabels },
                        { QStringLiteral("annotations"),
                          QJsonObject { { QStringLiteral("canarydeck.io/deployment"), deployment } } },
                        { QStringLiteral("ownerReferences"),
                          QJsonArray { QJsonObject {
                                  { QStringLiteral("apiVersion"), QStringLiteral("apps/v1") },
                                  { QStringLiteral("kind"), QStringLiteral("ReplicaSet") },
                                  { QStringLiteral("name"), QString(deployment + QLatin1Char('-') + hash) },
                                  { QStringLiteral("controller"), true } } } } } },
        { QStringLiteral("spec"), templ.value(QLatin1String("spec")) },
        { QStringLiteral("status"),
          QJsonObject { { QStringLiteral("phase"), QStringLiteral("Running") },
                        { QStringLiteral("podIP"),
                          QStringLiteral("10.244.0.%1").arg(QRandomGenerator::global()->bounded(2, 254)) },
                        { QStringLiteral("conditions"),
                          QJsonArray { QJsonObject { { QStringLiteral("type"), QStringLiteral("Ready") },
                                                     { QStringLiteral("status"), QStringLiteral("True") } } } } } },
    };
}

} // namespace

ObjectStore::ObjectStore()
{
    const QStringList istio { QStringLiteral("v1"), QStringLiteral("v1beta1"), QStringLiteral("v1alpha3") };
    const QStringList v1 { QStringLiteral("v1") };
    m_types = {
        { {},
          QStringLiteral("Namespace"),
          QStringLiteral("namespaces"),
          QStringLiteral("namespace"),
          false,
          v1,
          { QStringLiteral("ns") },
          {} },
        { {},
          QStringLiteral("Service"),
          QStringLiteral("services"),
          QStringLiteral("service"),
          true,
          v1,
          { QStringLiteral("svc") },
          { QStringLiteral("all") } },
        { {},
          QStringLiteral("Pod"),
          QStringLiteral("pods"),
          QStringLiteral("pod"),
          true,
          v1,
          { QStringLiteral("po") },
          { QStringLiteral("all") } },
        { QStringLiteral("apps"),
          QStringLiteral("Deployment"),
          QStringLiteral("deployments"),
          QStringLiteral("deployment"),
          true,
          v1,
          { QStringLiteral("deploy") },
          { QStringLiteral("all") } },
        { QStringLiteral("coordination.k8s.io"),
          QStringLiteral("Lease"),
          QStringLiteral("leases"),
          QStringLiteral("lease"),
          true,
          v1,
          {},
          {} },
        { core::kIstioGroup,
          QStringLiteral("VirtualService"),
          QStringLiteral("virtualservices"),
          QStringLiteral("virtualservice"),
          true,
          istio,
          { QStringLiteral("vs") },
          { QStringLiteral("istio-io"), QStringLiteral("networking-istio-io") } },
        { core::kIstioGroup,
          QStringLiteral("DestinationRule"),
          QStringLiteral("destinationrules"),
          QStringLiteral("destinationrule"),
          true,
          istio,
          { QStringLiteral("dr") },
          { QStringLiteral("istio-io"), QStringLiteral("networking-istio-io") } },
        { core::kIstioGroup,
          QStringLiteral("Gateway"),
          QStringLiteral("gateways"),
          QStringLiteral("gateway"),
          true,
          istio,
          { QStringLiteral("gw") },
          { QStringLiteral("istio-io"), QStringLiteral("networking-istio-io") } },
    };
    const ResourceType *ns = findType({}, QStringLiteral("namespaces"));
    for (const char *name : { "default", "istio-system", "kube-system" })
        create(*ns, {},
               QJsonObject { { QStringLiteral("metadata"),
                               QJsonObject { { QStringLiteral("name"), QLatin1String(name) } } } });
}

bool ResourceType::isBuiltIn() const
{
    return group.isEmpty() || group == QLatin1String("apps") || group == QLatin1String("coordination.k8s.io");
}

const ResourceType *ObjectStore::findType(const QString &group, const QString &plural) const
{
    for (const ResourceType &t : m_types) {
        if (t.group == group && t.plural == plural)
            return &t;
    }
    return nullptr;
}

const ResourceType *ObjectStore::findKind(const QString &group, const QString &kind) const
{
    for (const ResourceType &t : m_types) {
        if (t.group == group && t.kind == kind)
            return &t;
    }
    return nullptr;
}

Result<QJsonObject> ObjectStore::get(const ResourceType &type, const QString &ns, const QString &name) const
{
    std::lock_guard lock(m_mutex);
    const auto it = m_objects.find(Key { type.group, type.plural, type.namespaced ? ns : QString(), name });
    if (it == m_objects.end())
        return statusError(404, QStringLiteral("NotFound"),
                           QStringLiteral("%1 \"%2\" not found").arg(groupResource(type), name));
    return it->second;
}

QList<QJsonObject> ObjectStore::list(const ResourceType &type, const QString &ns, qint64 *resourceVersion) const
{
    std::lock_guard lock(m_mutex);
    QList<QJsonObject> out;
    // The keys sort by group, plural, namespace, name: one kind (in one namespace) is one run of them,
    // found without walking the whole store (a page of a list of 10,000 would walk it every time).
    const bool oneNamespace = !ns.isEmpty() && type.namespaced;
    for (auto it = m_objects.lower_bound(Key { type.group, type.plural, oneNamespace ? ns : QString(), QString() });
         it != m_objects.end(); ++it) {
        const Key &key = it->first;
        if (std::get<0>(key) != type.group || std::get<1>(key) != type.plural
            || (oneNamespace && std::get<2>(key) != ns))
            break;
        out.append(it->second);
    }
    if (resourceVersion)
        *resourceVersion = m_resourceVersion;
    return out;
}

QList<QJsonObject> ObjectStore::snapshot(const QString &group, const QString &plural) const
{
    const ResourceType *type = findType(group, plural);
    return type ? list(*type, {}, nullptr) : QList<QJsonObject> {};
}

Result<QJsonObject> ObjectStore::create(const ResourceType &type, const QString &ns, QJsonObject object, bool dryRun,
                                        const Admission &admit)
{
    QJsonObject meta = object.value(QLatin1String("metadata")).toObject();
    QString name = meta.value(QLatin1String("name")).toString();
    if (name.isEmpty() && !meta.value(QLatin1String("generateName")).toString().isEmpty()) {
        name = meta.value(QLatin1String("generateName")).toString() + randomSuffix(5);
        meta.insert(QStringLiteral("name"), name);
        object.insert(QStringLiteral("metadata"), meta);
    }
    std::lock_guard lock(m_mutex);
    return write(type, ns, name, object, true, false, dryRun, admit);
}

Result<QJsonObject> ObjectStore::replace(const ResourceType &type, const QString &ns, const QString &name,
                                         QJsonObject object, bool dryRun, const Admission &admit)
{
    std::lock_guard lock(m_mutex);
    return write(type, ns, name, object, false, !type.isBuiltIn(), dryRun, admit);
}

Result<QJsonObject> ObjectStore::apply(const ResourceType &type, const QString &ns, const QString &name,
                                       const QJsonObject &applied, const QString &manager, bool force, bool dryRun,
                                       const Admission &admit)
{
    std::lock_guard lock(m_mutex);
    const auto it = m_objects.find(Key { type.group, type.plural, type.namespaced ? ns : QString(), name });
    const QJsonObject *live = it == m_objects.end() ? nullptr : &it->second;
    QJsonObject intent = applied;
    const QString apiVersion = intent.value(QLatin1String("apiVersion")).toString();
    if (!live) {
        QJsonObject meta = intent.value(QLatin1String("metadata")).toObject();
        meta.remove(QStringLiteral("resourceVersion"));
        intent.insert(QStringLiteral("metadata"), meta);
    }
    Result<QJsonObject> merged = serverSideApply(live, intent, manager, apiVersion, force);
    if (!merged)
        return merged;
    QJsonObject object = *merged;
    QJsonObject meta = object.value(QLatin1String("metadata")).toObject();
    const QString wantedRv
            = applied.value(QLatin1String("metadata")).toObject().value(QLatin1String("resourceVersion")).toString();
    if (live) // a resourceVersion in the intent is a precondition; otherwise the live one
        meta.insert(QStringLiteral("resourceVersion"),
                    wantedRv.isEmpty()
                            ? live->value(QLatin1String("metadata")).toObject().value(QLatin1String("resourceVersion"))
                            : QJsonValue(wantedRv));
    object.insert(QStringLiteral("metadata"), meta);
    return write(type, ns, name, object, !live, false, dryRun, admit);
}

QJsonObject ObjectStore::mergePatchJson(const QJsonObject &target, const QJsonObject &patch)
{
    QJsonObject out = target;
    for (auto it = patch.begin(); it != patch.end(); ++it) {
        if (it.value().isNull())
            out.remove(it.key());
        else if (it.value().isObject())
            out.insert(it.key(), mergePatchJson(out.value(it.key()).toObject(), it.value().toObject()));
        else
            out.insert(it.key(), it.value());
    }
    return out;
}

Result<QJsonObject> ObjectStore::mergePatch(const ResourceType &type, const QString &ns, const QString &name,
                                            const QJsonObject &patch, bool dryRun, const Admission &admit)
{
    return update(
            type, ns, name,
            [&](const QJsonObject &live) -> Result<QJsonObject> {
                const QString wantedRv = patch.value(QLatin1String("metadata"))
                                                 .toObject()
                                                 .value(QLatin1String("resourceVersion"))
                                                 .toString();
                QJsonObject merged = mergePatchJson(live, patch);
                if (wantedRv.isEmpty()) {
                    QJsonObject meta = merged.value(QLatin1String("metadata")).toObject();
                    meta.insert(
                            QStringLiteral("resourceVersion"),
                            live.value(QLatin1String("metadata")).toObject().value(QLatin1String("resourceVersion")));
                    merged.insert(QStringLiteral("metadata"), meta);
                }
                return merged;
            },
            dryRun, admit);
}

Result<QJsonObject> ObjectStore::update(const ResourceType &type, const QString &ns, const QString &name,
                                        const Change &change, bool dryRun, const Admission &admit)
{
    std::lock_guard lock(m_mutex);
    const auto it = m_objects.find(Key { type.group, type.plural, type.namespaced ? ns : QString(), name });
    if (it == m_objects.end())
        return statusError(404, QStringLiteral("NotFound"),
                           QStringLiteral("%1 \"%2\" not found").arg(groupResource(type), name));
    Result<QJsonObject> changed = change(it->second);
    if (!changed)
        return changed;
    return write(type, ns, name, *changed, false, false, dryRun, admit);
}

std::optional<Error> ObjectStore::identityError(const ResourceType &type, const QString &ns, const QString &name,
                                                const QJsonObject &meta) const
{
    if (name.isEmpty())
        return statusError(
                422, QStringLiteral("Invalid"),
                QStringLiteral("%1 \"\" is invalid: metadata.name: Required value: name or generateName is required")
                        .arg(type.kind));
    if (meta.contains(QLatin1String("name")) && meta.value(QLatin1String("name")).toString() != name)
        return statusError(400, QStringLiteral("BadRequest"),
                           QStringLiteral("the name of the object (%1) does not match the name on the URL (%2)")
                                   .arg(meta.value(QLatin1String("name")).toString(), name));
    const QString objectNs = meta.value(QLatin1String("namespace")).toString();
    if (type.namespaced && !objectNs.isEmpty() && objectNs != ns)
        return statusError(
                400, QStringLiteral("BadRequest"),
                QStringLiteral(
                        "the namespace of the provided object does not match the namespace sent on the request"));
    if (type.namespaced
        && m_objects.find(Key { QString(), QStringLiteral("namespaces"), QString(), ns }) == m_objects.end())
        return statusError(404, QStringLiteral("NotFound"), QStringLiteral("namespaces \"%1\" not found").arg(ns));
    return std::nullopt;
}

Result<QJsonObject> ObjectStore::write(const ResourceType &type, const QString &ns, const QString &name,
                                       QJsonObject object, bool create, bool requireVersion, bool dryRun,
                                       const Admission &admit)
{
    const QString kindName = type.kind;
    QJsonObject meta = object.value(QLatin1String("metadata")).toObject();
    if (const std::optional<Error> refused = identityError(type, ns, name, meta))
        return *refused;
    const Key key { type.group, type.plural, type.namespaced ? ns : QString(), name };
    const auto existing = m_objects.find(key);
    if (create && existing != m_objects.end())
        return statusError(409, QStringLiteral("AlreadyExists"),
                           QStringLiteral("%1 \"%2\" already exists").arg(groupResource(type), name));
    if (!create && existing == m_objects.end())
        return statusError(404, QStringLiteral("NotFound"),
                           QStringLiteral("%1 \"%2\" not found").arg(groupResource(type), name));
    const QString givenRv = meta.value(QLatin1String("resourceVersion")).toString();
    if (!create) {
        const QJsonObject oldMeta = existing->second.value(QLatin1String("metadata")).toObject();
        if (givenRv.isEmpty() && requireVersion)
            return statusError(
                    422, QStringLiteral("Invalid"),
                    QStringLiteral("%1.%2 \"%3\" is invalid: metadata.resourceVersion: Invalid value: 0x0: must be "
                                   "specified for an update")
                            .arg(kindName, type.group, name));
        if (!givenRv.isEmpty() && givenRv != oldMeta.value(QLatin1String("resourceVersion")).toString())
            return statusError(
                    409, QStringLiteral("Conflict"),
                    QStringLiteral("Operation cannot be fulfilled on %1 \"%2\": the object has been modified; please "
                                   "apply your changes to the latest version and try again")
                            .arg(groupResource(type), name));
        meta.insert(QStringLiteral("uid"), oldMeta.value(QLatin1String("uid")));
        meta.insert(QStringLiteral("creationTimestamp"), oldMeta.value(QLatin1String("creationTimestamp")));
        const qint64 generation = oldMeta.value(QLatin1String("generation")).toInteger(1);
        const bool specChanged = existing->second.value(QLatin1String("spec")) != object.value(QLatin1String("spec"));
        meta.insert(QStringLiteral("generation"), specChanged ? generation + 1 : generation);
        if (object.value(QLatin1String("status")).isUndefined() && existing->second.contains(QLatin1String("status")))
            object.insert(QStringLiteral("status"), existing->second.value(QLatin1String("status")));
    } else {
        meta.insert(QStringLiteral("uid"), QUuid::createUuid().toString(QUuid::WithoutBraces));
        meta.insert(QStringLiteral("creationTimestamp"), nowRfc3339());
        meta.insert(QStringLiteral("generation"), 1);
    }
    meta.insert(QStringLiteral("name"), name);
    if (type.namespaced)
        meta.insert(QStringLiteral("namespace"), ns);
    else
        meta.remove(QStringLiteral("namespace"));
    if (type.plural == QLatin1String("namespaces"))
        object.insert(QStringLiteral("status"), QJsonObject { { QStringLiteral("phase"), QStringLiteral("Active") } });
    object.insert(QStringLiteral("kind"), type.kind);
    if (!object.contains(QLatin1String("apiVersion")))
        object.insert(QStringLiteral("apiVersion"),
                      type.group.isEmpty() ? type.versions.constFirst()
                                           : type.group + QLatin1Char('/') + type.versions.constFirst());
    if (admit) {
        object.insert(QStringLiteral("metadata"), meta);
        Result<QJsonObject> admitted = admit(create ? nullptr : &existing->second, object);
        if (!admitted)
            return admitted;
        object = *admitted;
        meta = object.value(QLatin1String("metadata")).toObject();
    }
    if (dryRun) {
        meta.insert(QStringLiteral("resourceVersion"), create ? QString() : givenRv);
        object.insert(QStringLiteral("metadata"), meta);
        return object;
    }
    meta.insert(QStringLiteral("resourceVersion"), QString::number(++m_resourceVersion));
    object.insert(QStringLiteral("metadata"), meta);
    m_objects[key] = object;
    record(type, ns, create ? QStringLiteral("ADDED") : QStringLiteral("MODIFIED"), object);
    if (type.plural == QLatin1String("deployments"))
        reconcileDeployment(ns, object, false);
    return object;
}

Result<QJsonObject> ObjectStore::remove(const ResourceType &type, const QString &ns, const QString &name, bool dryRun)
{
    std::lock_guard lock(m_mutex);
    return removeLocked(type, ns, name, dryRun);
}

Result<QJsonObject> ObjectStore::removeLocked(const ResourceType &type, const QString &ns, const QString &name,
                                              bool dryRun)
{
    const auto it = m_objects.find(Key { type.group, type.plural, type.namespaced ? ns : QString(), name });
    if (it == m_objects.end())
        return statusError(404, QStringLiteral("NotFound"),
                           QStringLiteral("%1 \"%2\" not found").arg(groupResource(type), name));
    QJsonObject object = it->second;
    if (dryRun)
        return object;
    m_objects.erase(it);
    QJsonObject meta = object.value(QLatin1String("metadata")).toObject();
    meta.insert(QStringLiteral("resourceVersion"), QString::number(++m_resourceVersion));
    object.insert(QStringLiteral("metadata"), meta);
    record(type, ns, QStringLiteral("DELETED"), object);
    if (type.plural == QLatin1String("deployments"))
        reconcileDeployment(ns, object, true);
    return object;
}

void ObjectStore::record(const ResourceType &type, const QString &ns, const QString &eventType,
                         const QJsonObject &object)
{
    m_log.push_back(WatchEvent { m_resourceVersion, eventType, type.group, type.plural,
                                 type.namespaced ? ns : QString(), object });
    while (m_log.size() > 20000)
        m_log.pop_front();
    ++m_generation;
    m_changed.notify_all();
}

// A Deployment's pods exist at once and are Running: enough for subsets to show pod counts.
void ObjectStore::reconcileDeployment(const QString &ns, const QJsonObject &deployment, bool deleted)
{
    const ResourceType *pods = findType({}, QStringLiteral("pods"));
    const QString name = deployment.value(QLatin1String("metadata")).toObject().value(QLatin1String("name")).toString();
    QStringList owned;
    for (const auto &[key, pod] : m_objects) {
        if (std::get<1>(key) == QLatin1String("pods") && std::get<2>(key) == ns
            && pod.value(QLatin1String("metadata"))
                            .toObject()
                            .value(QLatin1String("annotations"))
                            .toObject()
                            .value(QLatin1String("canarydeck.io/deployment"))
                            .toString()
                    == name)
            owned.append(std::get<3>(key));
    }
    const QJsonObject spec = deployment.value(QLatin1String("spec")).toObject();
    const QJsonObject templ = spec.value(QLatin1String("template")).toObject();
    const QJsonObject labels
            = templ.value(QLatin1String("metadata")).toObject().value(QLatin1String("labels")).toObject();
    const int replicas = deleted ? 0 : spec.value(QLatin1String("replicas")).toInt(1);
    const QString hash
            = QString::number(qHash(QJsonDocument(templ).toJson(QJsonDocument::Compact)) % 0xffffffffu, 16).left(10);
    // Pods of an older template go; pods of the current one are kept up to the replica count.
    QStringList current;
    for (const QString &pod : owned) {
        if (pod.startsWith(name + QLatin1Char('-') + hash + QLatin1Char('-')) && current.size() < replicas)
            current.append(pod);
        else
            removeLocked(*pods, ns, pod, false);
    }
    while (current.size() < replicas) {
        const QString podName = name + QLatin1Char('-') + hash + QLatin1Char('-') + randomSuffix(5);
        QJsonObject podLabels = labels;
        podLabels.insert(QStringLiteral("pod-template-hash"), hash);
        const QJsonObject pod = podOf(name, hash, podName, podLabels, templ);
        write(*pods, ns, podName, pod, true, false, false);
        current.append(podName);
    }
    if (!deleted) {
        const ResourceType *deployments = findType(QStringLiteral("apps"), QStringLiteral("deployments"));
        const Key key { deployments->group, deployments->plural, ns, name };
        QJsonObject updated = m_objects[key];
        const QJsonObject status {
            { QStringLiteral("replicas"), replicas },
            { QStringLiteral("readyReplicas"), replicas },
            { QStringLiteral("availableReplicas"), replicas },
            { QStringLiteral("updatedReplicas"), replicas },
            { QStringLiteral("observedGeneration"),
              updated.value(QLatin1String("metadata")).toObject().value(QLatin1String("generation")) }
        };
        if (updated.value(QLatin1String("status")).toObject() != status) {
            updated.insert(QStringLiteral("status"), status);
            QJsonObject meta = updated.value(QLatin1String("metadata")).toObject();
            meta.insert(QStringLiteral("resourceVersion"), QString::number(++m_resourceVersion));
            updated.insert(QStringLiteral("metadata"), meta);
            m_objects[key] = updated;
            record(*deployments, ns, QStringLiteral("MODIFIED"), updated);
        }
    }
}

qint64 ObjectStore::currentResourceVersion() const
{
    std::lock_guard lock(m_mutex);
    return m_resourceVersion;
}

quint64 ObjectStore::generation() const
{
    std::lock_guard lock(m_mutex);
    return m_generation;
}

bool ObjectStore::eventsAfter(qint64 after, const ResourceType &type, const QString &ns, std::chrono::milliseconds wait,
                              QList<WatchEvent> *out, qint64 *scanned) const
{
    std::unique_lock lock(m_mutex);
    *scanned = qMax(after, m_resourceVersion);
    if (!m_log.empty() && after < m_log.front().resourceVersion - 1)
        return false;
    const auto collect = [&] {
        for (auto it = m_log.rbegin(); it != m_log.rend() && it->resourceVersion > after; ++it) {
            if (it->group == type.group && it->plural == type.plural && (ns.isEmpty() || it->ns == ns))
                out->prepend(*it);
        }
        return !out->isEmpty();
    };
    if (collect())
        return true;
    m_changed.wait_for(lock, wait, [&] { return !m_log.empty() && m_log.back().resourceVersion > after && collect(); });
    *scanned = qMax(after, m_resourceVersion);
    return true;
}

} // namespace canary::demo
