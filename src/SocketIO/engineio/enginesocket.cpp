#include "enginesocket.h"

#include "core/reasons_p.h"
#include "engineio/engineserver_p.h"
#include "engineio/enginesocket_p.h"
#include "engineio/pollingtransport_p.h"
#include "engineio/session_p.h"

#include <QtCore/QJsonObject>
#include <QtCore/QLoggingCategory>
#include <QtCore/QMetaMethod>
#include <QtCore/QTimerEvent>

Q_LOGGING_CATEGORY(lcEngine, "socketio.engine", QtWarningMsg)

namespace SocketIO {

using namespace EngineIO;

namespace {
// What a queued packet holds beyond its bytes: its slot in the list, and the header and
// allocation of its buffer. A payload of many tiny messages costs ~100 bytes per message,
// which is what an attacker would send.
constexpr qint64 QueuedPacketOverhead = qint64(sizeof(Packet)) + 48;

qint64 queuedCost(const Packet &packet)
{
    return packet.data.size() + packet.wsFrame.size() + QueuedPacketOverhead;
}
} // namespace

/*!
    \class SocketIO::EngineSocket
    \inmodule SocketIO
    \brief One Engine.IO session: a client connected over polling or WebSocket.

    Created by EngineServer and announced with EngineServer::connection(). The server owns
    it and deletes it after closed(). Lives on the server's thread.
*/

/*!
    \enum EngineSocket::ReadyState

    The life of a session, as the reference's readyState strings.
*/

/*!
    \var EngineSocket::Opening

    The handshake is under way.
*/

/*!
    \var EngineSocket::Open

    The session is open: messages flow.
*/

/*!
    \var EngineSocket::Closing

    close() was called; what is queued is being flushed.
*/

/*!
    \var EngineSocket::Closed

    The session is closed; closed() was emitted.
*/

/*!
    \property EngineSocket::id

    \brief the session id (the "sid" of the handshake).
*/

/*!
    \property EngineSocket::protocol

    \brief the Engine.IO protocol version of the client: 4, or 3 with EngineOptions::allowEIO3;
    1 for a Socket.IO 0.9 client (ServerOptions::protocol09()), which has no separate engine.
*/

/*!
    \property EngineSocket::transportName

    \brief the name of the current transport, "polling" or "websocket"; it changes with
    upgraded(). A Socket.IO 0.9 client's is "websocket", "xhr-polling" or "jsonp-polling", and
    is empty until its first transport request.
*/

/*!
    \property EngineSocket::readyState

    \brief the state of the session.
*/

/*!
    \fn void EngineSocket::messageReceived(const QByteArray &data, bool binary)

    Emitted for each message from the client: UTF-8 text in \a data, or bytes when \a binary is
    true.
*/

/*!
    \fn void EngineSocket::heartbeat()

    Emitted for each heartbeat from the client (a pong; a ping with protocol 3).
*/

/*!
    \fn void EngineSocket::upgrading(const QString &transport)

    Emitted when the client starts upgrading to \a transport ("websocket").
*/

/*!
    \fn void EngineSocket::upgraded(const QString &transport)

    Emitted when the session moved to \a transport; transportName() has changed.
*/

/*!
    \fn void EngineSocket::drained()

    Emitted when everything queued has been handed to the transport.
*/

/*!
    \fn void EngineSocket::readyStateChanged(SocketIO::EngineSocket::ReadyState state)

    Emitted when the ready state changed to \a state.
*/

/*!
    \fn void EngineSocket::closed(const QString &reason, const QString &description)

    Emitted once when the session closed, with the reference's \a reason ("transport close",
    "ping timeout", "forced close", "transport error", "parse error", ...) and a \a description.
    The EngineServer deletes the socket after this signal.
*/

EngineSocketPrivate::EngineSocketPrivate(EngineSocket *q)
    : q_ptr(q)
{}

EngineSocketPrivate::~EngineSocketPrivate()
{
    // The transports are children of the socket and outlive this.
    for (Transport *t : {transport, upgradeTransport}) {
        if (t)
            t->setSink(nullptr);
    }
}

void EngineSocketPrivate::release(Transport *t)
{
    t->setSink(nullptr);
}

void EngineSocketPrivate::onTransportPacket(Transport *from, Packet &packet)
{
    if (from == transport)
        onPacket(packet);
    else if (from == upgradeTransport)
        onUpgradePacket(packet);
}

void EngineSocketPrivate::onTransportDrained(Transport *from)
{
    if (from == transport)
        flush();
}

void EngineSocketPrivate::onTransportBytesQueued(Transport *from)
{
    if (from == transport)
        closeIfOverWriteLimit();
}

void EngineSocketPrivate::onTransportError(Transport *from, const QString &description)
{
    if (from == transport)
        onClose(QStringLiteral("transport error"), description);
    else if (from == upgradeTransport)
        cancelUpgrade();
}

void EngineSocketPrivate::onTransportClosed(Transport *from)
{
    if (from == transport) {
        onClose(readyState == EngineSocket::ReadyState::Closing
                    ? QStringLiteral("forced close")
                    : QStringLiteral("transport close"));
    } else if (from == upgradeTransport) {
        cancelUpgrade();
    }
}

// Timers are QBasicTimers on the socket (no QObject each): a session holds thousands.
void EngineSocketPrivate::onTimer(int timerId)
{
    if (timerId == heartbeatTimer.timerId()) {
        heartbeatTimer.stop();
        if (awaitingPong) {
            onClose(QStringLiteral("ping timeout"));
        } else {
            sendPacket(Packet::text(PacketType::Ping));
            resetPingTimeout();
        }
    } else if (timerId == upgradeTimeoutTimer.timerId()) {
        qCDebug(lcEngine) << id << "upgrade timed out";
        cancelUpgrade();
    } else if (timerId == checkIntervalTimer.timerId()) {
        // Answer the pending GET with a noop so that the client can finish the upgrade.
        if (transport && transport->name() == u"polling" && transport->isWritable())
            transport->send({Packet::text(PacketType::Noop)});
    }
}

void EngineSocketPrivate::setReadyState(EngineSocket::ReadyState state)
{
    Q_Q(EngineSocket);
    if (readyState == state)
        return;
    readyState = state;
    Q_EMIT q->readyStateChanged(state);
}

void EngineSocketPrivate::open()
{
    const EngineOptions &options = server->options;
    setReadyState(EngineSocket::ReadyState::Open);
    const bool upgrade = options.allowUpgrades && transport->name() == u"polling" &&
                         options.transports.contains(u"websocket");
    sendPacket(Packet::text(PacketType::Open, protocol.openPacket(id, upgrade, options)));
    if (!options.initialPacket.isEmpty())
        sendPacket(Packet::text(PacketType::Message, options.initialPacket));
    if (protocol.serverPings())
        schedulePing();
    else
        resetPingTimeout();
}

void EngineSocketPrivate::schedulePing()
{
    awaitingPong = false;
    heartbeatTimer.start(protocol.pingInterval(server->options, server->legacy09), Qt::PreciseTimer,
                         q_ptr);
}

void EngineSocketPrivate::resetPingTimeout()
{
    awaitingPong = true;
    heartbeatTimer.start(protocol.heartbeatTimeout(server->options, server->legacy09),
                         Qt::PreciseTimer, q_ptr);
}

void EngineSocketPrivate::setTransport(Transport *newTransport)
{
    transport = newTransport;
    newTransport->setParent(q_ptr);
    newTransport->setSink(this);
}

template<typename P> void EngineSocketPrivate::sendPacketImpl(P &&packet)
{
    if (readyState == EngineSocket::ReadyState::Closing ||
        readyState == EngineSocket::ReadyState::Closed || overWriteLimit)
        return;
    // The reference counts packets from the session's "connection" on: not the open packet.
    if (Q_UNLIKELY(server->observer) && !packet.data.isEmpty() && packet.type != PacketType::Open)
        server->observer->enginePacketSent(packet.data.size());
    // The hot path (a WebSocket, nothing queued): straight to the transport, no list.
    if (writeBuffer.isEmpty() && transport && transport->isWritable() && !transport->batches()) {
        transport->sendOne(std::forward<P>(packet));
        if (closeIfOverWriteLimit())
            return;
        if (drainListened)
            Q_EMIT q_ptr->drained();
        return;
    }
    writeBufferBytes += queuedCost(packet);
    writeBuffer.append(std::forward<P>(packet));
    flush();
    closeIfOverWriteLimit();
}

bool EngineSocketPrivate::closeIfOverWriteLimit()
{
    const qint64 limit = server->options.maxWriteBufferSize;
    if (limit <= 0 || overWriteLimit)
        return overWriteLimit;
    const qint64 held = writeBufferBytes + (transport ? transport->bufferedBytes() : 0);
    if (held <= limit)
        return false;
    // Closed from the event loop: the sender may be iterating over sessions (a broadcast),
    // and a session closing under it would leave that loop. Nothing more is queued meanwhile.
    overWriteLimit = true;
    clearWriteBuffer();
    const QString description =
        QStringLiteral("%1 bytes wait to be sent, more than maxWriteBufferSize (%2): the client "
                       "does not read")
            .arg(held)
            .arg(limit);
    QMetaObject::invokeMethod(
        q_ptr, [this, description] { onClose(QStringLiteral("transport error"), description); },
        Qt::QueuedConnection);
    return true;
}

void EngineSocketPrivate::clearWriteBuffer()
{
    writeBuffer.clear();
    writeBufferBytes = 0;
}

void EngineSocketPrivate::sendPacket(const Packet &packet)
{
    sendPacketImpl(packet);
}

void EngineSocketPrivate::sendPacket(Packet &&packet)
{
    sendPacketImpl(std::move(packet));
}

void EngineSocketPrivate::flush()
{
    Q_Q(EngineSocket);
    if (readyState == EngineSocket::ReadyState::Closed || !transport || !transport->isWritable() ||
        writeBuffer.isEmpty())
        return;
    const QList<Packet> packets = std::exchange(writeBuffer, {});
    writeBufferBytes = 0;
    transport->send(packets);
    Q_EMIT q->drained();
    if (closeWhenDrained && writeBuffer.isEmpty()) {
        closeWhenDrained = false;
        transport->close();
    }
}

void EngineSocketPrivate::onPacket(const Packet &packet)
{
    Q_Q(EngineSocket);
    if (readyState != EngineSocket::ReadyState::Open)
        return;
    if (Q_UNLIKELY(server->observer) && !packet.data.isEmpty())
        server->observer->enginePacketReceived(packet.data.size());
    switch (packet.type) {
    case PacketType::Ping:
        if (protocol.serverPings()) {
            onClose(QStringLiteral("transport error"),
                    QStringLiteral("invalid heartbeat direction"));
            return;
        }
        resetPingTimeout();
        sendPacket(Packet::text(PacketType::Pong, packet.data));
        Q_EMIT q->heartbeat();
        break;
    case PacketType::Pong:
        if (!protocol.serverPings()) {
            onClose(QStringLiteral("transport error"),
                    QStringLiteral("invalid heartbeat direction"));
            return;
        }
        schedulePing();
        Q_EMIT q->heartbeat();
        break;
    case PacketType::Error:
        onClose(QStringLiteral("parse error"));
        break;
    case PacketType::Message: {
        // The sink may close and delete the session: guarded only when a listener follows.
        const QPointer<EngineSocket> guard = messageListened ? q : nullptr;
        if (messageSink)
            messageSink->onEngineMessage(packet.data, packet.binary);
        if (guard)
            Q_EMIT q->messageReceived(packet.data, packet.binary);
        break;
    }
    case PacketType::Close:
        onClose(QStringLiteral("transport close"));
        break;
    case PacketType::Open:
    case PacketType::Upgrade:
    case PacketType::Noop:
        break;
    }
}

void EngineSocketPrivate::onClose(const QString &reason, const QString &description)
{
    Q_Q(EngineSocket);
    if (readyState == EngineSocket::ReadyState::Closed)
        return;
    setReadyState(EngineSocket::ReadyState::Closed);
    heartbeatTimer.stop();
    cancelUpgrade();
    clearWriteBuffer();
    if (transport) {
        release(transport);
        // A polling transport answers its pending GET with a close packet.
        transport->close();
        transport->deleteLater();
        transport = nullptr;
    }
    qCDebug(lcEngine) << id << "closed:" << reason << description;
    // In the order of the connections these calls replace: the server's, the Socket.IO
    // client's, then the application's.
    if (registered)
        server->removeSession(q);
    if (EngineMessageSink *sink = std::exchange(messageSink, nullptr))
        sink->onEngineClose(reason, description);
    Q_EMIT q->closed(reason, description, EngineSocket::reasonFromString(reason));
}

void EngineSocketPrivate::maybeUpgrade(Transport *next)
{
    Q_Q(EngineSocket);
    upgrading = true;
    upgradeTransport = next;
    next->setParent(q);
    next->setSink(this);
    upgradeTimeoutTimer.start(server->options.upgradeTimeout, Qt::PreciseTimer, q);
}

void EngineSocketPrivate::onUpgradePacket(const Packet &packet)
{
    Q_Q(EngineSocket);
    if (packet.type == PacketType::Ping && packet.data == "probe") {
        upgradeTransport->send({Packet::text(PacketType::Pong, QByteArrayLiteral("probe"))});
        Q_EMIT q->upgrading(upgradeTransport->name());
        // The reference checks every 100 ms; answering a pending GET at once saves a
        // client up to 100 ms per upgrade.
        checkIntervalTimer.start(100, q);
        if (transport && transport->isWritable())
            transport->send({Packet::text(PacketType::Noop)});
        return;
    }
    if (packet.type == PacketType::Upgrade && readyState != EngineSocket::ReadyState::Closed) {
        Transport *next = std::exchange(upgradeTransport, nullptr);
        release(next);
        upgradeTimeoutTimer.stop();
        checkIntervalTimer.stop();
        upgrading = false;
        upgraded = true;
        Transport *old = std::exchange(transport, nullptr);
        release(old);
        old->discard();
        old->close();
        old->deleteLater();
        setTransport(next);
        Q_EMIT q->upgraded(next->name());
        flush();
        if (readyState == EngineSocket::ReadyState::Closing)
            transport->close();
        return;
    }
    cancelUpgrade();
}

void EngineSocketPrivate::cancelUpgrade()
{
    upgradeTimeoutTimer.stop();
    checkIntervalTimer.stop();
    upgrading = false;
    if (Transport *next = std::exchange(upgradeTransport, nullptr)) {
        release(next);
        next->close();
        next->deleteLater();
    }
}

EngineSocket::EngineSocket(QObject *parent)
    : QObject(parent)
    , d_ptr(new EngineSocketPrivate(this))
{}

/*!
    Destroys the session object; the EngineServer does it after closed().
*/
EngineSocket::~EngineSocket() = default;

/*!
    Runs the session's heartbeat and upgrade timers (reimplemented from QObject).
*/
void EngineSocket::timerEvent(QTimerEvent *event)
{
    d_func()->onTimer(event->timerId());
}

/*!
    Notes whether messageReceived() and drained() have receivers, which the hot path checks
    (reimplemented from QObject).
*/
void EngineSocket::connectNotify(const QMetaMethod &signal)
{
    Q_D(EngineSocket);
    if (signal == QMetaMethod::fromSignal(&EngineSocket::messageReceived))
        d->messageListened = true;
    else if (signal == QMetaMethod::fromSignal(&EngineSocket::drained))
        d->drainListened = true;
}

/*!
    Returns the session id.
*/
QString EngineSocket::id() const
{
    return d_func()->id;
}

/*!
    Returns the client's Engine.IO protocol version, 4 or 3.
*/
int EngineSocket::protocol() const
{
    return d_func()->protocol.version();
}

/*!
    Returns the name of the current transport, "polling" or "websocket".
*/
QString EngineSocket::transportName() const
{
    Q_D(const EngineSocket);
    return d->transport ? d->transport->name() : QString();
}

/*!
    Returns the state of the session.
*/
EngineSocket::ReadyState EngineSocket::readyState() const
{
    return d_func()->readyState;
}

/*!
    Returns true while an upgrade to another transport is under way.
*/
bool EngineSocket::isUpgrading() const
{
    return d_func()->upgrading;
}

/*!
    Returns true once the session moved to another transport.
*/
bool EngineSocket::isUpgraded() const
{
    return d_func()->upgraded;
}

/*!
    Returns the HTTP request that opened the session.
*/
HttpRequest EngineSocket::request() const
{
    return d_func()->request;
}

/*!
    Returns the client's address.
*/
QHostAddress EngineSocket::remoteAddress() const
{
    return d_func()->request.peerAddress();
}

/*!
    Queues a text message with \a text; it is sent at once when the transport is writable.
    Nothing is sent once the session is closing.
*/
void EngineSocket::send(const QString &text)
{
    d_func()->sendPacket(Packet::text(PacketType::Message, text.toUtf8()));
}

/*!
    Queues a text message whose UTF-8 bytes are \a utf8, without a conversion.
*/
void EngineSocket::sendUtf8(const QByteArray &utf8)
{
    d_func()->sendPacket(Packet::text(PacketType::Message, utf8));
}

/*!
    Queues a binary message with \a data.
*/
void EngineSocket::sendBinary(const QByteArray &data)
{
    d_func()->sendPacket(Packet::bytes(data));
}

/*!
    Closes the session with reason "forced close", after flushing what is queued. Does nothing
    unless the session is open.
*/
void EngineSocket::close()
{
    Q_D(EngineSocket);
    if (d->readyState != ReadyState::Open)
        return;
    d->setReadyState(ReadyState::Closing);
    if (!d->writeBuffer.isEmpty()) {
        d->closeWhenDrained = true;
        return;
    }
    d->transport->close();
}

// The shared table's order (core/reasons_p.h).
static_assert(int(EngineSocket::CloseReason::Unknown) == 0 &&
              int(EngineSocket::CloseReason::ForcedClose) == engineCloseReasonCount);

/*!
    \enum EngineSocket::CloseReason

    Why a session closed, as closed() reports it next to the reference's string.
*/

/*!
    \var EngineSocket::Unknown

    A reason this version does not know.
*/

/*!
    \var EngineSocket::TransportClose

    "transport close": the peer closed the connection.
*/

/*!
    \var EngineSocket::TransportError

    "transport error": the transport failed (or a slow reader overflowed).
*/

/*!
    \var EngineSocket::PingTimeout

    "ping timeout": no pong within pingInterval + pingTimeout.
*/

/*!
    \var EngineSocket::ParseError

    "parse error": the peer sent a packet that does not decode.
*/

/*!
    \var EngineSocket::ForcedClose

    "forced close": close() was called, here or by the server.
*/

// clang-format off
/*!
    \fn void SocketIO::EngineSocket::closed(const QString &reason, const QString &description, SocketIO::EngineSocket::CloseReason code)

    Emitted once when the session ends, with the reference's \a reason string, an optional
    \a description and the same reason as \a code. The EngineServer deletes the socket after
    this signal.
*/
// clang-format on

/*!
    Returns the reference's string for \a reason ("transport close", ...); an empty string for
    CloseReason::Unknown.
*/
QString EngineSocket::reasonString(CloseReason reason)
{
    return engineCloseReasonString(reason);
}

/*!
    Returns the CloseReason of the reference's string \a reason, or CloseReason::Unknown.
*/
EngineSocket::CloseReason EngineSocket::reasonFromString(QStringView reason)
{
    return engineCloseReasonFromString<CloseReason>(reason);
}

} // namespace SocketIO
