#include "adapter.h"

#include "namespace.h"
#include "server/client_p.h"
#include "server/namespace_p.h"
#include "server/server_p.h"
#include "server/socket_p.h"
#include "socket.h"

#include <QtCore/QLoggingCategory>

Q_DECLARE_LOGGING_CATEGORY(lcServer)

namespace SocketIO {

/*!
    \class SocketIO::Adapter
    \inmodule SocketIO
    \brief Rooms and broadcasts of one namespace, in memory.

    The seam a multi-server adapter plugs into. Owned by its Namespace.
*/

Adapter::Adapter(Namespace *nsp)
    : QObject(nsp)
    , m_nsp(nsp)
{}

Adapter::~Adapter() = default;

void Adapter::addAll(const QString &id, const QSet<QString> &rooms)
{
    QSet<QString> &joined = m_sids[id];
    for (const QString &room : rooms) {
        joined.insert(room);
        auto it = m_rooms.find(room);
        if (it == m_rooms.end()) {
            it = m_rooms.insert(room, {});
            Q_EMIT roomCreated(room);
        }
        if (!it->contains(id)) {
            it->insert(id);
            Q_EMIT roomJoined(room, id);
        }
    }
}

void Adapter::del(const QString &id, const QString &room)
{
    const auto it = m_sids.find(id);
    if (it != m_sids.end())
        it->remove(room);
    removeFromRoom(room, id);
}

void Adapter::removeFromRoom(const QString &room, const QString &id)
{
    const auto it = m_rooms.find(room);
    if (it == m_rooms.end())
        return;
    if (it->remove(id))
        Q_EMIT roomLeft(room, id);
    if (it->isEmpty()) {
        m_rooms.erase(it);
        Q_EMIT roomDeleted(room);
    }
}

void Adapter::delAll(const QString &id)
{
    const auto it = m_sids.find(id);
    if (it == m_sids.end())
        return;
    const QSet<QString> rooms = *it;
    for (const QString &room : rooms)
        removeFromRoom(room, id);
    m_sids.remove(id);
}

QSet<QString> Adapter::computeExceptSids(const QSet<QString> &exceptRooms) const
{
    QSet<QString> sids;
    for (const QString &room : exceptRooms) {
        const auto it = m_rooms.constFind(room);
        if (it != m_rooms.cend())
            sids.unite(*it);
    }
    return sids;
}

void Adapter::apply(const BroadcastOptions &options,
                    const std::function<void(Socket *)> &callback) const
{
    const QSet<QString> except = computeExceptSids(options.except);
    NamespacePrivate *nsp = NamespacePrivate::get(m_nsp);
    if (!options.rooms.isEmpty()) {
        QSet<QString> seen;
        for (const QString &room : options.rooms) {
            const auto it = m_rooms.constFind(room);
            if (it == m_rooms.cend())
                continue;
            for (const QString &id : *it) {
                if (seen.contains(id) || except.contains(id))
                    continue;
                if (Socket *socket = nsp->sockets.value(id)) {
                    seen.insert(id);
                    callback(socket);
                }
            }
        }
        return;
    }
    // Everyone, in connection order.
    const QList<Socket *> sockets = nsp->order;
    for (Socket *socket : sockets) {
        if (!except.contains(SocketPrivate::get(socket)->id))
            callback(socket);
    }
}

QList<EngineIO::Packet> Adapter::encodeForBroadcast(const Packet &packet,
                                                    const BroadcastFlags &flags) const
{
    // Encoded once, down to the WebSocket frame: every recipient gets the same bytes.
    const ServerOptions &options = NamespacePrivate::get(m_nsp)->server->options;
    return Client::toEnginePackets(options.parser->encode(packet), flags,
                                   options.engine.wsEngine == u"lean");
}

void Adapter::broadcast(const Packet &source, const BroadcastOptions &options)
{
    Packet packet = source;
    packet.nsp = m_nsp->name();
    // Encoded once; every recipient gets the same messages.
    const QList<EngineIO::Packet> packets = encodeForBroadcast(packet, options.flags);
    const QVariantList data = packet.data.toList();
    apply(options, [&](Socket *socket) {
        SocketPrivate *s = SocketPrivate::get(socket);
        s->notifyOutgoing(data);
        if (s->client)
            s->client->writeToEngine(packets, options.flags);
    });
}

void Adapter::broadcastWithAck(const Packet &source, const BroadcastOptions &options,
                               const std::function<void(int)> &clientCountCallback,
                               const std::function<void(const QVariantList &)> &ack)
{
    Packet packet = source;
    packet.nsp = m_nsp->name();
    packet.id = NamespacePrivate::get(m_nsp)->ackIds++;
    const QList<EngineIO::Packet> packets = encodeForBroadcast(packet, options.flags);
    const QVariantList data = packet.data.toList();
    int count = 0;
    apply(options, [&](Socket *socket) {
        ++count;
        SocketPrivate *s = SocketPrivate::get(socket);
        s->acks.insert(packet.id, ack);
        s->notifyOutgoing(data);
        if (s->client)
            s->client->writeToEngine(packets, options.flags);
    });
    clientCountCallback(count);
}

QSet<QString> Adapter::sockets(const QSet<QString> &rooms) const
{
    QSet<QString> ids;
    BroadcastOptions options;
    options.rooms = rooms;
    apply(options, [&ids](Socket *socket) { ids.insert(socket->id()); });
    return ids;
}

QSet<QString> Adapter::socketRooms(const QString &id) const
{
    return m_sids.value(id);
}

SocketDetails Adapter::detailsOf(const Socket *socket)
{
    return {socket->id(), socket->handshake().toVariantMap(), socket->rooms(), socket->data()};
}

void Adapter::fetchSockets(const BroadcastOptions &options,
                           const std::function<void(const QList<SocketDetails> &)> &done)
{
    QList<SocketDetails> details;
    apply(options, [&details](Socket *socket) { details.append(detailsOf(socket)); });
    done(details);
}

void Adapter::addSockets(const BroadcastOptions &options, const QStringList &rooms)
{
    apply(options, [&rooms](Socket *socket) { socket->join(rooms); });
}

void Adapter::delSockets(const BroadcastOptions &options, const QStringList &rooms)
{
    apply(options, [&rooms](Socket *socket) {
        for (const QString &room : rooms)
            socket->leave(room);
    });
}

void Adapter::disconnectSockets(const BroadcastOptions &options, bool close)
{
    QList<QPointer<Socket>> sockets;
    apply(options, [&sockets](Socket *socket) { sockets.append(socket); });
    for (const QPointer<Socket> &socket : std::as_const(sockets)) {
        if (socket)
            socket->disconnect(close);
    }
}

void Adapter::serverSideEmit(const QVariantList &,
                             const std::function<void(const QString &, const QVariantList &)> &ack)
{
    // One server: nobody else to tell.
    if (ack)
        ack({}, {});
}

void Adapter::persistSession(const Session &) {}

std::optional<Session> Adapter::restoreSession(const QString &, const QString &)
{
    return std::nullopt;
}

} // namespace SocketIO
