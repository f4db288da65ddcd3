// The Redis streams adapter between Servers in this process, each with its own RedisCluster,
// against a real redis-server started here: the stream and key commands underneath, the
// stream names, broadcasts with rooms, except and binary, fetchSockets, socketsJoin/Leave,
// disconnectSockets, serverSideEmit with acks, broadcasts with client acks and their timeout,
// what goes into the stream and over Pub/Sub, and connection state recovery on another node.
#include "clustercases.h"

#include "adapters/redisstreamsadapter_p.h"
#include "parser/json_p.h"
#include "parser/msgpack_p.h"
#include "redis/redisstreams_p.h"

#include <QtCore/QRegularExpression>

using namespace SocketIO;

namespace {

QString s(const char *text)
{
    return QString::fromUtf8(text);
}

} // namespace

class tst_RedisStreams : public QObject, public ClusterFixture
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanup();
    void streamCommands();
    void streamReader();
    void streamNames();
    void broadcast();
    void roomsAndExcept();
    void fetchSockets();
    void socketsJoinAndLeave();
    void disconnectSockets();
    void serverSideEmitWithAck();
    void broadcastWithClientAcks();
    void wireFormat();
    void shardedPubSub();
    void recoveryOnAnotherNode();
    void recoveryRefused();

private:
    friend struct ClusterCases<tst_RedisStreams>;
    ClusterNode &startNode(bool recovery = false, const RedisStreamsAdapterOptions &streams = {})
    {
        ServerOptions serverOptions;
        if (recovery)
            serverOptions.connectionStateRecovery = ConnectionStateRecoveryOptions();
        return addNode(
            [&streams](RedisCluster &cluster) { return cluster.streamsAdapterFactory(streams); },
            {}, serverOptions);
    }
    // Starts `count` nodes; true once each adapter reads the stream and counts them all.
    bool startCluster(int count, bool recovery = false,
                      const RedisStreamsAdapterOptions &streams = {})
    {
        for (int i = 0; i < count; ++i)
            startNode(recovery, streams);
        return QTest::qWaitFor([this] { return clusterFormed(); }, 10'000);
    }
    static RedisStreamsAdapter *adapterOf(const ClusterNode &node)
    {
        return qobject_cast<RedisStreamsAdapter *>(node.server->sockets()->adapter());
    }
    bool clusterFormed() const
    {
        int live = 0;
        for (const ClusterNode &n : m_nodes)
            live += n.server ? 1 : 0;
        for (const ClusterNode &n : m_nodes) {
            if (!n.server)
                continue;
            RedisStreamsAdapter *adapter = adapterOf(n);
            if (!adapter || !adapter->isReady() || adapter->serverCount() != live)
                return false;
        }
        return true;
    }
    Redis::Reply command(const QList<QByteArray> &args);

    std::unique_ptr<Redis::Connection> m_raw; // for the test's own commands
};

void tst_RedisStreams::initTestCase()
{
    const QString error = m_redis.start();
    QVERIFY2(error.isEmpty(), qPrintable(error));
    m_raw = std::make_unique<Redis::Connection>(rawOptions());
    QVERIFY(open(*m_raw));
}

void tst_RedisStreams::cleanup()
{
    clearCluster();
    command({"FLUSHALL"});
}

Redis::Reply tst_RedisStreams::command(const QList<QByteArray> &args)
{
    std::optional<Redis::Reply> reply;
    m_raw->command(args, [&reply](const Redis::Reply &r) { reply = r; });
    if (!QTest::qWaitFor([&reply] { return reply.has_value(); }, 5000))
        return Redis::Reply::error("no reply");
    return *reply;
}

// The commands under the adapter, against Redis itself.
void tst_RedisStreams::streamCommands()
{
    QVERIFY(Redis::isStreamId("1795303210937-0"));
    QVERIFY(!Redis::isStreamId("1795303210937"));
    QVERIFY(!Redis::isStreamId("-1"));
    QVERIFY(!Redis::isStreamId("12-3x"));
    QCOMPARE(Redis::nextStreamId("1795303211396-0"), QByteArray("1795303211396-1"));
    QCOMPARE(Redis::nextStreamId("5-18446744073709551615"), QByteArray("6-0"));

    QByteArray first;
    QByteArray second;
    Redis::xadd(m_raw.get(), "s", 2, {{"a", "1"}},
                [&first](const QByteArray &id, const QByteArray &) { first = id; });
    Redis::xadd(m_raw.get(), "s", 2, {{"a", "2"}, {"b", "x y"}},
                [&second](const QByteArray &id, const QByteArray &) { second = id; });
    QTRY_VERIFY(!second.isEmpty());
    QVERIFY(Redis::isStreamId(first));
    QList<Redis::StreamEntry> entries;
    bool answered = false;
    Redis::xrange(m_raw.get(), "s", Redis::nextStreamId(first), "+", 0,
                  [&](const QList<Redis::StreamEntry> &e, const QByteArray &error) {
                      QVERIFY(error.isEmpty());
                      entries = e;
                      answered = true;
                  });
    QTRY_VERIFY(answered);
    QCOMPARE(entries.size(), 1);
    QCOMPARE(entries.first().id, second);
    QCOMPARE(entries.first().field("b"), QByteArray("x y"));
    QVERIFY(entries.first().field("c").isNull());
    // MAXLEN ~ trims whole nodes only: a small stream keeps its entries.
    QCOMPARE(command({"XLEN", "s"}).integer, 2);
    QByteArray error = "unset";
    Redis::xadd(m_raw.get(), "k", 10, {{"a", "1"}}, [](const QByteArray &, const QByteArray &) {});
    Redis::setPx(m_raw.get(), "k", "v", 60000, [&error](const QByteArray &e) { error = e; });
    QTRY_VERIFY(error != "unset");
    QVERIFY(error.isEmpty()); // SET replaces whatever the key was
    const qint64 ttl = command({"PTTL", "k"}).integer;
    QVERIFY(ttl > 50000 && ttl <= 60000);

    // The value once, then nothing: the key is gone.
    auto getDel = [this](std::optional<QByteArray> *value) {
        bool answered = false;
        Redis::getDel(m_raw.get(), "k",
                      [&](const std::optional<QByteArray> &v, const QByteArray &e) {
                          answered = e.isEmpty();
                          *value = v;
                      });
        return QTest::qWaitFor([&answered] { return answered; }, 5000);
    };
    std::optional<QByteArray> value;
    QVERIFY(getDel(&value));
    QCOMPARE(value, std::optional<QByteArray>("v"));
    QCOMPARE(command({"EXISTS", "k"}).integer, 0);
    QVERIFY(getDel(&value));
    QVERIFY(!value);
}

// The XREAD loop: starts after what the stream held, reads in order, survives block timeouts.
void tst_RedisStreams::streamReader()
{
    QCOMPARE(command({"XADD", "r", "*", "n", "old"}).type, Redis::Reply::Type::String);
    QList<QByteArray> seen;
    Redis::StreamReader reader(rawOptions(), "r", 2, 100, [&seen](const Redis::StreamEntry &entry) {
        seen.append(entry.field("n"));
    });
    QSignalSpy started(&reader, &Redis::StreamReader::started);
    QVERIFY(started.wait(5000));
    // Five entries, read two at a time.
    for (int i = 0; i < 5; ++i)
        command({"XADD", "r", "*", "n", QByteArray::number(i)});
    QTRY_COMPARE(seen, (QList<QByteArray>{"0", "1", "2", "3", "4"}));
    // Past a few block timeouts (an XREAD that waited 100 ms for nothing, sent again) nothing
    // is lost.
    auto xreads = [this] {
        static const QRegularExpression calls(s("cmdstat_xread:calls=(\\d+)"));
        const QByteArray info = command({"INFO", "commandstats"}).string;
        return calls.match(QString::fromUtf8(info)).captured(1).toLongLong();
    };
    const qint64 before = xreads();
    QTRY_VERIFY(xreads() >= before + 3);
    command({"XADD", "r", "*", "n", "late"});
    QTRY_COMPARE(seen.size(), 6);
    QCOMPARE(seen.last(), QByteArray("late"));
}

void tst_RedisStreams::streamNames()
{
    // Java's String.hashCode(), as the reference computes it in JavaScript.
    QCOMPARE(javaHashCode(s("/")), 47);
    QCOMPARE(javaHashCode(s("/chat")), 46457863);
    QCOMPARE(javaHashCode(s("/players")), -185860445);
    RedisStreamsAdapterOptions streams;
    streams.streamCount = 3;
    startNode(false, streams);
    RedisStreamsAdapter *adapter = adapterOf(m_nodes[0]);
    QTRY_VERIFY(adapter->isReady());
    QCOMPARE(adapter->stream(), QByteArray("socket.io-2")); // 47 % 3
    Namespace *chat = m_nodes[0].server->of(s("/chat"));
    auto *chatAdapter = qobject_cast<RedisStreamsAdapter *>(chat->adapter());
    QTRY_VERIFY(chatAdapter->isReady());
    QCOMPARE(chatAdapter->stream(), QByteArray("socket.io-1")); // 46457863 % 3
    Namespace *players = m_nodes[0].server->of(s("/players"));
    auto *playersAdapter = qobject_cast<RedisStreamsAdapter *>(players->adapter());
    QTRY_VERIFY(playersAdapter->isReady());
    QCOMPARE(playersAdapter->stream(), QByteArray("socket.io--2")); // JavaScript's % keeps the sign
}

void tst_RedisStreams::broadcast()
{
    ClusterCases<tst_RedisStreams>::broadcast(*this);
}

void tst_RedisStreams::roomsAndExcept()
{
    ClusterCases<tst_RedisStreams>::roomsAndExcept(*this);
}

void tst_RedisStreams::fetchSockets()
{
    ClusterCases<tst_RedisStreams>::fetchSockets(*this);
}

void tst_RedisStreams::socketsJoinAndLeave()
{
    ClusterCases<tst_RedisStreams>::socketsJoinAndLeave(*this);
}

void tst_RedisStreams::disconnectSockets()
{
    ClusterCases<tst_RedisStreams>::disconnectSockets(*this);
}

void tst_RedisStreams::serverSideEmitWithAck()
{
    ClusterCases<tst_RedisStreams>::serverSideEmitWithAck(*this,
                                                          {s("a"), QByteArray("\x00\x01", 2)});
}

void tst_RedisStreams::broadcastWithClientAcks()
{
    ClusterCases<tst_RedisStreams>::broadcastWithClientAcks(*this);
}

// What goes into the stream and over Pub/Sub: INTEROP.md B.4, C.4.
void tst_RedisStreams::wireFormat()
{
    QVERIFY(startCluster(1));
    RedisStreamsAdapter *adapter = adapterOf(m_nodes[0]);
    const QString uid = adapter->uid();
    QCOMPARE(uid.size(), 16);
    Redis::Connection raw(rawOptions());
    QList<std::pair<QByteArray, QByteArray>> published;
    raw.subscribe("socket.io#/#", [&published](const QByteArray &channel, const QByteArray &m) {
        published.append({channel, m});
    });
    QVERIFY(open(raw));
    QTRY_COMPARE(adapter->serverCount(), 2); // the raw subscriber counts as a server

    m_nodes[0].server->to(s("room1")).except(s("roomX")).emitEvent(s("roomnews"), {s("x")});
    m_nodes[0].server->emitEvent(
        s("news"), {QVariantMap{{s("hello"), s("world")}}, QByteArray("\x01\x02\x03", 3)});
    m_nodes[0].server->socketsJoin({s("room2")});
    QList<Redis::StreamEntry> entries;
    QTRY_VERIFY(
        (entries = Redis::streamEntries(command({"XRANGE", "socket.io", "-", "+"}))).size() == 3);
    for (const Redis::StreamEntry &entry : entries) {
        QCOMPARE(entry.field("uid"), uid.toUtf8());
        QCOMPARE(entry.field("nsp"), QByteArray("/"));
    }
    QCOMPARE(entries[0].field("type"), QByteArray("3"));
    QVariant decoded;
    QVERIFY(Json::parse(entries[0].field("data"), &decoded));
    QCOMPARE(
        decoded.toMap(),
        (QVariantMap{{s("packet"), QVariantMap{{s("type"), 2},
                                               {s("data"), QVariantList{s("roomnews"), s("x")}}}},
                     {s("opts"), QVariantMap{{s("rooms"), QVariantList{s("room1")}},
                                             {s("except"), QVariantList{s("roomX")}},
                                             {s("flags"), QVariantMap{}}}}}));
    // Binary: base64 of MessagePack.
    QVERIFY(!entries[1].field("data").startsWith('{'));
    QString error;
    QVERIFY(MsgPack::decode(QByteArray::fromBase64(entries[1].field("data")), &decoded, &error));
    QCOMPARE(decoded.toMap().value(s("packet")).toMap().value(s("data")),
             QVariant(QVariantList{s("news"), QVariantMap{{s("hello"), s("world")}},
                                   QByteArray("\x01\x02\x03", 3)}));
    QCOMPARE(entries[2].field("type"), QByteArray("4"));
    QVERIFY(Json::parse(entries[2].field("data"), &decoded));
    QCOMPARE(decoded.toMap().value(s("rooms")), QVariant(QVariantList{s("room2")}));

    // A request: MessagePack of the whole envelope on the namespace's channel.
    m_nodes[0].server->serverSideEmit(s("ping"), {1});
    QTRY_COMPARE(published.size(), 1);
    QCOMPARE(published[0].first, QByteArray("socket.io#/#"));
    QVERIFY(MsgPack::decode(published[0].second, &decoded, &error));
    QCOMPARE(decoded.toMap(),
             (QVariantMap{{s("type"), 9},
                          {s("data"), QVariantMap{{s("packet"), QVariantList{s("ping"), 1}}}},
                          {s("uid"), uid},
                          {s("nsp"), s("/")}}));
}

// Requests and answers over Redis 7's sharded Pub/Sub (SPUBLISH, SSUBSCRIBE, SHARDNUMSUB).
void tst_RedisStreams::shardedPubSub()
{
    RedisStreamsAdapterOptions streams;
    streams.useShardedPubSub = true;
    QVERIFY(startCluster(2, false, streams));
    QCOMPARE(command({"PUBSUB", "NUMSUB", "socket.io#/#"}).elements.value(1).integer, 0);
    QCOMPARE(command({"PUBSUB", "SHARDNUMSUB", "socket.io#/#"}).elements.value(1).integer, 2);
    ClientSocket *b = client(1, {s("r1")});
    QTRY_VERIFY(b->isConnected());
    QFuture<QList<RemoteSocket>> fetched = m_nodes[0].server->to(s("r1")).fetchSockets();
    QTRY_VERIFY(fetched.isFinished());
    QCOMPARE(fetched.result().size(), 1);
    QCOMPARE(fetched.result().constFirst().id(), b->id());
    m_nodes[1].server->sockets()->onServerSideEvent(
        s("ping"), m_nodes[1].server.get(),
        [](const QVariantList &, const Ack &ack) { ack({s("pong")}); });
    QVariantList responses;
    m_nodes[0].server->sockets()->serverSideEmit(
        s("ping"), {}, m_nodes[0].server.get(),
        [&responses](const QString &, const QVariantList &r) { responses = r; });
    QTRY_COMPARE(responses, QVariantList{s("pong")});
    m_nodes[0].server->emitEvent(s("news"), {1});
    QTRY_COMPARE(m_received.value(s("0#news")), QVariantList{1});
}

void tst_RedisStreams::recoveryOnAnotherNode()
{
    ClusterCases<tst_RedisStreams>::recoveryOnAnotherNode(*this, [this] {
        return int(command({"KEYS", "sio:session:*"}).elements.size());
    });
}

// An unknown session, or an offset the stream does not have: a new session, at once.
void tst_RedisStreams::recoveryRefused()
{
    QVERIFY(startCluster(1, true));
    const QUrl url(QStringLiteral("http://127.0.0.1:%1").arg(m_nodes[0].server->serverPort()));
    ManagerOptions options;
    options.transports = {s("websocket")};
    options.reconnection = false;
    QList<ClientSocket *> sockets;
    for (const char *offset : {"1-0", "not-an-offset"}) {
        m_managers.push_back(std::make_unique<Manager>(url, options));
        ClientSocket *socket = m_managers.back()->socket();
        socket->setAuth({{s("pid"), s("unknown")}, {s("offset"), s(offset)}});
        socket->connectToServer();
        sockets.append(socket);
    }
    QTRY_VERIFY(sockets[0]->isConnected() && sockets[1]->isConnected());
    QVERIFY(!sockets[0]->isRecovered());
    QVERIFY(!sockets[1]->isRecovered());
}

QTEST_GUILESS_MAIN(tst_RedisStreams)
#include "tst_redis_streams.moc"
