#pragma once

#include "k8s/result.h"

#include <QJsonObject>
#include <QString>

#include <string>

namespace httplib {
struct Request;
struct Response;
} // namespace httplib

namespace canary::demo {

struct ResourceType;

// What every handler of the demo API server reads from a request and writes to a response.
void sendJson(httplib::Response &response, int status, const QJsonObject &object);
void sendError(httplib::Response &response, const Error &error);
// The Status answers kube-apiserver gives for a path or a method it does not serve.
void sendNotFound(httplib::Response &response);
void sendMethodNotAllowed(httplib::Response &response);
// As kube-apiserver encodes responses: gzip for large bodies when the client accepts it, nothing else.
void encodeLikeKubeApiserver(const httplib::Request &request, httplib::Response &response);

QString qs(const std::string &s);
QString param(const httplib::Request &request, const char *name);
bool isWatchRequest(const httplib::Request &request);
// The body as a JSON (or YAML) object; answers 400 and returns false when it is not one.
bool parseBody(const httplib::Request &request, httplib::Response &response, QJsonObject *out);

QString apiVersionOf(const ResourceType &type, const QString &version);
QJsonObject asVersion(QJsonObject object, const QString &apiVersion);

} // namespace canary::demo
