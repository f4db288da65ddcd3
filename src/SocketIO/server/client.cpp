#include "server/client_p.h"

#include "parser/legacy09_p.h"
#include "server/namespace_p.h"
#include "server/server_p.h"
#include "server/socket_p.h"

#include <QtCore/QLoggingCategory>
#include <QtCore/QTimerEvent>
#include <QtCore/QUrl>
#include <QtCore/QUrlQuery>

Q_LOGGING_CATEGORY(lcServer, "socketio.server", QtWarningMsg)

namespace SocketIO {

Client::Client(ServerPrivate *server, EngineSocket *conn)
    : QObject(conn)
    , m_server(server)
    , m_conn(conn)
    , m_session(conn)
    , m_legacy09(m_session.socketIOProtocol() == 1)
    , m_decoder(server->options.parser->createDecoder())
{
    m_session.setMessageSink(this);
    m_connectTimeout.start(server->options.connectTimeout, this);
}

Client::~Client()
{
    if (m_conn) // else the session is being destroyed, and with it m_session
        m_session.setMessageSink(nullptr);
}

void Client::timerEvent(QTimerEvent *event)
{
    if (event->timerId() != m_connectTimeout.timerId())
        return;
    m_connectTimeout.stop();
    if (m_sockets.isEmpty()) {
        qCDebug(lcServer) << "no namespace joined before connectTimeout: closing";
        close();
    }
}

Socket *Client::socketFor(const QString &nsp) const
{
    for (Socket *socket : m_sockets) {
        if (socket->nsp()->name() == nsp)
            return socket;
    }
    return nullptr;
}

bool Client::canWrite(const BroadcastFlags &flags) const
{
    // A volatile packet is dropped when it cannot go out now.
    return m_session.canSend(flags.isVolatile());
}

void Client::writePacket(const Packet &packet, const BroadcastFlags &flags)
{
    if (!canWrite(flags))
        return;
    if (Q_UNLIKELY(m_legacy09)) {
        writeLegacy09(Legacy09::encode(packet), flags.isVolatile(), flags.isCompressed());
        return;
    }
    // Each message is moved down: a text one becomes its frame in its own buffer.
    for (EngineMessage &message : m_server->options.parser->encode(packet))
        m_session.send(std::move(message.data), message.binary, flags.isCompressed());
}

QList<EngineIO::Packet> Client::toEnginePackets(const QList<EngineMessage> &messages,
                                                const BroadcastFlags &flags, bool frames)
{
    QList<EngineIO::Packet> packets;
    packets.reserve(messages.size());
    for (const EngineMessage &message : messages)
        packets.append(
            EngineSession::shared(message.data, message.binary, flags.isCompressed(), frames));
    return packets;
}

void Client::writeToEngine(const QList<EngineIO::Packet> &packets, bool isVolatile)
{
    m_session.sendShared(packets, isVolatile);
}

void Client::writeLegacy09(QByteArray &&message, bool isVolatile, bool compress)
{
    if (!message.isEmpty() && m_session.canSend(isVolatile))
        m_session.send(std::move(message), false, compress);
}

void Client::onLegacy09Message(const QByteArray &data)
{
    Packet packet;
    Legacy09::Extra extra;
    QString error;
    if (!Legacy09::decode(data, &packet, &extra, &error)) {
        onParseError(error);
        return;
    }
    if (extra.ignore)
        return;
    if (extra.autoAckId >= 0)
        writeLegacy09(Legacy09::encodeAutoAck(packet.nsp, extra.autoAckId), false);
    if (extra.disconnectAll) {
        // The client leaves: every namespace hears "client namespace disconnect", as when a
        // modern client disconnects them one by one.
        QPointer<Client> self(this);
        const auto sockets = m_sockets;
        for (Socket *socket : sockets) {
            // A listener may have closed the client (all sockets gone) or one socket.
            if (!self || m_closed)
                return;
            if (!m_sockets.contains(socket))
                continue;
            Packet leave;
            leave.type = Packet::Type::Disconnect;
            leave.nsp = socket->nsp()->name();
            SocketPrivate::get(socket)->onPacket(leave);
        }
        if (self && m_conn)
            m_session.close();
        return;
    }
    if (packet.type == Packet::Type::Connect && socketFor(packet.nsp)) {
        // 0.9 clients connect "/" again after a reconnection of the transport: echo it.
        writeLegacy09(Legacy09::encode(packet), false);
        return;
    }
    onDecoded(packet);
}

void Client::onEngineMessage(const QByteArray &data, bool binary)
{
    if (Q_UNLIKELY(m_legacy09)) {
        onLegacy09Message(data);
        return;
    }
    // The list of the server's last message is reused: a message is nearly always one packet.
    // One for the server (and so its thread), not one per client: an idle client would keep
    // its capacity (some 100 bytes). A handler that makes another message arrive here takes
    // a new one.
    QList<Packet> packets = std::exchange(m_server->spareDecoded, {});
    QString error;
    if (!m_decoder->add(data, binary, &packets, &error)) {
        onParseError(error);
        return;
    }
    QPointer<Client> self(this);
    for (Packet &packet : packets) {
        if (!self || m_closed)
            return;
        onDecoded(packet);
    }
    if (self) { // and so the server too
        packets.clear();
        m_server->spareDecoded = std::move(packets);
    }
}

void Client::onDecoded(Packet &packet)
{
    QString name = packet.nsp;
    QUrl v3Url;
    if (socketIOProtocol() == 4) {
        // socket.io 2 clients put the namespace's query in the namespace itself.
        v3Url = QUrl(QStringLiteral("https://socket.io") + packet.nsp);
        name = v3Url.path();
    }
    Socket *socket = socketFor(name);
    if (!socket && packet.type == Packet::Type::Connect) {
        QVariantMap auth;
        if (socketIOProtocol() == 4) {
            for (const auto &item : QUrlQuery(v3Url).queryItems(QUrl::FullyDecoded))
                auth.insert(item.first, item.second);
        } else {
            auth = packet.data.toMap();
        }
        connectNamespace(name, auth);
    } else if (socket && packet.type != Packet::Type::Connect &&
               packet.type != Packet::Type::ConnectError) {
        // Delivered at once (the reference waits for the next tick; nothing observable
        // depends on it, and a posted event per packet is the largest cost on this path).
        SocketPrivate::get(socket)->onPacket(packet);
    } else {
        qCDebug(lcServer) << "invalid state for packet type" << int(packet.type) << "on" << name;
        close();
    }
}

void Client::connectNamespace(const QString &name, const QVariantMap &auth)
{
    if (Namespace *nsp = m_server->nsps.value(name)) {
        NamespacePrivate::get(nsp)->add(this, auth);
        return;
    }
    QPointer<Client> self(this);
    m_server->checkNamespace(name, auth, [self, name, auth](Namespace *nsp) {
        if (!self)
            return;
        if (nsp) {
            NamespacePrivate::get(nsp)->add(self, auth);
            return;
        }
        Packet error;
        error.type = Packet::Type::ConnectError;
        error.nsp = name;
        error.data = QVariantMap{{QStringLiteral("message"), QStringLiteral("Invalid namespace")}};
        self->writePacket(error);
    });
}

void Client::registerSocket(Socket *socket)
{
    m_sockets.append(socket);
    m_connectTimeout.stop();
}

void Client::remove(Socket *socket)
{
    m_sockets.removeOne(socket);
}

void Client::disconnectAll()
{
    const auto sockets = m_sockets;
    for (Socket *socket : sockets)
        socket->disconnectSocket();
    m_sockets.clear();
    close();
}

void Client::close()
{
    if (m_conn && m_conn->readyState() == EngineSocket::ReadyState::Open) {
        m_session.close();
        onEngineClose(QStringLiteral("forced server close"), {});
    }
}

void Client::onParseError(const QString &message)
{
    qCDebug(lcServer) << "invalid packet:" << message;
    const auto sockets = m_sockets;
    for (Socket *socket : sockets)
        SocketPrivate::get(socket)->onError(message);
    if (m_conn)
        m_session.close();
}

void Client::onEngineClose(const QString &reason, const QString &description)
{
    if (m_closed)
        return;
    m_closed = true;
    m_connectTimeout.stop();
    if (m_conn)
        m_session.setMessageSink(nullptr);
    const auto sockets = std::exchange(m_sockets, {});
    for (Socket *socket : sockets)
        SocketPrivate::get(socket)->onClose(reason, description);
}

} // namespace SocketIO
