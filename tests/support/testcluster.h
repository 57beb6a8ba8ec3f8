#pragma once

#include "demo/certificates.h"
#include "demo/democluster.h"
#include "k8s/kubeconfig.h"

#include <QJsonObject>
#include <QTemporaryDir>

#include <memory>

namespace canary::test {

// A demo cluster in the test process, reached over real HTTPS through the kubeconfig it wrote.
class TestCluster final {
public:
    explicit TestCluster(double usersPerSecond = 0);
    ~TestCluster();

    bool ok() const { return m_ok; }
    QString error() const { return m_error; }
    const demo::DemoEndpoints &endpoints() const { return m_endpoints; }
    k8s::ClusterEndpoint endpoint() const;
    bool setFaults(const QString &faults) { return m_cluster->setFaults(faults).ok(); }
    int dryRunRequests() const { return m_cluster->dryRunRequests(); }
    // Where Service prometheus in istio-system sends the API server's service proxy (empty: nowhere, 503).
    void setPrometheusUrl(const QString &url) { m_cluster->setPrometheusUrl(url); }

    // Every test cluster also authenticates these bearer tokens (--token-auth-file) ...
    static constexpr char kViewerToken[] = "viewer-token-5f1c"; // user "viewer", group canarydeck:viewers
    static constexpr char kEditorToken[] = "editor-token-9a2e"; // user "editor", groups dev
    // ... and client certificates signed by this CA (--client-ca-file).
    const demo::ServingCertificates &clientCa() const { return m_clientCa; }
    // The demo's endpoint with another user's bearer token in place of the administrator's.
    k8s::ClusterEndpoint endpointWithToken(const QString &token) const;
    QString directory() const { return m_dir.path(); }

    // Synchronous helpers for assertions (they spin an event loop).
    QJsonObject get(const QString &path) const;
    int put(const QString &path, const QJsonObject &body, QByteArray *answer = nullptr) const;
    int create(const QString &collectionPath, const QJsonObject &body) const;
    int remove(const QString &path) const;
    int mergePatch(const QString &path, const QByteArray &json) const;

private:
    QTemporaryDir m_dir;
    std::unique_ptr<demo::DemoCluster> m_cluster;
    demo::DemoEndpoints m_endpoints;
    demo::ServingCertificates m_clientCa;
    bool m_ok = false;
    QString m_error;
};

// The http routes of a VirtualService's route as version -> weight.
QMap<QString, int> routeWeights(const QJsonObject &virtualService, int route = -1);
// The VirtualService with the destinations of one route given these weights, in order, and nothing else changed.
QJsonObject withWeights(QJsonObject virtualService, int route, const QList<int> &weights);

QString sourceDir();
QString sharedDir();

} // namespace canary::test
