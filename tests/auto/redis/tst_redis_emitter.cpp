// RedisEmitter publishing into two Servers of this process that use the RedisAdapter, each with
// its own RedisCluster, on a real redis-server started here: events to all, to rooms, with
// except, binary and volatile; socketsJoin/Leave, disconnectSockets and serverSideEmit; other
// namespaces; reserved names and acknowledgements refused; the bytes on the wire against what
// @socket.io/redis-emitter 5.1 publishes (INTEROP.md C.2); the outage signals.
#include "clusterfixture.h"

#include <SocketIO/RedisEmitter>

#include <QtCore/QLoggingCategory>

using namespace SocketIO;

namespace {

QString s(const char *text)
{
    return QString::fromUtf8(text);
}

// A MessagePack fixstr, written out here rather than by the codec under test.
QByteArray str(const char *text)
{
    const QByteArray bytes(text);
    return char(0xa0 | bytes.size()) + bytes;
}

} // namespace

class tst_RedisEmitter : public QObject, public ClusterFixture
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void init();
    void cleanup();
    void emitToAll();
    void roomsAndExcept();
    void volatileAndCompress();
    void socketsJoinAndLeave();
    void disconnectSockets();
    void serverSideEmit();
    void serverSideEmitWithAckRefused();
    void namespaces();
    void reservedNamesRefused_data();
    void reservedNamesRefused();
    void wireFormat();
    void outage();

private:
    // A client of node `index` on `nsp`, joined to the rooms of its auth {"rooms": [...]},
    // named by its creation order in m_received.
    ClientSocket *client(int index, const QStringList &rooms = {}, const QString &nsp = {});
    bool allConnected() const
    {
        return std::all_of(m_clients.cbegin(), m_clients.cend(),
                           [](ClientSocket *c) { return c->isConnected(); });
    }
    static RedisAdapter *adapterOf(const ClusterNode &node, const QString &nsp = s("/"))
    {
        return qobject_cast<RedisAdapter *>(node.server->of(nsp)->adapter());
    }

    std::unique_ptr<RedisEmitter> m_emitter;
    QList<ClientSocket *> m_clients;
};

void tst_RedisEmitter::initTestCase()
{
    const QString error = m_redis.start();
    QVERIFY2(error.isEmpty(), qPrintable(error));
}

void tst_RedisEmitter::init()
{
    for (int i = 0; i < 2; ++i) {
        Server *server =
            addNode([](RedisCluster &cluster) { return cluster.adapterFactory(); }).server.get();
        QVERIFY(server->isListening());
        connect(server->of(s("/chat")), &Namespace::connection, server, [](Socket *socket) {
            socket->join(socket->handshake().auth().value(s("rooms")).toStringList());
        });
    }
    RedisAdapterOptions options;
    options.port = m_redis.port();
    m_emitter = std::make_unique<RedisEmitter>(options);
    QTRY_VERIFY(m_emitter->isConnected());
    // Both servers subscribed: each counts two (the emitter subscribes to nothing).
    QTRY_VERIFY(adapterOf(m_nodes[0]) && adapterOf(m_nodes[0])->serverCount() == 2 &&
                adapterOf(m_nodes[1]) && adapterOf(m_nodes[1])->serverCount() == 2);
}

void tst_RedisEmitter::cleanup()
{
    m_clients.clear();
    m_emitter.reset();
    clearCluster();
}

ClientSocket *tst_RedisEmitter::client(int index, const QStringList &rooms, const QString &nsp)
{
    m_clients.append(ClusterFixture::client(index, rooms, nsp));
    return m_clients.last();
}

void tst_RedisEmitter::emitToAll()
{
    client(0);
    client(1);
    QTRY_VERIFY(allConnected());
    const QVariantList args{s("x"),
                            42,
                            1.5,
                            QByteArray("\x01\x02\x03", 3),
                            QVariantMap{{s("hello"), s("world")}},
                            QVariant::fromValue(nullptr)};
    QVERIFY(m_emitter->emitEvent(s("news"), args));
    QTRY_COMPARE(m_received.value(s("0#news")), args);
    QTRY_COMPARE(m_received.value(s("1#news")), args);
    // Binary in a nested value too.
    const QVariantList nested{QVariantMap{{s("bin"), QByteArray("\xff\x00", 2)}}};
    QVERIFY(m_emitter->emitEvent(s("nested"), nested));
    QTRY_COMPARE(m_received.value(s("1#nested")), nested);
}

void tst_RedisEmitter::roomsAndExcept()
{
    client(0, {s("r1")});
    client(1, {s("r1")});
    client(1, {s("r1"), s("r2")});
    client(0, {s("r3")});
    QTRY_VERIFY(allConnected());
    // One room: the room's own channel, dropped by a server without the room.
    QVERIFY(m_emitter->to(s("r1")).except(s("r2")).emitEvent(s("one"), {1}));
    // Two rooms: the namespace's channel.
    QVERIFY(m_emitter->in(QStringList{s("r2"), s("r3")}).emitEvent(s("two"), {2}));
    // Except one socket by its id, and a room and a socket id together.
    QVERIFY(m_emitter->except(m_clients[0]->id()).emitEvent(s("notZero"), {3}));
    QVERIFY(m_emitter->to(m_clients[3]->id()).to(s("r2")).emitEvent(s("direct"), {4}));

    QTRY_COMPARE(m_received.value(s("3#direct")), QVariantList{4});
    QTRY_COMPARE(m_received.value(s("2#direct")), QVariantList{4});
    QTRY_COMPARE(m_received.value(s("3#notZero")), QVariantList{3});
    QTRY_COMPARE(m_received.value(s("2#notZero")), QVariantList{3});
    QTRY_COMPARE(m_received.value(s("1#notZero")), QVariantList{3});
    QTRY_COMPARE(m_received.value(s("3#two")), QVariantList{2});
    QTRY_COMPARE(m_received.value(s("2#two")), QVariantList{2});
    QTRY_COMPARE(m_received.value(s("1#one")), QVariantList{1});
    QTRY_COMPARE(m_received.value(s("0#one")), QVariantList{1});
    // Published after the ones above, so it arrives after them: nothing else is coming.
    QVERIFY(m_emitter->emitEvent(s("end"), {}));
    QTRY_VERIFY(m_received.contains(s("0#end")) && m_received.contains(s("1#end")) &&
                m_received.contains(s("2#end")) && m_received.contains(s("3#end")));
    QVERIFY(!m_received.contains(s("2#one")));
    QVERIFY(!m_received.contains(s("3#one")));
    QVERIFY(!m_received.contains(s("0#two")));
    QVERIFY(!m_received.contains(s("1#two")));
    QVERIFY(!m_received.contains(s("0#notZero")));
    QVERIFY(!m_received.contains(s("0#direct")));
    QVERIFY(!m_received.contains(s("1#direct")));
}

void tst_RedisEmitter::volatileAndCompress()
{
    client(0);
    client(1);
    QTRY_VERIFY(allConnected());
    const RedisEmitterOperator op = m_emitter->asVolatile().compress(false);
    QVERIFY(op.flags().isVolatile());
    QVERIFY(!op.flags().isCompressed());
    QCOMPARE(op.nsp(), s("/"));
    // A writable transport gets volatile events.
    QVERIFY(op.emitEvent(s("vol"), {1.5}));
    QTRY_COMPARE(m_received.value(s("0#vol")), QVariantList{1.5});
    QTRY_COMPARE(m_received.value(s("1#vol")), QVariantList{1.5});
}

void tst_RedisEmitter::socketsJoinAndLeave()
{
    ClientSocket *a = client(0);
    ClientSocket *b = client(1, {s("r1")});
    ClientSocket *c = client(1, {s("r1"), s("r2")});
    QTRY_VERIFY(allConnected());
    RedisAdapter *first = adapterOf(m_nodes[0]);
    RedisAdapter *second = adapterOf(m_nodes[1]);
    m_emitter->to(s("r1")).except(s("r2")).socketsJoin(s("joined"));
    QTRY_VERIFY(second->socketRooms(b->id()).contains(s("joined")));
    m_emitter->socketsJoin(QStringList{s("everyone"), s("all")});
    QTRY_VERIFY(first->socketRooms(a->id()).contains(s("everyone")));
    QTRY_VERIFY(second->socketRooms(c->id()).contains(s("all")));
    QVERIFY(!second->socketRooms(c->id()).contains(s("joined")));
    QVERIFY(!first->socketRooms(a->id()).contains(s("joined")));

    m_emitter->to(s("joined")).socketsLeave(s("everyone"));
    QTRY_VERIFY(!second->socketRooms(b->id()).contains(s("everyone")));
    m_emitter->socketsLeave(QStringList{s("all")});
    QTRY_VERIFY(!first->socketRooms(a->id()).contains(s("all")));
    QTRY_VERIFY(!second->socketRooms(c->id()).contains(s("all")));
    QVERIFY(first->socketRooms(a->id()).contains(s("everyone")));
    QVERIFY(second->socketRooms(c->id()).contains(s("everyone")));
    // The emitter's requests reach the rooms' broadcasts too.
    QVERIFY(m_emitter->to(s("joined")).emitEvent(s("inJoined"), {1}));
    QTRY_COMPARE(m_received.value(s("1#inJoined")), QVariantList{1});
}

void tst_RedisEmitter::disconnectSockets()
{
    ClientSocket *stay = client(0, {s("stay")});
    ClientSocket *go = client(1, {s("go")});
    ClientSocket *goToo = client(0, {s("go")});
    ClientSocket *closed = client(1, {s("close")});
    QTRY_VERIFY(allConnected());
    QSignalSpy closedManager(m_managers[3].get(), &Manager::closed);
    m_emitter->to(s("go")).disconnectSockets();
    QTRY_VERIFY(!go->isConnected() && !goToo->isConnected());
    // close: the whole connection goes.
    m_emitter->to(s("close")).disconnectSockets(true);
    QTRY_VERIFY(!closed->isConnected());
    QTRY_COMPARE(closedManager.size(), 1);
    QVERIFY(stay->isConnected());
}

void tst_RedisEmitter::serverSideEmit()
{
    QList<QVariantList> seen[2];
    for (int i = 0; i < 2; ++i) {
        m_nodes[i].server->sockets()->onServerSideEvent(
            s("note"), m_nodes[i].server.get(),
            [&seen, i](const QVariantList &args, const Ack &ack) {
                QVERIFY(!ack.isValid()); // nobody waits for an answer
                seen[i].append(args);
            });
    }
    QVERIFY(m_emitter->serverSideEmit(s("note"), {s("x"), 1, QVariantMap{{s("k"), true}}}));
    // Every server handles it, none has the emitter's uid.
    const QVariantList expected{s("x"), 1, QVariantMap{{s("k"), true}}};
    QTRY_COMPARE(seen[0], QList<QVariantList>{expected});
    QTRY_COMPARE(seen[1], QList<QVariantList>{expected});
    // Binary goes as JSON.stringify() writes a Buffer.
    QVERIFY(m_emitter->of(s("/")).serverSideEmit(s("note"), {QByteArray("\x01\xff", 2)}));
    const QVariantList buffer{
        QVariantMap{{s("type"), s("Buffer")}, {s("data"), QVariantList{1, 255}}}};
    QTRY_COMPARE(seen[1].size(), 2);
    QCOMPARE(seen[1].last(), buffer);
}

void tst_RedisEmitter::serverSideEmitWithAckRefused()
{
    QString error;
    int calls = 0;
    QTest::ignoreMessage(QtWarningMsg, "Acknowledgements are not supported");
    QVERIFY(!m_emitter->serverSideEmit(s("ping"), {}, this,
                                       [&](const QString &e, const QVariantList &responses) {
                                           error = e;
                                           QVERIFY(responses.isEmpty());
                                           ++calls;
                                       }));
    QCOMPARE(calls, 0); // from the event loop
    QTRY_COMPARE(calls, 1);
    QCOMPARE(error, s("Acknowledgements are not supported"));
    // Dropped with its context.
    auto context = std::make_unique<QObject>();
    QTest::ignoreMessage(QtWarningMsg, "Acknowledgements are not supported");
    QVERIFY(!m_emitter->serverSideEmit(s("ping"), {}, context.get(),
                                       [&](const QString &, const QVariantList &) { ++calls; }));
    context.reset();
    // A later call, queued after it: once it arrived, the dropped one would have too.
    bool later = false;
    QTest::ignoreMessage(QtWarningMsg, "Acknowledgements are not supported");
    m_emitter->serverSideEmit(s("ping"), {}, this,
                              [&later](const QString &, const QVariantList &) { later = true; });
    QTRY_VERIFY(later);
    QCOMPARE(calls, 1);
}

void tst_RedisEmitter::namespaces()
{
    client(0, {}, s("/chat"));
    client(1, {s("r1")}, s("/chat"));
    client(1);
    QTRY_VERIFY(allConnected());
    // Without a leading slash, as in the reference.
    const RedisEmitterOperator chat = m_emitter->of(s("chat"));
    QCOMPARE(chat.nsp(), s("/chat"));
    QCOMPARE(m_emitter->of(QString()).nsp(), s("/"));
    QVERIFY(chat.emitEvent(s("inChat"), {1}));
    QVERIFY(chat.to(s("r1")).emitEvent(s("inChatRoom"), {2}));
    chat.to(s("r1")).socketsJoin(s("chatJoined"));
    QTRY_COMPARE(m_received.value(s("0#inChat")), QVariantList{1});
    QTRY_COMPARE(m_received.value(s("1#inChat")), QVariantList{1});
    QTRY_COMPARE(m_received.value(s("1#inChatRoom")), QVariantList{2});
    QTRY_VERIFY(adapterOf(m_nodes[1], s("/chat"))
                    ->socketRooms(m_clients[1]->id())
                    .contains(s("chatJoined")));
    QVERIFY(m_emitter->emitEvent(s("inMain"), {3}));
    QTRY_COMPARE(m_received.value(s("2#inMain")), QVariantList{3});
    QVERIFY(!m_received.contains(s("2#inChat")));
    QVERIFY(!m_received.contains(s("0#inMain")));
    QVERIFY(!m_received.contains(s("0#inChatRoom")));
}

void tst_RedisEmitter::reservedNamesRefused_data()
{
    QTest::addColumn<QString>("event");
    for (const char *name : {"connect", "connect_error", "disconnect", "disconnecting",
                             "newListener", "removeListener"})
        QTest::addRow("%s", name) << s(name);
}

void tst_RedisEmitter::reservedNamesRefused()
{
    QFETCH(QString, event);
    client(0);
    QTRY_VERIFY(allConnected());
    const QByteArray warning = '"' + event.toUtf8() + "\" is a reserved event name";
    QTest::ignoreMessage(QtWarningMsg, warning.constData());
    QVERIFY(!m_emitter->emitEvent(event, {1}));
    QTest::ignoreMessage(QtWarningMsg, warning.constData());
    QVERIFY(!m_emitter->of(s("/chat")).to(s("r")).emitEvent(event));
    // Nothing was published: the next event is the first the client gets.
    QVERIFY(m_emitter->emitEvent(s("after"), {2}));
    QTRY_COMPARE(m_received.value(s("0#after")), QVariantList{2});
    QCOMPARE(m_received.size(), 1);
}

// The bytes of INTEROP.md C.2, seen by a raw subscriber, in the order published.
void tst_RedisEmitter::wireFormat()
{
    Redis::Connection raw(rawOptions());
    QList<std::pair<QByteArray, QByteArray>> seen;
    auto record = [&seen](const QByteArray &channel, const QByteArray &message) {
        seen.append({channel, message});
    };
    raw.psubscribe("socket.io*", record);
    QVERIFY(open(raw));

    m_emitter->to(s("room1")).emitEvent(s("from-emitter"), {QVariantMap{{s("a"), 1}}});
    m_emitter->emitEvent(s("from-emitter-all"), {2});
    m_emitter->serverSideEmit(s("emitter-sse"), {s("x"), 1});
    m_emitter->to(s("room1")).socketsJoin(s("room3"));
    m_emitter->socketsLeave(s("room3"));
    m_emitter->of(s("/admin")).emitEvent(s("noop-admin"), {1});
    m_emitter->asVolatile()
        .compress(false)
        .to(QStringList{s("r1"), s("r2")})
        .except(s("x"))
        .emitEvent(s("vol"), {1.5});
    m_emitter->in(s("r1")).disconnectSockets(true);
    m_emitter->disconnectSockets();
    QTRY_COMPARE(seen.size(), 9);

    const QByteArray uid = str("emitter");
    QCOMPARE(seen[0].first, QByteArray("socket.io#/#room1#"));
    QCOMPARE(seen[0].second.toHex(),
             QByteArray('\x93' + uid + '\x83' + str("type") + '\x02' + str("data") + '\x92' +
                        str("from-emitter") + '\x81' + str("a") + '\x01' + str("nsp") + str("/") +
                        '\x83' + str("rooms") + '\x91' + str("room1") + str("flags") + '\x80' +
                        str("except") + '\x90')
                 .toHex());
    QCOMPARE(seen[1].first, QByteArray("socket.io#/#"));
    QCOMPARE(seen[1].second.toHex(),
             QByteArray('\x93' + uid + '\x83' + str("type") + '\x02' + str("data") + '\x92' +
                        str("from-emitter-all") + '\x02' + str("nsp") + str("/") + '\x83' +
                        str("rooms") + '\x90' + str("flags") + '\x80' + str("except") + '\x90')
                 .toHex());
    QCOMPARE(seen[2].first, QByteArray("socket.io-request#/#"));
    QCOMPARE(seen[2].second,
             QByteArray(R"({"uid":"emitter","type":6,"data":["emitter-sse","x",1]})"));
    QCOMPARE(seen[3].first, QByteArray("socket.io-request#/#"));
    QCOMPARE(seen[3].second,
             QByteArray(R"({"type":2,"opts":{"rooms":["room1"],"except":[]},"rooms":["room3"]})"));
    QCOMPARE(seen[4].second,
             QByteArray(R"({"type":3,"opts":{"rooms":[],"except":[]},"rooms":["room3"]})"));
    QCOMPARE(seen[5].first, QByteArray("socket.io#/admin#"));
    QCOMPARE(seen[5].second.toHex(),
             QByteArray('\x93' + uid + '\x83' + str("type") + '\x02' + str("data") + '\x92' +
                        str("noop-admin") + '\x01' + str("nsp") + str("/admin") + '\x83' +
                        str("rooms") + '\x90' + str("flags") + '\x80' + str("except") + '\x90')
                 .toHex());
    // Two rooms: the namespace's channel; the flags in the order they were set; 1.5 as float64.
    QCOMPARE(seen[6].first, QByteArray("socket.io#/#"));
    QCOMPARE(seen[6].second.toHex(),
             QByteArray('\x93' + uid + '\x83' + str("type") + '\x02' + str("data") + '\x92' +
                        str("vol") + QByteArray::fromHex("cb3ff8000000000000") + str("nsp") +
                        str("/") + '\x83' + str("rooms") + '\x92' + str("r1") + str("r2") +
                        str("flags") + '\x82' + str("volatile") + '\xc3' + str("compress") +
                        '\xc2' + str("except") + '\x91' + str("x"))
                 .toHex());
    QCOMPARE(seen[7].second,
             QByteArray(R"({"type":4,"opts":{"rooms":["r1"],"except":[]},"close":true})"));
    QCOMPARE(seen[8].second,
             QByteArray(R"({"type":4,"opts":{"rooms":[],"except":[]},"close":false})"));
}

// Redis going away is reported as RedisCluster reports it, and the emitter reconnects.
void tst_RedisEmitter::outage()
{
    RedisServer own;
    const QString error = own.start();
    QVERIFY2(error.isEmpty(), qPrintable(error));
    RedisAdapterOptions options;
    options.port = own.port();
    RedisEmitter emitter(options);
    QSignalSpy changed(&emitter, &RedisEmitter::connectedChanged);
    QTRY_VERIFY(emitter.isConnected());
    QCOMPARE(changed.size(), 1);
    QCOMPARE(changed.last().at(0).toBool(), true);
    QCOMPARE(emitter.outageCount(), 0);
    QCOMPARE(emitter.options().port, own.port());

    QLoggingCategory::setFilterRules(s("socketio.redis.warning=false"));
    own.stop();
    QTRY_VERIFY(!emitter.isConnected());
    QCOMPARE(changed.size(), 2);
    QCOMPARE(changed.last().at(0).toBool(), false);
    QCOMPARE(emitter.outageCount(), 1);
    const QString restarted = own.start(); // the same port
    QVERIFY2(restarted.isEmpty(), qPrintable(restarted));
    QTRY_VERIFY_WITH_TIMEOUT(emitter.isConnected(), 10'000);
    QLoggingCategory::setFilterRules(QString());
    QCOMPARE(changed.last().at(0).toBool(), true);
}

QTEST_GUILESS_MAIN(tst_RedisEmitter)
#include "tst_redis_emitter.moc"
