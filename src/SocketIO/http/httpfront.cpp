#include "http/httpfront_p.h"

#include "socketio_config.h"

#if SOCKETIO_HTTP2
#include "http/directsocket_p.h"
#include "http/http2connection_p.h"
#endif

#include <QtCore/QLoggingCategory>
#include <QtNetwork/QSslServer>
#include <QtNetwork/QSslSocket>
#include <QtNetwork/QTcpServer>
#include <QtNetwork/QTcpSocket>

Q_DECLARE_LOGGING_CATEGORY(lcHttp)

namespace SocketIO::Http {

Front::Front(Handler *handler, const HttpLimits &limits, QObject *parent)
    : QObject(parent)
    , m_handler(handler)
    , m_limits(limits)
{
    m_acceptRetry.setSingleShot(true);
    connect(&m_acceptRetry, &QTimer::timeout, this, [this] {
        if (m_server)
            m_server->resumeAccepting();
    });
}

Front::~Front()
{
    close();
}

bool Front::listen(const QHostAddress &address, quint16 port, const QSslConfiguration *ssl)
{
    QTcpServer *server = nullptr;
    if (ssl) {
        auto *sslServer = new QSslServer(this);
        QSslConfiguration configuration = *ssl;
        if (offersHttp2()) {
            // ALPN: "h2" first; "http/1.1" only when such clients are served (Node answers
            // a client that offers neither without ALPN, then drops it).
            QList<QByteArray> protocols = {QSslConfiguration::ALPNProtocolHTTP2};
            if (m_limits.allowHTTP1())
                protocols.append(QSslConfiguration::NextProtocolHttp1_1);
            configuration.setAllowedNextProtocols(protocols);
        }
        sslServer->setSslConfiguration(configuration);
        server = sslServer;
    } else {
        server = new DirectTcpServer(this);
    }
    server->setListenBacklogSize(ListenBacklog);
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
    // newConnection comes for every accepted socket, before a TLS handshake (Qt 6.4).
    connect(server, &QTcpServer::newConnection, this, [this] { m_acceptedSinceError = true; });
    connect(server, &QTcpServer::acceptError, this, &Front::onAcceptError);
    acceptPending();
}

void Front::onAcceptError()
{
    // The connection that could not be accepted stays in the kernel's backlog and keeps the
    // listener readable: retrying at once would spin. QTcpServer (6.4) pauses by itself after
    // such an error and never resumes, which would stop the server for good. So pause, and
    // resume after a backoff.
    if (!m_server)
        return;
    m_server->pauseAccepting();
    if (m_acceptedSinceError) {
        // Connections were accepted since the last error, so this one is most likely stale:
        // Qt 6.4 keeps the error of a failed accept() and reports it again (and pauses) each
        // time accepting later drains the backlog. Resume at once.
        m_acceptedSinceError = false;
        m_acceptBackoff = MinAcceptBackoff;
        m_acceptRetry.start(0);
        return;
    }
    if (m_acceptBackoff == MinAcceptBackoff)
        qCWarning(lcHttp) << "accepting a connection failed:" << m_server->errorString()
                          << "- retrying with a backoff";
    else
        qCDebug(lcHttp) << "accepting failed again, retrying in" << m_acceptBackoff << "ms";
    m_acceptRetry.start(m_acceptBackoff);
    m_acceptBackoff = qMin(m_acceptBackoff * 2, MaxAcceptBackoff);
}

void Front::acceptPending()
{
    if (!m_server)
        return;
    while (m_server->hasPendingConnections()) {
        QTcpSocket *socket = m_server->nextPendingConnection();
        if (!socket)
            break;
        // As Node (http's noDelay, on by default, and ws on every WebSocket): no Nagle. With
        // it, a small reply written while the previous one waits for the peer's delayed ACK
        // waits too, up to the ACK timer: the tail of every latency distribution.
        socket->setSocketOption(QAbstractSocket::LowDelayOption, 1);
        if (m_acceptor)
            m_acceptor(socket);
        else
            serve(socket);
    }
}

bool Front::offersHttp2() const
{
#if SOCKETIO_HTTP2
    // The worker pool routes a connection by its first HTTP/1.1 request.
    if (m_limits.http2() && m_acceptor)
        qCWarning(lcHttp) << "HTTP/2 is not offered with workers: their router reads HTTP/1.1";
    return m_limits.http2() && !m_acceptor;
#else
    return false;
#endif
}

void Front::serve(QTcpSocket *socket)
{
    const auto *ssl = qobject_cast<QSslSocket *>(socket);
    const QByteArray protocol =
        ssl ? ssl->sslConfiguration().nextNegotiatedProtocol() : QByteArray();
    if (protocol == QSslConfiguration::ALPNProtocolHTTP2) {
#if SOCKETIO_HTTP2
        new Http2Session(socket, this, m_limits, this);
#else
        qCWarning(lcHttp) << "a client chose HTTP/2, which this build lacks (SOCKETIO_HTTP2)";
        socket->abort();
        socket->deleteLater();
#endif
        return;
    }
    if (ssl && m_limits.http2() && !m_limits.allowHTTP1() && !m_acceptor) {
        // Node's 'unknownProtocol' without a listener: the socket is destroyed.
        qCDebug(lcHttp) << "refused a client without HTTP/2 (allowHTTP1 is false)";
        socket->abort();
        socket->deleteLater();
        return;
    }
    new Http1Connection(socket, this, m_limits, this);
}

void Front::adopt(QTcpSocket *socket, bool oneRequestOnly)
{
    auto *connection = new Http1Connection(socket, this, m_limits, this);
    if (oneRequestOnly)
        connection->setOneRequestOnly();
}

void Front::close()
{
    m_acceptRetry.stop();
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
#if SOCKETIO_HTTP2
    const auto sessions = findChildren<Http2Session *>(Qt::FindDirectChildrenOnly);
    for (Http2Session *session : sessions)
        session->closeGracefully();
#endif
}

} // namespace SocketIO::Http
