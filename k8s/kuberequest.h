#pragma once

#include "k8s/writeoptions.h"

#include <QByteArray>
#include <QString>
#include <QUrl>
#include <QUrlQuery>

namespace canary::k8s {

// A request to the API server as a value: built and inspected without I/O, sent by KubeClient.
struct KubeRequest {
    QByteArray verb = "GET";
    QString path;
    QUrlQuery query;
    // Instead of path and query: an absolute URL, for an endpoint outside the API server's paths (a
    // metrics page). It goes through the same proxy; credentials only if it is the API server's origin.
    QUrl url;
    QByteArray body;
    QByteArray contentType;
    QByteArray accept = "application/json";
    int timeoutMs = 30000;

    static KubeRequest get(const QString &path);
    static KubeRequest getUrl(const QUrl &url);
    static KubeRequest replace(const QString &path, const QByteArray &json);
    static KubeRequest create(const QString &collectionPath, const QByteArray &json);
    static KubeRequest mergePatch(const QString &path, const QByteArray &json);
    // Server-side apply of the whole intent (JSON is YAML) as options.fieldManager; `force` takes fields
    // other managers own, and must only be set when the user asked for it.
    static KubeRequest apply(const QString &path, const QByteArray &json, const WriteOptions &options);
    // The same with only fieldManager and force sent (fieldValidation left to the server).
    static KubeRequest apply(const QString &path, const QByteArray &json, const QString &fieldManager,
                             bool force = false);
    static KubeRequest remove(const QString &path);
};

// Paths of the REST API. An empty group is the core group (/api/v1).
QString collectionPath(const QString &group, const QString &version, const QString &ns, const QString &plural);
QString objectPath(const QString &group, const QString &version, const QString &ns, const QString &plural,
                   const QString &name);

} // namespace canary::k8s
