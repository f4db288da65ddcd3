#include "clientsocket.h"

#include "client/manager_p.h"
#include "parser/parsers_p.h"

#include <QtCore/QLoggingCategory>
#include <QtCore/QPromise>

Q_DECLARE_LOGGING_CATEGORY(lcClient)

namespace SocketIO {

ClientSocketPrivate::ClientSocketPrivate(ClientSocket *q)
    : q_ptr(q)
{}

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

void ClientSocketPrivate::onPacket(const Packet &packet)
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
                {});
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
                                   map.value(QStringLiteral("data")));
        } else {
            Q_EMIT q->connectError(data.toString(), {});
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

void ClientSocketPrivate::onEvent(const Packet &packet)
{
    QVariantList args = packet.data.toList();
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
    const auto it = acks.find(packet.id);
    if (it == acks.end())
        return;
    PendingAck pending = std::move(*it);
    acks.erase(it);
    if (pending.timer) {
        pending.timer->stop();
        pending.timer->deleteLater();
    }
    pending.callback({}, packet.data.toList());
}

void ClientSocketPrivate::onEngineError(const QString &message)
{
    Q_Q(ClientSocket);
    if (!connected)
        Q_EMIT q->connectError(message, {});
}

void ClientSocketPrivate::onClose(const QString &reason, const QString &description)
{
    Q_Q(ClientSocket);
    connected = false;
    id.clear();
    updateState();
    Q_EMIT q->disconnected(reason, description);
    clearAcks();
}

void ClientSocketPrivate::clearAcks()
{
    // Acknowledgements that can fail are told; the others wait for a reconnection that
    // will never answer them, as in the reference.
    const auto ids = acks.keys();
    for (qint64 ackId : ids) {
        auto it = acks.find(ackId);
        if (it == acks.end() || !it->withError)
            continue;
        PendingAck pending = std::move(*it);
        acks.erase(it);
        if (pending.timer) {
            pending.timer->stop();
            pending.timer->deleteLater();
        }
        pending.callback(QStringLiteral("socket has been disconnected"), {});
    }
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

void ClientSocketPrivate::registerAck(qint64 ackId, int timeout, QObject *context,
                                      AckCallback callback)
{
    Q_Q(ClientSocket);
    QPointer<QObject> guard(context);
    const bool needsContext = context != nullptr;
    PendingAck pending;
    pending.callback = [guard, needsContext, callback](const QString &error,
                                                       const QVariantList &args) {
        if (!needsContext || guard)
            callback(error, args);
    };
    if (timeout >= 0) {
        pending.withError = true;
        pending.timer = new QTimer(q);
        pending.timer->setSingleShot(true);
        QObject::connect(pending.timer, &QTimer::timeout, q, [this, ackId] {
            const auto it = acks.find(ackId);
            if (it == acks.end())
                return;
            PendingAck expired = std::move(*it);
            acks.erase(it);
            expired.timer->deleteLater();
            // Not sent yet: it will not be.
            sendBuffer.removeIf([ackId](const Packet &p) { return p.id == ackId; });
            expired.callback(QStringLiteral("operation has timed out"), {});
        });
        pending.timer->start(timeout);
    }
    acks.insert(ackId, std::move(pending));
}

bool ClientSocketPrivate::emitWithFlags(const QString &event, const QVariantList &args,
                                        const BroadcastFlags &flags, QObject *context,
                                        AckCallback callback, bool fromQueue)
{
    if (isReservedEventName(event)) {
        qCWarning(lcClient) << "emitEvent:" << event << "is a reserved event name";
        return false;
    }
    if (options.retries > 0 && !fromQueue && !flags.isVolatile) {
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
        p.id = ids++;
        registerAck(p.id, flags.timeout >= 0 ? flags.timeout : options.ackTimeout, context,
                    std::move(callback));
    }
    EngineIO::EngineClient *engine = ManagerPrivate::get(manager)->engine;
    const bool writable = engine && engine->isTransportWritable();
    const bool isConnected = connected && engine && !engine->hasPingExpired();
    if (flags.isVolatile && !writable)
        return true; // dropped
    if (isConnected) {
        notifyOutgoing(event, args);
        packet(p, flags.compress);
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

ClientSocket::ClientSocket(QObject *parent)
    : QObject(parent)
    , d_ptr(new ClientSocketPrivate(this))
{}

ClientSocket::~ClientSocket() = default;

Manager *ClientSocket::manager() const
{
    return d_func()->manager;
}

QString ClientSocket::nsp() const
{
    return d_func()->nsp;
}

QString ClientSocket::id() const
{
    return d_func()->id;
}

ClientSocket::State ClientSocket::state() const
{
    return d_func()->state;
}

bool ClientSocket::isConnected() const
{
    return d_func()->connected;
}

bool ClientSocket::isActive() const
{
    return d_func()->subscribed;
}

bool ClientSocket::isRecovered() const
{
    return d_func()->recovered;
}

SocketOptions ClientSocket::options() const
{
    return d_func()->options;
}

void ClientSocket::setAuth(const QVariantMap &auth)
{
    d_func()->options.auth = auth;
}

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

bool ClientSocket::emitEvent(const QString &event, const QVariantList &args)
{
    return d_func()->emitWithFlags(event, args, {}, nullptr, {});
}

bool ClientSocket::emitEvent(const QString &event, const QVariantList &args, QObject *context,
                             AckCallback callback)
{
    return d_func()->emitWithFlags(event, args, {}, context, std::move(callback));
}

QFuture<QVariantList> ClientSocket::emitWithAck(const QString &event, const QVariantList &args)
{
    return timeout(-1).emitWithAck(event, args);
}

ClientSocket::Flags ClientSocket::timeout(int milliseconds)
{
    return Emitter(this).timeout(milliseconds);
}

ClientSocket::Flags ClientSocket::compress(bool compress)
{
    return Emitter(this).compress(compress);
}

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

void ClientSocket::on(const QString &event, QObject *context, EventHandler handler)
{
    d_func()->handlers.add(event, context, std::move(handler));
}

void ClientSocket::off(const QString &event)
{
    d_func()->handlers.remove(event);
}

int ClientSocket::onAny(QObject *context, AnyHandler handler)
{
    return d_func()->anyListeners.append(context, std::move(handler));
}

int ClientSocket::prependAny(QObject *context, AnyHandler handler)
{
    return d_func()->anyListeners.prepend(context, std::move(handler));
}

void ClientSocket::offAny(int id)
{
    d_func()->anyListeners.remove(id);
}

int ClientSocket::onAnyOutgoing(QObject *context, AnyHandler handler)
{
    return d_func()->anyOutgoingListeners.append(context, std::move(handler));
}

int ClientSocket::prependAnyOutgoing(QObject *context, AnyHandler handler)
{
    return d_func()->anyOutgoingListeners.prepend(context, std::move(handler));
}

void ClientSocket::offAnyOutgoing(int id)
{
    d_func()->anyOutgoingListeners.remove(id);
}

int ClientSocket::sendBufferSize() const
{
    return int(d_func()->sendBuffer.size());
}

} // namespace SocketIO
