// The Engine.IO packet and payload decoders (engineio/packet_p.h), protocol v4 and v3, on one
// input read every way a server or client reads one: a v4 WebSocket frame (text, binary), a
// v4 polling payload, a v3 WebSocket frame (text, binary) and a v3 polling payload (text form,
// and the binary form of XHR2 clients).
//
// Properties checked: the copying and the buffer-reusing decoders agree; what decodes, encoded
// again, decodes to the same packets, and its encoding is then stable; a payload stops at its
// first invalid packet, which comes last.
#include "engineio/packet_p.h"

#include "fuzzcheck.h"

using namespace SocketIO::EngineIO;

namespace {

bool validType(const Packet &p)
{
    return quint8(p.type) <= quint8(PacketType::Noop);
}

// An error packet only ends a payload.
bool wellFormed(const QList<Packet> &packets)
{
    for (qsizetype i = 0; i < packets.size(); ++i) {
        const Packet &p = packets.at(i);
        if (p.isError() ? i != packets.size() - 1 : !validType(p))
            return false;
        if (p.binary && p.type != PacketType::Message)
            return false;
    }
    return true;
}

bool hasError(const QList<Packet> &packets)
{
    return !packets.isEmpty() && packets.last().isError();
}

void checkV4Frame(QByteArrayView frame, bool binaryFrame)
{
    const Packet packet = decodePacket(frame, binaryFrame);
    FUZZ_CHECK(decodePacket(frame.toByteArray(), binaryFrame) == packet);
    if (packet.isError())
        return;
    FUZZ_CHECK(validType(packet));
    for (const bool supportsBinary : {true, false}) {
        bool isBinaryFrame = false;
        const QByteArray encoded = encodePacket(packet, supportsBinary, &isBinaryFrame);
        FUZZ_CHECK(isBinaryFrame == (packet.binary && supportsBinary));
        const Packet back = decodePacket(encoded, isBinaryFrame);
        FUZZ_CHECK(back == packet);
        if (!binaryFrame && !packet.binary)
            FUZZ_CHECK(encoded == frame); // text frames are kept byte for byte
    }
}

void checkV4Payload(QByteArrayView payload)
{
    const QList<Packet> packets = decodePayload(payload);
    FUZZ_CHECK(!packets.isEmpty());
    FUZZ_CHECK(wellFormed(packets));
    if (hasError(packets))
        return;
    const QByteArray encoded = encodePayload(packets);
    FUZZ_CHECK(decodePayload(encoded) == packets);
}

void checkV3Frame(QByteArrayView frame, bool binaryFrame)
{
    const Packet packet = V3::decodePacket(frame, binaryFrame);
    if (packet.isError())
        return;
    FUZZ_CHECK(validType(packet));
    for (const bool supportsBinary : {true, false}) {
        bool isBinaryFrame = false;
        const QByteArray encoded = V3::encodePacket(packet, supportsBinary, &isBinaryFrame);
        FUZZ_CHECK(V3::decodePacket(encoded, isBinaryFrame) == packet);
    }
}

void checkV3Payload(QByteArrayView payload, bool isBinary)
{
    const QList<Packet> packets = V3::decodePayload(payload, isBinary);
    FUZZ_CHECK(wellFormed(packets));
    if (packets.isEmpty() || hasError(packets))
        return;
    bool anyBinary = false;
    bool allUtf8 = true;
    for (const Packet &p : packets) {
        anyBinary = anyBinary || p.binary;
        allUtf8 = allUtf8 && (p.binary || QString::fromUtf8(p.data).toUtf8() == p.data);
    }
    for (const bool supportsBinary : {true, false}) {
        // The text form carries UTF-8 only: a packet of the binary form may hold other bytes
        // in a text packet, which the text form cannot keep.
        if (!(supportsBinary && anyBinary) && !allUtf8)
            continue;
        bool binaryForm = false;
        const QByteArray encoded = V3::encodePayload(packets, supportsBinary, &binaryForm);
        const QList<Packet> back = V3::decodePayload(encoded, binaryForm);
        FUZZ_CHECK(back == packets);
        bool again = false;
        FUZZ_CHECK(V3::encodePayload(back, supportsBinary, &again) == encoded);
        FUZZ_CHECK(again == binaryForm);
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const QByteArrayView input(reinterpret_cast<const char *>(data), qsizetype(size));
    checkV4Frame(input, false);
    checkV4Frame(input, true);
    checkV4Payload(input);
    checkV3Frame(input, false);
    checkV3Frame(input, true);
    checkV3Payload(input, false);
    checkV3Payload(input, true);
    // A JSONP POST body: the form decoded, then its payload as the transport reads it.
    checkV3Payload(V3::decodeJsonpForm(input), false);
    return 0;
}
