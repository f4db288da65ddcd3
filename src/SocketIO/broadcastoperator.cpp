#include "broadcastoperator.h"

#include "listeners_p.h"
#include "parser/parsers_p.h"
#include "server/namespace_p.h"
#include "server/socket_p.h"
#include "socket.h"

#include <QtCore/QLoggingCategory>
#include <QtCore/QPromise>
#include <QtCore/QTimer>

Q_DECLARE_LOGGING_CATEGORY(lcServer)

namespace SocketIO {

TimeoutError::TimeoutError(QVariantList responses)
    : m_responses(std::move(responses))
{}

/*!
    \class SocketIO::BroadcastOperator
    \inmodule SocketIO
    \brief Selects sockets by room and acts on all of them; a value type.
*/

BroadcastOperator::BroadcastOperator(Adapter *adapter, QSet<QString> rooms, QSet<QString> except,
                                     BroadcastFlags flags)
    : m_adapter(adapter)
    , m_rooms(std::move(rooms))
    , m_except(std::move(except))
    , m_flags(flags)
{}

BroadcastOperator BroadcastOperator::to(const QString &room) const
{
    BroadcastOperator op = *this;
    op.m_rooms.insert(room);
    return op;
}

BroadcastOperator BroadcastOperator::to(const QStringList &rooms) const
{
    BroadcastOperator op = *this;
    for (const QString &room : rooms)
        op.m_rooms.insert(room);
    return op;
}

BroadcastOperator BroadcastOperator::except(const QString &room) const
{
    BroadcastOperator op = *this;
    op.m_except.insert(room);
    return op;
}

BroadcastOperator BroadcastOperator::except(const QStringList &rooms) const
{
    BroadcastOperator op = *this;
    for (const QString &room : rooms)
        op.m_except.insert(room);
    return op;
}

BroadcastOperator BroadcastOperator::compress(bool compress) const
{
    BroadcastOperator op = *this;
    op.m_flags.compress = compress;
    return op;
}

BroadcastOperator BroadcastOperator::asVolatile() const
{
    BroadcastOperator op = *this;
    op.m_flags.isVolatile = true;
    return op;
}

BroadcastOperator BroadcastOperator::local() const
{
    BroadcastOperator op = *this;
    op.m_flags.local = true;
    return op;
}

BroadcastOperator BroadcastOperator::timeout(int milliseconds) const
{
    BroadcastOperator op = *this;
    op.m_flags.timeout = milliseconds;
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

bool BroadcastOperator::emitEvent(const QString &event, const QVariantList &args) const
{
    if (!m_adapter || !checkEvent(event))
        return false;
    m_adapter->broadcast(eventPacket(event, args), {m_rooms, m_except, m_flags});
    return true;
}

bool BroadcastOperator::emitEvent(
    const QString &event, const QVariantList &args, QObject *context,
    std::function<void(const QString &, const QVariantList &)> callback) const
{
    if (!m_adapter || !checkEvent(event))
        return false;
    if (m_flags.timeout < 0) {
        qCWarning(lcServer) << "emitEvent with an acknowledgement to many sockets needs timeout()";
        return false;
    }
    // Shared by the adapter's callbacks and the timer: responses arrive one by one until every
    // recipient on every server answered, or the timer fires.
    struct State
    {
        QVariantList responses;
        int expectedClients = 0;
        int expectedServers = -1;
        int actualServers = 0;
        bool done = false;
        qint64 packetId = -1;
        QTimer timer;
    };
    auto state = std::make_shared<State>();
    QPointer<QObject> guard(context);
    const bool needsContext = context != nullptr;
    const bool single = m_flags.expectSingleResponse;
    auto finish = [state, guard, needsContext, callback, single](const QString &error) {
        if (state->done)
            return;
        state->done = true;
        state->timer.stop();
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
    QPointer<Adapter> adapter = m_adapter;
    state->timer.setSingleShot(true);
    QObject::connect(&state->timer, &QTimer::timeout, m_adapter, [state, finish, adapter] {
        // Late answers must not reach the callback.
        if (adapter && state->packetId >= 0) {
            for (Socket *socket : NamespacePrivate::get(adapter->nsp())->order)
                SocketPrivate::get(socket)->acks.remove(state->packetId);
        }
        finish(QStringLiteral("operation has timed out"));
    });
    state->timer.start(m_flags.timeout);
    Packet packet = eventPacket(event, args);
    state->packetId = NamespacePrivate::get(m_adapter->nsp())->ackIds;
    m_adapter->broadcastWithAck(
        packet, {m_rooms, m_except, m_flags},
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

QFuture<QVariantList> BroadcastOperator::emitWithAck(const QString &event,
                                                     const QVariantList &args) const
{
    return ackFuture(
        [&](AckCallback callback) { return emitEvent(event, args, nullptr, std::move(callback)); });
}

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
    m_adapter->fetchSockets(
        {m_rooms, m_except, m_flags},
        [guard = ContextGuard(context), adapter, callback](const QList<SocketDetails> &all) {
            if (!guard.isAlive())
                return;
            QList<RemoteSocket> sockets;
            for (const SocketDetails &details : all)
                sockets.append(RemoteSocket(adapter, details));
            callback(sockets);
        });
}

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

void BroadcastOperator::socketsJoin(const QStringList &rooms) const
{
    if (m_adapter)
        m_adapter->addSockets({m_rooms, m_except, m_flags}, rooms);
}

void BroadcastOperator::socketsLeave(const QStringList &rooms) const
{
    if (m_adapter)
        m_adapter->delSockets({m_rooms, m_except, m_flags}, rooms);
}

void BroadcastOperator::disconnectSockets(bool close) const
{
    if (m_adapter)
        m_adapter->disconnectSockets({m_rooms, m_except, m_flags}, close);
}

/*!
    \class SocketIO::RemoteSocket
    \inmodule SocketIO
    \brief A socket returned by fetchSockets(), addressed by id.
*/

RemoteSocket::RemoteSocket(Adapter *adapter, const SocketDetails &details)
    : m_adapter(adapter)
    , m_details(details)
{
    BroadcastFlags flags;
    flags.expectSingleResponse = true;
    m_operator = BroadcastOperator(adapter, {details.id}, {}, flags);
}

bool RemoteSocket::emitEvent(const QString &event, const QVariantList &args) const
{
    return m_operator.emitEvent(event, args);
}

void RemoteSocket::join(const QString &room) const
{
    if (m_adapter)
        m_adapter->addSockets({{m_details.id}, {}, {}}, {room});
}

void RemoteSocket::leave(const QString &room) const
{
    if (m_adapter)
        m_adapter->delSockets({{m_details.id}, {}, {}}, {room});
}

void RemoteSocket::disconnectSocket(bool close) const
{
    if (m_adapter)
        m_adapter->disconnectSockets({{m_details.id}, {}, {}}, close);
}

} // namespace SocketIO
