#pragma once

#include "objectstore.h"

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
}

namespace canary::demo {

struct ApiServerOptions {
    QByteArray certificatePem;
    QByteArray keyPem;
    QString token;
};

// The Kubernetes API, as much of it as kubectl and Canary Deck use, over HTTPS on loopback.
class ApiServer final {
public:
    ApiServer(ObjectStore &store, ApiServerOptions options);
    ~ApiServer();

    // Binds to 127.0.0.1 (port 0: any free port) and returns the port, or -1.
    int bind(int port);
    void run(); // blocks until stop()
    void waitUntilReady() const;
    void stop();

private:
    void route(const httplib::Request &request, httplib::Response &response);
    bool authenticate(const httplib::Request &request, httplib::Response &response) const;
    void handleResource(const httplib::Request &request, httplib::Response &response, const QStringList &segments);
    void handleWatch(const httplib::Request &request, httplib::Response &response, const ResourceType &type,
                     const QString &ns, const QString &apiVersion);
    bool handleDiscovery(const QString &path, httplib::Response &response);
    bool handleOpenApi(const QString &path, httplib::Response &response);

    ObjectStore &m_store;
    ApiServerOptions m_options;
    std::unique_ptr<httplib::Server> m_server;
    std::atomic<bool> m_stopping { false };
    int m_port = 0;
};

} // namespace canary::demo
