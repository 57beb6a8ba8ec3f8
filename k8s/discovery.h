#pragma once

#include "k8s/result.h"

#include <QHash>
#include <QJsonObject>
#include <QList>
#include <QString>
#include <QStringList>

#include <optional>

namespace canary::k8s {

// One resource of an APIResourceList (/api/v1, /apis/G/V).
struct ApiResource {
    QString name; // the plural, or a subresource such as "virtualservices/status"
    QString singularName;
    QString kind;
    bool namespaced = false;
    QStringList verbs;
    QStringList shortNames;
};

// What the API server serves, as its discovery documents say: the groups with their versions (from
// /apis, and the core group "" from /api), and the resources of the group versions that were fetched.
class Discovery final {
public:
    Discovery() = default;
    // apiGroupList: the answer to /apis; apiVersions: the answer to /api, if it was asked.
    static Result<Discovery> fromJson(const QJsonObject &apiGroupList, const QJsonObject &apiVersions = {});
    // Adds an APIResourceList; its groupVersion says whose resources they are.
    Result<bool> addResources(const QJsonObject &apiResourceList);

    QStringList groups() const;
    bool hasGroup(const QString &group) const;
    // Empty when the group is not served.
    QString preferredVersion(const QString &group) const;
    // Every served version of the group, in the server's order (the preferred one first on kube-apiserver).
    QStringList versions(const QString &group) const;
    bool serves(const QString &group, const QString &version) const;

    bool hasResources(const QString &group, const QString &version) const;
    QList<ApiResource> resources(const QString &group, const QString &version) const;
    // A resource by plural, singular or short name, or kind (as kubectl accepts them), if fetched.
    std::optional<ApiResource> resource(const QString &group, const QString &version, const QString &name) const;

private:
    struct Group {
        QString name;
        QString preferredVersion;
        QStringList versions;
    };
    const Group *group(const QString &name) const;

    QList<Group> m_groups; // in the server's order
    QHash<QString, QList<ApiResource>> m_resources; // by groupVersion ("v1" for the core group)
};

} // namespace canary::k8s
