// The HTTP front: accepts connections from a QTcpServer or QSslServer (owned or attached)
// and runs one Http::Connection per socket.
#pragma once

#include "http/httpconnection_p.h"

#include <QtCore/QObject>
#include <QtCore/QPointer>
#include <QtCore/QTimer>
#include <QtNetwork/QHostAddress>
#include <QtNetwork/QSslConfiguration>
#include <QtNetwork/QTcpServer>

#include <functional>

namespace SocketIO::Http {

// Also a Handler: it routes each request to the first added handler that claims it, else to
// the main one (several engines on one port).
// After accept() fails (out of descriptors or memory), accepting pauses this long, doubling
// up to MaxAcceptBackoff while it keeps failing.
inline constexpr int MinAcceptBackoff = 100;  // ms
inline constexpr int MaxAcceptBackoff = 1000; // ms
// Connections the kernel queues before we accept them, Node's default. Qt's 50 overflowed
// under a burst of polling requests: the kernel drops the SYN and the client retries a
// second later, so a polling client's close arrived after its reconnection.
inline constexpr int ListenBacklog = 511;

class Front : public QObject, public Handler
{
    Q_OBJECT
public:
    Front(Handler *handler, const HttpLimits &limits, QObject *parent);
    ~Front() override;

    bool listen(const QHostAddress &address, quint16 port, const QSslConfiguration *ssl);
    void attach(QTcpServer *server);
    void close();
    // Hands every accepted socket to `acceptor` instead of serving it (worker routing);
    // the acceptor gives back the ones to serve here with adopt().
    void setAcceptor(std::function<void(QTcpSocket *)> acceptor)
    {
        m_acceptor = std::move(acceptor);
    }
    // Serves a socket accepted elsewhere (possibly on another thread, then moved here).
    void adopt(QTcpSocket *socket, bool oneRequestOnly = false);
    QTcpServer *server() const { return m_server; }
    QString errorString() const { return m_errorString; }
    void addHandler(Handler *handler) { m_extra.append(handler); }
    void removeHandler(Handler *handler) { m_extra.removeAll(handler); }

    qint64 maxBodySize(const HttpRequest &head) const override
    {
        return route(head)->maxBodySize(head);
    }
    void handleRequest(Connection *connection, const HttpRequest &request) override
    {
        route(request)->handleRequest(connection, request);
    }
    void handleBodyTooLarge(Connection *connection, const HttpRequest &head) override
    {
        route(head)->handleBodyTooLarge(connection, head);
    }
    void handleUpgrade(Connection *connection, const HttpRequest &request) override
    {
        route(request)->handleUpgrade(connection, request);
    }

private:
    void acceptPending();
    void onAcceptError();
    // Serves an accepted socket: HTTP/2 when its TLS handshake chose "h2", else HTTP/1.1
    // (or nothing, when only HTTP/2 is allowed).
    void serve(QTcpSocket *socket);
    bool offersHttp2() const;
    Handler *route(const HttpRequest &request) const
    {
        for (Handler *handler : m_extra) {
            if (handler->claims(request))
                return handler;
        }
        return m_handler;
    }

    Handler *const m_handler;
    QList<Handler *> m_extra;
    HttpLimits m_limits;
    QPointer<QTcpServer> m_server;
    bool m_ownsServer = false;
    QString m_errorString;
    std::function<void(QTcpSocket *)> m_acceptor;
    QTimer m_acceptRetry;
    int m_acceptBackoff = MinAcceptBackoff;
    bool m_acceptedSinceError = false;
};

} // namespace SocketIO::Http
