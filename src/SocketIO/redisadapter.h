#pragma once

#include "adapter.h"
#include "socketio_export.h"

#include <QtCore/QObject>
#include <QtCore/QSharedDataPointer>
#include <QtCore/QString>
#include <QtNetwork/QSslConfiguration>

#include <functional>
#include <memory>

namespace SocketIO {

class Namespace;

// Where the servers of a cluster meet in Redis, and the options of Node's
// @socket.io/redis-adapter 8.3 (createAdapter(pub, sub, opts)), with its defaults.
class RedisAdapterOptionsExtension;

struct SOCKETIO_EXPORT RedisAdapterOptions
{
    RedisAdapterOptions();
    RedisAdapterOptions(const RedisAdapterOptions &other);
    RedisAdapterOptions(RedisAdapterOptions &&other) noexcept;
    RedisAdapterOptions &operator=(const RedisAdapterOptions &other);
    RedisAdapterOptions &operator=(RedisAdapterOptions &&other) noexcept;
    ~RedisAdapterOptions();

    QString host = QStringLiteral("127.0.0.1");
    quint16 port = 6379;
    QString username;
    QString password;
    QString key = QStringLiteral("socket.io");
    int requestsTimeout = 5000;
    bool publishOnSpecificResponseChannel = false;

    // TLS to Redis (through QSslSocket), off by default. The configuration holds the CA
    // certificates to trust and, for Redis's tls-auth-clients, the client certificate and key.
    bool isTlsEnabled() const;
    void setTlsEnabled(bool enabled);
    QSslConfiguration sslConfiguration() const;
    void setSslConfiguration(const QSslConfiguration &configuration);

    // Redis Cluster, off by default: host and port name a seed node, from which the adapters
    // learn the masters and send each key or shard channel to the one owning its slot.
    bool isClusterModeEnabled() const;
    void setClusterModeEnabled(bool enabled);

private:
    // Reserved: fields added after 1.0 live here, behind accessor functions, so that the
    // layout above stays fixed. Null (no allocation) until such a field is set.
    QSharedDataPointer<RedisAdapterOptionsExtension> m_extension;
};

// The options of Node's @socket.io/redis-streams-adapter 0.3 (createAdapter(client, opts)),
// with its defaults, for RedisCluster::streamsAdapterFactory().
class RedisStreamsAdapterOptionsExtension;

struct SOCKETIO_EXPORT RedisStreamsAdapterOptions
{
    RedisStreamsAdapterOptions();
    RedisStreamsAdapterOptions(const RedisStreamsAdapterOptions &other);
    RedisStreamsAdapterOptions(RedisStreamsAdapterOptions &&other) noexcept;
    RedisStreamsAdapterOptions &operator=(const RedisStreamsAdapterOptions &other);
    RedisStreamsAdapterOptions &operator=(RedisStreamsAdapterOptions &&other) noexcept;
    ~RedisStreamsAdapterOptions();

    QString streamName = QStringLiteral("socket.io");
    int streamCount = 1;
    QString channelPrefix = QStringLiteral("socket.io");
    bool useShardedPubSub = false;
    int maxLen = 10000;
    int readCount = 100;
    int blockTimeInMs = 5000;
    QString sessionKeyPrefix = QStringLiteral("sio:session:");
    bool onlyPlaintext = false;

private:
    // Reserved, as in RedisAdapterOptions.
    QSharedDataPointer<RedisStreamsAdapterOptionsExtension> m_extension;
};

// The options of Node's createShardedAdapter() (@socket.io/redis-adapter 8.3, Redis 7 sharded
// Pub/Sub), with its defaults.
class RedisShardedAdapterOptionsExtension;

struct SOCKETIO_EXPORT RedisShardedAdapterOptions
{
    // Which channels a server subscribes to besides socket.io#<nsp># and its own.
    enum class SubscriptionMode {
        Dynamic,        // one per room created here, socket ids excepted
        DynamicPrivate, // one per room created here, socket ids included
        Static,         // none
    };

    RedisShardedAdapterOptions();
    RedisShardedAdapterOptions(const RedisShardedAdapterOptions &other);
    RedisShardedAdapterOptions(RedisShardedAdapterOptions &&other) noexcept;
    RedisShardedAdapterOptions &operator=(const RedisShardedAdapterOptions &other);
    RedisShardedAdapterOptions &operator=(RedisShardedAdapterOptions &&other) noexcept;
    ~RedisShardedAdapterOptions();

    QString channelPrefix = QStringLiteral("socket.io");
    SubscriptionMode subscriptionMode = SubscriptionMode::Dynamic;

private:
    // Reserved: fields added after 1.0 live here, behind accessor functions, so that the
    // layout above stays fixed. Null (no allocation) until such a field is set.
    QSharedDataPointer<RedisShardedAdapterOptionsExtension> m_extension;
};

class RedisClusterPrivate;

// One server's two Redis connections (publish, subscribe), shared by the RedisAdapters of its
// namespaces. Give each Server its own: Redis counts servers by subscribed connections.
class SOCKETIO_EXPORT RedisCluster : public QObject
{
    Q_OBJECT
    Q_PROPERTY(bool connected READ isConnected NOTIFY connectedChanged)
    Q_PROPERTY(int outageCount READ outageCount NOTIFY connectedChanged)
    Q_PROPERTY(qint64 failedPublishCount READ failedPublishCount NOTIFY publishFailed)
public:
    explicit RedisCluster(const RedisAdapterOptions &options = {}, QObject *parent = nullptr);
    ~RedisCluster() override;
    Q_DISABLE_COPY_MOVE(RedisCluster)

    RedisAdapterOptions options() const;
    // For ServerOptions::adapter. The cluster must outlive the servers that use it.
    std::function<Adapter *(Namespace *)> adapterFactory();
    // The same with the streams adapter (@socket.io/redis-streams-adapter 0.3): broadcasts
    // through a Redis stream, connection state recovery across servers.
    std::function<Adapter *(Namespace *)>
    streamsAdapterFactory(const RedisStreamsAdapterOptions &options = {});
    // The sharded adapter (Redis 7 SPUBLISH/SSUBSCRIBE), as Node's createShardedAdapter().
    std::function<Adapter *(Namespace *)>
    shardedAdapterFactory(const RedisShardedAdapterOptions &options = {});

    bool isConnected() const;
    int outageCount() const;
    qint64 failedPublishCount() const;

Q_SIGNALS:
    void connectedChanged(bool connected);
    void errorOccurred(const QString &message);
    void publishFailed(const QString &channel);

private:
    friend class RedisAdapter;
    friend class RedisAdapterPrivate;
    friend class RedisClusterAccess;
    Q_DECLARE_PRIVATE(RedisCluster)
    std::unique_ptr<RedisClusterPrivate> const d_ptr;
};

class RedisAdapterPrivate;

// The classic Redis adapter, in the wire format of @socket.io/redis-adapter 8.3: broadcasts
// over Pub/Sub (MessagePack), requests and responses (JSON, MessagePack for acknowledged
// broadcasts). Servers in C++ and in Node can share one cluster.
class SOCKETIO_EXPORT RedisAdapter : public Adapter
{
    Q_OBJECT
public:
    RedisAdapter(Namespace *nsp, RedisCluster *cluster);
    ~RedisAdapter() override;

    QString uid() const;

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

private:
    void refreshServerCount(std::function<void(int count)> done);
    void settleClientCounts(const QString &requestId);
    void startTimeout(const QString &requestId, const QString &what);
    void finish(const QString &requestId, const QString &error);
    void publishRequest(int type, const BroadcastOptions &options, const QVariantMap &extra);
    void onBroadcastMessage(const QByteArray &channel, const QByteArray &message);
    void onRequest(const QByteArray &message);
    void onResponse(const QByteArray &message);

    Q_DECLARE_PRIVATE(RedisAdapter)
    std::unique_ptr<RedisAdapterPrivate> const d_ptr;
};

} // namespace SocketIO
