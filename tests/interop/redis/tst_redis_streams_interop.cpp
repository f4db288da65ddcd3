// A mixed cluster on a real redis-server with the streams adapter: our Server with
// RedisCluster::streamsAdapterFactory(), and Node's socket.io 4.8 with
// @socket.io/redis-streams-adapter 0.3.1 (node/redis-peer.mjs --adapter streams), both with
// connection state recovery, each with a client of its own. Broadcasts (binary, rooms, the
// stream offset appended), fetchSockets() with rooms and data, serverSideEmit() with an ack,
// broadcasts with client acks, socketsJoin/Leave and disconnectSockets work both ways, and a
// client recovers its session on the other implementation's server, both ways.
#include "../../tcpforwarder.h"
#include "mixedcluster.h"

#include <QtCore/QRegularExpression>

using namespace SocketIO;

namespace {

QString s(const char *text)
{
    return QString::fromUtf8(text);
}

bool isStreamId(const QVariant &value)
{
    static const QRegularExpression id(s("^[0-9]+-[0-9]+$"));
    return value.typeId() == QMetaType::QString && id.match(value.toString()).hasMatch();
}

} // namespace

class tst_RedisStreamsInterop : public QObject
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
    void joinAndLeaveBothWays();
    void nodeClientRecoversOnQtServer();
    void qtClientRecoversOnNodeServer();
    void disconnectBothWays(); // last: both clients are gone after it

private:
    void command(const QJsonObject &command) { m_cluster.command(command); }
    QJsonObject awaitEvent(const QString &name, const QString &received = {})
    {
        return m_cluster.awaitEvent(name, received);
    }

    MixedCluster m_cluster;
    // Shorthands into m_cluster, set by initTestCase().
    Server *m_server = nullptr;
    Manager *m_manager = nullptr;
    QHash<QString, QVariantList> &m_received = m_cluster.received;
};

void tst_RedisStreamsInterop::initTestCase()
{
    ServerOptions options;
    options.connectionStateRecovery = ConnectionStateRecoveryOptions();
    const QString error =
        m_cluster.start([](RedisCluster &cluster) { return cluster.streamsAdapterFactory(); },
                        {s("--adapter"), s("streams")}, {}, options);
    QVERIFY2(error.isEmpty(), qPrintable(error));
    m_server = m_cluster.server.get();
    m_manager = m_cluster.manager.get();
}

void tst_RedisStreamsInterop::cleanupTestCase()
{
    m_cluster.stop();
}

void tst_RedisStreamsInterop::qtBroadcastReachesNodeClient()
{
    m_server->to(s("elsewhere")).emitEvent(s("roomnews"), {s("not-for-node")});
    m_server->to(s("node-room")).emitEvent(s("roomnews"), {s("for-node")});
    const QJsonObject roomnews = awaitEvent(s("received"), s("roomnews"));
    QVERIFY2(!roomnews.isEmpty(), qPrintable(m_cluster.node->log()));
    QVariantList args = roomnews.value(s("args")).toArray().toVariantList();
    QCOMPARE(args.size(), 2);
    QCOMPARE(args.first().toString(), s("for-node"));
    QVERIFY(isStreamId(args.last())); // Node appended the stream entry id

    // Binary: base64 MessagePack in the stream.
    m_server->emitEvent(s("hello"), {s("from-qt"), 1.5, QByteArray("\x01\x02\x03", 3)});
    const QJsonObject hello = awaitEvent(s("received"), s("hello"));
    QVERIFY2(!hello.isEmpty(), qPrintable(m_cluster.node->log()));
    args = hello.value(s("args")).toArray().toVariantList();
    QCOMPARE(args.size(), 4);
    QCOMPARE(args.at(0).toString(), s("from-qt"));
    QCOMPARE(args.at(1).toDouble(), 1.5);
    QCOMPARE(args.at(2).toMap().value(s("$bin")).toString(), s("010203"));
    QVERIFY(isStreamId(args.at(3)));
    // Our client got the same, with the same offset.
    QTRY_VERIFY(m_received.contains(s("hello")));
    QCOMPARE(m_received.value(s("hello")).value(3), args.at(3));
}

void tst_RedisStreamsInterop::nodeBroadcastReachesQtClient()
{
    command({{s("cmd"), s("emit")},
             {s("event"), s("fromNode")},
             {s("args"), QJsonArray{s("x"), QJsonObject{{s("$bin"), s("0102")}}}}});
    QTRY_VERIFY(m_received.contains(s("fromNode")));
    const QVariantList args = m_received.value(s("fromNode"));
    QCOMPARE(args.size(), 3);
    QCOMPARE(args.at(0).toString(), s("x"));
    QCOMPARE(args.at(1).toByteArray(), QByteArray("\x01\x02", 2));
    QVERIFY(isStreamId(args.at(2)));

    command({{s("cmd"), s("emit")},
             {s("event"), s("notForQt")},
             {s("args"), QJsonArray{1}},
             {s("rooms"), QJsonArray{s("elsewhere")}}});
    command({{s("cmd"), s("emit")},
             {s("event"), s("nodeRoom")},
             {s("args"), QJsonArray{2}},
             {s("rooms"), QJsonArray{s("qt-room")}}});
    QTRY_VERIFY(m_received.contains(s("nodeRoom")));
    QCOMPARE(m_received.value(s("nodeRoom")).value(0).toInt(), 2);
    // Added to the stream before the one above: it would have come first.
    QVERIFY(!m_received.contains(s("notForQt")));
}

void tst_RedisStreamsInterop::fetchSocketsBothWays()
{
    m_cluster.fetchSocketsBothWays();
}

void tst_RedisStreamsInterop::serverSideEmitWithAckBothWays()
{
    m_cluster.serverSideEmitWithAckBothWays();
}

void tst_RedisStreamsInterop::broadcastWithClientAcksBothWays()
{
    m_cluster.broadcastWithClientAcksBothWays();
}

// The common moves both ways, then a leave of the very room that selected the socket (Node's
// socket leaves "node-room", picked through "by-qt") and a join back.
void tst_RedisStreamsInterop::joinAndLeaveBothWays()
{
    m_cluster.remoteJoinAndLeaveBothWays();
    if (QTest::currentTestFailed())
        return;
    m_server->in(s("node-room")).socketsJoin(s("by-qt"));
    QTRY_VERIFY(m_cluster.nodeClientRooms().contains(s("by-qt")));
    m_server->in(s("by-qt")).socketsLeave(s("node-room"));
    QTRY_VERIFY(!m_cluster.nodeClientRooms().contains(s("node-room")));
    m_server->in(s("by-qt")).socketsJoin(s("node-room"));
    QTRY_VERIFY(m_cluster.nodeClientRooms().contains(s("node-room")));
}

// Node's client leaves its server (the session is saved in Redis by Node), a broadcast of ours
// goes out meanwhile, and the client resumes its session on our server.
void tst_RedisStreamsInterop::nodeClientRecoversOnQtServer()
{
    command({{s("cmd"), s("recoverStart")}});
    const QJsonObject started = awaitEvent(s("rStarted"));
    QVERIFY2(!started.isEmpty(), qPrintable(m_cluster.node->log()));
    m_server->emitEvent(s("news"), {s("before")});
    const QJsonObject ready = awaitEvent(s("rReady"));
    QVERIFY2(!ready.isEmpty(), qPrintable(m_cluster.node->log()));
    const QString id = ready.value(s("id")).toString();
    command({{s("cmd"), s("recoverDrop")}});
    const QJsonObject dropped = awaitEvent(s("rDropped"));
    QVERIFY2(!dropped.isEmpty(), qPrintable(m_cluster.node->log()));
    m_received.remove(s("news"));
    m_server->emitEvent(s("news"), {s("missed")});
    QTRY_VERIFY(m_received.contains(s("news"))); // in the stream by now
    command({{s("cmd"), s("recoverOn")}, {s("port"), m_server->serverPort()}});
    const QJsonObject connected = awaitEvent(s("rConnected"));
    QVERIFY2(!connected.isEmpty(), qPrintable(m_cluster.node->log()));
    QVERIFY(connected.value(s("recovered")).toBool());
    QCOMPARE(connected.value(s("id")).toString(), id);
    QCOMPARE(connected.value(s("news")).toArray(), (QJsonArray{s("before"), s("missed")}));
    // Its rooms and data, saved by Node, are ours now.
    Socket *recovered = nullptr;
    for (Socket *socket : m_server->sockets()->sockets()) {
        if (socket->id() == id)
            recovered = socket;
    }
    QVERIFY(recovered);
    QVERIFY(recovered->isRecovered());
    QCOMPARE(recovered->data().value(s("node")).toString(), s("node"));
}

// The reverse: our client leaves our server (the session saved by us), Node broadcasts
// meanwhile, and the client resumes on Node's server through the same address.
void tst_RedisStreamsInterop::qtClientRecoversOnNodeServer()
{
    TcpForwarder balancer(m_server->serverPort());
    ManagerOptions options;
    options.transports = {s("websocket")};
    options.reconnectionDelay = 50;
    options.reconnectionDelayMax = 200;
    Manager manager(QUrl(QStringLiteral("http://127.0.0.1:%1").arg(balancer.port())), options);
    ClientSocket *socket = manager.socket();
    QStringList news;
    socket->on(s("news"), socket, [&news](const QVariantList &args, const Ack &) {
        news.append(args.value(0).toString());
    });
    socket->connectToServer();
    QTRY_VERIFY(socket->isConnected());
    const QString id = socket->id();
    command({{s("cmd"), s("emit")}, {s("event"), s("news")}, {s("args"), QJsonArray{s("one")}}});
    QTRY_COMPARE(news, QStringList{s("one")});

    balancer.setTarget(0);
    QSignalSpy disconnected(socket, &ClientSocket::disconnected);
    for (Socket *serverSide : m_server->sockets()->sockets()) {
        if (serverSide->id() == id)
            serverSide->conn()->close();
    }
    QTRY_COMPARE(disconnected.size(), 1);
    m_received.remove(s("news"));
    command({{s("cmd"), s("emit")}, {s("event"), s("news")}, {s("args"), QJsonArray{s("two")}}});
    QTRY_VERIFY(m_received.contains(s("news"))); // Node's XADD is done
    balancer.setTarget(m_cluster.nodePort);
    QTRY_VERIFY_WITH_TIMEOUT(socket->isConnected(), 10'000);
    QVERIFY(socket->isRecovered());
    QCOMPARE(socket->id(), id);
    QTRY_COMPARE(news, (QStringList{s("one"), s("two")}));
    socket->disconnectFromServer();
}

// Without closing the connections: the "io server disconnect" of a DISCONNECT packet.
void tst_RedisStreamsInterop::disconnectBothWays()
{
    m_cluster.remoteDisconnectBothWays(false);
}

QTEST_GUILESS_MAIN(tst_RedisStreamsInterop)
#include "tst_redis_streams_interop.moc"
