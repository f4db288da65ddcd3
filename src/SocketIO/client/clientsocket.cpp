#include "clientsocket.h"

#include "client/manager_p.h"
#include "core/reasons_p.h"
#include "parser/parsers_p.h"

#include <QtCore/QLoggingCategory>
#include <QtCore/QPromise>

Q_DECLARE_LOGGING_CATEGORY(lcClient)

namespace SocketIO {

ClientSocketPrivate::ClientSocketPrivate(ClientSocket *q)
    : q_ptr(q)
    , acks(q)
{
    // An event that timed out before it could be sent will not be.
    acks.setExpiredHandler([this](qint64 ackId) {
        sendBuffer.removeIf([ackId](const Packet &p) { return p.id == ackId; });
    });
}

void ClientSocketPrivate::subscribe()
{
    Q_Q(ClientSocket);
    if (subscribed)
        return;
    subscribed = true;
    subscriptions = {
        QObject::connect(manager, &Manager::opened, q, [this] { onOpen(); }),
        QObject::connect(manager, &Manager::errorOccurred, q,
                         [this](const QString &message) { onEngineError(message); }),
        QObject::connect(manager, &Manager::closed, q,
                         [this](const QString &reason, const QString &description) {
                             onClose(reason, description);
                         }),
    };
    updateState();
}

void ClientSocketPrivate::unsubscribe()
{
    for (const QMetaObject::Connection &c : std::as_const(subscriptions))
        QObject::disconnect(c);
    subscriptions.clear();
    subscribed = false;
    updateState();
}

void ClientSocketPrivate::updateState()
{
    Q_Q(ClientSocket);
    const ClientSocket::State next = connected    ? ClientSocket::State::Connected
                                     : subscribed ? ClientSocket::State::Connecting
                                                  : ClientSocket::State::Disconnected;
    if (state == next)
        return;
    state = next;
    Q_EMIT q->stateChanged(next);
}

void ClientSocketPrivate::onOpen()
{
    if (options.authCallback) {
        QPointer<ClientSocket> guard(q_ptr);
        options.authCallback([guard](const QVariantMap &auth) {
            if (guard)
                ClientSocketPrivate::get(guard)->sendConnectPacket(auth);
        });
        return;
    }
    sendConnectPacket(options.auth);
}

void ClientSocketPrivate::sendConnectPacket(const QVariantMap &auth)
{
    Packet connect;
    connect.type = Packet::Type::Connect;
    QVariantMap data = auth;
    if (!pid.isEmpty()) {
        // Ask for the session back (connection state recovery).
        data.insert(QStringLiteral("pid"), pid);
        data.insert(QStringLiteral("offset"), lastOffset);
    }
    // No auth: a bare "40", as the reference sends.
    if (!data.isEmpty() || options.authCallback)
        connect.data = data;
    packet(connect);
}

void ClientSocketPrivate::packet(Packet packet, bool compress)
{
    packet.nsp = nsp;
    ManagerPrivate::get(manager)->writePacket(packet, compress);
}

void ClientSocketPrivate::onPacket(Packet &packet)
{
    Q_Q(ClientSocket);
    switch (packet.type) {
    case Packet::Type::Connect: {
        const QVariantMap data = packet.data.toMap();
        const QString sid = data.value(QStringLiteral("sid")).toString();
        if (!sid.isEmpty()) {
            onConnect(sid, data.value(QStringLiteral("pid")).toString());
        } else {
            Q_EMIT q->connectError(
                QStringLiteral("It seems you are trying to reach a Socket.IO server in v2.x with "
                               "a v3.x client, but they are not compatible (more information "
                               "here: https://socket.io/docs/v3/migrating-from-2-x-to-3-0/)"),
                {}, Manager::Error::IncompatibleServer);
        }
        break;
    }
    case Packet::Type::Event:
    case Packet::Type::BinaryEvent:
        onEvent(packet);
        break;
    case Packet::Type::Ack:
    case Packet::Type::BinaryAck:
        onAck(packet);
        break;
    case Packet::Type::Disconnect:
        destroy();
        onClose(QStringLiteral("io server disconnect"), {});
        break;
    case Packet::Type::ConnectError: {
        destroy();
        const QVariant data = packet.data;
        if (data.typeId() == QMetaType::QVariantMap) {
            const QVariantMap map = data.toMap();
            Q_EMIT q->connectError(map.value(QStringLiteral("message")).toString(),
                                   map.value(QStringLiteral("data")),
                                   Manager::Error::ConnectRefused);
        } else {
            Q_EMIT q->connectError(data.toString(), {}, Manager::Error::ConnectRefused);
        }
        break;
    }
    }
}

void ClientSocketPrivate::onConnect(const QString &sid, const QString &newPid)
{
    Q_Q(ClientSocket);
    id = sid;
    recovered = !newPid.isEmpty() && pid == newPid;
    pid = newPid;
    connected = true;
    // What arrived before the CONNECT (missed packets on recovery) goes first.
    const auto received = std::exchange(receiveBuffer, {});
    const auto toSend = std::exchange(sendBuffer, {});
    for (const auto &r : received)
        deliver(r.event, r.args, r.ack);
    for (const Packet &p : toSend)
        packet(p);
    updateState();
    Q_EMIT q->connected();
    drainQueue(true);
}

void ClientSocketPrivate::onEvent(Packet &packet)
{
    QVariantList args = packet.data.toList();
    // With the packet's reference gone the list is unshared, and taking the event name off its
    // front only moves its start instead of copying every argument into a new list.
    packet.data.clear();
    if (args.isEmpty())
        return;
    const QString event = args.takeFirst().toString();
    Ack ack;
    if (packet.hasId()) {
        ack = Ack(q_ptr, [socket = q_ptr, ackId = packet.id](const QVariantList &reply) {
            Packet answer;
            answer.type = Packet::Type::Ack;
            answer.id = ackId;
            answer.data = reply;
            ClientSocketPrivate::get(socket)->packet(answer);
        });
    }
    if (!connected) {
        receiveBuffer.append({event, args, ack});
        return;
    }
    deliver(event, args, ack);
}

void ClientSocketPrivate::deliver(const QString &event, const QVariantList &args, const Ack &ack)
{
    Q_Q(ClientSocket);
    QPointer<QObject> guard(q);
    anyListeners.notify(event, args);
    if (!guard)
        return;
    Q_EMIT q->eventReceived(event, args, ack);
    handlers.dispatch(event, args, ack, guard);
    // The last string argument is the offset to resume from (connection state recovery).
    if (guard && !pid.isEmpty() && !args.isEmpty() && args.last().typeId() == QMetaType::QString)
        lastOffset = args.last().toString();
}

void ClientSocketPrivate::onAck(const Packet &packet)
{
    acks.resolve(packet.id, packet.data.toList());
}

void ClientSocketPrivate::onEngineError(const QString &message)
{
    Q_Q(ClientSocket);
    if (!connected)
        Q_EMIT q->connectError(message, {}, Manager::errorFromMessage(message));
}

void ClientSocketPrivate::onClose(const QString &reason, const QString &description)
{
    Q_Q(ClientSocket);
    connected = false;
    id.clear();
    updateState();
    Q_EMIT q->disconnected(reason, description, ClientSocket::reasonFromString(reason));
    clearAcks();
}

void ClientSocketPrivate::clearAcks()
{
    // Acknowledgements that can fail are told, as in the reference, unless their event is
    // still buffered: that one goes out after a reconnection, or times out. The others wait
    // for a reconnection that will never answer them.
    acks.failTimed(QStringLiteral("socket has been disconnected"), [this](qint64 ackId) {
        return std::any_of(sendBuffer.cbegin(), sendBuffer.cend(),
                           [ackId](const Packet &p) { return p.id == ackId; });
    });
}

void ClientSocketPrivate::destroy()
{
    unsubscribe();
    ManagerPrivate::get(manager)->destroySocket(q_ptr);
}

void ClientSocketPrivate::notifyOutgoing(const QString &event, const QVariantList &args)
{
    anyOutgoingListeners.notify(event, args);
}

bool ClientSocketPrivate::emitWithFlags(const QString &event, const QVariantList &args,
                                        const BroadcastFlags &flags, QObject *context,
                                        AckCallback callback, bool fromQueue)
{
    if (isReservedEventName(event)) {
        qCWarning(lcClient) << "emitEvent:" << event << "is a reserved event name";
        return false;
    }
    if (options.retries > 0 && !fromQueue && !flags.isVolatile()) {
        addToQueue(event, args, flags, context, std::move(callback));
        return true;
    }
    Packet p;
    p.type = Packet::Type::Event;
    QVariantList data{event};
    data += args;
    p.data = data;
    p.nsp = nsp;
    if (callback) {
        p.id = acks.nextId();
        // A future fails at a disconnection even without a timeout, like the reference's
        // emitWithAck().
        const bool toldOfFailure = isFutureAck(callback);
        acks.add(p.id, context, std::move(callback),
                 flags.timeout() >= 0 ? flags.timeout() : options.ackTimeout, toldOfFailure);
    }
    EngineIO::EngineClient *engine = ManagerPrivate::get(manager)->engine;
    const bool writable = engine && engine->isTransportWritable();
    const bool isConnected = connected && engine && !engine->hasPingExpired();
    if (flags.isVolatile() && !writable)
        return true; // dropped
    if (isConnected) {
        notifyOutgoing(event, args);
        packet(p, flags.isCompressed());
    } else {
        sendBuffer.append(p);
    }
    return true;
}

void ClientSocketPrivate::addToQueue(const QString &event, const QVariantList &args,
                                     const BroadcastFlags &flags, QObject *context,
                                     AckCallback callback)
{
    QueuedEvent queued;
    queued.id = queueSeq++;
    queued.event = event;
    queued.args = args;
    queued.flags = flags;
    queued.context = context;
    queued.hasContext = context != nullptr;
    queued.callback = std::move(callback);
    queue.append(std::move(queued));
    drainQueue();
}

void ClientSocketPrivate::drainQueue(bool force)
{
    if (!connected || queue.isEmpty())
        return;
    QueuedEvent &head = queue.first();
    if (head.pending && !force)
        return;
    head.pending = true;
    ++head.tryCount;
    const qint64 queuedId = head.id;
    QPointer<ClientSocket> guard(q_ptr);
    // At least once: retried (from the queue head) until acknowledged or out of tries.
    emitWithFlags(
        head.event, head.args, head.flags, nullptr,
        [this, guard, queuedId](const QString &error, const QVariantList &reply) {
            if (!guard || queue.isEmpty() || queue.first().id != queuedId)
                return;
            QueuedEvent &current = queue.first();
            if (!error.isEmpty()) {
                if (current.tryCount > options.retries) {
                    QueuedEvent done = queue.takeFirst();
                    if (done.callback && (!done.hasContext || done.context))
                        done.callback(error, {});
                } else {
                    current.pending = false;
                }
            } else {
                QueuedEvent done = queue.takeFirst();
                if (done.callback && (!done.hasContext || done.context))
                    done.callback({}, reply);
            }
            drainQueue();
        },
        true);
}

/*!
    \class SocketIO::ClientSocket
    \inmodule SocketIO
    \brief A client's connection to one namespace of a Socket.IO server.

    Created by Manager::socket() or io(); owned by its Manager. Events arrive through
    eventReceived() and on(); send with emitEvent().
*/

/*!
    \enum ClientSocket::State

    The state of the socket on its namespace.
*/

/*!
    \var ClientSocket::Disconnected

    Not connected, and not trying to (connectToServer() was not called, or
    disconnectFromServer() was, or the server refused or disconnected it).
*/

/*!
    \var ClientSocket::Connecting

    Active (the reference's socket.active): waiting for the Manager to open or reopen the
    connection and for the server's CONNECT.
*/

/*!
    \var ClientSocket::Connected

    Connected to the namespace.
*/

/*!
    \property ClientSocket::state

    \brief the state of the socket.
*/

/*!
    \property ClientSocket::id

    \brief the socket's id, given by the server on connection; empty while not connected.
*/

/*!
    \property ClientSocket::active

    \brief whether the socket is connected or trying to (it will reconnect).
*/

/*!
    \property ClientSocket::recovered

    \brief whether the last connection recovered the previous session (connection state recovery
    on the server).
*/

/*!
    \typedef ClientSocket::EventHandler

    Handles one incoming event: its \a args, and \a ack to answer when the server asked for an
    acknowledgement.
*/

/*!
    \typedef ClientSocket::AnyHandler

    Sees every \a event with its \a args (the reference's onAny listeners).
*/

/*!
    \fn bool ClientSocket::isDisconnected() const

    Returns true while the socket is not connected.
*/

/*!
    \fn bool ClientSocket::send(const QVariantList &args)

    Emits a "message" event with \a args.
*/

/*!
    \fn void ClientSocket::connected()

    Emitted when the socket connected to its namespace (the reference's "connect" event);
    state() is Connected.
*/

/*!
    \fn void ClientSocket::connectError(const QString &message, const QVariant &data)

    Emitted when the connection failed or the server refused the socket (a CONNECT_ERROR, with
    the middleware's \a message and \a data) (the reference's "connect_error" event).
*/

/*!
    \fn void ClientSocket::disconnected(const QString &reason, const QString &description)

    Emitted when the socket disconnected, with the reference's \a reason ("io server
    disconnect", "io client disconnect", "transport close", "ping timeout", ...) and a \a
    description.
*/

/*!
    \fn void ClientSocket::eventReceived(const QString &, const QVariantList &, const Ack &)

    Emitted for each incoming \a event with its \a args, before the handlers added with on().
    Call \a ack to answer when it is valid.
*/

/*!
    \fn void ClientSocket::stateChanged(SocketIO::ClientSocket::State state)

    Emitted when the state changed to \a state; id(), isActive() and isRecovered() may have
    changed too.
*/

/*!
    \typedef ClientSocket::Flags

    One emit with flags: socket->timeout(5000).emitWithAck(...). The same Emitter the
    server-side Socket uses; a value type that holds a guarded pointer to its socket.
*/

ClientSocket::ClientSocket(QObject *parent)
    : QObject(parent)
    , d_ptr(new ClientSocketPrivate(this))
{}

/*!
    Destroys the socket.
*/
ClientSocket::~ClientSocket() = default;

/*!
    \property SocketIO::ClientSocket::manager
    \brief the Manager whose connection the socket uses, and which owns it.
*/

/*!
    Returns the Manager that owns the socket.
*/
Manager *ClientSocket::manager() const
{
    return d_func()->manager;
}

/*!
    \property SocketIO::ClientSocket::nsp
    \brief the namespace of the socket ("/", "/chat", ...).
*/

/*!
    Returns the namespace, such as "/" or "/chat".
*/
QString ClientSocket::nsp() const
{
    return d_func()->nsp;
}

/*!
    Returns the id the server gave the socket, or an empty string while not connected.
*/
QString ClientSocket::id() const
{
    return d_func()->id;
}

/*!
    Returns the state of the socket.
*/
ClientSocket::State ClientSocket::state() const
{
    return d_func()->state;
}

/*!
    Returns true while the socket is connected to its namespace.
*/
bool ClientSocket::isConnected() const
{
    return d_func()->connected;
}

/*!
    Returns true when the socket is connected or trying to (it will reconnect).
*/
bool ClientSocket::isActive() const
{
    return d_func()->subscribed;
}

/*!
    Returns true when the last connection recovered the previous session.
*/
bool ClientSocket::isRecovered() const
{
    return d_func()->recovered;
}

/*!
    Returns the socket's options.
*/
SocketOptions ClientSocket::options() const
{
    return d_func()->options;
}

/*!
    Sets the auth object sent with the next CONNECT packets to \a auth.
*/
void ClientSocket::setAuth(const QVariantMap &auth)
{
    d_func()->options.auth = auth;
}

/*!
    Connects to the namespace, opening the Manager's connection when needed (the reference's
    socket.connect()). Does nothing when connected.
*/
void ClientSocket::connectToServer()
{
    Q_D(ClientSocket);
    if (d->connected)
        return;
    d->subscribe();
    if (!d->subscribed)
        return; // a stateChanged() slot disconnected it again
    ManagerPrivate *m = ManagerPrivate::get(d->manager);
    if (!m->reconnecting)
        m->open({});
    if (m->state == Manager::State::Open)
        d->onOpen();
}

/*!
    Leaves the namespace (a DISCONNECT packet when connected) and stops trying to reconnect;
    disconnected() follows with reason "io client disconnect" when it was connected. The
    Manager closes its connection when no other socket is active.
*/
void ClientSocket::disconnectFromServer()
{
    Q_D(ClientSocket);
    const bool was = d->connected;
    if (was) {
        Packet packet;
        packet.type = Packet::Type::Disconnect;
        d->packet(packet);
    }
    d->destroy();
    if (was)
        d->onClose(QStringLiteral("io client disconnect"), {});
}

/*!
    Sends \a event with \a args; while disconnected, the event waits in the send buffer. Returns
    false (and sends nothing) for a reserved event name.
*/
bool ClientSocket::emitEvent(const QString &event, const QVariantList &args)
{
    return d_func()->emitWithFlags(event, args, {}, nullptr, {});
}

/*!
    Sends \a event with \a args and asks for an acknowledgement, which \a callback gets, or the
    error "operation has timed out" after SocketOptions::ackTimeout. The callback is dropped
    when \a context is destroyed. Returns false for a reserved event name.
*/
bool ClientSocket::emitEvent(const QString &event, const QVariantList &args, QObject *context,
                             AckCallback callback)
{
    return d_func()->emitWithFlags(event, args, {}, context, std::move(callback));
}

/*!
    Sends \a event with \a args and returns a future for the server's acknowledgement; it fails
    with TimeoutError after SocketOptions::ackTimeout, or when the connection drops after the
    event went out, as the reference's emitWithAck() does.
*/
QFuture<QVariantList> ClientSocket::emitWithAck(const QString &event, const QVariantList &args)
{
    return timeout(-1).emitWithAck(event, args);
}

/*!
    Returns flags whose acknowledgement fails with "operation has timed out" after \a
    milliseconds.
*/
ClientSocket::Flags ClientSocket::timeout(int milliseconds)
{
    return Emitter(this).timeout(milliseconds);
}

/*!
    Returns flags with the compress flag set to \a compress.
*/
ClientSocket::Flags ClientSocket::compress(bool compress)
{
    return Emitter(this).compress(compress);
}

/*!
    Returns flags whose events are dropped instead of buffered when the transport cannot send
    them now.
*/
ClientSocket::Flags ClientSocket::asVolatile()
{
    return Emitter(this).asVolatile();
}

/*!
    Creates an Emitter that sends to the client-side \a socket with \a flags; this is
    ClientSocket::Flags. Defined here, not in emitter.cpp, so that it hands in the
    ClientSocket's own emit.
*/
Emitter::Emitter(ClientSocket *socket, BroadcastFlags flags)
    : m_socket(socket)
    , m_send([](QObject *target, const QString &event, const QVariantList &args,
                const BroadcastFlags &flags, QObject *context, AckCallback callback) {
        return ClientSocketPrivate::get(static_cast<ClientSocket *>(target))
            ->emitWithFlags(event, args, flags, context, std::move(callback));
    })
    , m_flags(flags)
{}

/*!
    Calls \a handler for each incoming \a event, after eventReceived(); the handler is dropped
    when \a context is destroyed.
*/
void ClientSocket::on(const QString &event, QObject *context, EventHandler handler)
{
    d_func()->handlers.add(event, context, std::move(handler));
}

/*!
    Removes every handler of \a event added with on().
*/
void ClientSocket::off(const QString &event)
{
    d_func()->handlers.remove(event);
}

/*!
    Adds a listener of every incoming event, after the others, and returns its id for offAny().
    It is dropped when \a context is destroyed.
*/
int ClientSocket::onAny(QObject *context, AnyHandler handler)
{
    return d_func()->anyListeners.append(context, std::move(handler));
}

/*!
    Adds a listener of every incoming event, before the others, and returns its id for offAny().
    It is dropped when \a context is destroyed.
*/
int ClientSocket::prependAny(QObject *context, AnyHandler handler)
{
    return d_func()->anyListeners.prepend(context, std::move(handler));
}

/*!
    Removes the catch-all listener \a id, or every one when \a id is -1.
*/
void ClientSocket::offAny(int id)
{
    d_func()->anyListeners.remove(id);
}

/*!
    Adds a listener of every outgoing event, after the others, and returns its id for
    offAnyOutgoing(). It is dropped when \a context is destroyed.
*/
int ClientSocket::onAnyOutgoing(QObject *context, AnyHandler handler)
{
    return d_func()->anyOutgoingListeners.append(context, std::move(handler));
}

/*!
    Adds a listener of every outgoing event, before the others, and returns its id for
    offAnyOutgoing(). It is dropped when \a context is destroyed.
*/
int ClientSocket::prependAnyOutgoing(QObject *context, AnyHandler handler)
{
    return d_func()->anyOutgoingListeners.prepend(context, std::move(handler));
}

/*!
    Removes the outgoing listener \a id, or every one when \a id is -1.
*/
void ClientSocket::offAnyOutgoing(int id)
{
    d_func()->anyOutgoingListeners.remove(id);
}

/*!
    Returns the number of events waiting in the send buffer for a connection.
*/
int ClientSocket::sendBufferSize() const
{
    return int(d_func()->sendBuffer.size());
}

namespace {

const ReasonEntry<ClientSocket::DisconnectReason> clientDisconnectReasons[] = {
    {ClientSocket::DisconnectReason::IoServerDisconnect, u"io server disconnect"},
    {ClientSocket::DisconnectReason::IoClientDisconnect, u"io client disconnect"},
    {ClientSocket::DisconnectReason::TransportClose, u"transport close"},
    {ClientSocket::DisconnectReason::TransportError, u"transport error"},
    {ClientSocket::DisconnectReason::PingTimeout, u"ping timeout"},
    {ClientSocket::DisconnectReason::ParseError, u"parse error"},
    {ClientSocket::DisconnectReason::ForcedClose, u"forced close"},
};

} // namespace

/*!
    \enum ClientSocket::DisconnectReason

    Why the socket disconnected (socket.io-client's DisconnectReason), as disconnected()
    reports it next to the reference's string.
*/

/*!
    \var ClientSocket::Unknown

    A reason this version does not know.
*/

/*!
    \var ClientSocket::IoServerDisconnect

    "io server disconnect": the server disconnected the socket; it does not reconnect by itself.
*/

/*!
    \var ClientSocket::IoClientDisconnect

    "io client disconnect": disconnectFromServer() was called.
*/

/*!
    \var ClientSocket::TransportClose

    "transport close": the connection was closed.
*/

/*!
    \var ClientSocket::TransportError

    "transport error": the connection failed.
*/

/*!
    \var ClientSocket::PingTimeout

    "ping timeout": the server stopped pinging.
*/

/*!
    \var ClientSocket::ParseError

    "parse error": the server sent a packet that does not decode.
*/

/*!
    \var ClientSocket::ForcedClose

    "forced close": the Manager was closed.
*/

// clang-format off
/*!
    \fn void SocketIO::ClientSocket::connectError(const QString &message, const QVariant &data, SocketIO::Manager::Error error)

    Emitted when connecting to the namespace fails: the server refused it (\a error is
    Manager::Error::ConnectRefused, \a message and \a data are the server's), or the
    connection could not be opened (\a message is the Manager's).
*/
// clang-format on

// clang-format off
/*!
    \fn void SocketIO::ClientSocket::disconnected(const QString &reason, const QString &description, SocketIO::ClientSocket::DisconnectReason code)

    Emitted when the socket disconnects, with the reference's \a reason string, an optional
    \a description and the reason as \a code.
*/
// clang-format on

/*!
    Returns the reference's string for \a reason ("io server disconnect", ...); an empty
    string for DisconnectReason::Unknown.
*/
QString ClientSocket::reasonString(DisconnectReason reason)
{
    return reasonToString(clientDisconnectReasons, reason);
}

/*!
    Returns the DisconnectReason of the reference's string \a reason, or
    DisconnectReason::Unknown.
*/
ClientSocket::DisconnectReason ClientSocket::reasonFromString(QStringView reason)
{
    return SocketIO::reasonFromString(clientDisconnectReasons, reason, DisconnectReason::Unknown);
}

} // namespace SocketIO
