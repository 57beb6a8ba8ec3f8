#pragma once

#include "demo/access.h"
#include "demo/faultplan.h"
#include "demo/objectstore.h"

#include <QString>

#include <atomic>
#include <memory>

namespace httplib {
class Server;
struct Request;
struct Response;
} // namespace httplib

namespace canary::demo {

class ResourceHandler;
class ServiceProxy;

struct ApiServerOptions {
    QByteArray certificatePem; // the serving certificate, then any intermediates
    QByteArray keyPem;
    QString token; // the demo administrator's bearer token
    QList<StaticToken> tokens; // --token-auth-file
    QByteArray clientCaPem; // --client-ca-file: client certificates signed by these authenticate
    QString prometheusUrl; // --prometheus-url: the endpoint of Service prometheus in istio-system
};

// The Kubernetes API, as much of it as kubectl and Canary Deck use, over HTTPS on loopback. This class
// authenticates and routes; discovery, resources and watches are answered by their own files.
class ApiServer final {
public:
    ApiServer(ObjectStore &store, ApiServerOptions options);
    ~ApiServer();
    FaultPlan &faults() { return m_faults; }
    // Writes with dryRun=All received so far (tests and benchmarks count what a client sends).
    int dryRunRequests() const;
    // False when the certificate, key or client CA could not be used (see error()).
    bool isValid() const;
    QString error() const { return m_error; }
    // Where the service proxy sends requests for Service prometheus in istio-system (empty: nowhere, 503).
    void setPrometheusUrl(const QString &url);

    // Binds to 127.0.0.1 (port 0: any free port) and returns the port, or -1.
    int bind(int port);
    void run(); // blocks until stop()
    void waitUntilReady() const;
    void stop();

private:
    void route(const httplib::Request &request, httplib::Response &response);
    bool injectFault(bool isWatch, httplib::Response &response);
    bool authenticate(const httplib::Request &request, httplib::Response &response, UserInfo *user) const;
    bool handleReviews(const httplib::Request &request, httplib::Response &response, const QString &path,
                       const UserInfo &user);

    ObjectStore &m_store;
    ApiServerOptions m_options;
    std::unique_ptr<httplib::Server> m_server;
    std::atomic<bool> m_stopping { false };
    int m_port = 0;
    QString m_error;
    FaultPlan m_faults;
    std::unique_ptr<ResourceHandler> m_resources;
    std::unique_ptr<ServiceProxy> m_proxy;
};

} // namespace canary::demo
