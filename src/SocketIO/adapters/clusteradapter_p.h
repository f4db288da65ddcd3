// The cluster protocol of socket.io-adapter's ClusterAdapter (INTEROP B.2): each namespace's
// adapter does its local part and tells the other servers; requests (fetchSockets,
// serverSideEmit with ack, broadcasts with client acks) collect their responses here. A
// transport subclass publishes the messages: the in-process bus of ServerOptions::workers
// (WorkerClusterAdapter below), Redis sharded Pub/Sub, Redis streams.
#pragma once

#include "adapter.h"
#include "core/testable_p.h"

#include <QtCore/QHash>
#include <QtCore/QMap>
#include <QtCore/QMutex>
#include <QtCore/QPointer>

#include <functional>
#include <map>
#include <memory>
#include <optional>

namespace SocketIO {

struct SOCKETIO_TESTABLE ClusterMessage
{
    // The values of socket.io-adapter's MessageType, as on the wire.
    enum class Type {
        InitialHeartbeat = 1,
        Heartbeat,
        Broadcast,
        SocketsJoin,
        SocketsLeave,
        DisconnectSockets,
        FetchSockets,
        FetchSocketsResponse,
        ServerSideEmit,
        ServerSideEmitResponse,
        BroadcastClientCount,
        BroadcastAck,
        AdapterClose,
    };
    Type type = Type::Broadcast;
    QString uid;                  // the sender's
    QString nsp;                  // the namespace's path
    QString requestId;            // empty: none (a Broadcast with one wants client acks)
    Packet packet;                // Broadcast
    BroadcastOptions options;     // Broadcast, SocketsJoin/Leave, DisconnectSockets, FetchSockets
    QStringList rooms;            // SocketsJoin/Leave
    bool close = false;           // DisconnectSockets
    int clientCount = 0;          // BroadcastClientCount
    QVariantList args;            // ServerSideEmit: [event, args...]
    QVariant response;            // ServerSideEmitResponse, BroadcastAck: the ack's first argument
    QList<SocketDetails> sockets; // FetchSocketsResponse

    // Whether the type is an answer to a request (routed to the requester's pending request).
    bool isResponse() const;
};

// B.2's `data` object of `m` (empty for the types without one), as QVariants with QByteArray
// for binary, for a transport to encode as JSON or MessagePack.
SOCKETIO_TESTABLE QVariantMap clusterMessageData(const ClusterMessage &m);
// The message of `type` from its `data`; nullopt when `data` does not fit the type. uid and
// nsp are left for the caller (they travel in the envelope).
SOCKETIO_TESTABLE std::optional<ClusterMessage> clusterMessageFromData(ClusterMessage::Type type,
                                                                       const QVariant &data);
// The whole envelope {type, data?, uid, nsp}, and back.
SOCKETIO_TESTABLE QVariantMap clusterEnvelope(const ClusterMessage &m);
SOCKETIO_TESTABLE std::optional<ClusterMessage>
clusterMessageFromEnvelope(const QVariant &envelope);
// Whether `value` holds a QByteArray anywhere (socket.io's hasBinary()).
SOCKETIO_TESTABLE bool hasBinary(const QVariant &value);
// Whether the data of a message of `type` may hold binary (and then travel as MessagePack).
SOCKETIO_TESTABLE bool mayCarryBinary(ClusterMessage::Type type);
// A payload from another server: JSON when it starts with '{', MessagePack otherwise, as the
// reference's adapters tell them apart.
SOCKETIO_TESTABLE bool decodeJsonOrMsgPack(QByteArrayView payload, QVariant *value);
// The message of a payload holding a whole envelope; nullopt when it holds none.
SOCKETIO_TESTABLE std::optional<ClusterMessage> clusterMessageFromPayload(QByteArrayView payload);
// The flags that differ from the defaults, as socket.io names them: volatile, compress (false)
// and timeout; the classic Redis adapter sends these, the cluster protocol adds
// expectSingleResponse.
SOCKETIO_TESTABLE QVariantMap broadcastFlagsData(const BroadcastFlags &flags);
// Rooms, except and those flags read back (both formats), as the sender selected them.
SOCKETIO_TESTABLE BroadcastOptions broadcastOptionsFrom(const QVariant &value);
// A set as a sorted list, and a list of strings as a set (rooms and except on the wire).
SOCKETIO_TESTABLE QStringList sortedStrings(const QSet<QString> &set);
SOCKETIO_TESTABLE QSet<QString> stringSet(const QVariant &list);
// A socket as fetchSockets() answers carry it (B.1, B.2): {id, handshake, rooms, data}.
SOCKETIO_TESTABLE QVariantMap socketDetailsData(const SocketDetails &details);
SOCKETIO_TESTABLE SocketDetails socketDetailsFrom(const QVariantMap &map);
// 16 random hex characters (randomBytes(8).toString("hex")): node uids and request ids.
SOCKETIO_TESTABLE QString clusterRandomId();

class SOCKETIO_TESTABLE ClusterAdapter : public Adapter
{
    Q_OBJECT
public:
    ClusterAdapter(Namespace *nsp, const QString &uid);
    ~ClusterAdapter() override;

    QString uid() const { return m_uid; }
    // Set by the server: broadcasts get their offset appended (connectionStateRecovery).
    void setConnectionStateRecovery(bool enabled) { m_recovery = enabled; }
    bool hasConnectionStateRecovery() const { return m_recovery; }

    void broadcast(const Packet &packet, const BroadcastOptions &options) override;
    void broadcastWithAck(const Packet &packet, const BroadcastOptions &options,
                          const std::function<void(int clientCount)> &clientCountCallback,
                          const std::function<void(const QVariantList &response)> &ack) override;
    void fetchSockets(const BroadcastOptions &options,
                      const std::function<void(const QList<SocketDetails> &)> &done) override;
    void addSockets(const BroadcastOptions &options, const QStringList &rooms) override;
    void delSockets(const BroadcastOptions &options, const QStringList &rooms) override;
    void disconnectSockets(const BroadcastOptions &options, bool close) override;
    void serverSideEmit(const QVariantList &args,
                        const std::function<void(const QString &error,
                                                 const QVariantList &responses)> &ack) override;

    // A message from the transport. Messages from this uid or for another namespace are
    // dropped; responses go to the pending requests. `offset`: the stream entry id for
    // connection state recovery, empty otherwise.
    void onMessage(const ClusterMessage &message, const QString &offset = {});

protected:
    // To every other server. `done(offset)` once published (the offset is empty unless the
    // transport has one), possibly later, always on this thread; `done` is not called when
    // publishing failed (the transport reports it).
    virtual void doPublish(const ClusterMessage &m,
                           std::function<void(const QString &offset)> done) = 0;
    virtual void doPublishResponse(const QString &requesterUid, const ClusterMessage &m) = 0;
    // The number of servers of this namespace, this one included, for a request about to
    // start; by default serverCount() at once.
    virtual void fetchServerCount(std::function<void(int count)> done);

    // A message of `type` from this adapter, for this namespace.
    ClusterMessage message(ClusterMessage::Type type, const BroadcastOptions &options = {}) const;
    // Sets uid and nsp, then doPublish(); `done` may be empty.
    void publish(ClusterMessage m, std::function<void(const QString &offset)> done = {});
    void publishResponse(const QString &requesterUid, ClusterMessage m);

private:
    struct Request
    {
        ClusterMessage::Type type;
        int expected = 0; // responses awaited in all
        int current = 0;
        QList<SocketDetails> sockets;
        QVariantList responses;
        std::function<void(const QList<SocketDetails> &)> fetched;
        std::function<void(const QString &, const QVariantList &)> answered;
    };
    struct AckRequest
    {
        std::function<void(int)> clientCount;
        std::function<void(const QVariantList &)> ack;
    };
    void addOffsetIfNecessary(Packet &packet, const BroadcastOptions &options,
                              const QString &offset) const;
    QString startRequest(Request request, int timeoutMs);
    void finish(const QString &requestId, const QString &error);
    void onResponse(const ClusterMessage &message);

    const QString m_uid;
    bool m_recovery = false;
    std::map<QString, Request> m_requests;
    std::map<QString, AckRequest> m_ackRequests;
};

// The servers of one process (ServerOptions::workers). Thread-safe; each server receives its
// messages on its own thread, through its context object.
class ClusterBus
{
public:
    using Deliver = std::function<void(const ClusterMessage &)>;

    // `context` must leave() before it is destroyed.
    int join(QObject *context, Deliver deliver);
    void leave(int node);
    int size() const;
    // To every server but `from`.
    void publish(int from, const ClusterMessage &message) const;
    void sendTo(int node, const ClusterMessage &message) const;

private:
    struct Node
    {
        QObject *context;
        Deliver deliver;
    };
    void post(const Node &node, const ClusterMessage &message) const;

    mutable QMutex m_mutex;
    QMap<int, Node> m_nodes;
    int m_next = 0;
};

// The cluster adapter of a worker server: the bus's node number is its uid.
class WorkerClusterAdapter : public ClusterAdapter
{
    Q_OBJECT
public:
    WorkerClusterAdapter(Namespace *nsp, std::shared_ptr<ClusterBus> bus, int node);

    int serverCount() const override;
    // What a server without the namespace answers, so that nobody waits for it.
    static void answerWithoutNamespace(const ClusterBus &bus, int node,
                                       const ClusterMessage &message);

protected:
    void doPublish(const ClusterMessage &m,
                   std::function<void(const QString &offset)> done) override;
    void doPublishResponse(const QString &requesterUid, const ClusterMessage &m) override;

private:
    std::shared_ptr<ClusterBus> m_bus;
    const int m_node;
};

} // namespace SocketIO
