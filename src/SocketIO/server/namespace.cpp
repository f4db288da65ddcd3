#include "namespace.h"

#include "core/asyncchain_p.h"
#include "engineio/session_p.h"
#include "parser/parsers_p.h"
#include "server/client_p.h"
#include "server/namespace_p.h"

#include "parser/legacy09_p.h"
#include "server/server_p.h"
#include "server/socket_p.h"

#include <QtCore/QLoggingCategory>

Q_DECLARE_LOGGING_CATEGORY(lcServer)

namespace SocketIO {

/*!
    \class SocketIO::Namespace
    \inmodule SocketIO
    \brief A Socket.IO namespace: sockets, connection middleware, rooms and broadcasts.

    Owned by its Server. Its sockets are owned by it and deleted after their disconnected().
*/

/*!
    \property Namespace::name

    \brief the namespace's name, such as "/" or "/chat".
*/

/*!
    \property Namespace::socketsCount

    \brief the number of connected sockets.
*/

/*!
    \typedef Namespace::Middleware

    A connection middleware: gets the \a socket before it connects and calls \a next to accept
    it, or next(message, data) to refuse it.
*/

/*!
    \typedef Namespace::ServerSideHandler

    Handles an event from another server of the cluster: its \a args, and \a ack to answer when
    the sender asked for responses.
*/

/*!
    \fn BroadcastOperator Namespace::in(const QString &room) const

    Same as to(\a room).
*/

/*!
    \fn bool Namespace::send(const QVariantList &args)

    Emits a "message" event with \a args to every socket of the namespace.
*/

/*!
    \fn void Namespace::connection(SocketIO::Socket *socket)

    Emitted when \a socket connected, after the middleware accepted it (the reference's
    "connection" event). A parent namespace emits it for the sockets of its children too.
*/

/*!
    \fn void Namespace::socketsCountChanged()

    Emitted when a socket connected or disconnected.
*/

/*!
    \fn void Namespace::serverSideEventReceived(const QString &event, const QVariantList &args)

    Emitted when another server of the cluster sent \a event with \a args through
    serverSideEmit().
*/

NamespacePrivate::NamespacePrivate(Namespace *q)
    : q_ptr(q)
    , acks(q)
{}

void NamespacePrivate::add(Client *client, const QVariantMap &auth)
{
    const ServerOptions &options = server->options;
    const QVariant pid = auth.value(QStringLiteral("pid"));
    const QVariant offset = auth.value(QStringLiteral("offset"));
    if (!options.connectionStateRecovery || pid.typeId() != QMetaType::QString ||
        offset.typeId() != QMetaType::QString) {
        addWithSession(client, auth, std::nullopt);
        return;
    }
    // The in-memory adapter answers at once; a Redis one when Redis has.
    QPointer<Namespace> self(q_ptr);
    QPointer<Client> clientGuard(client);
    adapter->restoreSession(
        pid.toString(), offset.toString(),
        [self, clientGuard, auth](const std::optional<Session> &session) {
            if (!self || !clientGuard || !clientGuard->conn() ||
                clientGuard->conn()->readyState() != EngineSocket::ReadyState::Open) {
                return;
            }
            NamespacePrivate::get(self)->addWithSession(clientGuard, auth, session);
        });
}

void NamespacePrivate::addWithSession(Client *client, const QVariantMap &auth,
                                      const std::optional<Session> &session)
{
    const ServerOptions &options = server->options;
    Socket *socket = SocketPrivate::create(q_ptr, client, auth, session ? &*session : nullptr);
    SocketPrivate *s = SocketPrivate::get(socket);
    preConnectSockets.insert(s->id, socket);
    const bool open =
        client->conn() && client->conn()->readyState() == EngineSocket::ReadyState::Open;
    if (options.connectionStateRecovery && options.connectionStateRecovery->skipMiddlewares &&
        s->recovered && open) {
        doConnect(socket, client);
        return;
    }
    QPointer<Socket> guard(socket);
    QPointer<Client> clientGuard(client);
    runMiddlewares(socket, [this, guard, clientGuard](bool accepted, const QString &message,
                                                      const QVariant &data) {
        // The reference continues on the next tick.
        QMetaObject::invokeMethod(
            q_ptr,
            [this, guard, clientGuard, accepted, message, data] {
                if (!guard)
                    return;
                SocketPrivate *s = SocketPrivate::get(guard);
                if (!clientGuard || !clientGuard->conn() ||
                    clientGuard->conn()->readyState() != EngineSocket::ReadyState::Open) {
                    s->cleanup();
                    guard->deleteLater();
                    return;
                }
                if (!accepted) {
                    s->cleanup();
                    s->sendConnectError(message, data);
                    guard->deleteLater();
                    return;
                }
                doConnect(guard, clientGuard);
            },
            Qt::QueuedConnection);
    });
}

void NamespacePrivate::runMiddlewares(Socket *socket,
                                      std::function<void(bool, QString, QVariant)> done)
{
    // A child runs its parent's middleware first, then its own.
    QList<Guarded<Namespace::Middleware>> chain;
    if (parent)
        chain += NamespacePrivate::get(parent)->middlewares;
    chain += middlewares;
    chain.removeIf([](const auto &middleware) { return !middleware.guard().isAlive(); });
    QPointer<Socket> guard(socket);
    AsyncChain::run(
        chain.size(),
        [chain, done, guard](qsizetype i, const AsyncChain::Next &next) {
            if (!guard) {
                done(true, {}, {});
                return;
            }
            chain.at(i).function()(guard, Next([next, done](bool accepted, const QString &message,
                                                            const QVariant &data) {
                                       if (accepted)
                                           next();
                                       else if (next.end())
                                           done(false, message, data);
                                   }));
        },
        [done] { done(true, {}, {}); });
}

void NamespacePrivate::doConnect(Socket *socket, Client *client)
{
    Q_Q(Namespace);
    SocketPrivate *s = SocketPrivate::get(socket);
    preConnectSockets.remove(s->id);
    sockets.insert(s->id, socket);
    order.append(socket);
    orderIds.append(s->id);
    s->onConnect();
    client->registerSocket(socket);
    Q_EMIT q->socketsCountChanged();
    emitConnection(socket);
}

void NamespacePrivate::emitConnection(Socket *socket)
{
    Q_Q(Namespace);
    QPointer<Socket> guard(socket);
    Q_EMIT q->connection(socket);
    if (parent && guard)
        Q_EMIT parent->connection(socket);
    if (name == u"/" && guard)
        Q_EMIT server->q_ptr->connection(socket);
}

void NamespacePrivate::remove(Socket *socket)
{
    Q_Q(Namespace);
    const QString id = SocketPrivate::get(socket)->id;
    if (sockets.value(id) == socket) {
        sockets.remove(id);
        order.removeOne(socket);
        orderIds.removeOne(id);
        Q_EMIT q->socketsCountChanged();
    } else {
        preConnectSockets.remove(id);
    }
    if (parent && sockets.isEmpty() && preConnectSockets.isEmpty() &&
        server->options.cleanupEmptyChildNamespaces) {
        server->removeChild(q);
    }
}

void NamespacePrivate::receiveServerSideEmit(const QVariantList &args, const Ack &ack)
{
    Q_Q(Namespace);
    if (args.isEmpty())
        return;
    const QString event = args.first().toString();
    const QVariantList rest = args.mid(1);
    const QPointer<QObject> guard(q);
    Q_EMIT q->serverSideEventReceived(event, rest);
    serverSideHandlers.dispatch(event, rest, ack, guard);
}

int NamespacePrivate::maxDisconnectionDuration() const
{
    const auto &recovery = server->options.connectionStateRecovery;
    return recovery ? recovery->maxDisconnectionDuration : 0;
}

std::optional<SocketDetails> NamespacePrivate::socketDetails(const QString &id) const
{
    const Socket *socket = sockets.value(id);
    if (!socket)
        return std::nullopt;
    SocketDetails details;
    details.setId(id);
    details.setHandshake(socket->handshake().toVariantMap());
    details.setRooms(socket->rooms());
    details.setData(socket->data());
    return details;
}

EncodedPacket NamespacePrivate::encode(const Packet &source, const BroadcastFlags &flags) const
{
    Packet packet = source;
    packet.nsp = name;
    auto encoded = std::make_shared<EncodedPacketData>();
    // Encoded once, down to the WebSocket frame: every recipient gets the same bytes.
    const ServerOptions &options = server->options;
    encoded->packets = Client::toEnginePackets(options.parser->encode(packet), flags,
                                               EngineSession::writesPreframed(options.engine));
    encoded->data = packet.data.toList();
    encoded->flags = flags;
    encoded->ackId = packet.id;
    encoded->type = packet.type;
    return EncodedPacket(std::move(encoded));
}

int NamespacePrivate::send(const EncodedPacket &packet, const QStringList &ids,
                           const std::function<void(const QVariantList &)> &ack)
{
    if (packet.isNull())
        return 0;
    const EncodedPacketData &encoded = *packet.d;
    // Read once, not per recipient: the flags' getters are calls into the core layer.
    const bool isVolatile = encoded.flags.isVolatile();
    const int timeout = encoded.flags.timeout();
    // What onAnyOutgoing() listeners get, split once per broadcast and only if one listens.
    QString event;
    QVariantList args;
    bool split = false;
    int count = 0;
    QByteArray legacy09;
    bool legacy09Encoded = false;
    auto deliver = [&](Socket *socket) {
        ++count;
        SocketPrivate *s = SocketPrivate::get(socket);
        // The broadcast's own timer reports the timeout; the socket only forgets the ack.
        if (ack && encoded.ackId >= 0)
            s->acks.addQuiet(encoded.ackId, ack, timeout);
        if (Q_UNLIKELY(!s->anyOutgoingListeners.isEmpty()) && !encoded.data.isEmpty()) {
            if (!split) {
                event = encoded.data.first().toString();
                args = encoded.data.mid(1);
                split = true;
            }
            s->notifyOutgoing(event, args);
        }
        if (!s->client)
            return;
        if (Q_LIKELY(!s->client->isLegacy09())) {
            s->client->writeToEngine(encoded.packets, isVolatile);
            return;
        }
        // A 0.9 client: its own encoding, made once per broadcast.
        if (!legacy09Encoded) {
            legacy09Encoded = true;
            Packet packet;
            packet.type = encoded.type;
            packet.nsp = name;
            packet.id = encoded.ackId;
            packet.data = encoded.data;
            legacy09 = Legacy09::encode(packet);
        }
        s->client->writeLegacy09(QByteArray(legacy09), isVolatile, encoded.flags.isCompressed());
    };
    if (ids.isSharedWith(orderIds)) {
        // Everyone (socketIds() came back untouched): no look-ups. A copy, since a listener
        // may disconnect a socket (sockets are deleted later, so the pointers stay valid).
        const QList<Socket *> all = order;
        for (Socket *socket : all)
            deliver(socket);
        return count;
    }
    for (const QString &id : ids) {
        if (Socket *socket = sockets.value(id))
            deliver(socket);
    }
    return count;
}

void NamespacePrivate::joinRooms(const QStringList &ids, const QStringList &rooms)
{
    for (const QString &id : ids) {
        if (Socket *socket = sockets.value(id))
            socket->join(rooms);
    }
}

void NamespacePrivate::leaveRooms(const QStringList &ids, const QStringList &rooms)
{
    for (const QString &id : ids) {
        if (Socket *socket = sockets.value(id)) {
            for (const QString &room : rooms)
                socket->leave(room);
        }
    }
}

void NamespacePrivate::disconnectSockets(const QStringList &ids, bool close)
{
    // Collected first: disconnecting one socket may close others (close = true).
    QList<QPointer<Socket>> targets;
    for (const QString &id : ids) {
        if (Socket *socket = sockets.value(id))
            targets.append(socket);
    }
    for (const QPointer<Socket> &socket : std::as_const(targets)) {
        if (socket)
            socket->disconnectSocket(close);
    }
}

Namespace::Namespace(QObject *parent)
    : QObject(parent)
    , d_ptr(new NamespacePrivate(this))
{}

/*!
    Destroys the namespace.
*/
Namespace::~Namespace() = default;

/*!
    Returns the name, such as "/" or "/chat".
*/
QString Namespace::name() const
{
    return d_func()->name;
}

/*!
    Returns the server that owns this namespace.
*/
Server *Namespace::server() const
{
    return d_func()->server->q_ptr;
}

/*!
    Returns the adapter that keeps the rooms and delivers broadcasts. Owned by this namespace
    unless setAdapter() was given one with another parent.
*/
Adapter *Namespace::adapter() const
{
    return d_func()->adapter;
}

/*!
    Returns true for a parent namespace, made by Server::of() with a pattern or a matcher.
*/
bool Namespace::isParent() const
{
    return d_func()->isParent;
}

/*!
    Returns the parent namespace that created this one, or null.
*/
Namespace *Namespace::parentNamespace() const
{
    return d_func()->parent;
}

/*!
    Returns the namespaces this parent created (not QObject::children()).
*/
QList<Namespace *> Namespace::childNamespaces() const
{
    return d_func()->children;
}

/*!
    Returns the connected sockets, in the order they connected. They are owned by this
    namespace.
*/
QList<Socket *> Namespace::sockets() const
{
    return d_func()->order;
}

/*!
    Returns the connected socket with this \a id, or null.
*/
Socket *Namespace::socket(const QString &id) const
{
    return d_func()->sockets.value(id);
}

/*!
    Returns the number of connected sockets.
*/
int Namespace::socketsCount() const
{
    return int(d_func()->sockets.size());
}

/*!
    \property SocketIO::Namespace::rooms
    \brief the rooms of this namespace on this server, sorted (each socket's own room
    included).

    roomsChanged() is emitted when a room is created or deleted.
*/

/*!
    Returns the rooms of this namespace on this server, sorted (the rooms property).
*/
QStringList Namespace::roomList() const
{
    Q_D(const Namespace);
    QStringList list = d->adapter ? d->adapter->rooms().keys() : QStringList();
    list.sort();
    return list;
}

/*!
    \fn void SocketIO::Namespace::roomsChanged()

    Emitted when a room of this namespace is created or deleted on this server.
*/

/*!
    Adds connection \a middleware: it runs for each socket, in the order added, before
    connection() is emitted; a child namespace runs its parent's middleware first. A refusal
    sends the client a CONNECT_ERROR with {message, data}. The middleware is dropped when \a
    context (if not null) is destroyed.
*/
void Namespace::use(QObject *context, Middleware middleware)
{
    d_func()->middlewares.append({context, std::move(middleware)});
}

/*!
    Returns an operator that targets every socket of the namespace.
*/
BroadcastOperator Namespace::broadcastOperator() const
{
    return BroadcastOperator(d_func()->adapter);
}

/*!
    Returns an operator that targets the sockets in \a room.
*/
BroadcastOperator Namespace::to(const QString &room) const
{
    return broadcastOperator().to(room);
}

/*!
    Returns an operator that targets the sockets in any of \a rooms.
*/
BroadcastOperator Namespace::to(const QStringList &rooms) const
{
    return broadcastOperator().to(rooms);
}

/*!
    Returns an operator that leaves out the sockets in \a room.
*/
BroadcastOperator Namespace::except(const QString &room) const
{
    return broadcastOperator().except(room);
}

/*!
    Returns an operator that leaves out the sockets in any of \a rooms.
*/
BroadcastOperator Namespace::except(const QStringList &rooms) const
{
    return broadcastOperator().except(rooms);
}

/*!
    Returns an operator with the compress flag set to \a compress.
*/
BroadcastOperator Namespace::compress(bool compress) const
{
    return broadcastOperator().compress(compress);
}

/*!
    Returns an operator whose events may be lost when a recipient cannot receive them now (the
    reference's volatile flag).
*/
BroadcastOperator Namespace::asVolatile() const
{
    return broadcastOperator().asVolatile();
}

/*!
    Returns an operator that only reaches this server's sockets.
*/
BroadcastOperator Namespace::local() const
{
    return broadcastOperator().local();
}

/*!
    Returns an operator whose acknowledgements time out after \a milliseconds.
*/
BroadcastOperator Namespace::timeout(int milliseconds) const
{
    return broadcastOperator().timeout(milliseconds);
}

/*!
    Emits \a event with \a args to every socket of the namespace; a parent namespace emits to
    each of its children. Returns false for a reserved event name.
*/
bool Namespace::emitEvent(const QString &event, const QVariantList &args)
{
    Q_D(Namespace);
    if (d->isParent) {
        // A parent broadcasts to each of its children.
        bool ok = true;
        for (Namespace *child : std::as_const(d->children))
            ok = child->emitEvent(event, args) && ok;
        return ok;
    }
    return broadcastOperator().emitEvent(event, args);
}

/*!
    Emits \a event with \a args to every socket and returns a future for their
    acknowledgements, one response per socket. Needs timeout(): the future fails with
    TimeoutError (holding the responses that arrived) when not all answered in time, and with
    QUnhandledException when nothing was sent.
*/
QFuture<QVariantList> Namespace::emitWithAck(const QString &event, const QVariantList &args)
{
    return broadcastOperator().emitWithAck(event, args);
}

/*!
    Returns the ids of every socket of the namespace on this server.
*/
QSet<QString> Namespace::allSockets() const
{
    return broadcastOperator().allSockets();
}

/*!
    Returns the sockets of the namespace, from every server of a cluster.
*/
QFuture<QList<RemoteSocket>> Namespace::fetchSockets() const
{
    return broadcastOperator().fetchSockets();
}

/*!
    Makes every socket of the namespace join \a rooms.
*/
void Namespace::socketsJoin(const QStringList &rooms) const
{
    broadcastOperator().socketsJoin(rooms);
}

/*!
    Makes every socket of the namespace leave \a rooms.
*/
void Namespace::socketsLeave(const QStringList &rooms) const
{
    broadcastOperator().socketsLeave(rooms);
}

/*!
    Disconnects every socket of the namespace; with \a close, closes their connections too.
*/
void Namespace::disconnectSockets(bool close) const
{
    broadcastOperator().disconnectSockets(close);
}

/*!
    Emits \a event with \a args to this namespace on the other servers of the cluster. Returns
    false for a reserved event name.
*/
bool Namespace::serverSideEmit(const QString &event, const QVariantList &args)
{
    return serverSideEmit(event, args, nullptr, {});
}

/*!
    Emits \a event with \a args to this namespace on the other servers of the cluster, and hands
    their responses to \a callback, which gets ("", responses) or an error such as a timeout.
    The callback is dropped when \a context is destroyed; with a single server it gets no
    responses. Returns false for a reserved event name.
*/
bool Namespace::serverSideEmit(
    const QString &event, const QVariantList &args, QObject *context,
    std::function<void(const QString &error, const QVariantList &responses)> callback)
{
    Q_D(Namespace);
    if (isReservedEventName(event)) {
        qCWarning(lcServer) << "serverSideEmit:" << event << "is a reserved event name";
        return false;
    }
    QVariantList packet{event};
    packet += args;
    if (!callback) {
        d->adapter->serverSideEmit(packet);
        return true;
    }
    d->adapter->serverSideEmit(packet, Guarded<AckCallback>(context, std::move(callback)));
    return true;
}

/*!
    Calls \a handler for each \a event another server sends with serverSideEmit(); the handler
    is dropped when \a context is destroyed (with a null context, when the namespace is).
*/
void Namespace::onServerSideEvent(const QString &event, QObject *context, ServerSideHandler handler)
{
    d_func()->serverSideHandlers.add(event, context ? context : this, std::move(handler));
}

/*!
    Replaces the adapter with \a adapter, which the namespace takes ownership of; the old
    adapter is deleted if the namespace owned it. The server's ServerOptions::adapter does this
    for every namespace.
*/
void Namespace::setAdapter(Adapter *adapter)
{
    Q_D(Namespace);
    if (adapter == d->adapter)
        return;
    if (d->adapter) {
        QObject::disconnect(d->adapter, nullptr, this, nullptr);
        if (d->adapter->parent() == this)
            d->adapter->deleteLater();
    }
    d->adapter = adapter;
    adapter->setParent(this);
    adapter->setEmitter(d);
    // Rooms change through the adapter, whoever asks (a socket, a broadcast, another server).
    connect(adapter, &Adapter::roomCreated, this, &Namespace::roomsChanged);
    connect(adapter, &Adapter::roomDeleted, this, &Namespace::roomsChanged);
    auto socketRoomsChanged = [d](const QString &, const QString &id) {
        Socket *socket = d->sockets.value(id);
        if (!socket)
            socket = d->preConnectSockets.value(id);
        if (socket)
            Q_EMIT socket->roomsChanged();
    };
    connect(adapter, &Adapter::roomJoined, this, socketRoomsChanged);
    connect(adapter, &Adapter::roomLeft, this, socketRoomsChanged);
}

} // namespace SocketIO
