#include "broadcastoperator.h"

#include "core/listeners_p.h"
#include "parser/parsers_p.h"
#include "server/namespace_p.h"

#include <QtCore/QLoggingCategory>
#include <QtCore/QPromise>

Q_DECLARE_LOGGING_CATEGORY(lcServer)

namespace SocketIO {

namespace {

// Set fields only: an operator with no room, exception or flag gives options that hold no data.
BroadcastOptions makeOptions(const QSet<QString> &rooms, const QSet<QString> &except,
                             const BroadcastFlags &flags)
{
    BroadcastOptions options;
    options.setRooms(rooms);
    options.setExcept(except);
    options.setFlags(flags);
    return options;
}

BroadcastOptions optionsOf(const BroadcastOperator &op)
{
    return makeOptions(op.rooms(), op.exceptRooms(), op.flags());
}

BroadcastOptions socketOptions(const QString &id)
{
    return makeOptions({id}, {}, {});
}

} // namespace

/*!
    \class SocketIO::BroadcastOperator
    \inmodule SocketIO
    \brief Selects sockets by room and acts on all of them; a value type.
*/

/*!
    \fn BroadcastOperator BroadcastOperator::in(const QString &room) const

    Same as to(\a room).
*/

/*!
    \fn BroadcastOperator BroadcastOperator::in(const QStringList &rooms) const

    Same as to(\a rooms).
*/

/*!
    \fn bool BroadcastOperator::send(const QVariantList &args) const

    Emits a "message" event with \a args to the selected sockets.
*/

/*!
    \fn void BroadcastOperator::socketsJoin(const QString &room) const

    Makes the selected sockets join \a room.
*/

/*!
    \fn void BroadcastOperator::socketsLeave(const QString &room) const

    Makes the selected sockets leave \a room.
*/

/*!
    \fn QSet<QString> BroadcastOperator::rooms() const

    Returns the rooms selected with to(); empty: every socket of the namespace.
*/

/*!
    \fn QSet<QString> BroadcastOperator::exceptRooms() const

    Returns the rooms left out with except().
*/

/*!
    \fn BroadcastFlags BroadcastOperator::flags() const

    Returns the flags the modifiers set.
*/

/*!
    Constructs an operator on the sockets of \a adapter's namespace that are in any of \a rooms
    (every socket when empty) and in none of \a except, with \a flags. The namespaces and
    sockets make these (Namespace::to(), Socket::broadcast()); the operator holds a guarded
    pointer to the adapter and does nothing once it is gone.
*/
BroadcastOperator::BroadcastOperator(Adapter *adapter, QSet<QString> rooms, QSet<QString> except,
                                     BroadcastFlags flags)
    : m_adapter(adapter)
    , m_rooms(std::move(rooms))
    , m_except(std::move(except))
    , m_flags(flags)
{}

/*!
    Returns a copy that also targets the sockets in \a room.
*/
BroadcastOperator BroadcastOperator::to(const QString &room) const
{
    BroadcastOperator op = *this;
    op.m_rooms.insert(room);
    return op;
}

/*!
    Returns a copy that also targets the sockets in each of \a rooms.
*/
BroadcastOperator BroadcastOperator::to(const QStringList &rooms) const
{
    BroadcastOperator op = *this;
    for (const QString &room : rooms)
        op.m_rooms.insert(room);
    return op;
}

/*!
    Returns a copy that leaves out the sockets in \a room.
*/
BroadcastOperator BroadcastOperator::except(const QString &room) const
{
    BroadcastOperator op = *this;
    op.m_except.insert(room);
    return op;
}

/*!
    Returns a copy that leaves out the sockets in any of \a rooms.
*/
BroadcastOperator BroadcastOperator::except(const QStringList &rooms) const
{
    BroadcastOperator op = *this;
    for (const QString &room : rooms)
        op.m_except.insert(room);
    return op;
}

/*!
    Returns a copy with the compress flag set to \a compress.
*/
BroadcastOperator BroadcastOperator::compress(bool compress) const
{
    BroadcastOperator op = *this;
    op.m_flags.setCompressed(compress);
    return op;
}

/*!
    Returns a copy whose events may be lost when a recipient's transport is not writable (the
    reference's \c volatile, a C++ keyword).
*/
BroadcastOperator BroadcastOperator::asVolatile() const
{
    BroadcastOperator op = *this;
    op.m_flags.setVolatile(true);
    return op;
}

/*!
    Returns a copy that only reaches this server's sockets, when an adapter joins several
    servers.
*/
BroadcastOperator BroadcastOperator::local() const
{
    BroadcastOperator op = *this;
    op.m_flags.setLocal(true);
    return op;
}

/*!
    Returns a copy whose acknowledgements time out after \a milliseconds.
*/
BroadcastOperator BroadcastOperator::timeout(int milliseconds) const
{
    BroadcastOperator op = *this;
    op.m_flags.setTimeout(milliseconds);
    return op;
}

namespace {
bool checkEvent(const QString &event)
{
    if (!isReservedEventName(event))
        return true;
    qCWarning(lcServer) << "emitEvent:" << event << "is a reserved event name";
    return false;
}

Packet eventPacket(const QString &event, const QVariantList &args)
{
    Packet packet;
    packet.type = Packet::Type::Event;
    QVariantList data{event};
    data += args;
    packet.data = data;
    return packet;
}
} // namespace

/*!
    Emits \a event with \a args to the selected sockets, encoded once for all of them. Returns
    false (and sends nothing) for a reserved event name or once the adapter is gone.
*/
bool BroadcastOperator::emitEvent(const QString &event, const QVariantList &args) const
{
    if (!m_adapter || !checkEvent(event))
        return false;
    m_adapter->broadcast(eventPacket(event, args), optionsOf(*this));
    return true;
}

/*!
    Sends \a event with \a args to the selected sockets on every server and waits for each
    one's acknowledgement, up to timeout() (required). \a callback gets ("", responses) once
    all answered, or ("operation has timed out", what arrived); it is dropped when \a context
    is destroyed. The wait is an entry of the namespace's ack registry. Returns false, and
    sends nothing, for a reserved event name or without a timeout.
*/
bool BroadcastOperator::emitEvent(
    const QString &event, const QVariantList &args, QObject *context,
    std::function<void(const QString &error, const QVariantList &responses)> callback) const
{
    if (!m_adapter || !checkEvent(event))
        return false;
    if (m_flags.timeout() < 0) {
        qCWarning(lcServer) << "emitEvent with an acknowledgement to many sockets needs timeout()";
        return false;
    }
    // Shared by the adapter's callbacks and the wait: responses arrive one by one until every
    // recipient on every server answered, or the namespace's ack registry times the wait out.
    struct State
    {
        QVariantList responses;
        int expectedClients = 0;
        int expectedServers = -1;
        int actualServers = 0;
        bool done = false;
    };
    auto state = std::make_shared<State>();
    QPointer<QObject> guard(context);
    const bool needsContext = context != nullptr;
    const bool single = m_flags.expectsSingleResponse();
    QPointer<Namespace> nsp = m_adapter->nsp();
    AckRegistry &acks = NamespacePrivate::get(nsp)->acks;
    const qint64 wait = acks.nextId();
    auto finish = [state, guard, needsContext, callback, single, nsp, wait](const QString &error) {
        if (state->done)
            return;
        state->done = true;
        if (nsp)
            NamespacePrivate::get(nsp)->acks.remove(wait);
        if (needsContext && !guard)
            return;
        // Each response is the first argument of a client's acknowledgement; a single
        // recipient's (RemoteSocket) comes alone.
        QVariantList responses = state->responses;
        if (single)
            responses = error.isEmpty() ? responses.mid(0, 1) : QVariantList();
        callback(error, responses);
    };
    auto check = [state, finish] {
        if (state->expectedServers == state->actualServers &&
            state->responses.size() == state->expectedClients)
            finish({});
    };
    // Late answers do not reach the callback: the sockets forget them after the same timeout.
    acks.add(
        wait, nullptr, [finish](const QString &error, const QVariantList &) { finish(error); },
        m_flags.timeout());
    Packet packet = eventPacket(event, args);
    m_adapter->broadcastWithAck(
        packet, optionsOf(*this),
        [state, check](int clientCount) {
            state->expectedClients += clientCount;
            ++state->actualServers;
            check();
        },
        [state, check](const QVariantList &response) {
            if (state->done)
                return;
            state->responses.append(response.value(0));
            check();
        });
    state->expectedServers = m_adapter->serverCount();
    check();
    return true;
}

/*!
    Emits \a event with \a args and returns a future for the acknowledgements of every
    recipient, one response each. Needs timeout(): the future fails with TimeoutError (holding
    what arrived) when not all answered in time, and with QUnhandledException when nothing was
    sent.
*/
QFuture<QVariantList> BroadcastOperator::emitWithAck(const QString &event,
                                                     const QVariantList &args) const
{
    return ackFuture(
        [&](AckCallback callback) { return emitEvent(event, args, nullptr, std::move(callback)); });
}

/*!
    Returns the ids of the selected sockets of this server (the rooms of to(); except() is not
    applied).
*/
QSet<QString> BroadcastOperator::allSockets() const
{
    return m_adapter ? m_adapter->sockets(m_rooms) : QSet<QString>();
}

void BroadcastOperator::fetchSockets(
    QObject *context, std::function<void(const QList<RemoteSocket> &)> callback) const
{
    if (!m_adapter)
        return;
    QPointer<Adapter> adapter = m_adapter;
    m_adapter->fetchSockets(optionsOf(*this), [guard = ContextGuard(context), adapter,
                                               callback](const QList<SocketDetails> &all) {
        if (!guard.isAlive())
            return;
        QList<RemoteSocket> sockets;
        for (const SocketDetails &details : all)
            sockets.append(RemoteSocket(adapter, details));
        callback(sockets);
    });
}

/*!
    Returns the selected sockets, from every server the adapter joins.
*/
QFuture<QList<RemoteSocket>> BroadcastOperator::fetchSockets() const
{
    auto promise = std::make_shared<QPromise<QList<RemoteSocket>>>();
    promise->start();
    QFuture<QList<RemoteSocket>> future = promise->future();
    if (!m_adapter) {
        promise->addResult(QList<RemoteSocket>());
        promise->finish();
        return future;
    }
    fetchSockets(nullptr, [promise](const QList<RemoteSocket> &sockets) {
        promise->addResult(sockets);
        promise->finish();
    });
    return future;
}

/*!
    Makes the selected sockets join \a rooms.
*/
void BroadcastOperator::socketsJoin(const QStringList &rooms) const
{
    if (m_adapter)
        m_adapter->addSockets(optionsOf(*this), rooms);
}

/*!
    Makes the selected sockets leave \a rooms.
*/
void BroadcastOperator::socketsLeave(const QStringList &rooms) const
{
    if (m_adapter)
        m_adapter->delSockets(optionsOf(*this), rooms);
}

/*!
    Disconnects the selected sockets; with \a close, closes their connections too.
*/
void BroadcastOperator::disconnectSockets(bool close) const
{
    if (m_adapter)
        m_adapter->disconnectSockets(optionsOf(*this), close);
}

/*!
    \fn bool BroadcastOperator::emitEvent(const QString &event, const QVariantList &args, \
        QObject *context, \
        std::function<void(const QString &error, const QVariantList &responses)> callback) const

    Emits \a event with \a args and collects the acknowledgement of every recipient: \a callback
    gets ("", responses) when all answered, or ("operation has timed out", what arrived). Needs
    timeout(); returns false without it, for a reserved event name, or once the adapter is gone.
    The callback is dropped when \a context (if not null) is destroyed.
*/

/*!
    \fn void BroadcastOperator::fetchSockets(QObject *context, \
        std::function<void(const QList<SocketIO::RemoteSocket> &)> callback) const

    Hands the selected sockets, from every server the adapter joins, to \a callback; it is
    dropped when \a context (if not null) is destroyed.
*/

/*!
    \class SocketIO::RemoteSocket
    \inmodule SocketIO
    \brief A socket returned by fetchSockets(), addressed by id.
*/

/*!
    \fn QString RemoteSocket::id() const

    Returns the socket's id.
*/

/*!
    \fn QVariantMap RemoteSocket::handshake() const

    Returns the socket's handshake, as Handshake::toVariantMap() gives it.
*/

/*!
    \fn QSet<QString> RemoteSocket::rooms() const

    Returns the rooms the socket was in when it was fetched.
*/

/*!
    \fn QVariantMap RemoteSocket::data() const

    Returns the socket's data (Socket::data()) when it was fetched.
*/

/*!
    \fn BroadcastOperator RemoteSocket::timeout(int milliseconds) const

    Returns an operator on this socket whose acknowledgement times out after \a milliseconds;
    its emitWithAck() gives the socket's single response.
*/

/*!
    Constructs a remote socket with its \a details, reached through \a adapter. fetchSockets()
    makes these.
*/
RemoteSocket::RemoteSocket(Adapter *adapter, const SocketDetails &details)
    : m_adapter(adapter)
    , m_details(details)
{
    BroadcastFlags flags;
    flags.setExpectSingleResponse(true);
    m_operator = BroadcastOperator(adapter, {details.id()}, {}, flags);
}

/*!
    Emits \a event with \a args to the socket, wherever it is. Returns false for a reserved
    event name.
*/
bool RemoteSocket::emitEvent(const QString &event, const QVariantList &args) const
{
    return m_operator.emitEvent(event, args);
}

/*!
    Makes the socket join \a room.
*/
void RemoteSocket::join(const QString &room) const
{
    if (m_adapter)
        m_adapter->addSockets(socketOptions(m_details.id()), {room});
}

/*!
    Makes the socket leave \a room.
*/
void RemoteSocket::leave(const QString &room) const
{
    if (m_adapter)
        m_adapter->delSockets(socketOptions(m_details.id()), {room});
}

/*!
    Disconnects the socket; with \a close, closes its connection too. Named like
    Socket::disconnectSocket().
*/
void RemoteSocket::disconnectSocket(bool close) const
{
    if (m_adapter)
        m_adapter->disconnectSockets(socketOptions(m_details.id()), close);
}

} // namespace SocketIO
