#include "adapters/clusteradapter_p.h"

#include "callbacks.h"

#include <QtCore/QCoreApplication>

namespace SocketIO {

namespace {
constexpr int DefaultTimeoutMs = 5000; // the reference's default for cluster requests
} // namespace

int ClusterBus::join(QObject *context, Deliver deliver)
{
    QMutexLocker lock(&m_mutex);
    const int node = m_next++;
    m_nodes.insert(node, {context, std::move(deliver)});
    return node;
}

void ClusterBus::leave(int node)
{
    QMutexLocker lock(&m_mutex);
    m_nodes.remove(node);
}

int ClusterBus::size() const
{
    QMutexLocker lock(&m_mutex);
    return int(m_nodes.size());
}

void ClusterBus::post(const Node &node, const ClusterMessage &message) const
{
    // Posted under the lock: a node that has left gets nothing more, and what was posted
    // before it left is dropped with its context.
    QMetaObject::invokeMethod(
        node.context, [deliver = node.deliver, message] { deliver(message); },
        Qt::QueuedConnection);
}

void ClusterBus::publish(const ClusterMessage &message) const
{
    QMutexLocker lock(&m_mutex);
    for (auto it = m_nodes.cbegin(); it != m_nodes.cend(); ++it) {
        if (it.key() != message.from)
            post(it.value(), message);
    }
}

void ClusterBus::sendTo(int node, const ClusterMessage &message) const
{
    QMutexLocker lock(&m_mutex);
    const auto it = m_nodes.constFind(node);
    if (it != m_nodes.cend())
        post(it.value(), message);
}

ClusterAdapter::ClusterAdapter(Namespace *nsp, std::shared_ptr<ClusterBus> bus, int node)
    : Adapter(nsp)
    , m_bus(std::move(bus))
    , m_node(node)
    , m_waiting(this)
{}

ClusterAdapter::~ClusterAdapter() = default;

ClusterMessage ClusterAdapter::message(ClusterMessage::Type type,
                                       const BroadcastOptions &options) const
{
    ClusterMessage m;
    m.type = type;
    m.nsp = emitter()->path();
    m.from = m_node;
    m.options = options;
    return m;
}

void ClusterAdapter::publishUnlessLocal(const ClusterMessage &message) const
{
    if (!message.options.flags().isLocal())
        m_bus->publish(message);
}

int ClusterAdapter::serverCount() const
{
    return m_bus->size();
}

void ClusterAdapter::broadcast(const Packet &packet, const BroadcastOptions &options)
{
    Adapter::broadcast(packet, options);
    ClusterMessage m = message(ClusterMessage::Type::Broadcast, options);
    m.packet = packet;
    publishUnlessLocal(m);
}

void ClusterAdapter::broadcastWithAck(const Packet &packet, const BroadcastOptions &options,
                                      const std::function<void(int)> &clientCountCallback,
                                      const std::function<void(const QVariantList &)> &ack)
{
    Adapter::broadcastWithAck(packet, options, clientCountCallback, ack);
    if (options.flags().isLocal())
        return;
    auto request = std::make_unique<Request>();
    request->clientCount = clientCountCallback;
    request->ack = ack;
    // Answers arrive until the operator's own timeout; the entry goes a little after.
    const int timeout =
        options.flags().timeout() >= 0 ? options.flags().timeout() : DefaultTimeoutMs;
    ClusterMessage m = message(ClusterMessage::Type::BroadcastWithAck, options);
    m.request = startRequest(std::move(request), timeout + 1000);
    m.packet = packet;
    m_bus->publish(m);
}

void ClusterAdapter::fetchSockets(const BroadcastOptions &options,
                                  const std::function<void(const QList<SocketDetails> &)> &done)
{
    const int others = serverCount() - 1;
    if (options.flags().isLocal() || others <= 0) {
        Adapter::fetchSockets(options, done);
        return;
    }
    auto request = std::make_unique<Request>();
    Adapter::fetchSockets(
        options, [&request](const QList<SocketDetails> &local) { request->sockets = local; });
    request->expected = others;
    request->fetched = done;
    ClusterMessage m = message(ClusterMessage::Type::FetchSockets, options);
    m.request =
        startRequest(std::move(request),
                     options.flags().timeout() >= 0 ? options.flags().timeout() : DefaultTimeoutMs);
    m_bus->publish(m);
}

void ClusterAdapter::addSockets(const BroadcastOptions &options, const QStringList &rooms)
{
    Adapter::addSockets(options, rooms);
    ClusterMessage m = message(ClusterMessage::Type::SocketsJoin, options);
    m.rooms = rooms;
    publishUnlessLocal(m);
}

void ClusterAdapter::delSockets(const BroadcastOptions &options, const QStringList &rooms)
{
    Adapter::delSockets(options, rooms);
    ClusterMessage m = message(ClusterMessage::Type::SocketsLeave, options);
    m.rooms = rooms;
    publishUnlessLocal(m);
}

void ClusterAdapter::disconnectSockets(const BroadcastOptions &options, bool close)
{
    Adapter::disconnectSockets(options, close);
    ClusterMessage m = message(ClusterMessage::Type::DisconnectSockets, options);
    m.close = close;
    publishUnlessLocal(m);
}

void ClusterAdapter::serverSideEmit(
    const QVariantList &args, const std::function<void(const QString &, const QVariantList &)> &ack)
{
    ClusterMessage m = message(ClusterMessage::Type::ServerSideEmit);
    m.args = args;
    const int others = serverCount() - 1;
    if (ack && others <= 0) {
        ack({}, {});
        return;
    }
    if (ack) {
        auto request = std::make_unique<Request>();
        request->expected = others;
        request->answered = ack;
        m.request = startRequest(std::move(request), DefaultTimeoutMs);
    }
    m_bus->publish(m);
}

qint64 ClusterAdapter::startRequest(std::unique_ptr<Request> request, int timeoutMs)
{
    const qint64 id = m_waiting.nextId();
    m_requests.emplace(id, std::move(request));
    m_waiting.add(
        id, this,
        [this, id](const QString &error, const QVariantList &) {
            if (error.isEmpty())
                return; // finished: its answers were counted here
            const auto it = m_requests.find(id);
            if (it != m_requests.end())
                finish(id, QStringLiteral("timeout reached: missing %1 responses")
                               .arg(it->second->expected));
        },
        timeoutMs);
    return id;
}

void ClusterAdapter::finish(qint64 id, const QString &error)
{
    const auto it = m_requests.find(id);
    if (it == m_requests.end())
        return;
    const std::unique_ptr<Request> request = std::move(it->second);
    m_requests.erase(it);
    m_waiting.remove(id);
    if (request->fetched)
        request->fetched(request->sockets); // what arrived in time
    if (request->answered)
        request->answered(error, request->responses);
}

void ClusterAdapter::onMessage(const ClusterMessage &m)
{
    using Type = ClusterMessage::Type;
    BroadcastOptions local = m.options;
    BroadcastFlags localFlags = local.flags();
    localFlags.setLocal(true);
    local.setFlags(localFlags);
    switch (m.type) {
    case Type::Broadcast:
        Adapter::broadcast(m.packet, local);
        return;
    case Type::BroadcastWithAck: {
        const std::shared_ptr<ClusterBus> bus = m_bus;
        ClusterMessage reply = message(Type::BroadcastClientCount);
        reply.request = m.request;
        Adapter::broadcastWithAck(
            m.packet, local,
            [bus, reply, to = m.from](int count) mutable {
                reply.count = count;
                bus->sendTo(to, reply);
            },
            [bus, reply, to = m.from](const QVariantList &response) mutable {
                reply.type = Type::BroadcastAck;
                reply.args = response;
                bus->sendTo(to, reply);
            });
        return;
    }
    case Type::SocketsJoin:
        Adapter::addSockets(local, m.rooms);
        return;
    case Type::SocketsLeave:
        Adapter::delSockets(local, m.rooms);
        return;
    case Type::DisconnectSockets:
        Adapter::disconnectSockets(local, m.close);
        return;
    case Type::FetchSockets: {
        ClusterMessage reply = message(Type::FetchSocketsResponse);
        reply.request = m.request;
        Adapter::fetchSockets(
            local, [&reply](const QList<SocketDetails> &sockets) { reply.sockets = sockets; });
        m_bus->sendTo(m.from, reply);
        return;
    }
    case Type::ServerSideEmit: {
        Ack ack;
        if (m.request >= 0) {
            ClusterMessage reply = message(Type::ServerSideEmitResponse);
            reply.request = m.request;
            ack = Ack([bus = m_bus, reply, to = m.from](const QVariantList &args) mutable {
                reply.args = args;
                bus->sendTo(to, reply);
            });
        }
        emitter()->receiveServerSideEmit(m.args, ack);
        return;
    }
    case Type::BroadcastClientCount:
    case Type::BroadcastAck:
    case Type::FetchSocketsResponse:
    case Type::ServerSideEmitResponse:
        break;
    }
    // A response to one of our requests.
    const auto it = m_requests.find(m.request);
    if (it == m_requests.end())
        return; // too late
    Request &request = *it->second;
    switch (m.type) {
    case Type::BroadcastClientCount:
        if (request.clientCount)
            request.clientCount(m.count);
        return;
    case Type::BroadcastAck:
        if (request.ack)
            request.ack(m.args);
        return;
    case Type::FetchSocketsResponse:
        request.sockets += m.sockets;
        break;
    default:
        request.responses.append(m.args.value(0));
        break;
    }
    if (--request.expected <= 0)
        finish(m.request, {});
}

void ClusterAdapter::answerWithoutNamespace(const ClusterBus &bus, int node,
                                            const ClusterMessage &m)
{
    ClusterMessage reply;
    reply.nsp = m.nsp;
    reply.from = node;
    reply.request = m.request;
    if (m.type == ClusterMessage::Type::FetchSockets) {
        reply.type = ClusterMessage::Type::FetchSocketsResponse;
    } else if (m.type == ClusterMessage::Type::BroadcastWithAck) {
        reply.type = ClusterMessage::Type::BroadcastClientCount;
    } else {
        return; // nothing to tell
    }
    bus.sendTo(m.from, reply);
}

} // namespace SocketIO
