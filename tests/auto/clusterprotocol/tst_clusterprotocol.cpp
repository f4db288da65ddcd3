// The B.2 cluster messages (socket.io-adapter's ClusterAdapter) as data: what our adapters
// publish has the shape Node's read, and the messages Node published (INTEROP C.3) read back.
#include "adapters/clusteradapter_p.h"
#include "parser/json_p.h"
#include "parser/msgpack_p.h"

#include <QtCore/QRegularExpression>
#include <QtTest/QTest>

using namespace SocketIO;

namespace {

QString s(const char *text)
{
    return QString::fromUtf8(text);
}

QVariant json(const char *text)
{
    QVariant value;
    if (!Json::parse(QByteArray(text), &value))
        qFatal("bad JSON in the test: %s", text);
    return value;
}

// Compared as JSON text: maps have sorted keys, and lists of strings equal string lists.
QByteArray canon(const QVariant &value)
{
    return Json::stringify(value);
}

} // namespace

class tst_ClusterProtocol : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void broadcastAsNodeWritesIt();
    void readsNodeMessages_data();
    void readsNodeMessages();
    void roundTrip_data();
    void roundTrip();
    void rejectsMalformed_data();
    void rejectsMalformed();
    void binary();
    void randomIds();
};

void tst_ClusterProtocol::broadcastAsNodeWritesIt()
{
    ClusterMessage m;
    m.type = ClusterMessage::Type::Broadcast;
    m.uid = s("63e9361f55a1525d");
    m.nsp = s("/");
    m.packet.data = QVariantList{s("roomnews"), s("x")};
    BroadcastOptions options;
    options.setRooms({s("room1")});
    options.setExcept({s("roomX")});
    m.options = options;
    // C.3, keys in another order (JSON objects are unordered).
    QCOMPARE(canon(clusterEnvelope(m)),
             canon(json(R"({"type":3,"data":{"packet":{"type":2,"data":["roomnews","x"]},)"
                        R"("opts":{"rooms":["room1"],"except":["roomX"],"flags":{}}},)"
                        R"("uid":"63e9361f55a1525d","nsp":"/"})")));

    BroadcastFlags flags;
    flags.setVolatile(true);
    flags.setCompressed(false);
    flags.setTimeout(2000);
    options.setFlags(flags);
    m.options = options;
    m.requestId = s("abc7fb205d7d43ac");
    const QVariantMap data = clusterMessageData(m);
    QCOMPARE(data.value(s("requestId")).toString(), s("abc7fb205d7d43ac"));
    QCOMPARE(data.value(s("opts")).toMap().value(s("flags")),
             json(R"({"volatile":true,"compress":false,"timeout":2000})"));
}

void tst_ClusterProtocol::readsNodeMessages_data()
{
    QTest::addColumn<QByteArray>("envelope");
    QTest::addColumn<int>("type");
    // From the captures of INTEROP C.3.
    QTest::addRow("broadcast with ack")
        << QByteArray(R"({"type":3,"data":{"packet":{"type":2,"data":["ackme",1]},)"
                      R"("requestId":"abc7fb205d7d43ac","opts":{"rooms":[],"except":[],)"
                      R"("flags":{"timeout":2000}}},"uid":"c25024bb89377651","nsp":"/"})")
        << 3;
    QTest::addRow("join")
        << QByteArray(R"({"type":4,"data":{"opts":{"rooms":["YaMXAAAB"],"except":[],"flags":{}},)"
                      R"("rooms":["room2"]},"uid":"63e9361f55a1525d","nsp":"/"})")
        << 4;
    QTest::addRow("disconnect")
        << QByteArray(R"({"type":6,"data":{"opts":{"rooms":[],"except":[],"flags":{}},)"
                      R"("close":true},"uid":"63e9361f55a1525d","nsp":"/"})")
        << 6;
    QTest::addRow("fetch")
        << QByteArray(R"({"type":7,"data":{"opts":{"rooms":[],"except":[],"flags":{}},)"
                      R"("requestId":"c137f1b7e55172dd"},"uid":"63e9361f55a1525d","nsp":"/"})")
        << 7;
    QTest::addRow("fetch response")
        << QByteArray(R"({"type":8,"data":{"requestId":"c137f1b7e55172dd","sockets":[{"id":"YaMX",)"
                      R"("handshake":{"url":"/x"},"rooms":["YaMX","room1"],"data":{"k":1}}]},)"
                      R"("uid":"241abfe036777bec","nsp":"/"})")
        << 8;
    QTest::addRow("server-side emit")
        << QByteArray(
               R"({"type":9,"data":{"requestId":"a9a0019bdd645bd6","packet":["ping-ack",5]},)"
               R"("uid":"63e9361f55a1525d","nsp":"/"})")
        << 9;
    QTest::addRow("server-side emit response")
        << QByteArray(
               R"({"type":10,"data":{"requestId":"a9a0019bdd645bd6","packet":"pong-from-B"},)"
               R"("uid":"241abfe036777bec","nsp":"/"})")
        << 10;
    QTest::addRow("client count")
        << QByteArray(R"({"type":11,"data":{"requestId":"abc7fb205d7d43ac","clientCount":1},)"
                      R"("uid":"8b75","nsp":"/"})")
        << 11;
    QTest::addRow("heartbeat") << QByteArray(R"({"type":2,"uid":"8b75","nsp":"/"})") << 2;
}

void tst_ClusterProtocol::readsNodeMessages()
{
    QFETCH(QByteArray, envelope);
    QFETCH(int, type);
    QVariant value;
    QVERIFY(Json::parse(envelope, &value));
    const std::optional<ClusterMessage> m = clusterMessageFromEnvelope(value);
    QVERIFY(m);
    QCOMPARE(int(m->type), type);
    QVERIFY(!m->uid.isEmpty());
    QCOMPARE(m->nsp, s("/"));
    // Written back, it is what Node wrote.
    QCOMPARE(canon(clusterEnvelope(*m)), canon(value));
    switch (m->type) {
    case ClusterMessage::Type::Broadcast:
        QCOMPARE(m->options.flags().timeout(), 2000);
        QCOMPARE(m->packet.data.toList(), (QVariantList{s("ackme"), 1}));
        break;
    case ClusterMessage::Type::SocketsJoin:
        QCOMPARE(m->options.rooms(), QSet<QString>{s("YaMXAAAB")});
        QCOMPARE(m->rooms, QStringList{s("room2")});
        break;
    case ClusterMessage::Type::DisconnectSockets:
        QVERIFY(m->close);
        break;
    case ClusterMessage::Type::FetchSocketsResponse:
        QCOMPARE(m->sockets.size(), 1);
        QCOMPARE(m->sockets.at(0).rooms(), (QSet<QString>{s("YaMX"), s("room1")}));
        QCOMPARE(m->sockets.at(0).data().value(s("k")).toInt(), 1);
        break;
    case ClusterMessage::Type::ServerSideEmitResponse:
        QCOMPARE(m->response.toString(), s("pong-from-B"));
        break;
    case ClusterMessage::Type::BroadcastClientCount:
        QCOMPARE(m->clientCount, 1);
        break;
    default:
        break;
    }
}

void tst_ClusterProtocol::roundTrip_data()
{
    QTest::addColumn<int>("type");
    for (int type = 1; type <= 13; ++type)
        QTest::addRow("%d", type) << type;
}

void tst_ClusterProtocol::roundTrip()
{
    QFETCH(int, type);
    ClusterMessage m;
    m.type = ClusterMessage::Type(type);
    m.uid = clusterRandomId();
    m.nsp = s("/admin");
    m.requestId = clusterRandomId();
    m.packet.data = QVariantList{s("ev"), QByteArray("\x01\x02", 2)};
    BroadcastOptions options;
    options.setRooms({s("a"), s("b")});
    options.setExcept({s("c")});
    m.options = options;
    m.rooms = QStringList{s("r")};
    m.close = true;
    m.clientCount = 3;
    m.args = QVariantList{s("ping"), 1};
    m.response = s("pong");
    SocketDetails socket;
    socket.setId(s("AAAAAAAAAAAAAAAAAAAA"));
    socket.setRooms({s("AAAAAAAAAAAAAAAAAAAA"), s("r")});
    socket.setData({{s("bin"), QByteArray("x")}});
    m.sockets = {socket};

    // Through MessagePack, which keeps binary.
    QVariant decoded;
    QString error;
    QVERIFY(MsgPack::decode(MsgPack::encode(clusterEnvelope(m)), &decoded, &error));
    const std::optional<ClusterMessage> back = clusterMessageFromEnvelope(decoded);
    QVERIFY(back);
    QCOMPARE(back->type, m.type);
    QCOMPARE(back->uid, m.uid);
    QCOMPARE(back->nsp, m.nsp);
    using Type = ClusterMessage::Type;
    switch (m.type) {
    case Type::Broadcast:
        QCOMPARE(back->packet.data, m.packet.data);
        QCOMPARE(back->options, m.options);
        QCOMPARE(back->requestId, m.requestId);
        break;
    case Type::SocketsJoin:
    case Type::SocketsLeave:
        QCOMPARE(back->options, m.options);
        QCOMPARE(back->rooms, m.rooms);
        break;
    case Type::DisconnectSockets:
        QCOMPARE(back->close, true);
        break;
    case Type::FetchSockets:
        QCOMPARE(back->options, m.options);
        QCOMPARE(back->requestId, m.requestId);
        break;
    case Type::FetchSocketsResponse:
        QCOMPARE(back->sockets, m.sockets);
        break;
    case Type::ServerSideEmit:
        QCOMPARE(back->args, m.args);
        QCOMPARE(back->requestId, m.requestId);
        break;
    case Type::ServerSideEmitResponse:
    case Type::BroadcastAck:
        QCOMPARE(back->response, m.response);
        QCOMPARE(back->requestId, m.requestId);
        break;
    case Type::BroadcastClientCount:
        QCOMPARE(back->clientCount, 3);
        break;
    default:
        QVERIFY(!clusterEnvelope(m).contains(s("data")));
        break;
    }
}

void tst_ClusterProtocol::rejectsMalformed_data()
{
    QTest::addColumn<QByteArray>("envelope");
    QTest::addRow("no type") << QByteArray(R"({"uid":"x","nsp":"/"})");
    QTest::addRow("type 14") << QByteArray(R"({"type":14,"uid":"x","nsp":"/"})");
    QTest::addRow("not an object") << QByteArray(R"([3,{}])");
    QTest::addRow("broadcast without packet")
        << QByteArray(R"({"type":3,"data":{"opts":{}},"uid":"x","nsp":"/"})");
    QTest::addRow("packet of type 3")
        << QByteArray(R"({"type":3,"data":{"packet":{"type":3,"data":[]}},"uid":"x","nsp":"/"})");
    QTest::addRow("fetch without requestId")
        << QByteArray(R"({"type":7,"data":{"opts":{}},"uid":"x","nsp":"/"})");
    QTest::addRow("response without requestId")
        << QByteArray(R"({"type":10,"data":{"packet":1},"uid":"x","nsp":"/"})");
    QTest::addRow("emit without event")
        << QByteArray(R"({"type":9,"data":{"packet":[]},"uid":"x","nsp":"/"})");
    QTest::addRow("data not an object")
        << QByteArray(R"({"type":4,"data":[1],"uid":"x","nsp":"/"})");
}

void tst_ClusterProtocol::rejectsMalformed()
{
    QFETCH(QByteArray, envelope);
    QVariant value;
    QVERIFY(Json::parse(envelope, &value));
    QVERIFY(!clusterMessageFromEnvelope(value));
}

void tst_ClusterProtocol::binary()
{
    QVERIFY(!hasBinary(QVariant()));
    QVERIFY(!hasBinary(json(R"({"a":[1,"x",{"b":null}]})")));
    QVERIFY(hasBinary(QByteArray("x")));
    QVERIFY(hasBinary(QVariantList{1, QVariantMap{{s("b"), QByteArray()}}}));
    QVERIFY(hasBinary(QVariantHash{{s("b"), QVariantList{QByteArray("y")}}}));
}

void tst_ClusterProtocol::randomIds()
{
    const QRegularExpression hex(s("^[0-9a-f]{16}$"));
    const QString a = clusterRandomId();
    QVERIFY2(hex.match(a).hasMatch(), qPrintable(a));
    QVERIFY(a != clusterRandomId());
}

QTEST_GUILESS_MAIN(tst_ClusterProtocol)
#include "tst_clusterprotocol.moc"
