#include "engineio/packet_p.h"

#include <QtCore/QJsonArray>
#include <QtCore/QJsonDocument>
#include <QtCore/QString>
#include <QtCore/QUrlQuery>

namespace SocketIO::EngineIO {

namespace {
constexpr char RecordSeparator = '\x1e';

Packet errorPacket()
{
    return {PacketType::Error, QByteArrayLiteral("parser error"), false};
}

bool typeFromChar(char c, PacketType *type)
{
    if (c < '0' || c > '6')
        return false;
    *type = PacketType(c - '0');
    return true;
}

QByteArray base64(const QByteArray &data)
{
    return data.toBase64();
}

// Strict base64: the reference decodes with a table and yields garbage rather than failing;
// we accept standard and URL-safe alphabets and reject anything else.
bool fromBase64(QByteArrayView text, QByteArray *out)
{
    // One character past whole groups of four carries no byte ("bA"): no encoder writes it,
    // and QByteArray drops it without complaint.
    QByteArrayView digits = text;
    while (digits.endsWith('='))
        digits.chop(1);
    if (digits.size() % 4 == 1)
        return false;
    QByteArray standard = text.toByteArray();
    // Node's decoder takes both alphabets, even mixed; QByteArray takes one at a time.
    standard.replace('-', '+').replace('_', '/');
    auto result = QByteArray::fromBase64Encoding(std::move(standard),
                                                 QByteArray::AbortOnBase64DecodingErrors);
    if (!result)
        return false;
    *out = std::move(*result);
    return true;
}
} // namespace

char typeChar(PacketType type)
{
    return char('0' + int(type));
}

QByteArray toWellFormedUtf8(QByteArray text)
{
    if (QByteArrayView(text).isValidUtf8())
        return text;
    static constexpr char Replacement[] = "\xef\xbf\xbd";
    const auto *p = reinterpret_cast<const uchar *>(text.constData());
    const qsizetype size = text.size();
    QByteArray out;
    out.reserve(size + size / 2);
    qsizetype i = 0;
    while (i < size) {
        const uchar lead = p[i];
        if (lead < 0x80) {
            out.append(char(lead));
            ++i;
            continue;
        }
        // The bytes that may follow `lead`, and the range of the first of them (which
        // excludes overlong forms, surrogates and code points past U+10FFFF).
        int needed = 0;
        uchar lower = 0x80;
        uchar upper = 0xbf;
        if (lead >= 0xc2 && lead <= 0xdf) {
            needed = 1;
        } else if (lead >= 0xe0 && lead <= 0xef) {
            needed = 2;
            if (lead == 0xe0)
                lower = 0xa0;
            else if (lead == 0xed)
                upper = 0x9f;
        } else if (lead >= 0xf0 && lead <= 0xf4) {
            needed = 3;
            if (lead == 0xf0)
                lower = 0x90;
            else if (lead == 0xf4)
                upper = 0x8f;
        } else {
            out.append(Replacement, 3);
            ++i;
            continue;
        }
        qsizetype j = i + 1;
        bool complete = true;
        for (int k = 0; k < needed; ++k, ++j) {
            if (j >= size || p[j] < lower || p[j] > upper) {
                complete = false;
                break;
            }
            lower = 0x80;
            upper = 0xbf;
        }
        if (complete)
            out.append(text.constData() + i, j - i);
        else
            out.append(Replacement, 3); // the byte that broke the sequence is read again
        i = j;
    }
    return out;
}

QByteArray encodePacket(const Packet &packet, bool supportsBinary, bool *isBinaryFrame)
{
    if (packet.binary) {
        if (isBinaryFrame)
            *isBinaryFrame = supportsBinary;
        if (supportsBinary)
            return packet.data;
        return 'b' + base64(packet.data);
    }
    if (isBinaryFrame)
        *isBinaryFrame = false;
    QByteArray out;
    out.reserve(packet.data.size() + 1);
    out.append(typeChar(packet.type));
    out.append(packet.data);
    return out;
}

Packet decodePacket(QByteArrayView frame, bool isBinaryFrame)
{
    if (isBinaryFrame)
        return Packet::bytes(frame.toByteArray());
    if (frame.isEmpty())
        return errorPacket();
    const char first = frame.front();
    if (first == 'b') {
        Packet packet = Packet::bytes({});
        if (!fromBase64(frame.sliced(1), &packet.data))
            return errorPacket();
        return packet;
    }
    PacketType type;
    if (!typeFromChar(first, &type))
        return errorPacket();
    return Packet::text(type, frame.sliced(1).toByteArray());
}

Packet decodePacket(QByteArray &&frame, bool isBinaryFrame)
{
    if (isBinaryFrame)
        return Packet::bytes(std::move(frame));
    PacketType type;
    if (frame.isEmpty() || !typeFromChar(frame.front(), &type))
        return decodePacket(QByteArrayView(frame), false); // base64 or invalid
    frame.remove(0, 1); // Qt 6 only moves the start of an unshared buffer
    return Packet::text(type, std::move(frame));
}

QByteArray encodePayload(const QList<Packet> &packets)
{
    QByteArray out;
    qsizetype size = 0;
    for (const Packet &p : packets)
        size += (p.binary ? p.data.size() * 4 / 3 + 4 : p.data.size()) + 2;
    out.reserve(size);
    for (qsizetype i = 0; i < packets.size(); ++i) {
        if (i)
            out.append(RecordSeparator);
        out.append(encodePacket(packets.at(i), false));
    }
    return out;
}

QList<Packet> decodePayload(QByteArrayView payload)
{
    QList<Packet> packets;
    qsizetype start = 0;
    while (start <= payload.size()) {
        qsizetype end = payload.indexOf(RecordSeparator, start);
        if (end < 0)
            end = payload.size();
        Packet packet = decodePacket(payload.sliced(start, end - start), false);
        const bool error = packet.isError();
        packets.append(std::move(packet));
        if (error)
            break;
        start = end + 1;
    }
    return packets;
}

namespace V3 {

QByteArray encodePacket(const Packet &packet, bool supportsBinary, bool *isBinaryFrame)
{
    if (packet.binary) {
        if (isBinaryFrame)
            *isBinaryFrame = supportsBinary;
        if (supportsBinary)
            return char(PacketType::Message) + packet.data;
        return QByteArrayLiteral("b4") + base64(packet.data);
    }
    return EngineIO::encodePacket(packet, false, isBinaryFrame);
}

Packet decodePacket(QByteArrayView frame, bool isBinaryFrame)
{
    if (isBinaryFrame) {
        if (frame.isEmpty() || quint8(frame.front()) > quint8(PacketType::Noop))
            return errorPacket();
        Packet packet = Packet::bytes(frame.sliced(1).toByteArray());
        packet.type = PacketType(quint8(frame.front()));
        packet.binary = packet.type == PacketType::Message;
        return packet;
    }
    if (frame.isEmpty())
        return errorPacket();
    if (frame.front() == 'b') {
        // "b<type><base64>"
        if (frame.size() < 2 || frame.at(1) != typeChar(PacketType::Message))
            return errorPacket();
        Packet packet = Packet::bytes({});
        if (!fromBase64(frame.sliced(2), &packet.data))
            return errorPacket();
        return packet;
    }
    return EngineIO::decodePacket(frame, false);
}

QByteArray encodePayload(const QList<Packet> &packets, bool supportsBinary, bool *isBinary)
{
    bool anyBinary = false;
    for (const Packet &p : packets)
        anyBinary = anyBinary || p.binary;
    *isBinary = supportsBinary && anyBinary;
    QByteArray out;
    if (*isBinary) {
        for (const Packet &p : packets) {
            bool binaryFrame = false;
            const QByteArray encoded = V3::encodePacket(p, true, &binaryFrame);
            out.append(char(binaryFrame ? 1 : 0));
            const QByteArray length = QByteArray::number(encoded.size());
            for (char digit : length)
                out.append(char(digit - '0'));
            out.append(char(0xff));
            out.append(encoded);
        }
        return out;
    }
    if (packets.isEmpty())
        return QByteArrayLiteral("0:");
    for (const Packet &p : packets) {
        const QByteArray encoded = V3::encodePacket(p, false);
        out.append(QByteArray::number(QString::fromUtf8(encoded).size()));
        out.append(':');
        out.append(encoded);
    }
    return out;
}

QList<Packet> decodePayload(QByteArrayView payload, bool isBinary)
{
    QList<Packet> packets;
    auto fail = [&packets] {
        packets.append(errorPacket());
        return packets;
    };
    if (payload.isEmpty())
        return fail();
    if (isBinary) {
        qsizetype pos = 0;
        while (pos < payload.size()) {
            const bool binaryFrame = payload.at(pos++) == 1;
            qint64 length = 0;
            bool sawDigit = false;
            while (pos < payload.size() && quint8(payload.at(pos)) != 0xff) {
                const int digit = payload.at(pos++);
                if (digit < 0 || digit > 9 || length > 1'000'000'000)
                    return fail();
                length = length * 10 + digit;
                sawDigit = true;
            }
            if (!sawDigit || pos >= payload.size() || payload.size() - pos - 1 < length)
                return fail();
            ++pos; // 0xff
            Packet packet = V3::decodePacket(payload.sliced(pos, length), binaryFrame);
            pos += length;
            const bool error = packet.isError();
            packets.append(std::move(packet));
            if (error)
                break;
        }
        return packets;
    }
    // Text form: lengths count UTF-16 code units, so walk a QString.
    const QString text = QString::fromUtf8(payload);
    qsizetype pos = 0;
    while (pos < text.size()) {
        const qsizetype colon = text.indexOf(u':', pos);
        if (colon < 0)
            return fail();
        bool ok = false;
        const qint64 length = QStringView(text).sliced(pos, colon - pos).toLongLong(&ok);
        if (!ok || length < 0 || text.size() - colon - 1 < length)
            return fail();
        const QByteArray frame = QStringView(text).sliced(colon + 1, length).toUtf8();
        pos = colon + 1 + length;
        if (frame.isEmpty())
            continue; // "0:" is the empty payload
        Packet packet = V3::decodePacket(frame, false);
        const bool error = packet.isError();
        packets.append(std::move(packet));
        if (error)
            break;
    }
    return packets;
}

} // namespace V3

QByteArray V3::decodeJsonpForm(QByteArrayView body)
{
    // The JSONP client posts a form "d=<payload>" whose newlines are escaped as "\n".
    const QUrlQuery form(QString::fromUtf8(body.data(), body.size()).replace(u'+', u' '));
    QString data = form.queryItemValue(QStringLiteral("d"), QUrl::FullyDecoded);
    // "\n" (backslash, n) is a newline; "\\n" stands for a literal backslash-n.
    QString out;
    out.reserve(data.size());
    for (qsizetype i = 0; i < data.size(); ++i) {
        const QStringView rest = QStringView(data).sliced(i);
        if (rest.startsWith(u"\\\\n")) {
            out.append(u"\\n");
            i += 2;
        } else if (rest.startsWith(u"\\n")) {
            out.append(u'\n');
            i += 1;
        } else {
            out.append(data.at(i));
        }
    }
    return out.toUtf8();
}

QByteArray jsonpIndex(QStringView value)
{
    QByteArray index;
    for (const QChar c : value) {
        if (c >= u'0' && c <= u'9')
            index.append(char(c.unicode()));
    }
    return index;
}

QByteArray jsonpCall(QByteArrayView function, const QByteArray &text)
{
    const QByteArray json =
        QJsonDocument(QJsonArray{QString::fromUtf8(text)}).toJson(QJsonDocument::Compact);
    QByteArray js = json.sliced(1, json.size() - 2);
    js.replace("\xe2\x80\xa8", "\\u2028").replace("\xe2\x80\xa9", "\\u2029");
    return function.toByteArray() + '(' + js + ");";
}

} // namespace SocketIO::EngineIO
