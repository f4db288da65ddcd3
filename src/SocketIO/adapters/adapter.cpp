#include "adapter.h"

#include "adapters/roommembers_p.h"
#include "core/shareddata_p.h"

namespace SocketIO {

/*!
    \class SocketIO::Adapter
    \inmodule SocketIO
    \brief Rooms and broadcasts of one namespace, in memory.

    The seam a multi-server adapter plugs into. Owned by its Namespace.
*/

/*!
    \class SocketIO::SocketEmitter
    \inmodule SocketIO
    \brief What an adapter may ask of its namespace and the namespace's local sockets.

    The seam between an Adapter and the server: the adapter decides which sockets (by id),
    the emitter delivers to them. The namespace implements it and owns it; an adapter reaches
    it through Adapter::emitter(). Every call is made on the namespace's thread.
*/

/*!
    \fn QString SocketIO::SocketEmitter::path() const
    Returns the namespace's name, such as "/" or "/chat".
*/

/*!
    \fn QStringList SocketIO::SocketEmitter::socketIds() const
    Returns the ids of the namespace's connected sockets on this server, in connection order.
*/

/*!
    \fn bool SocketIO::SocketEmitter::hasSocket(const QString &id) const
    Returns whether socket \a id is connected to the namespace on this server.
*/

/*!
    \fn std::optional<SocketDetails> SocketIO::SocketEmitter::socketDetails( \
        const QString &id) const
    Returns the details of local socket \a id, or nothing when it is not connected here.
*/

/*!
    \fn qint64 SocketIO::SocketEmitter::nextAckId()
    Returns a new acknowledgement id, unique within the namespace; a packet sent with an
    acknowledgement carries it.
*/

/*!
    \fn EncodedPacket SocketIO::SocketEmitter::encode(const Packet &packet, \
        const BroadcastFlags &flags) const
    Encodes \a packet for the namespace once, with the server's parser, down to the WebSocket
    frames when the engine takes them pre-framed. \a flags travel with it.
*/

/*!
    \fn int SocketIO::SocketEmitter::send(const EncodedPacket &packet, const QStringList &ids, \
        const std::function<void(const QVariantList &response)> &ack)
    Writes \a packet to each local socket of \a ids and returns how many it reached. With
    \a ack, each of them waits for an acknowledgement of the packet's id, passed to \a ack,
    until the packet's timeout.
*/

/*!
    \fn void SocketIO::SocketEmitter::joinRooms(const QStringList &ids, \
        const QStringList &rooms)
    Makes the local sockets \a ids join \a rooms.
*/

/*!
    \fn void SocketIO::SocketEmitter::leaveRooms(const QStringList &ids, \
        const QStringList &rooms)
    Makes the local sockets \a ids leave \a rooms.
*/

/*!
    \fn void SocketIO::SocketEmitter::disconnectSockets(const QStringList &ids, bool close)
    Disconnects the local sockets \a ids; with \a close, their whole connections.
*/

/*!
    \fn void SocketIO::SocketEmitter::receiveServerSideEmit(const QVariantList &args, \
        const Ack &ack)
    Hands \a args ([event, arguments...]) from another server to the namespace's server-side
    handlers; \a ack, when valid, carries the answer back.
*/

/*!
    \fn int SocketIO::SocketEmitter::maxDisconnectionDuration() const
    Returns how long, in milliseconds, the session of a disconnected socket may be recovered
    (the server's ConnectionStateRecoveryOptions::maxDisconnectionDuration), or 0 when the
    server does not recover connection states. An adapter that keeps sessions elsewhere
    (Redis) lets them expire after it.
*/

SocketEmitter::~SocketEmitter() = default;

/*!
    \class SocketIO::EncodedPacket
    \inmodule SocketIO
    \brief A packet encoded once for every recipient of a broadcast.

    Made by SocketEmitter::encode() and consumed by SocketEmitter::send(); its content is
    private to the server. Implicitly shared: copies cost a reference count.

    \fn bool SocketIO::EncodedPacket::isNull() const
    Returns whether this holds no packet.
*/

class BroadcastOptionsData : public QSharedData
{
public:
    QSet<QString> rooms;
    QSet<QString> except;
    SocketIO::BroadcastFlags flags;

    bool operator==(const BroadcastOptionsData &other) const
    {
        return rooms == other.rooms && except == other.except && flags == other.flags;
    }
};

/*!
    \class SocketIO::BroadcastOptions
    \inmodule SocketIO
    \brief Who a broadcast reaches: the sockets in any of rooms() (every socket when empty),
    less those in any of except().

    An implicitly shared Q_GADGET; the defaults allocate nothing.
*/

/*!
    Constructs a value with every field at its default; it allocates nothing.
*/
BroadcastOptions::BroadcastOptions() noexcept = default;

/*!
    Constructs a copy of \a other; the data is shared until one of them changes.
*/
BroadcastOptions::BroadcastOptions(const BroadcastOptions &other) noexcept = default;

/*!
    Move-constructs a value from \a other, which is left with the defaults.
*/
BroadcastOptions::BroadcastOptions(BroadcastOptions &&other) noexcept = default;

/*!
    Assigns \a other to this value and returns a reference to it.
*/
BroadcastOptions &BroadcastOptions::operator=(const BroadcastOptions &other) noexcept = default;

/*!
    Move-assigns \a other to this value and returns a reference to it.
*/
BroadcastOptions &BroadcastOptions::operator=(BroadcastOptions &&other) noexcept = default;

/*!
    Destroys the value.
*/
BroadcastOptions::~BroadcastOptions() = default;

/*!
    \fn void BroadcastOptions::swap(BroadcastOptions &other)

    Swaps this value with \a other; never fails.
*/

/*!
    \property BroadcastOptions::rooms

    \brief the rooms whose sockets are reached; empty (the default) for every socket.
*/

/*!
    Returns the rooms whose sockets are reached; empty (the default) for every socket.
*/
QSet<QString> BroadcastOptions::rooms() const
{
    return d ? d->rooms : QSet<QString>();
}

/*!
    Sets the rooms reached to \a rooms.
*/
void BroadcastOptions::setRooms(const QSet<QString> &rooms)
{
    if (!d && rooms == QSet<QString>())
        return; // the defaults stay unallocated
    detachedData(d)->rooms = rooms;
}

/*!
    \property BroadcastOptions::except

    \brief the rooms whose sockets are left out.
*/

/*!
    Returns the rooms whose sockets are left out.
*/
QSet<QString> BroadcastOptions::except() const
{
    return d ? d->except : QSet<QString>();
}

/*!
    Sets the rooms left out to \a rooms.
*/
void BroadcastOptions::setExcept(const QSet<QString> &rooms)
{
    if (!d && rooms == QSet<QString>())
        return; // the defaults stay unallocated
    detachedData(d)->except = rooms;
}

/*!
    \property BroadcastOptions::flags

    \brief the flags of the emit.
*/

/*!
    Returns the flags of the emit.
*/
SocketIO::BroadcastFlags BroadcastOptions::flags() const
{
    return d ? d->flags : SocketIO::BroadcastFlags();
}

/*!
    Sets the flags of the emit to \a flags.
*/
void BroadcastOptions::setFlags(const SocketIO::BroadcastFlags &flags)
{
    if (!d && flags == SocketIO::BroadcastFlags())
        return; // the defaults stay unallocated
    detachedData(d)->flags = flags;
}

/*!
    Returns true when every field of this value equals that of \a other.
*/
bool BroadcastOptions::operator==(const BroadcastOptions &other) const
{
    return d == other.d || sharedData(d) == sharedData(other.d);
}

/*!
    \fn bool BroadcastOptions::operator!=(const BroadcastOptions &other) const

    Returns true when a field of this value differs from that of \a other.
*/

class SocketDetailsData : public QSharedData
{
public:
    QString id;
    QVariantMap handshake;
    QSet<QString> rooms;
    QVariantMap data;

    bool operator==(const SocketDetailsData &other) const
    {
        return id == other.id && handshake == other.handshake && rooms == other.rooms &&
               data == other.data;
    }
};

/*!
    \class SocketIO::SocketDetails
    \inmodule SocketIO
    \brief What an adapter knows of a socket, possibly on another server (fetchSockets()).

    An implicitly shared Q_GADGET.
*/

/*!
    Constructs a value with every field at its default; it allocates nothing.
*/
SocketDetails::SocketDetails() noexcept = default;

/*!
    Constructs a copy of \a other; the data is shared until one of them changes.
*/
SocketDetails::SocketDetails(const SocketDetails &other) noexcept = default;

/*!
    Move-constructs a value from \a other, which is left with the defaults.
*/
SocketDetails::SocketDetails(SocketDetails &&other) noexcept = default;

/*!
    Assigns \a other to this value and returns a reference to it.
*/
SocketDetails &SocketDetails::operator=(const SocketDetails &other) noexcept = default;

/*!
    Move-assigns \a other to this value and returns a reference to it.
*/
SocketDetails &SocketDetails::operator=(SocketDetails &&other) noexcept = default;

/*!
    Destroys the value.
*/
SocketDetails::~SocketDetails() = default;

/*!
    \fn void SocketDetails::swap(SocketDetails &other)

    Swaps this value with \a other; never fails.
*/

/*!
    \property SocketDetails::id

    \brief the socket's id.
*/

/*!
    Returns the socket's id.
*/
QString SocketDetails::id() const
{
    return d ? d->id : QString();
}

/*!
    Sets the socket's id to \a id.
*/
void SocketDetails::setId(const QString &id)
{
    detachedData(d)->id = id;
}

/*!
    \property SocketDetails::handshake

    \brief the socket's handshake, as Handshake::toVariantMap() gives it.
*/

/*!
    Returns the socket's handshake, as Handshake::toVariantMap() gives it.
*/
QVariantMap SocketDetails::handshake() const
{
    return d ? d->handshake : QVariantMap();
}

/*!
    Sets the socket's handshake to \a handshake.
*/
void SocketDetails::setHandshake(const QVariantMap &handshake)
{
    detachedData(d)->handshake = handshake;
}

/*!
    \property SocketDetails::rooms

    \brief the rooms the socket is in.
*/

/*!
    Returns the rooms the socket is in.
*/
QSet<QString> SocketDetails::rooms() const
{
    return d ? d->rooms : QSet<QString>();
}

/*!
    Sets the socket's rooms to \a rooms.
*/
void SocketDetails::setRooms(const QSet<QString> &rooms)
{
    detachedData(d)->rooms = rooms;
}

/*!
    \property SocketDetails::data

    \brief the socket's data (Socket::data()).
*/

/*!
    Returns the socket's data (Socket::data()).
*/
QVariantMap SocketDetails::data() const
{
    return d ? d->data : QVariantMap();
}

/*!
    Sets the socket's data to \a data.
*/
void SocketDetails::setData(const QVariantMap &data)
{
    detachedData(d)->data = data;
}

/*!
    Returns true when every field of this value equals that of \a other.
*/
bool SocketDetails::operator==(const SocketDetails &other) const
{
    return d == other.d || sharedData(d) == sharedData(other.d);
}

/*!
    \fn bool SocketDetails::operator!=(const SocketDetails &other) const

    Returns true when a field of this value differs from that of \a other.
*/

class SessionData : public QSharedData
{
public:
    QString sid;
    QString pid;
    QSet<QString> rooms;
    QVariantMap data;
    qint64 disconnectedAt = 0;
    QList<QVariantList> missedPackets;

    bool operator==(const SessionData &other) const
    {
        return sid == other.sid && pid == other.pid && rooms == other.rooms && data == other.data &&
               disconnectedAt == other.disconnectedAt && missedPackets == other.missedPackets;
    }
};

/*!
    \class SocketIO::Session
    \inmodule SocketIO
    \brief A disconnected session kept for connection state recovery.

    An implicitly shared Q_GADGET, kept by the adapter (Adapter::persistSession()).
*/

/*!
    Constructs a value with every field at its default; it allocates nothing.
*/
Session::Session() noexcept = default;

/*!
    Constructs a copy of \a other; the data is shared until one of them changes.
*/
Session::Session(const Session &other) noexcept = default;

/*!
    Move-constructs a value from \a other, which is left with the defaults.
*/
Session::Session(Session &&other) noexcept = default;

/*!
    Assigns \a other to this value and returns a reference to it.
*/
Session &Session::operator=(const Session &other) noexcept = default;

/*!
    Move-assigns \a other to this value and returns a reference to it.
*/
Session &Session::operator=(Session &&other) noexcept = default;

/*!
    Destroys the value.
*/
Session::~Session() = default;

/*!
    \fn void Session::swap(Session &other)

    Swaps this value with \a other; never fails.
*/

/*!
    \property Session::sid

    \brief the socket id the session had.
*/

/*!
    Returns the socket id the session had.
*/
QString Session::sid() const
{
    return d ? d->sid : QString();
}

/*!
    Sets the socket id to \a sid.
*/
void Session::setSid(const QString &sid)
{
    detachedData(d)->sid = sid;
}

/*!
    \property Session::pid

    \brief the private session id the client presents to recover the session.
*/

/*!
    Returns the private session id the client presents to recover the session.
*/
QString Session::pid() const
{
    return d ? d->pid : QString();
}

/*!
    Sets the private session id to \a pid.
*/
void Session::setPid(const QString &pid)
{
    detachedData(d)->pid = pid;
}

/*!
    \property Session::rooms

    \brief the rooms the socket was in.
*/

/*!
    Returns the rooms the socket was in.
*/
QSet<QString> Session::rooms() const
{
    return d ? d->rooms : QSet<QString>();
}

/*!
    Sets the rooms to \a rooms.
*/
void Session::setRooms(const QSet<QString> &rooms)
{
    detachedData(d)->rooms = rooms;
}

/*!
    \property Session::data

    \brief the socket's data.
*/

/*!
    Returns the socket's data.
*/
QVariantMap Session::data() const
{
    return d ? d->data : QVariantMap();
}

/*!
    Sets the socket's data to \a data.
*/
void Session::setData(const QVariantMap &data)
{
    detachedData(d)->data = data;
}

/*!
    \property Session::disconnectedAt

    \brief when the socket disconnected, in milliseconds since the epoch (0 by default).
*/

/*!
    Returns when the socket disconnected, in milliseconds since the epoch (0 by default).
*/
qint64 Session::disconnectedAt() const
{
    return d ? d->disconnectedAt : 0;
}

/*!
    Sets the disconnection time to \a time.
*/
void Session::setDisconnectedAt(qint64 time)
{
    detachedData(d)->disconnectedAt = time;
}

/*!
    \property Session::missedPackets

    \brief the events the socket missed while disconnected, each [event, arguments...]; filled by
   restoreSession().
*/

/*!
    Returns the events the socket missed while disconnected, each [event, arguments...]; filled by
   restoreSession().
*/
QList<QVariantList> Session::missedPackets() const
{
    return d ? d->missedPackets : QList<QVariantList>();
}

/*!
    Sets the missed events to \a packets.
*/
void Session::setMissedPackets(const QList<QVariantList> &packets)
{
    detachedData(d)->missedPackets = packets;
}

/*!
    Returns true when every field of this value equals that of \a other.
*/
bool Session::operator==(const Session &other) const
{
    return d == other.d || sharedData(d) == sharedData(other.d);
}

/*!
    \fn bool Session::operator!=(const Session &other) const

    Returns true when a field of this value differs from that of \a other.
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

class AdapterPrivate
{
public:
    QHash<QString, RoomMembers> rooms;   // room -> socket ids
    QHash<QString, QList<QString>> sids; // socket id -> rooms (a socket is in few)
    SocketEmitter *emitter = nullptr;    // the namespace's, set by Namespace::setAdapter()
};

/*!
    Creates an adapter for \a nsp. The namespace owns it once installed with
    Namespace::setAdapter(), which ServerOptions::adapter does; until then it has no parent.
    (The adapter layer sits below the server's: it knows the namespace only by pointer and by
    the SocketEmitter it gets when installed.)
*/
Adapter::Adapter(Namespace *nsp)
    : QObject(nullptr)
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

/*!
    Returns the namespace's side of the seam: what this adapter may ask of the namespace
    and its sockets on this server. Owned by the namespace; null until the namespace installs
    this adapter.
*/
SocketEmitter *Adapter::emitter() const
{
    return d->emitter;
}

void Adapter::setEmitter(SocketEmitter *emitter)
{
    d->emitter = emitter;
}

/*!
    Returns the ids of the sockets \a options selects, each once: the members of its rooms
    (every socket of the namespace when it names none), less the members of its except rooms.
    Everyone comes in connection order. Ids of sockets not connected here may be included;
    the SocketEmitter skips them.
*/
QStringList Adapter::localSocketIds(const BroadcastOptions &options) const
{
    const QSet<QString> except = computeExceptSids(options.except());
    const QSet<QString> rooms = options.rooms();
    if (rooms.isEmpty()) {
        // Unfiltered, the emitter's own list goes back to it: it then needs no look-ups.
        QStringList ids = emitter()->socketIds();
        if (!except.isEmpty())
            ids.removeIf([&except](const QString &id) { return except.contains(id); });
        return ids;
    }
    QStringList ids;
    // One room needs no deduplication.
    const bool single = rooms.size() == 1;
    QSet<QString> seen;
    for (const QString &room : rooms) {
        const auto it = d->rooms.constFind(room);
        if (it == d->rooms.cend())
            continue;
        if (single)
            ids.reserve(it->size());
        it->forEach([&](const QString &id) {
            if (except.contains(id) || (!single && seen.contains(id)))
                return;
            if (!single)
                seen.insert(id);
            ids.append(id);
        });
    }
    return ids;
}

/*!
    Sends \a source to the sockets \a options selects, encoded once: every recipient gets
    the same bytes. A multi-server adapter also forwards it to the other servers.
*/
void Adapter::broadcast(const Packet &source, const BroadcastOptions &options)
{
    SocketEmitter *sockets = emitter();
    sockets->send(sockets->encode(source, options.flags()), localSocketIds(options), {});
}

/*!
    Sends \a source to the sockets \a options selects, each asked for an acknowledgement.
    \a clientCountCallback gets the number of sockets reached, then \a ack gets each
    socket's response as it comes. Waiting stops after the options' timeout.
*/
void Adapter::broadcastWithAck(const Packet &source, const BroadcastOptions &options,
                               const std::function<void(int)> &clientCountCallback,
                               const std::function<void(const QVariantList &)> &ack)
{
    SocketEmitter *sockets = emitter();
    Packet packet = source;
    packet.id = sockets->nextAckId();
    const int count =
        sockets->send(sockets->encode(packet, options.flags()), localSocketIds(options), ack);
    clientCountCallback(count);
}

/*!
    Returns the ids of this server's sockets in any of \a rooms, or of all its sockets when
    \a rooms is empty.
*/
QSet<QString> Adapter::sockets(const QSet<QString> &rooms) const
{
    BroadcastOptions options;
    options.setRooms(rooms);
    const QStringList ids = localSocketIds(options);
    QSet<QString> out;
    out.reserve(ids.size());
    SocketEmitter *sockets = emitter();
    for (const QString &id : ids) {
        if (sockets->hasSocket(id))
            out.insert(id);
    }
    return out;
}

/*!
    Returns the rooms socket \a id is in.
*/
QSet<QString> Adapter::socketRooms(const QString &id) const
{
    const QList<QString> rooms = d->sids.value(id);
    return QSet<QString>(rooms.cbegin(), rooms.cend());
}

/*!
    Gives \a done the details of the sockets \a options selects. The in-memory adapter
    answers at once; a multi-server adapter adds the other servers' sockets.
*/
void Adapter::fetchSockets(const BroadcastOptions &options,
                           const std::function<void(const QList<SocketDetails> &)> &done)
{
    QList<SocketDetails> details;
    SocketEmitter *sockets = emitter();
    for (const QString &id : localSocketIds(options)) {
        if (std::optional<SocketDetails> socket = sockets->socketDetails(id))
            details.append(std::move(*socket));
    }
    done(details);
}

/*!
    Makes the sockets \a options selects join \a rooms.
*/
void Adapter::addSockets(const BroadcastOptions &options, const QStringList &rooms)
{
    emitter()->joinRooms(localSocketIds(options), rooms);
}

/*!
    Makes the sockets \a options selects leave \a rooms.
*/
void Adapter::delSockets(const BroadcastOptions &options, const QStringList &rooms)
{
    emitter()->leaveRooms(localSocketIds(options), rooms);
}

/*!
    Disconnects the sockets \a options selects; with \a close, their connections too.
*/
void Adapter::disconnectSockets(const BroadcastOptions &options, bool close)
{
    emitter()->disconnectSockets(localSocketIds(options), close);
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

/*!
    Looks up the session of private id \a pid with the events missed since \a offset, and
    calls \a done with it, or with nothing when it cannot be recovered.

    The server calls this one when a client asks to recover, and delays the client's CONNECT
    until \a done is called (nothing happens if the client left meanwhile). An adapter that
    asks another process (Redis) overrides it and calls \a done later, on this thread. The
    default calls the synchronous restoreSession() and \a done at once.
*/
void Adapter::restoreSession(const QString &pid, const QString &offset,
                             const std::function<void(const std::optional<Session> &)> &done)
{
    done(restoreSession(pid, offset));
}

} // namespace SocketIO
