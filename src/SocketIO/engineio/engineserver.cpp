#include "engineserver.h"

#include "core/base64id_p.h"
#include "core/shareddata_p.h"
#include "engineio/engineoptions_p.h"
#include "engineio/engineserver_p.h"
#include "engineio/enginesocket_p.h"
#include "engineio/pollingtransport_p.h"
#include "engineio/websockettransport_p.h"
#if SOCKETIO_LEAN_ENGINE
#include "engineio/leanwebsockettransport_p.h"
#endif
#include "http/compression_p.h"
#include "http/cookie_p.h"
#include "http/cors_p.h"
#include "http/directsocket_p.h"
#include "http/httpfront_p.h"

#include <QtCore/QJsonArray>
#include <QtCore/QJsonDocument>
#include <QtCore/QJsonObject>
#include <QtCore/QLoggingCategory>
#include <QtCore/QTimer>
#include <QtNetwork/QTcpServer>
#include <QtNetwork/QTcpSocket>
#include <QtWebSockets/QWebSocketServer>

Q_DECLARE_LOGGING_CATEGORY(lcEngine)

namespace SocketIO {

using namespace EngineIO;

namespace {
QString peerKey(const QHostAddress &address, quint16 port)
{
    return address.toString() + u'|' + QString::number(port);
}

// ws's choice of subprotocol: the first one offered (engine.io sets no handleProtocols);
// `chosen` stays empty without a header. False when the header is malformed.
bool chooseSubprotocol(const HttpRequest &request, QByteArray *chosen)
{
    const QByteArray protocols = request.header("sec-websocket-protocol");
    if (protocols.isNull())
        return true;
    const auto offered = WebSocket::parseSubprotocols(protocols);
    if (!offered)
        return false;
    *chosen = offered->constFirst();
    return true;
}

// The official Engine.IO v3 test suite (Node's `ws`) listens for the open packet only once it
// has handled the 'open' event, a few microseconds after the 101 was read: a v3 session opened
// over WebSocket sends its open packet this long after the 101 (with 1 ms, 2% of Node clients
// still missed it here; Node's own server misses most of them). A v3 client sends nothing
// before that packet. 0: no wait.
int v3OpenDelayMs(const HttpRequest &request)
{
    const bool v3Handshake = request.queryItem(QStringLiteral("EIO")) == u"3" &&
                             request.queryItem(QStringLiteral("sid")).isEmpty();
    return v3Handshake ? 5 : 0;
}
} // namespace

EngineServerPrivate::EngineServerPrivate(EngineServer *q)
    : q_ptr(q)
{}

EngineServerPrivate::~EngineServerPrivate() = default;

QString EngineServerPrivate::generateId() const
{
    QString id;
    do {
        id = base64Id();
        if (!idPrefix.isNull())
            id[0] = idPrefix;
    } while (clients.contains(id));
    return id;
}

bool EngineServerPrivate::matchesPath(const HttpRequest &request) const
{
    return request.target().startsWith(routePath.toUtf8());
}

qint64 EngineServerPrivate::maxBodySize(const HttpRequest &head) const
{
    // Requests outside the engine path belong to the application; keep them bounded too.
    return matchesPath(head) ? options.maxHttpBufferSize : options.http.maxBodySize;
}

/*!
    Returns the reference's message for \a code, such as "Session ID unknown".
*/
QString EngineServer::errorMessage(ErrorCode code)
{
    switch (code) {
    case ErrorCode::UnknownTransport:
        return QStringLiteral("Transport unknown");
    case ErrorCode::UnknownSid:
        return QStringLiteral("Session ID unknown");
    case ErrorCode::BadHandshakeMethod:
        return QStringLiteral("Bad handshake method");
    case ErrorCode::BadRequest:
        return QStringLiteral("Bad request");
    case ErrorCode::Forbidden:
        return QStringLiteral("Forbidden");
    case ErrorCode::UnsupportedProtocolVersion:
        return QStringLiteral("Unsupported protocol version");
    case ErrorCode::NoError:
        break;
    }
    return {};
}

void EngineServerPrivate::reportConnectionError(const HttpRequest &request,
                                                EngineServer::ErrorCode code,
                                                const QString &message)
{
    Q_Q(EngineServer);
    EngineConnectionError error;
    error.setRequest(request);
    error.setCode(int(code));
    error.setMessage(message);
    Q_EMIT q->connectionError(error);
}

void EngineServerPrivate::abortRequest(Http::Connection *connection, const HttpRequest &request,
                                       EngineServer::ErrorCode code, const QString &message)
{
    const QString text = message.isEmpty() ? EngineServer::errorMessage(code) : message;
    reportConnectionError(request, code, text);
    HttpResponse response;
    response.setStatusCode(code == EngineServer::ErrorCode::Forbidden ? 403 : 400);
    response.setHeader(QByteArrayLiteral("Content-Type"), QByteArrayLiteral("application/json"));
    // {"code":N,"message":"..."} in this key order, like JSON.stringify.
    response.setBody(
        "{\"code\":" + QByteArray::number(int(code)) + ",\"message\":" +
        QJsonDocument(QJsonArray{text}).toJson(QJsonDocument::Compact).sliced(1).chopped(1) + '}');
    decorateResponse(request, response);
    connection->respond(response);
}

void EngineServerPrivate::abortUpgrade(Http::Connection *connection, const HttpRequest &request,
                                       EngineServer::ErrorCode code, const QString &message)
{
    const QString text = message.isEmpty() ? EngineServer::errorMessage(code) : message;
    reportConnectionError(request, code, text);
    const QByteArray body = text.toUtf8();
    connection->respondRawAndClose("HTTP/1.1 400 Bad Request\r\nConnection: close\r\n"
                                   "Content-type: text/html\r\nContent-Length: " +
                                   QByteArray::number(body.size()) + "\r\n\r\n" + body);
}

void EngineServerPrivate::addImmediateCorsHeaders(const HttpRequest &request,
                                                  HttpResponse &response) const
{
    if (!options.cors)
        return;
    const Http::OriginDecision decision =
        Http::decideOrigin(*options.cors, QString::fromUtf8(request.header("origin")));
    if (decision != Http::OriginDecision::Allowed && decision != Http::OriginDecision::NotAllowed)
        return;
    const bool allowed = decision == Http::OriginDecision::Allowed;
    for (const auto &header : Http::corsHeaders(*options.cors, request, allowed).headers)
        response.addHeader(header.first, header.second);
}

void EngineServerPrivate::decorateResponse(const HttpRequest &request, HttpResponse &response)
{
    headersHook(request, response, request.queryItem(QStringLiteral("sid")).isEmpty());
}

void EngineServerPrivate::compressResponse(const HttpRequest &request, QByteArray &body,
                                           HttpResponse &response)
{
    if (!options.httpCompression || body.size() < options.httpCompression->threshold)
        return;
    const Http::ContentEncoding encoding =
        Http::negotiateEncoding(request.header("accept-encoding"));
    if (encoding == Http::ContentEncoding::Identity)
        return;
    QByteArray compressed = Http::compress(body, encoding, options.httpCompression->zlib());
    if (compressed.isEmpty()) // zlib failed (out of memory): the body goes as it is
        return;
    body = std::move(compressed);
    response.setHeader(QByteArrayLiteral("Content-Encoding"), Http::encodingName(encoding));
}

void EngineServerPrivate::respondNotFound(Http::Connection *connection, const HttpRequest &request)
{
    HttpResponse response;
    if (requestHandler && requestHandler.function()(request, response)) {
        connection->respond(response);
        return;
    }
    if (asyncRequestHandler) {
        // A connection gone (or already answered) ignores the answer.
        auto respond = [guard = QPointer<Http::Connection>(connection),
                        answered = std::make_shared<bool>(false)](const HttpResponse &answer) {
            if (!guard || std::exchange(*answered, true))
                return;
            guard->respond(answer);
        };
        if (asyncRequestHandler.function()(request, respond))
            return;
    }
    response.setStatusCode(404);
    response.setHeader(QByteArrayLiteral("Content-Type"), QByteArrayLiteral("text/plain"));
    response.setBody(QByteArrayLiteral("Not Found"));
    connection->respond(response);
}

void EngineServerPrivate::handleRequest(Http::Connection *connection, const HttpRequest &request)
{
    if (interceptor) {
        HttpResponse response;
        if (interceptor(request, response)) {
            connection->respond(response);
            return;
        }
    }
    if (!matchesPath(request)) {
        respondNotFound(connection, request);
        return;
    }
    if (Q_UNLIKELY(legacy09.enabled) && handleLegacy09(connection, request))
        return;
    QPointer<Http::Connection> guard(connection);
    auto proceed = [this, guard, request] {
        if (!guard)
            return;
        verify(request, false,
               [this, guard, request](EngineServer::ErrorCode code, const QString &message) {
                   if (!guard)
                       return;
                   if (code != EngineServer::ErrorCode::NoError) {
                       abortRequest(guard, request, code, message);
                       return;
                   }
                   const QString sid = request.queryItem(QStringLiteral("sid"));
                   if (sid.isEmpty()) {
                       handshake(request, guard, {});
                       return;
                   }
                   EngineSocket *socket = clients.value(sid);
                   auto *polling = socket ? qobject_cast<PollingTransport *>(
                                                EngineSocketPrivate::get(socket)->transport)
                                          : nullptr;
                   if (!polling) {
                       abortRequest(guard, request, EngineServer::ErrorCode::BadRequest, {});
                       return;
                   }
                   polling->handleRequest(guard, request);
               });
    };
    if (!options.cors) {
        proceed();
        return;
    }
    // The CORS layer runs first, as engine.io's cors middleware does.
    const CorsOptions &cors = *options.cors;
    auto applyCors = [this, guard, request, proceed](bool allowed) {
        if (!guard)
            return;
        const Http::CorsResult result = Http::corsHeaders(*options.cors, request, allowed);
        guard->addResponseHeaders(result.headers);
        if (result.preflight) {
            HttpResponse response;
            response.setStatusCode(options.cors->optionsSuccessStatus);
            response.setHeader(QByteArrayLiteral("Content-Length"), QByteArrayLiteral("0"));
            guard->respond(response);
            return;
        }
        proceed();
    };
    const QString origin = QString::fromUtf8(request.header("origin"));
    switch (Http::decideOrigin(cors, origin)) {
    case Http::OriginDecision::NoHeaders:
        proceed();
        return;
    case Http::OriginDecision::Allowed:
        applyCors(true);
        return;
    case Http::OriginDecision::NotAllowed:
        applyCors(false);
        return;
    case Http::OriginDecision::AskCallback:
        cors.originCallback(
            origin, [this, guard, request, applyCors, proceed](const QString &error, bool allow) {
                if (!guard)
                    return;
                if (!error.isEmpty()) {
                    abortRequest(guard, request, EngineServer::ErrorCode::BadRequest, {});
                    return;
                }
                // `cors` adds no headers at all when the callback refuses.
                if (allow)
                    applyCors(true);
                else
                    proceed();
            });
        return;
    }
}

void EngineServerPrivate::verify(const HttpRequest &request, bool upgrade, const Verdict &done)
{
    if (!gate) {
        verifyTransport(request, upgrade, done);
        return;
    }
    gate(request, [this, alive = QPointer<EngineServer>(q_func()), request, upgrade,
                   done](const QString &reason, bool allow) {
        if (!alive)
            return;
        if (allow)
            verifyTransport(request, upgrade, done);
        else
            done(EngineServer::ErrorCode::Forbidden, reason);
    });
}

void EngineServerPrivate::verifyTransport(const HttpRequest &request, bool upgrade,
                                          const Verdict &done)
{
    using Code = EngineServer::ErrorCode;
    const QString transport = request.queryItem(QStringLiteral("transport"));
    if (!options.transports.contains(transport)) {
        done(Code::UnknownTransport, {});
        return;
    }
    if (Http::hasInvalidHeaderChar(request.header("origin"))) {
        done(Code::BadRequest, {});
        return;
    }
    const QString sid = request.queryItem(QStringLiteral("sid"));
    if (!sid.isEmpty()) {
        EngineSocket *socket = clients.value(sid);
        if (!socket) {
            done(Code::UnknownSid, {});
            return;
        }
        if (!upgrade && socket->transportName() != transport) {
            done(Code::BadRequest, {});
            return;
        }
        if (Protocol::versionOf(request) != socket->protocol()) {
            done(Code::BadRequest, {});
            return;
        }
        done(Code::NoError, {});
        return;
    }
    if (request.method() != "GET") {
        done(Code::BadHandshakeMethod, {});
        return;
    }
    if (transport == u"websocket" && !upgrade) {
        done(Code::BadRequest, {});
        return;
    }
    // The protocol version is checked after allowRequest, as the reference does, but before
    // a WebSocket handshake, so that a refused WebSocket gets a plain HTTP answer (the
    // reference writes it after its 101).
    const bool protocolOk = Protocol::isAccepted(request, options);
    auto checkProtocol = [done, protocolOk] {
        done(protocolOk ? Code::NoError : Code::UnsupportedProtocolVersion, {});
    };
    if (!allowRequest) {
        checkProtocol();
        return;
    }
    allowRequest.function()(request, [done, checkProtocol, guard = allowRequest.guard()](
                                         const QString &reason, bool allow) {
        if (!guard.isAlive())
            return;
        if (allow)
            checkProtocol();
        else
            done(Code::Forbidden, reason);
    });
}

void EngineServerPrivate::handshake(const HttpRequest &request, Http::Connection *connection,
                                    const MakeTransport &makeWebSocket)
{
    Q_Q(EngineServer);
    const Protocol protocol = Protocol::fromHandshake(request);
    auto *socket = new EngineSocket(q);
    EngineSocketPrivate *d = EngineSocketPrivate::get(socket);
    d->server = this;
    d->id = generateId();
    d->protocol = protocol;
    d->request = request;
    Transport *transport = makeWebSocket ? makeWebSocket(protocol, socket)
                                         : new PollingTransport(this, protocol, socket);
    d->setTransport(transport);
    if (connection && options.cookie) {
        const QByteArray cookie = Http::serializeCookie(*options.cookie, d->id);
        if (!cookie.isEmpty())
            connection->addResponseHeaders({{QByteArrayLiteral("Set-Cookie"), cookie}});
        else
            qCWarning(lcEngine, "cookie.encode made a value a cookie cannot hold: no cookie sent");
    }
    d->open();
    if (connection)
        static_cast<PollingTransport *>(transport)->handleRequest(connection, request);
    addSession(socket);
}

void EngineServerPrivate::addSession(EngineSocket *socket)
{
    Q_Q(EngineServer);
    const QString id = socket->id();
    clients.insert(id, socket);
    EngineSocketPrivate::get(socket)->registered = true;
    Q_EMIT q->clientsCountChanged();
    Q_EMIT q->connection(socket);
}

void EngineServerPrivate::removeSession(EngineSocket *socket)
{
    Q_Q(EngineServer);
    const auto it = clients.constFind(socket->id());
    if (it != clients.cend() && it.value() == socket) {
        clients.erase(it);
        Q_EMIT q->clientsCountChanged();
    }
    socket->deleteLater();
}

void EngineServerPrivate::handleBodyTooLarge(Http::Connection *connection, const HttpRequest &head)
{
    if (!matchesPath(head)) {
        Http::Handler::handleBodyTooLarge(connection, head);
        return;
    }
    HttpResponse response;
    response.setStatusCode(413);
    decorateResponse(head, response);
    connection->respond(response, true);
}

void EngineServerPrivate::handleUpgrade(Http::Connection *connection, const HttpRequest &request)
{
    if (!matchesPath(request)) {
        // Not ours: like the reference, drop it after destroyUpgradeTimeout unless the
        // application answered it.
        if (options.destroyUpgrade) {
            QPointer<Http::Connection> guard(connection);
            QTimer::singleShot(options.destroyUpgradeTimeout, connection, [guard] {
                if (guard)
                    guard->abort();
            });
        }
        return;
    }
    if (Q_UNLIKELY(legacy09.enabled) && handleLegacy09Upgrade(connection, request))
        return;
    QPointer<Http::Connection> guard(connection);
    verify(request, true,
           [this, guard, request](EngineServer::ErrorCode code, const QString &message) {
               if (!guard)
                   return;
               if (code != EngineServer::ErrorCode::NoError) {
                   abortUpgrade(guard, request, code, message);
                   return;
               }
               acceptUpgrade(guard, request);
           });
}

void EngineServerPrivate::acceptUpgrade(Http::Connection *connection, const HttpRequest &request)
{
#if SOCKETIO_LEAN_ENGINE
    if (options.wsEngine == u"lean") {
        acceptLean(connection, request);
        return;
    }
#endif
    // QWebSocketServer answers with the first of its supported subprotocols that the client
    // offered: each pending upgrade's choice is supported until its handshake is done.
    QByteArray chosen;
    if (!chooseSubprotocol(request, &chosen)) {
        refuseUpgrade(connection, "Invalid Sec-WebSocket-Protocol header");
        return;
    }
    const QString subprotocol = QString::fromLatin1(chosen);
    const QString key = peerKey(request.peerAddress(), request.peerPort());
    QTcpSocket *socket = connection->takeSocket();
    if (auto *direct = qobject_cast<Http::DirectTcpSocket *>(socket))
        direct->setDirect();
    pendingUpgrades.insert(key, {request, socket, subprotocol});
    updateSubprotocols(subprotocol);
    webSocketServer->handleConnection(socket);
    // QWebSocketServer reads the handshake (all here already) in a queued call, posted just
    // now: once it ran, an entry still here was refused.
    QMetaObject::invokeMethod(
        q_func(),
        [this, key, socket] {
            const auto it = pendingUpgrades.constFind(key);
            if (it != pendingUpgrades.cend() && it->socket == socket)
                forgetPendingUpgrade(it);
        },
        Qt::QueuedConnection);
}

void EngineServerPrivate::refuseUpgrade(Http::Connection *connection, const QByteArray &message)
{
    // The answer of the ws library.
    connection->respondRawAndClose("HTTP/1.1 400 Bad Request\r\nConnection: close\r\n"
                                   "Content-Type: text/html\r\nContent-Length: " +
                                   QByteArray::number(message.size()) + "\r\n\r\n" + message);
}

void EngineServerPrivate::forgetPendingUpgrade(PendingUpgrades::const_iterator it)
{
    const QString subprotocol = it->subprotocol;
    pendingUpgrades.erase(it);
    updateSubprotocols(subprotocol);
}

void EngineServerPrivate::updateSubprotocols(const QString &changed)
{
    if (changed.isEmpty())
        return; // an upgrade without a subprotocol changes nothing here
    QStringList supported;
    for (const PendingUpgrade &pending : std::as_const(pendingUpgrades)) {
        if (!pending.subprotocol.isEmpty() && !supported.contains(pending.subprotocol))
            supported.append(pending.subprotocol);
    }
    if (webSocketServer->supportedSubprotocols() != supported)
        webSocketServer->setSupportedSubprotocols(supported);
}

#if SOCKETIO_LEAN_ENGINE
void EngineServerPrivate::acceptLean(Http::Connection *connection, const HttpRequest &request)
{
    // The checks and answers of the ws library.
    auto refuse = [this, connection](const QByteArray &message) {
        refuseUpgrade(connection, message);
    };
    if (!WebSocket::isValidKey(request.header("sec-websocket-key"))) {
        refuse("Missing or invalid Sec-WebSocket-Key header");
        return;
    }
    const QByteArray version = request.header("sec-websocket-version").trimmed();
    if (version != "13" && version != "8") {
        refuse("Missing or invalid Sec-WebSocket-Version header");
        return;
    }
    QList<HttpResponse::Header> headers;
    QByteArray subprotocol;
    if (!chooseSubprotocol(request, &subprotocol)) {
        refuse("Invalid Sec-WebSocket-Protocol header");
        return;
    }
    if (!subprotocol.isEmpty())
        headers.append({QByteArrayLiteral("Sec-WebSocket-Protocol"), subprotocol});
    std::optional<WebSocket::DeflateParams> deflate;
    const QByteArray extensions = request.header("sec-websocket-extensions");
    if (options.perMessageDeflate && !extensions.isNull()) {
        WebSocket::DeflateParams params;
        switch (WebSocket::negotiateDeflate(extensions, deflateConfig, &params)) {
        case WebSocket::Negotiation::None:
            break;
        case WebSocket::Negotiation::Accepted:
            headers.append({QByteArrayLiteral("Sec-WebSocket-Extensions"), params.response});
            deflate = std::move(params);
            break;
        case WebSocket::Negotiation::Invalid:
            refuse("Invalid or unacceptable Sec-WebSocket-Extensions header");
            return;
        }
    }
    // CORS headers and the headers hook reach the 101 too, as with the reference.
    HttpResponse decorations;
    addImmediateCorsHeaders(request, decorations);
    decorateResponse(request, decorations);
    const qsizetype head = connection->headLength();
    QTcpSocket *tcp = connection->takeSocket();
    tcp->skip(head);
    auto *socket = new WebSocket::LeanSocket(tcp, options.maxHttpBufferSize);
    if (deflate)
        socket->enableDeflate(deflateConfig, *deflate);
    socket->accept(request, headers + decorations.headers(), v3OpenDelayMs(request));
    attachWebSocket(
        request,
        [socket](const Protocol &protocol, QObject *parent) -> Transport * {
            return new LeanWebSocketTransport(socket, protocol, parent);
        },
        [socket] {
            socket->close();
            socket->deleteLater();
        });
}
#endif

void EngineServerPrivate::attachWebSocket(const HttpRequest &request,
                                          const MakeTransport &makeTransport,
                                          const std::function<void()> &reject)
{
    if (Q_UNLIKELY(legacy09.enabled) && attachLegacy09WebSocket(request, makeTransport, reject))
        return;
    if (request.queryItem(QStringLiteral("transport")) != u"websocket") {
        reject();
        return;
    }
    const QString sid = request.queryItem(QStringLiteral("sid"));
    if (sid.isEmpty()) {
        handshake(request, nullptr, makeTransport);
        return;
    }
    EngineSocket *socket = clients.value(sid);
    if (!socket || socket->isUpgrading() || socket->isUpgraded()) {
        reject();
        return;
    }
    EngineSocketPrivate *d = EngineSocketPrivate::get(socket);
    d->maybeUpgrade(makeTransport(d->protocol, socket));
}

void EngineServerPrivate::onWebSocket(QWebSocket *webSocket)
{
    const QString key = peerKey(webSocket->peerAddress(), webSocket->peerPort());
    const auto it = pendingUpgrades.constFind(key);
    auto reject = [webSocket] {
        webSocket->close();
        webSocket->deleteLater();
    };
    if (it == pendingUpgrades.cend()) {
        reject();
        return;
    }
    const HttpRequest request = it->request;
    // The connection QWebSocketServer has just wrapped in `webSocket`.
    QTcpSocket *tcp = it->socket;
    forgetPendingUpgrade(it);
    // The 101 leaves now, on its own: a client such as Node's `ws` that only listens for
    // messages once its 'open' event has been handled would miss an open packet read with it.
    if (auto *direct = qobject_cast<Http::DirectTcpSocket *>(tcp))
        direct->sendPending();
    tcp->flush();
    const qint64 maxSize = options.maxHttpBufferSize;
    auto attach = [this, request, webSocket, tcp, maxSize, reject] {
        attachWebSocket(
            request,
            [webSocket, tcp, maxSize](const Protocol &protocol, QObject *parent) -> Transport * {
                return new QtWebSocketTransport(webSocket, tcp, protocol, maxSize, parent);
            },
            reject);
    };
    // As on the lean engine (acceptLean()).
    if (const int delay = v3OpenDelayMs(request)) {
        QTimer::singleShot(delay, webSocket, [attach, alive = QPointer<EngineServer>(q_func())] {
            if (alive)
                attach();
        });
        return;
    }
    attach();
}

bool EngineServerPrivate::prepare()
{
    Q_Q(EngineServer);
    if (front || host) {
        error = EngineServer::Error::AlreadyListening;
        errorString = QStringLiteral("the engine is already listening or attached");
        return false;
    }
    const QString problem = options.validate();
    if (!problem.isEmpty()) {
        error = EngineServer::Error::InvalidOptions;
        errorString = problem;
        Q_EMIT q->errorOccurred(error);
        return false;
    }
    routePath = options.routePath();
    if (options.perMessageDeflate)
        deflateConfig = toDeflateConfig(options.perMessageDeflateOptions());
    if (!webSocketServer) {
        webSocketServer = new QWebSocketServer(QString(), QWebSocketServer::NonSecureMode, q);
        webSocketServer->setMaxPendingConnections(1 << 20);
        QObject::connect(webSocketServer, &QWebSocketServer::newConnection, q, [this] {
            while (QWebSocket *socket = webSocketServer->nextPendingConnection())
                onWebSocket(socket);
        });
    }
    return true;
}

bool EngineServerPrivate::ensureFront()
{
    Q_Q(EngineServer);
    if (!prepare())
        return false;
    front = new Http::Front(this, options.http, q);
    if (acceptor)
        front->setAcceptor(acceptor);
    return true;
}

void EngineServerPrivate::adopt(QTcpSocket *socket)
{
    if (!front && !ensureFront()) {
        socket->deleteLater();
        return;
    }
    front->adopt(socket, true);
}

/*!
    \class SocketIO::EngineServer
    \inmodule SocketIO
    \brief The Engine.IO server: sessions over HTTP long-polling and WebSocket.

    Behaves like Node's engine.io 6.6: same handshake, options and defaults, error codes and
    close reasons. Listen on its own (listen()) or take over a server the application owns
    (attach()). Sessions are announced with connection() and owned by the server.
*/

class EngineConnectionErrorData : public QSharedData
{
public:
    HttpRequest request;
    int code = 0;
    QString message;
};

/*!
    \class SocketIO::EngineConnectionError
    \inmodule SocketIO
    \brief A request the engine refused, as connectionError() reports it (the reference's
    "connection_error" event).

    An implicitly shared Q_GADGET.
*/

/*!
    Constructs a value with every field at its default; it allocates nothing.
*/
EngineConnectionError::EngineConnectionError() noexcept = default;

/*!
    Constructs a copy of \a other; the data is shared until one of them changes.
*/
EngineConnectionError::EngineConnectionError(const EngineConnectionError &other) noexcept = default;

/*!
    Move-constructs a value from \a other, which is left with the defaults.
*/
EngineConnectionError::EngineConnectionError(EngineConnectionError &&other) noexcept = default;

/*!
    Assigns \a other to this value and returns a reference to it.
*/
EngineConnectionError &
EngineConnectionError::operator=(const EngineConnectionError &other) noexcept = default;

/*!
    Move-assigns \a other to this value and returns a reference to it.
*/
EngineConnectionError &
EngineConnectionError::operator=(EngineConnectionError &&other) noexcept = default;

/*!
    Destroys the value.
*/
EngineConnectionError::~EngineConnectionError() = default;

/*!
    \fn void EngineConnectionError::swap(EngineConnectionError &other)

    Swaps this value with \a other; never fails.
*/

/*!
    \property EngineConnectionError::request

    \brief the refused request.
*/

/*!
    Returns the refused request.
*/
HttpRequest EngineConnectionError::request() const
{
    return d ? d->request : HttpRequest();
}

/*!
    Sets the refused request to \a request.
*/
void EngineConnectionError::setRequest(const HttpRequest &request)
{
    detachedData(d)->request = request;
}

/*!
    \property EngineConnectionError::code

    \brief the reference's error code, an EngineServer::ErrorCode value (0 by default).
*/

/*!
    Returns the reference's error code, an EngineServer::ErrorCode value (0 by default).
*/
int EngineConnectionError::code() const
{
    return d ? d->code : 0;
}

/*!
    Sets the error code to \a code.
*/
void EngineConnectionError::setCode(int code)
{
    detachedData(d)->code = code;
}

/*!
    \property EngineConnectionError::message

    \brief the reason: the reference's message for the code, or the one allowRequest gave.
*/

/*!
    Returns the reason: the reference's message for the code, or the one allowRequest gave.
*/
QString EngineConnectionError::message() const
{
    return d ? d->message : QString();
}

/*!
    Sets the reason to \a message.
*/
void EngineConnectionError::setMessage(const QString &message)
{
    detachedData(d)->message = message;
}

/*!
    \enum EngineServer::ErrorCode

    Why a request was refused: the reference's error codes (engine.io Server.errors), sent in
    the error response and in connectionError().
*/

/*!
    \var EngineServer::ErrorCode::NoError

    Not refused.
*/

/*!
    \var EngineServer::UnknownTransport

    The transport is missing or not enabled ("Transport unknown").
*/

/*!
    \var EngineServer::UnknownSid

    The session id is unknown ("Session ID unknown").
*/

/*!
    \var EngineServer::BadHandshakeMethod

    A handshake with another method than GET ("Bad handshake method").
*/

/*!
    \var EngineServer::BadRequest

    A malformed request ("Bad request").
*/

/*!
    \var EngineServer::Forbidden

    allowRequest refused the request ("Forbidden").
*/

/*!
    \var EngineServer::UnsupportedProtocolVersion

    The EIO version is neither 4 nor, with allowEIO3, 3 ("Unsupported protocol version").
*/

/*!
    \enum EngineServer::Error

    What the last failed setOptions(), listen() or attach() ran into; see errorString().
*/

/*!
    \var EngineServer::Error::NoError

    No error.
*/

/*!
    \var EngineServer::InvalidOptions

    The options were refused (EngineOptions::validate() names the problem).
*/

/*!
    \var EngineServer::ListenFailed

    The server could not listen, or the host engine of attach() does not listen yet.
*/

/*!
    \var EngineServer::AlreadyListening

    The engine serves already: its options can no longer change.
*/

/*!
    \property EngineServer::clientsCount

    \brief the number of open sessions.
*/

/*!
    \typedef EngineServer::Decision

    The answer to an allowRequest call: (an empty string, true) accepts; (\a reason, false)
    refuses with 403 and that reason.
*/

/*!
    \typedef EngineServer::AllowRequest

    Decides whether a handshake or upgrade \a request may proceed by calling \a decide, at once
    or later (the reference's allowRequest option).
*/

/*!
    \typedef EngineServer::RequestHandler

    Answers a \a request outside the engine path by filling \a response and returning true;
    false gives the default 404.
*/

/*!
    \typedef EngineServer::Respond

    Sends the answer to a request given to an AsyncRequestHandler. Call it once, on the
    engine's thread; later calls, and calls after the client went away, do nothing.
*/

/*!
    \typedef EngineServer::AsyncRequestHandler

    Takes a \a request outside the engine path and returns true when it will answer it
    through \a respond, now or later; false gives the default 404.
*/

/*!
    \typedef EngineServer::HeadersHook

    Adds headers to \a response, the engine's answer to \a request; \a initial is true for a
    handshake (the reference's "initial_headers" event, otherwise "headers"). WebSocket
    handshakes answered by QWebSocketServer do not pass through it.
*/

/*!
    \fn void EngineServer::connection(SocketIO::EngineSocket *socket)

    Emitted for each new session \a socket. The server owns it and deletes it after its
    closed().
*/

/*!
    \fn void EngineServer::connectionError(const SocketIO::EngineConnectionError &error)

    Emitted when a request was refused, with the \a error the client was sent.
*/

/*!
    \fn void EngineServer::clientsCountChanged()

    Emitted when a session opened or closed.
*/

/*!
    \fn void EngineServer::errorOccurred(SocketIO::EngineServer::Error error)

    Emitted when listen() failed, with \a error.
*/

/*!
    Constructs an engine with the default EngineOptions, as a child of \a parent.
*/
EngineServer::EngineServer(QObject *parent)
    : EngineServer(EngineOptions(), parent)
{}

/*!
    Constructs an engine with \a options, as a child of \a parent. The options are checked when
    it starts serving.
*/
EngineServer::EngineServer(const EngineOptions &options, QObject *parent)
    : QObject(parent)
    , d_ptr(new EngineServerPrivate(this))
{
    d_ptr->options = options;
}

/*!
    Destroys the engine and its sessions, and stops listening.
*/
EngineServer::~EngineServer()
{
    Q_D(EngineServer);
    // Sessions go first: their transports reference the front's connections.
    const auto sockets = d->clients.values();
    d->clients.clear();
    qDeleteAll(sockets);
    delete d->front;
    d->front = nullptr;
    if (d->host && d->host->d_func()->front)
        d->host->d_func()->front->removeHandler(d);
}

/*!
    Returns the options.
*/
EngineOptions EngineServer::options() const
{
    return d_func()->options;
}

/*!
    Replaces the options with \a options; only before the engine serves. Returns false and sets
    error() when it serves already or when the options are invalid.
*/
bool EngineServer::setOptions(const EngineOptions &options)
{
    Q_D(EngineServer);
    if (d->front) {
        d->error = Error::AlreadyListening;
        d->errorString = QStringLiteral("options cannot change once the engine is listening");
        return false;
    }
    const QString problem = options.validate();
    if (!problem.isEmpty()) {
        d->error = Error::InvalidOptions;
        d->errorString = problem;
        return false;
    }
    d->options = options;
    return true;
}

/*!
    Listens on \a address and \a port (0: a free port, see serverPort()), serving https and wss
    when an SSL configuration was set. After close(), listens again. Returns false, sets error()
    and emits errorOccurred() on failure.
*/
bool EngineServer::listen(const QHostAddress &address, quint16 port)
{
    Q_D(EngineServer);
    const QSslConfiguration *ssl = d->sslConfiguration ? &*d->sslConfiguration : nullptr;
    if (d->front && !d->front->server()) {
        // Closed before: listen again with the same sessions' state (as Node's io.listen()
        // after io.close()); connections still closing stay with the front.
        if (d->front->listen(address, port, ssl))
            return true;
        d->error = Error::ListenFailed;
        d->errorString = d->front->errorString();
        Q_EMIT errorOccurred(d->error);
        return false;
    }
    if (!d->ensureFront())
        return false;
    if (!d->front->listen(address, port, ssl)) {
        d->error = Error::ListenFailed;
        d->errorString = d->front->errorString();
        delete d->front;
        d->front = nullptr;
        Q_EMIT errorOccurred(d->error);
        return false;
    }
    return true;
}

/*!
    Serves https and wss through a QSslServer with \a configuration; set it before listen().
*/
void EngineServer::setSslConfiguration(const QSslConfiguration &configuration)
{
    d_func()->sslConfiguration = configuration;
}

/*!
    Takes over the connections of \a server, a QTcpServer or QSslServer that the application
    owns. Requests outside the engine path go to the request handler. Returns false when \a
    server is null or the options are invalid.
*/
bool EngineServer::attach(QTcpServer *server)
{
    Q_D(EngineServer);
    if (!server || !d->ensureFront())
        return false;
    d->front->attach(server);
    return true;
}

/*!
    Closes every session at once ("forced close"), discarding what is queued, and stops
    listening; listen() may follow again.
*/
void EngineServer::close()
{
    Q_D(EngineServer);
    const auto sockets = d->clients.values();
    for (EngineSocket *socket : sockets) {
        // Like the reference's close(): discard what is queued and close at once.
        EngineSocketPrivate::get(socket)->clearWriteBuffer();
        socket->close();
    }
    if (d->front)
        d->front->close();
    if (d->host && d->host->d_func()->front)
        d->host->d_func()->front->removeHandler(d);
    d->host = nullptr;
}

/*!
    Shares the port of \a host, an engine that serves already: requests for this engine's path
    are routed here (e.g. raw Engine.IO beside a Socket.IO server). Returns false and sets
    error() when \a host does not serve yet.
*/
bool EngineServer::attach(EngineServer *host)
{
    Q_D(EngineServer);
    if (!host || host == this)
        return false;
    EngineServerPrivate *h = host->d_func();
    if (!h->front) {
        d->error = Error::ListenFailed;
        d->errorString = QStringLiteral("the host engine is not listening yet");
        return false;
    }
    if (!d->prepare())
        return false;
    d->host = host;
    h->front->addHandler(d);
    return true;
}

/*!
    Returns true while the engine, or the engine it is attached to, listens.
*/
bool EngineServer::isListening() const
{
    Q_D(const EngineServer);
    if (d->host)
        return d->host->isListening();
    return d->front && d->front->server() && d->front->server()->isListening();
}

/*!
    Returns the port the engine (or its host engine) listens on, or 0.
*/
quint16 EngineServer::serverPort() const
{
    Q_D(const EngineServer);
    if (d->host)
        return d->host->serverPort();
    return d->front && d->front->server() ? d->front->server()->serverPort() : 0;
}

/*!
    Returns the server socket the engine accepts its connections from, the analog of
    \c io.httpServer: the QTcpServer (or QSslServer) that listen() created, the application's
    after attach(QTcpServer *), or the host engine's after attach(EngineServer *). Null when
    the engine does not listen. The engine owns the first; stop it with close(), not through
    this pointer.
*/
QTcpServer *EngineServer::httpServer() const
{
    Q_D(const EngineServer);
    if (d->host)
        return d->host->httpServer();
    return d->front ? d->front->server() : nullptr;
}

/*!
    Returns the address the engine listens on, or a null address.
*/
QHostAddress EngineServer::serverAddress() const
{
    Q_D(const EngineServer);
    return d->front && d->front->server() ? d->front->server()->serverAddress() : QHostAddress();
}

/*!
    Sets the \a allowRequest hook that decides on each handshake and upgrade (the reference's
    allowRequest option). While \a context (if not null) is gone, requests are allowed without
    asking.
*/
void EngineServer::setAllowRequest(QObject *context, AllowRequest allowRequest)
{
    Q_D(EngineServer);
    d->allowRequest = {context, std::move(allowRequest)};
}

/*!
    Sets \a handler for requests outside the engine path (the application's own routes on the
    same port); it answers at once. Replaces a handler set with setAsyncRequestHandler(); it is
    not called once \a context (if not null) is destroyed.
*/
void EngineServer::setRequestHandler(QObject *context, RequestHandler handler)
{
    Q_D(EngineServer);
    d->requestHandler = {context, std::move(handler)};
    d->asyncRequestHandler = {};
}

/*!
    Sets \a handler for requests outside the engine path, answered when the application has
    the answer: \a handler returns true and calls its \c respond function once, later if need
    be, on this engine's thread; it returns false for the default 404. An answer given after
    the client went away is dropped. The connection waits for the answer (later requests on it
    are read after it), so a handler that returns true must answer. Replaces a handler set with
    setRequestHandler(); it is not called once \a context (if not null) is destroyed.
*/
void EngineServer::setAsyncRequestHandler(QObject *context, AsyncRequestHandler handler)
{
    Q_D(EngineServer);
    d->asyncRequestHandler = {context, std::move(handler)};
    d->requestHandler = {};
}

/*!
    Sets \a hook to add headers to the engine's HTTP responses; it is not called once \a context
    (if not null) is destroyed.
*/
void EngineServer::setHeadersHook(QObject *context, HeadersHook hook)
{
    Q_D(EngineServer);
    d->headersHook = {context, std::move(hook)};
}

/*!
    Returns the open sessions, owned by the engine.
*/
QList<EngineSocket *> EngineServer::clients() const
{
    return d_func()->clients.values();
}

/*!
    Returns the session with \a id, or null.
*/
EngineSocket *EngineServer::client(const QString &id) const
{
    return d_func()->clients.value(id);
}

/*!
    Returns the number of open sessions.
*/
int EngineServer::clientsCount() const
{
    return int(d_func()->clients.size());
}

/*!
    Returns the error of the last failed call.
*/
EngineServer::Error EngineServer::error() const
{
    return d_func()->error;
}

/*!
    Returns a description of error().
*/
QString EngineServer::errorString() const
{
    return d_func()->errorString;
}

void setEngineObserver(EngineServer *engine, EngineObserver *observer)
{
    EngineServerPrivate::get(engine)->observer = observer;
}

EngineObserver *engineObserver(const EngineServer *engine)
{
    return EngineServerPrivate::get(const_cast<EngineServer *>(engine))->observer;
}

} // namespace SocketIO
