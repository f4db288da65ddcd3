// The classic and streams Redis adapters in cluster mode
// (RedisAdapterOptions::setClusterModeEnabled()) against a real Redis Cluster of three masters
// started here, each Qt server seeded with a different master: the cases every adapter
// passes, serverCount summed over the masters (PUBSUB NUMSUB on one node counts only the
// subscribers connected to it), and for the streams adapter XADD, XREAD and the session keys
// on the masters owning them, with streams on different masters, connection state recovery
// on another node, and the stream's slot moved to another master while in use.
#include "clustercases.h"

#include "adapters/redisstreamsadapter_p.h"
#include "redis/rediscluster_p.h"

using namespace SocketIO;

namespace {

QString s(const char *text)
{
    return QString::fromUtf8(text);
}

quint16 portOf(const QString &master)
{
    return quint16(master.section(u':', -1).toUInt());
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
    void streamsBroadcast();
    void streamsRoomsAndExcept();
    void streamsFetchSockets();
    void streamsServerSideEmitWithAck();
    void streamsShardedPubSub();
    void streamsOnSeveralMasters();
    void streamsRecoveryOnAnotherNode();
    void streamMoved(); // last: it changes the cluster's layout

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

void tst_RedisClusterAdapters::streamsBroadcast()
{
    m_kind = Kind::Streams;
    ClusterCases<tst_RedisClusterAdapters>::broadcast(*this);
}

void tst_RedisClusterAdapters::streamsRoomsAndExcept()
{
    m_kind = Kind::Streams;
    ClusterCases<tst_RedisClusterAdapters>::roomsAndExcept(*this);
}

void tst_RedisClusterAdapters::streamsFetchSockets()
{
    m_kind = Kind::Streams;
    ClusterCases<tst_RedisClusterAdapters>::fetchSockets(*this);
}

void tst_RedisClusterAdapters::streamsServerSideEmitWithAck()
{
    m_kind = Kind::Streams;
    ClusterCases<tst_RedisClusterAdapters>::serverSideEmitWithAck(*this);
}

// useShardedPubSub: the requests and answers go to the masters owning their shard channels,
// and the servers are counted there (SHARDNUMSUB).
void tst_RedisClusterAdapters::streamsShardedPubSub()
{
    m_kind = Kind::Streams;
    m_streams.useShardedPubSub = true;
    ClusterCases<tst_RedisClusterAdapters>::serverSideEmitWithAck(*this);
    const QString owner = mastersOf(m_nodes[0])->masterFor("socket.io#/#");
    QCOMPARE(
        RedisClusterServers::run(portOf(owner), {s("PUBSUB"), s("SHARDNUMSUB"), s("socket.io#/#")})
            .split('\n')
            .value(1),
        QByteArray("3"));
}

// Three streams: namespaces whose streams belong to two different masters, each stream written
// (XADD) on its owner and read there by the other server.
void tst_RedisClusterAdapters::streamsOnSeveralMasters()
{
    m_kind = Kind::Streams;
    m_streams.streamCount = 3;
    QVERIFY(startCluster(2));
    Redis::ClusterClient *masters = mastersOf(m_nodes[0]);
    auto streamOf = [](const QString &nsp) {
        return "socket.io-" + QByteArray::number(javaHashCode(nsp) % 3);
    };
    QHash<QString, QString> nspOf; // master -> a namespace whose stream it owns
    for (int i = 0; nspOf.size() < 2 && i < 100; ++i) {
        const QString nsp = s("/n") + QString::number(i);
        const QString owner = masters->masterFor(streamOf(nsp));
        QCOMPARE(Redis::keySlot(streamOf(nsp)),
                 RedisClusterServers::run(m_shards.port(0), {s("CLUSTER"), s("KEYSLOT"),
                                                             QString::fromUtf8(streamOf(nsp))})
                     .trimmed()
                     .toInt());
        if (!nspOf.contains(owner))
            nspOf.insert(owner, nsp);
    }
    QCOMPARE(nspOf.size(), 2);
    const QStringList nsps = nspOf.values();
    for (const QString &nsp : nsps) {
        for (const ClusterNode &node : m_nodes)
            node.server->of(nsp);
    }
    QTRY_VERIFY_WITH_TIMEOUT(
        std::all_of(
            nsps.cbegin(), nsps.cend(),
            [this](const QString &nsp) {
                return std::all_of(m_nodes.cbegin(), m_nodes.cend(), [&nsp](const ClusterNode &n) {
                    auto *a = qobject_cast<RedisStreamsAdapter *>(n.server->of(nsp)->adapter());
                    return a && a->isReady() && a->serverCount() == 2;
                });
            }),
        10'000);
    QList<ClientSocket *> clients;
    for (const QString &nsp : nsps)
        clients.append(client(1, {}, nsp));
    QTRY_VERIFY(clients[0]->isConnected() && clients[1]->isConnected());
    for (auto it = nspOf.cbegin(); it != nspOf.cend(); ++it) {
        const QByteArray stream = streamOf(it.value());
        const QStringList xlen{s("XLEN"), QString::fromUtf8(stream)};
        const int before = RedisClusterServers::run(portOf(it.key()), xlen).trimmed().toInt();
        m_nodes[0].server->of(it.value())->emitEvent(s("hello"), {it.value()});
        const int index = int(nsps.indexOf(it.value()));
        QTRY_COMPARE(m_received.value(QString::number(index) + s("#hello")),
                     QVariantList{it.value()});
        // Written on the stream's owner; the other masters refuse the key.
        QVERIFY(RedisClusterServers::run(portOf(it.key()), xlen).trimmed().toInt() > before);
        for (int i = 0; i < m_shards.count(); ++i) {
            if (m_shards.port(i) != portOf(it.key()))
                QVERIFY(RedisClusterServers::run(m_shards.port(i), xlen).startsWith("MOVED"));
        }
    }
}

// As tst_redis_streams: a session saved by one server (on the master owning its key) is
// restored by another, with what it missed read from the stream on its master.
void tst_RedisClusterAdapters::streamsRecoveryOnAnotherNode()
{
    m_kind = Kind::Streams;
    ClusterCases<tst_RedisClusterAdapters>::recoveryOnAnotherNode(*this, [this] {
        return int(onEveryMaster({s("KEYS"), s("sio:session:*")}).count("sio:session:"));
    });
}

// The stream's slot moves, with the stream, to another master while in use: the readers are
// refused (MOVED), read the topology again and go on on the new owner from the last entry they
// read; the next XADD follows its MOVED.
void tst_RedisClusterAdapters::streamMoved()
{
    m_kind = Kind::Streams;
    m_streams.blockTimeInMs = 1000; // bounds the wait should Redis leave the XREAD blocked
    QVERIFY(startCluster(2));
    ClientSocket *b = client(1);
    QTRY_VERIFY(b->isConnected());
    m_nodes[0].server->emitEvent(s("before"), {1});
    QTRY_COMPARE(m_received.value(s("0#before")), QVariantList{1});
    const QByteArray stream("socket.io");
    const quint16 from = portOf(mastersOf(m_nodes[0])->masterFor(stream));
    const quint16 to = m_shards.port(0) == from ? m_shards.port(1) : m_shards.port(0);
    QVERIFY(m_shards.moveSlot(Redis::keySlot(stream), from, to));
    // The stream went along.
    QVERIFY(RedisClusterServers::run(to, {s("XLEN"), s("socket.io")}).trimmed().toInt() > 0);

    m_nodes[0].server->emitEvent(s("after"), {2});
    QTRY_COMPARE_WITH_TIMEOUT(m_received.value(s("0#after")), QVariantList{2}, 10'000);
    QCOMPARE(portOf(mastersOf(m_nodes[0])->masterFor(stream)), to);
    QTRY_COMPARE(portOf(mastersOf(m_nodes[1])->masterFor(stream)), to);
    m_nodes[1].server->emitEvent(s("back"), {3});
    QTRY_COMPARE(m_received.value(s("0#back")), QVariantList{3});
}

QTEST_GUILESS_MAIN(tst_RedisClusterAdapters)
#include "tst_redis_cluster_adapters.moc"
