#include "adapters/clusteradapter_p.h"

#include "callbacks.h"
#include "parser/json_p.h"
#include "parser/msgpack_p.h"

#include <QtCore/QLoggingCategory>
#include <QtCore/QRandomGenerator>
#include <QtCore/QTimer>

Q_LOGGING_CATEGORY(lcCluster, "socketio.adapter.cluster")

namespace SocketIO {

namespace {

constexpr int DefaultTimeoutMs = 5000; // the reference's default for cluster requests

using Type = ClusterMessage::Type;

// encodeOptions(): rooms and except as arrays, and the flags that differ from the defaults,
// named as socket.io's BroadcastFlags.
QVariantMap optionsData(const BroadcastOptions &options)
{
    const BroadcastFlags flags = options.flags();
    QVariantMap f = broadcastFlagsData(flags);
    if (flags.expectsSingleResponse())
        f.insert(QStringLiteral("expectSingleResponse"), true);
    return {{QStringLiteral("rooms"), sortedStrings(options.rooms())},
            {QStringLiteral("except"), sortedStrings(options.except())},
            {QStringLiteral("flags"), f}};
}

bool isMap(const QVariant &value)
{
    return value.typeId() == QMetaType::QVariantMap;
}

// A value that JSON.stringify would leave out of an object (undefined).
void insertDefined(QVariantMap &map, const QString &key, const QVariant &value)
{
    if (value.isValid())
        map.insert(key, value);
}

} // namespace

QVariantMap broadcastFlagsData(const BroadcastFlags &flags)
{
    QVariantMap f;
    if (flags.isVolatile())
        f.insert(QStringLiteral("volatile"), true);
    if (!flags.isCompressed())
        f.insert(QStringLiteral("compress"), false);
    if (flags.timeout() >= 0)
        f.insert(QStringLiteral("timeout"), flags.timeout());
    return f;
}

BroadcastOptions broadcastOptionsFrom(const QVariant &value)
{
    const QVariantMap map = value.toMap();
    BroadcastOptions options;
    options.setRooms(stringSet(map.value(QStringLiteral("rooms"))));
    options.setExcept(stringSet(map.value(QStringLiteral("except"))));
    const QVariantMap f = map.value(QStringLiteral("flags")).toMap();
    if (!f.isEmpty()) {
        BroadcastFlags flags;
        flags.setVolatile(f.value(QStringLiteral("volatile")).toBool());
        if (f.contains(QStringLiteral("compress")))
            flags.setCompressed(f.value(QStringLiteral("compress")).toBool());
        const QVariant timeout = f.value(QStringLiteral("timeout"));
        if (timeout.isValid() && !timeout.isNull())
            flags.setTimeout(timeout.toInt());
        flags.setExpectSingleResponse(f.value(QStringLiteral("expectSingleResponse")).toBool());
        options.setFlags(flags);
    }
    return options;
}

QStringList sortedStrings(const QSet<QString> &set)
{
    QStringList list(set.cbegin(), set.cend());
    list.sort();
    return list;
}

QSet<QString> stringSet(const QVariant &value)
{
    const QVariantList list = value.toList();
    QSet<QString> out;
    out.reserve(list.size());
    for (const QVariant &v : list)
        out.insert(v.toString());
    return out;
}

QVariantMap socketDetailsData(const SocketDetails &details)
{
    return {{QStringLiteral("id"), details.id()},
            {QStringLiteral("handshake"), details.handshake()},
            {QStringLiteral("rooms"), sortedStrings(details.rooms())},
            {QStringLiteral("data"), details.data()}};
}

SocketDetails socketDetailsFrom(const QVariantMap &map)
{
    SocketDetails details;
    details.setId(map.value(QStringLiteral("id")).toString());
    details.setHandshake(map.value(QStringLiteral("handshake")).toMap());
    details.setRooms(stringSet(map.value(QStringLiteral("rooms"))));
    details.setData(map.value(QStringLiteral("data")).toMap());
    return details;
}

bool ClusterMessage::isResponse() const
{
    return type == Type::FetchSocketsResponse || type == Type::ServerSideEmitResponse ||
           type == Type::BroadcastClientCount || type == Type::BroadcastAck;
}

QVariantMap clusterMessageData(const ClusterMessage &m)
{
    QVariantMap data;
    const auto requestId = [&] {
        if (!m.requestId.isEmpty())
            data.insert(QStringLiteral("requestId"), m.requestId);
    };
    switch (m.type) {
    case Type::InitialHeartbeat:
    case Type::Heartbeat:
    case Type::AdapterClose:
        break;
    case Type::Broadcast:
        // The packet as socket.io hands it to the adapter: an EVENT without nsp nor id.
        data.insert(QStringLiteral("packet"), QVariantMap{{QStringLiteral("type"), 2},
                                                          {QStringLiteral("data"), m.packet.data}});
        data.insert(QStringLiteral("opts"), optionsData(m.options));
        requestId();
        break;
    case Type::SocketsJoin:
    case Type::SocketsLeave:
        data.insert(QStringLiteral("opts"), optionsData(m.options));
        data.insert(QStringLiteral("rooms"), m.rooms);
        break;
    case Type::DisconnectSockets:
        data.insert(QStringLiteral("opts"), optionsData(m.options));
        data.insert(QStringLiteral("close"), m.close);
        break;
    case Type::FetchSockets:
        data.insert(QStringLiteral("opts"), optionsData(m.options));
        requestId();
        break;
    case Type::FetchSocketsResponse: {
        QVariantList sockets;
        sockets.reserve(m.sockets.size());
        for (const SocketDetails &s : m.sockets)
            sockets.append(socketDetailsData(s));
        data.insert(QStringLiteral("sockets"), sockets);
        requestId();
        break;
    }
    case Type::ServerSideEmit:
        data.insert(QStringLiteral("packet"), m.args);
        requestId();
        break;
    case Type::ServerSideEmitResponse:
    case Type::BroadcastAck:
        insertDefined(data, QStringLiteral("packet"), m.response);
        requestId();
        break;
    case Type::BroadcastClientCount:
        data.insert(QStringLiteral("clientCount"), m.clientCount);
        requestId();
        break;
    }
    return data;
}

std::optional<ClusterMessage> clusterMessageFromData(ClusterMessage::Type type,
                                                     const QVariant &value)
{
    ClusterMessage m;
    m.type = type;
    if (type == Type::InitialHeartbeat || type == Type::Heartbeat || type == Type::AdapterClose)
        return m;
    if (!isMap(value))
        return std::nullopt;
    const QVariantMap data = value.toMap();
    m.requestId = data.value(QStringLiteral("requestId")).toString();
    const bool needsRequestId = type == Type::FetchSockets || m.isResponse();
    if (needsRequestId && m.requestId.isEmpty())
        return std::nullopt;
    switch (type) {
    case Type::Broadcast: {
        const QVariant packet = data.value(QStringLiteral("packet"));
        if (!isMap(packet))
            return std::nullopt;
        const QVariantMap p = packet.toMap();
        const int packetType = p.value(QStringLiteral("type")).toInt();
        const QVariant args = p.value(QStringLiteral("data"));
        // EVENT; BINARY_EVENT (5) is accepted as well (B.0).
        if ((packetType != 2 && packetType != 5) || args.typeId() != QMetaType::QVariantList)
            return std::nullopt;
        m.packet.type = Packet::Type::Event;
        m.packet.data = args;
        m.options = broadcastOptionsFrom(data.value(QStringLiteral("opts")));
        break;
    }
    case Type::SocketsJoin:
    case Type::SocketsLeave:
        m.options = broadcastOptionsFrom(data.value(QStringLiteral("opts")));
        m.rooms = data.value(QStringLiteral("rooms")).toStringList();
        break;
    case Type::DisconnectSockets:
        m.options = broadcastOptionsFrom(data.value(QStringLiteral("opts")));
        m.close = data.value(QStringLiteral("close")).toBool();
        break;
    case Type::FetchSockets:
        m.options = broadcastOptionsFrom(data.value(QStringLiteral("opts")));
        break;
    case Type::FetchSocketsResponse:
        for (const QVariant &s : data.value(QStringLiteral("sockets")).toList()) {
            if (isMap(s))
                m.sockets.append(socketDetailsFrom(s.toMap()));
        }
        break;
    case Type::ServerSideEmit:
        m.args = data.value(QStringLiteral("packet")).toList();
        if (m.args.isEmpty())
            return std::nullopt; // no event name
        break;
    case Type::ServerSideEmitResponse:
    case Type::BroadcastAck:
        m.response = data.value(QStringLiteral("packet"));
        break;
    case Type::BroadcastClientCount:
        m.clientCount = data.value(QStringLiteral("clientCount")).toInt();
        break;
    default:
        return std::nullopt;
    }
    return m;
}

QVariantMap clusterEnvelope(const ClusterMessage &m)
{
    QVariantMap envelope{{QStringLiteral("type"), int(m.type)},
                         {QStringLiteral("uid"), m.uid},
                         {QStringLiteral("nsp"), m.nsp}};
    if (m.type != Type::InitialHeartbeat && m.type != Type::Heartbeat &&
        m.type != Type::AdapterClose)
        envelope.insert(QStringLiteral("data"), clusterMessageData(m));
    return envelope;
}

std::optional<ClusterMessage> clusterMessageFromEnvelope(const QVariant &value)
{
    if (!isMap(value))
        return std::nullopt;
    const QVariantMap envelope = value.toMap();
    bool ok = false;
    // A number in JSON and MessagePack; a decimal string in a stream entry.
    const int type = envelope.value(QStringLiteral("type")).toInt(&ok);
    if (!ok || type < int(Type::InitialHeartbeat) || type > int(Type::AdapterClose))
        return std::nullopt;
    std::optional<ClusterMessage> m =
        clusterMessageFromData(Type(type), envelope.value(QStringLiteral("data")));
    if (m) {
        m->uid = envelope.value(QStringLiteral("uid")).toString();
        m->nsp = envelope.value(QStringLiteral("nsp")).toString();
    }
    return m;
}

bool hasBinary(const QVariant &value)
{
    switch (value.typeId()) {
    case QMetaType::QByteArray:
        return true;
    case QMetaType::QVariantList: {
        const QVariantList list = value.toList();
        return std::any_of(list.cbegin(), list.cend(),
                           [](const QVariant &v) { return hasBinary(v); });
    }
    case QMetaType::QVariantMap: {
        const QVariantMap map = value.toMap();
        return std::any_of(map.cbegin(), map.cend(),
                           [](const QVariant &v) { return hasBinary(v); });
    }
    case QMetaType::QVariantHash: {
        const QVariantHash hash = value.toHash();
        return std::any_of(hash.cbegin(), hash.cend(),
                           [](const QVariant &v) { return hasBinary(v); });
    }
    default:
        return false;
    }
}

bool mayCarryBinary(ClusterMessage::Type type)
{
    switch (type) {
    case Type::Broadcast:
    case Type::FetchSocketsResponse:
    case Type::ServerSideEmit:
    case Type::ServerSideEmitResponse:
    case Type::BroadcastAck:
        return true;
    default:
        return false;
    }
}

bool decodeJsonOrMsgPack(QByteArrayView payload, QVariant *value)
{
    if (payload.startsWith('{'))
        return Json::parse(payload, value);
    QString error;
    return MsgPack::decode(payload, value, &error);
}

std::optional<ClusterMessage> clusterMessageFromPayload(QByteArrayView payload)
{
    QVariant envelope;
    if (!decodeJsonOrMsgPack(payload, &envelope))
        return std::nullopt;
    return clusterMessageFromEnvelope(envelope);
}

QString clusterRandomId()
{
    const quint64 value = QRandomGenerator::global()->generate64();
    return QStringLiteral("%1").arg(value, 16, 16, QLatin1Char('0'));
}

ClusterAdapter::ClusterAdapter(Namespace *nsp, const QString &uid)
    : Adapter(nsp)
    , m_uid(uid)
{}

ClusterAdapter::~ClusterAdapter() = default;

ClusterMessage ClusterAdapter::message(ClusterMessage::Type type,
                                       const BroadcastOptions &options) const
{
    ClusterMessage m;
    m.type = type;
    m.uid = m_uid;
    m.nsp = emitter()->path();
    m.options = options;
    return m;
}

void ClusterAdapter::publish(ClusterMessage m, std::function<void(const QString &)> done)
{
    m.uid = m_uid;
    m.nsp = emitter()->path();
    doPublish(
        m, done ? std::move(done) : [](const QString &) {});
}

void ClusterAdapter::publishResponse(const QString &requesterUid, ClusterMessage m)
{
    m.uid = m_uid;
    m.nsp = emitter()->path();
    doPublishResponse(requesterUid, m);
}

void ClusterAdapter::fetchServerCount(std::function<void(int)> done)
{
    done(serverCount());
}

void ClusterAdapter::addOffsetIfNecessary(Packet &packet, const BroadcastOptions &options,
                                          const QString &offset) const
{
    // Packets with an ack id are not kept: the ack cannot be restored on another server.
    if (!m_recovery || packet.type != Packet::Type::Event || packet.hasId() ||
        options.flags().isVolatile())
        return;
    QVariantList data = packet.data.toList();
    data.append(offset);
    packet.data = data;
}

void ClusterAdapter::broadcast(const Packet &packet, const BroadcastOptions &options)
{
    if (options.flags().isLocal()) {
        Adapter::broadcast(packet, options);
        return;
    }
    ClusterMessage m = message(Type::Broadcast, options);
    m.packet = packet;
    // Delivered here once published, with the offset the transport gave it.
    doPublish(m, [self = QPointer<ClusterAdapter>(this), packet, options](const QString &offset) {
        if (!self)
            return;
        Packet local = packet;
        self->addOffsetIfNecessary(local, options, offset);
        self->Adapter::broadcast(local, options);
    });
}

void ClusterAdapter::broadcastWithAck(const Packet &packet, const BroadcastOptions &options,
                                      const std::function<void(int)> &clientCountCallback,
                                      const std::function<void(const QVariantList &)> &ack)
{
    if (!options.flags().isLocal()) {
        const QString requestId = clusterRandomId();
        m_ackRequests[requestId] = {clientCountCallback, ack};
        ClusterMessage m = message(Type::Broadcast, options);
        m.packet = packet;
        m.requestId = requestId;
        publish(m);
        // Answers count until the operator's own timeout; the entry goes a little after.
        const int timeout =
            options.flags().timeout() >= 0 ? options.flags().timeout() : DefaultTimeoutMs;
        QTimer::singleShot(timeout + 1000, this,
                           [this, requestId] { m_ackRequests.erase(requestId); });
    }
    Adapter::broadcastWithAck(packet, options, clientCountCallback, ack);
}

void ClusterAdapter::fetchSockets(const BroadcastOptions &options,
                                  const std::function<void(const QList<SocketDetails> &)> &done)
{
    if (options.flags().isLocal()) {
        Adapter::fetchSockets(options, done);
        return;
    }
    fetchServerCount([self = QPointer<ClusterAdapter>(this), options, done](int count) {
        if (!self)
            return;
        Request request{Type::FetchSockets};
        self->Adapter::fetchSockets(
            options, [&request](const QList<SocketDetails> &local) { request.sockets = local; });
        if (count <= 1) {
            done(request.sockets);
            return;
        }
        request.expected = count - 1;
        request.fetched = done;
        ClusterMessage m = self->message(Type::FetchSockets, options);
        m.requestId = self->startRequest(std::move(request), options.flags().timeout() > 0
                                                                 ? options.flags().timeout()
                                                                 : DefaultTimeoutMs);
        self->publish(m);
    });
}

void ClusterAdapter::addSockets(const BroadcastOptions &options, const QStringList &rooms)
{
    Adapter::addSockets(options, rooms);
    if (options.flags().isLocal())
        return;
    ClusterMessage m = message(Type::SocketsJoin, options);
    m.rooms = rooms;
    publish(m);
}

void ClusterAdapter::delSockets(const BroadcastOptions &options, const QStringList &rooms)
{
    Adapter::delSockets(options, rooms);
    if (options.flags().isLocal())
        return;
    ClusterMessage m = message(Type::SocketsLeave, options);
    m.rooms = rooms;
    publish(m);
}

void ClusterAdapter::disconnectSockets(const BroadcastOptions &options, bool close)
{
    Adapter::disconnectSockets(options, close);
    if (options.flags().isLocal())
        return;
    ClusterMessage m = message(Type::DisconnectSockets, options);
    m.close = close;
    publish(m);
}

void ClusterAdapter::serverSideEmit(
    const QVariantList &args, const std::function<void(const QString &, const QVariantList &)> &ack)
{
    ClusterMessage m = message(Type::ServerSideEmit);
    m.args = args;
    if (!ack) {
        publish(m);
        return;
    }
    fetchServerCount([self = QPointer<ClusterAdapter>(this), m, ack](int count) mutable {
        if (!self)
            return;
        if (count <= 1) {
            ack({}, {});
            return;
        }
        Request request{Type::ServerSideEmit};
        request.expected = count - 1;
        request.answered = ack;
        m.requestId = self->startRequest(std::move(request), DefaultTimeoutMs);
        self->publish(m);
    });
}

QString ClusterAdapter::startRequest(Request request, int timeoutMs)
{
    const QString id = clusterRandomId();
    m_requests.emplace(id, std::move(request));
    QTimer::singleShot(timeoutMs, this, [this, id] {
        const auto it = m_requests.find(id);
        if (it == m_requests.end())
            return; // finished
        const QString error =
            QStringLiteral("timeout reached: only %1 responses received out of %2")
                .arg(it->second.current)
                .arg(it->second.expected);
        qCWarning(lcCluster) << error;
        finish(id, error);
    });
    return id;
}

void ClusterAdapter::finish(const QString &requestId, const QString &error)
{
    const auto it = m_requests.find(requestId);
    if (it == m_requests.end())
        return;
    const Request request = std::move(it->second);
    m_requests.erase(it);
    if (request.fetched)
        request.fetched(request.sockets); // what arrived in time
    if (request.answered)
        request.answered(error, request.responses);
}

void ClusterAdapter::onMessage(const ClusterMessage &m, const QString &offset)
{
    if (m.uid == m_uid || m.nsp != emitter()->path())
        return;
    if (m.isResponse()) {
        onResponse(m);
        return;
    }
    BroadcastOptions local = m.options;
    BroadcastFlags localFlags = local.flags();
    localFlags.setLocal(true);
    local.setFlags(localFlags);
    const QPointer<ClusterAdapter> self(this);
    switch (m.type) {
    case Type::Broadcast: {
        Packet packet = m.packet;
        packet.nsp = m.nsp;
        if (m.requestId.isEmpty()) {
            addOffsetIfNecessary(packet, m.options, offset);
            Adapter::broadcast(packet, local);
            return;
        }
        Adapter::broadcastWithAck(
            packet, local,
            [self, requester = m.uid, requestId = m.requestId](int count) {
                if (!self)
                    return;
                ClusterMessage reply = self->message(Type::BroadcastClientCount);
                reply.requestId = requestId;
                reply.clientCount = count;
                self->publishResponse(requester, reply);
            },
            [self, requester = m.uid, requestId = m.requestId](const QVariantList &response) {
                if (!self)
                    return;
                ClusterMessage reply = self->message(Type::BroadcastAck);
                reply.requestId = requestId;
                reply.response = response.value(0);
                self->publishResponse(requester, reply);
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
        reply.requestId = m.requestId;
        Adapter::fetchSockets(
            local, [&reply](const QList<SocketDetails> &sockets) { reply.sockets = sockets; });
        publishResponse(m.uid, reply);
        return;
    }
    case Type::ServerSideEmit: {
        Ack ack;
        if (!m.requestId.isEmpty()) {
            ack = Ack([self, requester = m.uid, requestId = m.requestId](const QVariantList &args) {
                if (!self)
                    return;
                ClusterMessage reply = self->message(Type::ServerSideEmitResponse);
                reply.requestId = requestId;
                reply.response = args.value(0);
                self->publishResponse(requester, reply);
            });
        }
        emitter()->receiveServerSideEmit(m.args, ack);
        return;
    }
    default:
        return; // heartbeats: nothing to do without a node list
    }
}

void ClusterAdapter::onResponse(const ClusterMessage &m)
{
    if (m.type == Type::BroadcastClientCount || m.type == Type::BroadcastAck) {
        const auto it = m_ackRequests.find(m.requestId);
        if (it == m_ackRequests.end())
            return;
        if (m.type == Type::BroadcastClientCount) {
            if (it->second.clientCount)
                it->second.clientCount(m.clientCount);
        } else if (it->second.ack) {
            it->second.ack({m.response});
        }
        return;
    }
    const auto it = m_requests.find(m.requestId);
    if (it == m_requests.end())
        return; // not ours, or too late
    Request &request = it->second;
    if (m.type == Type::FetchSocketsResponse && request.type == Type::FetchSockets)
        request.sockets += m.sockets;
    else if (m.type == Type::ServerSideEmitResponse && request.type == Type::ServerSideEmit)
        request.responses.append(m.response);
    else
        return;
    if (++request.current >= request.expected)
        finish(m.requestId, {});
}

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

void ClusterBus::publish(int from, const ClusterMessage &message) const
{
    QMutexLocker lock(&m_mutex);
    for (auto it = m_nodes.cbegin(); it != m_nodes.cend(); ++it) {
        if (it.key() != from)
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

WorkerClusterAdapter::WorkerClusterAdapter(Namespace *nsp, std::shared_ptr<ClusterBus> bus,
                                           int node)
    : ClusterAdapter(nsp, QString::number(node))
    , m_bus(std::move(bus))
    , m_node(node)
{}

int WorkerClusterAdapter::serverCount() const
{
    return m_bus->size();
}

void WorkerClusterAdapter::doPublish(const ClusterMessage &m,
                                     std::function<void(const QString &)> done)
{
    m_bus->publish(m_node, m);
    done({});
}

void WorkerClusterAdapter::doPublishResponse(const QString &requesterUid, const ClusterMessage &m)
{
    m_bus->sendTo(requesterUid.toInt(), m);
}

void WorkerClusterAdapter::answerWithoutNamespace(const ClusterBus &bus, int node,
                                                  const ClusterMessage &m)
{
    ClusterMessage reply;
    reply.nsp = m.nsp;
    reply.uid = QString::number(node);
    reply.requestId = m.requestId;
    if (m.type == Type::FetchSockets)
        reply.type = Type::FetchSocketsResponse;
    else if (m.type == Type::Broadcast && !m.requestId.isEmpty())
        reply.type = Type::BroadcastClientCount;
    else
        return; // nothing to tell
    bool ok = false;
    const int requester = m.uid.toInt(&ok);
    if (ok)
        bus.sendTo(requester, reply);
}

} // namespace SocketIO
