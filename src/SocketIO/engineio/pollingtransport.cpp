#include "engineio/pollingtransport_p.h"

#include "engineio/engineserver_p.h"
#include "http/compression_p.h"
#include "http/httpconnection_p.h"

#include <QtCore/QTimer>
#include <algorithm>

namespace SocketIO::EngineIO {

PollingTransport::PollingTransport(EngineServerPrivate *server, const Protocol &protocol,
                                   QObject *parent)
    : Transport(protocol, parent)
    , m_server(server)
{}

PollingTransport::~PollingTransport() = default;

void PollingTransport::handleRequest(Http::Connection *connection, const HttpRequest &request)
{
    if (request.method() == "GET") {
        onPoll(connection, request);
    } else if (request.method() == "POST") {
        onData(connection, request);
    } else {
        HttpResponse response;
        response.setStatusCode(500);
        respond(connection, request, response);
    }
}

void PollingTransport::respond(Http::Connection *connection, const HttpRequest &request,
                               HttpResponse &response)
{
    // The reference's polling headers(): old IE gets its XSS filter off; nothing is cached.
    const QByteArray agent = request.header("user-agent");
    if (agent.contains(";MSIE") || agent.contains("Trident/"))
        response.setHeader(QByteArrayLiteral("X-XSS-Protection"), QByteArrayLiteral("0"));
    response.setHeader(QByteArrayLiteral("cache-control"), QByteArrayLiteral("no-store"));
    m_server->decorateResponse(request, response);
    connection->respond(response);
}

void PollingTransport::onPoll(Http::Connection *connection, const HttpRequest &request)
{
    if (m_get) {
        // Two GETs at once: the reference answers the second with 400 and fails the session,
        // which answers the first with a close packet.
        HttpResponse response;
        response.setStatusCode(400);
        respond(connection, request, response);
        notifyError(QStringLiteral("overlap from client"));
        return;
    }
    m_get = connection;
    m_getRequest = request;
    if (m_shouldClose) {
        m_shouldClose = false;
        close();
        return;
    }
    connect(connection, &Http::Connection::aborted, this, [this, connection] {
        if (m_get == connection) {
            m_get = nullptr;
            notifyError(QStringLiteral("poll connection closed prematurely"));
        }
    });
    notifyDrained();
}

void PollingTransport::onData(Http::Connection *connection, const HttpRequest &request)
{
    const bool binary = request.header("content-type") == "application/octet-stream";
    if (binary && !m_protocol.acceptsBinaryPayloads()) {
        // v4 payloads are text only: the reference answers 400 and fails the session.
        HttpResponse response;
        response.setStatusCode(400);
        respond(connection, request, response);
        notifyError(QStringLiteral("invalid content"));
        return;
    }
    QList<Packet> packets = m_protocol.decodePayload(request.body(), binary);
    HttpResponse response;
    if (!packets.isEmpty() && packets.last().isError()) {
        // The reference answers "ok" and then closes the session; the conformance contract asks
        // for a 400 so that the client learns its payload was refused.
        response.setStatusCode(400);
        response.setHeader(QByteArrayLiteral("Content-Type"),
                           QByteArrayLiteral("application/json"));
        response.setBody(QByteArrayLiteral("{\"code\":3,\"message\":\"Bad request\"}"));
    } else {
        response.setHeader(QByteArrayLiteral("Content-Type"), QByteArrayLiteral("text/html"));
        response.setBody(QByteArrayLiteral("ok"));
    }
    respond(connection, request, response);
    // Packets are delivered after answering, so that a close they cause cannot race the
    // answer; the reference answers "ok" in the same tick too.
    QPointer<PollingTransport> self(this);
    for (Packet &packet : packets) {
        if (!self || m_closing)
            return;
        if (packet.type == PacketType::Close) {
            // The client closes: a pending GET is released with a noop, as the reference does.
            if (m_get)
                send({Packet::text(PacketType::Noop)});
            m_closing = true;
            notifyClosed();
            return;
        }
        deliver(packet);
    }
}

void PollingTransport::send(const QList<Packet> &packets)
{
    if (!m_get)
        return;
    Http::Connection *connection = m_get;
    m_get = nullptr;
    disconnect(connection, &Http::Connection::aborted, this, nullptr);

    HttpResponse response;
    QByteArray contentType;
    QByteArray body = m_protocol.encodePayload(packets, &contentType);
    response.setHeader(QByteArrayLiteral("Content-Type"), contentType);
    // Like the reference: compressed unless every packet asked not to be.
    if (std::any_of(packets.cbegin(), packets.cend(), [](const Packet &p) { return p.compress; }))
        m_server->compressResponse(m_getRequest, body, response);
    response.setBody(body);
    respond(connection, m_getRequest, response);
}

void PollingTransport::close()
{
    if (m_closing)
        return;
    if (m_get && !m_discarded) {
        send({Packet::text(PacketType::Close)});
    } else if (!m_discarded) {
        // Wait for the client's next GET to tell it, as the reference does (closeTimeout).
        m_shouldClose = true;
        // A timer of its own, gone with the transport (a QTimer::singleShot() would hold its
        // slot object for the 30 s after the transport is deleted).
        auto *timeout = new QTimer(this);
        timeout->setSingleShot(true);
        connect(timeout, &QTimer::timeout, this, [this] {
            if (m_shouldClose && !m_closing) {
                m_closing = true;
                notifyClosed();
            }
        });
        timeout->start(CloseTimeout);
        return;
    }
    m_closing = true;
    notifyClosed();
}

} // namespace SocketIO::EngineIO
