// A mixed cluster on the sharded adapter: our Server with RedisCluster::shardedAdapterFactory()
// and Node's socket.io 4.8 with createShardedAdapter() of @socket.io/redis-adapter 8.3
// (node/redis-peer.mjs --adapter sharded), both in the dynamic subscription mode, on a real
// redis-server. Each side's broadcasts reach the other side's client (binary included, one
// room through the room's channel), fetchSockets() sees the other side's socket with its rooms
// and data, serverSideEmit() with an ack, broadcasts with client acks, remote join, leave and
// disconnect work both ways.
#include "mixedcluster.h"

using namespace SocketIO;

namespace {

QString s(const char *text)
{
    return QString::fromUtf8(text);
}

} // namespace

class tst_RedisShardedInterop : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();
    void qtBroadcastReachesNodeClient();
    void nodeBroadcastReachesQtClient();
    void fetchSocketsBothWays();
    void serverSideEmitWithAckBothWays();
    void broadcastWithClientAcksBothWays();
    void remoteJoinAndLeaveBothWays();
    void remoteDisconnectBothWays(); // last: both clients are gone after it

private:
    MixedCluster m_cluster;
};

void tst_RedisShardedInterop::initTestCase()
{
    RedisAdapterOptions options;
#ifdef SHARDED_ON_REDIS_CLUSTER
    // A Redis Cluster of three masters; Node's side on node-redis's createCluster().
    options.setClusterModeEnabled(true);
#endif
    const QString error =
        m_cluster.start([](RedisCluster &cluster) { return cluster.shardedAdapterFactory(); },
                        {s("--adapter"), s("sharded")}, options);
    QVERIFY2(error.isEmpty(), qPrintable(error));
}

void tst_RedisShardedInterop::cleanupTestCase()
{
    m_cluster.stop();
}

void tst_RedisShardedInterop::qtBroadcastReachesNodeClient()
{
    Server *server = m_cluster.server.get();
    server->to(s("elsewhere")).emitEvent(s("not-for-node"), {0});
    // Binary: a MessagePack envelope.
    server->emitEvent(s("from-qt"),
                      {1, s("two"), QByteArray("\x01\x02", 2), QVariantMap{{s("k"), 1.5}}});
    const QJsonObject all = m_cluster.awaitEvent(s("received"), s("from-qt"));
    QVERIFY2(!all.isEmpty(), qPrintable(m_cluster.node->log()));
    QCOMPARE(
        all.value(s("args")).toArray(),
        (QJsonArray{1, s("two"), QJsonObject{{s("$bin"), s("0102")}}, QJsonObject{{s("k"), 1.5}}}));
    // One room: on socket.io#/#node-room#, which the Node server subscribed to.
    server->to(s("node-room")).except(s("qt-room")).emitEvent(s("room-qt"), {s("r")});
    const QJsonObject room = m_cluster.awaitEvent(s("received"), s("room-qt"));
    QVERIFY2(!room.isEmpty(), qPrintable(m_cluster.node->log()));
    QCOMPARE(room.value(s("args")).toArray(), QJsonArray{s("r")});
    for (const QJsonObject &e : m_cluster.node->events())
        QVERIFY(e.value(s("name")).toString() != u"not-for-node");
    QTRY_COMPARE(m_cluster.received.value(s("from-qt")).size(), 4);
}

void tst_RedisShardedInterop::nodeBroadcastReachesQtClient()
{
    m_cluster.command({{s("cmd"), s("emit")},
                       {s("event"), s("from-node")},
                       {s("args"), QJsonArray{1, s("x"), QJsonObject{{s("$bin"), s("0a0b")}}}}});
    QTRY_COMPARE(m_cluster.received.value(s("from-node")),
                 (QVariantList{1, s("x"), QByteArray("\x0a\x0b", 2)}));
    // On socket.io#/#qt-room#, which our server subscribed to.
    m_cluster.command({{s("cmd"), s("emit")},
                       {s("event"), s("to-qt-room")},
                       {s("args"), QJsonArray{true}},
                       {s("rooms"), QJsonArray{s("qt-room")}}});
    QTRY_COMPARE(m_cluster.received.value(s("to-qt-room")), QVariantList{true});
}

void tst_RedisShardedInterop::fetchSocketsBothWays()
{
    m_cluster.fetchSocketsBothWays();
}

void tst_RedisShardedInterop::serverSideEmitWithAckBothWays()
{
    m_cluster.serverSideEmitWithAckBothWays();
}

void tst_RedisShardedInterop::broadcastWithClientAcksBothWays()
{
    m_cluster.broadcastWithClientAcksBothWays();
}

void tst_RedisShardedInterop::remoteJoinAndLeaveBothWays()
{
    m_cluster.remoteJoinAndLeaveBothWays();
}

void tst_RedisShardedInterop::remoteDisconnectBothWays()
{
    m_cluster.remoteDisconnectBothWays();
}

QTEST_GUILESS_MAIN(tst_RedisShardedInterop)
#include "tst_redis_sharded_interop.moc"
