#include "adapter.h"

#include "adapters/roommembers_p.h"

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

class AdapterPrivate
{
public:
    QHash<QString, RoomMembers> rooms;   // room -> socket ids
    QHash<QString, QList<QString>> sids; // socket id -> rooms (a socket is in few)
};

Adapter::Adapter(Namespace *nsp)
    : QObject(nsp)
    , m_nsp(nsp)
    , d(new AdapterPrivate)
{}

QHash<QString, QSet<QString>> Adapter::rooms() const
{
    QHash<QString, QSet<QString>> out;
    for (auto it = d->rooms.cbegin(); it != d->rooms.cend(); ++it)
        out.insert(it.key(), it.value().toSet());
    return out;
}

QHash<QString, QSet<QString>> Adapter::sids() const
{
    QHash<QString, QSet<QString>> out;
    for (auto it = d->sids.cbegin(); it != d->sids.cend(); ++it)
        out.insert(it.key(), QSet<QString>(it.value().cbegin(), it.value().cend()));
    return out;
}

Adapter::~Adapter() = default;

void Adapter::addAll(const QString &id, const QSet<QString> &rooms)
{
    QList<QString> &joined = d->sids[id];
    for (const QString &room : rooms) {
        if (!joined.contains(room))
            joined.append(room);
        auto it = d->rooms.find(room);
        if (it == d->rooms.end()) {
            it = d->rooms.insert(room, {});
            Q_EMIT roomCreated(room);
        }
        if (it->insert(id))
            Q_EMIT roomJoined(room, id);
    }
}

void Adapter::del(const QString &id, const QString &room)
{
    const auto it = d->sids.find(id);
    if (it != d->sids.end())
        it->removeOne(room);
    removeFromRoom(room, id);
}

void Adapter::removeFromRoom(const QString &room, const QString &id)
{
    const auto it = d->rooms.find(room);
    if (it == d->rooms.end())
        return;
    if (it->remove(id))
        Q_EMIT roomLeft(room, id);
    if (it->isEmpty()) {
        d->rooms.erase(it);
        Q_EMIT roomDeleted(room);
    }
}

void Adapter::delAll(const QString &id)
{
    const auto it = d->sids.find(id);
    if (it == d->sids.end())
        return;
    const QList<QString> rooms = *it;
    for (const QString &room : rooms)
        removeFromRoom(room, id);
    d->sids.remove(id);
}

QSet<QString> Adapter::computeExceptSids(const QSet<QString> &exceptRooms) const
{
    QSet<QString> sids;
    for (const QString &room : exceptRooms) {
        const auto it = d->rooms.constFind(room);
        if (it != d->rooms.cend())
            it->forEach([&sids](const QString &id) { sids.insert(id); });
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
            const auto it = d->rooms.constFind(room);
            if (it == d->rooms.cend())
                continue;
            // One room needs no deduplication.
            const bool single = options.rooms.size() == 1;
            it->forEach([&](const QString &id) {
                if ((!single && seen.contains(id)) || except.contains(id))
                    return;
                if (Socket *socket = nsp->sockets.value(id)) {
                    if (!single)
                        seen.insert(id);
                    callback(socket);
                }
            });
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
    const QList<QString> rooms = d->sids.value(id);
    return QSet<QString>(rooms.cbegin(), rooms.cend());
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
            socket->disconnectSocket(close);
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
