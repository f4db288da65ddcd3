// The seam between the Socket.IO server (and its worker pool) and an Engine.IO server's HTTP
// front: everything the layers above ask of an EngineServer beyond its public API goes through
// EngineFront, so that the engine's private class, its HTTP front and its sessions stay inside
// the engine layer.
#pragma once

#include "engineio/legacy09_p.h"
#include "engineserver.h"

#include <functional>

QT_BEGIN_NAMESPACE
class QTcpSocket;
QT_END_NAMESPACE

namespace SocketIO {

class EngineServerPrivate;

// A handle on one EngineServer, for the Socket.IO layer. It does not own the engine and is
// valid while the engine lives. Set the hooks before the engine listens.
class EngineFront
{
public:
    explicit EngineFront(EngineServer *engine);

    // Sees every request before the engine's own routing and answers it by returning true
    // (the Socket.IO server serves its client files this way).
    void setInterceptor(EngineServer::RequestHandler interceptor);
    // Decides on every engine request (polling requests and WebSocket upgrades, handshakes or
    // not) before the engine's own checks and allowRequest; a refusal is answered with 403.
    void setGate(EngineServer::AllowRequest gate);
    // Every socket the front accepts goes to `acceptor` instead of being served (the worker
    // pool routes it); serveHere() gives one back.
    void setAcceptor(std::function<void(QTcpSocket *)> acceptor);
    // The first character of every session id this engine issues, which names its worker.
    void setIdPrefix(QChar prefix);
    // Serves Socket.IO 0.9 clients too when `config.enabled` (its requests start with
    // "<path>1/"); their sessions speak socketIOProtocol() 1.
    void setLegacy09(const EngineIO::Legacy09::Config &config);
    // The path the engine serves, as the request target starts with it ("/socket.io/").
    QString routePath() const;
    // Serves a socket the acceptor took, on this engine's own front (keep-alive applies).
    void serveHere(QTcpSocket *socket);
    // Serves one request of a socket another engine's acceptor moved to this engine's thread.
    void adopt(QTcpSocket *socket);

    // Sets `response`'s body to `body`, compressed in the encoding the request accepts.
    static void setCompressedBody(const HttpRequest &request, HttpResponse &response,
                                  const QByteArray &body);

private:
    EngineServerPrivate *m_d;
};

} // namespace SocketIO
