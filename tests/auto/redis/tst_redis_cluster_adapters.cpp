// The classic Redis adapter in cluster mode (RedisAdapterOptions::setClusterModeEnabled())
// against a real Redis Cluster of three masters started here, each Qt server seeded with a
// different master: the cases every adapter passes, and serverCount summed over the masters
// (PUBSUB NUMSUB on one node counts only the subscribers connected to it).
#include "clustercases.h"

#include "adapters/redisstreamsadapter_p.h"
#include "redis/rediscluster_p.h"

using namespace SocketIO;

namespace {

QString s(const char *text)
{
    return QString::fromUtf8(text);
}

enum class Kind { Classic, Streams };

} // namespace

class tst_RedisClusterAdapters : public QObject, public ClusterFixture
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanup();
    void classicServerCount();
    void classicBroadcast();
    void classicFetchSockets();
    void classicServerSideEmitWithAck();

private:
    friend struct ClusterCases<tst_RedisClusterAdapters>;
    // Servers on the adapter m_kind in cluster mode, server i seeded with master i % 3.
    bool startCluster(int count, bool recovery = false)
    {
        ServerOptions serverOptions;
        if (recovery)
            serverOptions.connectionStateRecovery = ConnectionStateRecoveryOptions();
        for (int i = 0; i < count; ++i)
            startNode(int(m_nodes.size()) % m_shards.count(), serverOptions);
        return QTest::qWaitFor([this] { return clusterFormed(); }, 10'000);
    }
    ClusterNode &startNode(int seed, const ServerOptions &serverOptions = {})
    {
        RedisAdapterOptions connection;
        connection.setClusterModeEnabled(true);
        const Kind kind = m_kind;
        const RedisStreamsAdapterOptions streams = m_streams;
        return addNode(
            [kind, streams](RedisCluster &cluster) {
                return kind == Kind::Classic ? cluster.adapterFactory()
                                             : cluster.streamsAdapterFactory(streams);
            },
            connection, serverOptions, m_shards.port(seed));
    }
    // Every live node connected (to every master), its adapter ready, counting them all.
    bool clusterFormed() const
    {
        int live = 0;
        for (const ClusterNode &n : m_nodes)
            live += n.server ? 1 : 0;
        return std::all_of(m_nodes.cbegin(), m_nodes.cend(), [live](const ClusterNode &n) {
            if (!n.server)
                return true;
            Adapter *adapter = adapterOf(n);
            auto *streams = qobject_cast<RedisStreamsAdapter *>(adapter);
            return n.redis->isConnected() && (!streams || streams->isReady()) &&
                   adapter->serverCount() == live;
        });
    }
    static Adapter *adapterOf(const ClusterNode &node) { return node.server->sockets()->adapter(); }
    static Redis::ClusterClient *mastersOf(const ClusterNode &node)
    {
        return node.redis->findChild<Redis::ClusterClient *>();
    }
    // `command` on every master, its replies (redis-cli's output) joined.
    QByteArray onEveryMaster(const QStringList &command) const
    {
        QByteArray out;
        for (int i = 0; i < m_shards.count(); ++i)
            out += RedisClusterServers::run(m_shards.port(i), command);
        return out;
    }

    RedisClusterServers m_shards; // ClusterFixture's m_redis stays unused
    Kind m_kind = Kind::Classic;
    RedisStreamsAdapterOptions m_streams;
};

void tst_RedisClusterAdapters::initTestCase()
{
    const QString error = m_shards.start(3);
    QVERIFY2(error.isEmpty(), qPrintable(error));
}

void tst_RedisClusterAdapters::cleanup()
{
    clearCluster();
    m_kind = Kind::Classic;
    m_streams = {};
}

// Two servers seeded with different masters: each master has one subscriber of the request
// channel, so only the sum over the masters counts both (as Node's adapter does).
void tst_RedisClusterAdapters::classicServerCount()
{
    QVERIFY(startCluster(2));
    const QStringList numsub{s("PUBSUB"), s("NUMSUB"), s("socket.io-request#/#")};
    QCOMPARE(RedisClusterServers::run(m_shards.port(0), numsub).split('\n').value(1),
             QByteArray("1"));
    QCOMPARE(RedisClusterServers::run(m_shards.port(1), numsub).split('\n').value(1),
             QByteArray("1"));
    QCOMPARE(adapterOf(m_nodes[0])->serverCount(), 2);
    QCOMPARE(adapterOf(m_nodes[1])->serverCount(), 2);
    QCOMPARE(mastersOf(m_nodes[0])->masters().size(), 3);
    m_nodes.pop_back();
    QTRY_COMPARE(adapterOf(m_nodes[0])->serverCount(), 1);
}

void tst_RedisClusterAdapters::classicBroadcast()
{
    ClusterCases<tst_RedisClusterAdapters>::broadcast(*this);
}

void tst_RedisClusterAdapters::classicFetchSockets()
{
    ClusterCases<tst_RedisClusterAdapters>::fetchSockets(*this);
}

void tst_RedisClusterAdapters::classicServerSideEmitWithAck()
{
    ClusterCases<tst_RedisClusterAdapters>::serverSideEmitWithAck(*this);
}

QTEST_GUILESS_MAIN(tst_RedisClusterAdapters)
#include "tst_redis_cluster_adapters.moc"
