// A mixed cluster on a real redis-server: our Server with the RedisAdapter, and Node's
// socket.io 4.8 with @socket.io/redis-adapter 8.3 (node/redis-peer.mjs), each with a client of
// its own. Each side's broadcasts reach the other side's client (binary included, rooms
// honoured), fetchSockets() sees the other side's socket with its rooms and data,
// serverSideEmit() with an ack and broadcasts with client acks work both ways.
// Emitters across implementations: our RedisEmitter reaches the Node client (events, rooms,
// socketsJoin/Leave); Node's @socket.io/redis-emitter 5.1 reaches ours (events, rooms,
// serverSideEmit, socketsJoin/Leave, disconnectSockets); both emitters publish the same bytes
// on the same channels for the same calls.
#include "mixedcluster.h"

#include "redis/redisconnection_p.h"

#include <SocketIO/RedisEmitter>

using namespace SocketIO;

namespace {

// The emitter's chain of [name, arg?] steps, for redis-peer.mjs. Built by appending: clang
// reads QJsonArray{QJsonArray{...}} as a copy, not as an array holding one array.
QJsonArray chain(std::initializer_list<QJsonArray> steps)
{
    QJsonArray out;
    for (const QJsonArray &step : steps)
        out.append(step);
    return out;
}

QString s(const char *text)
{
    return QString::fromUtf8(text);
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
    void remoteJoinAndLeaveBothWays();
    // Last: they leave sockets in other rooms.
    void ourEmitterReachesNodeClient();
    void nodeEmitterReachesQtClient();
    void nodeEmitterDisconnectsQtSocket();
    void sameBytesAsNodeEmitter();
    void remoteDisconnectBothWays(); // last: both clients are gone after it

private:
    void command(const QJsonObject &command) { m_cluster.command(command); }
    QJsonObject awaitEvent(const QString &name, const QString &received = {})
    {
        return m_cluster.awaitEvent(name, received);
    }
    bool nodeClientGot(const QString &name) const;
    RedisAdapter *adapter() const
    {
        return qobject_cast<RedisAdapter *>(m_server->sockets()->adapter());
    }

    MixedCluster m_cluster;
    // Shorthands into m_cluster, set by initTestCase().
    Server *m_server = nullptr;
    Manager *m_manager = nullptr;
    PeerProcess *m_node = nullptr;
    std::unique_ptr<RedisEmitter> m_emitter;
    QHash<QString, QVariantList> &m_received = m_cluster.received;
};

void tst_RedisInterop::initTestCase()
{
    RedisAdapterOptions options;
    options.requestsTimeout = 3000;
    const QString error = m_cluster.start(
        [](RedisCluster &cluster) { return cluster.adapterFactory(); }, {}, options);
    QVERIFY2(error.isEmpty(), qPrintable(error));
    m_server = m_cluster.server.get();
    m_manager = m_cluster.manager.get();
    m_node = m_cluster.node.get();
    QVERIFY(qobject_cast<RedisAdapter *>(m_server->sockets()->adapter()));
    options.port = m_cluster.redis.port();
    m_emitter = std::make_unique<RedisEmitter>(options);
    QTRY_VERIFY(m_emitter->isConnected());
}

void tst_RedisInterop::cleanupTestCase()
{
    m_emitter.reset();
    m_cluster.stop();
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
    m_cluster.fetchSocketsBothWays();
}

void tst_RedisInterop::serverSideEmitWithAckBothWays()
{
    m_cluster.serverSideEmitWithAckBothWays();
}

void tst_RedisInterop::broadcastWithClientAcksBothWays()
{
    m_cluster.broadcastWithClientAcksBothWays();
}

bool tst_RedisInterop::nodeClientGot(const QString &name) const
{
    const QList<QJsonObject> events = m_node->events();
    return std::any_of(events.cbegin(), events.cend(), [&name](const QJsonObject &e) {
        return e.value(s("event")).toString() == u"received" &&
               e.value(s("name")).toString() == name;
    });
}

void tst_RedisInterop::ourEmitterReachesNodeClient()
{
    QVERIFY(m_emitter->to(s("elsewhere")).emitEvent(s("not-for-node"), {0}));
    QVERIFY(m_emitter->emitEvent(s("from-qt-emitter"), {1, s("two"), QByteArray("\x01\x02", 2),
                                                        QVariantMap{{s("k"), 1.5}}}));
    const QJsonObject all = awaitEvent(s("received"), s("from-qt-emitter"));
    QVERIFY2(!all.isEmpty(), qPrintable(m_node->log()));
    QCOMPARE(
        all.value(s("args")).toArray(),
        (QJsonArray{1, s("two"), QJsonObject{{s("$bin"), s("0102")}}, QJsonObject{{s("k"), 1.5}}}));
    QTRY_COMPARE(m_received.value(s("from-qt-emitter")).size(), 4); // and ours

    QVERIFY(
        m_emitter->to(s("node-room")).except(s("qt-room")).emitEvent(s("emitter-room"), {s("r")}));
    const QJsonObject room = awaitEvent(s("received"), s("emitter-room"));
    QCOMPARE(room.value(s("args")).toArray(), QJsonArray{s("r")});
    QVERIFY(!nodeClientGot(s("not-for-node")));

    // socketsJoin: the next broadcast to that room reaches the Node client (the same connection
    // publishes both, so the join is applied first).
    m_emitter->to(s("node-room")).socketsJoin(s("joined-by-qt"));
    QVERIFY(m_emitter->to(s("joined-by-qt")).emitEvent(s("in-joined"), {1}));
    QVERIFY2(!awaitEvent(s("received"), s("in-joined")).isEmpty(), qPrintable(m_node->log()));
    // Our client was not selected.
    QVERIFY(!adapter()->socketRooms(m_manager->socket()->id()).contains(s("joined-by-qt")));

    m_emitter->socketsLeave(s("joined-by-qt"));
    QVERIFY(m_emitter->to(s("joined-by-qt")).emitEvent(s("after-leave"), {2}));
    QVERIFY(m_emitter->emitEvent(s("end"), {3}));
    QVERIFY2(!awaitEvent(s("received"), s("end")).isEmpty(), qPrintable(m_node->log()));
    QVERIFY(!nodeClientGot(s("after-leave")));
}

void tst_RedisInterop::nodeEmitterReachesQtClient()
{
    const QString ours = m_manager->socket()->id();
    command({{s("cmd"), s("emitter")},
             {s("op"), s("emit")},
             {s("event"), s("from-node-emitter")},
             {s("args"), QJsonArray{1, s("x"), QJsonObject{{s("$bin"), s("0a0b")}}}}});
    QTRY_COMPARE(m_received.value(s("from-node-emitter")),
                 (QVariantList{1, s("x"), QByteArray("\x0a\x0b", 2)}));

    command({{s("cmd"), s("emitter")},
             {s("chain"), chain({{s("to"), s("nowhere")}})},
             {s("op"), s("emit")},
             {s("event"), s("not-for-qt")}});
    command({{s("cmd"), s("emitter")},
             {s("chain"), chain({{s("to"), s("qt-room")}})},
             {s("op"), s("emit")},
             {s("event"), s("node-emitter-room")},
             {s("args"), QJsonArray{true}}});
    QTRY_COMPARE(m_received.value(s("node-emitter-room")), QVariantList{true});
    QVERIFY(!m_received.contains(s("not-for-qt")));

    // serverSideEmit: our server's handler runs, without an acknowledgement to give.
    QVariantList sse;
    bool ackValid = true;
    QObject context; // the handler captures these locals
    m_server->sockets()->onServerSideEvent(s("emitter-sse"), &context,
                                           [&](const QVariantList &args, const Ack &ack) {
                                               sse = args;
                                               ackValid = ack.isValid();
                                           });
    command({{s("cmd"), s("emitter")},
             {s("op"), s("serverSideEmit")},
             {s("event"), s("emitter-sse")},
             {s("args"), QJsonArray{s("x"), 1}}});
    QTRY_COMPARE(sse, (QVariantList{s("x"), 1}));
    QVERIFY(!ackValid);

    // socketsJoin and socketsLeave, selected by room.
    command({{s("cmd"), s("emitter")},
             {s("chain"), chain({{s("to"), s("qt-room")}})},
             {s("op"), s("socketsJoin")},
             {s("rooms"), QJsonArray{s("joined-by-node"), s("second")}}});
    QTRY_VERIFY(adapter()->socketRooms(ours).contains(s("joined-by-node")));
    QVERIFY(adapter()->socketRooms(ours).contains(s("second")));
    command({{s("cmd"), s("emitter")},
             {s("op"), s("socketsLeave")},
             {s("rooms"), QJsonArray{s("joined-by-node")}}});
    QTRY_VERIFY(!adapter()->socketRooms(ours).contains(s("joined-by-node")));
    QVERIFY(adapter()->socketRooms(ours).contains(s("second")));
}

void tst_RedisInterop::nodeEmitterDisconnectsQtSocket()
{
    ManagerOptions options;
    options.transports = {s("websocket")};
    options.reconnection = false;
    Manager other(QUrl(QStringLiteral("http://127.0.0.1:%1").arg(m_server->serverPort())), options);
    ClientSocket *doomed = other.socket();
    doomed->connectToServer();
    QTRY_VERIFY(doomed->isConnected());
    QSignalSpy closed(&other, &Manager::closed);
    // Selected by its id, with the whole connection closed.
    command({{s("cmd"), s("emitter")},
             {s("chain"), chain({{s("to"), doomed->id()}})},
             {s("op"), s("disconnectSockets")},
             {s("close"), true}});
    QTRY_VERIFY(!doomed->isConnected());
    QTRY_COMPARE(closed.size(), 1);
    QVERIFY(m_manager->socket()->isConnected());
}

// The same calls through both emitters, on a key no server listens to: the same channels and
// bytes, in the same order.
void tst_RedisInterop::sameBytesAsNodeEmitter()
{
    Redis::ConnectionOptions rawOptions;
    rawOptions.port = m_cluster.redis.port();
    Redis::Connection raw(rawOptions);
    QList<std::pair<QByteArray, QByteArray>> seen;
    raw.psubscribe("cmp*", [&seen](const QByteArray &channel, const QByteArray &message) {
        seen.append({channel, message});
    });
    QSignalSpy ready(&raw, &Redis::Connection::connected);
    raw.open();
    QVERIFY(ready.wait(5000));

    RedisAdapterOptions options;
    options.port = m_cluster.redis.port();
    options.key = s("cmp");
    RedisEmitter ours(options);
    QTRY_VERIFY(ours.isConnected());

    const QJsonArray args{2,
                          1.5,
                          -1,
                          300,
                          -200,
                          70000,
                          QJsonValue::Null,
                          true,
                          s("x"),
                          QJsonObject{{s("$bin"), s("010203")}},
                          QJsonObject{{s("nested"), QJsonArray{s("a"), 1}}}};
    const QVariantList qtArgs{2,
                              1.5,
                              -1,
                              300,
                              -200,
                              70000,
                              QVariant::fromValue(nullptr),
                              true,
                              s("x"),
                              QByteArray("\x01\x02\x03", 3),
                              QVariantMap{{s("nested"), QVariantList{s("a"), 1}}}};

    // Ours.
    ours.to(s("room1")).emitEvent(s("one-room"), {QVariantMap{{s("a"), 1}}});
    ours.emitEvent(s("all"), qtArgs);
    ours.asVolatile()
        .compress(false)
        .to(QStringList{s("r1"), s("r2")})
        .except(s("x"))
        .emitEvent(s("vol"), {1.5});
    ours.compress(true).asVolatile().emitEvent(s("flags"), {});
    ours.of(s("admin")).emitEvent(s("in-admin"), {1});
    ours.of(s("/chat")).to(s("room1")).socketsJoin(QStringList{s("room3"), s("room4")});
    ours.except(s("room2")).socketsLeave(s("room3"));
    ours.to(s("r1")).disconnectSockets(true);
    ours.disconnectSockets();
    ours.serverSideEmit(s("sse"), {s("x"), 1, QVariantMap{{s("b"), QByteArray("\x01", 1)}}});
    constexpr int steps = 10;
    QTRY_COMPARE(seen.size(), steps);

    // Node's.
    auto node = [this](QJsonObject cmd) {
        cmd.insert(s("cmd"), s("emitter"));
        cmd.insert(s("key"), s("cmp"));
        command(cmd);
    };
    auto link = [](const char *name, const QJsonValue &arg = {}) {
        return arg.isUndefined() || arg.isNull() ? QJsonArray{s(name)} : QJsonArray{s(name), arg};
    };
    node({{s("chain"), chain({link("to", s("room1"))})},
          {s("op"), s("emit")},
          {s("event"), s("one-room")},
          {s("args"), QJsonArray{QJsonObject{{s("a"), 1}}}}});
    node({{s("op"), s("emit")}, {s("event"), s("all")}, {s("args"), args}});
    node({{s("chain"), chain({link("volatile"), link("compress", false),
                              link("to", QJsonArray{s("r1"), s("r2")}), link("except", s("x"))})},
          {s("op"), s("emit")},
          {s("event"), s("vol")},
          {s("args"), QJsonArray{1.5}}});
    node({{s("chain"), chain({link("compress", true), link("volatile")})},
          {s("op"), s("emit")},
          {s("event"), s("flags")}});
    node({{s("nsp"), s("admin")},
          {s("op"), s("emit")},
          {s("event"), s("in-admin")},
          {s("args"), QJsonArray{1}}});
    node({{s("nsp"), s("/chat")},
          {s("chain"), chain({link("to", s("room1"))})},
          {s("op"), s("socketsJoin")},
          {s("rooms"), QJsonArray{s("room3"), s("room4")}}});
    node({{s("chain"), chain({link("except", s("room2"))})},
          {s("op"), s("socketsLeave")},
          {s("rooms"), s("room3")}});
    node({{s("chain"), chain({link("to", s("r1"))})},
          {s("op"), s("disconnectSockets")},
          {s("close"), true}});
    node({{s("op"), s("disconnectSockets")}});
    node({{s("op"), s("serverSideEmit")},
          {s("event"), s("sse")},
          {s("args"),
           QJsonArray{s("x"), 1, QJsonObject{{s("b"), QJsonObject{{s("$bin"), s("01")}}}}}}});
    QTRY_COMPARE(seen.size(), 2 * steps);

    for (int i = 0; i < steps; ++i) {
        QCOMPARE(seen.at(i).first, seen.at(steps + i).first);
        QCOMPARE(seen.at(i).second.toHex(' '), seen.at(steps + i).second.toHex(' '));
    }
}

void tst_RedisInterop::remoteJoinAndLeaveBothWays()
{
    m_cluster.remoteJoinAndLeaveBothWays();
}

void tst_RedisInterop::remoteDisconnectBothWays()
{
    m_cluster.remoteDisconnectBothWays();
}

QTEST_GUILESS_MAIN(tst_RedisInterop)
#include "tst_redis_interop.moc"
