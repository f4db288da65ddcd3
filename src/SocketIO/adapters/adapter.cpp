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

/*!
    \struct BroadcastFlags

    \brief The flags of an emit: the modifiers of BroadcastOperator, Socket::timeout() and
    friends.
*/

/*!
    \var BroadcastFlags::isVolatile

    The event may be lost when a recipient's transport is not writable (default false).
*/

/*!
    \var BroadcastFlags::compress

    Whether the event may be compressed (default true).
*/

/*!
    \var BroadcastFlags::timeout

    Milliseconds the acknowledgements may take; -1 (the default): none.
*/

/*!
    \var BroadcastFlags::expectSingleResponse

    The acknowledgement expects one response, as from a RemoteSocket (default false).
*/

/*!
    \struct BroadcastOptions

    \brief Who a broadcast reaches: the sockets in any of rooms (every socket when empty), less
    those in any of except.
*/

/*!
    \var BroadcastOptions::rooms

    The rooms whose sockets are reached; empty: every socket of the namespace.
*/

/*!
    \var BroadcastOptions::except

    The rooms whose sockets are left out.
*/

/*!
    \var BroadcastOptions::flags

    The flags of the emit.
*/

/*!
    \struct SocketDetails

    \brief What an adapter knows of a socket, possibly on another server (fetchSockets()).
*/

/*!
    \var SocketDetails::id

    The socket's id.
*/

/*!
    \var SocketDetails::handshake

    The socket's handshake, as Handshake::toVariantMap() gives it.
*/

/*!
    \var SocketDetails::rooms

    The rooms the socket is in.
*/

/*!
    \var SocketDetails::data

    The socket's data (Socket::data()).
*/

/*!
    \struct Session

    \brief A disconnected session kept for connection state recovery.
*/

/*!
    \var Session::sid

    The socket id the session had.
*/

/*!
    \var Session::pid

    The private session id the client presents to recover the session.
*/

/*!
    \var Session::rooms

    The rooms the socket was in.
*/

/*!
    \var Session::data

    The socket's data.
*/

/*!
    \var Session::disconnectedAt

    When the socket disconnected, in milliseconds since the epoch.
*/

/*!
    \var Session::missedPackets

    The events the socket missed while disconnected, each [event, arguments...]; filled by
    restoreSession().
*/

/*!
    \fn Adapter::Adapter(Namespace *nsp)

    Constructs the adapter of \a nsp, as its child. Install it with Namespace::setAdapter() or
    ServerOptions::adapter.
*/

/*!
    \fn Adapter::~Adapter()

    Destroys the adapter.
*/

/*!
    \fn Namespace *Adapter::nsp() const

    Returns the namespace the adapter serves.
*/

/*!
    \fn void Adapter::addAll(const QString &id, const QSet<QString> &rooms)

    Adds the socket \a id to each of \a rooms, creating the rooms that do not exist.
*/

/*!
    \fn void Adapter::del(const QString &id, const QString &room)

    Removes the socket \a id from \a room; an empty room is deleted.
*/

/*!
    \fn void Adapter::delAll(const QString &id)

    Removes the socket \a id from every room it is in (when it disconnects).
*/

/*!
    \fn void Adapter::broadcast(const Packet &packet, const BroadcastOptions &options)

    Sends \a packet to the sockets \a options select: it is encoded once, and every recipient
    gets the same messages.
*/

/*!
    \fn int Adapter::serverCount() const

    Returns the number of servers the adapter joins; 1 for the in-memory adapter.
*/

/*!
    \fn QSet<QString> Adapter::sockets(const QSet<QString> &rooms) const

    Returns the ids of this server's sockets in any of \a rooms (every socket when empty).
*/

/*!
    \fn QSet<QString> Adapter::socketRooms(const QString &id) const

    Returns the rooms the socket \a id is in.
*/

/*!
    \fn void Adapter::addSockets(const BroadcastOptions &options, const QStringList &rooms)

    Makes the sockets \a options select join \a rooms.
*/

/*!
    \fn void Adapter::delSockets(const BroadcastOptions &options, const QStringList &rooms)

    Makes the sockets \a options select leave \a rooms.
*/

/*!
    \fn void Adapter::disconnectSockets(const BroadcastOptions &options, bool close)

    Disconnects the sockets \a options select; with \a close, closes their connections too.
*/

/*!
    \fn void Adapter::persistSession(const Session &session)

    Keeps \a session for connection state recovery; the in-memory adapter keeps nothing (the
    server installs a recovering adapter when connectionStateRecovery is set).
*/

/*!
    \fn std::optional<Session> Adapter::restoreSession(const QString &pid, const QString &offset)

    Returns the session of private id \a pid with the events missed since \a offset, or nothing
    when it cannot be recovered; the in-memory adapter has none.
*/

/*!
    \fn void Adapter::roomCreated(const QString &room)

    Emitted when \a room was created (its first socket joined).
*/

/*!
    \fn void Adapter::roomDeleted(const QString &room)

    Emitted when \a room was deleted (its last socket left).
*/

/*!
    \fn void Adapter::roomJoined(const QString &room, const QString &id)

    Emitted when the socket \a id joined \a room.
*/

/*!
    \fn void Adapter::roomLeft(const QString &room, const QString &id)

    Emitted when the socket \a id left \a room.
*/

/*!
    \fn QSet<QString> Adapter::computeExceptSids(const QSet<QString> &exceptRooms) const

    Returns the ids of this server's sockets in any of \a exceptRooms.
*/

/*!
    \fn SocketDetails Adapter::detailsOf(const Socket *socket)

    Returns what fetchSockets() reports of \a socket.
*/

/*!
    \fn QList<EngineIO::Packet> Adapter::encodeForBroadcast(const Packet &packet, \
        const BroadcastFlags &flags) const

    Returns the engine packets of \a packet, encoded once (down to the WebSocket frame) for
    every recipient, with \a flags.
*/

/*!
    \fn void Adapter::broadcastWithAck(const Packet &packet, const BroadcastOptions &options, \
        const std::function<void(int clientCount)> &clientCountCallback, \
        const std::function<void(const QVariantList &response)> &ack)

    Sends \a packet, with an acknowledgement id, to the sockets \a options select. Tells
    \a clientCountCallback how many sockets it reached, and calls \a ack with each response.
*/

/*!
    \fn void Adapter::fetchSockets(const BroadcastOptions &options, \
        const std::function<void(const QList<SocketDetails> &)> &done)

    Hands the details of the sockets \a options select to \a done; the in-memory adapter does
    it at once, a multi-server adapter when the other servers answered.
*/

/*!
    \fn void Adapter::serverSideEmit(const QVariantList &args, \
        const std::function<void(const QString &error, const QVariantList &responses)> &ack)

    Sends \a args, [event, arguments...], to the other servers; with \a ack, collects their
    responses. A single server has none: \a ack gets ("", []) at once.
*/

/*!
    \fn void Adapter::apply(const BroadcastOptions &options, \
        const std::function<void(Socket *)> &callback) const

    Runs \a callback for every socket of this server that \a options select, each once.
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

/*!
    Returns a snapshot of the rooms: room name to socket ids.
*/
QHash<QString, QSet<QString>> Adapter::rooms() const
{
    QHash<QString, QSet<QString>> out;
    for (auto it = d->rooms.cbegin(); it != d->rooms.cend(); ++it)
        out.insert(it.key(), it.value().toSet());
    return out;
}

/*!
    Returns a snapshot of the sockets' rooms: socket id to room names.
*/
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
