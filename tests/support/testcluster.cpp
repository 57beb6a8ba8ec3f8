#include "tests/support/testcluster.h"

#include "k8s/kubeclient.h"
#include "k8s/kubereply.h"

#include <QEventLoop>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QTimer>

namespace canary::test {

TestCluster::TestCluster(double usersPerSecond)
{
    // History and rollback write a journal under the XDG data directory: keep the test's apart.
    qputenv("XDG_DATA_HOME", m_dir.filePath(QStringLiteral("data")).toUtf8());
    qputenv("XDG_CONFIG_HOME", m_dir.filePath(QStringLiteral("config")).toUtf8()); // the window's settings
    demo::DemoClusterOptions options;
    options.kubeconfigOut = m_dir.filePath(QStringLiteral("kubeconfig"));
    options.usersPerSecond = usersPerSecond;
    const auto write = [this](const QString &name, const QByteArray &data) {
        QFile file(m_dir.filePath(name));
        file.open(QIODevice::WriteOnly);
        file.write(data);
        return file.fileName();
    };
    options.tokenAuthFile = write(QStringLiteral("tokens.csv"),
                                  QByteArray(kViewerToken) + ",viewer,1001,\"canarydeck:viewers\"\n"
                                          + QByteArray(kEditorToken) + ",editor,1002,dev\n");
    const auto ca = demo::generateServingCertificates();
    if (ca) {
        m_clientCa = *ca;
        options.clientCaFile = write(QStringLiteral("client-ca.crt"), m_clientCa.caCertificatePem);
    }
    m_cluster = std::make_unique<demo::DemoCluster>(options);
    const auto started = m_cluster->start();
    m_ok = started.ok();
    if (m_ok)
        m_endpoints = *started;
    else
        m_error = started.error().message;
}

TestCluster::~TestCluster()
{
    m_cluster->stop();
}

k8s::ClusterEndpoint TestCluster::endpoint() const
{
    k8s::KubeconfigOptions options;
    options.kubeconfig = m_endpoints.kubeconfig;
    return *k8s::loadKubeconfig(options);
}

k8s::ClusterEndpoint TestCluster::endpointWithToken(const QString &token) const
{
    k8s::ClusterEndpoint ep = endpoint();
    ep.token = token;
    return ep;
}

namespace {

k8s::KubeReply *wait(k8s::KubeReply *reply)
{
    QEventLoop loop;
    QObject::connect(reply, &k8s::KubeReply::finished, &loop, &QEventLoop::quit);
    QTimer::singleShot(20000, &loop, &QEventLoop::quit);
    if (!reply->isFinished())
        loop.exec();
    return reply;
}

} // namespace

QJsonObject TestCluster::get(const QString &path) const
{
    k8s::KubeClient client(endpoint());
    return wait(client.send(k8s::KubeRequest::get(path)))->json();
}

int TestCluster::put(const QString &path, const QJsonObject &body, QByteArray *answer) const
{
    k8s::KubeClient client(endpoint());
    k8s::KubeReply *reply = wait(client.send(k8s::KubeRequest::replace(path, QJsonDocument(body).toJson())));
    if (answer)
        *answer = reply->body();
    return reply->httpStatus();
}

int TestCluster::create(const QString &collectionPath, const QJsonObject &body) const
{
    k8s::KubeClient client(endpoint());
    return wait(client.send(k8s::KubeRequest::create(collectionPath, QJsonDocument(body).toJson())))->httpStatus();
}

int TestCluster::remove(const QString &path) const
{
    k8s::KubeClient client(endpoint());
    return wait(client.send(k8s::KubeRequest::remove(path)))->httpStatus();
}

int TestCluster::mergePatch(const QString &path, const QByteArray &json) const
{
    k8s::KubeClient client(endpoint());
    return wait(client.send(k8s::KubeRequest::mergePatch(path, json)))->httpStatus();
}

QMap<QString, int> routeWeights(const QJsonObject &virtualService, int route)
{
    const QJsonArray http
            = virtualService.value(QLatin1String("spec")).toObject().value(QLatin1String("http")).toArray();
    if (route < 0)
        route = int(http.size()) - 1;
    QMap<QString, int> out;
    for (const QJsonValue &d : http.at(route).toObject().value(QLatin1String("route")).toArray()) {
        const QJsonObject dest = d.toObject().value(QLatin1String("destination")).toObject();
        const QString version
                = dest.value(QLatin1String("subset")).toString(dest.value(QLatin1String("host")).toString());
        out.insert(version, d.toObject().value(QLatin1String("weight")).toInt(-1));
    }
    return out;
}

QJsonObject withWeights(QJsonObject virtualService, int route, const QList<int> &weights)
{
    QJsonObject spec = virtualService.value(QLatin1String("spec")).toObject();
    QJsonArray http = spec.value(QLatin1String("http")).toArray();
    QJsonObject r = http.at(route).toObject();
    QJsonArray dests = r.value(QLatin1String("route")).toArray();
    for (int i = 0; i < weights.size() && i < dests.size(); ++i) {
        QJsonObject d = dests.at(i).toObject();
        d.insert(QStringLiteral("weight"), weights.at(i));
        dests.replace(i, d);
    }
    r.insert(QStringLiteral("route"), dests);
    http.replace(route, r);
    spec.insert(QStringLiteral("http"), http);
    virtualService.insert(QStringLiteral("spec"), spec);
    return virtualService;
}

QString sourceDir()
{
    return QStringLiteral(CANARYDECK_SOURCE_DIR);
}

QString sharedDir()
{
    return QStringLiteral(CANARYDECK_SOURCE_DIR "/../shared");
}

} // namespace canary::test
