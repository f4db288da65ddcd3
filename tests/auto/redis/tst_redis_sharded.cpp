// The sharded Redis adapter (Node's createShardedAdapter, Redis 7 SPUBLISH/SSUBSCRIBE) between
// Servers in this process, each with its own RedisCluster, against a real redis-server started
// here: broadcasts with rooms and except, the room channels of the dynamic modes, fetchSockets,
// socketsJoin/Leave, disconnectSockets, serverSideEmit with acks, broadcasts with client acks
// and their timeout, and the channel each subscription mode picks, seen by a raw subscriber.
#include "clustercases.h"

#include "adapters/redisshardedadapter_p.h"
#include "parser/json_p.h"
#include "parser/msgpack_p.h"

#include <QtCore/QRegularExpression>

using namespace SocketIO;

namespace {

QString s(const char *text)
{
    return QString::fromUtf8(text);
}

using Mode = RedisShardedAdapterOptions::SubscriptionMode;

} // namespace

class tst_RedisSharded : public QObject, public ClusterFixture
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanup();
    void broadcast();
    void roomsAndExcept();
    void roomChannels();
    void fetchSockets();
    void socketsJoinAndLeave();
    void disconnectSockets();
    void serverSideEmitWithAck();
    void serverSideEmitTimeout();
    void broadcastWithClientAcks();
    void channelPerMode_data();
    void channelPerMode();
    void wireFormat();
    void outageFailsVisibly();

private:
    friend struct ClusterCases<tst_RedisSharded>;
    // Starts `count` nodes; true once each adapter counts them all (within 5 s).
    bool startCluster(int count, const RedisShardedAdapterOptions &options = {})
    {
        for (int i = 0; i < count; ++i) {
            addNode([&options](RedisCluster &cluster) {
                return cluster.shardedAdapterFactory(options);
            });
        }
        return QTest::qWaitFor([this] { return clusterFormed(); }, 5000);
    }
    static RedisShardedAdapter *adapterOf(const ClusterNode &node)
    {
        return qobject_cast<RedisShardedAdapter *>(node.server->sockets()->adapter());
    }
    // The sharded channels with a subscriber, as Redis lists them.
    QSet<QByteArray> shardChannels();
};

void tst_RedisSharded::initTestCase()
{
    const QString error = m_redis.start();
    QVERIFY2(error.isEmpty(), qPrintable(error));
}

void tst_RedisSharded::cleanup()
{
    clearCluster();
}

QSet<QByteArray> tst_RedisSharded::shardChannels()
{
    Redis::Connection raw(rawOptions());
    if (!open(raw))
        qWarning("no connection to Redis");
    QSet<QByteArray> channels;
    bool done = false;
    raw.command({"PUBSUB", "SHARDCHANNELS"}, [&](const Redis::Reply &reply) {
        for (const Redis::Reply &channel : reply.elements)
            channels.insert(channel.string);
        done = true;
    });
    if (!QTest::qWaitFor([&done] { return done; }, 5000))
        qWarning("PUBSUB SHARDCHANNELS got no reply");
    return channels;
}

void tst_RedisSharded::broadcast()
{
    ClusterCases<tst_RedisSharded>::broadcast(*this);
}

void tst_RedisSharded::roomsAndExcept()
{
    ClusterCases<tst_RedisSharded>::roomsAndExcept(*this);
}

// Dynamic mode: a server subscribes to a room's channel while the room exists on it, and never
// to a socket id's.
void tst_RedisSharded::roomChannels()
{
    QVERIFY(startCluster(2));
    ClientSocket *a = client(0);
    ClientSocket *b = client(1, {s("dyn")});
    QTRY_VERIFY(a->isConnected() && b->isConnected());
    const QByteArray room = "socket.io#/#dyn#";
    QTRY_VERIFY(shardChannels().contains(room));
    QVERIFY(!shardChannels().contains("socket.io#/#" + b->id().toUtf8() + '#'));
    QVERIFY(shardChannels().contains("socket.io#/#"));
    QVERIFY(shardChannels().contains("socket.io#/#" + adapterOf(m_nodes[0])->uid().toUtf8() + '#'));
    m_nodes[0].server->to(s("dyn")).emitEvent(s("in-dyn"), {1});
    QTRY_COMPARE(m_received.value(s("1#in-dyn")), QVariantList{1});
    // The last member leaves: the room is deleted, and its channel unsubscribed.
    m_nodes[0].server->socketsLeave({s("dyn")});
    QTRY_VERIFY(!shardChannels().contains(room));
    m_nodes[0].server->to(s("dyn")).emitEvent(s("gone"), {2});
    m_nodes[0].server->emitEvent(s("marker"), {3});
    QTRY_COMPARE(m_received.value(s("1#marker")), QVariantList{3});
    QVERIFY(!m_received.contains(s("1#gone")));
    // Joined again (remotely): subscribed again.
    m_nodes[0].server->socketsJoin({s("dyn")});
    QTRY_VERIFY(shardChannels().contains(room));
    m_nodes[0].server->to(s("dyn")).emitEvent(s("back"), {4});
    QTRY_COMPARE(m_received.value(s("1#back")), QVariantList{4});
    QCOMPARE(m_received.value(s("0#back")), QVariantList{4});
}

void tst_RedisSharded::fetchSockets()
{
    ClusterCases<tst_RedisSharded>::fetchSockets(*this);
}

void tst_RedisSharded::socketsJoinAndLeave()
{
    ClusterCases<tst_RedisSharded>::socketsJoinAndLeave(*this);
}

void tst_RedisSharded::disconnectSockets()
{
    ClusterCases<tst_RedisSharded>::disconnectSockets(*this);
}

void tst_RedisSharded::serverSideEmitWithAck()
{
    ClusterCases<tst_RedisSharded>::serverSideEmitWithAck(*this);
}

// A server that never answers: the error after 5 s, with the answers that came.
void tst_RedisSharded::serverSideEmitTimeout()
{
    QVERIFY(startCluster(3));
    QString error;
    QVariantList responses;
    m_nodes[2].server->sockets()->onServerSideEvent(s("quiet"), m_nodes[2].server.get(),
                                                    [](const QVariantList &, const Ack &) {});
    m_nodes[1].server->sockets()->onServerSideEvent(
        s("quiet"), m_nodes[1].server.get(),
        [](const QVariantList &, const Ack &ack) { ack({s("one")}); });
    QTest::ignoreMessage(QtWarningMsg, QRegularExpression(s("timeout reached: only 1 responses "
                                                            "received out of 2")));
    bool called = false;
    m_nodes[0].server->sockets()->serverSideEmit(s("quiet"), {}, m_nodes[0].server.get(),
                                                 [&](const QString &e, const QVariantList &r) {
                                                     called = true;
                                                     error = e;
                                                     responses = r;
                                                 });
    QTRY_VERIFY_WITH_TIMEOUT(called, 7000);
    QVERIFY(error.startsWith(s("timeout reached")));
    QCOMPARE(responses, QVariantList{s("one")});
}

void tst_RedisSharded::broadcastWithClientAcks()
{
    ClusterCases<tst_RedisSharded>::broadcastWithClientAcks(*this);
}

// The channel of a broadcast to one room or one socket, in each subscription mode (INTEROP
// C.3): what a raw sharded subscriber sees, and that the other server's client still gets it.
void tst_RedisSharded::channelPerMode_data()
{
    QTest::addColumn<int>("mode");
    QTest::addColumn<bool>("roomChannel");   // to("room1") on socket.io#/#room1#
    QTest::addColumn<bool>("socketChannel"); // to(socketId) on socket.io#/#<id>#
    QTest::addRow("dynamic") << int(Mode::Dynamic) << true << false;
    QTest::addRow("dynamic-private") << int(Mode::DynamicPrivate) << true << true;
    QTest::addRow("static") << int(Mode::Static) << false << false;
}

void tst_RedisSharded::channelPerMode()
{
    QFETCH(int, mode);
    QFETCH(bool, roomChannel);
    QFETCH(bool, socketChannel);
    RedisShardedAdapterOptions options;
    options.subscriptionMode = Mode(mode);
    QVERIFY(startCluster(2, options));
    ClientSocket *b = client(1, {s("room1")});
    QTRY_VERIFY(b->isConnected());
    const QByteArray base = "socket.io#/#";
    const QByteArray idChannel = base + b->id().toUtf8() + '#';
    // The owner subscribes to the channels its mode gives its rooms.
    QTRY_COMPARE(shardChannels().contains(base + "room1#"), roomChannel);
    QCOMPARE(shardChannels().contains(idChannel), socketChannel);

    Redis::Connection raw(rawOptions());
    QList<QByteArray> seen;
    auto record = [&seen](const QByteArray &channel, const QByteArray &) { seen.append(channel); };
    raw.ssubscribe(base, record);
    raw.ssubscribe(base + "room1#", record);
    raw.ssubscribe(idChannel, record);
    QVERIFY(open(raw));

    m_nodes[0].server->to(s("room1")).emitEvent(s("to-room"), {1});
    QTRY_COMPARE(m_received.value(s("0#to-room")), QVariantList{1});
    QTRY_COMPARE(seen.size(), 1);
    QCOMPARE(seen.at(0), roomChannel ? base + "room1#" : base);
    m_nodes[0].server->to(b->id()).emitEvent(s("to-socket"), {2});
    QTRY_COMPARE(m_received.value(s("0#to-socket")), QVariantList{2});
    QTRY_COMPARE(seen.size(), 2);
    QCOMPARE(seen.at(1), socketChannel ? idChannel : base);
}

// What goes over Redis (INTEROP B.3, C.3): JSON envelopes, MessagePack with binary, 16-hex
// uids, SHARDNUMSUB as the server count.
void tst_RedisSharded::wireFormat()
{
    QVERIFY(startCluster(1));
    Redis::Connection raw(rawOptions());
    QList<std::pair<QByteArray, QByteArray>> seen;
    auto record = [&seen](const QByteArray &channel, const QByteArray &message) {
        seen.append({channel, message});
    };
    raw.ssubscribe("socket.io#/#", record);
    raw.ssubscribe("socket.io#/#room1#", record);
    QVERIFY(open(raw));
    const QString uid = adapterOf(m_nodes[0])->uid();
    QVERIFY2(QRegularExpression(s("^[0-9a-f]{16}$")).match(uid).hasMatch(), qPrintable(uid));

    // A raw subscriber on the namespace's channel counts as a server.
    QTRY_COMPARE(adapterOf(m_nodes[0])->serverCount(), 2);

    m_nodes[0].server->to(s("room1")).except(s("roomX")).emitEvent(s("roomnews"), {s("x")});
    QTRY_COMPARE(seen.size(), 1);
    QCOMPARE(seen[0].first, QByteArray("socket.io#/#room1#"));
    QVariant decoded;
    QVERIFY(seen[0].second.startsWith('{'));
    QVERIFY(Json::parse(seen[0].second, &decoded));
    QCOMPARE(
        decoded.toMap(),
        (QVariantMap{
            {s("type"), 3},
            {s("uid"), uid},
            {s("nsp"), s("/")},
            {s("data"), QVariantMap{{s("packet"),
                                     QVariantMap{{s("type"), 2},
                                                 {s("data"), QVariantList{s("roomnews"), s("x")}}}},
                                    {s("opts"), QVariantMap{{s("rooms"), QVariantList{s("room1")}},
                                                            {s("except"), QVariantList{s("roomX")}},
                                                            {s("flags"), QVariantMap{}}}}}}}));

    m_nodes[0].server->emitEvent(s("bin"), {QByteArray("\x01\x02\x03", 3)});
    QTRY_COMPARE(seen.size(), 2);
    QCOMPARE(seen[1].first, QByteArray("socket.io#/#"));
    QVERIFY(!seen[1].second.startsWith('{')); // MessagePack
    QString error;
    QVERIFY(MsgPack::decode(seen[1].second, &decoded, &error));
    QCOMPARE(decoded.toMap().value(s("data")).toMap().value(s("packet")).toMap().value(s("data")),
             QVariant(QVariantList{s("bin"), QByteArray("\x01\x02\x03", 3)}));

    m_nodes[0].server->socketsJoin({s("room2")});
    QTRY_COMPARE(seen.size(), 3);
    QCOMPARE(seen[2].first, QByteArray("socket.io#/#"));
    QVERIFY(Json::parse(seen[2].second, &decoded));
    QCOMPARE(decoded.toMap().value(s("type")).toInt(), 4);
    QCOMPARE(decoded.toMap().value(s("data")).toMap().value(s("rooms")),
             QVariant(QVariantList{s("room2")}));
}

// Redis goes away: a broadcast still reaches this server's clients, and the cluster reports
// that the others did not get it; once Redis is back, broadcasts cross again.
void tst_RedisSharded::outageFailsVisibly()
{
    QVERIFY(startCluster(2));
    ClientSocket *a = client(0);
    ClientSocket *b = client(1);
    QTRY_VERIFY(a->isConnected() && b->isConnected());
    QSignalSpy failed(m_nodes[0].redis.get(), &RedisCluster::publishFailed);
    // Both connections of both servers.
    for (int i = 0; i < 4; ++i)
        QTest::ignoreMessage(QtWarningMsg, QRegularExpression(s("lost .*outage 1")));
    QTest::ignoreMessage(QtWarningMsg,
                         QRegularExpression(s("publishing to socket.io#/# failed .*1 in all")));
    m_redis.stop();
    QTRY_VERIFY(!m_nodes[0].redis->isConnected() && !m_nodes[1].redis->isConnected());
    m_nodes[0].server->emitEvent(s("during"), {1});
    QTRY_COMPARE(m_received.value(s("0#during")), QVariantList{1});
    QVERIFY(failed.size() >= 1);
    QCOMPARE(failed.last().at(0).toString(), s("socket.io#/#"));
    QVERIFY(m_nodes[0].redis->failedPublishCount() >= 1);
    const QString error = m_redis.start(); // the same port
    QVERIFY2(error.isEmpty(), qPrintable(error));
    QTRY_VERIFY_WITH_TIMEOUT(m_nodes[0].redis->isConnected() && m_nodes[1].redis->isConnected(),
                             10'000);
    QTRY_VERIFY(clusterFormed());
    m_nodes[0].server->emitEvent(s("after"), {2});
    QTRY_COMPARE(m_received.value(s("1#after")), QVariantList{2});
    QVERIFY(!m_received.contains(s("1#during")));
}

QTEST_GUILESS_MAIN(tst_RedisSharded)
#include "tst_redis_sharded.moc"
