#include "demo/resourcehandler.h"

#include "demo/admission.h"
#include "demo/apiresponse.h"
#include "demo/apiwatch.h"
#include "demo/faultplan.h"
#include "demo/managedfields.h"
#include "demo/objectstore.h"
#include "demo/scale.h"
#include "demo/selectors.h"
#include "demo/tables.h"

#include <httplib.h>

#include <QJsonArray>

#include <optional>

namespace canary::demo {

namespace {

// Where a resource path points: /api/v1/namespaces/NS/PLURAL/NAME/SUBRESOURCE and its /apis/GROUP twin.
struct ResourcePath {
    QString group;
    QString version;
    QString ns;
    QString plural;
    QString name;
    QString subresource;
};

std::optional<ResourcePath> parseResourcePath(const QStringList &segments)
{
    ResourcePath path;
    QStringList rest;
    if (segments.at(0) == QLatin1String("api")) {
        path.version = segments.at(1);
        rest = segments.mid(2);
    } else {
        if (segments.size() < 4)
            return std::nullopt;
        path.group = segments.at(1);
        path.version = segments.at(2);
        rest = segments.mid(3);
    }
    if (rest.size() >= 3 && rest.at(0) == QLatin1String("namespaces")) {
        path.ns = rest.at(1);
        rest = rest.mid(2);
    }
    if (rest.size() > 3)
        return std::nullopt;
    path.plural = rest.value(0);
    path.name = rest.value(1);
    path.subresource = rest.value(2);
    return path;
}

bool isServed(const ResourceType *type, const ResourcePath &path)
{
    if (!type || !type->versions.contains(path.version) || (!type->namespaced && !path.ns.isEmpty()))
        return false;
    return path.subresource.isEmpty() || path.subresource == QLatin1String("status")
            || (path.subresource == QLatin1String("scale") && servesScale(*type));
}

// The verb a request is authorized for, as kube-apiserver's RequestInfo names it.
QString verbOf(const std::string &method, const QString &name, bool isWatch)
{
    if (method == "GET")
        return !name.isEmpty() ? QStringLiteral("get") : isWatch ? QStringLiteral("watch") : QStringLiteral("list");
    if (method == "POST")
        return QStringLiteral("create");
    if (method == "PUT")
        return QStringLiteral("update");
    if (method == "PATCH")
        return QStringLiteral("patch");
    return name.isEmpty() ? QStringLiteral("deletecollection") : QStringLiteral("delete");
}

// Who manages the fields a write sets: fieldManager, else the User-Agent's product, as kube-apiserver does.
QString fieldManagerOf(const httplib::Request &request)
{
    QString manager = param(request, "fieldManager");
    if (manager.isEmpty())
        manager = qs(request.get_header_value("User-Agent")).section(QLatin1Char('/'), 0, 0).trimmed();
    if (manager.isEmpty())
        manager = QStringLiteral("unknown");
    return manager;
}

// Fields given twice in a JSON body: fieldValidation reports them.
QStringList duplicateFieldsOf(const httplib::Request &request)
{
    const std::string contentType = request.get_header_value("Content-Type");
    const bool jsonBody
            = contentType.rfind("application/json", 0) == 0 || contentType.find("+json") != std::string::npos;
    return jsonBody ? duplicateJsonFields(QByteArray::fromStdString(request.body)) : QStringList();
}

// A merge patch, or a strategic merge patch of a built-in kind, which the demo merges as a merge patch.
bool isMergePatch(const ResourceType &type, const std::string &contentType)
{
    return contentType.rfind("application/merge-patch+json", 0) == 0
            || (type.isBuiltIn() && contentType.rfind("application/strategic-merge-patch+json", 0) == 0);
}

void sendUnsupportedMediaType(httplib::Response &response, const char *accepted)
{
    sendError(response,
              statusError(415, QStringLiteral("UnsupportedMediaType"),
                          QStringLiteral("the body of the request was in an unknown format - accepted media types "
                                         "include: %1")
                                  .arg(QLatin1String(accepted))));
}

} // namespace

// One request on a resource, with what its handlers share: the object it names, the write options, and the
// warnings admission gives, sent as Warning headers with the answer.
struct ResourceHandler::Call {
    Call(const httplib::Request &request, httplib::Response &response, const ResourceType &type, ResourcePath path)
        : request(request)
        , response(response)
        , type(type)
        , path(std::move(path))
        , apiVersion(apiVersionOf(type, this->path.version))
    { }

    const httplib::Request &request;
    httplib::Response &response;
    const ResourceType &type;
    ResourcePath path;
    QString apiVersion;
    bool dryRun = false;
    QString manager;
    FieldValidation validation = FieldValidation::Warn;
    QStringList duplicates;
    QStringList warnings;

    void send(const Result<QJsonObject> &result, int okStatus);
    // Admission of a write: the CRD's schema, then (unless server-side apply did it) field ownership.
    ObjectStore::Admission admission(bool recordManager);
};

void ResourceHandler::Call::send(const Result<QJsonObject> &result, int okStatus)
{
    for (const QString &w : std::as_const(warnings)) {
        const QString quoted = QString(w).replace(QLatin1Char('"'), QStringLiteral("\\\""));
        response.set_header("Warning", QStringLiteral("299 - \"%1\"").arg(quoted).toStdString());
    }
    if (result)
        sendJson(response, okStatus, asVersion(*result, apiVersion));
    else
        sendError(response, result.error());
}

ObjectStore::Admission ResourceHandler::Call::admission(bool recordManager)
{
    return [this, recordManager](const QJsonObject *live, QJsonObject next) -> Result<QJsonObject> {
        Result<QJsonObject> admitted = admitCustomResource(type, std::move(next), validation, duplicates, &warnings);
        if (!admitted || !recordManager)
            return admitted;
        return recordUpdate(live, *admitted, manager, apiVersion);
    };
}

ResourceHandler::ResourceHandler(ObjectStore &store, FaultPlan &faults, const std::atomic<bool> &stopping)
    : m_store(store)
    , m_faults(faults)
    , m_stopping(stopping)
{ }

void ResourceHandler::handle(const httplib::Request &request, httplib::Response &response, const QStringList &segments,
                             const UserInfo &user)
{
    const std::optional<ResourcePath> path = parseResourcePath(segments);
    const ResourceType *type = path ? m_store.findType(path->group, path->plural) : nullptr;
    if (!path || !isServed(type, *path)) {
        sendNotFound(response);
        return;
    }
    Call call(request, response, *type, *path);
    call.dryRun = param(request, "dryRun") == QLatin1String("All");
    if (call.dryRun)
        ++m_dryRuns;
    const std::string &method = request.method;
    const bool isWatch = isWatchRequest(request);
    const QString verb = verbOf(method, path->name, isWatch);
    const QString resource
            = path->subresource.isEmpty() ? path->plural : path->plural + QLatin1Char('/') + path->subresource;
    if (!isAllowed(user, verb, resource)) {
        sendJson(response, 403, forbiddenStatus(user, verb, type->group, resource, path->name, path->ns));
        return;
    }
    call.manager = fieldManagerOf(request);
    const Result<FieldValidation> validation = parseFieldValidation(param(request, "fieldValidation"));
    if (method != "GET" && method != "DELETE" && !validation) {
        sendError(response, validation.error());
        return;
    }
    if (validation)
        call.validation = *validation;
    if (path->subresource == QLatin1String("scale")) {
        scale(call);
        return;
    }
    call.duplicates = duplicateFieldsOf(request);
    const bool named = !path->name.isEmpty();
    if (method == "GET" && !named && isWatch)
        serveWatch(m_store, m_faults, m_stopping, request, response, *type, path->ns, call.apiVersion);
    else if (method == "GET" && !named)
        list(call);
    else if (method == "GET")
        get(call);
    else if (method == "POST" && !named)
        create(call);
    else if (method == "PUT" && named)
        replace(call);
    else if (method == "PATCH" && named
             && request.get_header_value("Content-Type").rfind("application/apply-patch+yaml", 0) == 0)
        apply(call);
    else if (method == "PATCH" && named)
        mergePatch(call);
    else if (method == "DELETE" && named)
        call.send(m_store.remove(*type, path->ns, path->name, call.dryRun), 200);
    else
        sendMethodNotAllowed(response);
}

void ResourceHandler::list(Call &call)
{
    const httplib::Request &request = call.request;
    qint64 rv = 0;
    QList<QJsonObject> chosen;
    const QString labels = param(request, "labelSelector");
    const QString fields = param(request, "fieldSelector");
    for (const QJsonObject &o : m_store.list(call.type, call.path.ns, &rv)) {
        if ((labels.isEmpty() && fields.isEmpty()) || selectorsMatch(labels, fields, o))
            chosen.append(o);
    }
    const int limit = param(request, "limit").toInt();
    int offset = 0;
    const QString cont = param(request, "continue");
    if (!cont.isEmpty() && takeFault(m_faults.expiredWatches)) { // --fault 410=N: as after an etcd compaction
        sendError(call.response,
                  statusError(410, QStringLiteral("Expired"),
                              QStringLiteral("The provided continue parameter is too old to display a consistent list "
                                             "result. You can start a new list without the continue parameter.")));
        return;
    }
    if (!cont.isEmpty()) {
        const QStringList token = QString::fromUtf8(QByteArray::fromBase64(cont.toLatin1())).split(QLatin1Char(':'));
        offset = token.value(0).toInt();
        rv = token.value(1).toLongLong();
    }
    const int end = limit > 0 ? qMin(int(chosen.size()), offset + limit) : int(chosen.size());
    QJsonArray items;
    for (int i = offset; i < end; ++i)
        items.append(asVersion(chosen.at(i), call.apiVersion));
    QJsonObject meta { { QStringLiteral("resourceVersion"), QString::number(rv) } };
    if (end < chosen.size()) {
        meta.insert(QStringLiteral("continue"),
                    QString::fromLatin1(QStringLiteral("%1:%2").arg(end).arg(rv).toUtf8().toBase64()));
        meta.insert(QStringLiteral("remainingItemCount"), int(chosen.size()) - end);
    }
    QList<QJsonObject> page;
    for (const QJsonValue &item : std::as_const(items))
        page.append(item.toObject());
    if (std::optional<QJsonObject> table
        = wantsTable(request.get_header_value("Accept")) ? asTable(call.type, page, meta) : std::nullopt) {
        sendJson(call.response, 200, *table);
        return;
    }
    sendJson(call.response, 200,
             QJsonObject { { QStringLiteral("kind"), QString(call.type.kind + QStringLiteral("List")) },
                           { QStringLiteral("apiVersion"), call.apiVersion },
                           { QStringLiteral("metadata"), meta },
                           { QStringLiteral("items"), items } });
}

void ResourceHandler::get(Call &call)
{
    const Result<QJsonObject> object = m_store.get(call.type, call.path.ns, call.path.name);
    if (std::optional<QJsonObject> table = object && wantsTable(call.request.get_header_value("Accept"))
                ? asTable(call.type, { asVersion(*object, call.apiVersion) }, {})
                : std::nullopt) {
        sendJson(call.response, 200, *table);
        return;
    }
    call.send(object, 200);
}

void ResourceHandler::create(Call &call)
{
    QJsonObject body;
    if (parseBody(call.request, call.response, &body))
        call.send(m_store.create(call.type, call.path.ns, body, call.dryRun, call.admission(true)), 201);
}

void ResourceHandler::replace(Call &call)
{
    QJsonObject body;
    if (parseBody(call.request, call.response, &body))
        call.send(m_store.replace(call.type, call.path.ns, call.path.name, body, call.dryRun, call.admission(true)),
                  200);
}

// Server-side apply: the body is the manager's whole intent.
void ResourceHandler::apply(Call &call)
{
    if (param(call.request, "fieldManager").isEmpty()) {
        sendError(call.response,
                  statusError(400, QStringLiteral("BadRequest"),
                              QStringLiteral("PATCH %1: fieldManager is required for apply requests")
                                      .arg(qs(call.request.path))));
        return;
    }
    QJsonObject body;
    if (!parseBody(call.request, call.response, &body))
        return;
    if (body.value(QLatin1String("apiVersion")).toString().isEmpty()
        || body.value(QLatin1String("kind")).toString() != call.type.kind) {
        sendError(call.response,
                  statusError(400, QStringLiteral("BadRequest"),
                              QStringLiteral("the apply body must give apiVersion and kind %1").arg(call.type.kind)));
        return;
    }
    const bool force = param(call.request, "force") == QLatin1String("true");
    call.send(m_store.apply(call.type, call.path.ns, call.path.name, body, call.manager, force, call.dryRun,
                            call.admission(false)),
              200);
}

void ResourceHandler::mergePatch(Call &call)
{
    if (!isMergePatch(call.type, call.request.get_header_value("Content-Type"))) {
        sendUnsupportedMediaType(call.response, "application/merge-patch+json, application/apply-patch+yaml");
        return;
    }
    QJsonObject body;
    if (parseBody(call.request, call.response, &body))
        call.send(m_store.mergePatch(call.type, call.path.ns, call.path.name, body, call.dryRun, call.admission(true)),
                  200);
}

// The scale subresource of a Deployment: a Scale read, replaced or merge-patched, and the Deployment's
// replicas written through it (with the scale subresource in managedFields).
void ResourceHandler::scale(Call &call)
{
    const std::string &method = call.request.method;
    const QString &ns = call.path.ns;
    const QString &name = call.path.name;
    if (method == "GET") {
        const Result<QJsonObject> deployment = m_store.get(call.type, ns, name);
        if (deployment)
            sendJson(call.response, 200, scaleOf(*deployment));
        else
            sendError(call.response, deployment.error());
        return;
    }
    if (method != "PUT" && method != "PATCH") {
        sendMethodNotAllowed(call.response);
        return;
    }
    if (method == "PATCH" && !isMergePatch(call.type, call.request.get_header_value("Content-Type"))) {
        sendUnsupportedMediaType(call.response, "application/merge-patch+json, application/strategic-merge-patch+json");
        return;
    }
    QJsonObject body;
    if (!parseBody(call.request, call.response, &body))
        return;
    const QString kind = body.value(QLatin1String("kind")).toString();
    if (method == "PUT" && !kind.isEmpty() && kind != QLatin1String("Scale")) {
        sendError(
                call.response,
                statusError(
                        400, QStringLiteral("BadRequest"),
                        QStringLiteral("the body of a scale request is an autoscaling/v1 Scale, not a %1").arg(kind)));
        return;
    }
    const auto change = [&](const QJsonObject &live) {
        return withScale(live, method == "PUT" ? body : ObjectStore::mergePatchJson(scaleOf(live), body), name);
    };
    const auto admit = [&](const QJsonObject *live, QJsonObject next) -> Result<QJsonObject> {
        return recordUpdate(live, std::move(next), call.manager, call.apiVersion, QStringLiteral("scale"));
    };
    const Result<QJsonObject> written = m_store.update(call.type, ns, name, change, call.dryRun, admit);
    if (written)
        sendJson(call.response, 200, scaleOf(*written));
    else
        sendError(call.response, written.error());
}

} // namespace canary::demo
