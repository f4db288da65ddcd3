// What the Redis fuzz targets (fuzz_redis, fuzz_cluster) share: a cluster member that never
// reaches Redis, into whose subscribing connection a target pushes what Redis would send, and
// the start-up of a target.
#pragma once

#include "redis/redisconnection_p.h"

#include "fuzzcheck.h"

#include <SocketIO/Namespace>
#include <SocketIO/RedisAdapter>
#include <SocketIO/Server>

#include <QtCore/QCoreApplication>
#include <QtCore/QLoggingCategory>

#include <memory>

namespace Fuzz {

struct RedisMember
{
    std::unique_ptr<SocketIO::RedisCluster> redis;
    std::unique_ptr<SocketIO::Server> server;
    SocketIO::Redis::Connection *subscriber = nullptr;
};

// A server whose namespaces use the adapter `factory` makes of its own RedisCluster, which never
// connects, and that cluster's subscribing connection: the second of its own two (a streams
// hub's readers come after them).
template<typename Factory> void joinCluster(RedisMember &m, Factory factory)
{
    SocketIO::RedisAdapterOptions options;
    options.port = 1; // nothing there: the connections stay down, retrying now and then
    m.redis = std::make_unique<SocketIO::RedisCluster>(options);
    SocketIO::ServerOptions serverOptions;
    serverOptions.adapter = factory(*m.redis);
    m.server = std::make_unique<SocketIO::Server>(serverOptions);
    QCoreApplication::processEvents(); // the adapter subscribes once its namespace is set
    const auto connections =
        m.redis->findChildren<SocketIO::Redis::Connection *>(Qt::FindDirectChildrenOnly);
    FUZZ_CHECK(connections.size() == 2);
    m.subscriber = connections.at(1);
}

// For LLVMFuzzerInitialize(): the application, the library's logging off.
inline void startApplication(int *argc, char ***argv)
{
    static QCoreApplication app(*argc, *argv);
    QLoggingCategory::setFilterRules(QStringLiteral("socketio.*=false"));
}

} // namespace Fuzz
