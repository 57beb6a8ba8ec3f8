#pragma once

#include "cli/options.h"
#include "core/model/release.h"
#include "k8s/discovery.h"
#include "k8s/result.h"

#include <QByteArray>
#include <QJsonObject>
#include <QList>
#include <QString>
#include <QTextStream>

#include <memory>

namespace canary::k8s {
class KubeClient;
}

namespace canary::cli {

// What a command works on: manifests from files (-f), or one namespace of a cluster.
struct World {
    bool offline = false;
    core::NamespaceSnapshot snapshot;
    QList<core::Release> releases;
    QString istioVersion = QStringLiteral("v1");
    std::unique_ptr<k8s::KubeClient> client;
    QString server;

    World();
    World(World &&) noexcept;
    World &operator=(World &&) noexcept;
    ~World();
};

// The releases of the -f files, else of the namespace of the kubeconfig's context. A credential
// plugin's prompts and warnings go to err.
Result<World> loadWorld(const Options &options, QTextStream *err = nullptr);

// A file's bytes ("-" is stdin), or an error that names the path.
Result<QByteArray> readManifestFile(const QString &file);
// The objects of one file's YAML documents, the items of a List in its place.
Result<QList<QJsonObject>> parseManifests(const QString &file, const QByteArray &text);

Result<QJsonObject> getBlocking(k8s::KubeClient *client, const QString &path);
Result<k8s::Discovery> discoverBlocking(k8s::KubeClient *client);

} // namespace canary::cli
