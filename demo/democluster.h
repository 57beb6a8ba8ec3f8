#pragma once

#include "k8s/result.h"

#include <QString>
#include <QStringList>

#include <memory>

namespace canary::demo {

struct DemoClusterOptions {
    QString kubeconfigOut;
    int apiPort = 0;
    int gatewayPort = 0;
    int metricsPort = 0;
    double usersPerSecond = 20; // background requests per second per route
    bool loadSeeds = true;
    QString faults; // --fault: 429=N,500=N,410=N,slow=MS,drop-watch=MS
    // Authentication as kube-apiserver's flags name it (empty: not used).
    QString tokenAuthFile; // token,user,uid,"group1,group2" per line
    QString clientCaFile; // client certificates signed by it authenticate as CN, groups from O
    QString tlsCertFile; // serve this certificate (and chain) instead of the generated one
    QString tlsPrivateKeyFile;
    // The endpoint of Service prometheus in istio-system, reached through the API server's service proxy
    // (empty: it has none, and the proxy answers 503).
    QString prometheusUrl;
};

struct DemoEndpoints {
    QString api;
    QString gateway;
    QString metrics;
    QString kubeconfig;
};

// The offline cluster: API server, Istio data plane with its gateway, metrics and background users.
class DemoCluster final {
public:
    explicit DemoCluster(DemoClusterOptions options);
    ~DemoCluster();

    // Generates certificates, loads the seed scenarios, binds the ports, writes the kubeconfig and
    // starts serving on background threads.
    Result<DemoEndpoints> start();
    void stop();
    // Changes the --fault plan of a running cluster (tests).
    Result<bool> setFaults(const QString &faults);
    // Changes --prometheus-url of a running cluster (tests: a Prometheus started after the cluster it scrapes).
    void setPrometheusUrl(const QString &url);
    int dryRunRequests() const;

    // The seed manifests in the order the demo creates them.
    static QStringList seedFiles();

private:
    struct Private;
    std::unique_ptr<Private> d;
};

} // namespace canary::demo
