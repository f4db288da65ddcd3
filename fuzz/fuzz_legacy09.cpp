// The Socket.IO 0.9 decoders: a polling payload (\ufffd-framed, lengths in UTF-16 units) and
// a WebSocket frame as the engine reads them (engineio/legacy09_p.h), a JSONP POST form, and
// each message mapped onto a Socket.IO packet (parser/legacy09_p.h).
//
// Properties checked: a payload decodes to at least one packet and stops at its first invalid
// frame, which comes last; what decodes, encoded again, decodes to the same packets; a message
// that decodes encodes to a message that decodes, and that encoding is then stable.
#include "engineio/legacy09_p.h"
#include "parser/legacy09_p.h"

#include "fuzzcheck.h"

using namespace SocketIO;
using EnginePacket = SocketIO::EngineIO::Packet;
using SocketIO::EngineIO::PacketType;

namespace {

void checkMessage(QByteArrayView message)
{
    SocketIO::Packet packet;
    Legacy09::Extra extra;
    QString error;
    if (!Legacy09::decode(message, &packet, &extra, &error)) {
        FUZZ_CHECK(!error.isEmpty());
        return;
    }
    if (extra.ignore)
        return;
    const QByteArray once = Legacy09::encode(packet);
    if (once.isEmpty())
        return;
    SocketIO::Packet back;
    FUZZ_CHECK(Legacy09::decode(once, &back, &extra, &error));
    FUZZ_CHECK(back.type == packet.type);
    FUZZ_CHECK(back.nsp == packet.nsp);
    FUZZ_CHECK(Legacy09::encode(back) == once);
}

void checkPayload(const QByteArray &payload)
{
    const QList<EnginePacket> packets = EngineIO::Legacy09::decodePayload(payload);
    FUZZ_CHECK(!packets.isEmpty());
    for (qsizetype i = 0; i < packets.size(); ++i) {
        if (packets.at(i).isError())
            FUZZ_CHECK(i == packets.size() - 1);
    }
    if (packets.last().isError())
        return;
    for (const EnginePacket &packet : packets) {
        if (packet.type == PacketType::Message)
            checkMessage(packet.data);
    }
    const QByteArray encoded = EngineIO::Legacy09::encodePayload(packets);
    FUZZ_CHECK(EngineIO::Legacy09::decodePayload(encoded) == packets);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const QByteArray input(reinterpret_cast<const char *>(data), qsizetype(size));
    // Raw bytes must not crash the decoders; the transports hand them well-formed UTF-8.
    EngineIO::Legacy09::decodePayload(input);
    checkPayload(EngineIO::toWellFormedUtf8(input));
    const EnginePacket frame = EngineIO::Legacy09::decodeFrame(input);
    if (frame.type == PacketType::Message)
        checkMessage(frame.data);
    checkPayload(EngineIO::toWellFormedUtf8(EngineIO::Legacy09::decodeJsonpForm(input)));
    EngineIO::Legacy09::parseTarget(input);
    return 0;
}
