// The sharded Redis adapter of @socket.io/redis-adapter 8.3 (createShardedAdapter, INTEROP
// B.3): the cluster protocol of ClusterAdapter over Redis 7 sharded Pub/Sub.
#pragma once

#include "adapters/redisclusteraccess_p.h"

#include <QtCore/QPointer>
#include <QtCore/QSet>

namespace SocketIO {

class SOCKETIO_TESTABLE RedisShardedAdapter : public RedisClusterAdapter
{
    Q_OBJECT
public:
    // `pub` publishes and counts, `sub` subscribes; both belong to a RedisCluster, which
    // reports the messages that could not be published (Connection::publishFailed(),
    // ClusterClient::publishFailed()). With `shards` (a Redis Cluster), every channel goes to
    // the master owning its slot there instead.
    RedisShardedAdapter(Namespace *nsp, Redis::Connection *pub, Redis::Connection *sub,
                        const RedisShardedAdapterOptions &options,
                        Redis::ClusterClient *shards = nullptr);
    ~RedisShardedAdapter() override;

    // socket.io#<nsp>#, empty until the namespace installed the adapter.
    QByteArray channel() const { return m_channel; }
    // The channel a broadcast of `m` goes to (B.3's computeChannel()).
    QByteArray channelFor(const ClusterMessage &m) const;
    // JSON, or MessagePack when the data of a type that may carry binary has some.
    static QByteArray encode(const ClusterMessage &m);

protected:
    void doPublish(const ClusterMessage &m,
                   std::function<void(const QString &offset)> done) override;
    void doPublishResponse(const QString &requesterUid, const ClusterMessage &m) override;
    void fetchServerCount(std::function<void(int count)> done) override;

private:
    void start();
    void subscribeRoom(const QString &room);
    void onRaw(const QByteArray &message);
    bool separateChannel(const QString &room) const;
    QByteArray roomChannel(const QString &room) const;
    void send(const QByteArray &channel, const QByteArray &payload);
    void ssubscribe(const QByteArray &channel);
    void sunsubscribe(const QByteArray &channel);

    QPointer<Redis::Connection> m_pub;
    QPointer<Redis::Connection> m_sub;
    QPointer<Redis::ClusterClient> m_shards;
    const RedisShardedAdapterOptions m_options;
    QByteArray m_channel;
    QByteArray m_responseChannel;
    QSet<QString> m_roomChannels; // rooms with a channel subscribed
};

} // namespace SocketIO
