// What the Redis adapters other than the classic one (streams, sharded) need of a
// RedisCluster: its two connections and how to open more like them.
#pragma once

#include "redis/redisconnection_p.h"
#include "redisadapter.h"

namespace SocketIO {

class RedisClusterAccess
{
public:
    static Redis::Connection *publisher(RedisCluster *cluster);
    static Redis::Connection *subscriber(RedisCluster *cluster);
    // The options of the cluster's connections (host, port, AUTH), for one more.
    static Redis::ConnectionOptions connectionOptions(const RedisCluster *cluster);
    // Reports a publication (PUBLISH, SPUBLISH, XADD to `channel`) that failed with `error`:
    // RedisCluster::publishFailed(), the count, the rate-limited warning.
    static void publishFailed(RedisCluster *cluster, const QByteArray &channel,
                              const QByteArray &error);
};

} // namespace SocketIO
