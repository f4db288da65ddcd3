// Engine.IO packet and payload codecs, protocol v4 and v3, against the bytes the reference
// (engine.io-parser 5.x for v4, 2.x for v3) produces and accepts.
#include "engineio/packet_p.h"

#include <QtCore/QString>
#include <QtTest/QTest>

namespace SocketIO::EngineIO {
// Readable failure output for QCOMPARE (found through ADL).
char *toString(const Packet &packet)
{
    const QByteArray text = "Packet(type=" + QByteArray::number(int(packet.type)) +
                            (packet.binary ? ", binary, data=" : ", text, data=") +
                            packet.data.toPercentEncoding(" {}\":,=") + ')';
    return qstrdup(text.constData());
}
} // namespace SocketIO::EngineIO

using namespace SocketIO::EngineIO;
using Packets = QList<Packet>;

Q_DECLARE_METATYPE(SocketIO::EngineIO::Packet)
Q_DECLARE_METATYPE(SocketIO::EngineIO::PacketType)

namespace {
QByteArray u8(const char16_t *text)
{
    return QString::fromUtf16(text).toUtf8();
}

QByteArray bytes(std::initializer_list<int> values)
{
    QByteArray out;
    for (int v : values)
        out.append(char(v));
    return out;
}

Packet errorPacket()
{
    return Packet::text(PacketType::Error, QByteArrayLiteral("parser error"));
}
} // namespace

class tst_Packet : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void typeChar_data();
    void typeChar();
    void toWellFormedUtf8_data();
    void toWellFormedUtf8();

    // v4
    void encodeText_data();
    void encodeText();
    void decodeText_data();
    void decodeText();
    void encodeBinary_data();
    void encodeBinary();
    void decodeBinaryFrame_data();
    void decodeBinaryFrame();
    void decodeInvalid_data();
    void decodeInvalid();
    void packetRoundTrip_data();
    void packetRoundTrip();
    void encodePayload_data();
    void encodePayload();
    void decodePayload_data();
    void decodePayload();
    void payloadRoundTrip_data();
    void payloadRoundTrip();

    // v3
    void v3EncodePacket_data();
    void v3EncodePacket();
    void v3DecodePacket_data();
    void v3DecodePacket();
    void v3EncodeTextPayload_data();
    void v3EncodeTextPayload();
    void v3DecodeTextPayload_data();
    void v3DecodeTextPayload();
    void v3EncodeBinaryPayload_data();
    void v3EncodeBinaryPayload();
    void v3DecodeBinaryPayload_data();
    void v3DecodeBinaryPayload();
    void v3MalformedPayload_data();
    void v3MalformedPayload();
    void v3PayloadRoundTrip_data();
    void v3PayloadRoundTrip();
};

void tst_Packet::typeChar_data()
{
    QTest::addColumn<PacketType>("type");
    QTest::addColumn<char>("expected");
    QTest::addRow("open") << PacketType::Open << '0';
    QTest::addRow("close") << PacketType::Close << '1';
    QTest::addRow("ping") << PacketType::Ping << '2';
    QTest::addRow("pong") << PacketType::Pong << '3';
    QTest::addRow("message") << PacketType::Message << '4';
    QTest::addRow("upgrade") << PacketType::Upgrade << '5';
    QTest::addRow("noop") << PacketType::Noop << '6';
}

void tst_Packet::typeChar()
{
    QFETCH(PacketType, type);
    QFETCH(char, expected);
    QCOMPARE(SocketIO::EngineIO::typeChar(type), expected);
}

// --- v4 ------------------------------------------------------------------------------------

void tst_Packet::toWellFormedUtf8_data()
{
    // What Node makes of the bytes: Buffer.from(bytes.toString("utf8")).
    QTest::addColumn<QByteArray>("input");
    QTest::addColumn<QByteArray>("expected");
    QTest::addRow("empty") << QByteArray() << QByteArray();
    QTest::addRow("616263") << QByteArray::fromHex("616263") << QByteArray::fromHex("616263");
    QTest::addRow("61ff62") << QByteArray::fromHex("61ff62") << QByteArray::fromHex("61efbfbd62");
    QTest::addRow("e28278") << QByteArray::fromHex("e28278") << QByteArray::fromHex("efbfbd78");
    QTest::addRow("f09f98") << QByteArray::fromHex("f09f98") << QByteArray::fromHex("efbfbd");
    QTest::addRow("eda080") << QByteArray::fromHex("eda080")
                            << QByteArray::fromHex("efbfbdefbfbdefbfbd");
    QTest::addRow("c080") << QByteArray::fromHex("c080") << QByteArray::fromHex("efbfbdefbfbd");
    QTest::addRow("f4908080") << QByteArray::fromHex("f4908080")
                              << QByteArray::fromHex("efbfbdefbfbdefbfbdefbfbd");
    QTest::addRow("e08080") << QByteArray::fromHex("e08080")
                            << QByteArray::fromHex("efbfbdefbfbdefbfbd");
    QTest::addRow("f09f9880") << QByteArray::fromHex("f09f9880") << QByteArray::fromHex("f09f9880");
    QTest::addRow("efbfbf") << QByteArray::fromHex("efbfbf") << QByteArray::fromHex("efbfbf");
    QTest::addRow("80") << QByteArray::fromHex("80") << QByteArray::fromHex("efbfbd");
    QTest::addRow("c2") << QByteArray::fromHex("c2") << QByteArray::fromHex("efbfbd");
    QTest::addRow("f09f") << QByteArray::fromHex("f09f") << QByteArray::fromHex("efbfbd");
    QTest::addRow("ff41") << QByteArray::fromHex("ff41") << QByteArray::fromHex("efbfbd41");
    QTest::addRow("c3a9") << QByteArray::fromHex("c3a9") << QByteArray::fromHex("c3a9");
    QTest::addRow("e282ac") << QByteArray::fromHex("e282ac") << QByteArray::fromHex("e282ac");
    QTest::addRow("f48fbfbf") << QByteArray::fromHex("f48fbfbf") << QByteArray::fromHex("f48fbfbf");
    QTest::addRow("f5") << QByteArray::fromHex("f5") << QByteArray::fromHex("efbfbd");
    QTest::addRow("c1bf") << QByteArray::fromHex("c1bf") << QByteArray::fromHex("efbfbdefbfbd");
    QTest::addRow("e09f80") << QByteArray::fromHex("e09f80")
                            << QByteArray::fromHex("efbfbdefbfbdefbfbd");
    QTest::addRow("eda0") << QByteArray::fromHex("eda0") << QByteArray::fromHex("efbfbdefbfbd");
    QTest::addRow("ee8080") << QByteArray::fromHex("ee8080") << QByteArray::fromHex("ee8080");
}

void tst_Packet::toWellFormedUtf8()
{
    QFETCH(QByteArray, input);
    QFETCH(QByteArray, expected);
    QCOMPARE(SocketIO::EngineIO::toWellFormedUtf8(input).toHex(), expected.toHex());
}

void tst_Packet::encodeText_data()
{
    QTest::addColumn<Packet>("packet");
    QTest::addColumn<QByteArray>("expected");
    QTest::addRow("open") << Packet::text(PacketType::Open, R"({"sid":"abc","upgrades":[]})")
                          << QByteArray(R"(0{"sid":"abc","upgrades":[]})");
    QTest::addRow("close") << Packet::text(PacketType::Close) << QByteArray("1");
    QTest::addRow("ping") << Packet::text(PacketType::Ping) << QByteArray("2");
    QTest::addRow("ping probe") << Packet::text(PacketType::Ping, "probe") << QByteArray("2probe");
    QTest::addRow("pong") << Packet::text(PacketType::Pong) << QByteArray("3");
    QTest::addRow("pong probe") << Packet::text(PacketType::Pong, "probe") << QByteArray("3probe");
    QTest::addRow("message") << Packet::text(PacketType::Message, "hello") << QByteArray("4hello");
    QTest::addRow("empty message") << Packet::text(PacketType::Message) << QByteArray("4");
    QTest::addRow("utf-8 message")
        << Packet::text(PacketType::Message, u8(u"h\u00e9 \u20ac \U0001F600"))
        << ("4" + u8(u"h\u00e9 \u20ac \U0001F600"));
    QTest::addRow("upgrade") << Packet::text(PacketType::Upgrade) << QByteArray("5");
    QTest::addRow("noop") << Packet::text(PacketType::Noop) << QByteArray("6");
}

void tst_Packet::encodeText()
{
    QFETCH(Packet, packet);
    QFETCH(QByteArray, expected);
    for (bool supportsBinary : {false, true}) {
        bool isBinaryFrame = true;
        QCOMPARE(encodePacket(packet, supportsBinary, &isBinaryFrame), expected);
        QVERIFY(!isBinaryFrame);
    }
    QCOMPARE(encodePacket(packet, true), expected); // the out-parameter is optional
}

void tst_Packet::decodeText_data()
{
    QTest::addColumn<QByteArray>("frame");
    QTest::addColumn<Packet>("expected");
    QTest::addRow("open") << QByteArray(R"(0{"sid":"x"})")
                          << Packet::text(PacketType::Open, R"({"sid":"x"})");
    QTest::addRow("close") << QByteArray("1") << Packet::text(PacketType::Close);
    QTest::addRow("ping") << QByteArray("2") << Packet::text(PacketType::Ping);
    QTest::addRow("ping probe") << QByteArray("2probe") << Packet::text(PacketType::Ping, "probe");
    QTest::addRow("pong") << QByteArray("3") << Packet::text(PacketType::Pong);
    QTest::addRow("message") << QByteArray("4hello") << Packet::text(PacketType::Message, "hello");
    QTest::addRow("empty message") << QByteArray("4") << Packet::text(PacketType::Message);
    QTest::addRow("message with digits")
        << QByteArray("42[\"a\"]") << Packet::text(PacketType::Message, "2[\"a\"]");
    QTest::addRow("utf-8 message")
        << ("4" + u8(u"\u00e9\u20ac\U0001F600"))
        << Packet::text(PacketType::Message, u8(u"\u00e9\u20ac\U0001F600"));
    QTest::addRow("upgrade") << QByteArray("5") << Packet::text(PacketType::Upgrade);
    QTest::addRow("noop") << QByteArray("6") << Packet::text(PacketType::Noop);
    QTest::addRow("b<base64>") << QByteArray("bAQID") << Packet::bytes(bytes({1, 2, 3}));
    QTest::addRow("b<base64> padded")
        << QByteArray("bAQIDBA==") << Packet::bytes(bytes({1, 2, 3, 4}));
    QTest::addRow("b empty") << QByteArray("b") << Packet::bytes({});
    QTest::addRow("b<base64> unpadded") << QByteArray("bAQ") << Packet::bytes(bytes({1}));
    QTest::addRow("b<base64> unpadded, two bytes")
        << QByteArray("bAQI") << Packet::bytes(bytes({1, 2}));
    QTest::addRow("b<base64url>") << QByteArray("b-_8") << Packet::bytes(bytes({0xfb, 0xff}));
    QTest::addRow("b<base64> of 0xff 0x00")
        << QByteArray("b/wA=") << Packet::bytes(bytes({0xff, 0x00}));
}

void tst_Packet::decodeText()
{
    QFETCH(QByteArray, frame);
    QFETCH(Packet, expected);
    const Packet packet = decodePacket(frame, false);
    QCOMPARE(packet, expected);
    QVERIFY(!packet.isError());

    // Taking the frame gives the same packet, its data in the frame's own buffer.
    QByteArray owned(frame.constData(), frame.size());
    const char *start = owned.constData();
    const Packet taken = decodePacket(std::move(owned), false);
    QCOMPARE(taken, expected);
    if (!taken.binary && !taken.data.isEmpty())
        QVERIFY(taken.data.constData() == start + 1);
}

void tst_Packet::encodeBinary_data()
{
    QTest::addColumn<QByteArray>("data");
    QTest::addColumn<QByteArray>("base64Frame");
    QTest::addRow("1 2 3") << bytes({1, 2, 3}) << QByteArray("bAQID");
    QTest::addRow("4 bytes, padding") << bytes({1, 2, 3, 4}) << QByteArray("bAQIDBA==");
    QTest::addRow("empty") << QByteArray() << QByteArray("b");
    QTest::addRow("text-like bytes") << QByteArray("4hello") << QByteArray("bNGhlbGxv");
    QTest::addRow("high bytes") << bytes({0xff, 0xfe, 0x00}) << QByteArray("b//4A");
}

void tst_Packet::encodeBinary()
{
    QFETCH(QByteArray, data);
    QFETCH(QByteArray, base64Frame);
    const Packet packet = Packet::bytes(data);

    bool isBinaryFrame = false;
    QCOMPARE(encodePacket(packet, true, &isBinaryFrame), data);
    QVERIFY(isBinaryFrame);

    isBinaryFrame = true;
    QCOMPARE(encodePacket(packet, false, &isBinaryFrame), base64Frame);
    QVERIFY(!isBinaryFrame);

    // Both forms decode back to the same packet.
    QCOMPARE(decodePacket(data, true), packet);
    QCOMPARE(decodePacket(base64Frame, false), packet);
}

void tst_Packet::decodeBinaryFrame_data()
{
    QTest::addColumn<QByteArray>("frame");
    QTest::addRow("bytes") << bytes({1, 2, 3});
    QTest::addRow("empty") << QByteArray();
    // A binary frame is always a message, whatever it looks like.
    QTest::addRow("looks like text") << QByteArray("4hello");
    QTest::addRow("looks like invalid text") << QByteArray("7");
    QTest::addRow("starts with b") << QByteArray("b!!!");
}

void tst_Packet::decodeBinaryFrame()
{
    QFETCH(QByteArray, frame);
    const Packet packet = decodePacket(frame, true);
    QCOMPARE(packet.type, PacketType::Message);
    QVERIFY(packet.binary);
    QCOMPARE(packet.data, frame);
    QCOMPARE(decodePacket(QByteArray(frame), true), packet);
}

void tst_Packet::decodeInvalid_data()
{
    QTest::addColumn<QByteArray>("frame");
    QTest::addRow("empty") << QByteArray();
    QTest::addRow("abc") << QByteArray("abc");
    QTest::addRow("type 7") << QByteArray("7");
    QTest::addRow("type 9 with data") << QByteArray("9hello");
    QTest::addRow("space") << QByteArray(" 4hello");
    QTest::addRow("b!!!") << QByteArray("b!!!");
    QTest::addRow("b with bad base64") << QByteArray("bA*QID");
    // A character past whole groups of four carries no byte: the reference's lenient decoder
    // reads "bA" as an empty buffer; no encoder writes it.
    QTest::addRow("bA") << QByteArray("bA");
    QTest::addRow("bA=") << QByteArray("bA=");
    QTest::addRow("bA==") << QByteArray("bA==");
    QTest::addRow("bAQIDB") << QByteArray("bAQIDB");
    QTest::addRow("b=") << QByteArray("b=");
}

void tst_Packet::decodeInvalid()
{
    QFETCH(QByteArray, frame);
    const Packet packet = decodePacket(frame, false);
    QVERIFY(packet.isError());
    QCOMPARE(packet.type, PacketType::Error);
    QVERIFY(!packet.binary);
    QVERIFY(decodePacket(QByteArray(frame), false).isError());
}

void tst_Packet::packetRoundTrip_data()
{
    QTest::addColumn<Packet>("packet");
    for (int type = 0; type <= 6; ++type) {
        QTest::addRow("type %d empty", type) << Packet::text(PacketType(type));
        QTest::addRow("type %d data", type) << Packet::text(PacketType(type), "some data 123");
    }
    QTest::addRow("utf-8") << Packet::text(PacketType::Message, u8(u"\u00e9\u20ac\U0001F600"));
    QTest::addRow("binary") << Packet::bytes(bytes({0, 1, 2, 0x1e, 0xff}));
    QTest::addRow("binary empty") << Packet::bytes({});
}

void tst_Packet::packetRoundTrip()
{
    QFETCH(Packet, packet);
    for (bool supportsBinary : {false, true}) {
        bool isBinaryFrame = false;
        const QByteArray frame = encodePacket(packet, supportsBinary, &isBinaryFrame);
        QCOMPARE(decodePacket(frame, isBinaryFrame), packet);
    }
}

void tst_Packet::encodePayload_data()
{
    QTest::addColumn<Packets>("packets");
    QTest::addColumn<QByteArray>("expected");
    QTest::addRow("message + binary")
        << Packets{Packet::text(PacketType::Message, "hello"), Packet::bytes(bytes({1, 2, 3}))}
        << QByteArray("4hello\x1e"
                      "bAQID");
    QTest::addRow("one message") << Packets{Packet::text(PacketType::Message, "hello")}
                                 << QByteArray("4hello");
    QTest::addRow("empty message") << Packets{Packet::text(PacketType::Message)} << QByteArray("4");
    QTest::addRow("two empty messages")
        << Packets{Packet::text(PacketType::Message), Packet::text(PacketType::Message)}
        << QByteArray("4\x1e"
                      "4");
    QTest::addRow("ping noop close")
        << Packets{Packet::text(PacketType::Ping), Packet::text(PacketType::Noop),
                   Packet::text(PacketType::Close)}
        << QByteArray("2\x1e"
                      "6\x1e"
                      "1");
    QTest::addRow("utf-8") << Packets{Packet::text(PacketType::Message, u8(u"\u00e9")),
                                      Packet::text(PacketType::Message, u8(u"\U0001F600"))}
                           << ("4" + u8(u"\u00e9") + "\x1e" + "4" + u8(u"\U0001F600"));
    QTest::addRow("binary only") << Packets{Packet::bytes(bytes({1, 2, 3})),
                                            Packet::bytes(bytes({4, 5, 6}))}
                                 << QByteArray("bAQID\x1e"
                                               "bBAUG");
    QTest::addRow("none") << Packets{} << QByteArray();
}

void tst_Packet::encodePayload()
{
    QFETCH(Packets, packets);
    QFETCH(QByteArray, expected);
    QCOMPARE(SocketIO::EngineIO::encodePayload(packets), expected);
}

void tst_Packet::decodePayload_data()
{
    QTest::addColumn<QByteArray>("payload");
    QTest::addColumn<Packets>("expected");
    QTest::addRow("message + binary")
        << QByteArray("4hello\x1e"
                      "bAQID")
        << Packets{Packet::text(PacketType::Message, "hello"), Packet::bytes(bytes({1, 2, 3}))};
    QTest::addRow("empty message") << QByteArray("4") << Packets{Packet::text(PacketType::Message)};
    QTest::addRow("two empty messages")
        << QByteArray("4\x1e"
                      "4")
        << Packets{Packet::text(PacketType::Message), Packet::text(PacketType::Message)};
    QTest::addRow("utf-8") << ("4" + u8(u"h\u00e9\u20ac") + "\x1e" + "4" + u8(u"\U0001F600"))
                           << Packets{Packet::text(PacketType::Message, u8(u"h\u00e9\u20ac")),
                                      Packet::text(PacketType::Message, u8(u"\U0001F600"))};
    QTest::addRow("close") << QByteArray("1") << Packets{Packet::text(PacketType::Close)};
    QTest::addRow("invalid first") << QByteArray("7\x1e"
                                                 "4a")
                                   << Packets{errorPacket()};
    QTest::addRow("invalid second stops")
        << QByteArray("4a\x1e"
                      "x\x1e"
                      "4b")
        << Packets{Packet::text(PacketType::Message, "a"), errorPacket()};
    QTest::addRow("bad base64 stops")
        << QByteArray("4a\x1e"
                      "b!!!\x1e"
                      "4b")
        << Packets{Packet::text(PacketType::Message, "a"), errorPacket()};
    QTest::addRow("empty payload") << QByteArray() << Packets{errorPacket()};
    QTest::addRow("bA stops") << QByteArray("4a\x1e"
                                            "bA\x1e"
                                            "4b")
                              << Packets{Packet::text(PacketType::Message, "a"), errorPacket()};
    QTest::addRow("trailing separator")
        << QByteArray("4a\x1e") << Packets{Packet::text(PacketType::Message, "a"), errorPacket()};
    QTest::addRow("empty record in the middle")
        << QByteArray("4a\x1e\x1e"
                      "4b")
        << Packets{Packet::text(PacketType::Message, "a"), errorPacket()};
}

void tst_Packet::decodePayload()
{
    QFETCH(QByteArray, payload);
    QFETCH(Packets, expected);
    QCOMPARE(SocketIO::EngineIO::decodePayload(payload), expected);
}

void tst_Packet::payloadRoundTrip_data()
{
    QTest::addColumn<Packets>("packets");
    QTest::addRow("mixed") << Packets{Packet::text(PacketType::Open, R"({"sid":"a"})"),
                                      Packet::text(PacketType::Message, u8(u"\u00e9\U0001F600")),
                                      Packet::bytes(bytes({0x1e, 0, 0xff})),
                                      Packet::text(PacketType::Message),
                                      Packet::text(PacketType::Ping)};
    QTest::addRow("single binary") << Packets{Packet::bytes(bytes({9, 8, 7, 6, 5}))};
    QTest::addRow("single empty binary") << Packets{Packet::bytes({})};
}

void tst_Packet::payloadRoundTrip()
{
    QFETCH(Packets, packets);
    QCOMPARE(SocketIO::EngineIO::decodePayload(SocketIO::EngineIO::encodePayload(packets)),
             packets);
}

// --- v3 ------------------------------------------------------------------------------------

void tst_Packet::v3EncodePacket_data()
{
    QTest::addColumn<Packet>("packet");
    QTest::addColumn<bool>("supportsBinary");
    QTest::addColumn<QByteArray>("expected");
    QTest::addColumn<bool>("expectBinaryFrame");
    QTest::addRow("message") << Packet::text(PacketType::Message, "hello") << true
                             << QByteArray("4hello") << false;
    QTest::addRow("ping") << Packet::text(PacketType::Ping, "probe") << false
                          << QByteArray("2probe") << false;
    QTest::addRow("binary, websocket frame")
        << Packet::bytes(bytes({1, 2, 3})) << true << bytes({4, 1, 2, 3}) << true;
    QTest::addRow("binary empty, websocket frame")
        << Packet::bytes({}) << true << bytes({4}) << true;
    QTest::addRow("binary as b4<base64>")
        << Packet::bytes(bytes({1, 2, 3})) << false << QByteArray("b4AQID") << false;
}

void tst_Packet::v3EncodePacket()
{
    QFETCH(Packet, packet);
    QFETCH(bool, supportsBinary);
    QFETCH(QByteArray, expected);
    QFETCH(bool, expectBinaryFrame);
    bool isBinaryFrame = !expectBinaryFrame;
    QCOMPARE(V3::encodePacket(packet, supportsBinary, &isBinaryFrame), expected);
    QCOMPARE(isBinaryFrame, expectBinaryFrame);
    QCOMPARE(V3::decodePacket(expected, isBinaryFrame), packet);
}

void tst_Packet::v3DecodePacket_data()
{
    QTest::addColumn<QByteArray>("frame");
    QTest::addColumn<bool>("isBinaryFrame");
    QTest::addColumn<Packet>("expected");
    QTest::addRow("text message") << QByteArray("4hi") << false
                                  << Packet::text(PacketType::Message, "hi");
    QTest::addRow("text ping") << QByteArray("2") << false << Packet::text(PacketType::Ping);
    QTest::addRow("b4<base64>") << QByteArray("b4AQID") << false << Packet::bytes(bytes({1, 2, 3}));
    QTest::addRow("binary frame 0x04")
        << bytes({4, 0xff, 0}) << true << Packet::bytes(bytes({0xff, 0}));
    QTest::addRow("binary frame 0x04 only") << bytes({4}) << true << Packet::bytes({});
    QTest::addRow("text empty") << QByteArray() << false << errorPacket();
    QTest::addRow("text type 7") << QByteArray("7") << false << errorPacket();
    QTest::addRow("text b only") << QByteArray("b") << false << errorPacket();
    QTest::addRow("b4 bad base64") << QByteArray("b4!!!") << false << errorPacket();
    QTest::addRow("b4A") << QByteArray("b4A") << false << errorPacket();
    QTest::addRow("binary frame empty") << QByteArray() << true << errorPacket();
    QTest::addRow("binary frame type 7") << bytes({7, 1}) << true << errorPacket();
    // Type bytes above 0x7f must not become out-of-range packet types.
    QTest::addRow("binary frame type 0x80") << bytes({0x80, 1}) << true << errorPacket();
    QTest::addRow("binary frame type 0xff") << bytes({0xff, 1}) << true << errorPacket();
}

void tst_Packet::v3DecodePacket()
{
    QFETCH(QByteArray, frame);
    QFETCH(bool, isBinaryFrame);
    QFETCH(Packet, expected);
    const Packet packet = V3::decodePacket(frame, isBinaryFrame);
    // Library bug: the type byte is compared as a signed char, so 0x80..0xff pass the range
    // check and become packet types 128..255 instead of an Error packet.
    QCOMPARE(packet, expected);
}

void tst_Packet::v3EncodeTextPayload_data()
{
    QTest::addColumn<Packets>("packets");
    QTest::addColumn<bool>("supportsBinary");
    QTest::addColumn<QByteArray>("expected");
    QTest::addRow("none") << Packets{} << false << QByteArray("0:");
    QTest::addRow("hello") << Packets{Packet::text(PacketType::Message, "hello")} << false
                           << QByteArray("6:4hello");
    QTest::addRow("empty message")
        << Packets{Packet::text(PacketType::Message)} << false << QByteArray("1:4");
    // Lengths count UTF-16 code units, like JavaScript's String#length.
    QTest::addRow("e-acute") << Packets{Packet::text(PacketType::Message, u8(u"\u00e9"))} << false
                             << ("2:4" + u8(u"\u00e9"));
    QTest::addRow("euro") << Packets{Packet::text(PacketType::Message, u8(u"\u20ac"))} << false
                          << ("2:4" + u8(u"\u20ac"));
    QTest::addRow("emoji") << Packets{Packet::text(PacketType::Message, u8(u"\U0001F600"))} << false
                           << ("3:4" + u8(u"\U0001F600"));
    QTest::addRow("mixed utf-8") << Packets{Packet::text(PacketType::Message,
                                                         u8(u"a\u00e9\u20ac\U0001F600"))}
                                 << false << ("6:4" + u8(u"a\u00e9\u20ac\U0001F600"));
    QTest::addRow("message + binary as b4")
        << Packets{Packet::text(PacketType::Message, "hello"), Packet::bytes(bytes({1, 2, 3}))}
        << false << QByteArray("6:4hello6:b4AQID");
    QTest::addRow("no binary packet, binary supported")
        << Packets{Packet::text(PacketType::Open, "{}"), Packet::text(PacketType::Ping)} << true
        << QByteArray("3:0{}1:2");
    QTest::addRow("ten-digit data") << Packets{Packet::text(PacketType::Message, "123456789")}
                                    << false << QByteArray("10:4123456789");
}

void tst_Packet::v3EncodeTextPayload()
{
    QFETCH(Packets, packets);
    QFETCH(bool, supportsBinary);
    QFETCH(QByteArray, expected);
    bool isBinary = true;
    QCOMPARE(V3::encodePayload(packets, supportsBinary, &isBinary), expected);
    QVERIFY(!isBinary);
}

void tst_Packet::v3DecodeTextPayload_data()
{
    QTest::addColumn<QByteArray>("payload");
    QTest::addColumn<Packets>("expected");
    QTest::addRow("empty payload marker") << QByteArray("0:") << Packets{};
    QTest::addRow("hello") << QByteArray("6:4hello")
                           << Packets{Packet::text(PacketType::Message, "hello")};
    QTest::addRow("two") << QByteArray("1:26:4hello")
                         << Packets{Packet::text(PacketType::Ping),
                                    Packet::text(PacketType::Message, "hello")};
    QTest::addRow("e-acute") << ("2:4" + u8(u"\u00e9"))
                             << Packets{Packet::text(PacketType::Message, u8(u"\u00e9"))};
    QTest::addRow("euro") << ("2:4" + u8(u"\u20ac"))
                          << Packets{Packet::text(PacketType::Message, u8(u"\u20ac"))};
    QTest::addRow("emoji") << ("3:4" + u8(u"\U0001F600") + "1:2")
                           << Packets{Packet::text(PacketType::Message, u8(u"\U0001F600")),
                                      Packet::text(PacketType::Ping)};
    QTest::addRow("b4 binary") << QByteArray("6:4hello6:b4AQID")
                               << Packets{Packet::text(PacketType::Message, "hello"),
                                          Packet::bytes(bytes({1, 2, 3}))};
    QTest::addRow("colon in data")
        << QByteArray("4:4a:b") << Packets{Packet::text(PacketType::Message, "a:b")};
    QTest::addRow("invalid packet stops")
        << QByteArray("2:4a1:71:2")
        << Packets{Packet::text(PacketType::Message, "a"), errorPacket()};
}

void tst_Packet::v3DecodeTextPayload()
{
    QFETCH(QByteArray, payload);
    QFETCH(Packets, expected);
    QCOMPARE(V3::decodePayload(payload, false), expected);
}

void tst_Packet::v3EncodeBinaryPayload_data()
{
    QTest::addColumn<Packets>("packets");
    QTest::addColumn<QByteArray>("expected");
    QTest::addRow("binary") << Packets{Packet::bytes(bytes({1, 2, 3}))}
                            << bytes({1, 4, 0xff, 4, 1, 2, 3});
    QTest::addRow("text + binary")
        << Packets{Packet::text(PacketType::Message, "hello"), Packet::bytes(bytes({1, 2, 3}))}
        << (bytes({0, 6, 0xff}) + "4hello" + bytes({1, 4, 0xff, 4, 1, 2, 3}));
    // One byte per decimal digit of the length: 10 -> 01 00, 12 -> 01 02.
    QTest::addRow("two-digit lengths") << Packets{Packet::text(PacketType::Message, "123456789"),
                                                  Packet::bytes(QByteArray(11, 'x'))}
                                       << (bytes({0, 1, 0, 0xff}) + "4123456789" +
                                           bytes({1, 1, 2, 0xff, 4}) + QByteArray(11, 'x'));
    // Text packets in the binary form are UTF-8 and their length counts bytes.
    QTest::addRow("utf-8 text") << Packets{Packet::text(PacketType::Message, u8(u"\u00e9")),
                                           Packet::bytes({})}
                                << (bytes({0, 3, 0xff}) + "4" + u8(u"\u00e9") +
                                    bytes({1, 1, 0xff, 4}));
}

void tst_Packet::v3EncodeBinaryPayload()
{
    QFETCH(Packets, packets);
    QFETCH(QByteArray, expected);
    bool isBinary = false;
    QCOMPARE(V3::encodePayload(packets, true, &isBinary), expected);
    QVERIFY(isBinary);
}

void tst_Packet::v3DecodeBinaryPayload_data()
{
    QTest::addColumn<QByteArray>("payload");
    QTest::addColumn<Packets>("expected");
    QTest::addRow("binary") << bytes({1, 4, 0xff, 4, 1, 2, 3})
                            << Packets{Packet::bytes(bytes({1, 2, 3}))};
    QTest::addRow("text + binary")
        << (bytes({0, 6, 0xff}) + "4hello" + bytes({1, 4, 0xff, 4, 1, 2, 3}))
        << Packets{Packet::text(PacketType::Message, "hello"), Packet::bytes(bytes({1, 2, 3}))};
    QTest::addRow("two-digit length") << (bytes({0, 1, 0, 0xff}) + "4123456789")
                                      << Packets{Packet::text(PacketType::Message, "123456789")};
    QTest::addRow("text b4 inside binary payload")
        << (bytes({0, 6, 0xff}) + "b4AQID") << Packets{Packet::bytes(bytes({1, 2, 3}))};
    QTest::addRow("invalid packet stops")
        << (bytes({0, 2, 0xff}) + "4a" + bytes({0, 1, 0xff}) + "9" + bytes({0, 1, 0xff}) + "2")
        << Packets{Packet::text(PacketType::Message, "a"), errorPacket()};
}

void tst_Packet::v3DecodeBinaryPayload()
{
    QFETCH(QByteArray, payload);
    QFETCH(Packets, expected);
    QCOMPARE(V3::decodePayload(payload, true), expected);
}

void tst_Packet::v3MalformedPayload_data()
{
    QTest::addColumn<QByteArray>("payload");
    QTest::addColumn<bool>("isBinary");
    QTest::addColumn<int>("validBefore"); // packets decoded before the error
    QTest::addRow("text: empty") << QByteArray() << false << 0;
    QTest::addRow("text: missing colon") << QByteArray("4hello") << false << 0;
    QTest::addRow("text: missing colon after a packet") << QByteArray("1:2abc") << false << 1;
    QTest::addRow("text: length beyond the end") << QByteArray("9:4hello") << false << 0;
    QTest::addRow("text: non-digit length") << QByteArray("a:4hello") << false << 0;
    QTest::addRow("text: empty length") << QByteArray(":4") << false << 0;
    QTest::addRow("text: negative length") << QByteArray("-1:4") << false << 0;
    QTest::addRow("binary: empty") << QByteArray() << true << 0;
    QTest::addRow("binary: truncated data") << bytes({0, 5, 0xff}) + "4a" << true << 0;
    QTest::addRow("binary: truncated after one packet")
        << (bytes({0, 2, 0xff}) + "4a" + bytes({1, 9, 0xff, 4})) << true << 1;
    QTest::addRow("binary: no 0xff") << bytes({0, 2}) << true << 0;
    QTest::addRow("binary: no length digits") << (bytes({0, 0xff}) + "4a") << true << 0;
    QTest::addRow("binary: digit byte above 9")
        << (bytes({0, 10, 0xff}) + "4abcdefghi") << true << 0;
    // Lengths an attacker would pick.
    QTest::addRow("text: 20-digit length") << QByteArray("99999999999999999999:4") << false << 0;
    QTest::addRow("text: 2^63") << QByteArray("9223372036854775808:4") << false << 0;
    QTest::addRow("text: -2^63") << QByteArray("-9223372036854775808:4") << false << 0;
    QTest::addRow("text: 2^63-1") << QByteArray("9223372036854775807:4") << false << 0;
    QTest::addRow("text: length just past the end") << QByteArray("3:4a") << false << 0;
    QTest::addRow("text: second length beyond the end")
        << QByteArray("2:4a2147483647:4") << false << 1;
    QTest::addRow("binary: 20 length digits")
        << (bytes({0, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 0xff}) + "4a")
        << true << 0;
    QTest::addRow("binary: 2^31 length")
        << (bytes({1, 2, 1, 4, 7, 4, 8, 3, 6, 4, 8, 0xff}) + "4a") << true << 0;
    QTest::addRow("binary: length past the end by one")
        << (bytes({0, 3, 0xff}) + "4a") << true << 0;
    QTest::addRow("binary: 0xff only") << bytes({0xff}) << true << 0;
}

void tst_Packet::v3MalformedPayload()
{
    QFETCH(QByteArray, payload);
    QFETCH(bool, isBinary);
    QFETCH(int, validBefore);
    const Packets packets = V3::decodePayload(payload, isBinary);
    QCOMPARE(packets.size(), validBefore + 1);
    for (int i = 0; i < validBefore; ++i)
        QVERIFY(!packets.at(i).isError());
    QCOMPARE(packets.last(), errorPacket());
}

void tst_Packet::v3PayloadRoundTrip_data()
{
    QTest::addColumn<Packets>("packets");
    QTest::addColumn<bool>("supportsBinary");
    const Packets mixed{Packet::text(PacketType::Open, R"({"sid":"a"})"),
                        Packet::text(PacketType::Message, u8(u"\u00e9\u20ac\U0001F600:1")),
                        Packet::bytes(bytes({0, 0xff, ':', '4'})),
                        Packet::text(PacketType::Message), Packet::text(PacketType::Noop)};
    QTest::addRow("mixed, text form") << mixed << false;
    QTest::addRow("mixed, binary form") << mixed << true;
    QTest::addRow("long binary") << Packets{Packet::bytes(QByteArray(12345, '\x01'))} << true;
    QTest::addRow("long text") << Packets{Packet::text(PacketType::Message, QByteArray(12345, 'x'))}
                               << false;
}

void tst_Packet::v3PayloadRoundTrip()
{
    QFETCH(Packets, packets);
    QFETCH(bool, supportsBinary);
    bool isBinary = false;
    const QByteArray payload = V3::encodePayload(packets, supportsBinary, &isBinary);
    QCOMPARE(isBinary, supportsBinary);
    QCOMPARE(V3::decodePayload(payload, isBinary), packets);
}

QTEST_GUILESS_MAIN(tst_Packet)
#include "tst_packet.moc"
