#pragma once

#include "demo/access.h"
#include "demo/objectstore.h"

#include <QJsonObject>
#include <QString>

#include <atomic>
#include <memory>
#include <mutex>
#include <string>

namespace httplib {
class Server;
struct Request;
struct Response;
} // namespace httplib

namespace canary::demo {

struct ApiServerOptions {
    QByteArray certificatePem; // the serving certificate, then any intermediates
    QByteArray keyPem;
    QString token; // the demo administrator's bearer token
    QList<StaticToken> tokens; // --token-auth-file
    QByteArray clientCaPem; // --client-ca-file: client certificates signed by these authenticate
};

// --fault: misbehaviour on purpose, for tests. Counts apply to ordinary (non-watch) API requests.
struct FaultPlan {
    std::atomic<int> tooManyRequests { 0 }; // answer 429 with Retry-After: 1 this many times
    std::atomic<int> internalErrors { 0 }; // answer 500 this many times
    std::atomic<int> expiredWatches {
        0
    }; // answer this many watches from a resourceVersion, or lists with continue, with 410 Expired
    std::atomic<int> slowMs { 0 }; // delay every answer
    std::atomic<int> dropWatchAfterMs { 0 }; // cut watch streams (no clean end) after this long
};
Result<bool> parseFaults(const QString &text, FaultPlan *plan);

// The Kubernetes API, as much of it as kubectl and Canary Deck use, over HTTPS on loopback.
class ApiServer final {
public:
    ApiServer(ObjectStore &store, ApiServerOptions options);
    ~ApiServer();
    FaultPlan &faults() { return m_faults; }
    // Writes with dryRun=All received so far (tests and benchmarks count what a client sends).
    int dryRunRequests() const { return m_dryRuns.load(); }
    // False when the certificate, key or client CA could not be used (see error()).
    bool isValid() const;
    QString error() const { return m_error; }

    // Binds to 127.0.0.1 (port 0: any free port) and returns the port, or -1.
    int bind(int port);
    void run(); // blocks until stop()
    void waitUntilReady() const;
    void stop();

private:
    void route(const httplib::Request &request, httplib::Response &response);
    bool authenticate(const httplib::Request &request, httplib::Response &response, UserInfo *user) const;
    bool handleReviews(const httplib::Request &request, httplib::Response &response, const QString &path,
                       const UserInfo &user);
    void handleResource(const httplib::Request &request, httplib::Response &response, const QStringList &segments,
                        const UserInfo &user);
    void handleScale(const httplib::Request &request, httplib::Response &response, const ResourceType &type,
                     const QString &ns, const QString &name, const QString &manager, const QString &apiVersion,
                     bool dryRun);
    void handleWatch(const httplib::Request &request, httplib::Response &response, const ResourceType &type,
                     const QString &ns, const QString &apiVersion);
    bool handleDiscovery(const QString &path, httplib::Response &response);
    bool handleOpenApi(const QString &path, httplib::Response &response);

    ObjectStore &m_store;
    ApiServerOptions m_options;
    std::unique_ptr<httplib::Server> m_server;
    std::atomic<bool> m_stopping { false };
    int m_port = 0;
    QString m_error;
    FaultPlan m_faults;
    std::atomic<int> m_dryRuns { 0 };
};

} // namespace canary::demo
