// The sharded Redis adapter in cluster mode (RedisAdapterOptions::setClusterModeEnabled())
// against a real Redis Cluster of three masters started here, seeded with one node only: the
// key slots against Redis's own CLUSTER KEYSLOT, the topology read from the seed, the cases
// every adapter passes (in the dynamic and static subscription modes), room channels on
// different masters, serverCount, and a slot moved to another master while in use (the
// "sunsubscribe" Redis sends, a MOVED reply to SPUBLISH and to SSUBSCRIBE), and a master's
// outage (what goes to it fails at once, the others keep working, it comes back).
#include "clustercases.h"

#include "adapters/redisshardedadapter_p.h"
#include "redis/rediscluster_p.h"

#include <SocketIO/ClientSocket>
#include <SocketIO/Manager>
#include <SocketIO/Namespace>
#include <SocketIO/RedisAdapter>
#include <SocketIO/Server>
#include <SocketIO/Socket>

#include <QtTest/QSignalSpy>
#include <QtTest/QTest>

using namespace SocketIO;

namespace {

QString s(const char *text)
{
    return QString::fromUtf8(text);
}

using Mode = RedisShardedAdapterOptions::SubscriptionMode;

quint16 portOf(const QString &master)
{
    return quint16(master.section(u':', -1).toUInt());
}

} // namespace

class tst_RedisCluster : public QObject, public ClusterFixture
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanup();
    void keySlot_data();
    void keySlot();
    void parseRedirect();
    void replyLimits_data();
    void replyLimits();
    void topology();
    void broadcast_data() { addModes(); }
    void broadcast();
    void roomsAndExcept_data() { addModes(); }
    void roomsAndExcept();
    void roomsOnDifferentMasters();
    void fetchSockets_data() { addModes(); }
    void fetchSockets();
    void serverSideEmitWithAck_data() { addModes(); }
    void serverSideEmitWithAck();
    void serverCount();
    void slotMoved(); // late: it changes the cluster's layout
    void masterOutage();

private:
    friend struct ClusterCases<tst_RedisCluster>;
    static void addModes()
    {
        QTest::addColumn<int>("mode");
        QTest::addRow("dynamic") << int(Mode::Dynamic);
        QTest::addRow("static") << int(Mode::Static);
    }
    // Servers on the sharded adapter in cluster mode, in the subscription mode m_mode, seeded
    // with the first master only: the others are learnt from it.
    bool startCluster(int count)
    {
        RedisAdapterOptions connection;
        connection.setClusterModeEnabled(true);
        RedisShardedAdapterOptions options;
        options.subscriptionMode = m_mode;
        for (int i = 0; i < count; ++i) {
            addNode([&options](
                        RedisCluster &cluster) { return cluster.shardedAdapterFactory(options); },
                    connection, {}, m_shards.port(0));
        }
        return QTest::qWaitFor([this] { return clusterFormed(); }, 10'000);
    }
    static RedisShardedAdapter *adapterOf(const ClusterNode &node)
    {
        return qobject_cast<RedisShardedAdapter *>(node.server->sockets()->adapter());
    }
    static Redis::ClusterClient *shardsOf(const ClusterNode &node)
    {
        return node.redis->findChild<Redis::ClusterClient *>();
    }
    // Whether the master at `port` has a subscriber to the shard channel.
    static bool subscribedOn(quint16 port, const QByteArray &channel)
    {
        return RedisClusterServers::run(port, {s("PUBSUB"), s("SHARDCHANNELS")})
            .split('\n')
            .contains(channel);
    }

    RedisClusterServers m_shards; // ClusterFixture's m_redis stays unused
    Mode m_mode = Mode::Dynamic;
};

void tst_RedisCluster::initTestCase()
{
    const QString error = m_shards.start(3);
    QVERIFY2(error.isEmpty(), qPrintable(error));
}

void tst_RedisCluster::cleanup()
{
    clearCluster();
    m_mode = Mode::Dynamic;
}

void tst_RedisCluster::keySlot_data()
{
    QTest::addColumn<QByteArray>("key");
    QTest::addColumn<int>("slot"); // -1: ask Redis
    QTest::addRow("crc16 check value") << QByteArray("123456789") << 12739;
    QTest::addRow("foo") << QByteArray("foo") << 12182;
    QTest::addRow("empty") << QByteArray() << 0;
    QTest::addRow("namespace channel") << QByteArray("socket.io#/#") << -1;
    QTest::addRow("room channel") << QByteArray("socket.io#/#room#") << -1;
    QTest::addRow("hash tag") << QByteArray("{user1000}.following") << -1;
    QTest::addRow("empty hash tag") << QByteArray("foo{}{bar}") << -1;
    QTest::addRow("nested braces") << QByteArray("foo{{bar}}zap") << -1;
    QTest::addRow("first tag wins") << QByteArray("foo{bar}{zap}") << -1;
    QTest::addRow("unclosed") << QByteArray("foo{bar") << -1;
}

void tst_RedisCluster::keySlot()
{
    QFETCH(QByteArray, key);
    QFETCH(int, slot);
    if (slot < 0) {
        slot = RedisClusterServers::run(m_shards.port(0),
                                        {s("CLUSTER"), s("KEYSLOT"), QString::fromUtf8(key)})
                   .trimmed()
                   .toInt();
    }
    QCOMPARE(Redis::keySlot(key), slot);
    QCOMPARE(Redis::keySlot("{user1000}.following"), Redis::keySlot("{user1000}.followers"));
}

void tst_RedisCluster::replyLimits_data()
{
    QTest::addColumn<QByteArray>("bytes");
    QTest::addColumn<int>("replies"); // taken before the error
    QTest::addColumn<bool>("error");
    QTest::addRow("array at the limit, elements pending")
        << QByteArray("*1048576\r\n:1\r\n") << 0 << false;
    QTest::addRow("array past the limit") << QByteArray("+OK\r\n*1048577\r\n:1\r\n") << 1 << true;
    QTest::addRow("huge array count") << QByteArray("*333030001\r\n") << 0 << true;
    QTest::addRow("bulk past 512 MiB")
        << QByteArray(":7\r\n$9223372036854775807\r\nx") << 1 << true;
    // A header inside a bulk payload is data, not a header.
    QTest::addRow("header-like payload")
        << QByteArray("$12\r\n*999999999\r\n\r\n+OK\r\n") << 2 << false;
    QTest::addRow("null bulk and array") << QByteArray("$-1\r\n*-1\r\n") << 2 << false;
}

void tst_RedisCluster::replyLimits()
{
    QFETCH(QByteArray, bytes);
    QFETCH(int, replies);
    QFETCH(bool, error);
    // Whole, then a byte at a time: the same replies, then the same error.
    for (const qsizetype step : {bytes.size(), qsizetype(1)}) {
        Redis::ReplyReader reader;
        int taken = 0;
        for (qsizetype i = 0; i < bytes.size() && !reader.hasError(); i += step) {
            reader.feed(QByteArrayView(bytes).sliced(i, qMin(step, bytes.size() - i)));
            while (reader.next())
                ++taken;
        }
        QCOMPARE(taken, replies);
        QCOMPARE(reader.hasError(), error);
        if (error)
            QVERIFY2(reader.error().contains("more than"), reader.error().constData());
    }
}

void tst_RedisCluster::parseRedirect()
{
    const auto moved = Redis::parseRedirect("MOVED 3999 127.0.0.1:6381");
    QVERIFY(moved);
    QVERIFY(!moved->ask);
    QCOMPARE(moved->slot, 3999);
    QCOMPARE(moved->host, s("127.0.0.1"));
    QCOMPARE(moved->port, quint16(6381));
    const auto ask = Redis::parseRedirect("ASK 12 ::1:7000");
    QVERIFY(ask && ask->ask);
    QCOMPARE(ask->host, s("::1"));
    QCOMPARE(ask->port, quint16(7000));
    QVERIFY(!Redis::parseRedirect("MOVED 16384 127.0.0.1:1"));
    QVERIFY(!Redis::parseRedirect("MOVED 1 127.0.0.1"));
    QVERIFY(!Redis::parseRedirect("MOVED 1 127.0.0.1:0"));
    QVERIFY(!Redis::parseRedirect("ERR unknown command"));
}

// One seed, three masters: the client learns them all and routes each slot to its owner.
void tst_RedisCluster::topology()
{
    Redis::ConnectionOptions options;
    options.port = m_shards.port(0);
    Redis::Connection seed(options);
    Redis::ClusterClient client(&seed);
    QSignalSpy up(&client, &Redis::ClusterClient::connected);
    seed.open();
    QVERIFY(up.wait(10'000));
    QCOMPARE(client.masters().size(), 3);
    QSet<quint16> ports;
    for (const QString &master : client.masters())
        ports.insert(portOf(master));
    QCOMPARE(ports, (QSet<quint16>{m_shards.port(0), m_shards.port(1), m_shards.port(2)}));
    // Each key goes to the master that owns it: that one answers, the others redirect.
    for (const QByteArray key : {"a", "b", "c", "socket.io#/#"}) {
        const quint16 port = portOf(client.masterFor(key));
        for (int i = 0; i < m_shards.count(); ++i) {
            const QByteArray reply = RedisClusterServers::run(
                m_shards.port(i), {s("SPUBLISH"), QString::fromUtf8(key), s("x")});
            QCOMPARE(reply.startsWith("MOVED"), m_shards.port(i) != port);
        }
        bool answered = false;
        client.command(key, {"SPUBLISH", key, "x"}, [&answered](const Redis::Reply &reply) {
            answered = reply.type == Redis::Reply::Type::Integer;
        });
        QTRY_VERIFY(answered);
    }
    // The live reply parses into the three ranges redis-cli made.
    bool parsed = false;
    seed.command({"CLUSTER", "SLOTS"}, [&parsed](const Redis::Reply &reply) {
        const QList<Redis::SlotRange> ranges = Redis::parseClusterSlots(reply);
        int covered = 0;
        for (const Redis::SlotRange &r : ranges)
            covered += r.last - r.first + 1;
        parsed = ranges.size() == 3 && covered == Redis::clusterSlotCount;
    });
    QTRY_VERIFY(parsed);
}

void tst_RedisCluster::broadcast()
{
    QFETCH(int, mode);
    m_mode = Mode(mode);
    ClusterCases<tst_RedisCluster>::broadcast(*this);
}

void tst_RedisCluster::roomsAndExcept()
{
    QFETCH(int, mode);
    m_mode = Mode(mode);
    ClusterCases<tst_RedisCluster>::roomsAndExcept(*this);
}

void tst_RedisCluster::fetchSockets()
{
    QFETCH(int, mode);
    m_mode = Mode(mode);
    ClusterCases<tst_RedisCluster>::fetchSockets(*this);
}

void tst_RedisCluster::serverSideEmitWithAck()
{
    QFETCH(int, mode);
    m_mode = Mode(mode);
    ClusterCases<tst_RedisCluster>::serverSideEmitWithAck(*this);
}

// Dynamic mode: rooms whose channels belong to the three masters, each subscribed on its own.
void tst_RedisCluster::roomsOnDifferentMasters()
{
    QVERIFY(startCluster(2));
    Redis::ClusterClient *shards = shardsOf(m_nodes[0]);
    QHash<QString, QString> roomOf; // master -> a room whose channel it owns
    for (int i = 0; roomOf.size() < 3 && i < 1000; ++i) {
        const QString room = s("room") + QString::number(i);
        const QString master = shards->masterFor("socket.io#/#" + room.toUtf8() + '#');
        if (!roomOf.contains(master))
            roomOf.insert(master, room);
    }
    QCOMPARE(roomOf.size(), 3);
    const QStringList rooms = roomOf.values();
    ClientSocket *a = client(0);
    ClientSocket *b = client(1, rooms);
    QTRY_VERIFY(a->isConnected() && b->isConnected());
    for (auto it = roomOf.cbegin(); it != roomOf.cend(); ++it) {
        const QByteArray channel = "socket.io#/#" + it.value().toUtf8() + '#';
        QTRY_VERIFY(subscribedOn(portOf(it.key()), channel));
        for (int i = 0; i < m_shards.count(); ++i) {
            if (m_shards.port(i) != portOf(it.key()))
                QVERIFY(!subscribedOn(m_shards.port(i), channel));
        }
        m_nodes[0].server->to(it.value()).emitEvent(s("to-") + it.value(), {it.value()});
    }
    for (const QString &room : rooms)
        QTRY_COMPARE(m_received.value(s("1#to-") + room), QVariantList{room});
    QVERIFY(!m_received.contains(s("0#to-") + rooms.first()));
}

// As Node's adapter: PUBSUB SHARDNUMSUB of the namespace's channel, on the master owning it.
void tst_RedisCluster::serverCount()
{
    QVERIFY(startCluster(3));
    const QString owner = shardsOf(m_nodes[0])->masterFor("socket.io#/#");
    const QByteArray count =
        RedisClusterServers::run(portOf(owner), {s("PUBSUB"), s("SHARDNUMSUB"), s("socket.io#/#")});
    QCOMPARE(count.split('\n').value(1), QByteArray("3"));
    m_nodes.pop_back();
    QTRY_COMPARE(adapterOf(m_nodes[0])->serverCount(), 2);
    QTRY_COMPARE(adapterOf(m_nodes[1])->serverCount(), 2);
}

// A slot moves to another master while in use. The subscribers get "sunsubscribe" from the old
// owner and subscribe on the new one; a server that did not notice gets MOVED for SPUBLISH
// (the message goes to the new owner) and for SSUBSCRIBE (it subscribes there).
void tst_RedisCluster::slotMoved()
{
    QVERIFY(startCluster(2));
    Redis::ClusterClient *shards0 = shardsOf(m_nodes[0]);
    // Two rooms on masters other than the one of the namespace's channel.
    const QString nspOwner = shards0->masterFor("socket.io#/#");
    QStringList rooms;
    for (int i = 0; rooms.size() < 2 && i < 1000; ++i) {
        const QString room = s("moving") + QString::number(i);
        const QByteArray channel = "socket.io#/#" + room.toUtf8() + '#';
        if (shards0->masterFor(channel) != nspOwner &&
            (rooms.isEmpty() ||
             Redis::keySlot(channel) != Redis::keySlot("socket.io#/#" + rooms[0].toUtf8() + '#')))
            rooms.append(room);
    }
    QCOMPARE(rooms.size(), 2);
    const QByteArray published = "socket.io#/#" + rooms[0].toUtf8() + '#';
    const QByteArray joined = "socket.io#/#" + rooms[1].toUtf8() + '#';
    ClientSocket *b = client(1, rooms);
    QTRY_VERIFY(b->isConnected());
    const quint16 oldOwner = portOf(shards0->masterFor(published));
    QTRY_VERIFY(subscribedOn(oldOwner, published));
    const quint16 newOwner = portOf(nspOwner);

    // 1. SPUBLISH to the old owner: MOVED, and sent again to the new one.
    QVERIFY(m_shards.moveSlot(Redis::keySlot(published), oldOwner, newOwner));
    QTRY_VERIFY(subscribedOn(newOwner, published)); // server 1 followed the "sunsubscribe"
    QVERIFY(!subscribedOn(oldOwner, published));
    QCOMPARE(portOf(shards0->masterFor(published)), oldOwner); // server 0 did not notice
    QSignalSpy refreshed(shards0, &Redis::ClusterClient::topologyRefreshed);
    m_nodes[0].server->to(rooms[0]).emitEvent(s("after-move"), {1});
    QTRY_COMPARE(m_received.value(s("0#after-move")), QVariantList{1});
    QVERIFY(refreshed.size() >= 1);
    QCOMPARE(portOf(shards0->masterFor(published)), newOwner);

    // 2. SSUBSCRIBE on the old owner: MOVED, and subscribed on the new one.
    const quint16 joinedOwner = portOf(shards0->masterFor(joined));
    QTRY_VERIFY(subscribedOn(joinedOwner, joined));
    QVERIFY(m_shards.moveSlot(Redis::keySlot(joined), joinedOwner, newOwner));
    QTRY_VERIFY(subscribedOn(newOwner, joined));
    QCOMPARE(portOf(shards0->masterFor(joined)), joinedOwner); // stale still
    ClientSocket *c = client(0, {rooms[1]});
    QTRY_VERIFY(c->isConnected());
    QTRY_COMPARE(RedisClusterServers::run(
                     newOwner, {s("PUBSUB"), s("SHARDNUMSUB"), QString::fromUtf8(joined)})
                     .split('\n')
                     .value(1),
                 QByteArray("2"));
    m_nodes[1].server->to(rooms[1]).emitEvent(s("joined-after-move"), {2});
    QTRY_COMPARE(m_received.value(s("1#joined-after-move")), QVariantList{2});
    QCOMPARE(m_received.value(s("0#joined-after-move")), QVariantList{2});
}

// One master down: the cluster reports the outage, what goes to that master fails at once
// (publishFailed), the other masters keep working; back, its channels work again.
void tst_RedisCluster::masterOutage()
{
    QVERIFY(startCluster(2));
    Redis::ClusterClient *shards0 = shardsOf(m_nodes[0]);
    const QString nspOwner = shards0->masterFor("socket.io#/#");
    // A master other than the seed (server 0's publishing connection) and the namespace's.
    int down = -1;
    for (int i = 1; i < m_shards.count() && down < 0; ++i) {
        if (m_shards.port(i) != portOf(nspOwner))
            down = i;
    }
    QVERIFY(down > 0);
    QString room;
    for (int i = 0; room.isEmpty() && i < 1000; ++i) {
        const QString candidate = s("down") + QString::number(i);
        if (portOf(shards0->masterFor("socket.io#/#" + candidate.toUtf8() + '#')) ==
            m_shards.port(down))
            room = candidate;
    }
    QVERIFY(!room.isEmpty());
    const QByteArray channel = "socket.io#/#" + room.toUtf8() + '#';
    ClientSocket *b = client(1, {room});
    QTRY_VERIFY(b->isConnected());
    QTRY_VERIFY(subscribedOn(m_shards.port(down), channel));

    RedisCluster *redis0 = m_nodes[0].redis.get();
    QSignalSpy failed(redis0, &RedisCluster::publishFailed);
    m_shards.stop(down);
    QTRY_VERIFY(!redis0->isConnected());
    QVERIFY(redis0->outageCount() > 0);
    m_nodes[0].server->to(room).emitEvent(s("lost"), {1});
    QCOMPARE(failed.size(), 1); // at once: nothing waits for the master
    QCOMPARE(failed.at(0).at(0).toString(), QString::fromUtf8(channel));
    m_nodes[0].server->emitEvent(s("still"), {2});
    QTRY_COMPARE(m_received.value(s("0#still")), QVariantList{2});

    const QString error = m_shards.restart(down);
    QVERIFY2(error.isEmpty(), qPrintable(error));
    QTRY_VERIFY_WITH_TIMEOUT(redis0->isConnected() && m_nodes[1].redis->isConnected(), 10'000);
    QTRY_VERIFY(subscribedOn(m_shards.port(down), channel));
    m_nodes[0].server->to(room).emitEvent(s("back"), {3});
    QTRY_COMPARE(m_received.value(s("0#back")), QVariantList{3});
    QVERIFY(!m_received.contains(s("0#lost")));
}

QTEST_GUILESS_MAIN(tst_RedisCluster)
#include "tst_redis_cluster.moc"
