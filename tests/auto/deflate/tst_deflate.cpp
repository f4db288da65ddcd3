// permessage-deflate on the lean engine (websocket/deflate_p.h and the frame reader): the
// negotiation as ws answers it, compression both ways with and without context takeover, and
// the limits: a compression bomb closes with 1009, data that is not DEFLATE with 1007, RSV1
// where it does not belong with 1002.
#include "websocket/deflate_p.h"
#include "websocket/frame_p.h"

#include <QtCore/QtEndian>
#include <QtTest/QTest>

#include <zlib.h>

using namespace SocketIO::WebSocket;
using Messages = QList<FrameReader::Message>;

Q_DECLARE_METATYPE(SocketIO::WebSocket::Negotiation)

namespace {
constexpr quint32 Mask = 0x1a2b3c4d;

// A client's raw DEFLATE stream (what a browser or ws compresses with).
class ClientDeflate
{
public:
    explicit ClientDeflate(bool contextTakeover = true)
        : m_takeover(contextTakeover)
    {
        deflateInit2(&m_z, 6, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY);
    }
    ~ClientDeflate() { deflateEnd(&m_z); }

    // One message's payload: sync-flushed, without the trailing 00 00 ff ff.
    QByteArray compress(QByteArrayView data)
    {
        QByteArray out(int(deflateBound(&m_z, uLong(data.size()))) + 64, Qt::Uninitialized);
        m_z.next_in = reinterpret_cast<Bytef *>(const_cast<char *>(data.data()));
        m_z.avail_in = uInt(data.size());
        m_z.next_out = reinterpret_cast<Bytef *>(out.data());
        m_z.avail_out = uInt(out.size());
        deflate(&m_z, Z_SYNC_FLUSH);
        out.truncate(out.size() - m_z.avail_out);
        out.chop(4);
        if (!m_takeover)
            deflateReset(&m_z);
        return out;
    }

private:
    z_stream m_z{};
    bool m_takeover;
};

// A masked client frame with RSV1 set (the first frame of a compressed message).
QByteArray compressedFrame(Opcode opcode, QByteArrayView payload, bool fin = true)
{
    QByteArray frame = encodeMaskedFrame(opcode, payload, Mask, fin);
    frame[0] = char(frame[0] | 0x40);
    return frame;
}

// Inflates a server frame's payload as a client does.
QByteArray clientInflate(z_stream &z, QByteArrayView payload)
{
    QByteArray input = payload.toByteArray() + QByteArray("\x00\x00\xff\xff", 4);
    QByteArray out(1 << 20, Qt::Uninitialized);
    z.next_in = reinterpret_cast<Bytef *>(input.data());
    z.avail_in = uInt(input.size());
    z.next_out = reinterpret_cast<Bytef *>(out.data());
    z.avail_out = uInt(out.size());
    const int r = inflate(&z, Z_SYNC_FLUSH);
    if (r != Z_OK && r != Z_STREAM_END)
        return "<inflate error>";
    out.truncate(out.size() - z.avail_out);
    return out;
}

// The payload of an unmasked server frame, and whether RSV1 is set.
QByteArray serverPayload(const QByteArray &frame, bool *rsv1)
{
    *rsv1 = frame.at(0) & 0x40;
    const quint8 len = quint8(frame.at(1)) & 0x7f;
    const qsizetype header = len < 126 ? 2 : len == 126 ? 4 : 10;
    return frame.mid(header);
}

QByteArray json(int size)
{
    QByteArray text = "[\"update\",{\"items\":[";
    for (int i = 0; text.size() < size; ++i)
        text += "{\"id\":" + QByteArray::number(i) + ",\"name\":\"item\",\"on\":true},";
    return text + "{}]}]";
}
} // namespace

class tst_Deflate : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void negotiate_data();
    void negotiate();
    void subprotocols_data();
    void subprotocols();
    void serverToClient_data();
    void serverToClient();
    void strategy();
    void clientToServer_data();
    void clientToServer();
    void fragmented();
    void noContextTakeoverResetsInflate();
    void bomb();
    void invalidData();
    void misplacedRsv1_data();
    void misplacedRsv1();
};

void tst_Deflate::negotiate_data()
{
    QTest::addColumn<QByteArray>("header");
    QTest::addColumn<int>("serverBits");
    QTest::addColumn<int>("clientBits");
    QTest::addColumn<bool>("noTakeover"); // both directions
    QTest::addColumn<Negotiation>("result");
    QTest::addColumn<QByteArray>("response");

    const auto ok = Negotiation::Accepted;
    const auto bad = Negotiation::Invalid;
    // What Node's ws and browsers offer.
    QTest::addRow("ws client") << QByteArray("permessage-deflate; client_max_window_bits") << 0 << 0
                               << false << ok << QByteArray("permessage-deflate");
    QTest::addRow("bare") << QByteArray("permessage-deflate") << 0 << 0 << false << ok
                          << QByteArray("permessage-deflate");
    QTest::addRow("client asks no takeover")
        << QByteArray("permessage-deflate; server_no_context_takeover; client_max_window_bits") << 0
        << 0 << false << ok << QByteArray("permessage-deflate; server_no_context_takeover");
    QTest::addRow("client sets server window")
        << QByteArray("permessage-deflate; server_max_window_bits=10") << 0 << 0 << false << ok
        << QByteArray("permessage-deflate; server_max_window_bits=10");
    QTest::addRow("quoted value") << QByteArray("permessage-deflate; client_max_window_bits=\"10\"")
                                  << 0 << 0 << false << ok
                                  << QByteArray("permessage-deflate; client_max_window_bits=10");
    // The server's settings.
    QTest::addRow("server no takeover") << QByteArray("permessage-deflate") << 0 << 0 << true << ok
                                        << QByteArray("permessage-deflate; "
                                                      "server_no_context_takeover; "
                                                      "client_no_context_takeover");
    QTest::addRow("first acceptable offer")
        << QByteArray("permessage-deflate; server_max_window_bits=10, permessage-deflate") << 12
        << 0 << false << ok << QByteArray("permessage-deflate; server_max_window_bits=12");
    QTest::addRow("client window set, offered bare")
        << QByteArray("permessage-deflate; client_max_window_bits") << 0 << 11 << false << ok
        << QByteArray("permessage-deflate; client_max_window_bits=11");
    QTest::addRow("client window set, not offered")
        << QByteArray("permessage-deflate") << 0 << 11 << false << bad << QByteArray();
    QTest::addRow("client window too small")
        << QByteArray("permessage-deflate; client_max_window_bits=9") << 0 << 11 << false << bad
        << QByteArray();
    QTest::addRow("server window too small")
        << QByteArray("permessage-deflate; server_max_window_bits=9") << 12 << 0 << false << bad
        << QByteArray();
    // Malformed offers: 400, as ws.
    QTest::addRow("unknown param")
        << QByteArray("permessage-deflate; foo") << 0 << 0 << false << bad << QByteArray();
    QTest::addRow("server bits without value")
        << QByteArray("permessage-deflate; server_max_window_bits") << 0 << 0 << false << bad
        << QByteArray();
    QTest::addRow("bits out of range")
        << QByteArray("permessage-deflate; client_max_window_bits=16") << 0 << 0 << false << bad
        << QByteArray();
    QTest::addRow("takeover with value")
        << QByteArray("permessage-deflate; server_no_context_takeover=1") << 0 << 0 << false << bad
        << QByteArray();
    QTest::addRow("twice the same param")
        << QByteArray("permessage-deflate; client_max_window_bits=10; client_max_window_bits=11")
        << 0 << 0 << false << bad << QByteArray();
    QTest::addRow("empty offer") << QByteArray("permessage-deflate,,") << 0 << 0 << false << bad
                                 << QByteArray();
    QTest::addRow("space before =") << QByteArray("permessage-deflate; client_max_window_bits =10")
                                    << 0 << 0 << false << bad << QByteArray();
    QTest::addRow("bad later offer") << QByteArray("permessage-deflate, permessage-deflate; x=1")
                                     << 0 << 0 << false << bad << QByteArray();
    // Other extensions are not ours.
    QTest::addRow("other extension") << QByteArray("x-webkit-deflate-frame") << 0 << 0 << false
                                     << Negotiation::None << QByteArray();
    QTest::addRow("other then ours")
        << QByteArray("foo; bar=1, permessage-deflate; client_max_window_bits") << 0 << 0 << false
        << ok << QByteArray("permessage-deflate");
}

void tst_Deflate::negotiate()
{
    QFETCH(QByteArray, header);
    QFETCH(int, serverBits);
    QFETCH(int, clientBits);
    QFETCH(bool, noTakeover);
    QFETCH(Negotiation, result);
    QFETCH(QByteArray, response);

    DeflateConfig config;
    config.serverMaxWindowBits = serverBits;
    config.clientMaxWindowBits = clientBits;
    config.serverNoContextTakeover = noTakeover;
    config.clientNoContextTakeover = noTakeover;
    DeflateParams params;
    QCOMPARE(negotiateDeflate(header, config, &params), result);
    if (result == Negotiation::Accepted)
        QCOMPARE(params.response, response);
}

void tst_Deflate::subprotocols_data()
{
    QTest::addColumn<QByteArray>("header");
    QTest::addColumn<bool>("valid");
    QTest::addColumn<QByteArray>("first");

    QTest::addRow("one") << QByteArray("foo") << true << QByteArray("foo");
    QTest::addRow("two") << QByteArray("foo, bar") << true << QByteArray("foo");
    QTest::addRow("no space") << QByteArray("chat,superchat") << true << QByteArray("chat");
    QTest::addRow("duplicate") << QByteArray("foo, foo") << false << QByteArray();
    QTest::addRow("leading space") << QByteArray(" foo") << false << QByteArray();
    QTest::addRow("trailing space") << QByteArray("foo ") << false << QByteArray();
    QTest::addRow("inner space") << QByteArray("foo bar") << false << QByteArray();
    QTest::addRow("empty item") << QByteArray("foo,,bar") << false << QByteArray();
    QTest::addRow("empty") << QByteArray("") << false << QByteArray();
    QTest::addRow("separator") << QByteArray("a/b") << false << QByteArray();
}

void tst_Deflate::subprotocols()
{
    QFETCH(QByteArray, header);
    QFETCH(bool, valid);
    QFETCH(QByteArray, first);

    const auto offered = parseSubprotocols(header);
    QCOMPARE(bool(offered), valid);
    if (valid)
        QCOMPARE(offered->constFirst(), first);
}

void tst_Deflate::serverToClient_data()
{
    QTest::addColumn<bool>("noTakeover");
    QTest::addRow("context takeover") << false;
    QTest::addRow("no context takeover") << true;
}

// The server's frames carry RSV1 and inflate back; with context takeover the second copy of a
// message costs a few bytes, without it as much as the first.
void tst_Deflate::serverToClient()
{
    QFETCH(bool, noTakeover);
    DeflateConfig config;
    config.serverNoContextTakeover = noTakeover;
    DeflateParams params;
    QCOMPARE(negotiateDeflate("permessage-deflate", config, &params), Negotiation::Accepted);
    QCOMPARE(params.serverNoContextTakeover, noTakeover);
    Deflater deflater(config, params);

    z_stream z{};
    QCOMPARE(inflateInit2(&z, -15), Z_OK);
    const QByteArray message = json(4000);
    QList<qsizetype> sizes;
    for (int i = 0; i < 3; ++i) {
        const QByteArray frame = deflater.compressFrame(quint8(Opcode::Text), "4", message);
        bool rsv1 = false;
        const QByteArray payload = serverPayload(frame, &rsv1);
        QVERIFY(rsv1);
        QCOMPARE(quint8(frame.at(0)) & 0x8f, 0x81); // FIN, text
        QVERIFY(payload.size() < message.size() / 2);
        sizes.append(payload.size());
        QCOMPARE(clientInflate(z, payload), "4" + message);
    }
    inflateEnd(&z);
    if (noTakeover) {
        QCOMPARE(sizes.at(1), sizes.at(0));
    } else {
        QVERIFY2(sizes.at(1) < sizes.at(0) / 4, qPrintable(QString::number(sizes.at(1))));
    }
}

// zlibDeflateOptions.strategy reaches zlib: Huffman coding only (2) finds no repeats, so a
// repetitive message compresses far less than with the default strategy, and inflates back.
void tst_Deflate::strategy()
{
    DeflateParams params;
    DeflateConfig config;
    QCOMPARE(negotiateDeflate("permessage-deflate", config, &params), Negotiation::Accepted);
    const QByteArray message = json(4000);
    QList<qsizetype> sizes;
    for (const int strategy : {0, 2}) {
        config.strategy = strategy;
        Deflater deflater(config, params);
        const QByteArray frame = deflater.compressFrame(quint8(Opcode::Text), "4", message);
        bool rsv1 = false;
        const QByteArray payload = serverPayload(frame, &rsv1);
        QVERIFY(rsv1);
        z_stream z{};
        QCOMPARE(inflateInit2(&z, -15), Z_OK);
        QCOMPARE(clientInflate(z, payload), "4" + message);
        inflateEnd(&z);
        sizes.append(payload.size());
    }
    QVERIFY2(sizes.at(1) > sizes.at(0) * 2,
             qPrintable(QStringLiteral("%1 %2").arg(sizes.at(0)).arg(sizes.at(1))));
}

void tst_Deflate::clientToServer_data()
{
    QTest::addColumn<bool>("takeover");
    QTest::addRow("client keeps context") << true;
    QTest::addRow("client resets") << false;
}

void tst_Deflate::clientToServer()
{
    QFETCH(bool, takeover);
    ClientDeflate client(takeover);
    FrameReader reader(1'000'000);
    reader.enableInflate(!takeover);
    const QByteArray text = json(3000);
    const QByteArray binary(5000, '\x07');
    // One after the other: the client's context runs through them in this order.
    QByteArray stream = compressedFrame(Opcode::Text, client.compress(text));
    stream += compressedFrame(Opcode::Text, client.compress(text));
    stream += encodeMaskedFrame(Opcode::Text, "plain", Mask);
    stream += compressedFrame(Opcode::Binary, client.compress(binary));
    Messages messages;
    QVERIFY2(reader.read(stream, &messages), reader.errorReason().constData());
    QCOMPARE(messages.size(), 4);
    QCOMPARE(messages.at(0).payload, text);
    QCOMPARE(messages.at(1).payload, text);
    QCOMPARE(messages.at(2).payload, QByteArray("plain"));
    QCOMPARE(messages.at(3).opcode, Opcode::Binary);
    QCOMPARE(messages.at(3).payload, binary);
}

// RSV1 on the first frame only; the continuation frames add to the compressed data.
void tst_Deflate::fragmented()
{
    ClientDeflate client;
    FrameReader reader(1'000'000);
    reader.enableInflate(false);
    const QByteArray text = json(2000);
    const QByteArray compressed = client.compress(text);
    const qsizetype half = compressed.size() / 2;
    QByteArray stream = compressedFrame(Opcode::Text, compressed.left(half), false) +
                        encodeMaskedFrame(Opcode::Ping, "p", Mask) +
                        encodeMaskedFrame(Opcode::Continuation, compressed.mid(half), Mask);
    Messages messages;
    QVERIFY(reader.read(stream, &messages));
    QCOMPARE(messages.size(), 2);
    QCOMPARE(messages.at(0).opcode, Opcode::Ping);
    QCOMPARE(messages.at(1).payload, text);
}

// With client_no_context_takeover agreed, the server's inflater starts each message afresh: a
// client that keeps its context anyway refers back past the message, and that is invalid.
void tst_Deflate::noContextTakeoverResetsInflate()
{
    ClientDeflate client(true);
    FrameReader reader(1'000'000);
    reader.enableInflate(true);
    const QByteArray text = json(3000);
    QByteArray stream = compressedFrame(Opcode::Text, client.compress(text));
    stream += compressedFrame(Opcode::Text, client.compress(text));
    Messages messages;
    QVERIFY(!reader.read(stream, &messages));
    QCOMPARE(messages.size(), 1);
    QCOMPARE(reader.closeCode(), quint16(InvalidPayload));
}

// 50 MB of zeros compress into about 50 KB: well below the limit on the wire, far past it
// inflated. The reader stops at the limit (1009) instead of inflating it all.
void tst_Deflate::bomb()
{
    ClientDeflate client;
    const QByteArray zeros(50'000'000, '\0');
    const QByteArray compressed = client.compress(zeros);
    QVERIFY(compressed.size() < 100'000);
    FrameReader reader(1'000'000);
    reader.enableInflate(false);
    QByteArray stream = compressedFrame(Opcode::Binary, compressed);
    Messages messages;
    QVERIFY(!reader.read(stream, &messages));
    QVERIFY(messages.isEmpty());
    QCOMPARE(reader.closeCode(), quint16(MessageTooBig));

    // Exactly at the limit is fine; one byte more is not.
    for (qsizetype size : {qsizetype(1'000'000), qsizetype(1'000'001)}) {
        ClientDeflate fresh;
        FrameReader limited(1'000'000);
        limited.enableInflate(false);
        QByteArray one = compressedFrame(Opcode::Binary, fresh.compress(zeros.left(size)));
        Messages out;
        QCOMPARE(limited.read(one, &out), size == 1'000'000);
        if (size == 1'000'000)
            QCOMPARE(out.constFirst().payload.size(), size);
        else
            QCOMPARE(limited.closeCode(), quint16(MessageTooBig));
    }
}

void tst_Deflate::invalidData()
{
    FrameReader reader(1'000'000);
    reader.enableInflate(false);
    // Block type 3 is reserved.
    QByteArray stream = compressedFrame(Opcode::Text, QByteArray("\xff\xff\xff\xff", 4));
    Messages messages;
    QVERIFY(!reader.read(stream, &messages));
    QCOMPARE(reader.closeCode(), quint16(InvalidPayload));
    QVERIFY(!reader.errorReason().isEmpty());

    // Valid DEFLATE of invalid UTF-8 in a text message: 1007 too.
    ClientDeflate client;
    FrameReader text(1'000'000);
    text.enableInflate(false);
    QByteArray bad = compressedFrame(Opcode::Text, client.compress("\xc3\x28"));
    QVERIFY(!text.read(bad, &messages));
    QCOMPARE(text.closeCode(), quint16(InvalidPayload));
}

void tst_Deflate::misplacedRsv1_data()
{
    QTest::addColumn<bool>("negotiated");
    QTest::addColumn<QByteArray>("stream");

    ClientDeflate client;
    const QByteArray data = client.compress("hello");
    QTest::addRow("not negotiated") << false << compressedFrame(Opcode::Text, data);
    QTest::addRow("on a ping") << true << compressedFrame(Opcode::Ping, "x");
    QTest::addRow("on a continuation") << true
                                       << (encodeMaskedFrame(Opcode::Text, "a", Mask, false) +
                                           compressedFrame(Opcode::Continuation, "b"));
    QByteArray rsv2 = encodeMaskedFrame(Opcode::Text, data, Mask);
    rsv2[0] = char(rsv2[0] | 0x20);
    QTest::addRow("RSV2") << true << rsv2;
}

void tst_Deflate::misplacedRsv1()
{
    QFETCH(bool, negotiated);
    QFETCH(QByteArray, stream);
    FrameReader reader(1'000'000);
    if (negotiated)
        reader.enableInflate(false);
    Messages messages;
    QVERIFY(!reader.read(stream, &messages));
    QCOMPARE(reader.closeCode(), quint16(ProtocolError));
}

QTEST_GUILESS_MAIN(tst_Deflate)
#include "tst_deflate.moc"
