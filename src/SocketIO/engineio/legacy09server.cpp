// Socket.IO 0.9 on the engine: the handshake, the routing of its transports' requests to
// sessions, and a session's transport (re)connecting. The frames are in legacy09.cpp, the
// polling transports in legacy09transport.cpp.
#include "engineio/engineserver_p.h"
#include "engineio/enginesocket_p.h"
#include "engineio/legacy09_p.h"
#include "engineio/legacy09transport_p.h"
#include "http/cors_p.h"

#include <QtCore/QLoggingCategory>

Q_DECLARE_LOGGING_CATEGORY(lcEngine)

namespace SocketIO {

using namespace EngineIO;

namespace {
// 0.9's answer to a request for a session it does not know: error "client not handshaken",
// advice "reconnect".
const QByteArray NotHandshaken = QByteArrayLiteral("7:::1+0");

bool isRefusedTransport(const QString &name)
{
    // Served by 0.9 but not here: both need a browser plugin or an ActiveX object.
    return name == u"htmlfile" || name == u"flashsocket";
}
} // namespace

Legacy09::Target EngineServerPrivate::legacy09Target(const HttpRequest &request) const
{
    const QByteArray target = request.target();
    const qsizetype prefix = routePath.toUtf8().size();
    return Legacy09::parseTarget(QByteArrayView(target).sliced(qMin(prefix, target.size())));
}

bool EngineServerPrivate::handleLegacy09(Http::Connection *connection, const HttpRequest &request)
{
    const Legacy09::Target target = legacy09Target(request);
    if (!target.isLegacy)
        return false;
    if (target.transport.isEmpty()) {
        legacy09Handshake(connection, request);
        return true;
    }
    if (isRefusedTransport(target.transport)) {
        HttpResponse response;
        response.setStatusCode(400);
        response.setHeader(QByteArrayLiteral("Content-Type"), QByteArrayLiteral("text/plain"));
        response.setBody(target.transport.toUtf8() +
                         QByteArrayLiteral(" is not supported by this server: use websocket, "
                                           "xhr-polling or jsonp-polling"));
        connection->respond(response, true);
        return true;
    }
    const bool polling = target.transport == u"xhr-polling" || target.transport == u"jsonp-polling";
    if (!polling || !legacy09.transports.contains(target.transport) || target.sid.isEmpty()) {
        // 0.9 ends the connection without an answer.
        qCDebug(lcEngine) << "0.9: transport not allowed:" << target.transport;
        connection->abort();
        return true;
    }
    EngineSocket *socket = clients.value(target.sid);
    EngineSocketPrivate *d = socket ? EngineSocketPrivate::get(socket) : nullptr;
    if (!d || !d->protocol.isLegacy09() || d->readyState != EngineSocket::ReadyState::Open) {
        Legacy09PollingTransport::respondText(this, connection, request,
                                              request.method() == "POST" ? QByteArrayLiteral("1")
                                                                         : NotHandshaken,
                                              target.transport == u"jsonp-polling");
        return true;
    }
    if (request.query().hasQueryItem(QStringLiteral("disconnect"))) {
        // The client's synchronous disconnect (on page unload): the session ends now.
        Legacy09PollingTransport::respondText(this, connection, request, {}, false);
        socket->close();
        return true;
    }
    auto *transport = qobject_cast<Legacy09PollingTransport *>(d->transport);
    if (!transport || transport->name() != target.transport) {
        transport = new Legacy09PollingTransport(this, target.transport, socket);
        d->attachLegacy09(transport);
    }
    transport->handleRequest(connection, request);
    return true;
}

void EngineServerPrivate::legacy09Handshake(Http::Connection *connection,
                                            const HttpRequest &request)
{
    Q_Q(EngineServer);
    const QString jsonpValue = request.queryItem(QStringLiteral("jsonp"));
    const QByteArray jsonp = jsonpIndex(jsonpValue);
    const bool isJsonp = !jsonp.isEmpty() && jsonp.size() == jsonpValue.size();
    auto answer = [this, request, jsonp, isJsonp](Http::Connection *connection, int status,
                                                  const QByteArray &text, bool error) {
        HttpResponse response;
        if (isJsonp) {
            response.setHeader(QByteArrayLiteral("Content-Type"),
                               QByteArrayLiteral("application/javascript"));
            response.setBody(error ? "io.j[" + jsonp + "](new Error(\"" + text + "\"));"
                                   : Legacy09::jsonpCall(jsonp, text));
        } else {
            response.setStatusCode(status);
            response.setHeader(QByteArrayLiteral("Content-Type"), QByteArrayLiteral("text/plain"));
            response.setBody(text);
        }
        decorateLegacy09(request, response);
        connection->respond(response);
    };
    QPointer<Http::Connection> guard(connection);
    auto accept = [this, q, guard, request, answer] {
        if (!guard)
            return;
        auto *socket = new EngineSocket(q);
        EngineSocketPrivate *d = EngineSocketPrivate::get(socket);
        d->server = this;
        d->id = generateId();
        d->protocol = Protocol::legacy09();
        d->request = request;
        d->setReadyState(EngineSocket::ReadyState::Open);
        // A session whose client never connects a transport ends after closeTimeout.
        d->awaitingPong = true;
        d->heartbeatTimer.start(legacy09.closeTimeout, Qt::PreciseTimer, socket);
        const auto seconds = [](int ms) { return QByteArray::number(ms / 1000); };
        const QByteArray body = d->id.toLatin1() + ':' +
                                (legacy09.heartbeats ? seconds(legacy09.heartbeatTimeout) : "") +
                                ':' + seconds(legacy09.closeTimeout) + ':' +
                                legacy09.transports.join(u',').toLatin1();
        answer(guard, 200, body, false);
        addSession(socket);
    };
    auto authorize = [this, guard, request, accept, answer] {
        if (!allowRequest) {
            accept();
            return;
        }
        allowRequest.function()(request, [guard, accept, answer, alive = allowRequest.guard()](
                                             const QString &, bool allow) {
            if (!alive.isAlive() || !guard)
                return;
            if (allow)
                accept();
            else
                answer(guard, 403, QByteArrayLiteral("handshake unauthorized"), true);
        });
    };
    if (!gate) {
        authorize();
        return;
    }
    // The server's gate (0.9's origins, authorization) first, as for Engine.IO requests.
    gate(request, [guard, authorize, answer,
                   alive = QPointer<EngineServer>(q)](const QString &reason, bool allow) {
        if (!alive || !guard)
            return;
        if (allow)
            authorize();
        else
            answer(guard, 403,
                   reason.isEmpty() ? QByteArrayLiteral("handshake unauthorized") : reason.toUtf8(),
                   true);
    });
}

void EngineServerPrivate::decorateLegacy09(const HttpRequest &request, HttpResponse &response)
{
    const QByteArray origin = request.header("origin");
    if (options.cors) {
        addImmediateCorsHeaders(request, response);
    } else if (!origin.isEmpty()) {
        response.setHeader(QByteArrayLiteral("Access-Control-Allow-Origin"), origin);
        response.setHeader(QByteArrayLiteral("Access-Control-Allow-Credentials"),
                           QByteArrayLiteral("true"));
    }
    decorateResponse(request, response);
}

bool EngineServerPrivate::handleLegacy09Upgrade(Http::Connection *connection,
                                                const HttpRequest &request)
{
    const Legacy09::Target target = legacy09Target(request);
    if (!target.isLegacy)
        return false;
    if (target.transport != u"websocket" || !legacy09.transports.contains(target.transport)) {
        qCDebug(lcEngine) << "0.9: upgrade refused for transport" << target.transport;
        connection->abort();
        return true;
    }
    if (legacy09.allowsWebSocketOrigin &&
        !legacy09.allowsWebSocketOrigin(request.header("origin"))) {
        qCDebug(lcEngine) << "0.9: websocket connection invalid: origin mismatch";
        connection->abort();
        return true;
    }
    acceptUpgrade(connection, request);
    return true;
}

bool EngineServerPrivate::attachLegacy09WebSocket(const HttpRequest &request,
                                                  const MakeTransport &makeTransport,
                                                  const std::function<void()> &reject)
{
    Q_Q(EngineServer);
    const Legacy09::Target target = legacy09Target(request);
    if (!target.isLegacy)
        return false;
    if (target.transport != u"websocket") {
        reject();
        return true;
    }
    EngineSocket *socket = clients.value(target.sid);
    EngineSocketPrivate *d = socket ? EngineSocketPrivate::get(socket) : nullptr;
    if (!d || !d->protocol.isLegacy09() || d->readyState != EngineSocket::ReadyState::Open) {
        // As 0.9 does: the WebSocket opens, says "client not handshaken", and closes.
        Transport *transport = makeTransport(Protocol::legacy09(), q);
        transport->sendOne(Packet::text(PacketType::Message, NotHandshaken));
        transport->close();
        transport->deleteLater();
        return true;
    }
    d->attachLegacy09(makeTransport(d->protocol, socket));
    return true;
}

void EngineSocketPrivate::attachLegacy09(Transport *next)
{
    if (Transport *previous = std::exchange(transport, nullptr)) {
        // The client tries its transports in turn with one session: the last one wins.
        release(previous);
        previous->discard();
        previous->deleteLater();
    }
    setTransport(next);
    if (server->legacy09.heartbeats)
        schedulePing();
    else
        heartbeatTimer.stop();
    flush();
}

} // namespace SocketIO
