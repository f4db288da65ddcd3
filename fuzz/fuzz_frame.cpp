// The lean engine's WebSocket frame reader (websocket/frame_p.h) on what a client sends after
// the upgrade. The input is the byte stream; it is read whole, in pieces cut where the input
// says (as TCP reads would cut it), and byte by byte, each read over a heap block of exactly
// the bytes received so far so that AddressSanitizer sees any access past them.
//
// Properties checked: a read never claims more bytes than it was given and leaves the bytes it
// did not use untouched; every way of cutting the stream gives the same messages and the same
// verdict; messages respect the limits (control payloads <= 125, data <= the max size, text is
// UTF-8); a message re-encoded by a client, whole or fragmented with a ping in between, reads
// back the same; the server-side encoders agree with each other. The stream is also read as a
// client reads a server's frames (unmasked only), and the server's frames read back there.
#include "websocket/frame_p.h"

#include "fuzzcheck.h"

#include <cstring>
#include <memory>

using namespace SocketIO::WebSocket;
using Messages = QList<FrameReader::Message>;

namespace SocketIO::WebSocket {
// For comparing message lists (found through ADL).
bool operator==(const FrameReader::Message &a, const FrameReader::Message &b)
{
    return a.opcode == b.opcode && a.payload == b.payload;
}
} // namespace SocketIO::WebSocket

namespace {

struct Outcome
{
    Messages messages;
    bool failed = false;
    quint16 closeCode = 0;
    qsizetype used = 0; // bytes consumed, when not failed
};

// One read over exactly what is pending, as the lean socket does with its read buffer.
qsizetype readPending(FrameReader &reader, QByteArray &pending, Messages *messages)
{
    const qsizetype size = pending.size();
    std::unique_ptr<char[]> block(new char[size_t(size)]);
    if (size)
        std::memcpy(block.get(), pending.constData(), size_t(size));
    const qsizetype used = reader.read(block.get(), size, messages);
    FUZZ_CHECK(used == -1 || (used >= 0 && used <= size));
    if (used >= 0) {
        FUZZ_CHECK(
            std::memcmp(block.get() + used, pending.constData() + used, size_t(size - used)) == 0);
        pending.remove(0, used);
    }
    return used;
}

enum class Cut { Whole, Random, ByteWise };

Outcome readStream(QByteArrayView stream, qint64 maxSize, Cut cut, Fuzz::Random *random,
                   FrameReader::Sender sender = FrameReader::Sender::Client)
{
    FrameReader reader(maxSize, sender);
    Outcome outcome;
    QByteArray pending;
    qsizetype from = 0;
    do {
        qsizetype n = stream.size() - from;
        if (cut == Cut::ByteWise) {
            n = qMin<qsizetype>(n, 1);
        } else if (cut == Cut::Random && n > 0) {
            // Mostly cuts inside a header (2 to 14 bytes), sometimes anywhere.
            switch (random->below(4)) {
            case 0:
                n = 1;
                break;
            case 1:
                n = qMin(n, 1 + random->below(14));
                break;
            case 2:
                n = qMin(n, 1 + random->below(300));
                break;
            default:
                n = 1 + random->below(n);
                break;
            }
        }
        pending.append(stream.sliced(from, n));
        from += n;
        const qsizetype before = pending.size();
        const qsizetype used = readPending(reader, pending, &outcome.messages);
        if (used < 0) {
            outcome.failed = true;
            outcome.closeCode = reader.closeCode();
            FUZZ_CHECK(outcome.closeCode >= 1000);
            FUZZ_CHECK(!reader.errorReason().isEmpty());
            return outcome;
        }
        outcome.used += before - pending.size();
    } while (from < stream.size());
    return outcome;
}

void checkMessages(const Messages &messages, qint64 maxSize)
{
    for (const FrameReader::Message &m : messages) {
        switch (m.opcode) {
        case Opcode::Close:
            FUZZ_CHECK(m.payload.size() != 1);
            Q_FALLTHROUGH();
        case Opcode::Ping:
        case Opcode::Pong:
            FUZZ_CHECK(m.payload.size() <= 125);
            break;
        case Opcode::Text:
            FUZZ_CHECK(isValidUtf8(m.payload));
            Q_FALLTHROUGH();
        case Opcode::Binary:
            FUZZ_CHECK(m.payload.size() <= maxSize);
            break;
        default:
            FUZZ_CHECK(!"a message with a frame-only opcode");
        }
    }
}

// The message as a client would send it, whole or in fragments with a ping in between, must
// read back the same.
void checkReencoded(const FrameReader::Message &message, Fuzz::Random &random)
{
    const bool control = quint8(message.opcode) & 0x8;
    const quint32 mask = quint32(random.next());
    QByteArray stream;
    Messages expected{message};
    if (control || message.payload.size() < 2 || random.below(2)) {
        stream = encodeMaskedFrame(message.opcode, message.payload, mask);
    } else {
        const qsizetype cut = 1 + random.below(message.payload.size() - 1);
        const QByteArrayView payload(message.payload);
        stream = encodeMaskedFrame(message.opcode, payload.first(cut), mask, false);
        stream += encodeMaskedFrame(Opcode::Ping, "p", mask);
        stream += encodeMaskedFrame(Opcode::Continuation, payload.sliced(cut), ~mask);
        expected.prepend({Opcode::Ping, QByteArrayLiteral("p")});
    }
    const Outcome back = readStream(stream, message.payload.size() + 1, Cut::Whole, nullptr);
    FUZZ_CHECK(!back.failed);
    FUZZ_CHECK(back.used == stream.size());
    FUZZ_CHECK(back.messages == expected);
}

// The server's own frames: the encoders agree, and the reader refuses them (unmasked).
void checkServerFrames(QByteArrayView payload)
{
    const QByteArray frame = encodeFrame(Opcode::Binary, payload);
    FUZZ_CHECK(encodeFrameHeader(Opcode::Binary, payload.size()) + payload.toByteArray() == frame);
    const QByteArray text = encodeTextFrame('4', payload);
    FUZZ_CHECK(text == encodeFrame(Opcode::Text, '4' + payload.toByteArray()));
    QByteArray moved = payload.toByteArray();
    FUZZ_CHECK(encodeTextFrame('4', std::move(moved)) == text);
    FrameReader reader(1 << 20);
    Messages messages;
    QByteArray copy = frame;
    FUZZ_CHECK(!reader.read(copy, &messages));
    FUZZ_CHECK(reader.closeCode() == ProtocolError);
    // The client's reader (Qt client with permessage-deflate) takes them back as they were.
    if (payload.size() < (1 << 20)) {
        const Outcome back =
            readStream(frame, 1 << 20, Cut::Whole, nullptr, FrameReader::Sender::Server);
        FUZZ_CHECK(!back.failed);
        FUZZ_CHECK(back.used == frame.size());
        FUZZ_CHECK(back.messages == (Messages{{Opcode::Binary, payload.toByteArray()}}));
    }
}

// The same stream read by a client, as a server's frames (unmasked): cutting it differently
// changes nothing, and what it gives respects the limits.
void checkAsServerStream(QByteArrayView stream, Fuzz::Random &random)
{
    constexpr qint64 maxSize = 1 << 20;
    const Outcome whole =
        readStream(stream, maxSize, Cut::Whole, nullptr, FrameReader::Sender::Server);
    checkMessages(whole.messages, maxSize);
    const Outcome cut =
        readStream(stream, maxSize, Cut::Random, &random, FrameReader::Sender::Server);
    FUZZ_CHECK(cut.failed == whole.failed);
    FUZZ_CHECK(cut.closeCode == whole.closeCode);
    FUZZ_CHECK(cut.messages == whole.messages);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const QByteArrayView stream(reinterpret_cast<const char *>(data), qsizetype(size));
    Fuzz::Random random(data, size);

    // A limit most frames fit under, and one most of them exceed.
    for (const qint64 maxSize : {qint64(1) << 20, qint64(100)}) {
        const Outcome whole = readStream(stream, maxSize, Cut::Whole, nullptr);
        checkMessages(whole.messages, maxSize);
        for (const Cut cut : {Cut::Random, Cut::ByteWise}) {
            if (cut == Cut::ByteWise && (maxSize < 1000 || size > 4096))
                continue; // one byte at a time is quadratic in a frame's size
            const Outcome other = readStream(stream, maxSize, cut, &random);
            FUZZ_CHECK(other.failed == whole.failed);
            FUZZ_CHECK(other.closeCode == whole.closeCode);
            FUZZ_CHECK(other.messages == whole.messages);
            if (!whole.failed)
                FUZZ_CHECK(other.used == whole.used);
        }
        if (maxSize > 100) {
            for (const FrameReader::Message &message : whole.messages)
                checkReencoded(message, random);
        }
    }

    // The UTF-8 check agrees with Qt's decoder, which replaces what is not UTF-8.
    FUZZ_CHECK(isValidUtf8(stream) == (QString::fromUtf8(stream).toUtf8() == stream));
    checkServerFrames(stream);
    checkAsServerStream(stream, random);
    return 0;
}
