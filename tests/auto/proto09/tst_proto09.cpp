// The Socket.IO 0.9 codecs: the engine's frames, payloads, request targets and JSONP forms
// (engineio/legacy09_p.h), and the messages mapped onto Socket.IO packets (parser/legacy09_p.h),
// against the bytes socket.io 0.9.19 and socket.io-client 0.9.16 write and read.
#include "engineio/legacy09_p.h"
#include "engineio/packet_p.h"
#include "parser/legacy09_p.h"

#include <QtTest/QTest>

namespace L = SocketIO::EngineIO::Legacy09;
namespace Legacy09 = SocketIO::Legacy09;
using SocketIO::EngineIO::Packet;
using SocketIO::EngineIO::PacketType;

Q_DECLARE_METATYPE(SocketIO::EngineIO::PacketType)

namespace {
const QByteArray sep = QByteArrayLiteral("\xef\xbf\xbd");
QByteArray framed(const QByteArray &frame, qsizetype units)
{
    return sep + QByteArray::number(units) + sep + frame;
}
} // namespace

class tst_Proto09 : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void target_data();
    void target();
    void frame_data();
    void frame();
    void payload_data();
    void payload();
    void encodePayload();
    void jsonpForm_data();
    void jsonpForm();
    void jsonpCall();
    void decode_data();
    void reservedEventsDropped_data();
    void reservedEventsDropped();
    void decode();
    void decodeErrors_data();
    void decodeErrors();
    void encode_data();
    void encode();
};

void tst_Proto09::target_data()
{
    QTest::addColumn<QByteArray>("rest");
    QTest::addColumn<bool>("legacy");
    QTest::addColumn<QString>("transport");
    QTest::addColumn<QString>("sid");
    QTest::addRow("handshake") << QByteArray("1/?t=1") << true << QString() << QString();
    QTest::addRow("handshake no slash") << QByteArray("1?t=1") << true << QString() << QString();
    QTest::addRow("xhr") << QByteArray("1/xhr-polling/abc?t=2") << true
                         << QStringLiteral("xhr-polling") << QStringLiteral("abc");
    QTest::addRow("trailing slash") << QByteArray("1/websocket/abc/") << true
                                    << QStringLiteral("websocket") << QStringLiteral("abc");
    QTest::addRow("modern") << QByteArray("?EIO=4&transport=polling") << false << QString()
                            << QString();
    QTest::addRow("protocol 2") << QByteArray("2/xhr-polling/abc") << false << QString()
                                << QString();
    QTest::addRow("too deep") << QByteArray("1/a/b/c") << false << QString() << QString();
    QTest::addRow("client file") << QByteArray("socket.io.js") << false << QString() << QString();
}

void tst_Proto09::target()
{
    QFETCH(QByteArray, rest);
    QFETCH(bool, legacy);
    QFETCH(QString, transport);
    QFETCH(QString, sid);
    const L::Target t = L::parseTarget(rest);
    QCOMPARE(t.isLegacy, legacy);
    QCOMPARE(t.transport, transport);
    QCOMPARE(t.sid, sid);
}

void tst_Proto09::frame_data()
{
    QTest::addColumn<QByteArray>("frame");
    QTest::addColumn<PacketType>("type");
    QTest::addRow("heartbeat") << QByteArray("2::") << PacketType::Pong;
    QTest::addRow("noop") << QByteArray("8::") << PacketType::Noop;
    QTest::addRow("event") << QByteArray("5:1+::{\"name\":\"a\"}") << PacketType::Message;
    QTest::addRow("disconnect") << QByteArray("0::") << PacketType::Message;
    QTest::addRow("heartbeat with endpoint") << QByteArray("2::/x") << PacketType::Message;
    QTest::addRow("empty") << QByteArray() << PacketType::Error;
    QTest::addRow("type 9") << QByteArray("9::") << PacketType::Error;
    QTest::addRow("no second colon") << QByteArray("5:1") << PacketType::Error;
    QTest::addRow("letter id") << QByteArray("5:a::") << PacketType::Error;
    QTest::addRow("huge id") << QByteArray("5:12345678901234567::") << PacketType::Error;
}

void tst_Proto09::frame()
{
    QFETCH(QByteArray, frame);
    QFETCH(PacketType, type);
    const Packet packet = L::decodeFrame(frame);
    QCOMPARE(packet.type, type);
    if (type == PacketType::Message)
        QCOMPARE(packet.data, frame);
}

void tst_Proto09::payload_data()
{
    QTest::addColumn<QByteArray>("payload");
    QTest::addColumn<QList<QByteArray>>("frames"); // "!" for an Error packet
    QTest::addRow("one frame") << QByteArray("3:::hi") << QList<QByteArray>{"3:::hi"};
    QTest::addRow("two") << framed("3:::a", 5) + framed("2::", 3)
                         << QList<QByteArray>{"3:::a", "2::"};
    // Lengths count UTF-16 code units, as JavaScript's String.length: é is one, 😀 two.
    const QByteArray accent = QString::fromUtf8("3:::\xc3\xa9").toUtf8();
    const QByteArray emoji = "3:::\xf0\x9f\x98\x80";
    QTest::addRow("utf16 lengths")
        << framed(accent, 5) + framed(emoji, 6) << QList<QByteArray>{accent, emoji};
    QTest::addRow("length too long") << framed("3:::a", 9) << QList<QByteArray>{"!"};
    QTest::addRow("length inside a pair") << framed(emoji, 5) << QList<QByteArray>{"!"};
    QTest::addRow("no length") << sep + sep + "3:::a" << QList<QByteArray>{"!"};
    QTest::addRow("garbage after") << framed("3:::a", 5) + "x" << QList<QByteArray>{"3:::a", "!"};
    QTest::addRow("bad frame inside")
        << framed("zz", 2) + framed("3:::a", 5) << QList<QByteArray>{"!"};
    QTest::addRow("huge length") << framed("3:::a", 99999999999) << QList<QByteArray>{"!"};
}

void tst_Proto09::payload()
{
    QFETCH(QByteArray, payload);
    QFETCH(QList<QByteArray>, frames);
    const QList<Packet> packets = L::decodePayload(payload);
    QCOMPARE(packets.size(), frames.size());
    for (qsizetype i = 0; i < frames.size(); ++i) {
        if (frames.at(i) == "!") {
            QVERIFY(packets.at(i).isError());
            QCOMPARE(i, packets.size() - 1);
        } else {
            QCOMPARE(L::encodeFrame(packets.at(i)), frames.at(i));
        }
    }
}

void tst_Proto09::encodePayload()
{
    QCOMPARE(L::encodePayload({Packet::text(PacketType::Message, "1::")}), QByteArray("1::"));
    const QList<Packet> two{Packet::text(PacketType::Ping),
                            Packet::text(PacketType::Message, "3:::\xf0\x9f\x98\x80")};
    QCOMPARE(L::encodePayload(two), framed("2::", 3) + framed("3:::\xf0\x9f\x98\x80", 6));
    QCOMPARE(L::encodeFrame(Packet::text(PacketType::Close)), QByteArray("0::"));
    QCOMPARE(L::encodeFrame(Packet::text(PacketType::Noop)), QByteArray("8::"));
}

void tst_Proto09::jsonpForm_data()
{
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<QByteArray>("payload");
    QTest::addRow("json string") << QByteArray("d=%223%3A%3A%3Aa%5Cnb%22")
                                 << QByteArray("3:::a\nb");
    QTest::addRow("plain") << QByteArray("d=3%3A%3A%3Aa+b") << QByteArray("3:::a b");
    QTest::addRow("broken json") << QByteArray("d=%223%3A%3A") << QByteArray();
    QTest::addRow("no field") << QByteArray("x=1") << QByteArray();
}

void tst_Proto09::jsonpForm()
{
    QFETCH(QByteArray, body);
    QFETCH(QByteArray, payload);
    QCOMPARE(L::decodeJsonpForm(body), payload);
}

void tst_Proto09::jsonpCall()
{
    QCOMPARE(L::jsonpCall("4", "5:::{\"name\":\"a\"}"),
             QByteArray("io.j[4](\"5:::{\\\"name\\\":\\\"a\\\"}\");"));
    // U+2028 ends a line in old JavaScript: escaped.
    QCOMPARE(L::jsonpCall("0", "3:::\xe2\x80\xa8"), QByteArray("io.j[0](\"3:::\\u2028\");"));
    // Only ASCII digits make an index: other Unicode digits would become other bytes (U+0F22
    // is a Tibetan digit whose low byte is '"').
    QCOMPARE(SocketIO::EngineIO::jsonpIndex(u"1\u0F22);alert(2"), QByteArray("12"));
    QCOMPARE(SocketIO::EngineIO::jsonpIndex(u"\uA900"), QByteArray());
}

void tst_Proto09::decode_data()
{
    QTest::addColumn<QByteArray>("message");
    QTest::addColumn<int>("type");
    QTest::addColumn<QString>("nsp");
    QTest::addColumn<qint64>("id");
    QTest::addColumn<QVariant>("data");
    QTest::addColumn<qint64>("autoAck");
    const int event = int(SocketIO::Packet::Type::Event);
    QTest::addRow("event with data ack")
        << QByteArray("5:3+::{\"name\":\"x\",\"args\":[1,\"b\"]}") << event << QStringLiteral("/")
        << qint64(3) << QVariant(QVariantList{QStringLiteral("x"), 1, QStringLiteral("b")})
        << qint64(-1);
    QTest::addRow("event auto ack")
        << QByteArray("5:4::{\"name\":\"x\"}") << event << QStringLiteral("/") << qint64(-1)
        << QVariant(QVariantList{QStringLiteral("x")}) << qint64(4);
    QTest::addRow("event in nsp") << QByteArray("5::/chat:{\"name\":\"x\",\"args\":[]}") << event
                                  << QStringLiteral("/chat") << qint64(-1)
                                  << QVariant(QVariantList{QStringLiteral("x")}) << qint64(-1);
    QTest::addRow("message") << QByteArray("3:::a:b") << event << QStringLiteral("/") << qint64(-1)
                             << QVariant(
                                    QVariantList{QStringLiteral("message"), QStringLiteral("a:b")})
                             << qint64(-1);
    QTest::addRow("json message") << QByteArray("4::/c:{\"k\":true}") << event
                                  << QStringLiteral("/c") << qint64(-1)
                                  << QVariant(
                                         QVariantList{QStringLiteral("message"),
                                                      QVariantMap{{QStringLiteral("k"), true}}})
                                  << qint64(-1);
    QTest::addRow("ack with args")
        << QByteArray("6:::12+[\"r\"]") << int(SocketIO::Packet::Type::Ack) << QStringLiteral("/")
        << qint64(12) << QVariant(QVariantList{QStringLiteral("r")}) << qint64(-1);
    QTest::addRow("ack without args")
        << QByteArray("6::/chat:7") << int(SocketIO::Packet::Type::Ack) << QStringLiteral("/chat")
        << qint64(7) << QVariant(QVariantList{}) << qint64(-1);
    QTest::addRow("connect with query")
        << QByteArray("1::/chat:?token=a%20b") << int(SocketIO::Packet::Type::Connect)
        << QStringLiteral("/chat") << qint64(-1)
        << QVariant(QVariantMap{{QStringLiteral("token"), QStringLiteral("a b")}}) << qint64(-1);
    QTest::addRow("connect query in endpoint")
        << QByteArray("1::/chat?x=1") << int(SocketIO::Packet::Type::Connect)
        << QStringLiteral("/chat") << qint64(-1)
        << QVariant(QVariantMap{{QStringLiteral("x"), QStringLiteral("1")}}) << qint64(-1);
    QTest::addRow("leave nsp") << QByteArray("0::/chat") << int(SocketIO::Packet::Type::Disconnect)
                               << QStringLiteral("/chat") << qint64(-1) << QVariant() << qint64(-1);
}

void tst_Proto09::decode()
{
    QFETCH(QByteArray, message);
    QFETCH(int, type);
    QFETCH(QString, nsp);
    QFETCH(qint64, id);
    QFETCH(QVariant, data);
    QFETCH(qint64, autoAck);
    SocketIO::Packet packet;
    Legacy09::Extra extra;
    QString error;
    QVERIFY2(Legacy09::decode(message, &packet, &extra, &error), qPrintable(error));
    QCOMPARE(int(packet.type), type);
    QCOMPARE(packet.nsp, nsp);
    QCOMPARE(packet.id, id);
    QCOMPARE(packet.data, data);
    QCOMPARE(extra.autoAckId, autoAck);
    QVERIFY(!extra.ignore);
    QVERIFY(!extra.disconnectAll);
}

void tst_Proto09::reservedEventsDropped_data()
{
    QTest::addColumn<QString>("name");
    for (const char *name : {"disconnect", "connect", "connect_error", "disconnecting",
                             "newListener", "removeListener"})
        QTest::addRow("%s", name) << QString::fromLatin1(name);
}

void tst_Proto09::reservedEventsDropped()
{
    // The server's own event names never arrive as the client's (CVE-2023-32695 for the
    // modern decoders); 0.9's blacklist dropped them too, acks included.
    QFETCH(QString, name);
    SocketIO::Packet packet;
    Legacy09::Extra extra;
    QString error;
    const QByteArray message = "5:7::{\"name\":\"" + name.toLatin1() + "\",\"args\":[1]}";
    QVERIFY2(Legacy09::decode(message, &packet, &extra, &error), qPrintable(error));
    QVERIFY(extra.ignore);
    QCOMPARE(extra.autoAckId, qint64(-1));
}

void tst_Proto09::decodeErrors_data()
{
    QTest::addColumn<QByteArray>("message");
    QTest::addRow("event not json") << QByteArray("5:::{nope");
    QTest::addRow("event not object") << QByteArray("5:::[1]");
    QTest::addRow("event without name") << QByteArray("5:::{\"args\":[]}");
    QTest::addRow("event name not string") << QByteArray("5:::{\"name\":1}");
    QTest::addRow("args not list") << QByteArray("5:::{\"name\":\"a\",\"args\":3}");
    QTest::addRow("json message not json") << QByteArray("4:::{");
    QTest::addRow("ack without id") << QByteArray("6:::+[1]");
    QTest::addRow("ack args not list") << QByteArray("6:::1+{}");
    QTest::addRow("ack junk") << QByteArray("6:::1x");
    QTest::addRow("endpoint without slash") << QByteArray("1::chat");
    QTest::addRow("truncated") << QByteArray("5:");
}

void tst_Proto09::decodeErrors()
{
    QFETCH(QByteArray, message);
    SocketIO::Packet packet;
    Legacy09::Extra extra;
    QString error;
    QVERIFY(!Legacy09::decode(message, &packet, &extra, &error));
    QVERIFY(!error.isEmpty());
}

void tst_Proto09::encode_data()
{
    QTest::addColumn<int>("type");
    QTest::addColumn<QString>("nsp");
    QTest::addColumn<qint64>("id");
    QTest::addColumn<QVariant>("data");
    QTest::addColumn<QByteArray>("message");
    using Type = SocketIO::Packet::Type;
    QTest::addRow("connect main") << int(Type::Connect) << QStringLiteral("/") << qint64(-1)
                                  << QVariant() << QByteArray("1::");
    QTest::addRow("connect nsp") << int(Type::Connect) << QStringLiteral("/chat") << qint64(-1)
                                 << QVariant() << QByteArray("1::/chat");
    QTest::addRow("disconnect") << int(Type::Disconnect) << QStringLiteral("/chat") << qint64(-1)
                                << QVariant() << QByteArray("0::/chat");
    QTest::addRow("connect error") << int(Type::ConnectError) << QStringLiteral("/x") << qint64(-1)
                                   << QVariant() << QByteArray("7::/x:2");
    QTest::addRow("event") << int(Type::Event) << QStringLiteral("/") << qint64(-1)
                           << QVariant(QVariantList{QStringLiteral("a"), 1})
                           << QByteArray("5:::{\"name\":\"a\",\"args\":[1]}");
    QTest::addRow("event no args")
        << int(Type::Event) << QStringLiteral("/c") << qint64(-1)
        << QVariant(QVariantList{QStringLiteral("a")}) << QByteArray("5::/c:{\"name\":\"a\"}");
    QTest::addRow("event with ack")
        << int(Type::Event) << QStringLiteral("/") << qint64(5)
        << QVariant(QVariantList{QStringLiteral("a")}) << QByteArray("5:5+::{\"name\":\"a\"}");
    QTest::addRow("message text") << int(Type::Event) << QStringLiteral("/") << qint64(-1)
                                  << QVariant(QVariantList{QStringLiteral("message"),
                                                           QStringLiteral("hi")})
                                  << QByteArray("3:::hi");
    QTest::addRow("message json") << int(Type::Event) << QStringLiteral("/") << qint64(-1)
                                  << QVariant(QVariantList{QStringLiteral("message"), 2})
                                  << QByteArray("4:::2");
    QTest::addRow("binary is null")
        << int(Type::BinaryEvent) << QStringLiteral("/") << qint64(-1)
        << QVariant(QVariantList{QStringLiteral("b"), QByteArray("\x01")})
        << QByteArray("5:::{\"name\":\"b\",\"args\":[null]}");
    QTest::addRow("ack") << int(Type::Ack) << QStringLiteral("/chat") << qint64(3)
                         << QVariant(QVariantList{QStringLiteral("ok")})
                         << QByteArray("6::/chat:3+[\"ok\"]");
    QTest::addRow("ack empty") << int(Type::Ack) << QStringLiteral("/") << qint64(3)
                               << QVariant(QVariantList{}) << QByteArray("6:::3");
}

void tst_Proto09::encode()
{
    QFETCH(int, type);
    QFETCH(QString, nsp);
    QFETCH(qint64, id);
    QFETCH(QVariant, data);
    QFETCH(QByteArray, message);
    SocketIO::Packet packet;
    packet.type = SocketIO::Packet::Type(type);
    packet.nsp = nsp;
    packet.id = id;
    packet.data = data;
    QCOMPARE(Legacy09::encode(packet), message);
}

QTEST_GUILESS_MAIN(tst_Proto09)
#include "tst_proto09.moc"
