// A mixed cluster on a real redis-server: our Server with the RedisAdapter, and Node's
// socket.io 4.8 with @socket.io/redis-adapter 8.3 (node/redis-peer.mjs), each with a client of
// its own. Each side's broadcasts reach the other side's client (binary included, rooms
// honoured), fetchSockets() sees the other side's socket with its rooms and data,
// serverSideEmit() with an ack and broadcasts with client acks work both ways.
#include "../../auto/ackfuture.h"
#include "../../redisserver.h"
#include "../peerprocess.h"

#include <SocketIO/ClientSocket>
#include <SocketIO/Manager>
#include <SocketIO/Namespace>
#include <SocketIO/RedisAdapter>
#include <SocketIO/Server>
#include <SocketIO/Socket>

#include <QtCore/QJsonArray>

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

} // namespace

class tst_RedisInterop : public QObject
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

private:
    void command(const QJsonObject &command);
    // The first line of the peer's output, after `from`, whose "event" is `name` (and whose
    // "name" is `received` when given); empty when none came within 10 s.
    QJsonObject awaitEvent(const QString &name, const QString &received = {});

    RedisServer m_redis;
    std::unique_ptr<RedisCluster> m_cluster;
    std::unique_ptr<Server> m_server;
    std::unique_ptr<Manager> m_manager;
    std::unique_ptr<PeerProcess> m_node;
    QString m_nodeClientId;
    QHash<QString, QVariantList> m_received; // what our client got, by event
    qsizetype m_consumed = 0;                // peer lines already matched
};

void tst_RedisInterop::initTestCase()
{
    const QString error = m_redis.start();
    QVERIFY2(error.isEmpty(), qPrintable(error));
    QVERIFY2(QFileInfo::exists(s(INTEROP_NODE_DIR "/node_modules/@socket.io/redis-adapter")),
             "tests/interop/node/node_modules lacks @socket.io/redis-adapter: run npm ci there");

    RedisAdapterOptions options;
    options.port = m_redis.port();
    options.requestsTimeout = 3000;
    m_cluster = std::make_unique<RedisCluster>(options);
    ServerOptions serverOptions;
    serverOptions.adapter = m_cluster->adapterFactory();
    m_server = std::make_unique<Server>(serverOptions);
    connect(m_server.get(), &Server::connection, this, [](Socket *socket) {
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
    m_node->process.setArguments({s("redis-peer.mjs"), s("--redis-port"),
                                  QString::number(m_redis.port()), s("--rooms"), s("node-room")});
    m_node->process.start();
    const QJsonObject connected = awaitEvent(s("connected"));
    QVERIFY2(!connected.isEmpty(), qPrintable(m_node->log()));
    m_nodeClientId = connected.value(s("id")).toString();
    QTRY_VERIFY(client->isConnected());
    auto *adapter = qobject_cast<RedisAdapter *>(m_server->sockets()->adapter());
    QVERIFY(adapter);
    QTRY_COMPARE(adapter->serverCount(), 2);
    command({{s("cmd"), s("count")}});
    QCOMPARE(awaitEvent(s("count")).value(s("servers")).toInt(), 2);
}

void tst_RedisInterop::cleanupTestCase()
{
    if (m_node && m_node->process.state() != QProcess::NotRunning) {
        m_node->process.closeWriteChannel();
        awaitPeer(*m_node, 10'000);
    }
    m_manager.reset();
    m_server.reset();
    m_cluster.reset();
}

void tst_RedisInterop::command(const QJsonObject &command)
{
    m_node->process.write(QJsonDocument(command).toJson(QJsonDocument::Compact) + '\n');
}

QJsonObject tst_RedisInterop::awaitEvent(const QString &name, const QString &received)
{
    QJsonObject found;
    auto look = [&] {
        const QList<QJsonObject> events = m_node->events();
        for (qsizetype i = m_consumed; i < events.size(); ++i) {
            const QJsonObject &e = events.at(i);
            if (e.value(s("event")).toString() == name &&
                (received.isEmpty() || e.value(s("name")).toString() == received)) {
                found = e;
                m_consumed = i + 1;
                return true;
            }
        }
        return false;
    };
    // Empty when it did not come: the caller's check says which.
    if (!QTest::qWaitFor(look, 10'000))
        return {};
    return found;
}

void tst_RedisInterop::qtBroadcastReachesNodeClient()
{
    m_server->to(s("elsewhere")).emitEvent(s("not-for-node"), {0});
    m_server->emitEvent(s("from-qt"),
                        {1, s("two"), QByteArray("\x01\x02", 2), QVariantMap{{s("k"), 1.5}}});
    const QJsonObject all = awaitEvent(s("received"), s("from-qt"));
    QVERIFY2(!all.isEmpty(), qPrintable(m_node->log()));
    QCOMPARE(
        all.value(s("args")).toArray(),
        (QJsonArray{1, s("two"), QJsonObject{{s("$bin"), s("0102")}}, QJsonObject{{s("k"), 1.5}}}));
    m_server->to(s("node-room")).except(s("qt-room")).emitEvent(s("room-qt"), {s("r")});
    const QJsonObject room = awaitEvent(s("received"), s("room-qt"));
    QCOMPARE(room.value(s("args")).toArray(), QJsonArray{s("r")});
    // Node's adapter drops a one-room message for a room it does not have.
    for (const QJsonObject &e : m_node->events())
        QVERIFY(e.value(s("name")).toString() != u"not-for-node");
    // Ours reached our own client too.
    QTRY_COMPARE(m_received.value(s("from-qt")).size(), 4);
}

void tst_RedisInterop::nodeBroadcastReachesQtClient()
{
    command({{s("cmd"), s("emit")},
             {s("event"), s("from-node")},
             {s("args"), QJsonArray{1, s("x"), QJsonObject{{s("$bin"), s("0a0b")}}}}});
    QTRY_COMPARE(m_received.value(s("from-node")),
                 (QVariantList{1, s("x"), QByteArray("\x0a\x0b", 2)}));
    command({{s("cmd"), s("emit")},
             {s("event"), s("to-qt-room")},
             {s("args"), QJsonArray{true}},
             {s("rooms"), QJsonArray{s("qt-room")}}});
    QTRY_COMPARE(m_received.value(s("to-qt-room")), QVariantList{true});
}

void tst_RedisInterop::fetchSocketsBothWays()
{
    // Ours asks: the Node server answers with its client.
    QFuture<QList<RemoteSocket>> future = m_server->fetchSockets();
    QTRY_VERIFY(future.isFinished());
    const QList<RemoteSocket> sockets = future.result();
    QCOMPARE(sockets.size(), 2);
    const auto node = std::find_if(sockets.cbegin(), sockets.cend(), [this](const RemoteSocket &r) {
        return r.id() == m_nodeClientId;
    });
    QVERIFY(node != sockets.cend());
    QCOMPARE(node->rooms(), (QSet<QString>{m_nodeClientId, s("node-room")}));
    QCOMPARE(node->data().value(s("node")).toString(), s("node"));
    QCOMPARE(node->handshake().value(s("address")).toString(), s("127.0.0.1"));

    // Node asks: ours answers with our client.
    command({{s("cmd"), s("fetch")}, {s("rooms"), QJsonArray{s("qt-room")}}});
    const QJsonObject fetched = awaitEvent(s("fetched"));
    const QJsonArray list = fetched.value(s("sockets")).toArray();
    QCOMPARE(list.size(), 1);
    const QJsonObject ours = list.at(0).toObject();
    QCOMPARE(ours.value(s("id")).toString(), m_manager->socket()->id());
    QCOMPARE(sortedStrings(ours.value(s("rooms")).toArray().toVariantList()),
             sortedStrings({m_manager->socket()->id(), s("qt-room")}));
    QCOMPARE(ours.value(s("data")).toObject().value(s("node")).toString(), s("qt"));
    QCOMPARE(ours.value(s("address")).toString(), s("127.0.0.1"));
}

void tst_RedisInterop::serverSideEmitWithAckBothWays()
{
    QString error = s("unset");
    QVariantList responses;
    m_server->sockets()->serverSideEmit(s("ping"), {}, this,
                                        [&](const QString &e, const QVariantList &r) {
                                            error = e;
                                            responses = r;
                                        });
    QTRY_COMPARE(responses, QVariantList{s("pong-from-node")});
    QCOMPARE(error, QString());

    command({{s("cmd"), s("sse")}, {s("event"), s("ping")}});
    const QJsonObject ack = awaitEvent(s("sseAck"));
    QVERIFY2(!ack.contains(s("error")), qPrintable(ack.value(s("error")).toString()));
    QCOMPARE(ack.value(s("responses")).toArray(), QJsonArray{s("pong-from-qt")});
}

void tst_RedisInterop::broadcastWithClientAcksBothWays()
{
    QFuture<QVariantList> ours = m_server->timeout(3000).emitWithAck(s("question"), {1});
    QTRY_VERIFY(ours.isFinished());
    QVERIFY(!failedWithTimeout(ours));
    QCOMPARE(sortedStrings(ours.result()), (QStringList{s("node-client"), s("qt-client")}));

    command({{s("cmd"), s("emitWithAck")},
             {s("event"), s("question")},
             {s("args"), QJsonArray{2}},
             {s("timeout"), 3000}});
    const QJsonObject acks = awaitEvent(s("acks"));
    QVERIFY2(!acks.contains(s("error")), qPrintable(acks.value(s("error")).toString()));
    QCOMPARE(sortedStrings(acks.value(s("responses")).toArray().toVariantList()),
             (QStringList{s("node-client"), s("qt-client")}));
}

QTEST_GUILESS_MAIN(tst_RedisInterop)
#include "tst_redis_interop.moc"
