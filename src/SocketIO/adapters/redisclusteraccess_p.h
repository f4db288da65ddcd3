// What the Redis adapters other than the classic one (streams, sharded) and the RedisEmitter
// need of a RedisCluster: its two connections and how to open more like them.
#pragma once

#include "redis/redisconnection_p.h"
#include "redisadapter.h"

namespace SocketIO {

// The connection fields of `options` (host, port, AUTH, TLS).
Redis::ConnectionOptions redisConnectionOptions(const RedisAdapterOptions &options);

class RedisClusterAccess
{
public:
    static Redis::Connection *publisher(RedisCluster *cluster);
    static Redis::Connection *subscriber(RedisCluster *cluster);
    // Reports an XADD to `channel` that failed with `error` as the cluster reports a failed
    // PUBLISH or SPUBLISH of its publisher: RedisCluster::publishFailed(), the count, the
    // rate-limited warning.
    static void publishFailed(RedisCluster *cluster, const QByteArray &channel,
                              const QByteArray &error);
};

} // namespace SocketIO
