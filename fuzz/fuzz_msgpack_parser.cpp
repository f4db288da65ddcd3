// The msgpack Socket.IO parser (parser/parsers_p.h, as npm socket.io-msgpack-parser): one
// Engine.IO message is one packet.
//
// Properties checked: a refused message comes with an error text; a packet has a valid type,
// a namespace and the payload its type allows; encoded again it decodes to the same packet,
// and from then on its encoding is stable.
#include "parser/parsers_p.h"

#include "fuzzcheck.h"

using namespace SocketIO;

namespace {

QList<Packet> decode(const QByteArray &message, bool binary, bool *ok)
{
    const std::unique_ptr<Decoder> decoder = Parser::msgpackParser()->createDecoder();
    QList<Packet> packets;
    QString error;
    *ok = decoder->add(message, binary, &packets, &error);
    FUZZ_CHECK(*ok ? packets.size() == 1 : !error.isEmpty());
    return packets;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const QByteArray input(reinterpret_cast<const char *>(data), qsizetype(size));
    bool ok = false;
    const QList<Packet> packets = decode(input, true, &ok);
    if (!ok)
        return 0;
    const Packet &packet = packets.first();
    FUZZ_CHECK(quint8(packet.type) <= quint8(Packet::Type::ConnectError));
    FUZZ_CHECK(packet.id >= -1);

    const Parser &parser = *Parser::msgpackParser();
    const QList<EngineMessage> first = parser.encode(packet);
    FUZZ_CHECK(first.size() == 1 && first.first().binary);
    const QList<Packet> back = decode(first.first().data, true, &ok);
    FUZZ_CHECK(ok);
    const Packet &b = back.first();
    FUZZ_CHECK(b.type == packet.type && b.nsp == packet.nsp && b.id == packet.id);
    const QList<EngineMessage> second = parser.encode(b);
    FUZZ_CHECK(second == first);
    return 0;
}
