// The lean engine's frame reader on hostile and ordinary input: every split point of a
// frame's header, extended length, mask key and payload; lengths up to 2^63; control frames;
// continuation rules; and the guard bytes past what was received left untouched.
#include "websocket/frame_p.h"

#include <QtCore/QtEndian>
#include <QtTest/QTest>

using namespace SocketIO::WebSocket;
using Messages = QList<FrameReader::Message>;

Q_DECLARE_METATYPE(SocketIO::WebSocket::Opcode)

namespace {
constexpr qint64 MaxSize = 1000000;
constexpr quint32 Mask = 0x37fa213d;

QByteArray payloadOf(qsizetype size)
{
    QByteArray payload(size, Qt::Uninitialized);
    for (qsizetype i = 0; i < size; ++i)
        payload[i] = char('a' + i % 26);
    return payload;
}

// A masked header only (no mask key), with the length in the form the size asks for, or a
// forced 127 form.
QByteArray rawHeader(quint8 b0, quint64 length, bool masked = true)
{
    QByteArray header;
    header += char(b0);
    const char maskBit = masked ? char(0x80) : char(0);
    if (length < 126) {
        header += char(maskBit | char(length));
    } else if (length < 65536) {
        header += char(maskBit | 126);
        char be[2];
        qToBigEndian<quint16>(quint16(length), be);
        header.append(be, 2);
    } else {
        header += char(maskBit | 127);
        char be[8];
        qToBigEndian<quint64>(length, be);
        header.append(be, 8);
    }
    return header;
}

// Feeds `stream` in the pieces `cuts` gives, keeping what the reader leaves as the lean
// socket does. Returns false on a protocol violation.
bool feed(FrameReader &reader, const QByteArray &stream, const QList<qsizetype> &cuts,
          Messages *messages)
{
    QByteArray buffer;
    qsizetype from = 0;
    QList<qsizetype> ends = cuts;
    ends.append(stream.size());
    for (qsizetype end : ends) {
        buffer += stream.mid(from, end - from);
        from = end;
        if (!reader.read(buffer, messages))
            return false;
    }
    return buffer.isEmpty();
}
} // namespace

class tst_Frame : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void splitAnywhere_data();
    void splitAnywhere();
    void byteByByte();
    void incompleteKeyTouchesNothingPastTheData_data();
    void incompleteKeyTouchesNothingPastTheData();
    void rejects_data();
    void rejects();
    void fragmentsWithControlFramesBetween();
    void oversizeIsRefusedBeforeItArrives();
    void closeFrames_data();
    void closeFrames();
    void nothingAfterClose();
    void nothingAfterViolation();
};

void tst_Frame::splitAnywhere_data()
{
    QTest::addColumn<qsizetype>("size");
    QTest::addColumn<qsizetype>("cut");
    // Each length form, at its edges; cut at every byte of the header and mask key, and at
    // the start, middle and end of the payload.
    for (qsizetype size : {0, 1, 125, 126, 300, 65535, 65536, 70000}) {
        const qsizetype header = size < 126 ? 2 : size < 65536 ? 4 : 10;
        QList<qsizetype> cuts;
        for (qsizetype c = 1; c <= header + 5; ++c)
            cuts.append(c);
        cuts << header + 4 + size / 2 << header + 4 + size - 1 << header + 4 + size
             << header + 4 + size + 1 << header + 4 + size + 3;
        std::sort(cuts.begin(), cuts.end());
        cuts.erase(std::unique(cuts.begin(), cuts.end()), cuts.end());
        for (qsizetype cut : cuts)
            QTest::addRow("%lld bytes, cut at %lld", qlonglong(size), qlonglong(cut))
                << size << cut;
    }
}

void tst_Frame::splitAnywhere()
{
    QFETCH(qsizetype, size);
    QFETCH(qsizetype, cut);
    // Three frames in a row: the cut may fall in the first or reach into the second.
    const QByteArray payload = payloadOf(size);
    const QByteArray stream = encodeMaskedFrame(Opcode::Text, payload, Mask) +
                              encodeMaskedFrame(Opcode::Binary, "second", Mask + 1) +
                              encodeMaskedFrame(Opcode::Ping, "p", Mask + 2);
    QVERIFY(cut <= stream.size());
    FrameReader reader(MaxSize);
    Messages messages;
    QVERIFY2(feed(reader, stream, {cut}, &messages), reader.errorReason().constData());
    QCOMPARE(messages.size(), 3);
    QCOMPARE(messages[0].opcode, Opcode::Text);
    QCOMPARE(messages[0].payload, payload);
    QCOMPARE(messages[1].opcode, Opcode::Binary);
    QCOMPARE(messages[1].payload, QByteArray("second"));
    QCOMPARE(messages[2].opcode, Opcode::Ping);
    QCOMPARE(messages[2].payload, QByteArray("p"));
}

void tst_Frame::byteByByte()
{
    // 2000 small frames arriving one byte at a time: what broke pipelined clients.
    QByteArray stream;
    for (int i = 0; i < 2000; ++i)
        stream += encodeMaskedFrame(Opcode::Text, QByteArray::number(i), Mask ^ quint32(i));
    QList<qsizetype> cuts;
    for (qsizetype i = 1; i < stream.size(); ++i)
        cuts.append(i);
    FrameReader reader(MaxSize);
    Messages messages;
    QVERIFY(feed(reader, stream, cuts, &messages));
    QCOMPARE(messages.size(), 2000);
    for (int i = 0; i < 2000; ++i)
        QCOMPARE(messages[i].payload, QByteArray::number(i));
}

void tst_Frame::incompleteKeyTouchesNothingPastTheData_data()
{
    QTest::addColumn<QByteArray>("received");
    const QByteArray big = rawHeader(0x81, 900000);
    QTest::addRow("64-bit length, no key") << big;
    QTest::addRow("64-bit length, 2 bytes of key") << big + "ab";
    QTest::addRow("16-bit length, no key") << rawHeader(0x82, 1000);
    QTest::addRow("16-bit length, 3 bytes of key") << rawHeader(0x82, 1000) + "abc";
    QTest::addRow("7-bit length, no key") << rawHeader(0x81, 100);
    QTest::addRow("7-bit length, 1 byte of key") << rawHeader(0x81, 100) + "a";
    QTest::addRow("empty payload, no key") << rawHeader(0x81, 0);
}

void tst_Frame::incompleteKeyTouchesNothingPastTheData()
{
    QFETCH(QByteArray, received);
    // What follows the received bytes in memory (another client's data, the rest of a
    // scratch buffer) must be neither read into a message nor unmasked in place.
    QByteArray memory = received + QByteArray(1 << 20, 'G');
    const QByteArray before = memory;
    FrameReader reader(MaxSize);
    Messages messages;
    const qsizetype used = reader.read(memory.data(), received.size(), &messages);
    QCOMPARE(used, qsizetype(0));
    QVERIFY(messages.isEmpty());
    QVERIFY(memory == before);
}

void tst_Frame::rejects_data()
{
    QTest::addColumn<QByteArray>("stream");
    QTest::addColumn<int>("code");
    const QByteArray key("\x01\x02\x03\x04", 4);
    QTest::addRow("2^63 length") << rawHeader(0x82, quint64(1) << 63) + key << int(ProtocolError);
    QTest::addRow("2^64-1 length") << rawHeader(0x82, ~quint64(0)) + key << int(ProtocolError);
    QTest::addRow("2^63-1 length, over the limit")
        << rawHeader(0x82, (quint64(1) << 63) - 1) + key << int(MessageTooBig);
    QTest::addRow("continuation declaring 2^63-1 after a fragment")
        << encodeMaskedFrame(Opcode::Text, "abc", Mask, false) +
               rawHeader(0x80, (quint64(1) << 63) - 1) + key
        << int(MessageTooBig);
    QTest::addRow("fragments adding up past the limit")
        << encodeMaskedFrame(Opcode::Binary, payloadOf(600000), Mask, false) +
               encodeMaskedFrame(Opcode::Continuation, payloadOf(500000), Mask)
        << int(MessageTooBig);
    QTest::addRow("one byte over the limit")
        << rawHeader(0x82, MaxSize + 1) + key << int(MessageTooBig);
    QTest::addRow("unmasked") << rawHeader(0x81, 2, false) + "hi" << int(ProtocolError);
    QTest::addRow("RSV1 without an extension") << rawHeader(0xc1, 0) + key << int(ProtocolError);
    QTest::addRow("RSV3") << rawHeader(0x91, 0) + key << int(ProtocolError);
    QTest::addRow("opcode 3") << rawHeader(0x83, 0) + key << int(ProtocolError);
    QTest::addRow("opcode 0xB") << rawHeader(0x8b, 0) + key << int(ProtocolError);
    QTest::addRow("ping of 126 bytes")
        << encodeMaskedFrame(Opcode::Ping, payloadOf(126), Mask) << int(ProtocolError);
    QTest::addRow("fragmented ping")
        << encodeMaskedFrame(Opcode::Ping, "x", Mask, false) << int(ProtocolError);
    QTest::addRow("close with a 1-byte body")
        << encodeMaskedFrame(Opcode::Close, "x", Mask) << int(ProtocolError);
    QTest::addRow("continuation without a message")
        << encodeMaskedFrame(Opcode::Continuation, "x", Mask) << int(ProtocolError);
    QTest::addRow("text inside a fragmented message")
        << encodeMaskedFrame(Opcode::Text, "a", Mask, false) +
               encodeMaskedFrame(Opcode::Text, "b", Mask)
        << int(ProtocolError);
    QTest::addRow("invalid UTF-8")
        << encodeMaskedFrame(Opcode::Text, "\xc3\x28", Mask) << int(InvalidPayload);
    QTest::addRow("UTF-8 surrogate")
        << encodeMaskedFrame(Opcode::Text, "\xed\xa0\x80", Mask) << int(InvalidPayload);
    QTest::addRow("invalid UTF-8 across fragments")
        << encodeMaskedFrame(Opcode::Text, "ok\xc3", Mask, false) +
               encodeMaskedFrame(Opcode::Continuation, "\x28", Mask)
        << int(InvalidPayload);
}

void tst_Frame::rejects()
{
    QFETCH(QByteArray, stream);
    QFETCH(int, code);
    // Whole, and cut after every byte of the first 16: the verdict must not depend on how
    // the bytes arrive.
    for (qsizetype cut = 0; cut <= qMin<qsizetype>(16, stream.size()); ++cut) {
        FrameReader reader(MaxSize);
        Messages messages;
        QList<qsizetype> cuts;
        if (cut > 0)
            cuts.append(cut);
        QVERIFY2(!feed(reader, stream, cuts, &messages), qPrintable(QString::number(cut)));
        QCOMPARE(int(reader.closeCode()), code);
        QVERIFY(!reader.errorReason().isEmpty());
    }
}

void tst_Frame::fragmentsWithControlFramesBetween()
{
    // Control frames may come between the fragments of a message; valid UTF-8 may be split
    // across fragments.
    const QByteArray stream = encodeMaskedFrame(Opcode::Text, "caf\xc3", Mask, false) +
                              encodeMaskedFrame(Opcode::Ping, "1", Mask) +
                              encodeMaskedFrame(Opcode::Continuation, "\xa9 ", Mask, false) +
                              encodeMaskedFrame(Opcode::Pong, "", Mask) +
                              encodeMaskedFrame(Opcode::Continuation, "ok", Mask);
    FrameReader reader(MaxSize);
    Messages messages;
    QVERIFY(feed(reader, stream, {}, &messages));
    QCOMPARE(messages.size(), 3);
    QCOMPARE(messages[0].opcode, Opcode::Ping);
    QCOMPARE(messages[1].opcode, Opcode::Pong);
    QCOMPARE(messages[2].opcode, Opcode::Text);
    QCOMPARE(messages[2].payload, QByteArray("caf\xc3\xa9 ok"));
}

void tst_Frame::oversizeIsRefusedBeforeItArrives()
{
    // The verdict comes with the header: the body of an oversize frame is never awaited.
    FrameReader reader(1000);
    Messages messages;
    QByteArray header = rawHeader(0x82, 1001) + "abcd";
    QCOMPARE(reader.read(header.data(), header.size(), &messages), qsizetype(-1));
    QCOMPARE(int(reader.closeCode()), int(MessageTooBig));
}

void tst_Frame::closeFrames_data()
{
    QTest::addColumn<QByteArray>("payload");
    QTest::addColumn<int>("code"); // 0: accepted
    auto withCode = [](quint16 code, const QByteArray &reason = {}) {
        QByteArray payload(2, Qt::Uninitialized);
        qToBigEndian<quint16>(code, payload.data());
        return payload + reason;
    };
    // RFC 6455 7.4: what a peer may send, as ws checks it.
    QTest::addRow("no code") << QByteArray() << 0;
    for (quint16 code :
         {1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 1012, 1013, 1014, 3000, 4000, 4999})
        QTest::addRow("%d", code) << withCode(code) << 0;
    QTest::addRow("1000 with a UTF-8 reason") << withCode(1000, "caf\xc3\xa9") << 0;
    for (quint16 code : {0, 999, 1004, 1005, 1006, 1015, 1016, 1100, 2000, 2999, 5000, 65535})
        QTest::addRow("%d", code) << withCode(code) << int(ProtocolError);
    QTest::addRow("reason not UTF-8") << withCode(1000, "bad \xc3\x28") << int(InvalidPayload);
    QTest::addRow("reason with a surrogate")
        << withCode(4000, "\xed\xa0\x80") << int(InvalidPayload);
    QTest::addRow("reason cut inside a character")
        << withCode(1001, "caf\xc3") << int(InvalidPayload);
}

void tst_Frame::closeFrames()
{
    QFETCH(QByteArray, payload);
    QFETCH(int, code);
    FrameReader reader(MaxSize);
    Messages messages;
    const bool ok = feed(reader, encodeMaskedFrame(Opcode::Close, payload, Mask), {}, &messages);
    if (code == 0) {
        QVERIFY2(ok, reader.errorReason().constData());
        QCOMPARE(messages.size(), 1);
        QCOMPARE(messages[0].opcode, Opcode::Close);
        QCOMPARE(messages[0].payload, payload);
    } else {
        QVERIFY(!ok);
        QCOMPARE(int(reader.closeCode()), code);
        QVERIFY(messages.isEmpty());
    }
}

void tst_Frame::nothingAfterClose()
{
    // The close frame ends the stream: what comes with it or after it is neither parsed
    // nor kept (a ping there would be answered, a large header buffered).
    QByteArray closeFrame(2, Qt::Uninitialized);
    qToBigEndian<quint16>(NormalClosure, closeFrame.data());
    QByteArray stream = encodeMaskedFrame(Opcode::Text, "before", Mask) +
                        encodeMaskedFrame(Opcode::Close, closeFrame, Mask) +
                        encodeMaskedFrame(Opcode::Ping, "p", Mask) + rawHeader(0x82, 900000);
    FrameReader reader(MaxSize);
    Messages messages;
    QCOMPARE(reader.read(stream.data(), stream.size(), &messages), stream.size());
    QCOMPARE(messages.size(), 2);
    QCOMPARE(messages[0].payload, QByteArray("before"));
    QCOMPARE(messages[1].opcode, Opcode::Close);
    QVERIFY(reader.isDone());
    QByteArray more = encodeMaskedFrame(Opcode::Text, "after", Mask);
    QCOMPARE(reader.read(more.data(), more.size(), &messages), more.size());
    QCOMPARE(messages.size(), 2);
}

void tst_Frame::nothingAfterViolation()
{
    // After a violation the stream is out of step: later bytes are not taken as frames.
    QByteArray bad = rawHeader(0x83, 0) + "abcd";
    FrameReader reader(MaxSize);
    Messages messages;
    QCOMPARE(reader.read(bad.data(), bad.size(), &messages), qsizetype(-1));
    QVERIFY(reader.isDone());
    QByteArray good = encodeMaskedFrame(Opcode::Ping, "p", Mask);
    QCOMPARE(reader.read(good.data(), good.size(), &messages), qsizetype(-1));
    QVERIFY(messages.isEmpty());
    QCOMPARE(int(reader.closeCode()), int(ProtocolError));
}

QTEST_GUILESS_MAIN(tst_Frame)
#include "tst_frame.moc"
