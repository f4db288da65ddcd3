// What the Redis adapters other than the classic one (streams, sharded) and the RedisEmitter
// need of a RedisCluster: its two connections and how to open more like them; and the base of
// the two ClusterAdapters over Redis.
#pragma once

#include "adapters/clusteradapter_p.h"
#include "redis/redisconnection_p.h"
#include "redisadapter.h"

#include <QtCore/QTimer>

namespace SocketIO {

namespace Redis {
class ClusterClient;
} // namespace Redis

// The connection fields of `options` (host, port, AUTH, TLS).
Redis::ConnectionOptions redisConnectionOptions(const RedisAdapterOptions &options);

class RedisClusterAccess
{
public:
    static Redis::Connection *publisher(RedisCluster *cluster);
    static Redis::Connection *subscriber(RedisCluster *cluster);
    // In cluster mode, the client of the Redis Cluster's masters; null otherwise.
    static Redis::ClusterClient *masters(RedisCluster *cluster);
    // Reports an XADD to `channel` that failed with `error` as the cluster reports a failed
    // PUBLISH or SPUBLISH of its publisher: RedisCluster::publishFailed(), the count, the
    // rate-limited warning.
    static void publishFailed(RedisCluster *cluster, const QByteArray &channel,
                              const QByteArray &error);
};

// A ClusterAdapter over Redis (sharded, streams): the servers of its namespace are the
// subscribers of one channel, counted every second.
class SOCKETIO_TESTABLE RedisClusterAdapter : public ClusterAdapter
{
    Q_OBJECT
public:
    int serverCount() const override { return m_serverCount; }

protected:
    RedisClusterAdapter(Namespace *nsp, const QString &uid);

    // PUBSUB NUMSUB (SHARDNUMSUB when `sharded`) of `channel` on `pub` becomes serverCount(),
    // unless Redis did not answer; `done` (may be empty) gets serverCount() then. Without a
    // connection or a channel yet, at once. With `masters` (a Redis Cluster) instead of `pub`:
    // SHARDNUMSUB on the master owning the channel's slot (the subscribers of a shard channel
    // are all there; Node's adapter sums the counts of every master, the others answering 0),
    // NUMSUB on every master, summed (a classic channel's subscribers are spread over them).
    void countServers(Redis::Connection *pub, const QByteArray &channel, bool sharded,
                      std::function<void(int count)> done, Redis::ClusterClient *masters = nullptr);

private:
    int m_serverCount = 1;
    QTimer m_refresh;
};

} // namespace SocketIO
