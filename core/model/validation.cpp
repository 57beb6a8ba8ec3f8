#include "core/model/validation.h"

#include "core/model/istio.h"
#include "core/routing/routing.h"
#include "k8s/yaml.h"

#include <QFile>
#include <QHash>
#include <QJsonArray>
#include <QMutex>
#include <QMutexLocker>
#include <QRegularExpression>

#include <cmath>

static void initCoreResources()
{
    Q_INIT_RESOURCE(core_resources);
}

namespace canary::core {

QJsonObject istioSchema(const QString &kind, const QString &version)
{
    static QMutex mutex;
    static QHash<QString, QJsonObject> schemas;
    QMutexLocker lock(&mutex);
    if (schemas.isEmpty()) {
        initCoreResources();
        for (const char *file : { "virtualservices", "destinationrules", "gateways" }) {
            QFile f(QStringLiteral(":/canarydeck/istio/crds/%1.yaml").arg(QLatin1String(file)));
            if (!f.open(QIODevice::ReadOnly))
                continue;
            const auto crd = k8s::parseYaml(f.readAll());
            if (!crd)
                continue;
            const QJsonObject spec = crd->toObject().value(QLatin1String("spec")).toObject();
            const QString k = spec.value(QLatin1String("names")).toObject().value(QLatin1String("kind")).toString();
            for (const QJsonValue &v : spec.value(QLatin1String("versions")).toArray())
                schemas.insert(k + QLatin1Char('/') + v.toObject().value(QLatin1String("name")).toString(),
                               v.toObject()
                                       .value(QLatin1String("schema"))
                                       .toObject()
                                       .value(QLatin1String("openAPIV3Schema"))
                                       .toObject());
        }
    }
    return schemas.value(kind + QLatin1Char('/') + version);
}

namespace {

QString typeName(const QJsonValue &v)
{
    switch (v.type()) {
    case QJsonValue::Null: return QStringLiteral("null");
    case QJsonValue::Bool: return QStringLiteral("boolean");
    case QJsonValue::Double:
        return std::floor(v.toDouble()) == v.toDouble() ? QStringLiteral("integer") : QStringLiteral("number");
    case QJsonValue::String: return QStringLiteral("string");
    case QJsonValue::Array: return QStringLiteral("array");
    case QJsonValue::Object: return QStringLiteral("object");
    default: return QStringLiteral("undefined");
    }
}

QString child(const QString &path, const QString &key)
{
    return path.isEmpty() ? key : path + QLatin1Char('.') + key;
}

using Errors = QList<QPair<QString, QString>>;

void check(const QJsonObject &schema, const QJsonValue &value, const QString &path, Errors *errors);

bool checkType(const QJsonObject &schema, const QJsonValue &value, const QString &path, Errors *errors)
{
    const QString type = schema.value(QLatin1String("type")).toString();
    const QString actual = typeName(value);
    if (schema.value(QLatin1String("x-kubernetes-int-or-string")).toBool()) {
        if (actual == QLatin1String("integer") || actual == QLatin1String("string"))
            return true;
        errors->append({ path, QStringLiteral("must be an integer or a string, not %1").arg(actual) });
        return false;
    }
    if (type.isEmpty() || type == actual || (type == QLatin1String("number") && actual == QLatin1String("integer")))
        return true;
    const bool vowel = type.startsWith(QLatin1Char('a')) || type.startsWith(QLatin1Char('i'))
            || type.startsWith(QLatin1Char('o'));
    errors->append({ path,
                     QStringLiteral("must be %1 %2, not %3")
                             .arg(vowel ? QStringLiteral("an") : QStringLiteral("a"), type, actual) });
    return false;
}

void checkScalar(const QJsonObject &schema, const QJsonValue &value, const QString &path, Errors *errors)
{
    if (schema.contains(QLatin1String("enum"))) {
        bool found = false;
        QStringList allowed;
        for (const QJsonValue &e : schema.value(QLatin1String("enum")).toArray()) {
            found = found || e == value;
            allowed.append(e.toVariant().toString());
        }
        if (!found)
            errors->append({ path,
                             QStringLiteral("unsupported value %1: supported values are %2")
                                     .arg(value.toVariant().toString(), allowed.join(QLatin1String(", "))) });
    }
    if (value.isDouble()) {
        const double d = value.toDouble();
        if (schema.contains(QLatin1String("minimum")) && d < schema.value(QLatin1String("minimum")).toDouble())
            errors->append({ path,
                             QStringLiteral("%1 is below the minimum %2")
                                     .arg(d)
                                     .arg(schema.value(QLatin1String("minimum")).toDouble()) });
        if (schema.contains(QLatin1String("maximum")) && d > schema.value(QLatin1String("maximum")).toDouble())
            errors->append({ path,
                             QStringLiteral("%1 is above the maximum %2")
                                     .arg(d)
                                     .arg(schema.value(QLatin1String("maximum")).toDouble()) });
    }
    if (value.isString() && schema.contains(QLatin1String("maxLength"))
        && value.toString().size() > schema.value(QLatin1String("maxLength")).toInt())
        errors->append(
                { path,
                  QStringLiteral("longer than %1 characters").arg(schema.value(QLatin1String("maxLength")).toInt()) });
}

void checkArray(const QJsonObject &schema, const QJsonArray &a, const QString &path, Errors *errors)
{
    if (schema.contains(QLatin1String("maxItems")) && a.size() > schema.value(QLatin1String("maxItems")).toInt())
        errors->append({ path,
                         QStringLiteral("has %1 items; at most %2 are allowed")
                                 .arg(a.size())
                                 .arg(schema.value(QLatin1String("maxItems")).toInt()) });
    if (schema.contains(QLatin1String("minItems")) && a.size() < schema.value(QLatin1String("minItems")).toInt())
        errors->append({ path,
                         QStringLiteral("has %1 items; at least %2 are needed")
                                 .arg(a.size())
                                 .arg(schema.value(QLatin1String("minItems")).toInt()) });
    const QJsonObject items = schema.value(QLatin1String("items")).toObject();
    if (!items.isEmpty()) {
        for (int i = 0; i < a.size(); ++i)
            check(items, a.at(i), path + QStringLiteral("[%1]").arg(i), errors);
    }
}

void checkObject(const QJsonObject &schema, const QJsonObject &o, const QString &path, Errors *errors)
{
    const QJsonObject properties = schema.value(QLatin1String("properties")).toObject();
    for (const QJsonValue &r : schema.value(QLatin1String("required")).toArray()) {
        if (!o.contains(r.toString()))
            errors->append({ child(path, r.toString()), QStringLiteral("Required value") });
    }
    if (schema.contains(QLatin1String("maxProperties"))
        && o.size() > schema.value(QLatin1String("maxProperties")).toInt())
        errors->append({ path,
                         QStringLiteral("has %1 fields; at most %2 are allowed")
                                 .arg(o.size())
                                 .arg(schema.value(QLatin1String("maxProperties")).toInt()) });
    const QJsonValue additional = schema.value(QLatin1String("additionalProperties"));
    const bool preserve = schema.value(QLatin1String("x-kubernetes-preserve-unknown-fields")).toBool();
    for (auto it = o.begin(); it != o.end(); ++it) {
        if (properties.contains(it.key()))
            check(properties.value(it.key()).toObject(), it.value(), child(path, it.key()), errors);
        else if (additional.isObject())
            check(additional.toObject(), it.value(), child(path, it.key()), errors);
        else if (!properties.isEmpty() && !preserve && !(additional.isBool() && additional.toBool()))
            errors->append({ child(path, it.key()), QStringLiteral("unknown field \"%1\"").arg(it.key()) });
    }
}

void checkAlternatives(const QJsonObject &schema, const QJsonValue &value, const QString &path, Errors *errors)
{
    const auto matches = [&](const QJsonObject &alternative) {
        Errors sub;
        check(alternative, value, path, &sub);
        return sub.isEmpty();
    };
    if (schema.contains(QLatin1String("oneOf"))) {
        int hits = 0;
        for (const QJsonValue &alt : schema.value(QLatin1String("oneOf")).toArray())
            hits += matches(alt.toObject()) ? 1 : 0;
        if (hits != 1)
            errors->append({ path,
                             hits == 0 ? QStringLiteral("matches none of the allowed forms")
                                       : QStringLiteral("sets fields that exclude each other; keep only one") });
    }
    if (schema.contains(QLatin1String("anyOf"))) {
        bool any = false;
        for (const QJsonValue &alt : schema.value(QLatin1String("anyOf")).toArray())
            any = any || matches(alt.toObject());
        if (!any)
            errors->append({ path, QStringLiteral("matches none of the allowed forms") });
    }
    for (const QJsonValue &all : schema.value(QLatin1String("allOf")).toArray())
        check(all.toObject(), value, path, errors);
    if (schema.contains(QLatin1String("not")) && matches(schema.value(QLatin1String("not")).toObject()))
        errors->append({ path, QStringLiteral("sets fields that exclude each other; keep only one") });
}

// An OpenAPI v3 structural schema as Kubernetes applies it (CEL rules aside).
void check(const QJsonObject &schema, const QJsonValue &value, const QString &path, Errors *errors)
{
    if (value.isNull() && schema.value(QLatin1String("nullable")).toBool())
        return;
    if (!checkType(schema, value, path, errors))
        return;
    checkScalar(schema, value, path, errors);
    if (value.isArray())
        checkArray(schema, value.toArray(), path, errors);
    if (value.isObject())
        checkObject(schema, value.toObject(), path, errors);
    checkAlternatives(schema, value, path, errors);
}

QString istioKindVersion(const QJsonObject &object, QString *kind)
{
    const QString apiVersion = object.value(QLatin1String("apiVersion")).toString();
    *kind = object.value(QLatin1String("kind")).toString();
    if (!apiVersion.startsWith(QLatin1String("networking.istio.io/")))
        return {};
    return apiVersion.section(QLatin1Char('/'), 1);
}

} // namespace

QList<Finding> validateSchema(const QJsonObject &object)
{
    QString kind;
    const QString version = istioKindVersion(object, &kind);
    const QString id = kind + QLatin1Char('/') + objectName(object);
    const QJsonObject schema = istioSchema(kind, version);
    if (schema.isEmpty())
        return { Finding { Finding::Severity::Note,
                           id,
                           {},
                           QStringLiteral("%1 %2 is not an Istio networking kind Canary Deck checks; skipped")
                                   .arg(object.value(QLatin1String("apiVersion")).toString(), kind) } };
    // As the API server does: metadata is its own business; spec and status follow the schema.
    QJsonObject body;
    for (const char *k : { "spec", "status" }) {
        if (object.contains(QLatin1String(k)))
            body.insert(QLatin1String(k), object.value(QLatin1String(k)));
    }
    QJsonObject rootSchema = schema;
    QJsonObject props = rootSchema.value(QLatin1String("properties")).toObject();
    props.remove(QStringLiteral("apiVersion"));
    props.remove(QStringLiteral("kind"));
    props.remove(QStringLiteral("metadata"));
    rootSchema.insert(QStringLiteral("properties"), props);
    QList<QPair<QString, QString>> errors;
    check(rootSchema, body, QString(), &errors);
    QList<Finding> out;
    for (const auto &[field, message] : errors)
        out.append(Finding { Finding::Severity::Error, id, field, message });
    if (objectName(object).isEmpty())
        out.append(Finding { Finding::Severity::Error, id, QStringLiteral("metadata.name"),
                             QStringLiteral("Required value") });
    return out;
}

QStringList otherRouteManagers(const QJsonObject &virtualService)
{
    QStringList out;
    for (const QJsonValue &entry :
         virtualService.value(QLatin1String("metadata")).toObject().value(QLatin1String("managedFields")).toArray()) {
        const QJsonObject e = entry.toObject();
        const QString manager = e.value(QLatin1String("manager")).toString();
        const bool ownsRoutes = e.value(QLatin1String("fieldsV1"))
                                        .toObject()
                                        .value(QLatin1String("f:spec"))
                                        .toObject()
                                        .contains(QLatin1String("f:http"));
        if (ownsRoutes && manager != QLatin1String("canarydeck") && !manager.startsWith(QLatin1String("kubectl")))
            out.append(QStringLiteral("\"%1\" (%2)").arg(manager, e.value(QLatin1String("operation")).toString()));
    }
    return out;
}

QJsonObject withRouteOwnersOnly(QJsonObject virtualService)
{
    QJsonObject meta = virtualService.value(QLatin1String("metadata")).toObject();
    if (!meta.contains(QLatin1String("managedFields")))
        return virtualService;
    QJsonArray owners;
    for (const QJsonValue &entry : meta.value(QLatin1String("managedFields")).toArray()) {
        const QJsonObject e = entry.toObject();
        QJsonObject kept { { QStringLiteral("manager"), e.value(QLatin1String("manager")) },
                           { QStringLiteral("operation"), e.value(QLatin1String("operation")) } };
        if (e.value(QLatin1String("fieldsV1"))
                    .toObject()
                    .value(QLatin1String("f:spec"))
                    .toObject()
                    .contains(QLatin1String("f:http")))
            kept.insert(QStringLiteral("fieldsV1"),
                        QJsonObject { { QStringLiteral("f:spec"),
                                        QJsonObject { { QStringLiteral("f:http"), QJsonObject() } } } });
        owners.append(kept);
    }
    meta.insert(QLatin1String("managedFields"), owners);
    virtualService.insert(QLatin1String("metadata"), meta);
    return virtualService;
}

namespace {

// The findings of one release, added as the checks find them.
struct ReleaseChecks {
    const Release &release;
    bool podsKnown;
    QString id;
    QList<Finding> out;

    void error(const QString &field, const QString &message)
    {
        out.append(Finding { Finding::Severity::Error, id, field, message });
    }
    void warning(const QString &field, const QString &message)
    {
        out.append(Finding { Finding::Severity::Warning, id, field, message });
    }

    void stringMatch(const QString &field, const QJsonObject &sm)
    {
        QString why;
        if (sm.contains(QLatin1String("regex")) && !isValidRe2(sm.value(QLatin1String("regex")).toString(), &why))
            error(field + QStringLiteral(".regex"),
                  QStringLiteral("invalid RE2 regular expression \"%1\": %2")
                          .arg(sm.value(QLatin1String("regex")).toString(), why));
    }

    // Returns whether the route matches every request.
    bool matches(const QString &base, const QJsonArray &match)
    {
        bool everything = match.isEmpty();
        for (int b = 0; b < match.size(); ++b) {
            const QJsonObject block = match.at(b).toObject();
            everything = everything || block.isEmpty();
            const QString blockPath = base + QStringLiteral(".match[%1]").arg(b);
            for (const char *f : { "uri", "method", "authority", "scheme" }) {
                if (block.contains(QLatin1String(f)))
                    stringMatch(blockPath + QLatin1Char('.') + QLatin1String(f),
                                block.value(QLatin1String(f)).toObject());
            }
            for (const char *map : { "headers", "queryParams", "withoutHeaders" }) {
                const QJsonObject m = block.value(QLatin1String(map)).toObject();
                for (auto it = m.begin(); it != m.end(); ++it) {
                    const QString field
                            = blockPath + QLatin1Char('.') + QLatin1String(map) + QLatin1Char('.') + it.key();
                    if (QLatin1String(map) != QLatin1String("queryParams") && it.key() != it.key().toLower())
                        error(field,
                              QStringLiteral("header names must be lower-case; use \"%1\"").arg(it.key().toLower()));
                    stringMatch(field, it.value().toObject());
                }
            }
        }
        return everything;
    }

    void destination(const QString &field, const QJsonObject &dest, int weight, bool only, bool first)
    {
        const QJsonObject destination = dest.value(QLatin1String("destination")).toObject();
        const QString host = destination.value(QLatin1String("host")).toString();
        const QString version = versionOfDestination(release, destination);
        const int vi = release.versionIndex(version);
        const QString subset = destination.value(QLatin1String("subset")).toString();
        const bool subsetsKnown = !release.dr.isEmpty() || podsKnown;
        if (!subset.isEmpty() && !subsetsKnown && first)
            warning(QStringLiteral("spec.http"),
                    QStringLiteral("no DestinationRule for host %1 among the objects read: subsets are not checked")
                            .arg(host));
        if (!subset.isEmpty() && subsetsKnown
            && (vi < 0 || (release.versions.at(vi).labels.isEmpty() && !release.versions.at(vi).needsSubset))) {
            QStringList known;
            for (const ReleaseVersion &v : release.versions) {
                if (!v.subset.isEmpty() && (!v.labels.isEmpty() || v.needsSubset))
                    known.append(v.name);
            }
            error(field + QStringLiteral(".destination.subset"),
                  QStringLiteral("subset \"%1\" is not defined in a DestinationRule for host %2 (requests would get "
                                 "503); known subsets: %3")
                          .arg(subset, host,
                               known.isEmpty() ? QStringLiteral("none") : known.join(QLatin1String(", "))));
        } else if (vi >= 0 && podsKnown && release.versions.at(vi).pods == 0 && (weight > 0 || only)) {
            warning(field + QStringLiteral(".destination"),
                    QStringLiteral("version \"%1\" has no pods: its share of the traffic would fail with 503 (no "
                                   "healthy upstream)")
                            .arg(version));
        }
        if (vi >= 0 && podsKnown && release.versions.at(vi).service.isEmpty() && !host.contains(QLatin1Char('*')))
            warning(field + QStringLiteral(".destination.host"),
                    QStringLiteral("host %1 is not a Service of namespace %2 (fine if it lives elsewhere)")
                            .arg(host, release.ns));
    }

    void weights(const QString &base, const QJsonArray &dests, bool first)
    {
        int sum = 0;
        bool anyWeight = false;
        for (int d = 0; d < dests.size(); ++d) {
            const QJsonObject dest = dests.at(d).toObject();
            const QString field = base + QStringLiteral(".route[%1]").arg(d);
            const int weight = dest.value(QLatin1String("weight")).toInt();
            anyWeight = anyWeight || dest.contains(QLatin1String("weight"));
            if (weight < 0 || weight > 100)
                error(field + QStringLiteral(".weight"),
                      QStringLiteral("%1 is not a percentage from 0 to 100").arg(weight));
            sum += weight;
            destination(field, dest, weight, dests.size() == 1, first && d == 0);
        }
        if (dests.size() > 1 && anyWeight && sum == 0)
            error(base + QStringLiteral(".route"),
                  QStringLiteral("total destination weight is 0: no request could be routed"));
        else if (dests.size() > 1 && anyWeight && sum != 100)
            warning(base + QStringLiteral(".route"),
                    QStringLiteral("weights sum to %1; Istio reads them as proportions, but Istio 1.14 and older "
                                   "reject a sum other than 100")
                            .arg(sum));
    }
};

} // namespace

QList<Finding> validateRelease(const Release &release, const QJsonObject &virtualService, bool podsKnown)
{
    ReleaseChecks checks { release, podsKnown, QStringLiteral("VirtualService/") + release.virtualService, {} };
    for (const QString &manager : otherRouteManagers(release.vs))
        checks.warning(QStringLiteral("spec.http"),
                       QStringLiteral("also managed by %1: a controller may set the routes back on its next "
                                      "reconcile; pause it before changing them here")
                               .arg(manager));
    const QJsonArray http
            = virtualService.value(QLatin1String("spec")).toObject().value(QLatin1String("http")).toArray();
    int catchAll = -1;
    for (int i = 0; i < http.size(); ++i) {
        const QJsonObject route = http.at(i).toObject();
        const QString base = QStringLiteral("spec.http[%1]").arg(i);
        if (catchAll >= 0)
            checks.warning(base,
                           QStringLiteral("unreachable: route %1 before it matches every request; move this route in "
                                          "front of it or remove it")
                                   .arg(catchAll));
        if (checks.matches(base, route.value(QLatin1String("match")).toArray()) && catchAll < 0 && i + 1 < http.size())
            catchAll = i;
        checks.weights(base, route.value(QLatin1String("route")).toArray(), i == 0);
    }
    return checks.out;
}

QList<Finding> validateDocuments(const QList<QJsonObject> &documents)
{
    QList<Finding> out;
    NamespaceSnapshot snapshot;
    for (const QJsonObject &d : documents) {
        const QString kind = d.value(QLatin1String("kind")).toString();
        QString k;
        if (istioKindVersion(d, &k).isEmpty()
            || (kind != QLatin1String("VirtualService") && kind != QLatin1String("DestinationRule")
                && kind != QLatin1String("Gateway"))) {
            out.append(Finding { Finding::Severity::Note,
                                 kind + QLatin1Char('/') + objectName(d),
                                 {},
                                 QStringLiteral("%1 is not an Istio networking object; passed over")
                                         .arg(kind.isEmpty() ? QStringLiteral("object without kind") : kind) });
            if (kind == QLatin1String("Service"))
                snapshot.services.append(d);
            else if (kind == QLatin1String("Deployment"))
                snapshot.deployments.append(d);
            continue;
        }
        out.append(validateSchema(d));
        if (kind == QLatin1String("VirtualService"))
            snapshot.virtualServices.append(d);
        else if (kind == QLatin1String("DestinationRule"))
            snapshot.destinationRules.append(d);
    }
    for (const Release &r : buildReleases(snapshot))
        out.append(validateRelease(r, r.vs, false));
    return out;
}

} // namespace canary::core
