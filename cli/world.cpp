#include "cli/world.h"

#include "core/apply/releaseloader.h"
#include "core/model/istio.h"
#include "k8s/discoveryreply.h"
#include "k8s/kubeclient.h"
#include "k8s/kubereply.h"
#include "k8s/yaml.h"

#include <QEventLoop>
#include <QFile>
#include <QJsonArray>

#include <cstdio>

namespace canary::cli {

namespace {

Result<QList<QJsonObject>> readManifests(const QStringList &files)
{
    QList<QJsonObject> docs;
    for (const QString &file : files) {
        const auto text = readManifestFile(file);
        if (!text)
            return text.error();
        const auto parsed = parseManifests(file, *text);
        if (!parsed)
            return parsed.error();
        docs.append(*parsed);
    }
    return docs;
}

Result<World> loadFiles(const Options &o, const QStringList &files)
{
    World w;
    w.offline = true;
    const auto docs = readManifests(files);
    if (!docs)
        return docs.error();
    QString ns = o.value(QStringLiteral("namespace"));
    if (ns.isEmpty()) {
        for (const QJsonObject &d : *docs) {
            if (d.value(QLatin1String("kind")).toString() == QLatin1String("VirtualService")) {
                ns = core::objectNamespace(d);
                break;
            }
        }
    }
    w.snapshot.ns = ns.isEmpty() ? QStringLiteral("default") : ns;
    for (const QJsonObject &d : *docs) {
        if (core::objectNamespace(d, w.snapshot.ns) == w.snapshot.ns)
            core::addToSnapshot(w.snapshot, d);
    }
    w.releases = core::buildReleases(w.snapshot);
    return w;
}

// A client for the kubeconfig's context, with --request-timeout.
Result<std::unique_ptr<k8s::KubeClient>> connectToCluster(const Options &o, QTextStream *err)
{
    const auto endpoint = k8s::loadKubeconfig(kubeconfigOptions(o));
    if (!endpoint)
        return endpoint.error();
    const auto timeout = parseTimeout(o.value(QStringLiteral("request-timeout")));
    if (!timeout)
        return timeout.error();
    auto client = std::make_unique<k8s::KubeClient>(*endpoint);
    if (err && client->execProvider()) // a credential plugin's prompts and warnings reach the user
        QObject::connect(client->execProvider(), &k8s::ExecCredentialProvider::pluginMessage,
                         [err](const QString &text) {
                             *err << text;
                             err->flush();
                         });
    if (*timeout > 0)
        client->setRequestTimeout(*timeout);
    return client;
}

} // namespace

World::World() = default;
World::World(World &&) noexcept = default;
World &World::operator=(World &&) noexcept = default;
World::~World() = default;

Result<World> loadWorld(const Options &o, QTextStream *err)
{
    const QStringList files = o.all(QStringLiteral("filename"));
    if (!files.isEmpty())
        return loadFiles(o, files);
    auto client = connectToCluster(o, err);
    if (!client)
        return client.error();
    World w;
    w.client = std::move(client).value();
    w.server = w.client->endpoint().server.toString();
    auto loaded = core::loadReleasesBlocking(w.client.get(), w.client->endpoint().ns);
    if (!loaded)
        return loaded.error();
    w.istioVersion = loaded->istioVersion;
    w.snapshot = loaded->snapshot;
    w.releases = loaded->releases;
    return w;
}

Result<QByteArray> readManifestFile(const QString &file)
{
    QFile f;
    const bool stdinFile = file == QLatin1String("-");
    if (stdinFile ? !f.open(stdin, QIODevice::ReadOnly) : (f.setFileName(file), !f.open(QIODevice::ReadOnly)))
        return makeError(QStringLiteral("the path \"%1\" does not exist or cannot be read").arg(file));
    return f.readAll();
}

Result<QList<QJsonObject>> parseManifests(const QString &file, const QByteArray &text)
{
    const auto parsed = k8s::parseYamlDocuments(text);
    if (!parsed)
        return makeError(QStringLiteral("%1: %2").arg(file, parsed.error().message));
    QList<QJsonObject> docs;
    for (const QJsonObject &doc : *parsed) {
        if (doc.value(QLatin1String("kind")).toString() == QLatin1String("List")) {
            for (const QJsonValue &item : doc.value(QLatin1String("items")).toArray())
                docs.append(item.toObject());
        } else {
            docs.append(doc);
        }
    }
    return docs;
}

Result<QJsonObject> getBlocking(k8s::KubeClient *client, const QString &path)
{
    k8s::KubeReply *reply = client->send(k8s::KubeRequest::get(path));
    if (!reply->isFinished()) {
        QEventLoop loop;
        QObject::connect(reply, &k8s::KubeReply::finished, &loop, &QEventLoop::quit);
        loop.exec();
    }
    reply->deleteLater();
    if (!reply->ok())
        return reply->error();
    return reply->json();
}

Result<k8s::Discovery> discoverBlocking(k8s::KubeClient *client)
{
    k8s::DiscoveryReply *reply = k8s::DiscoveryReply::fetch(client);
    QEventLoop loop;
    QObject::connect(reply, &k8s::DiscoveryReply::finished, &loop, &QEventLoop::quit);
    loop.exec(); // finished() always comes after fetch() returned
    reply->deleteLater();
    return reply->result();
}

} // namespace canary::cli
