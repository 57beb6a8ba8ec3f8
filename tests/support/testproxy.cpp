#include "tests/support/testproxy.h"

#include <QTcpServer>
#include <QTcpSocket>

namespace canary::test {

TestProxy::TestProxy(QObject *parent)
    : QObject(parent)
    , m_server(new QTcpServer(this))
{
    connect(m_server, &QTcpServer::newConnection, this, &TestProxy::onConnection);
}

TestProxy::~TestProxy()
{
    setDown(true);
}

bool TestProxy::listen()
{
    const bool ok = m_server->listen(QHostAddress::LocalHost);
    m_port = m_server->serverPort();
    return ok;
}

QUrl TestProxy::url() const
{
    return QUrl(QStringLiteral("http://127.0.0.1:%1").arg(m_port));
}

QStringList TestProxy::requestLines() const
{
    QStringList out;
    for (const QByteArray &head : m_requests)
        out.append(QString::fromLatin1(head.left(head.indexOf("\r\n"))));
    return out;
}

void TestProxy::setDown(bool down)
{
    m_down = down;
    if (!down) {
        if (!m_server->isListening())
            m_server->listen(QHostAddress::LocalHost, m_port);
        return;
    }
    if (m_refuse)
        m_server->close();
    const auto sockets = std::exchange(m_sockets, {});
    for (const QPointer<QTcpSocket> &s : sockets) {
        if (s)
            s->abort();
    }
}

void TestProxy::onConnection()
{
    while (QTcpSocket *client = m_server->nextPendingConnection()) {
        connect(client, &QTcpSocket::disconnected, client, &QObject::deleteLater);
        if (m_down) {
            client->abort();
            client->deleteLater();
            continue;
        }
        m_sockets.append(client);
        connect(client, &QTcpSocket::readyRead, this, [this, client] { onClientData(client); });
    }
}

void TestProxy::onClientData(QTcpSocket *client)
{
    QByteArray pending = client->property("pending").toByteArray() + client->readAll();
    const qsizetype end = pending.indexOf("\r\n\r\n");
    if (end < 0) {
        client->setProperty("pending", pending);
        return;
    }
    const QByteArray head = pending.left(end + 4);
    const QByteArray rest = pending.mid(end + 4);
    client->setProperty("pending", QByteArray());
    m_requests.append(head);
    const QList<QByteArray> requestLine = head.left(head.indexOf("\r\n")).split(' ');
    if (requestLine.value(0) != "CONNECT") {
        // Answered here; the next request on the connection starts a new head.
        client->write(m_handler ? m_handler(head) : httpResponse(502, "no handler"));
        if (!rest.isEmpty())
            client->setProperty("pending", rest);
        return;
    }
    const QByteArray target = requestLine.value(1);
    const qsizetype colon = target.lastIndexOf(':');
    auto *upstream = new QTcpSocket(client);
    m_sockets.append(upstream);
    disconnect(client, &QTcpSocket::readyRead, this, nullptr);
    connect(upstream, &QTcpSocket::connected, client, [client, upstream, rest] {
        client->write("HTTP/1.1 200 Connection established\r\n\r\n");
        if (!rest.isEmpty())
            upstream->write(rest);
        connect(client, &QTcpSocket::readyRead, upstream, [client, upstream] { upstream->write(client->readAll()); });
        connect(upstream, &QTcpSocket::readyRead, client, [client, upstream] { client->write(upstream->readAll()); });
        if (client->bytesAvailable() > 0)
            upstream->write(client->readAll());
    });
    connect(upstream, &QTcpSocket::disconnected, client, [client] { client->disconnectFromHost(); });
    connect(upstream, &QTcpSocket::errorOccurred, client, [client] { client->abort(); });
    connect(client, &QTcpSocket::disconnected, upstream, [upstream] { upstream->abort(); });
    upstream->connectToHost(QString::fromLatin1(target.left(colon)), quint16(target.mid(colon + 1).toUInt()));
}

QByteArray httpResponse(int status, const QByteArray &body, const QByteArray &contentType)
{
    return "HTTP/1.1 " + QByteArray::number(status) + (status == 200 ? " OK" : " Error") + "\r\nContent-Type: "
            + contentType + "\r\nContent-Length: " + QByteArray::number(body.size()) + "\r\n\r\n" + body;
}

} // namespace canary::test
