#pragma once

#include "core/guarded_p.h"
#include "engineio/engineobserver_p.h"
#include "engineio/legacy09_p.h"
#include "engineio/transport_p.h"
#include "engineserver.h"
#include "http/httpconnection_p.h"
#include "websocket/deflate_p.h"

#include <QtCore/QHash>
#include <QtCore/QPointer>
#include <QtNetwork/QSslConfiguration>

#include <optional>

QT_BEGIN_NAMESPACE
class QWebSocket;
class QWebSocketServer;
QT_END_NAMESPACE

namespace SocketIO {

namespace Http {
class Front;
}

class EngineServerPrivate : public Http::Handler
{
    Q_DECLARE_PUBLIC(EngineServer)
public:
    explicit EngineServerPrivate(EngineServer *q);
    ~EngineServerPrivate() override;
    static EngineServerPrivate *get(EngineServer *engine) { return engine->d_func(); }

    // Http::Handler
    qint64 maxBodySize(const HttpRequest &head) const override;
    void handleRequest(Http::Connection *connection, const HttpRequest &request) override;
    void handleBodyTooLarge(Http::Connection *connection, const HttpRequest &head) override;
    void handleUpgrade(Http::Connection *connection, const HttpRequest &request) override;

    bool matchesPath(const HttpRequest &request) const;
    bool claims(const HttpRequest &request) const override { return matchesPath(request); }
    bool prepare();
    // Runs the reference's checks; `done` gets the error code or NoError.
    using Verdict = std::function<void(EngineServer::ErrorCode code, const QString &message)>;
    void verify(const HttpRequest &request, bool upgrade, const Verdict &done);
    void verifyTransport(const HttpRequest &request, bool upgrade, const Verdict &done);
    void abortRequest(Http::Connection *connection, const HttpRequest &request,
                      EngineServer::ErrorCode code, const QString &message);
    void abortUpgrade(Http::Connection *connection, const HttpRequest &request,
                      EngineServer::ErrorCode code, const QString &message);
    void reportConnectionError(const HttpRequest &request, EngineServer::ErrorCode code,
                               const QString &message);
    // Makes the WebSocket transport of a session (nullptr: the session starts on polling).
    using MakeTransport =
        std::function<EngineIO::Transport *(const EngineIO::Protocol &protocol, QObject *parent)>;
    void handshake(const HttpRequest &request, Http::Connection *connection,
                   const MakeTransport &makeWebSocket);
    // Registers a new session: clients, its removal once closed, connection().
    void addSession(EngineSocket *socket);
    // A registered session closed: out of clients, and deleted later (called by the session
    // before closed() is emitted; a connection per session would cost each some 400 bytes).
    void removeSession(EngineSocket *socket);
    // After its checks: hands a WebSocket upgrade to the WebSocket engine (lean or Qt).
    void acceptUpgrade(Http::Connection *connection, const HttpRequest &request);
    void onWebSocket(QWebSocket *socket);
    // Answers a refused WebSocket handshake with 400 and `message`, as ws does.
    void refuseUpgrade(Http::Connection *connection, const QByteArray &message);
    // Lets QWebSocketServer answer the first subprotocol of each pending upgrade, after one
    // offering `changed` came or went (nothing to do when it offered none).
    void updateSubprotocols(const QString &changed);

    // Socket.IO 0.9 (engineio/legacy09server.cpp). Each returns false when the request is
    // not a 0.9 one (its target is not "<path>1/...") and leaves it to the engine.
    bool handleLegacy09(Http::Connection *connection, const HttpRequest &request);
    bool handleLegacy09Upgrade(Http::Connection *connection, const HttpRequest &request);
    bool attachLegacy09WebSocket(const HttpRequest &request, const MakeTransport &makeTransport,
                                 const std::function<void()> &reject);
    void legacy09Handshake(Http::Connection *connection, const HttpRequest &request);
    // The CORS headers of a 0.9 answer: EngineOptions::cors when set, else 0.9's default
    // (origins "*:*": the origin reflected, with credentials); then the headers hook.
    void decorateLegacy09(const HttpRequest &request, HttpResponse &response);
    EngineIO::Legacy09::Target legacy09Target(const HttpRequest &request) const;
#if SOCKETIO_LEAN_ENGINE
    void acceptLean(Http::Connection *connection, const HttpRequest &request);
#endif
    // A WebSocket whose upgrade was verified: a new session, or the upgrade of one.
    void attachWebSocket(const HttpRequest &request, const MakeTransport &makeTransport,
                         const std::function<void()> &reject);
    // The CORS headers of EngineOptions::cors for an answer that cannot wait (a 101, a 0.9
    // request): a Callback mode is not asked. Nothing without cors.
    void addImmediateCorsHeaders(const HttpRequest &request, HttpResponse &response) const;
    // CORS and user headers for every response on the engine path.
    void decorateResponse(const HttpRequest &request, HttpResponse &response);
    void compressResponse(const HttpRequest &request, QByteArray &body, HttpResponse &response);
    void respondNotFound(Http::Connection *connection, const HttpRequest &request);
    QString generateId() const;
    bool ensureFront();
    // Serves a connection routed here by a worker pool.
    void adopt(QTcpSocket *socket);

    EngineServer *const q_ptr;
    EngineOptions options;
    QString routePath;
    Http::Front *front = nullptr;
    // Set when this engine shares another engine's front (EngineServer::attach(EngineServer*)).
    QPointer<EngineServer> host;
    QWebSocketServer *webSocketServer = nullptr;
    // Upgrades verified and handed to QWebSocketServer, keyed by the peer's address:port.
    // An entry lives one event loop pass: QWebSocketServer then announces the WebSocket, or
    // closes a socket whose handshake it refuses without telling anyone.
    struct PendingUpgrade
    {
        HttpRequest request;
        QTcpSocket *socket = nullptr; // the WebSocket's own once announced
        QString subprotocol;          // the first one offered
    };
    using PendingUpgrades = QHash<QString, PendingUpgrade>;
    PendingUpgrades pendingUpgrades;
    // Drops a pending upgrade and what it made QWebSocketServer support.
    void forgetPendingUpgrade(PendingUpgrades::const_iterator it);
    QHash<QString, EngineSocket *> clients;
    // permessage-deflate's settings (lean engine), read from the options at start.
    WebSocket::DeflateConfig deflateConfig;
    std::optional<QSslConfiguration> sslConfiguration;
    Guarded<EngineServer::AllowRequest> allowRequest;
    // Runs before the engine's own routing (the Socket.IO server serves its client files).
    EngineServer::RequestHandler interceptor;
    // Decides on every engine request, polling and upgrade, before the engine's own checks
    // (the Socket.IO server's 0.9 origins and authorization).
    EngineServer::AllowRequest gate;
    // One of the two is set (the last set wins).
    Guarded<EngineServer::RequestHandler> requestHandler;
    Guarded<EngineServer::AsyncRequestHandler> asyncRequestHandler;
    Guarded<EngineServer::HeadersHook> headersHook;
    EngineServer::Error error = EngineServer::Error::NoError;
    QString errorString;
    // Workers: the first character of every sid names the worker, so that the router finds
    // a session's thread; the router itself takes the accepted sockets.
    QChar idPrefix;
    std::function<void(QTcpSocket *)> acceptor;
    // The instrumentation, when one is attached (engineio/engineobserver_p.h).
    EngineObserver *observer = nullptr;
    // Socket.IO 0.9, off unless the Socket.IO server turns it on (EngineFront::setLegacy09()).
    EngineIO::Legacy09::Config legacy09;
};

} // namespace SocketIO
