// A mixed cluster on a real redis-server: our Server with the RedisAdapter, and Node's
// socket.io 4.8 with @socket.io/redis-adapter 8.3 (node/redis-peer.mjs), each with a client of
// its own. Each side's broadcasts reach the other side's client (binary included, rooms
// honoured), fetchSockets() sees the other side's socket with its rooms and data,
// serverSideEmit() with an ack and broadcasts with client acks work both ways.
#include "../../auto/ackfuture.h"
#include "mixedcluster.h"

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
    void command(const QJsonObject &command) { m_cluster.command(command); }
    QJsonObject awaitEvent(const QString &name, const QString &received = {})
    {
        return m_cluster.awaitEvent(name, received);
    }

    MixedCluster m_cluster;
    // Shorthands into m_cluster, set by initTestCase().
    Server *m_server = nullptr;
    Manager *m_manager = nullptr;
    PeerProcess *m_node = nullptr;
    QString m_nodeClientId;
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
    m_nodeClientId = m_cluster.nodeClientId;
    QVERIFY(qobject_cast<RedisAdapter *>(m_server->sockets()->adapter()));
}

void tst_RedisInterop::cleanupTestCase()
{
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
