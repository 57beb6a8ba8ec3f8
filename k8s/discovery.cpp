#include "k8s/discovery.h"

#include <QCoreApplication>
#include <QJsonArray>

namespace canary::k8s {

namespace {

QString groupVersion(const QString &group, const QString &version)
{
    return group.isEmpty() ? version : group + QLatin1Char('/') + version;
}

QStringList strings(const QJsonValue &value)
{
    QStringList out;
    for (const QJsonValue &v : value.toArray())
        out.append(v.toString());
    return out;
}

} // namespace

Result<Discovery> Discovery::fromJson(const QJsonObject &apiGroupList, const QJsonObject &apiVersions)
{
    if (!apiGroupList.value(QLatin1String("groups")).isArray())
        return makeError(QCoreApplication::translate(
                "Discovery",
                "the server's answer to /apis is not an APIGroupList (it has no \"groups\"); "
                "is the kubeconfig's server a Kubernetes API server?"));
    Discovery d;
    if (!apiVersions.isEmpty()) {
        const QStringList core = strings(apiVersions.value(QLatin1String("versions")));
        if (core.isEmpty())
            return makeError(QCoreApplication::translate(
                    "Discovery", "the server's answer to /api is not an APIVersions list (it has no \"versions\")"));
        d.m_groups.append(Group { QString(), core.constFirst(), core });
    }
    for (const QJsonValue &value : apiGroupList.value(QLatin1String("groups")).toArray()) {
        const QJsonObject g = value.toObject();
        Group group { g.value(QLatin1String("name")).toString(), {}, {} };
        if (group.name.isEmpty())
            return makeError(QCoreApplication::translate("Discovery",
                                                         "the server's answer to /apis lists a group without a name"));
        for (const QJsonValue &v : g.value(QLatin1String("versions")).toArray()) {
            const QJsonObject version = v.toObject();
            QString name = version.value(QLatin1String("version")).toString();
            if (name.isEmpty())
                name = version.value(QLatin1String("groupVersion")).toString().section(QLatin1Char('/'), 1);
            if (!name.isEmpty() && !group.versions.contains(name))
                group.versions.append(name);
        }
        const QJsonObject preferred = g.value(QLatin1String("preferredVersion")).toObject();
        group.preferredVersion = preferred.value(QLatin1String("version")).toString();
        if (group.preferredVersion.isEmpty())
            group.preferredVersion
                    = preferred.value(QLatin1String("groupVersion")).toString().section(QLatin1Char('/'), 1);
        if (group.preferredVersion.isEmpty())
            group.preferredVersion = group.versions.value(0);
        if (!group.preferredVersion.isEmpty() && !group.versions.contains(group.preferredVersion))
            group.versions.prepend(group.preferredVersion);
        if (group.versions.isEmpty())
            continue; // a group that serves nothing is not served
        if (!d.hasGroup(group.name))
            d.m_groups.append(group);
    }
    return d;
}

Result<bool> Discovery::addResources(const QJsonObject &apiResourceList)
{
    const QString gv = apiResourceList.value(QLatin1String("groupVersion")).toString();
    if (gv.isEmpty())
        return makeError(QCoreApplication::translate(
                "Discovery", "the server's answer is not an APIResourceList (it has no \"groupVersion\")"));
    QList<ApiResource> resources;
    for (const QJsonValue &value : apiResourceList.value(QLatin1String("resources")).toArray()) {
        const QJsonObject r = value.toObject();
        resources.append(ApiResource {
                r.value(QLatin1String("name")).toString(), r.value(QLatin1String("singularName")).toString(),
                r.value(QLatin1String("kind")).toString(), r.value(QLatin1String("namespaced")).toBool(),
                strings(r.value(QLatin1String("verbs"))), strings(r.value(QLatin1String("shortNames"))) });
    }
    m_resources.insert(gv, resources);
    return true;
}

const Discovery::Group *Discovery::group(const QString &name) const
{
    for (const Group &g : m_groups) {
        if (g.name == name)
            return &g;
    }
    return nullptr;
}

QStringList Discovery::groups() const
{
    QStringList out;
    for (const Group &g : m_groups)
        out.append(g.name);
    return out;
}

bool Discovery::hasGroup(const QString &name) const
{
    return group(name) != nullptr;
}

QString Discovery::preferredVersion(const QString &name) const
{
    const Group *g = group(name);
    return g ? g->preferredVersion : QString();
}

QStringList Discovery::versions(const QString &name) const
{
    const Group *g = group(name);
    return g ? g->versions : QStringList();
}

bool Discovery::serves(const QString &name, const QString &version) const
{
    return versions(name).contains(version);
}

bool Discovery::hasResources(const QString &group, const QString &version) const
{
    return m_resources.contains(groupVersion(group, version));
}

QList<ApiResource> Discovery::resources(const QString &group, const QString &version) const
{
    return m_resources.value(groupVersion(group, version));
}

std::optional<ApiResource> Discovery::resource(const QString &group, const QString &version, const QString &name) const
{
    const QString lower = name.toLower();
    for (const ApiResource &r : m_resources.value(groupVersion(group, version))) {
        if (r.name == lower || r.singularName == lower || r.shortNames.contains(lower)
            || r.kind.compare(name, Qt::CaseInsensitive) == 0)
            return r;
    }
    return std::nullopt;
}

} // namespace canary::k8s
