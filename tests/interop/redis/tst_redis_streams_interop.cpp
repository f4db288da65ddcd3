// A mixed cluster on a real redis-server with the streams adapter: our Server with
// RedisCluster::streamsAdapterFactory(), and Node's socket.io 4.8 with
// @socket.io/redis-streams-adapter 0.3.1 (node/streams-peer.mjs), both with connection state
// recovery, each with a client of its own. Broadcasts (binary, rooms, the stream offset
// appended), fetchSockets() with rooms and data, serverSideEmit() with an ack, broadcasts with
// client acks, socketsJoin/Leave and disconnectSockets work both ways, and a client recovers
// its session on the other implementation's server, both ways.
#include "../../auto/ackfuture.h"
#include "../../redisserver.h"
#include "../../tcpforwarder.h"
#include "../peerprocess.h"

#include <SocketIO/ClientSocket>
#include <SocketIO/Manager>
#include <SocketIO/Namespace>
#include <SocketIO/RedisAdapter>
#include <SocketIO/Server>
#include <SocketIO/Socket>

#include <QtCore/QJsonArray>
#include <QtCore/QRegularExpression>

using namespace SocketIO;

namespace {

QString s(const char *text)
{
    return QString::fromUtf8(text);
}

QStringList sortedStrings(const QVariantList &list)
{
    QStringList out;
    for (const QVariant &v : list)
        out.append(v.toString());
    out.sort();
    return out;
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
    void disconnectBothWays();

private:
    void command(const QJsonObject &command);
    // The first line of the peer's output not matched yet whose "event" is `name` (and whose
    // "name" is `received` when given); empty when none came within 10 s.
    QJsonObject awaitEvent(const QString &name, const QString &received = {});
    // The rooms of the Node client's socket on the Node server, once `contains` says so.
    bool nodeRooms(const std::function<bool(const QStringList &)> &contains);
    Socket *ourServerSocket() const
    {
        const QList<Socket *> sockets = m_server->sockets()->sockets();
        for (Socket *socket : sockets) {
            if (socket->id() == m_manager->socket()->id())
                return socket;
        }
        return nullptr;
    }

    RedisServer m_redis;
    std::unique_ptr<RedisCluster> m_cluster;
    std::unique_ptr<Server> m_server;
    std::unique_ptr<Manager> m_manager;
    std::unique_ptr<PeerProcess> m_node;
    quint16 m_nodePort = 0;
    QString m_nodeClientId;
    QHash<QString, QVariantList> m_received; // what our client got, by event
    qsizetype m_consumed = 0;                // peer lines already matched
};

void tst_RedisStreamsInterop::initTestCase()
{
    const QString error = m_redis.start();
    QVERIFY2(error.isEmpty(), qPrintable(error));
    QVERIFY2(
        QFileInfo::exists(s(INTEROP_NODE_DIR "/node_modules/@socket.io/redis-streams-adapter")),
        "tests/interop/node/node_modules lacks @socket.io/redis-streams-adapter: run npm ci "
        "there");

    RedisAdapterOptions options;
    options.port = m_redis.port();
    m_cluster = std::make_unique<RedisCluster>(options);
    ServerOptions serverOptions;
    serverOptions.adapter = m_cluster->streamsAdapterFactory();
    serverOptions.connectionStateRecovery = ConnectionStateRecoveryOptions();
    m_server = std::make_unique<Server>(serverOptions);
    connect(m_server.get(), &Server::connection, this, [](Socket *socket) {
        if (socket->isRecovered())
            return;
        socket->join(s("qt-room"));
        socket->setData({{s("node"), s("qt")}});
    });
    m_server->sockets()->onServerSideEvent(
        s("ping"), this, [](const QVariantList &, const Ack &ack) { ack({s("pong-from-qt")}); });
    QVERIFY(m_server->listen(QHostAddress::LocalHost, 0));

    ManagerOptions managerOptions;
    managerOptions.transports = {s("websocket")};
    managerOptions.reconnection = false;
    m_manager = std::make_unique<Manager>(
        QUrl(QStringLiteral("http://127.0.0.1:%1").arg(m_server->serverPort())), managerOptions);
    ClientSocket *client = m_manager->socket();
    client->onAny(client, [this](const QString &event, const QVariantList &args) {
        m_received.insert(event, args);
    });
    client->on(s("question"), client,
               [](const QVariantList &, const Ack &ack) { ack({s("qt-client")}); });
    client->connectToServer();

    m_node = std::make_unique<PeerProcess>(s(INTEROP_NODE_EXECUTABLE), s(INTEROP_NODE_DIR));
    m_node->process.setArguments({s("streams-peer.mjs"), s("--redis-port"),
                                  QString::number(m_redis.port()), s("--rooms"), s("node-room")});
    m_node->process.start();
    m_nodePort = quint16(awaitEvent(s("listening")).value(s("port")).toInt());
    const QJsonObject connected = awaitEvent(s("connected"));
    QVERIFY2(!connected.isEmpty(), qPrintable(m_node->log()));
    m_nodeClientId = connected.value(s("id")).toString();
    QTRY_VERIFY(client->isConnected());
    QTRY_COMPARE(m_server->sockets()->adapter()->serverCount(), 2);
    command({{s("cmd"), s("count")}});
    QCOMPARE(awaitEvent(s("count")).value(s("servers")).toInt(), 2);
}

void tst_RedisStreamsInterop::cleanupTestCase()
{
    if (m_node && m_node->process.state() != QProcess::NotRunning) {
        m_node->process.closeWriteChannel();
        awaitPeer(*m_node, 10'000);
    }
    m_manager.reset();
    m_server.reset();
    m_cluster.reset();
}

void tst_RedisStreamsInterop::command(const QJsonObject &command)
{
    m_node->process.write(QJsonDocument(command).toJson(QJsonDocument::Compact) + '\n');
}

QJsonObject tst_RedisStreamsInterop::awaitEvent(const QString &name, const QString &received)
{
    QJsonObject found;
    auto look = [&] {
        const QList<QJsonObject> events = m_node->events();
        for (qsizetype i = m_consumed; i < events.size(); ++i) {
            const QJsonObject &e = events.at(i);
            if (e.value(QLatin1String("event")).toString() == name &&
                (received.isEmpty() || e.value(QLatin1String("name")).toString() == received)) {
                found = e;
                m_consumed = i + 1;
                return true;
            }
        }
        return false;
    };
    if (!QTest::qWaitFor(look, 10'000))
        return {};
    return found;
}

bool tst_RedisStreamsInterop::nodeRooms(const std::function<bool(const QStringList &)> &contains)
{
    return QTest::qWaitFor(
        [&] {
            command({{s("cmd"), s("rooms")}});
            const QJsonObject rooms = awaitEvent(s("rooms"));
            return contains(sortedStrings(rooms.value(s("rooms")).toArray().toVariantList()));
        },
        10'000);
}

void tst_RedisStreamsInterop::qtBroadcastReachesNodeClient()
{
    m_server->to(s("elsewhere")).emitEvent(s("roomnews"), {s("not-for-node")});
    m_server->to(s("node-room")).emitEvent(s("roomnews"), {s("for-node")});
    const QJsonObject roomnews = awaitEvent(s("received"), s("roomnews"));
    QVERIFY2(!roomnews.isEmpty(), qPrintable(m_node->log()));
    QVariantList args = roomnews.value(s("args")).toArray().toVariantList();
    QCOMPARE(args.size(), 2);
    QCOMPARE(args.first().toString(), s("for-node"));
    QVERIFY(isStreamId(args.last())); // Node appended the stream entry id

    // Binary: base64 MessagePack in the stream.
    m_server->emitEvent(s("hello"), {s("from-qt"), 1.5, QByteArray("\x01\x02\x03", 3)});
    const QJsonObject hello = awaitEvent(s("received"), s("hello"));
    QVERIFY2(!hello.isEmpty(), qPrintable(m_node->log()));
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
             {s("event"), s("nodeRoom")},
             {s("args"), QJsonArray{1}},
             {s("rooms"), QJsonArray{s("elsewhere")}}});
    command({{s("cmd"), s("emit")},
             {s("event"), s("nodeRoom")},
             {s("args"), QJsonArray{2}},
             {s("rooms"), QJsonArray{s("qt-room")}}});
    QTRY_VERIFY(m_received.contains(s("nodeRoom")));
    QCOMPARE(m_received.value(s("nodeRoom")).value(0).toInt(), 2);
}

void tst_RedisStreamsInterop::fetchSocketsBothWays()
{
    QFuture<QList<RemoteSocket>> fetched = m_server->in(s("node-room")).fetchSockets();
    QTRY_VERIFY(fetched.isFinished());
    QCOMPARE(fetched.result().size(), 1);
    const RemoteSocket remote = fetched.result().constFirst();
    QCOMPARE(remote.id(), m_nodeClientId);
    QCOMPARE(remote.rooms(), (QSet<QString>{m_nodeClientId, s("node-room")}));
    QCOMPARE(remote.data().value(s("node")).toString(), s("node"));
    QFuture<QList<RemoteSocket>> all = m_server->fetchSockets();
    QTRY_VERIFY(all.isFinished());
    QCOMPARE(all.result().size(), 2);

    command({{s("cmd"), s("fetch")}, {s("rooms"), QJsonArray{s("qt-room")}}});
    const QJsonArray sockets = awaitEvent(s("fetched")).value(s("sockets")).toArray();
    QCOMPARE(sockets.size(), 1);
    const QJsonObject ours = sockets.at(0).toObject();
    QCOMPARE(ours.value(s("id")).toString(), m_manager->socket()->id());
    QCOMPARE(sortedStrings(ours.value(s("rooms")).toArray().toVariantList()),
             sortedStrings({m_manager->socket()->id(), s("qt-room")}));
    QCOMPARE(ours.value(s("data")).toObject().value(s("node")).toString(), s("qt"));
    QCOMPARE(ours.value(s("address")).toString(), s("127.0.0.1"));
}

void tst_RedisStreamsInterop::serverSideEmitWithAckBothWays()
{
    QVariantList responses;
    QString error = s("unset");
    m_server->sockets()->serverSideEmit(s("ping"), {1}, this,
                                        [&](const QString &e, const QVariantList &r) {
                                            error = e;
                                            responses = r;
                                        });
    QTRY_COMPARE(responses, QVariantList{s("pong-from-node")});
    QCOMPARE(error, QString());

    command({{s("cmd"), s("sse")}, {s("event"), s("ping")}, {s("args"), QJsonArray{1}}});
    const QJsonObject ack = awaitEvent(s("sseAck"));
    QVERIFY2(!ack.contains(s("error")), qPrintable(ack.value(s("error")).toString()));
    QCOMPARE(ack.value(s("responses")).toArray(), QJsonArray{s("pong-from-qt")});
}

void tst_RedisStreamsInterop::broadcastWithClientAcksBothWays()
{
    QFuture<QVariantList> answered = m_server->timeout(3000).emitWithAck(s("question"), {1});
    QTRY_VERIFY(answered.isFinished());
    QVERIFY(!failedWithTimeout(answered));
    QCOMPARE(sortedStrings(answered.result()), (QStringList{s("node-client"), s("qt-client")}));

    command({{s("cmd"), s("emitWithAck")},
             {s("event"), s("question")},
             {s("args"), QJsonArray{2}},
             {s("timeout"), 3000}});
    const QJsonObject acks = awaitEvent(s("acks"));
    QVERIFY2(!acks.contains(s("error")), qPrintable(acks.value(s("error")).toString()));
    QCOMPARE(sortedStrings(acks.value(s("responses")).toArray().toVariantList()),
             (QStringList{s("node-client"), s("qt-client")}));
}

void tst_RedisStreamsInterop::joinAndLeaveBothWays()
{
    // Ours asks, Node's socket moves.
    m_server->in(s("node-room")).socketsJoin(s("by-qt"));
    QVERIFY(nodeRooms([](const QStringList &rooms) { return rooms.contains(s("by-qt")); }));
    m_server->in(s("by-qt")).socketsLeave(s("node-room"));
    QVERIFY(nodeRooms([](const QStringList &rooms) { return !rooms.contains(s("node-room")); }));
    m_server->in(s("by-qt")).socketsJoin(s("node-room"));
    QVERIFY(nodeRooms([](const QStringList &rooms) { return rooms.contains(s("node-room")); }));

    // Node asks, ours moves.
    command(
        {{s("cmd"), s("join")}, {s("room"), s("by-node")}, {s("rooms"), QJsonArray{s("qt-room")}}});
    QTRY_VERIFY(ourServerSocket() && ourServerSocket()->rooms().contains(s("by-node")));
    command({{s("cmd"), s("leave")}, {s("room"), s("by-node")}});
    QTRY_VERIFY(!ourServerSocket()->rooms().contains(s("by-node")));
}

// Node's client leaves its server (the session is saved in Redis by Node), a broadcast of ours
// goes out meanwhile, and the client resumes its session on our server.
void tst_RedisStreamsInterop::nodeClientRecoversOnQtServer()
{
    command({{s("cmd"), s("recoverStart")}});
    const QJsonObject started = awaitEvent(s("rStarted"));
    QVERIFY2(!started.isEmpty(), qPrintable(m_node->log()));
    m_server->emitEvent(s("news"), {s("before")});
    const QJsonObject ready = awaitEvent(s("rReady"));
    QVERIFY2(!ready.isEmpty(), qPrintable(m_node->log()));
    const QString id = ready.value(s("id")).toString();
    command({{s("cmd"), s("recoverDrop")}});
    const QJsonObject dropped = awaitEvent(s("rDropped"));
    QVERIFY2(!dropped.isEmpty(), qPrintable(m_node->log()));
    m_received.remove(s("news"));
    m_server->emitEvent(s("news"), {s("missed")});
    QTRY_VERIFY(m_received.contains(s("news"))); // in the stream by now
    command({{s("cmd"), s("recoverOn")}, {s("port"), m_server->serverPort()}});
    const QJsonObject connected = awaitEvent(s("rConnected"));
    QVERIFY2(!connected.isEmpty(), qPrintable(m_node->log()));
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
    balancer.setTarget(m_nodePort);
    QTRY_VERIFY_WITH_TIMEOUT(socket->isConnected(), 10'000);
    QVERIFY(socket->isRecovered());
    QCOMPARE(socket->id(), id);
    QTRY_COMPARE(news, (QStringList{s("one"), s("two")}));
    socket->disconnectFromServer();
}

void tst_RedisStreamsInterop::disconnectBothWays()
{
    m_server->in(s("node-room")).disconnectSockets();
    const QJsonObject gone = awaitEvent(s("clientDisconnected"));
    QVERIFY2(!gone.isEmpty(), qPrintable(m_node->log()));
    QCOMPARE(gone.value(s("reason")).toString(), s("io server disconnect"));
    QVERIFY(m_manager->socket()->isConnected());

    command({{s("cmd"), s("disconnect")}, {s("rooms"), QJsonArray{s("qt-room")}}});
    QTRY_VERIFY(!m_manager->socket()->isConnected());
}

QTEST_GUILESS_MAIN(tst_RedisStreamsInterop)
#include "tst_redis_streams_interop.moc"
