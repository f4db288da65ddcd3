// Servers on several threads of one process, joined the way Node's cluster adapter joins
// processes: each namespace's adapter does its local part and tells the other servers over
// an in-process bus. Used by ServerOptions::workers.
#pragma once

#include "adapter.h"
#include "core/ackregistry_p.h"

#include <QtCore/QHash>
#include <QtCore/QMap>
#include <QtCore/QMutex>

#include <functional>
#include <memory>

namespace SocketIO {

struct ClusterMessage
{
    enum class Type {
        Broadcast,
        BroadcastWithAck,
        BroadcastClientCount, // response: how many sockets a server asked
        BroadcastAck,         // response: one socket's answer
        SocketsJoin,
        SocketsLeave,
        DisconnectSockets,
        FetchSockets,
        FetchSocketsResponse,
        ServerSideEmit,
        ServerSideEmitResponse,
    };
    Type type = Type::Broadcast;
    QString nsp;
    int from = -1;
    qint64 request = -1; // -1 when no answer is expected
    Packet packet;
    BroadcastOptions options;
    QStringList rooms;
    bool close = false;
    int count = 0;
    QVariantList args;
    QList<SocketDetails> sockets;
};

// The servers of one process. Thread-safe; each server receives its messages on its own
// thread, through its context object.
class ClusterBus
{
public:
    using Deliver = std::function<void(const ClusterMessage &)>;

    // `context` must leave() before it is destroyed.
    int join(QObject *context, Deliver deliver);
    void leave(int node);
    int size() const;
    // To every other server.
    void publish(const ClusterMessage &message) const;
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

class ClusterAdapter : public Adapter
{
    Q_OBJECT
public:
    ClusterAdapter(Namespace *nsp, std::shared_ptr<ClusterBus> bus, int node);
    ~ClusterAdapter() override;

    void broadcast(const Packet &packet, const BroadcastOptions &options) override;
    void broadcastWithAck(const Packet &packet, const BroadcastOptions &options,
                          const std::function<void(int clientCount)> &clientCountCallback,
                          const std::function<void(const QVariantList &response)> &ack) override;
    int serverCount() const override;
    void fetchSockets(const BroadcastOptions &options,
                      const std::function<void(const QList<SocketDetails> &)> &done) override;
    void addSockets(const BroadcastOptions &options, const QStringList &rooms) override;
    void delSockets(const BroadcastOptions &options, const QStringList &rooms) override;
    void disconnectSockets(const BroadcastOptions &options, bool close) override;
    void serverSideEmit(const QVariantList &args,
                        const std::function<void(const QString &error,
                                                 const QVariantList &responses)> &ack) override;

    // A message from another server for this namespace.
    void onMessage(const ClusterMessage &message);
    // What a server without the namespace answers, so that nobody waits for it.
    static void answerWithoutNamespace(const ClusterBus &bus, int node,
                                       const ClusterMessage &message);

private:
    struct Request
    {
        int expected = 0; // responses still awaited (fetchSockets, serverSideEmit)
        QList<SocketDetails> sockets;
        QVariantList responses;
        std::function<void(const QList<SocketDetails> &)> fetched;
        std::function<void(const QString &, const QVariantList &)> answered;
        std::function<void(int)> clientCount;
        std::function<void(const QVariantList &)> ack;
    };
    ClusterMessage message(ClusterMessage::Type type, const BroadcastOptions &options = {}) const;
    void publishUnlessLocal(const ClusterMessage &message) const;
    qint64 startRequest(std::unique_ptr<Request> request, int timeoutMs);
    void finish(qint64 id, const QString &error);

    std::shared_ptr<ClusterBus> m_bus;
    const int m_node;
    std::map<qint64, std::unique_ptr<Request>> m_requests;
    AckRegistry m_waiting; // the requests' ids and timeouts
};

} // namespace SocketIO
