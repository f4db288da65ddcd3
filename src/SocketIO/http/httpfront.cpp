#include "http/httpfront_p.h"

#include <QtNetwork/QSslServer>
#include <QtNetwork/QTcpServer>
#include <QtNetwork/QTcpSocket>

namespace SocketIO::Http {

Front::Front(Handler *handler, const HttpLimits &limits, QObject *parent)
    : QObject(parent)
    , m_handler(handler)
    , m_limits(limits)
{}

Front::~Front()
{
    close();
}

bool Front::listen(const QHostAddress &address, quint16 port, const QSslConfiguration *ssl)
{
    QTcpServer *server = nullptr;
    if (ssl) {
        auto *sslServer = new QSslServer(this);
        sslServer->setSslConfiguration(*ssl);
        server = sslServer;
    } else {
        server = new QTcpServer(this);
    }
    if (!server->listen(address, port)) {
        m_errorString = server->errorString();
        delete server;
        return false;
    }
    m_ownsServer = true;
    attach(server);
    return true;
}

void Front::attach(QTcpServer *server)
{
    m_server = server;
    // pendingConnectionAvailable (Qt 6.4) comes after the TLS handshake for a QSslServer.
    connect(server, &QTcpServer::pendingConnectionAvailable, this, &Front::acceptPending);
    acceptPending();
}

void Front::acceptPending()
{
    if (!m_server)
        return;
    while (m_server->hasPendingConnections()) {
        QTcpSocket *socket = m_server->nextPendingConnection();
        if (!socket)
            break;
        if (m_acceptor)
            m_acceptor(socket);
        else
            new Connection(socket, this, m_limits, this);
    }
}

void Front::adopt(QTcpSocket *socket, bool oneRequestOnly)
{
    auto *connection = new Connection(socket, this, m_limits, this);
    if (oneRequestOnly)
        connection->setOneRequestOnly();
}

void Front::close()
{
    if (m_server) {
        m_server->disconnect(this);
        if (m_ownsServer) {
            m_server->close();
            delete m_server.data();
        }
    }
    m_server = nullptr;
    m_ownsServer = false;
    // Like Node's server.close(): answers already written still go out; idle connections
    // close now, busy ones after their answer.
    const auto connections = findChildren<Connection *>(Qt::FindDirectChildrenOnly);
    for (Connection *connection : connections)
        connection->closeGracefully();
}

} // namespace SocketIO::Http
