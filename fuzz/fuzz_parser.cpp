// The default Socket.IO parser (parser/parsers_p.h) with binary reconstruction, on the Engine.IO
// messages of one connection: the input is messages separated by 0x1e (as in a polling
// payload); a message starting with 'b' is a binary one holding the bytes after the 'b', any
// other a text one. A text packet announcing attachments is followed by its binary messages.
//
// Properties checked: a refused message comes with the reference's error text; a packet has a
// valid type and namespace, and the payload its type allows; a packet encoded again decodes to
// the same packet (with JavaScript's number and null rules), and its encoding is then stable.
#include "parser/parsers_p.h"

#include "fuzzcheck.h"

using namespace SocketIO;

namespace {

constexpr int MaxMessages = 64;

bool samePacket(const Packet &a, const Packet &b)
{
    return a.type == b.type && a.nsp == b.nsp && a.id == b.id &&
           Fuzz::sameValue(a.data, b.data, true);
}

// Binary values in a packet, at any depth.
qsizetype countBinaries(const QVariant &value)
{
    switch (value.typeId()) {
    case QMetaType::QByteArray:
        return 1;
    case QMetaType::QVariantList: {
        qsizetype n = 0;
        for (const QVariant &item : value.toList())
            n += countBinaries(item);
        return n;
    }
    case QMetaType::QVariantMap: {
        qsizetype n = 0;
        for (const QVariant &item : value.toMap())
            n += countBinaries(item);
        return n;
    }
    default:
        return 0;
    }
}

void checkPacket(const Packet &packet)
{
    // Binary types are turned back into plain ones once their attachments are in.
    FUZZ_CHECK(packet.type != Packet::Type::BinaryEvent && packet.type != Packet::Type::BinaryAck);
    FUZZ_CHECK(quint8(packet.type) <= quint8(Packet::Type::ConnectError));
    FUZZ_CHECK(packet.nsp.startsWith(u'/'));
    FUZZ_CHECK(packet.id >= -1);
    if (packet.data.isValid())
        FUZZ_CHECK(isPayloadValid(packet.type, packet.data));

    // An event named by a number too large for a double (parsed as an infinity, as JSON.parse
    // does) is written with null as its name, which no parser takes back: the reference
    // behaves the same.
    if (packet.data.typeId() == QMetaType::QVariantList) {
        const QVariant name = packet.data.toList().value(0);
        if (name.typeId() == QMetaType::Double && !std::isfinite(name.toDouble()))
            return;
    }

    // Placeholders may name one attachment several times; written again, each occurrence is
    // an attachment of its own (as the reference writes it), and past MaxAttachments the
    // packet no longer decodes (regressions/parser/repeated-placeholder).
    if (countBinaries(packet.data) > MaxAttachments)
        return;

    const Parser &parser = *Parser::defaultParser();
    const QList<EngineMessage> messages = parser.encode(packet);
    FUZZ_CHECK(!messages.isEmpty() && !messages.first().binary);
    FUZZ_CHECK(messages.size() <= 1 || messages.first().data.at(0) == '5' ||
               messages.first().data.at(0) == '6');
    const std::unique_ptr<Decoder> decoder = parser.createDecoder();
    QList<Packet> back;
    QString error;
    for (const EngineMessage &m : messages)
        FUZZ_CHECK(decoder->add(m.data, m.binary, &back, &error));
    FUZZ_CHECK(back.size() == 1);
    FUZZ_CHECK(samePacket(packet, back.first()));
    FUZZ_CHECK(parser.encode(back.first()) == messages);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const QByteArrayView input(reinterpret_cast<const char *>(data), qsizetype(size));
    const std::unique_ptr<Decoder> decoder = Parser::defaultParser()->createDecoder();
    qsizetype start = 0;
    for (int i = 0; i < MaxMessages && start <= input.size(); ++i) {
        qsizetype end = input.indexOf('\x1e', start);
        if (end < 0)
            end = input.size();
        const QByteArrayView record = input.sliced(start, end - start);
        start = end + 1;
        const bool binary = record.startsWith('b');
        const QByteArray message = (binary ? record.sliced(1) : record).toByteArray();

        QList<Packet> packets;
        QString error;
        if (!decoder->add(message, binary, &packets, &error)) {
            FUZZ_CHECK(!error.isEmpty());
            break; // the connection closes with "parse error"
        }
        FUZZ_CHECK(packets.size() <= 1);
        for (const Packet &packet : std::as_const(packets))
            checkPacket(packet);
    }
    return 0;
}
