// MessagePack codec and the msgpack Socket.IO parser, against the bytes that npm
// notepack.io 3.0.1 and socket.io-msgpack-parser 3.0.2 produce and accept. Every golden
// below was printed by Node from the reference; Node is not needed to run it.
#include <SocketIO/Parser>

#include "parser/msgpack_p.h"
#include "parser/parsers_p.h"

#include "../packetdump.h"

#include <QtCore/QDateTime>
#include <QtTest/QTest>

#include <cmath>
#include <limits>

using namespace SocketIO;

Q_DECLARE_METATYPE(SocketIO::Packet)

namespace {

QString s(const char *utf8)
{
    return QString::fromUtf8(utf8);
}

QByteArray hex(const char *digits)
{
    return QByteArray::fromHex(digits);
}

QVariant null()
{
    return QVariant::fromValue(nullptr);
}

using PacketDump::dump;

// Decodes one message with the msgpack parser: the packets, or "ERROR: <message>".
QString decodePacket(const QByteArray &bytes)
{
    auto decoder = Parser::msgpackParser()->createDecoder();
    QList<Packet> packets;
    QString error;
    if (!decoder->add(bytes, true, &packets, &error))
        return QStringLiteral("ERROR: ") + error;
    QStringList items;
    for (const Packet &packet : packets)
        items.append(dump(packet));
    return u'[' + items.join(u',') + u']';
}

Packet packet(Packet::Type type, const QString &nsp, qint64 id, const QVariant &data = {})
{
    Packet p;
    p.type = type;
    p.nsp = nsp;
    p.id = id;
    p.data = data;
    return p;
}

QVariantList zeros(int n)
{
    return QVariantList(n, QVariant(0));
}

// {"k00000": 0, "k00001": 0, ...}: sorted the same in QVariantMap and in insertion order.
QVariantMap keyedZeros(int n)
{
    QVariantMap map;
    for (int i = 0; i < n; ++i)
        map.insert(QStringLiteral("k%1").arg(i, 5, 10, QLatin1Char('0')), 0);
    return map;
}

QByteArray keyedZerosBody(int n)
{
    QByteArray out;
    for (int i = 0; i < n; ++i)
        out += '\xa6' + QStringLiteral("k%1").arg(i, 5, 10, QLatin1Char('0')).toLatin1() + '\0';
    return out;
}

} // namespace

class tst_MsgPack : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void encode_data();
    void encode();
    void largeContainers_data();
    void largeContainers();
    void roundTrip_data();
    void roundTrip();
    void decode_data();
    void decode();
    void nestingLimit_data();
    void nestingLimit();

    void goldenPackets_data();
    void goldenPackets();
    void invalidPackets_data();
    void invalidPackets();
    void binaryTypesTravelInline();
};

// --- MsgPack -------------------------------------------------------------------------------

void tst_MsgPack::encode_data()
{
    QTest::addColumn<QVariant>("value");
    QTest::addColumn<QByteArray>("expected"); // notepack.io's encode() of the same JS value
    QTest::addColumn<QString>("knownBug");

    auto row = [](const char *name, const QVariant &value, const char *golden,
                  const QString &knownBug = QString()) {
        QTest::addRow("%s", name) << value << hex(golden) << knownBug;
    };
    row("positive fixint 0", 0, "00");
    row("positive fixint 1", qint64(1), "01");
    row("positive fixint 127", 127, "7f");
    row("uint8 128", 128, "cc80");
    row("uint8 255", 255, "ccff");
    row("uint16 256", 256, "cd0100");
    row("uint16 65535", 65535, "cdffff");
    row("uint32 65536", 65536, "ce00010000");
    row("uint32 max", qint64(4294967295), "ceffffffff");
    row("uint64 2^32", qint64(4294967296), "cf0000000100000000");
    row("uint64 2^53-1", qint64(9007199254740991), "cf001fffffffffffff");
    row("uint from quint32", QVariant(quint32(65536)), "ce00010000");
    row("negative fixint -1", -1, "ff");
    row("negative fixint -32", -32, "e0");
    row("int8 -33", -33, "d0df");
    row("int8 -128", -128, "d080");
    row("int16 -129", -129, "d1ff7f");
    row("int16 -32768", -32768, "d18000");
    row("int32 -32769", -32769, "d2ffff7fff");
    row("int32 min", qint64(-2147483648LL), "d280000000");
    row("int64 -2^31-1", qint64(-2147483649LL), "d3ffffffff7fffffff");
    row("int64 -(2^53-1)", qint64(-9007199254740991LL), "d3ffe0000000000001");
    row("float64 1.5", 1.5, "cb3ff8000000000000");
    row("float64 -0.25", -0.25, "cbbfd0000000000000");
    row("float64 0.1", 0.1, "cb3fb999999999999a");
    row("float 1.5f", QVariant(1.5f), "cb3ff8000000000000");
    row("integral double is an int", 3.0, "03");
    row("-0 is int 0", -0.0, "00");
    row("NaN", std::nan(""), "cb7ff8000000000000");
    row("Infinity", std::numeric_limits<double>::infinity(), "cb7ff0000000000000");
    row("nil", null(), "c0");
    row("true", true, "c3");
    row("false", false, "c2");
    row("fixstr empty", QString(), "a0");
    row("fixstr a", s("a"), "a161");
    row("fixstr utf-8", s("é€😀"), "a9c3a9e282acf09f9880");
    row("bin8 empty", QByteArray(), "c400");
    row("bin8", hex("0102ff"), "c4030102ff");
    row("fixarray nested", QVariantList{1, QVariantList{2, QVariantList{}}}, "9201920290");
    row("string list", QStringList{s("a")}, "91a161");
    row("fixmap sorted", QVariantMap{{s("b"), QVariantList{}}, {s("a"), QVariantMap{}}},
        "82a16180a16290");
    row("map skips undefined", QVariantMap{{s("a"), QVariant()}, {s("b"), 1}}, "81a16201");
    row("hash", QVariantHash{{s("a"), 1}}, "81a16101");
    row("undefined in a list", QVariantList{QVariant()}, "91c0");
    row("QDateTime", QDateTime(QDate(2020, 1, 2), QTime(3, 4, 5, 6), Qt::UTC),
        "d7ff016e36005e0d5da5");
    row("QDateTime whole seconds", QDateTime(QDate(2020, 1, 2), QTime(3, 4, 5), Qt::UTC),
        "d6ff5e0d5da5");
}

void tst_MsgPack::encode()
{
    QFETCH(QVariant, value);
    QFETCH(QByteArray, expected);
    QFETCH(QString, knownBug);
    const QByteArray bytes = MsgPack::encode(value);
    QByteArray appended = "x";
    MsgPack::write(value, appended);
    QCOMPARE(appended, "x" + bytes);
    if (!knownBug.isEmpty())
        QEXPECT_FAIL("", qPrintable(knownBug), Continue);
    QCOMPARE(bytes.toHex(), expected.toHex());
}

void tst_MsgPack::largeContainers_data()
{
    QTest::addColumn<QVariant>("value");
    QTest::addColumn<QByteArray>("expected");
    const QByteArray x = "x";
    // Headers from notepack.io; the bodies are the repeated content.
    QTest::addRow("fixstr 31") << QVariant(QString(31, u'x')) << hex("bf") + x.repeated(31);
    QTest::addRow("str8 32") << QVariant(QString(32, u'x')) << hex("d920") + x.repeated(32);
    QTest::addRow("str8 255") << QVariant(QString(255, u'x')) << hex("d9ff") + x.repeated(255);
    QTest::addRow("str16 256") << QVariant(QString(256, u'x')) << hex("da0100") + x.repeated(256);
    QTest::addRow("str16 65535") << QVariant(QString(65535, u'x'))
                                 << hex("daffff") + x.repeated(65535);
    QTest::addRow("str32 65536") << QVariant(QString(65536, u'x'))
                                 << hex("db00010000") + x.repeated(65536);
    QTest::addRow("bin8 255") << QVariant(QByteArray(255, 0)) << hex("c4ff") + QByteArray(255, 0);
    QTest::addRow("bin16 256") << QVariant(QByteArray(256, 0))
                               << hex("c50100") + QByteArray(256, 0);
    QTest::addRow("bin16 65535") << QVariant(QByteArray(65535, 0))
                                 << hex("c5ffff") + QByteArray(65535, 0);
    QTest::addRow("bin32 65536") << QVariant(QByteArray(65536, 0))
                                 << hex("c600010000") + QByteArray(65536, 0);
    QTest::addRow("fixarray 15") << QVariant(zeros(15)) << hex("9f") + QByteArray(15, 0);
    QTest::addRow("array16 16") << QVariant(zeros(16)) << hex("dc0010") + QByteArray(16, 0);
    QTest::addRow("array16 65535")
        << QVariant(zeros(65535)) << hex("dcffff") + QByteArray(65535, 0);
    QTest::addRow("array32 65536")
        << QVariant(zeros(65536)) << hex("dd00010000") + QByteArray(65536, 0);
    QTest::addRow("fixmap 15") << QVariant(keyedZeros(15)) << hex("8f") + keyedZerosBody(15);
    QTest::addRow("map16 16") << QVariant(keyedZeros(16)) << hex("de0010") + keyedZerosBody(16);
    QTest::addRow("map16 65535") << QVariant(keyedZeros(65535))
                                 << hex("deffff") + keyedZerosBody(65535);
    QTest::addRow("map32 65536") << QVariant(keyedZeros(65536))
                                 << hex("df00010000") + keyedZerosBody(65536);
}

void tst_MsgPack::largeContainers()
{
    QFETCH(QVariant, value);
    QFETCH(QByteArray, expected);
    const QByteArray bytes = MsgPack::encode(value);
    QCOMPARE(bytes.size(), expected.size());
    QVERIFY(bytes == expected);
    QVariant decoded;
    QString error;
    QVERIFY2(MsgPack::decode(bytes, &decoded, &error), qPrintable(error));
    QVERIFY(decoded == value);
    // Any byte short is truncated.
    QVERIFY(!MsgPack::decode(QByteArrayView(bytes).chopped(1), &decoded, &error));
    QCOMPARE(error, s("truncated msgpack data"));
}

void tst_MsgPack::roundTrip_data()
{
    QTest::addColumn<QVariant>("value");
    QTest::addColumn<QString>("expected"); // dump() after encode + decode
    QTest::addRow("int") << QVariant(42) << s("42");
    QTest::addRow("qint64 max") << QVariant(std::numeric_limits<qint64>::max())
                                << s("9223372036854775807");
    QTest::addRow("qint64 min") << QVariant(std::numeric_limits<qint64>::min())
                                << s("-9223372036854775808");
    QTest::addRow("quint64 max") << QVariant(std::numeric_limits<quint64>::max())
                                 << s("1.8446744073709552e+19d");
    QTest::addRow("2^53") << QVariant(9007199254740992.0) << s("9007199254740992d");
    QTest::addRow("1e300") << QVariant(1e300) << s("1.0000000000000001e+300d");
    QTest::addRow("5e-324") << QVariant(5e-324) << s("4.9406564584124654e-324d");
    QTest::addRow("string with NUL")
        << QVariant(QString(QChar(0)) + u'a') << (u'"' + QString(QChar(0)) + s("a\""));
    QTest::addRow("nested") << QVariant(QVariantMap{
                                   {s("list"), QVariantList{1, 1.5, s("é"), hex("00ff"), null(),
                                                            true, QVariantMap{}}},
                                   {s("map"), QVariantMap{{s("x"), QVariantList{}}}}})
                            << s(R"({list:[1,1.5d,"é",<00ff>,null,true,{}],map:{x:[]}})");
}

void tst_MsgPack::roundTrip()
{
    QFETCH(QVariant, value);
    QFETCH(QString, expected);
    QVariant decoded;
    QString error;
    QVERIFY2(MsgPack::decode(MsgPack::encode(value), &decoded, &error), qPrintable(error));
    QCOMPARE(dump(decoded), expected);
}

void tst_MsgPack::decode_data()
{
    QTest::addColumn<QByteArray>("bytes");
    QTest::addColumn<QString>("expected"); // dump(), or "ERROR" when notepack.io throws
    QTest::addColumn<QString>("knownBug");

    auto row = [](const char *digits, const QString &expected, const QString &knownBug = {}) {
        QTest::addRow("%s", digits) << hex(digits) << expected << knownBug;
    };
    row("00", s("0"));
    row("7f", s("127"));
    row("ff", s("-1"));
    row("e0", s("-32"));
    row("cc80", s("128"));
    row("cdffff", s("65535"));
    row("ceffffffff", s("4294967295"));
    row("cf0020000000000000", s("9007199254740992"));
    row("cfffffffffffffffff", s("1.8446744073709552e+19d"));
    row("d080", s("-128"));
    row("d18000", s("-32768"));
    row("d280000000", s("-2147483648"));
    row("d3ffffffffffffffff", s("-1"));
    row("d3fff0000000000001", s("-4503599627370495"));
    row("ca3fc00000", s("1.5d"));
    row("ca7f800000", s("Infinityd"));
    row("cb3ff8000000000000", s("1.5d"));
    row("cb4000000000000000", s("2d"));
    row("c0", s("null"));
    row("c2", s("false"));
    row("c3", s("true"));
    row("a0", s("\"\""));
    row("a9c3a9e282acf09f9880", s("\"é€😀\""));
    row("d90161", s("\"a\""));
    row("da000161", s("\"a\""));
    row("db0000000161", s("\"a\""));
    row("c40101", s("<01>"));
    row("c5000101", s("<01>"));
    row("c600000000", s("<>"));
    row("9301a1619100", s("[1,\"a\",[0]]"));
    row("dc000101", s("[1]"));
    row("dd0000000101", s("[1]"));
    row("82a162c3a161c2", s("{a:false,b:true}"));
    row("de0001a16101", s("{a:1}"));
    row("df00000001a16101", s("{a:1}"));
    row("80", s("{}"));
    row("d40000", s("undefined")); // notepack's legacy undefined
    row("d40001", s("undefined"));
    row("91d40000", s("[undefined]"));
    row("81a161d40000", s("{a:undefined}"));
    row("d6ff5e0d5f45", s("date(2020-01-02T03:11:01.000Z)"));
    row("d7ff016e36005e0d5da5", s("date(2020-01-02T03:04:05.006Z)"));
    row("8201a16101a162", s("{1:\"b\"}")); // keys become strings; the last one wins
    row("81c3a161", s("{true:\"a\"}"));
    row("81ff01", s("{-1:1}"));
    row("81c0a161", s("{null:\"a\"}"));
    row("c70100ab", s("<ab>"));
    row("d70000000000000003e8", s("date(1970-01-01T00:00:01.000Z)"));
    row("d4017f", s("[1,<7f>]"));
    // Timestamps at the ends of their ranges: new Date(seconds * 1e3 + nanoseconds / 1e6),
    // an Invalid Date (null) beyond JavaScript's range; no 64-bit overflow on the way.
    row("d6ffffffffff", s("date(2106-02-07T06:28:15.000Z)"));
    row("d6ff00000000", s("date(1970-01-01T00:00:00.000Z)"));
    row("d7ffffffffffffffffff", s("date(2514-05-30T01:53:04.073Z)"));
    row("d7ff0000000000000000", s("date(1970-01-01T00:00:00.000Z)"));
    row("c70cffffffffff0000000000000000", s("date(1970-01-01T00:00:04.294Z)"));
    row("c70cff1dcd6500ffffffffffffffff", s("date(1969-12-31T23:59:59.500Z)"));
    row("c70cff000f4240fffffff1886e0900", s("date(0001-01-01T00:00:00.001Z)"));
    row("c70cff00000000000007dba8218001", s("date()")); // 8640000000001 s
    row("c70cff000000007fffffffffffffff", s("date()"));
    row("c70cff00000000ffffffffffffffff", s("date(1969-12-31T23:59:59.000Z)"));
    row("c70cffffffffff8000000000000000", s("date()"));
    row("c70cff3b9ac9ff7fffffffffffffff", s("date()"));
    row("d7007fffffffffffffff", s("date()")); // notepack's old Date, far out of range
    row("d700ffffffffffffffff", s("date(1969-12-31T23:59:59.999Z)"));
    row("c70cff000000008000000000000000", s("date()"));
    row("d7007ff8000000000000", s("date()")); // NaN milliseconds
    // Rejected by notepack.io too.
    row("", s("ERROR"));
    row("c1", s("ERROR"));
    row("a5616263", s("ERROR"));
    row("c403", s("ERROR"));
    row("9301", s("ERROR"));
    row("81a161", s("ERROR"));
    row("cd01", s("ERROR"));
    row("cb3ff8", s("ERROR"));
    row("d9", s("ERROR"));
    row("dc00", s("ERROR"));
    row("0000", s("ERROR")); // trailing byte
    row("9100c0", s("ERROR"));
    row("83a47479706502a36e7370a12fa46461746191a16100", s("ERROR"));
}

void tst_MsgPack::decode()
{
    QFETCH(QByteArray, bytes);
    QFETCH(QString, expected);
    QFETCH(QString, knownBug);
    QVariant value(s("untouched"));
    QString error;
    const bool ok = MsgPack::decode(bytes, &value, &error);
    QCOMPARE(error.isEmpty(), ok);
    if (!knownBug.isEmpty())
        QEXPECT_FAIL("", qPrintable(knownBug), Continue);
    QCOMPARE(ok ? dump(value) : s("ERROR"), expected);
}

void tst_MsgPack::nestingLimit_data()
{
    QTest::addColumn<QByteArray>("bytes");
    QTest::addColumn<bool>("ok");
    QTest::addRow("255 arrays") << QByteArray(255, '\x91') + '\xc0' << true;
    QTest::addRow("256 arrays") << QByteArray(256, '\x91') + '\xc0' << false;
    QTest::addRow("100000 arrays") << QByteArray(100000, '\x91') + '\xc0' << false;
    QByteArray maps;
    for (int i = 0; i < 255; ++i)
        maps += hex("81a161");
    QTest::addRow("255 maps") << maps + '\xc0' << true;
    QTest::addRow("256 maps") << hex("81a161") + maps + '\xc0' << false;
}

void tst_MsgPack::nestingLimit()
{
    QFETCH(QByteArray, bytes);
    QFETCH(bool, ok);
    QVariant value;
    QString error;
    QCOMPARE(MsgPack::decode(bytes, &value, &error), ok);
    QCOMPARE(error, ok ? QString() : s("msgpack data nested too deeply"));
}

// --- MsgpackParser -------------------------------------------------------------------------

void tst_MsgPack::goldenPackets_data()
{
    using T = Packet::Type;
    QTest::addColumn<QByteArray>("real");   // socket.io-msgpack-parser, socket.io's key order
    QTest::addColumn<QByteArray>("sorted"); // the same Encoder, keys in sorted order
    QTest::addColumn<Packet>("packet");
    QTest::addColumn<QString>("expected");

    QTest::addRow("CONNECT with auth")
        << hex("83a47479706500a46461746181a5746f6b656ea3616263a36e7370a12f")
        << hex("83a46461746181a5746f6b656ea3616263a36e7370a12fa47479706500")
        << packet(T::Connect, s("/"), -1, QVariantMap{{s("token"), s("abc")}})
        << s(R"({type:0,nsp:"/",data:{token:"abc"}})");
    QTest::addRow("EVENT with ack id and binary")
        << hex("84a47479706502a46461746193a675706c6f6164c40301020381a16ecb3ff8000000000000a2"
               "69640ca36e7370a62f66696c6573")
        << hex("84a46461746193a675706c6f6164c40301020381a16ecb3ff8000000000000a269640ca36e"
               "7370a62f66696c6573a47479706502")
        << packet(T::Event, s("/files"), 12,
                  QVariantList{s("upload"), hex("010203"), QVariantMap{{s("n"), 1.5}}})
        << s(R"({type:2,nsp:"/files",id:12,data:["upload",<010203>,{n:1.5d}]})");
    QTest::addRow("ACK") << hex("84a47479706503a46461746192a26f6b07a269640ca36e7370a12f")
                         << hex("84a46461746192a26f6b07a269640ca36e7370a12fa47479706503")
                         << packet(T::Ack, s("/"), 12, QVariantList{s("ok"), 7})
                         << s(R"({type:3,nsp:"/",id:12,data:["ok",7]})");
    QTest::addRow("CONNECT_ERROR")
        << hex("83a47479706504a36e7370a62f61646d696ea46461746182a76d657373616765ae4e6f74206175"
               "74686f72697a6564a46461746181a4636f6465cd0191")
        << hex("83a46461746182a46461746181a4636f6465cd0191a76d657373616765ae4e6f7420617574686f"
               "72697a6564a36e7370a62f61646d696ea47479706504")
        << packet(T::ConnectError, s("/admin"), -1,
                  QVariantMap{{s("message"), s("Not authorized")},
                              {s("data"), QVariantMap{{s("code"), 401}}}})
        << s(R"({type:4,nsp:"/admin",data:{data:{code:401},message:"Not authorized"}})");
    QTest::addRow("DISCONNECT with nsp")
        << hex("82a47479706501a36e7370a62f61646d696e")
        << hex("82a36e7370a62f61646d696ea47479706501") << packet(T::Disconnect, s("/admin"), -1)
        << s(R"({type:1,nsp:"/admin"})");
}

void tst_MsgPack::goldenPackets()
{
    QFETCH(QByteArray, real);
    QFETCH(QByteArray, sorted);
    QFETCH(Packet, packet);
    QFETCH(QString, expected);

    // The reference's bytes decode to the expected packet, in either key order.
    QCOMPARE(decodePacket(real), u'[' + expected + u']');
    QCOMPARE(decodePacket(sorted), u'[' + expected + u']');

    // Our encoding is one binary message, byte for byte what the reference Encoder writes for
    // the same packet with its keys sorted (QVariantMap order); the reference Decoder accepts
    // it (checked with socket.io-msgpack-parser while writing this test).
    const QList<EngineMessage> messages = Parser::msgpackParser()->encode(packet);
    QCOMPARE(messages.size(), 1);
    QVERIFY(messages.first().binary);
    QCOMPARE(messages.first().data.toHex(), sorted.toHex());
    QCOMPARE(decodePacket(messages.first().data), u'[' + expected + u']');
}

void tst_MsgPack::invalidPackets_data()
{
    QTest::addColumn<QByteArray>("bytes");
    QTest::addColumn<QString>("expected");
    QTest::addColumn<QString>("knownBug");

    auto row = [](const char *name, const char *digits, const char *expected,
                  const QString &knownBug = {}) {
        QTest::addRow("%s", name) << hex(digits) << s(expected) << knownBug;
    };
    // notepack.encode() of each object, and what the reference Decoder.add() does with it.
    row("type 5", "83a47479706505a36e7370a12fa46461746191a161", "ERROR: invalid packet type");
    row("type -1", "83a474797065ffa36e7370a12fa46461746191a161", "ERROR: invalid packet type");
    row("type string", "83a474797065a132a36e7370a12fa46461746191a161",
        "ERROR: invalid packet type");
    row("type 2.5", "83a474797065cb4004000000000000a36e7370a12fa46461746191a161",
        "ERROR: invalid packet type");
    row("type missing", "82a36e7370a12fa46461746191a161", "ERROR: invalid packet type");
    row("nsp number", "83a47479706502a36e737001a46461746191a161", "ERROR: invalid namespace");
    row("nsp missing", "82a47479706502a46461746191a161", "ERROR: invalid namespace");
    row("EVENT data object", "83a47479706502a36e7370a12fa46461746181a16101",
        "ERROR: invalid payload");
    row("EVENT no data", "82a47479706502a36e7370a12f", "ERROR: invalid payload");
    row("ACK data object", "83a47479706503a36e7370a12fa46461746180", "ERROR: invalid payload");
    row("CONNECT data nil", "83a47479706500a36e7370a12fa464617461c0", "ERROR: invalid payload");
    row("DISCONNECT with data", "83a47479706501a36e7370a12fa46461746190", "ERROR: invalid payload");
    row("CONNECT_ERROR number", "83a47479706504a36e7370a12fa46461746105", "ERROR: invalid payload");
    row("id 1.5", "84a47479706502a36e7370a12fa46461746191a161a26964cb3ff8000000000000",
        "ERROR: invalid packet id");
    row("id string", "84a47479706502a36e7370a12fa46461746191a161a26964a131",
        "ERROR: invalid packet id");
    row("id nil", "84a47479706502a36e7370a12fa46461746191a161a26964c0", "ERROR: invalid packet id");
    row("id undefined is no id", "84a47479706502a36e7370a12fa46461746191a161a26964d40000",
        R"([{type:2,nsp:"/",data:["a"]}])");
    row("trailing byte", "83a47479706502a36e7370a12fa46461746191a16100", "ERROR");
    row("truncated", "83a47479706502a36e7370a12fa46461746191a1", "ERROR");
    row("CONNECT without data", "82a47479706500a36e7370a12f", R"([{type:0,nsp:"/"}])");
    row("CONNECT_ERROR string", "83a47479706504a36e7370a12fa464617461a178",
        R"([{type:4,nsp:"/",data:"x"}])");

    // Where the reference accepts more, or words it differently.
    row("type 2.0 as float64", "83a474797065cb4000000000000000a36e7370a12fa46461746191a161",
        R"([{type:2,nsp:"/",data:["a"]}])");
    row("id 3.0 as float64", "84a47479706502a36e7370a12fa46461746191a161a26964cb4008000000000000",
        R"([{type:2,nsp:"/",id:3,data:["a"]}])");
    row("id -1", "84a47479706502a36e7370a12fa46461746191a161a26964ff",
        R"([{type:2,nsp:"/",id:-1,data:["a"]}])",
        QStringLiteral("checkPacket rejects negative ids; the reference accepts them "
                       "(Packet cannot carry id -1 as an id)"));
    row("top-level array", "920102", "ERROR: invalid packet type");

    // Stricter than socket.io-msgpack-parser on purpose: an EVENT's name is checked as the
    // default parser checks it (a client must not send the server's own events).
    row("EVENT reserved name", "83a47479706502a36e7370a12fa46461746191aa646973636f6e6e656374",
        "ERROR: invalid payload");
    row("EVENT without name", "83a47479706502a36e7370a12fa46461746190", "ERROR: invalid payload");
    row("EVENT name a map", "83a47479706502a36e7370a12fa4646174619180", "ERROR: invalid payload");
    row("EVENT name nil", "83a47479706502a36e7370a12fa46461746191c0", "ERROR: invalid payload");
    row("EVENT name an array", "83a47479706502a36e7370a12fa4646174619191a161",
        "ERROR: invalid payload");
    row("EVENT name a number", "83a47479706502a36e7370a12fa4646174619207a178",
        R"([{type:2,nsp:"/",data:[7,"x"]}])");
    row("top-level int", "05", "ERROR: invalid packet type");
}

void tst_MsgPack::invalidPackets()
{
    QFETCH(QByteArray, bytes);
    QFETCH(QString, expected);
    QFETCH(QString, knownBug);
    QString actual = decodePacket(bytes);
    if (expected == u"ERROR" && actual.startsWith(u"ERROR: "))
        actual = s("ERROR"); // notepack's own wording for malformed bytes differs
    if (!knownBug.isEmpty())
        QEXPECT_FAIL("", qPrintable(knownBug), Continue);
    QCOMPARE(actual, expected);
}

void tst_MsgPack::binaryTypesTravelInline()
{
    // There are no BINARY_EVENT/BINARY_ACK packets on the msgpack wire.
    const QList<EngineMessage> event = Parser::msgpackParser()->encode(
        packet(Packet::Type::BinaryEvent, s("/"), -1, QVariantList{s("e"), hex("01")}));
    QCOMPARE(event.size(), 1);
    QCOMPARE(event.first().data.toHex(),
             QByteArray("83a46461746192a165c40101a36e7370a12fa47479706502"));
    const QList<EngineMessage> ack = Parser::msgpackParser()->encode(
        packet(Packet::Type::BinaryAck, s("/"), 3, QVariantList{hex("01")}));
    QCOMPARE(ack.first().data.toHex(),
             QByteArray("84a46461746191c40101a2696403a36e7370a12fa47479706503"));
}

QTEST_GUILESS_MAIN(tst_MsgPack)

#include "tst_msgpack.moc"
