// The Redis streams adapter, in the format of Node's @socket.io/redis-streams-adapter 0.3.1
// (INTEROP B.4): the cluster protocol of ClusterAdapter (B.2) over a Redis stream for the
// durable messages (broadcasts, joins, leaves, disconnects) and Pub/Sub for the requests and
// responses; sessions kept in Redis for connection state recovery on any server.
#pragma once

#include "adapters/redisclusteraccess_p.h"
#include "redis/rediscluster_p.h"
#include "redis/redisstreams_p.h"

#include <QtCore/QHash>
#include <QtCore/QPointer>

namespace SocketIO {

class RedisStreamsAdapter;

// One streamsAdapterFactory(): a reader per stream, shared by the adapters of one server's
// namespaces, and the entries routed to them by namespace. A child of the RedisCluster. In
// cluster mode each reader is on the master owning its stream, and moves (going on from the
// last entry it read) when the topology says the stream moved.
class RedisStreamsHub : public QObject
{
    Q_OBJECT
public:
    RedisStreamsHub(RedisCluster *cluster, const RedisStreamsAdapterOptions &options);

    RedisCluster *cluster() const;
    const RedisStreamsAdapterOptions &options() const { return m_options; }
    // The stream of namespace `nsp`: the stream name, or with several streams
    // "<name>-<hashCode(nsp) % streamCount>".
    QByteArray streamFor(const QString &nsp) const;
    // Routes the entries of `nsp` to `adapter`, and reads its stream (once per stream).
    void add(const QString &nsp, RedisStreamsAdapter *adapter);
    void remove(const QString &nsp, RedisStreamsAdapter *adapter);
    // Whether the stream of `nsp` is being read (every entry added since is seen).
    bool isReading(const QString &nsp) const;

private:
    void onEntry(const Redis::StreamEntry &entry);
    // Cluster mode: (re)creates the reader of each stream on the master owning it.
    void placeReaders();
    Redis::StreamReader *newReader(const Redis::ConnectionOptions &connection,
                                   const QByteArray &stream, const QByteArray &startId = {});

    const RedisStreamsAdapterOptions m_options;
    QPointer<Redis::ClusterClient> m_masters;                 // cluster mode only
    QHash<QByteArray, Redis::StreamReader *> m_readers;       // by stream; null: no master yet
    QHash<QString, QPointer<RedisStreamsAdapter>> m_adapters; // by namespace
};

// Java's String.hashCode() over UTF-16 code units, as the reference picks a stream.
SOCKETIO_TESTABLE qint32 javaHashCode(const QString &text);

// A session as the streams adapter keeps it under its key: base64 of MessagePack
// {sid, pid, rooms, data}; nullopt when `raw` is not one or has no sid.
SOCKETIO_TESTABLE std::optional<Session> storedSession(const QByteArray &raw);
// What a session in `rooms` missed in `entry` while restoring it: the broadcast's packet data
// with the entry id appended (the offset), when the entry is a broadcast of namespace `nsp`
// that reaches those rooms; nullopt otherwise.
SOCKETIO_TESTABLE std::optional<QVariantList>
missedPacket(const Redis::StreamEntry &entry, const QByteArray &nsp, const QSet<QString> &rooms);

class SOCKETIO_TESTABLE RedisStreamsAdapter : public RedisClusterAdapter
{
    Q_OBJECT
public:
    RedisStreamsAdapter(Namespace *nsp, RedisStreamsHub *hub);
    ~RedisStreamsAdapter() override;

    QByteArray stream() const { return m_stream; }
    // Subscribed, and the stream read: messages from the other servers arrive.
    bool isReady() const;

    void persistSession(const Session &session) override;
    using ClusterAdapter::restoreSession;
    void restoreSession(const QString &pid, const QString &offset,
                        const std::function<void(const std::optional<Session> &)> &done) override;

    // An entry of this namespace read from the stream.
    void onStreamEntry(const Redis::StreamEntry &entry);

protected:
    void doPublish(const ClusterMessage &m,
                   std::function<void(const QString &offset)> done) override;
    void doPublishResponse(const QString &requesterUid, const ClusterMessage &m) override;
    void fetchServerCount(std::function<void(int count)> done) override;

private:
    struct Restore;
    Redis::Connection *pub() const;
    Redis::Connection *sub() const;
    Redis::ClusterClient *masters() const;
    // Where the stream and session commands go: the publishing connection, or in cluster mode
    // the master owning the key.
    Redis::CommandTarget keys() const;
    void publishEnvelope(const QByteArray &channel, const ClusterMessage &m);
    QList<QPair<QByteArray, QByteArray>> entryFields(const ClusterMessage &m) const;
    void onPubSubMessage(const QByteArray &message);
    void readMissed(std::shared_ptr<Restore> restore);

    // Once the namespace installed the adapter (its path is known then): names, subscriptions,
    // the stream's reader. Every entry point calls it.
    bool start();

    QPointer<RedisStreamsHub> m_hub;
    const RedisStreamsAdapterOptions m_options;
    QString m_nsp;
    QByteArray m_stream;
    QByteArray m_publicChannel;  // <prefix>#<nsp>#
    QByteArray m_privateChannel; // <prefix>#<nsp>#<uid>#
};

} // namespace SocketIO
