#include "demo/apidiscovery.h"

#include "demo/apiresponse.h"
#include "demo/objectstore.h"
#include "demo/scale.h"

#include "core/model/validation.h"

#include <httplib.h>

#include <QJsonArray>

namespace canary::demo {

namespace {

QJsonObject resourceList(const ObjectStore &store, const QString &group, const QString &version)
{
    QJsonArray resources;
    for (const ResourceType &t : store.types()) {
        if (t.group != group || !t.versions.contains(version))
            continue;
        QJsonObject r { { QStringLiteral("name"), t.plural },
                        { QStringLiteral("singularName"), t.singular },
                        { QStringLiteral("namespaced"), t.namespaced },
                        { QStringLiteral("kind"), t.kind },
                        { QStringLiteral("verbs"),
                          QJsonArray { QStringLiteral("create"), QStringLiteral("delete"), QStringLiteral("get"),
                                       QStringLiteral("list"), QStringLiteral("patch"), QStringLiteral("update"),
                                       QStringLiteral("watch") } } };
        if (!t.shortNames.isEmpty())
            r.insert(QStringLiteral("shortNames"), QJsonArray::fromStringList(t.shortNames));
        if (!t.categories.isEmpty())
            r.insert(QStringLiteral("categories"), QJsonArray::fromStringList(t.categories));
        resources.append(r);
        if (servesScale(t)) // kubectl scale finds the Scale's group and version here
            resources.append(QJsonObject {
                    { QStringLiteral("name"), QString(t.plural + QStringLiteral("/scale")) },
                    { QStringLiteral("singularName"), QString() },
                    { QStringLiteral("namespaced"), t.namespaced },
                    { QStringLiteral("group"), QStringLiteral("autoscaling") },
                    { QStringLiteral("version"), QStringLiteral("v1") },
                    { QStringLiteral("kind"), QStringLiteral("Scale") },
                    { QStringLiteral("verbs"),
                      QJsonArray { QStringLiteral("get"), QStringLiteral("patch"), QStringLiteral("update") } } });
    }
    return QJsonObject { { QStringLiteral("kind"), QStringLiteral("APIResourceList") },
                         { QStringLiteral("apiVersion"), QStringLiteral("v1") },
                         { QStringLiteral("groupVersion"),
                           group.isEmpty() ? version : QString(group + QLatin1Char('/') + version) },
                         { QStringLiteral("resources"), resources } };
}

QJsonObject apiGroup(const QString &name, const QStringList &versions)
{
    QJsonArray vs;
    for (const QString &v : versions)
        vs.append(QJsonObject { { QStringLiteral("groupVersion"), QString(name + QLatin1Char('/') + v) },
                                { QStringLiteral("version"), v } });
    return QJsonObject { { QStringLiteral("name"), name },
                         { QStringLiteral("versions"), vs },
                         { QStringLiteral("preferredVersion"), vs.at(0) } };
}

// The review APIs: not stored, create only.
struct ReviewResource {
    const char *group;
    const char *plural;
    const char *kind;
};
constexpr ReviewResource kReviews[] = {
    { "authentication.k8s.io", "selfsubjectreviews", "SelfSubjectReview" },
    { "authorization.k8s.io", "selfsubjectaccessreviews", "SelfSubjectAccessReview" },
};

const ReviewResource *reviewGroup(const QString &group)
{
    for (const ReviewResource &r : kReviews) {
        if (group == QLatin1String(r.group))
            return &r;
    }
    return nullptr;
}

QJsonObject reviewResourceList(const ReviewResource &r)
{
    return QJsonObject {
        { QStringLiteral("kind"), QStringLiteral("APIResourceList") },
        { QStringLiteral("apiVersion"), QStringLiteral("v1") },
        { QStringLiteral("groupVersion"), QString(QLatin1String(r.group) + QStringLiteral("/v1")) },
        { QStringLiteral("resources"),
          QJsonArray { QJsonObject { { QStringLiteral("name"), QLatin1String(r.plural) },
                                     { QStringLiteral("singularName"), QString() },
                                     { QStringLiteral("namespaced"), false },
                                     { QStringLiteral("kind"), QLatin1String(r.kind) },
                                     { QStringLiteral("verbs"), QJsonArray { QStringLiteral("create") } } } } }
    };
}

QStringList groupVersions(const ObjectStore &store, const QString &group)
{
    for (const ResourceType &t : store.types()) {
        if (t.group == group)
            return t.versions;
    }
    return {};
}

} // namespace

bool serveDiscovery(const ObjectStore &store, int port, const QString &path, httplib::Response &response)
{
    if (path == QLatin1String("/version")) {
        sendJson(response, 200,
                 QJsonObject { { QStringLiteral("major"), QStringLiteral("1") },
                               { QStringLiteral("minor"), QStringLiteral("31") },
                               { QStringLiteral("gitVersion"), QStringLiteral("v1.31.0-canarydeck-demo") },
                               { QStringLiteral("gitCommit"), QStringLiteral("canarydeck") },
                               { QStringLiteral("gitTreeState"), QStringLiteral("clean") },
                               { QStringLiteral("buildDate"), QStringLiteral("2026-01-01T00:00:00Z") },
                               { QStringLiteral("goVersion"), QStringLiteral("n/a") },
                               { QStringLiteral("compiler"), QStringLiteral("gcc") },
                               { QStringLiteral("platform"), QStringLiteral("linux/amd64") } });
        return true;
    }
    if (path == QLatin1String("/api")) {
        sendJson(response, 200,
                 QJsonObject {
                         { QStringLiteral("kind"), QStringLiteral("APIVersions") },
                         { QStringLiteral("versions"), QJsonArray { QStringLiteral("v1") } },
                         { QStringLiteral("serverAddressByClientCIDRs"),
                           QJsonArray { QJsonObject { { QStringLiteral("clientCIDR"), QStringLiteral("0.0.0.0/0") },
                                                      { QStringLiteral("serverAddress"),
                                                        QStringLiteral("127.0.0.1:%1").arg(port) } } } } });
        return true;
    }
    if (path == QLatin1String("/apis")) {
        QJsonArray groups;
        QStringList seen;
        for (const ResourceType &t : store.types()) {
            if (t.group.isEmpty() || seen.contains(t.group))
                continue;
            seen.append(t.group);
            groups.append(apiGroup(t.group, t.versions));
        }
        for (const ReviewResource &r : kReviews)
            groups.append(apiGroup(QLatin1String(r.group), { QStringLiteral("v1") }));
        sendJson(response, 200,
                 QJsonObject { { QStringLiteral("kind"), QStringLiteral("APIGroupList") },
                               { QStringLiteral("apiVersion"), QStringLiteral("v1") },
                               { QStringLiteral("groups"), groups } });
        return true;
    }
    if (path == QLatin1String("/api/v1")) {
        sendJson(response, 200, resourceList(store, {}, QStringLiteral("v1")));
        return true;
    }
    const QStringList seg = path.split(QLatin1Char('/'), Qt::SkipEmptyParts);
    if (seg.size() >= 2 && seg.size() <= 3 && seg.at(0) == QLatin1String("apis")) {
        if (const ReviewResource *r = reviewGroup(seg.at(1))) {
            if (seg.size() == 3 && seg.at(2) != QLatin1String("v1"))
                return false;
            QJsonObject group = apiGroup(seg.at(1), { QStringLiteral("v1") });
            group.insert(QStringLiteral("kind"), QStringLiteral("APIGroup"));
            group.insert(QStringLiteral("apiVersion"), QStringLiteral("v1"));
            sendJson(response, 200, seg.size() == 2 ? group : reviewResourceList(*r));
            return true;
        }
    }
    if (seg.size() == 2 && seg.at(0) == QLatin1String("apis")) {
        const QStringList versions = groupVersions(store, seg.at(1));
        if (versions.isEmpty())
            return false;
        QJsonObject group = apiGroup(seg.at(1), versions);
        group.insert(QStringLiteral("kind"), QStringLiteral("APIGroup"));
        group.insert(QStringLiteral("apiVersion"), QStringLiteral("v1"));
        sendJson(response, 200, group);
        return true;
    }
    if (seg.size() == 3 && seg.at(0) == QLatin1String("apis")) {
        if (!groupVersions(store, seg.at(1)).contains(seg.at(2)))
            return false;
        sendJson(response, 200, resourceList(store, seg.at(1), seg.at(2)));
        return true;
    }
    return false;
}

namespace {

// The group versions served, as OpenAPI v3 names them: api/v1, apis/GROUP/VERSION.
QStringList openApiGroupVersions(const ObjectStore &store)
{
    QStringList gvs { QStringLiteral("api/v1") };
    for (const ResourceType &t : store.types()) {
        for (const QString &v : t.versions) {
            const QString gv = t.group.isEmpty() ? QString(QStringLiteral("api/") + v)
                                                 : QString(QStringLiteral("apis/") + t.group + QLatin1Char('/') + v);
            if (!gvs.contains(gv))
                gvs.append(gv);
        }
    }
    return gvs;
}

QJsonObject openApiIndex(const QStringList &gvs)
{
    QJsonObject paths;
    for (const QString &gv : gvs)
        paths.insert(gv,
                     QJsonObject { { QStringLiteral("serverRelativeURL"),
                                     QString(QStringLiteral("/openapi/v3/") + gv + QStringLiteral("?hash=1")) } });
    return QJsonObject { { QStringLiteral("paths"), paths } };
}

// The schema of a kind: Istio's from its CRD, any object for the built-in kinds.
QJsonObject kindSchema(const ResourceType &t, const QString &version, const QJsonObject &gvk)
{
    QJsonObject schema = t.isBuiltIn() ? QJsonObject() : core::istioSchema(t.kind, version);
    if (schema.isEmpty())
        schema = QJsonObject { { QStringLiteral("type"), QStringLiteral("object") },
                               { QStringLiteral("x-kubernetes-preserve-unknown-fields"), true } };
    schema.insert(QStringLiteral("x-kubernetes-group-version-kind"), QJsonArray { gvk });
    return schema;
}

// One operation on a kind: its body and answer are the kind's schema; dryRun and fieldValidation are accepted.
QJsonObject kindOperation(const QJsonObject &gvk, const QString &schemaName)
{
    const QJsonObject stringSchema { { QStringLiteral("type"), QStringLiteral("string") } };
    const QJsonArray parameters { QJsonObject { { QStringLiteral("name"), QStringLiteral("fieldValidation") },
                                                { QStringLiteral("in"), QStringLiteral("query") },
                                                { QStringLiteral("schema"), stringSchema } },
                                  QJsonObject { { QStringLiteral("name"), QStringLiteral("dryRun") },
                                                { QStringLiteral("in"), QStringLiteral("query") },
                                                { QStringLiteral("schema"), stringSchema } } };
    const QJsonObject body { { QStringLiteral("content"),
                               QJsonObject {
                                       { QStringLiteral("application/json"),
                                         QJsonObject { { QStringLiteral("schema"),
                                                         QJsonObject { { QStringLiteral("$ref"),
                                                                         QString(QStringLiteral("#/components/schemas/")
                                                                                 + schemaName) } } } } } } } };
    return QJsonObject { { QStringLiteral("x-kubernetes-group-version-kind"), gvk },
                         { QStringLiteral("parameters"), parameters },
                         { QStringLiteral("requestBody"), body },
                         { QStringLiteral("responses"), QJsonObject { { QStringLiteral("200"), body } } } };
}

QJsonObject openApiDocument(const ObjectStore &store, const QString &gv)
{
    const QStringList parts = gv.split(QLatin1Char('/'));
    const QString group = parts.size() == 3 ? parts.at(1) : QString();
    const QString version = parts.constLast();
    QJsonObject paths;
    QJsonObject components;
    for (const ResourceType &t : store.types()) {
        if (t.group != group || !t.versions.contains(version))
            continue;
        const QJsonObject gvk { { QStringLiteral("group"), t.group },
                                { QStringLiteral("version"), version },
                                { QStringLiteral("kind"), t.kind } };
        const QString schemaName = (t.group.isEmpty() ? QStringLiteral("io.k8s.api.core.")
                                                      : QStringLiteral("io.canarydeck.") + t.group + QLatin1Char('.'))
                + version + QLatin1Char('.') + t.kind;
        components.insert(schemaName, kindSchema(t, version, gvk));
        const QJsonObject op = kindOperation(gvk, schemaName);
        const QString base = QLatin1Char('/') + gv
                + (t.namespaced ? QStringLiteral("/namespaces/{namespace}/") : QStringLiteral("/")) + t.plural;
        paths.insert(base, QJsonObject { { QStringLiteral("post"), op }, { QStringLiteral("get"), op } });
        paths.insert(base + QStringLiteral("/{name}"),
                     QJsonObject { { QStringLiteral("get"), op },
                                   { QStringLiteral("put"), op },
                                   { QStringLiteral("patch"), op },
                                   { QStringLiteral("delete"), op } });
    }
    return QJsonObject { { QStringLiteral("openapi"), QStringLiteral("3.0.0") },
                         { QStringLiteral("info"),
                           QJsonObject { { QStringLiteral("title"), QStringLiteral("Kubernetes") },
                                         { QStringLiteral("version"), QStringLiteral("v1.31.0") } } },
                         { QStringLiteral("paths"), paths },
                         { QStringLiteral("components"), QJsonObject { { QStringLiteral("schemas"), components } } } };
}

} // namespace

bool serveOpenApi(const ObjectStore &store, const QString &path, httplib::Response &response)
{
    if (!path.startsWith(QLatin1String("/openapi/v3")))
        return false;
    const QStringList gvs = openApiGroupVersions(store);
    if (path == QLatin1String("/openapi/v3") || path == QLatin1String("/openapi/v3/")) {
        sendJson(response, 200, openApiIndex(gvs));
        return true;
    }
    const QString gv = path.mid(QStringLiteral("/openapi/v3/").size());
    if (!gvs.contains(gv))
        return false;
    sendJson(response, 200, openApiDocument(store, gv));
    return true;
}

} // namespace canary::demo
