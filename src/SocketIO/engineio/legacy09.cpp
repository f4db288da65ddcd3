#include "engineio/legacy09_p.h"

#include <QtCore/QJsonArray>
#include <QtCore/QJsonDocument>
#include <QtCore/QUrlQuery>

namespace SocketIO::EngineIO::Legacy09 {

namespace {
// U+FFFD in UTF-8: the separator of payload frames.
constexpr QByteArrayView Separator("\xef\xbf\xbd");

Packet errorPacket(const char *why)
{
    return {PacketType::Error, QByteArray(why), false};
}

// UTF-16 code units in well-formed UTF-8: a four-byte sequence is a surrogate pair.
qsizetype utf16Length(QByteArrayView text)
{
    qsizetype units = 0;
    for (const char c : text) {
        const auto byte = uchar(c);
        if ((byte & 0xc0) != 0x80) // a lead byte or ASCII
            units += byte >= 0xf0 ? 2 : 1;
    }
    return units;
}

// The number of bytes holding the first `units` UTF-16 code units of `text`, or -1 when the
// text is shorter or the count ends inside a character.
qsizetype bytesForUnits(QByteArrayView text, qsizetype units)
{
    qsizetype i = 0;
    while (units > 0) {
        if (i >= text.size())
            return -1;
        const auto byte = uchar(text[i]);
        const int length = byte < 0x80 ? 1 : byte >= 0xf0 ? 4 : byte >= 0xe0 ? 3 : 2;
        units -= length == 4 ? 2 : 1;
        i += length;
    }
    return units == 0 && i <= text.size() ? i : -1;
}
} // namespace

Target parseTarget(QByteArrayView rest)
{
    Target target;
    const qsizetype query = rest.indexOf('?');
    const QByteArrayView path = query < 0 ? rest : rest.first(query);
    // 0.9's pattern: "/<protocol>[/<transport>[/<sid>]][/]"; the engine path ends in '/'.
    QList<QByteArrayView> pieces;
    qsizetype start = 0;
    for (qsizetype i = 0; i <= path.size(); ++i) {
        if (i == path.size() || path[i] == '/') {
            if (i > start)
                pieces.append(path.sliced(start, i - start));
            start = i + 1;
        }
    }
    if (pieces.isEmpty() || pieces.size() > 3 || pieces.first() != "1")
        return target;
    target.isLegacy = true;
    if (pieces.size() > 1)
        target.transport = QString::fromUtf8(pieces.at(1));
    if (pieces.size() > 2)
        target.sid = QString::fromUtf8(pieces.at(2));
    return target;
}

Packet decodeFrame(QByteArrayView frame)
{
    // "<type>:<id>[+]:<endpoint>[:<data>]" with type 0..8 and a numeric id.
    if (frame.size() < 3 || frame[0] < '0' || frame[0] > '8' || frame[1] != ':')
        return errorPacket("invalid 0.9 frame");
    qsizetype i = 2;
    while (i < frame.size() && frame[i] >= '0' && frame[i] <= '9')
        ++i;
    if (i - 2 > 15)
        return errorPacket("0.9 message id too long");
    if (i < frame.size() && frame[i] == '+')
        ++i;
    if (i >= frame.size() || frame[i] != ':')
        return errorPacket("invalid 0.9 frame");
    const char type = frame[0];
    if ((type == '2' || type == '8') && frame.size() == i + 1)
        return Packet::text(type == '2' ? PacketType::Pong : PacketType::Noop);
    return Packet::text(PacketType::Message, frame.toByteArray());
}

QByteArray encodeFrame(const Packet &packet)
{
    switch (packet.type) {
    case PacketType::Ping:
    case PacketType::Pong:
        return QByteArrayLiteral("2::");
    case PacketType::Close:
        return QByteArrayLiteral("0::");
    case PacketType::Message:
        if (!packet.binary)
            return packet.data;
        // 0.9 has no binary frames: the server layer never sends one.
        return QByteArrayLiteral("8::");
    default:
        return QByteArrayLiteral("8::");
    }
}

QByteArray encodePayload(const QList<Packet> &packets)
{
    if (packets.size() == 1)
        return encodeFrame(packets.first());
    QByteArray payload;
    for (const Packet &packet : packets) {
        const QByteArray frame = encodeFrame(packet);
        payload += Separator;
        payload += QByteArray::number(utf16Length(frame));
        payload += Separator;
        payload += frame;
    }
    return payload;
}

QList<Packet> decodePayload(QByteArrayView payload)
{
    if (!payload.startsWith(Separator))
        return {decodeFrame(payload)};
    QList<Packet> packets;
    qsizetype i = 0;
    while (i < payload.size()) {
        if (!payload.sliced(i).startsWith(Separator)) {
            packets.append(errorPacket("invalid 0.9 payload"));
            return packets;
        }
        i += Separator.size();
        qsizetype digits = 0;
        qint64 length = 0;
        while (i + digits < payload.size() && payload[i + digits] >= '0' &&
               payload[i + digits] <= '9' && digits < 10) {
            length = length * 10 + (payload[i + digits] - '0');
            ++digits;
        }
        i += digits;
        if (digits == 0 || !payload.sliced(i).startsWith(Separator)) {
            packets.append(errorPacket("invalid 0.9 payload length"));
            return packets;
        }
        i += Separator.size();
        const qsizetype bytes = bytesForUnits(payload.sliced(i), length);
        if (bytes < 0) {
            packets.append(errorPacket("0.9 payload shorter than its length"));
            return packets;
        }
        Packet packet = decodeFrame(payload.sliced(i, bytes));
        packets.append(packet);
        if (packet.isError())
            return packets;
        i += bytes;
    }
    return packets;
}

QByteArray decodeJsonpForm(QByteArrayView body)
{
    const QUrlQuery form(QString::fromUtf8(body).replace(u'+', u' '));
    const QString d = form.queryItemValue(QStringLiteral("d"), QUrl::FullyDecoded);
    if (!d.startsWith(u'"'))
        return d.toUtf8();
    // The 0.9 client sends a JSON string (browsers mangled newlines in form fields).
    const QJsonDocument doc = QJsonDocument::fromJson("[" + d.toUtf8() + "]");
    if (!doc.isArray() || doc.array().size() != 1 || !doc.array().first().isString())
        return {};
    return doc.array().first().toString().toUtf8();
}

QByteArray jsonpCall(QByteArrayView index, const QByteArray &text)
{
    return EngineIO::jsonpCall(QByteArray("io.j[" + index.toByteArray() + ']'), text);
}

} // namespace SocketIO::EngineIO::Legacy09
