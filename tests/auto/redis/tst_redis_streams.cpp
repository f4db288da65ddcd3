// The Redis streams adapter between Servers in this process, each with its own RedisCluster,
// against a real redis-server started here: the stream and key commands underneath, the
// stream names, broadcasts with rooms, except and binary, fetchSockets, socketsJoin/Leave,
// disconnectSockets, serverSideEmit with acks, broadcasts with client acks and their timeout,
// what goes into the stream and over Pub/Sub, and connection state recovery on another node.
#include "../../redisserver.h"
#include "../../tcpforwarder.h"
#include "../ackfuture.h"

#include "adapters/redisstreamsadapter_p.h"
#include "parser/json_p.h"
#include "parser/msgpack_p.h"
#include "redis/redisconnection_p.h"
#include "redis/redisstreams_p.h"

#include <SocketIO/ClientSocket>
#include <SocketIO/Manager>
#include <SocketIO/Namespace>
#include <SocketIO/RedisAdapter>
#include <SocketIO/Server>
#include <SocketIO/Socket>

#include <QtCore/QElapsedTimer>
#include <QtCore/QPointer>
#include <QtTest/QSignalSpy>
#include <QtTest/QTest>

using namespace SocketIO;

namespace {

QString s(const char *text)
{
    return QString::fromUtf8(text);
}

struct Node
{
    std::unique_ptr<RedisCluster> redis;
    std::unique_ptr<Server> server;
};

} // namespace

class tst_RedisStreams : public QObject
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
    Node &startNode(bool recovery = false, RedisStreamsAdapterOptions streams = {});
    // Starts `count` nodes; true once each adapter reads the stream and counts them all.
    bool startCluster(int count, bool recovery = false,
                      const RedisStreamsAdapterOptions &streams = {})
    {
        for (int i = 0; i < count; ++i)
            startNode(recovery, streams);
        return QTest::qWaitFor([this] { return clusterFormed(); }, 10'000);
    }
    // A client of node `index` (or of `port`), joined to the rooms of its auth
    // {"rooms": [...]}.
    ClientSocket *client(int index, const QStringList &rooms = {}, quint16 port = 0,
                         bool reconnection = false);
    static RedisStreamsAdapter *adapterOf(const Node &node)
    {
        return qobject_cast<RedisStreamsAdapter *>(node.server->sockets()->adapter());
    }
    bool clusterFormed() const
    {
        int live = 0;
        for (const Node &n : m_nodes)
            live += n.server ? 1 : 0;
        for (const Node &n : m_nodes) {
            if (!n.server)
                continue;
            RedisStreamsAdapter *adapter = adapterOf(n);
            if (!adapter || !adapter->isReady() || adapter->serverCount() != live)
                return false;
        }
        return true;
    }
    Redis::Reply command(const QList<QByteArray> &args);

    RedisServer m_redis;
    std::unique_ptr<Redis::Connection> m_raw; // for the test's own commands
    std::vector<Node> m_nodes;
    std::vector<std::unique_ptr<Manager>> m_managers;
    QHash<QString, QVariantList> m_received; // "client#event" -> args
};

void tst_RedisStreams::initTestCase()
{
    const QString error = m_redis.start();
    QVERIFY2(error.isEmpty(), qPrintable(error));
    Redis::ConnectionOptions options;
    options.port = m_redis.port();
    m_raw = std::make_unique<Redis::Connection>(options);
    QSignalSpy ready(m_raw.get(), &Redis::Connection::connected);
    m_raw->open();
    QVERIFY(ready.wait(5000));
}

void tst_RedisStreams::cleanup()
{
    m_managers.clear();
    m_nodes.clear();
    m_received.clear();
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

Node &tst_RedisStreams::startNode(bool recovery, RedisStreamsAdapterOptions streams)
{
    RedisAdapterOptions options;
    options.port = m_redis.port();
    Node node;
    node.redis = std::make_unique<RedisCluster>(options);
    ServerOptions serverOptions;
    serverOptions.adapter = node.redis->streamsAdapterFactory(streams);
    if (recovery)
        serverOptions.connectionStateRecovery = ConnectionStateRecoveryOptions();
    node.server = std::make_unique<Server>(serverOptions);
    const int index = int(m_nodes.size());
    QObject::connect(node.server.get(), &Server::connection, node.server.get(),
                     [index](Socket *socket) {
                         if (socket->isRecovered())
                             return; // rooms and data came back with the session
                         const QVariantMap auth = socket->handshake().auth();
                         socket->join(auth.value(s("rooms")).toStringList());
                         socket->setData({{s("node"), index}});
                     });
    node.server->listen(QHostAddress::LocalHost, 0);
    m_nodes.push_back(std::move(node));
    return m_nodes.back();
}

ClientSocket *tst_RedisStreams::client(int index, const QStringList &rooms, quint16 port,
                                       bool reconnection)
{
    ManagerOptions options;
    options.transports = {s("websocket")};
    options.reconnection = reconnection;
    options.reconnectionDelay = 50;
    options.reconnectionDelayMax = 200;
    if (!port)
        port = m_nodes.at(index).server->serverPort();
    m_managers.push_back(
        std::make_unique<Manager>(QUrl(QStringLiteral("http://127.0.0.1:%1").arg(port)), options));
    ClientSocket *socket = m_managers.back()->socket();
    socket->setAuth({{s("rooms"), rooms}});
    const QString name = QString::number(m_managers.size() - 1);
    socket->onAny(socket, [this, name](const QString &event, const QVariantList &args) {
        m_received.insert(name + u'#' + event, args);
    });
    socket->connectToServer();
    return socket;
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
    Redis::ConnectionOptions options;
    options.port = m_redis.port();
    QList<QByteArray> seen;
    Redis::StreamReader reader(options, "r", 2, 100, [&seen](const Redis::StreamEntry &entry) {
        seen.append(entry.field("n"));
    });
    QSignalSpy started(&reader, &Redis::StreamReader::started);
    QVERIFY(started.wait(5000));
    // Five entries, read two at a time.
    for (int i = 0; i < 5; ++i)
        command({"XADD", "r", "*", "n", QByteArray::number(i)});
    QTRY_COMPARE(seen, (QList<QByteArray>{"0", "1", "2", "3", "4"}));
    // Past a few block timeouts (100 ms) nothing is lost.
    QTest::qWait(350);
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
    QVERIFY(startCluster(2));
    ClientSocket *a = client(0);
    ClientSocket *b = client(1);
    QTRY_VERIFY(a->isConnected() && b->isConnected());
    const QVariantList args{s("x"), 42, 1.5, QByteArray("\x01\x02\x03", 3),
                            QVariantMap{{s("hello"), s("world")}}};
    m_nodes[0].server->emitEvent(s("news"), args);
    QTRY_COMPARE(m_received.value(s("1#news")), args);
    QTRY_COMPARE(m_received.value(s("0#news")), args);
    m_nodes[1].server->local().emitEvent(s("local"), {1});
    QTRY_COMPARE(m_received.value(s("1#local")), QVariantList{1});
    m_nodes[1].server->emitEvent(s("after"), {2});
    QTRY_COMPARE(m_received.value(s("0#after")), QVariantList{2});
    QVERIFY(!m_received.contains(s("0#local")));
}

void tst_RedisStreams::roomsAndExcept()
{
    QVERIFY(startCluster(2));
    QList<ClientSocket *> clients{client(0, {s("r1")}), client(1, {s("r1")}),
                                  client(1, {s("r1"), s("r2")}), client(1, {s("r3")})};
    QTRY_VERIFY(std::all_of(clients.cbegin(), clients.cend(),
                            [](ClientSocket *c) { return c->isConnected(); }));
    m_nodes[0].server->to(s("r1")).except(s("r2")).emitEvent(s("one"), {1});
    m_nodes[0].server->to(QStringList{s("r2"), s("r3")}).emitEvent(s("two"), {2});
    m_nodes[0].server->to(clients[3]->id()).emitEvent(s("direct"), {3});
    QTRY_COMPARE(m_received.value(s("3#direct")), QVariantList{3});
    QTRY_COMPARE(m_received.value(s("3#two")), QVariantList{2});
    QTRY_COMPARE(m_received.value(s("2#two")), QVariantList{2});
    QTRY_COMPARE(m_received.value(s("1#one")), QVariantList{1});
    QTRY_COMPARE(m_received.value(s("0#one")), QVariantList{1});
    QVERIFY(!m_received.contains(s("2#one")));
    QVERIFY(!m_received.contains(s("3#one")));
    QVERIFY(!m_received.contains(s("0#two")));
    QVERIFY(!m_received.contains(s("1#two")));
    QVERIFY(!m_received.contains(s("2#direct")));
}

void tst_RedisStreams::fetchSockets()
{
    QVERIFY(startCluster(2));
    ClientSocket *a = client(0, {s("r1")});
    ClientSocket *b = client(1, {s("r1"), s("r2")});
    ClientSocket *c = client(1);
    QTRY_VERIFY(a->isConnected() && b->isConnected() && c->isConnected());
    QFuture<QList<RemoteSocket>> all = m_nodes[0].server->fetchSockets();
    QTRY_VERIFY(all.isFinished());
    QCOMPARE(all.result().size(), 3);
    QFuture<QList<RemoteSocket>> inR1 =
        m_nodes[0].server->to(s("r1")).except(s("r2")).fetchSockets();
    QTRY_VERIFY(inR1.isFinished());
    QCOMPARE(inR1.result().size(), 1);
    QCOMPARE(inR1.result().constFirst().id(), a->id());
    QFuture<QList<RemoteSocket>> inR2 = m_nodes[0].server->to(s("r2")).fetchSockets();
    QTRY_VERIFY(inR2.isFinished());
    QCOMPARE(inR2.result().size(), 1);
    const RemoteSocket remote = inR2.result().constFirst();
    QCOMPARE(remote.id(), b->id());
    QCOMPARE(remote.rooms(), (QSet<QString>{b->id(), s("r1"), s("r2")}));
    QCOMPARE(remote.data().value(s("node")).toInt(), 1);
    QCOMPARE(remote.handshake().value(s("address")).toString(), s("127.0.0.1"));
    remote.emitEvent(s("hi"), {s("there")});
    QTRY_COMPARE(m_received.value(s("1#hi")), QVariantList{s("there")});
}

void tst_RedisStreams::socketsJoinAndLeave()
{
    QVERIFY(startCluster(2));
    ClientSocket *a = client(0);
    ClientSocket *b = client(1, {s("r1")});
    QTRY_VERIFY(a->isConnected() && b->isConnected());
    m_nodes[0].server->to(s("r1")).socketsJoin(s("joined"));
    RedisStreamsAdapter *other = adapterOf(m_nodes[1]);
    QTRY_VERIFY(other->socketRooms(b->id()).contains(s("joined")));
    QVERIFY(!adapterOf(m_nodes[0])->socketRooms(a->id()).contains(s("joined")));
    m_nodes[0].server->socketsJoin({s("everyone")});
    QTRY_VERIFY(other->socketRooms(b->id()).contains(s("everyone")));
    QVERIFY(adapterOf(m_nodes[0])->socketRooms(a->id()).contains(s("everyone")));
    m_nodes[0].server->to(s("joined")).socketsLeave(s("everyone"));
    QTRY_VERIFY(!other->socketRooms(b->id()).contains(s("everyone")));
    QVERIFY(adapterOf(m_nodes[0])->socketRooms(a->id()).contains(s("everyone")));
}

void tst_RedisStreams::disconnectSockets()
{
    QVERIFY(startCluster(2));
    ClientSocket *a = client(0, {s("stay")});
    ClientSocket *b = client(1, {s("go")});
    QTRY_VERIFY(a->isConnected() && b->isConnected());
    m_nodes[0].server->to(s("go")).disconnectSockets();
    QTRY_VERIFY(!b->isConnected());
    QVERIFY(a->isConnected());
}

void tst_RedisStreams::serverSideEmitWithAck()
{
    QVERIFY(startCluster(3));
    for (int i = 1; i < 3; ++i) {
        m_nodes[i].server->sockets()->onServerSideEvent(
            s("ping"), m_nodes[i].server.get(), [i](const QVariantList &args, const Ack &ack) {
                ack({QVariant(args.value(0).toInt() + i)});
            });
    }
    QString error = s("unset");
    QVariantList responses;
    m_nodes[0].server->sockets()->serverSideEmit(s("ping"), {10}, m_nodes[0].server.get(),
                                                 [&](const QString &e, const QVariantList &r) {
                                                     error = e;
                                                     responses = r;
                                                 });
    QTRY_COMPARE(responses.size(), 2);
    QCOMPARE(error, QString());
    std::sort(responses.begin(), responses.end(),
              [](const QVariant &x, const QVariant &y) { return x.toInt() < y.toInt(); });
    QCOMPARE(responses, (QVariantList{11, 12}));

    QVariantList seen;
    m_nodes[2].server->sockets()->onServerSideEvent(
        s("note"), m_nodes[2].server.get(),
        [&seen](const QVariantList &args, const Ack &) { seen = args; });
    m_nodes[0].server->serverSideEmit(s("note"), {s("a"), QByteArray("\x00\x01", 2)});
    QTRY_COMPARE(seen, (QVariantList{s("a"), QByteArray("\x00\x01", 2)}));
}

void tst_RedisStreams::broadcastWithClientAcks()
{
    QVERIFY(startCluster(2));
    ClientSocket *a = client(0);
    ClientSocket *b = client(1);
    ClientSocket *c = client(1, {s("silent")});
    for (ClientSocket *socket : {a, b}) {
        socket->on(s("question"), socket,
                   [socket](const QVariantList &, const Ack &ack) { ack({socket->id()}); });
    }
    c->on(s("question"), c, [](const QVariantList &, const Ack &) {}); // never answers
    QTRY_VERIFY(a->isConnected() && b->isConnected() && c->isConnected());

    QFuture<QVariantList> answered =
        m_nodes[0].server->except(s("silent")).timeout(3000).emitWithAck(s("question"), {1});
    QTRY_VERIFY(answered.isFinished());
    QVERIFY(!failedWithTimeout(answered));
    QVariantList ids = answered.result();
    const auto byString = [](const QVariant &x, const QVariant &y) {
        return x.toString() < y.toString();
    };
    std::sort(ids.begin(), ids.end(), byString);
    QVariantList expected{a->id(), b->id()};
    std::sort(expected.begin(), expected.end(), byString);
    QCOMPARE(ids, expected);

    QElapsedTimer timer;
    timer.start();
    QFuture<QVariantList> partial = m_nodes[0].server->timeout(500).emitWithAck(s("question"), {2});
    QTRY_VERIFY(partial.isFinished());
    QVERIFY(failedWithTimeout(partial));
    QVERIFY(timer.elapsed() >= 450);
}

// What goes into the stream and over Pub/Sub: INTEROP.md B.4, C.4.
void tst_RedisStreams::wireFormat()
{
    QVERIFY(startCluster(1));
    RedisStreamsAdapter *adapter = adapterOf(m_nodes[0]);
    const QString uid = adapter->uid();
    QCOMPARE(uid.size(), 16);
    Redis::ConnectionOptions options;
    options.port = m_redis.port();
    Redis::Connection raw(options);
    QList<std::pair<QByteArray, QByteArray>> published;
    raw.subscribe("socket.io#/#", [&published](const QByteArray &channel, const QByteArray &m) {
        published.append({channel, m});
    });
    QSignalSpy ready(&raw, &Redis::Connection::connected);
    raw.open();
    QVERIFY(ready.wait(5000));
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

// The client's node goes away; the client reconnects through the load balancer to the other
// node and gets its id, rooms and data back, with every event sent meanwhile.
void tst_RedisStreams::recoveryOnAnotherNode()
{
    QVERIFY(startCluster(2, true));
    TcpForwarder balancer(m_nodes[0].server->serverPort());
    ClientSocket *socket = client(0, {s("r1")}, balancer.port(), true);
    QStringList news;
    socket->on(s("news"), socket, [&news](const QVariantList &args, const Ack &) {
        news.append(args.value(0).toString());
    });
    QTRY_VERIFY(socket->isConnected());
    QVERIFY(!socket->isRecovered());
    const QString id = socket->id();
    // From the other node, through the stream, with its offset.
    m_nodes[1].server->emitEvent(s("news"), {s("one")});
    QTRY_COMPARE(news, QStringList{s("one")});

    // Node 0 shuts down: the session goes to Redis. Nothing can reconnect for now.
    balancer.setTarget(0);
    QSignalSpy disconnected(socket, &ClientSocket::disconnected);
    m_nodes[0].server->close();
    QTRY_COMPARE(disconnected.size(), 1);
    QTRY_COMPARE(command({"KEYS", "sio:session:*"}).elements.size(), 1);
    m_nodes[0] = {};
    QTRY_VERIFY(clusterFormed());

    m_nodes[1].server->emitEvent(s("news"), {s("two")});
    m_nodes[1].server->to(s("r1")).emitEvent(s("news"), {s("three")});
    m_nodes[1].server->to(s("elsewhere")).emitEvent(s("news"), {s("not-for-us")});
    m_nodes[1].server->except(s("r1")).emitEvent(s("news"), {s("not-for-us")});
    m_nodes[1].server->emitEvent(s("news"), {s("four"), QByteArray("\x07", 1)});

    balancer.setTarget(m_nodes[1].server->serverPort());
    QTRY_VERIFY_WITH_TIMEOUT(socket->isConnected(), 10'000);
    QVERIFY(socket->isRecovered());
    QCOMPARE(socket->id(), id);
    QTRY_COMPARE(news, (QStringList{s("one"), s("two"), s("three"), s("four")}));
    // The session was taken: the key is gone.
    QCOMPARE(command({"KEYS", "sio:session:*"}).elements.size(), 0);
    // Its rooms and data came back with it.
    const QList<Socket *> sockets = m_nodes[1].server->sockets()->sockets();
    QCOMPARE(sockets.size(), 1);
    Socket *recovered = sockets.first();
    QCOMPARE(recovered->id(), id);
    QVERIFY(recovered->isRecovered());
    QCOMPARE(recovered->rooms(), (QSet<QString>{id, s("r1")}));
    QCOMPARE(recovered->data().value(s("node")).toInt(), 0);
    // Later broadcasts go on.
    m_nodes[1].server->to(s("r1")).emitEvent(s("news"), {s("five")});
    QTRY_COMPARE(news.size(), 5);
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
