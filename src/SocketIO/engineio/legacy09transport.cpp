#include "engineio/legacy09transport_p.h"

#include "engineio/engineserver_p.h"
#include "engineio/legacy09_p.h"
#include "http/httpconnection_p.h"

#include <QtCore/QTimerEvent>

namespace SocketIO::EngineIO {

Legacy09PollingTransport::Legacy09PollingTransport(EngineServerPrivate *server, const QString &name,
                                                   QObject *parent)
    : Transport(Protocol::legacy09(), parent)
    , m_server(server)
    , m_name(name)
{
    m_closeTimer.start(m_server->legacy09.closeTimeout, this);
}

Legacy09PollingTransport::~Legacy09PollingTransport() = default;

void Legacy09PollingTransport::respondText(EngineServerPrivate *server,
                                           Http::Connection *connection, const HttpRequest &request,
                                           const QByteArray &text, bool jsonp)
{
    HttpResponse response;
    if (jsonp) {
        const QByteArray index = jsonpIndex(request.queryItem(QStringLiteral("i")));
        response.setHeader(QByteArrayLiteral("Content-Type"),
                           QByteArrayLiteral("text/javascript; charset=UTF-8"));
        response.setHeader(QByteArrayLiteral("X-XSS-Protection"), QByteArrayLiteral("0"));
        response.setBody(Legacy09::jsonpCall(index.isEmpty() ? "0" : index, text));
    } else {
        response.setHeader(QByteArrayLiteral("Content-Type"),
                           QByteArrayLiteral("text/plain; charset=UTF-8"));
        response.setBody(text);
    }
    server->decorateLegacy09(request, response);
    connection->respond(response);
}

void Legacy09PollingTransport::handleRequest(Http::Connection *connection,
                                             const HttpRequest &request)
{
    if (request.method() == "POST")
        onData(connection, request);
    else
        onPoll(connection, request);
}

void Legacy09PollingTransport::onPoll(Http::Connection *connection, const HttpRequest &request)
{
    if (m_get) {
        // A new poll replaces the one held (the client gave up on it): the old one is
        // released with a noop.
        send({Packet::text(PacketType::Noop)});
    }
    m_closeTimer.stop();
    m_get = connection;
    m_getRequest = request;
    connect(connection, &Http::Connection::aborted, this, [this, connection] {
        if (m_get == connection) {
            m_get = nullptr;
            m_pollTimer.stop();
            m_closeTimer.start(m_server->legacy09.closeTimeout, this);
        }
    });
    m_pollTimer.start(m_server->legacy09.pollingDuration, this);
    notifyDrained();
}

void Legacy09PollingTransport::onData(Http::Connection *connection, const HttpRequest &request)
{
    const QByteArray body =
        isJsonp() ? Legacy09::decodeJsonpForm(request.body()) : toWellFormedUtf8(request.body());
    QList<Packet> packets = Legacy09::decodePayload(body);
    // 0.9 answers "1" before it reads the payload.
    respondText(m_server, connection, request, QByteArrayLiteral("1"), false);
    QPointer<Legacy09PollingTransport> self(this);
    for (Packet &packet : packets) {
        if (!self || m_closing)
            return;
        deliver(packet);
    }
}

void Legacy09PollingTransport::send(const QList<Packet> &packets)
{
    if (!m_get)
        return;
    Http::Connection *connection = m_get;
    m_get = nullptr;
    disconnect(connection, &Http::Connection::aborted, this, nullptr);
    m_pollTimer.stop();
    if (!m_closing)
        m_closeTimer.start(m_server->legacy09.closeTimeout, this);
    respondText(m_server, connection, m_getRequest, Legacy09::encodePayload(packets), isJsonp());
}

void Legacy09PollingTransport::timerEvent(QTimerEvent *event)
{
    if (event->timerId() == m_pollTimer.timerId()) {
        m_pollTimer.stop();
        if (m_get)
            send({Packet::text(PacketType::Noop)});
    } else if (event->timerId() == m_closeTimer.timerId()) {
        m_closeTimer.stop();
        if (!m_get && !m_closing && !m_discarded) {
            m_closing = true;
            notifyClosed();
        }
    }
}

void Legacy09PollingTransport::discard()
{
    if (m_get)
        send({Packet::text(PacketType::Noop)});
    m_pollTimer.stop();
    m_closeTimer.stop();
    Transport::discard();
}

void Legacy09PollingTransport::close()
{
    if (m_closing)
        return;
    if (m_get && !m_discarded)
        send({Packet::text(PacketType::Close)});
    m_closing = true;
    m_pollTimer.stop();
    m_closeTimer.stop();
    notifyClosed();
}

} // namespace SocketIO::EngineIO
