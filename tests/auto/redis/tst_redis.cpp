// The Redis adapter between two Servers in this process, each with its own RedisCluster (its
// own connections, so Redis counts two servers), against a real redis-server started here:
// broadcasts with rooms, except and binary, fetchSockets, socketsJoin/Leave, disconnectSockets,
// serverSideEmit with acks, broadcasts with client acks and their timeout, the wire format
// seen by a raw subscriber, the emitter's messages, the specific response channel, AUTH with
// an ACL user, and reconnection after Redis restarts. The connection itself: sharded Pub/Sub,
// commands failing at once while Redis is down, TLS; and faults under load: Redis killed
// while a server floods broadcasts, and an unreachable Redis at start-up.
#include "../selfsigned.h"
#include "clustercases.h"

#include "parser/json_p.h"
#include "parser/msgpack_p.h"

#include <QtCore/QRegularExpression>
#include <QtCore/QTemporaryDir>
#include <QtCore/QTimer>

using namespace SocketIO;

namespace {

QString s(const char *text)
{
    return QString::fromUtf8(text);
}

// Counts the warnings whose text contains `needle`, and passes every message on to QTest.
class WarningCounter
{
public:
    explicit WarningCounter(const QString &needle)
    {
        s_needle = needle;
        s_count = 0;
        s_previous = qInstallMessageHandler(&WarningCounter::handle);
    }
    ~WarningCounter() { qInstallMessageHandler(s_previous); }
    int count() const { return s_count; }

private:
    static void handle(QtMsgType type, const QMessageLogContext &context, const QString &text)
    {
        if (type == QtWarningMsg && text.contains(s_needle))
            ++s_count;
        s_previous(type, context, text);
    }
    static inline QString s_needle;
    static inline int s_count = 0;
    static inline QtMessageHandler s_previous = nullptr;
};

} // namespace

class tst_Redis : public QObject, public ClusterFixture
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanup();
    void broadcast();
    void roomsAndExcept();
    void fetchSockets();
    void socketsJoinAndLeave();
    void disconnectSockets();
    void serverSideEmitWithAck();
    void broadcastWithClientAcks();
    void wireFormat();
    void emitterMessages();
    void specificResponseChannel();
    void authWithAclUser();
    void reconnectsAfterOutage();
    void shardedPubSub();
    void commandsFailWhileDown();
    void tls();
    void faultsUnderLoad();
    void unreachableAtStartup();

private:
    friend struct ClusterCases<tst_Redis>;
    // A node on this test's redis-server, unless `port` names another one.
    ClusterNode &startNode(const RedisAdapterOptions &options = {}, quint16 port = 0)
    {
        return addNode([](RedisCluster &cluster) { return cluster.adapterFactory(); }, options, {},
                       port);
    }
    // Starts `count` nodes; true once each adapter counts them all (within 5 s).
    bool startCluster(int count)
    {
        for (int i = 0; i < count; ++i)
            startNode();
        return QTest::qWaitFor([this] { return clusterFormed(); }, 5000);
    }
    static RedisAdapter *adapterOf(const ClusterNode &node)
    {
        return qobject_cast<RedisAdapter *>(node.server->sockets()->adapter());
    }
};

void tst_Redis::initTestCase()
{
    const QString error = m_redis.start();
    QVERIFY2(error.isEmpty(), qPrintable(error));
}

void tst_Redis::cleanup()
{
    clearCluster();
}

void tst_Redis::broadcast()
{
    ClusterCases<tst_Redis>::broadcast(*this);
}

void tst_Redis::roomsAndExcept()
{
    ClusterCases<tst_Redis>::roomsAndExcept(*this);
}

void tst_Redis::fetchSockets()
{
    ClusterCases<tst_Redis>::fetchSockets(*this);
}

void tst_Redis::socketsJoinAndLeave()
{
    ClusterCases<tst_Redis>::socketsJoinAndLeave(*this);
}

void tst_Redis::disconnectSockets()
{
    ClusterCases<tst_Redis>::disconnectSockets(*this);
}

void tst_Redis::serverSideEmitWithAck()
{
    ClusterCases<tst_Redis>::serverSideEmitWithAck(*this);
}

void tst_Redis::broadcastWithClientAcks()
{
    ClusterCases<tst_Redis>::broadcastWithClientAcks(*this);
}

void tst_Redis::authWithAclUser()
{
    RedisServer secured;
    const QString error = secured.start({s("--user"), s("alice"), s("on"), s(">secret"), s("~*"),
                                         s("&*"), s("+@all"), s("--user"), s("default"), s("off")});
    QVERIFY2(error.isEmpty(), qPrintable(error));
    RedisAdapterOptions options;
    options.port = secured.port();
    options.username = s("alice");
    options.password = s("wrong");
    {
        RedisCluster refused(options);
        QSignalSpy errors(&refused, &RedisCluster::errorOccurred);
        // Once per connection (publish, subscribe), not at every retry.
        QTest::ignoreMessage(QtWarningMsg, QRegularExpression(s("AUTH failed")));
        QTest::ignoreMessage(QtWarningMsg, QRegularExpression(s("AUTH failed")));
        QTRY_VERIFY(errors.size() >= 4); // both connections, and again after the backoff
        QVERIFY(!refused.isConnected());
    }
    options.password = s("secret");
    RedisCluster cluster(options);
    QTRY_VERIFY(cluster.isConnected());
}

void tst_Redis::reconnectsAfterOutage()
{
    QVERIFY(startCluster(2));
    ClientSocket *a = client(0);
    ClientSocket *b = client(1);
    QTRY_VERIFY(a->isConnected() && b->isConnected());
    QSignalSpy changed(m_nodes[1].redis.get(), &RedisCluster::connectedChanged);
    QTest::ignoreMessage(QtWarningMsg, QRegularExpression(s("lost .*outage 1")));
    QTest::ignoreMessage(QtWarningMsg, QRegularExpression(s("lost .*outage 1")));
    QTest::ignoreMessage(QtWarningMsg, QRegularExpression(s("lost .*outage 1")));
    QTest::ignoreMessage(QtWarningMsg, QRegularExpression(s("lost .*outage 1")));
    m_redis.stop();
    QTRY_VERIFY(!m_nodes[0].redis->isConnected() && !m_nodes[1].redis->isConnected());
    QVERIFY(changed.size() >= 1);
    QCOMPARE(changed.last().at(0).toBool(), false);
    QVERIFY(m_nodes[1].redis->outageCount() >= 1);
    const QString error = m_redis.start(); // the same port
    QVERIFY2(error.isEmpty(), qPrintable(error));
    QTRY_VERIFY_WITH_TIMEOUT(m_nodes[0].redis->isConnected() && m_nodes[1].redis->isConnected(),
                             10'000);
    QCOMPARE(changed.last().at(0).toBool(), true);
    m_nodes[0].server->emitEvent(s("back"), {1});
    QTRY_COMPARE(m_received.value(s("1#back")), QVariantList{1});
}

// What goes over Redis, seen by a raw subscriber: INTEROP.md B.1.
void tst_Redis::wireFormat()
{
    QVERIFY(startCluster(1));
    Redis::Connection raw(rawOptions());
    QList<std::pair<QByteArray, QByteArray>> seen;
    auto record = [&seen](const QByteArray &channel, const QByteArray &message) {
        seen.append({channel, message});
    };
    raw.psubscribe("socket.io#/#*", record);
    raw.subscribe("socket.io-request#/#", record);
    QVERIFY(open(raw));
    const QString uid = adapterOf(m_nodes[0])->uid();
    QCOMPARE(uid.size(), 6);

    m_nodes[0].server->to(s("room1")).except(s("roomX")).emitEvent(s("roomnews"), {s("x")});
    QTRY_COMPARE(seen.size(), 1);
    QCOMPARE(seen[0].first, QByteArray("socket.io#/#room1#"));
    QVERIFY(!seen[0].second.startsWith('{')); // MessagePack
    QVariant decoded;
    QString error;
    QVERIFY(MsgPack::decode(seen[0].second, &decoded, &error));
    QCOMPARE(decoded.toList(),
             (QVariantList{uid,
                           QVariantMap{{s("type"), 2},
                                       {s("data"), QVariantList{s("roomnews"), s("x")}},
                                       {s("nsp"), s("/")}},
                           QVariantMap{{s("rooms"), QVariantList{s("room1")}},
                                       {s("except"), QVariantList{s("roomX")}},
                                       {s("flags"), QVariantMap{}}}}));

    m_nodes[0].server->asVolatile().compress(false).emitEvent(s("vol"), {1.5});
    QTRY_COMPARE(seen.size(), 2);
    QCOMPARE(seen[1].first, QByteArray("socket.io#/#"));
    QVERIFY(seen[1].second.contains(QByteArray::fromHex("cb3ff8000000000000"))); // float64 1.5
    QVERIFY(MsgPack::decode(seen[1].second, &decoded, &error));
    QCOMPARE(decoded.toList().value(2).toMap().value(s("flags")),
             QVariant(QVariantMap{{s("volatile"), true}, {s("compress"), false}}));

    m_nodes[0].server->socketsJoin({s("room2")});
    QTRY_COMPARE(seen.size(), 3);
    QCOMPARE(seen[2].first, QByteArray("socket.io-request#/#"));
    QVERIFY(Json::parse(seen[2].second, &decoded));
    QCOMPARE(decoded.toMap(), (QVariantMap{{s("uid"), uid},
                                           {s("type"), 2},
                                           {s("opts"), QVariantMap{{s("rooms"), QVariantList{}},
                                                                   {s("except"), QVariantList{}}}},
                                           {s("rooms"), QVariantList{s("room2")}}}));
}

// What @socket.io/redis-emitter publishes (INTEROP.md B.5, C.2): uid "emitter" on broadcasts,
// no uid at all on requests.
void tst_Redis::emitterMessages()
{
    QVERIFY(startCluster(1));
    ClientSocket *inRoom = client(0, {s("room1")});
    ClientSocket *other = client(0);
    QTRY_VERIFY(inRoom->isConnected() && other->isConnected());
    Redis::Connection raw(rawOptions());
    QVERIFY(open(raw));
    const QVariantList broadcast{
        s("emitter"),
        QVariantMap{{s("type"), 2},
                    {s("data"), QVariantList{s("from-emitter"), QVariantMap{{s("a"), 1}}}},
                    {s("nsp"), s("/")}},
        QVariantMap{{s("rooms"), QVariantList{s("room1")}},
                    {s("flags"), QVariantMap{}},
                    {s("except"), QVariantList{}}}};
    raw.publish("socket.io#/#room1#", MsgPack::encode(broadcast));
    QTRY_COMPARE(m_received.value(s("0#from-emitter")), (QVariantList{QVariantMap{{s("a"), 1}}}));
    raw.publish("socket.io-request#/#",
                R"({"type":2,"opts":{"rooms":["room1"],"except":[]},"rooms":["joined"]})");
    QTRY_VERIFY(adapterOf(m_nodes[0])->socketRooms(inRoom->id()).contains(s("joined")));
    QVERIFY(!adapterOf(m_nodes[0])->socketRooms(other->id()).contains(s("joined")));
    // Sent to `other` after the room's broadcast would have been: nothing else is coming.
    m_nodes[0].server->to(other->id()).emitEvent(s("end"), {});
    QTRY_VERIFY(m_received.contains(s("1#end")));
    QVERIFY(!m_received.contains(s("1#from-emitter")));
}

// With publishOnSpecificResponseChannel, answers to a node go to its own channel, except the
// serverSideEmit acks (INTEROP.md B.1, C.1).
void tst_Redis::specificResponseChannel()
{
    RedisAdapterOptions specific;
    specific.publishOnSpecificResponseChannel = true;
    startNode(specific);
    startNode(specific);
    QTRY_VERIFY(clusterFormed());
    ClientSocket *b = client(1);
    QTRY_VERIFY(b->isConnected());
    m_nodes[1].server->sockets()->onServerSideEvent(
        s("ping"), m_nodes[1].server.get(),
        [](const QVariantList &, const Ack &ack) { ack({s("pong")}); });
    Redis::Connection raw(rawOptions());
    QList<QByteArray> channels;
    auto record = [&channels](const QByteArray &channel, const QByteArray &) {
        channels.append(channel);
    };
    const QByteArray own = "socket.io-response#/#" + adapterOf(m_nodes[0])->uid().toUtf8() + '#';
    raw.subscribe(own, record);
    raw.subscribe("socket.io-response#/#", record);
    QVERIFY(open(raw));

    QFuture<QList<RemoteSocket>> fetched = m_nodes[0].server->fetchSockets();
    QTRY_VERIFY(fetched.isFinished());
    QCOMPARE(fetched.result().size(), 1);
    QTRY_COMPARE(channels, QList<QByteArray>{own});
    QVariantList responses;
    m_nodes[0].server->sockets()->serverSideEmit(
        s("ping"), {}, m_nodes[0].server.get(),
        [&responses](const QString &, const QVariantList &r) { responses = r; });
    QTRY_COMPARE(responses, QVariantList{s("pong")});
    QTRY_COMPARE(channels, (QList<QByteArray>{own, "socket.io-response#/#"}));
}

// SSUBSCRIBE / SPUBLISH / SUNSUBSCRIBE (Redis 7), on a connection that also holds a classic
// subscription, and ordinary commands answered in order on another.
void tst_Redis::shardedPubSub()
{
    Redis::Connection sub(rawOptions());
    Redis::Connection pub(rawOptions());
    QList<std::pair<QByteArray, QByteArray>> seen;
    auto record = [&seen](const QByteArray &channel, const QByteArray &message) {
        seen.append({channel, message});
    };
    sub.ssubscribe("shard{1}", record);
    sub.subscribe("classic", record);
    QVERIFY(open(sub));
    QVERIFY(open(pub));

    // Ready means subscribed: the first SPUBLISH reaches one subscriber.
    QList<qint64> receivers;
    auto count = [&receivers](const Redis::Reply &reply) {
        QVERIFY(!reply.isError());
        receivers.append(reply.integer);
    };
    pub.spublish("shard{1}", "one", count);
    pub.publish("classic", "two", count);
    pub.command({"SET", "k", "v"});
    QByteArray value;
    pub.command({"GET", "k"}, [&value](const Redis::Reply &reply) { value = reply.string; });
    QTRY_COMPARE(seen.size(), 2);
    QCOMPARE(seen.at(0), (std::pair<QByteArray, QByteArray>("shard{1}", "one")));
    QCOMPARE(seen.at(1), (std::pair<QByteArray, QByteArray>("classic", "two")));
    QCOMPARE(receivers, (QList<qint64>{1, 1}));
    QCOMPARE(value, QByteArray("v"));

    // A second shard channel subscribed while connected, then the first one dropped; each
    // change seen by Redis before publishing on the other connection.
    auto shardSubscribers = [&pub](const QByteArray &channel) {
        const auto count = std::make_shared<qint64>(-1);
        pub.command({"PUBSUB", "SHARDNUMSUB", channel}, [count](const Redis::Reply &reply) {
            *count = reply.elements.value(1).integer;
        });
        (void)QTest::qWaitFor([count] { return *count >= 0; }, 2000);
        return *count;
    };
    sub.ssubscribe("shard{2}", record);
    QTRY_COMPARE(shardSubscribers("shard{2}"), 1);
    sub.sunsubscribe("shard{1}");
    QTRY_COMPARE(shardSubscribers("shard{1}"), 0);
    receivers.clear();
    pub.spublish("shard{2}", "three", count);
    pub.spublish("shard{1}", "gone", count);
    QTRY_COMPARE(receivers, (QList<qint64>{1, 0}));
    QTRY_COMPARE(seen.size(), 3);
    QCOMPARE(seen.at(2), (std::pair<QByteArray, QByteArray>("shard{2}", "three")));
    // Still a subscriber after the shard channel left: classic messages arrive.
    pub.publish("classic", "four");
    QTRY_COMPARE(seen.size(), 4);
    QCOMPARE(seen.at(3).second, QByteArray("four"));
}

// Nothing waits for Redis: a command on a connection that is down fails before command()
// returns, and is counted.
void tst_Redis::commandsFailWhileDown()
{
    RedisServer gone;
    QVERIFY(gone.start().isEmpty());
    Redis::ConnectionOptions options;
    options.port = gone.port();
    Redis::Connection connection(options);
    QSignalSpy ready(&connection, &Redis::Connection::connected);
    QSignalSpy disconnected(&connection, &Redis::Connection::disconnected);
    QSignalSpy errors(&connection, &Redis::Connection::errorOccurred);
    connection.open();
    QVERIFY(ready.wait(5000));
    QTest::ignoreMessage(QtWarningMsg, QRegularExpression(s("lost .*outage 1")));
    gone.stop();
    QVERIFY(disconnected.wait(5000));
    QCOMPARE(connection.outageCount(), 1);
    QTRY_VERIFY(!errors.isEmpty()); // the first reconnection attempt was refused
    const qint64 before = connection.failedCount();
    Redis::Reply reply;
    bool answered = false;
    connection.publish("channel", "message", [&](const Redis::Reply &r) {
        reply = r;
        answered = true;
    });
    QVERIFY(answered);
    QVERIFY(reply.isError());
    QCOMPARE(reply.string, QByteArray(Redis::notConnectedError));
    connection.command({"PING"});
    QCOMPARE(connection.failedCount(), before + 2);
}

// TLS through QSslSocket: a redis-server serving TLS only, with a certificate made here; a
// connection that trusts it, one that does not, and a broadcast between two servers.
void tst_Redis::tls()
{
    const SelfSigned self = SelfSigned::make();
    QVERIFY2(self.error.isEmpty(), qPrintable(self.error));
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString certFile = dir.filePath(s("redis.crt"));
    const QString keyFile = dir.filePath(s("redis.key"));
    for (const auto &[path, pem] :
         {std::pair{certFile, self.certificate.toPem()}, std::pair{keyFile, self.key.toPem()}}) {
        QFile file(path);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write(pem);
    }
    RedisServer secured;
    secured.setTls(certFile, keyFile, certFile);
    const QString error = secured.start();
    QVERIFY2(error.isEmpty(), qPrintable(error));

    RedisAdapterOptions options;
    options.setTlsEnabled(true);
    {
        // The system's CAs do not know the certificate: refused, reported, retried.
        RedisAdapterOptions untrusted = options;
        untrusted.port = secured.port();
        QTest::ignoreMessage(QtWarningMsg, QRegularExpression(s("TLS: ")));
        QTest::ignoreMessage(QtWarningMsg, QRegularExpression(s("TLS: ")));
        RedisCluster refused(untrusted);
        QSignalSpy errors(&refused, &RedisCluster::errorOccurred);
        QTRY_VERIFY(errors.size() >= 4);
        QVERIFY(errors.at(0).at(0).toString().startsWith(s("TLS: ")));
        QVERIFY(!refused.isConnected());
    }
    QSslConfiguration ssl = QSslConfiguration::defaultConfiguration();
    ssl.setCaCertificates({self.certificate});
    options.setSslConfiguration(ssl);
    QVERIFY(options.isTlsEnabled());
    QCOMPARE(options.sslConfiguration().caCertificates(), QList<QSslCertificate>{self.certificate});
    startNode(options, secured.port());
    startNode(options, secured.port());
    QTRY_VERIFY(clusterFormed());
    QVERIFY(m_nodes[0].redis->isConnected());
    ClientSocket *b = client(1);
    QTRY_VERIFY(b->isConnected());
    m_nodes[0].server->emitEvent(s("secure"), {s("over TLS")});
    QTRY_COMPARE(m_received.value(s("0#secure")), QVariantList{s("over TLS")});
}

// Redis killed (SIGKILL) while one server floods broadcasts to a client of another: nothing
// crashes or blocks, the outage is reported, each broadcast made meanwhile fails visibly (and
// still reaches this server's client), and once Redis is back on the same port, broadcasts
// arrive again.
void tst_Redis::faultsUnderLoad()
{
    QVERIFY(startCluster(2));
    ClientSocket *a = client(0);
    ClientSocket *b = client(1);
    QTRY_VERIFY(a->isConnected() && b->isConnected());
    int receivedA = 0;
    int receivedB = 0;
    int lastB = -1;
    a->on(s("flood"), a, [&receivedA](const QVariantList &, const Ack &) { ++receivedA; });
    b->on(s("flood"), b, [&](const QVariantList &args, const Ack &) {
        ++receivedB;
        lastB = args.value(0).toInt();
    });
    RedisCluster *publisher = m_nodes[0].redis.get();
    QSignalSpy failed(publisher, &RedisCluster::publishFailed);
    QSignalSpy changed(publisher, &RedisCluster::connectedChanged);
    int sent = 0;
    QTimer flood;
    flood.setInterval(1);
    connect(&flood, &QTimer::timeout, this, [&] {
        for (int i = 0; i < 10; ++i)
            m_nodes[0].server->emitEvent(s("flood"), {sent++});
    });
    flood.start();
    QTRY_VERIFY(receivedB >= 500); // flowing through Redis

    const WarningCounter warnings(s("failed since the last warning"));
    QElapsedTimer outage;
    outage.start();
    m_redis.stop();
    QTRY_VERIFY(!publisher->isConnected() && !m_nodes[1].redis->isConnected());
    QCOMPARE(changed.last().at(0).toBool(), false);
    QVERIFY(publisher->outageCount() >= 1);
    QTRY_VERIFY(failed.size() >= 1000);
    const int localBefore = receivedA;
    QTRY_VERIFY(receivedA >= localBefore + 500); // still delivered on this server
    QCOMPARE(failed.last().at(0).toString(), s("socket.io#/#"));

    const QString error = m_redis.start(); // the same port
    QVERIFY2(error.isEmpty(), qPrintable(error));
    QTRY_VERIFY_WITH_TIMEOUT(publisher->isConnected() && m_nodes[1].redis->isConnected(), 10'000);
    const qint64 outageMs = outage.elapsed();
    QCOMPARE(changed.last().at(0).toBool(), true);
    QCOMPARE(publisher->failedPublishCount(), qint64(failed.size()));
    // Rate-limited: at most one warning a second, each with the count.
    QVERIFY(warnings.count() >= 1);
    QVERIFY2(warnings.count() <= outageMs / 1000 + 2,
             qPrintable(QString::number(warnings.count())));
    const int afterReconnect = sent;
    QTRY_VERIFY_WITH_TIMEOUT(lastB >= afterReconnect, 10'000);
    flood.stop();
    QVERIFY(receivedB < sent); // the ones of the outage were lost, as reported
    qInfo("flood: %d sent, %d received by the other server, %lld failed over an outage of %lld ms",
          sent, receivedB, publisher->failedPublishCount(), outageMs);
}

// A Redis that cannot be reached (an address that drops packets, a name that does not resolve)
// while the server runs: the event loop keeps turning, broadcasts fail at once and still reach
// this server's clients.
void tst_Redis::unreachableAtStartup()
{
    for (const QString &host : {s("10.255.255.1"), s("redis.invalid")}) {
        RedisAdapterOptions options;
        options.host = host;
        startNode(options, 6379);
    }
    ClientSocket *a = client(0);
    int ticks = 0;
    QTimer ticker;
    ticker.setInterval(10);
    connect(&ticker, &QTimer::timeout, this, [&ticks] { ++ticks; });
    QElapsedTimer elapsed;
    elapsed.start();
    ticker.start();
    QTRY_VERIFY(a->isConnected());
    for (const ClusterNode &node : m_nodes) {
        QSignalSpy failed(node.redis.get(), &RedisCluster::publishFailed);
        node.server->emitEvent(s("alone"), {1});
        QCOMPARE(failed.size(), 1); // before emitEvent() returned
        QCOMPARE(node.redis->failedPublishCount(), qint64(1));
        QVERIFY(!node.redis->isConnected());
    }
    QTRY_COMPARE(m_received.value(s("0#alone")), QVariantList{1});
    QTRY_VERIFY(ticks >= 100);
    // 100 ticks of 10 ms: nothing held the loop for long.
    QVERIFY2(elapsed.elapsed() < 3000, qPrintable(QString::number(elapsed.elapsed())));
}

QTEST_GUILESS_MAIN(tst_Redis)
#include "tst_redis.moc"
