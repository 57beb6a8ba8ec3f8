#include "demo/apiresponse.h"

#include "demo/objectstore.h"
#include "k8s/yaml.h"

#include <httplib.h>

#include <QJsonDocument>

#include <algorithm>

#include <zlib.h>

namespace canary::demo {

void sendJson(httplib::Response &response, int status, const QJsonObject &object)
{
    response.status = status;
    response.set_content(QJsonDocument(object).toJson(QJsonDocument::Compact).toStdString(), "application/json");
}

void sendError(httplib::Response &response, const Error &error)
{
    sendJson(response, error.httpStatus, statusJson(error));
}

void sendNotFound(httplib::Response &response)
{
    sendError(response,
              statusError(404, QStringLiteral("NotFound"),
                          QStringLiteral("the server could not find the requested resource")));
}

void sendMethodNotAllowed(httplib::Response &response)
{
    sendError(response,
              statusError(405, QStringLiteral("MethodNotAllowed"),
                          QStringLiteral("the server does not allow this method on the requested resource")));
}

namespace {

// gzip at level 1, as kube-apiserver compresses; false leaves the body as it was.
bool gzip(std::string *body)
{
    z_stream z {};
    if (deflateInit2(&z, 1, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
        return false;
    std::string gz(deflateBound(&z, uLong(body->size())), '\0');
    z.next_in = reinterpret_cast<Bytef *>(body->data());
    z.avail_in = uInt(body->size());
    z.next_out = reinterpret_cast<Bytef *>(gz.data());
    z.avail_out = uInt(gz.size());
    const bool done = deflate(&z, Z_FINISH) == Z_STREAM_END;
    if (done) {
        gz.resize(z.total_out);
        *body = std::move(gz);
    }
    deflateEnd(&z);
    return done;
}

} // namespace

// Gzip for bodies of 128 KiB or more when the client accepts it, and no other encoding. Left to itself, httplib
// answers any client that names "br" (Qt does, kubectl does not) with brotli at its slowest quality: about 340 ms for
// a 200 KiB list page. Bodies go out through a sized content provider, which httplib sends as it is; streams
// (watches) are content providers already and are left alone.
void encodeLikeKubeApiserver(const httplib::Request &request, httplib::Response &response)
{
    if (response.body.empty())
        return;
    auto body = std::make_shared<std::string>(std::move(response.body));
    response.body.clear();
    const std::string accepted = request.get_header_value("Accept-Encoding");
    if (body->size() >= 128 * 1024 && accepted.find("gzip") != std::string::npos && gzip(body.get()))
        response.set_header("Content-Encoding", "gzip");
    const std::string contentType = response.get_header_value("Content-Type");
    response.headers.erase("Content-Type");
    response.set_content_provider(body->size(), contentType.c_str(),
                                  [body](size_t offset, size_t length, httplib::DataSink &sink) {
                                      return sink.write(body->data() + offset, std::min(length, body->size() - offset));
                                  });
}

QString qs(const std::string &s)
{
    return QString::fromStdString(s);
}

QString param(const httplib::Request &request, const char *name)
{
    return request.has_param(name) ? qs(request.get_param_value(name)) : QString();
}

bool isWatchRequest(const httplib::Request &request)
{
    const QString watch = param(request, "watch");
    return watch == QLatin1String("1") || watch == QLatin1String("true");
}

bool parseBody(const httplib::Request &request, httplib::Response &response, QJsonObject *out)
{
    const QByteArray body = QByteArray::fromStdString(request.body);
    QJsonParseError error;
    const QJsonDocument doc = QJsonDocument::fromJson(body, &error);
    if (doc.isObject()) {
        *out = doc.object();
        return true;
    }
    const Result<QJsonValue> yaml = k8s::parseYaml(body);
    if (yaml && yaml->isObject()) {
        *out = yaml->toObject();
        return true;
    }
    sendError(response,
              statusError(400, QStringLiteral("BadRequest"),
                          QStringLiteral("the request body is not a JSON object: %1").arg(error.errorString())));
    return false;
}

QString apiVersionOf(const ResourceType &type, const QString &version)
{
    return type.group.isEmpty() ? version : type.group + QLatin1Char('/') + version;
}

QJsonObject asVersion(QJsonObject object, const QString &apiVersion)
{
    object.insert(QStringLiteral("apiVersion"), apiVersion);
    return object;
}

} // namespace canary::demo
