#pragma once

#include <QByteArray>
#include <QList>
#include <QObject>
#include <QPointer>
#include <QStringList>
#include <QUrl>

#include <functional>

class QTcpServer;
class QTcpSocket;

namespace canary::test {

// An HTTP proxy for tests, as a kubeconfig's proxy-url names one: CONNECT tunnels to the real target
// (HTTPS to the demo API server), plain requests ("GET http://host/path") answered by a handler.
// It records what it was asked and can be taken down and up again, like a network that goes away.
class TestProxy final : public QObject {
    Q_OBJECT
public:
    // Takes the request head (request line and headers), returns the whole HTTP response.
    using Handler = std::function<QByteArray(const QByteArray &head)>;

    explicit TestProxy(QObject *parent = nullptr);
    ~TestProxy() override;

    bool listen();
    QUrl url() const;
    void setHandler(Handler handler) { m_handler = std::move(handler); }
    // The heads of every request so far, CONNECT included.
    QList<QByteArray> requests() const { return m_requests; }
    QStringList requestLines() const;
    // Down: open connections are cut, and new ones refused (the proxy's host is gone), or with
    // setRefuseWhenDown(false) accepted and closed at once (a load balancer without a backend).
    void setDown(bool down);
    void setRefuseWhenDown(bool refuse) { m_refuse = refuse; }

private:
    void onConnection();
    void onClientData(QTcpSocket *client);

    QTcpServer *m_server;
    Handler m_handler;
    QList<QByteArray> m_requests;
    QList<QPointer<QTcpSocket>> m_sockets;
    bool m_down = false;
    bool m_refuse = true;
    quint16 m_port = 0;
};

// A response for a Handler.
QByteArray httpResponse(int status, const QByteArray &body, const QByteArray &contentType = "text/plain");

} // namespace canary::test
