#include "k8s/kuberequest.h"

namespace canary::k8s {

KubeRequest KubeRequest::get(const QString &path)
{
    KubeRequest r;
    r.path = path;
    return r;
}

KubeRequest KubeRequest::getUrl(const QUrl &url)
{
    KubeRequest r;
    r.url = url;
    return r;
}

KubeRequest KubeRequest::replace(const QString &path, const QByteArray &json)
{
    KubeRequest r;
    r.verb = "PUT";
    r.path = path;
    r.body = json;
    r.contentType = "application/json";
    return r;
}

KubeRequest KubeRequest::create(const QString &collectionPath, const QByteArray &json)
{
    KubeRequest r;
    r.verb = "POST";
    r.path = collectionPath;
    r.body = json;
    r.contentType = "application/json";
    return r;
}

KubeRequest KubeRequest::mergePatch(const QString &path, const QByteArray &json)
{
    KubeRequest r;
    r.verb = "PATCH";
    r.path = path;
    r.body = json;
    r.contentType = "application/merge-patch+json";
    return r;
}

KubeRequest KubeRequest::apply(const QString &path, const QByteArray &json, const WriteOptions &options)
{
    KubeRequest r;
    r.verb = "PATCH";
    r.path = path;
    r.body = json;
    r.contentType = "application/apply-patch+yaml";
    options.addTo(r.query, true);
    return r;
}

KubeRequest KubeRequest::apply(const QString &path, const QByteArray &json, const QString &fieldManager, bool force)
{
    WriteOptions options;
    options.fieldManager = fieldManager;
    options.fieldValidation = std::nullopt;
    options.force = force;
    return apply(path, json, options);
}

KubeRequest KubeRequest::remove(const QString &path)
{
    KubeRequest r;
    r.verb = "DELETE";
    r.path = path;
    return r;
}

QString collectionPath(const QString &group, const QString &version, const QString &ns, const QString &plural)
{
    QString path = group.isEmpty() ? QString(QStringLiteral("/api/") + version)
                                   : QString(QStringLiteral("/apis/") + group + QLatin1Char('/') + version);
    if (!ns.isEmpty())
        path += QStringLiteral("/namespaces/") + ns;
    return path + QLatin1Char('/') + plural;
}

QString objectPath(const QString &group, const QString &version, const QString &ns, const QString &plural,
                   const QString &name)
{
    return collectionPath(group, version, ns, plural) + QLatin1Char('/') + name;
}

} // namespace canary::k8s
