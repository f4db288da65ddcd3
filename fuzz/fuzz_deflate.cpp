// permessage-deflate's inflate path (websocket/deflate_p.h, and the frame reader with deflate
// agreed on): what a client sends compressed.
//
// The input: one byte of flags (bit 0: client_no_context_takeover, bit 1: a small limit, bit 2:
// server_no_context_takeover), then messages, each a 16-bit big-endian length and that many
// bytes. Properties checked: each message inflates within the limit or fails cleanly (TooBig:
// nothing kept; Invalid: a reason); a failure ends the stream as it ends the connection; what
// the server's deflater compresses inflates back equal, message after message, with or without
// context takeover; the same bytes as one stream of RSV1 frames never yield a message over the
// limit.
#include "websocket/deflate_p.h"
#include "websocket/frame_p.h"

#include "fuzzcheck.h"

#include <QtCore/QtEndian>

using namespace SocketIO::WebSocket;

namespace {
QByteArray payloadOf(const QByteArray &frame)
{
    const quint8 len = quint8(frame.at(1)) & 0x7f;
    return frame.mid(len < 126 ? 2 : len == 126 ? 4 : 10);
}
} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    const quint8 flags = data[0];
    const bool clientReset = flags & 1;
    const qint64 limit = (flags & 2) ? 1024 : 65536;
    QList<QByteArray> messages;
    for (size_t pos = 1; pos + 2 <= size;) {
        const size_t length = qFromBigEndian<quint16>(data + pos);
        pos += 2;
        const size_t take = qMin(length, size - pos);
        messages.append(QByteArray(reinterpret_cast<const char *>(data + pos), qsizetype(take)));
        pos += take;
    }

    // As compressed messages from a client.
    Inflater inflater(clientReset);
    for (const QByteArray &message : std::as_const(messages)) {
        QByteArray out;
        const Inflater::Result result = inflater.inflate(message, limit, &out);
        if (result == Inflater::Result::Ok) {
            FUZZ_CHECK(out.size() <= limit);
            continue;
        }
        FUZZ_CHECK(out.isEmpty());
        if (result == Inflater::Result::Invalid)
            FUZZ_CHECK(!inflater.errorString().isEmpty());
        break; // the connection closes
    }

    // As plain data, through the server's deflater and back.
    DeflateConfig config;
    config.serverNoContextTakeover = flags & 4;
    DeflateParams params;
    FUZZ_CHECK(negotiateDeflate("permessage-deflate; client_max_window_bits", config, &params) ==
               Negotiation::Accepted);
    Deflater deflater(config, params);
    Inflater client(params.serverNoContextTakeover);
    for (const QByteArray &message : std::as_const(messages)) {
        const QByteArray frame = deflater.compressFrame(quint8(Opcode::Binary), "4", message);
        FUZZ_CHECK(!frame.isEmpty());
        FUZZ_CHECK((quint8(frame.at(0)) & 0xf0) == 0xc0); // FIN and RSV1
        QByteArray back;
        FUZZ_CHECK(client.inflate(payloadOf(frame), 1 << 20, &back) == Inflater::Result::Ok);
        FUZZ_CHECK(back == "4" + message);
    }

    // As RSV1 frames of one stream.
    QByteArray stream;
    for (const QByteArray &message : std::as_const(messages)) {
        QByteArray frame = encodeMaskedFrame(Opcode::Binary, message, 0x01020304);
        frame[0] = char(frame[0] | 0x40);
        stream += frame;
    }
    FrameReader reader(limit);
    reader.enableInflate(clientReset);
    QList<FrameReader::Message> read;
    const bool ok = reader.read(stream, &read);
    for (const FrameReader::Message &message : std::as_const(read))
        FUZZ_CHECK(message.payload.size() <= limit);
    if (!ok) {
        const quint16 code = reader.closeCode();
        FUZZ_CHECK(code == MessageTooBig || code == InvalidPayload);
    }
    return 0;
}
