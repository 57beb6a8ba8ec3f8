#include "demo/serviceproxy.h"

#include "demo/apiresponse.h"
#include "demo/objectstore.h"

#include <httplib.h>

#include <QElapsedTimer>
#include <QJsonArray>
#include <QUrl>

namespace canary::demo {

namespace {

constexpr int kUpstreamTimeoutSeconds = 30;

// A proxy path's service id, as client-go's SplitSchemeNamePort reads it: NAME, NAME:PORT or SCHEME:NAME:PORT
// (PORT may be empty then), with SCHEME http or https.
struct ServiceId {
    QString scheme;
    QString name;
    QString port;
};

bool splitSchemeNamePort(const QString &id, ServiceId *out)
{
    const QStringList parts = id.split(QLatin1Char(':'));
    if (parts.size() == 1) {
        out->name = parts.at(0);
    } else if (parts.size() == 2) {
        out->name = parts.at(0);
        out->port = parts.at(1);
    } else if (parts.size() == 3) {
        out->scheme = parts.at(0);
        out->name = parts.at(1);
        out->port = parts.at(2);
    } else {
        return false;
    }
    return !out->name.isEmpty()
            && (out->scheme.isEmpty() || out->scheme == QLatin1String("http") || out->scheme == QLatin1String("https"));
}

// The verb a proxied request is authorized for: the HTTP method's, as for any resource.
QString proxyVerb(const std::string &method)
{
    if (method == "POST")
        return QStringLiteral("create");
    if (method == "PUT")
        return QStringLiteral("update");
    if (method == "PATCH")
        return QStringLiteral("patch");
    if (method == "DELETE")
        return QStringLiteral("delete");
    return QStringLiteral("get");
}

Error serviceUnavailable(const QString &message)
{
    return statusError(503, QStringLiteral("ServiceUnavailable"), message);
}

// The Service's port that PORT names: a number is looked up among the Service's ports, a name is taken as it is.
Result<QString> portName(const QJsonObject &service, const ServiceId &id)
{
    bool isNumber = false;
    const qint64 number = id.port.toLongLong(&isNumber);
    if (!isNumber)
        return id.port;
    for (const QJsonValue &p :
         service.value(QLatin1String("spec")).toObject().value(QLatin1String("ports")).toArray()) {
        if (p.toObject().value(QLatin1String("port")).toInt() == number)
            return p.toObject().value(QLatin1String("name")).toString();
    }
    return serviceUnavailable(QStringLiteral("no service port %1 found for service \"%2\"").arg(number).arg(id.name));
}

// The endpoints' ports are the Service's ports, named as they are.
bool hasPortNamed(const QJsonObject &service, const QString &name)
{
    for (const QJsonValue &p :
         service.value(QLatin1String("spec")).toObject().value(QLatin1String("ports")).toArray()) {
        if (p.toObject().value(QLatin1String("name")).toString() == name)
            return true;
    }
    return false;
}

// What follows proxy in the request as sent (still encoded), with its query: the upstream's path.
std::string innerTarget(const httplib::Request &request)
{
    const std::string &raw = request.target.empty() ? request.path : request.target;
    const size_t proxy = raw.find("/proxy", raw.find("/services/"));
    std::string rest = proxy == std::string::npos ? std::string() : raw.substr(proxy + 6);
    if (rest.empty() || rest.front() != '/')
        rest.insert(0, "/");
    return rest;
}

// Why the upstream gave no answer, in the words of kube-apiserver's (Go's) dialer and transport.
QString unreachable(httplib::Error error, const QString &hostPort, qint64 elapsedMs)
{
    switch (error) {
    case httplib::Error::Connection: return QStringLiteral("dial tcp %1: connect: connection refused").arg(hostPort);
    case httplib::Error::ConnectionTimeout: return QStringLiteral("dial tcp %1: i/o timeout").arg(hostPort);
    case httplib::Error::Read:
        return elapsedMs >= kUpstreamTimeoutSeconds * 1000
                ? QStringLiteral("net/http: timeout awaiting response headers")
                : QStringLiteral("read tcp %1: EOF").arg(hostPort);
    default: return QStringLiteral("%1: %2").arg(hostPort, QString::fromStdString(httplib::to_string(error)));
    }
}

// Sends the request on to `upstream` and answers with what comes back.
void forward(const httplib::Request &request, httplib::Response &response, const QUrl &upstream)
{
    const int port = upstream.port(upstream.scheme() == QLatin1String("https") ? 443 : 80);
    const QString hostPort = QStringLiteral("%1:%2").arg(upstream.host()).arg(port);
    httplib::Client client(QStringLiteral("%1://%2").arg(upstream.scheme(), hostPort).toStdString());
    client.set_connection_timeout(kUpstreamTimeoutSeconds, 0);
    client.set_read_timeout(kUpstreamTimeoutSeconds, 0);
    client.set_write_timeout(kUpstreamTimeoutSeconds, 0);
    client.set_url_encode(false); // the path and query go on as the client encoded them
    httplib::Request sent;
    sent.method = request.method;
    std::string base = upstream.path(QUrl::FullyEncoded).toStdString();
    if (!base.empty() && base.back() == '/')
        base.pop_back();
    sent.path = base + innerTarget(request);
    for (const char *header : { "Accept", "Content-Type" }) {
        if (request.has_header(header))
            sent.set_header(header, request.get_header_value(header));
    }
    sent.body = request.body;
    QElapsedTimer elapsed;
    elapsed.start();
    const httplib::Result answer = client.send(sent);
    if (!answer) {
        sendError(response,
                  serviceUnavailable(QStringLiteral("error trying to reach service: ")
                                     + unreachable(answer.error(), hostPort, elapsed.elapsed())));
        return;
    }
    response.status = answer->status;
    const std::string contentType = answer->get_header_value("Content-Type");
    response.set_content(answer->body, contentType.empty() ? "application/octet-stream" : contentType.c_str());
}

} // namespace

ServiceProxy::ServiceProxy(const ObjectStore &store)
    : m_store(store)
{ }

void ServiceProxy::setPrometheusUrl(const QString &url)
{
    std::lock_guard lock(m_mutex);
    m_prometheusUrl = url;
}

QString ServiceProxy::prometheusUrl() const
{
    std::lock_guard lock(m_mutex);
    return m_prometheusUrl;
}

bool ServiceProxy::isProxyPath(const QStringList &segments)
{
    return segments.size() >= 7 && segments.at(0) == QLatin1String("api") && segments.at(1) == QLatin1String("v1")
            && segments.at(2) == QLatin1String("namespaces") && segments.at(4) == QLatin1String("services")
            && segments.at(6) == QLatin1String("proxy");
}

void ServiceProxy::handle(const httplib::Request &request, httplib::Response &response, const QStringList &segments,
                          const UserInfo &user) const
{
    const QString ns = segments.at(3);
    const QString id = segments.at(5);
    const QString verb = proxyVerb(request.method);
    if (!isAllowed(user, verb, QStringLiteral("services/proxy"))) {
        sendJson(response, 403, forbiddenStatus(user, verb, {}, QStringLiteral("services/proxy"), id, ns));
        return;
    }
    const Result<QUrl> endpoint = resolve(ns, id);
    if (endpoint)
        forward(request, response, *endpoint);
    else
        sendError(response, endpoint.error());
}

// As kube-apiserver's ResourceLocation for services: the Service (for a port number), its endpoints, and
// among them one with the port.
Result<QUrl> ServiceProxy::resolve(const QString &ns, const QString &id) const
{
    ServiceId sid;
    if (!splitSchemeNamePort(id, &sid))
        return statusError(400, QStringLiteral("BadRequest"), QStringLiteral("invalid service request \"%1\"").arg(id));
    const Result<QJsonObject> service = m_store.get(*m_store.findType({}, QStringLiteral("services")), ns, sid.name);
    QString port = sid.port;
    bool numeric = false;
    sid.port.toLongLong(&numeric);
    if (numeric) {
        if (!service)
            return service.error();
        const Result<QString> named = portName(*service, sid);
        if (!named)
            return named.error();
        port = *named;
    }
    if (!service) // the Endpoints of a Service exist with it
        return statusError(404, QStringLiteral("NotFound"), QStringLiteral("endpoints \"%1\" not found").arg(sid.name));
    const bool isPrometheus = ns == QLatin1String("istio-system") && sid.name == QLatin1String("prometheus");
    const QString url = isPrometheus ? prometheusUrl() : QString();
    if (url.isEmpty())
        return serviceUnavailable(QStringLiteral("no endpoints available for service \"%1\"").arg(sid.name));
    if (!hasPortNamed(*service, port))
        return serviceUnavailable(QStringLiteral("no endpoints available for service \"%1\"").arg(id));
    return QUrl(url);
}

} // namespace canary::demo
