#include "websocket/frame_p.h"

#include "websocket/deflate_p.h"

#include <QtCore/QCryptographicHash>
#include <QtCore/QtEndian>

#include <cstring>

namespace SocketIO::WebSocket {

QByteArray acceptKey(QByteArrayView key)
{
    QByteArray input = key.trimmed().toByteArray();
    input += "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
    return QCryptographicHash::hash(input, QCryptographicHash::Sha1).toBase64();
}

bool isValidKey(QByteArrayView key)
{
    const auto decoded = QByteArray::fromBase64Encoding(key.trimmed().toByteArray(),
                                                        QByteArray::AbortOnBase64DecodingErrors);
    return decoded && decoded.decoded.size() == 16;
}

namespace {
constexpr qsizetype MaxHeaderSize = 10; // unmasked, 64-bit length

qsizetype headerSize(qsizetype payload)
{
    return payload < 126 ? 2 : payload < 65536 ? 4 : 10;
}

char *writeHeader(char *out, Opcode opcode, qsizetype payload, bool fin = true, bool masked = false)
{
    *out++ = char((fin ? 0x80 : 0) | quint8(opcode));
    const quint8 maskBit = masked ? 0x80 : 0;
    if (payload < 126) {
        *out++ = char(maskBit | payload);
    } else if (payload < 65536) {
        *out++ = char(maskBit | 126);
        qToBigEndian<quint16>(quint16(payload), out);
        out += 2;
    } else {
        *out++ = char(maskBit | 127);
        qToBigEndian<quint64>(quint64(payload), out);
        out += 8;
    }
    return out;
}

} // namespace

void applyMask(char *data, qsizetype size, const uchar key[4])
{
    qsizetype i = 0;
    // Eight bytes at a time.
    quint32 k32;
    std::memcpy(&k32, key, 4);
    const quint64 k64 = (quint64(k32) << 32) | k32;
    for (; i + 8 <= size; i += 8) {
        quint64 word;
        std::memcpy(&word, data + i, 8);
        word ^= k64;
        std::memcpy(data + i, &word, 8);
    }
    for (; i < size; ++i)
        data[i] = char(data[i] ^ key[i & 3]);
}

QByteArray encodeFrame(Opcode opcode, QByteArrayView payload)
{
    QByteArray frame(headerSize(payload.size()) + payload.size(), Qt::Uninitialized);
    char *out = writeHeader(frame.data(), opcode, payload.size());
    if (!payload.isEmpty())
        std::memcpy(out, payload.data(), payload.size());
    return frame;
}

QByteArray encodeFrameHeader(Opcode opcode, qsizetype size)
{
    QByteArray header(headerSize(size), Qt::Uninitialized);
    writeHeader(header.data(), opcode, size);
    return header;
}

QByteArray encodeTextFrame(char prefix, QByteArrayView payload)
{
    const qsizetype size = payload.size() + 1;
    QByteArray frame(headerSize(size) + size, Qt::Uninitialized);
    char *out = writeHeader(frame.data(), Opcode::Text, size);
    *out++ = prefix;
    if (!payload.isEmpty())
        std::memcpy(out, payload.data(), payload.size());
    return frame;
}

QByteArray encodeTextFrame(char prefix, QByteArray &&payload)
{
    const qsizetype size = payload.size() + 1;
    char header[MaxHeaderSize + 1];
    char *end = writeHeader(header, Opcode::Text, size);
    *end++ = prefix;
    // Qt fills the free space before the data when it can, and reallocates otherwise.
    payload.prepend(header, end - header);
    return std::move(payload);
}

QByteArray encodeMaskedFrame(Opcode opcode, QByteArrayView payload, quint32 mask, bool fin)
{
    QByteArray frame(headerSize(payload.size()) + 4 + payload.size(), Qt::Uninitialized);
    char *out = writeHeader(frame.data(), opcode, payload.size(), fin, true);
    uchar key[4];
    qToBigEndian<quint32>(mask, key);
    std::memcpy(out, key, 4);
    out += 4;
    if (!payload.isEmpty()) {
        std::memcpy(out, payload.data(), payload.size());
        applyMask(out, payload.size(), key);
    }
    return frame;
}

bool isValidUtf8(QByteArrayView data)
{
    const auto *p = reinterpret_cast<const uchar *>(data.data());
    const auto *end = p + data.size();
    while (p < end) {
        // ASCII runs, eight bytes at a time.
        while (end - p >= 8) {
            quint64 word;
            std::memcpy(&word, p, 8);
            if (word & 0x8080808080808080ULL)
                break;
            p += 8;
        }
        if (p >= end)
            break;
        const uchar c = *p;
        if (c < 0x80) {
            ++p;
            continue;
        }
        int extra;
        quint32 cp;
        if ((c & 0xe0) == 0xc0) {
            extra = 1;
            cp = c & 0x1f;
        } else if ((c & 0xf0) == 0xe0) {
            extra = 2;
            cp = c & 0x0f;
        } else if ((c & 0xf8) == 0xf0) {
            extra = 3;
            cp = c & 0x07;
        } else {
            return false;
        }
        if (end - p <= extra)
            return false;
        for (int i = 1; i <= extra; ++i) {
            if ((p[i] & 0xc0) != 0x80)
                return false;
            cp = (cp << 6) | (p[i] & 0x3f);
        }
        // Overlong forms, surrogates and values past U+10FFFF are invalid.
        if ((extra == 1 && cp < 0x80) || (extra == 2 && cp < 0x800) ||
            (extra == 3 && cp < 0x10000) || (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
            return false;
        p += extra + 1;
    }
    return true;
}

bool isValidCloseCode(quint16 code)
{
    // 1004 is reserved, 1005 and 1006 must never be sent, 1015 is TLS's; 3000-4999 belong
    // to libraries and applications.
    return (code >= 1000 && code <= 1014 && code != 1004 && code != 1005 && code != 1006) ||
           (code >= 3000 && code <= 4999);
}

FrameReader::FrameReader(qint64 maxMessageSize, Sender sender)
    : m_maxMessageSize(maxMessageSize)
    , m_sender(sender)
{}

FrameReader::~FrameReader() = default;

void FrameReader::enableInflate(bool noContextTakeover)
{
    m_inflater = std::make_unique<Inflater>(noContextTakeover);
}

bool FrameReader::fail(quint16 code, const char *reason)
{
    m_state = State::Failed;
    m_closeCode = code;
    if (reason)
        m_reason = reason;
    m_message = QByteArray(); // a fragmented message will never be finished
    m_inMessage = false;
    return false;
}

bool FrameReader::read(QByteArray &buffer, QList<Message> *messages)
{
    const qsizetype used = read(buffer.data(), buffer.size(), messages);
    if (used < 0)
        return false;
    buffer.remove(0, used);
    return true;
}

qsizetype FrameReader::read(char *bytes, qsizetype available, QList<Message> *messages)
{
    if (m_state == State::Failed)
        return -1;
    if (m_state == State::CloseRead)
        return available;
    qsizetype pos = 0;
    auto *data = reinterpret_cast<uchar *>(bytes);
    while (available - pos >= 2) {
        const uchar b0 = data[pos];
        const uchar b1 = data[pos + 1];
        const bool fin = b0 & 0x80;
        const quint8 rsv = b0 & 0x70;
        const auto opcode = Opcode(b0 & 0x0f);
        const bool masked = b1 & 0x80;
        quint64 length = b1 & 0x7f;
        qsizetype header = 2;
        if (length == 126) {
            if (available - pos < 4)
                break;
            length = qFromBigEndian<quint16>(data + pos + 2);
            header = 4;
        } else if (length == 127) {
            if (available - pos < 10)
                break;
            length = qFromBigEndian<quint64>(data + pos + 2);
            header = 10;
            if (length >> 63)
                return (fail(ProtocolError, "invalid payload length"), qsizetype(-1));
        }
        // RSV1 is permessage-deflate's, on the first frame of a data message only.
        const bool compressed =
            rsv == 0x40 && m_inflater && (opcode == Opcode::Text || opcode == Opcode::Binary);
        if (rsv && !compressed)
            return (fail(ProtocolError, "RSV bits set without an extension"), qsizetype(-1));
        if (masked != (m_sender == Sender::Client)) {
            return (fail(ProtocolError, masked ? "server frames must not be masked"
                                               : "client frames must be masked"),
                    qsizetype(-1));
        }
        const bool control = quint8(opcode) & 0x8;
        if (control) {
            if (!fin || length > 125)
                return (fail(ProtocolError, "invalid control frame"), qsizetype(-1));
            if (opcode != Opcode::Close && opcode != Opcode::Ping && opcode != Opcode::Pong)
                return (fail(ProtocolError, "unknown opcode"), qsizetype(-1));
        } else if (opcode == Opcode::Continuation) {
            if (!m_inMessage)
                return (fail(ProtocolError, "continuation without a message"), qsizetype(-1));
        } else if (opcode == Opcode::Text || opcode == Opcode::Binary) {
            if (m_inMessage)
                return (fail(ProtocolError, "new message inside a fragmented one"), qsizetype(-1));
        } else {
            return (fail(ProtocolError, "unknown opcode"), qsizetype(-1));
        }
        // Compared without adding to `length`, which a peer may set to 2^63 - 1.
        if (!control && (m_message.size() > m_maxMessageSize ||
                         length > quint64(m_maxMessageSize - m_message.size())))
            return (fail(MessageTooBig, "Max payload size exceeded"), qsizetype(-1));
        // The mask key first: until it is here, the subtraction below would go negative.
        const qsizetype keySize = masked ? 4 : 0;
        const qsizetype left = available - pos - header;
        if (left < keySize || quint64(left - keySize) < length)
            break; // the frame is not all here yet
        char *payload = reinterpret_cast<char *>(data + pos + header + keySize);
        if (masked) {
            uchar key[4];
            std::memcpy(key, data + pos + header, 4);
            applyMask(payload, qsizetype(length), key);
        }
        const QByteArrayView view(payload, qsizetype(length));
        pos += header + keySize + qsizetype(length);
        if (control) {
            if (opcode == Opcode::Close) {
                if (length == 1)
                    return (fail(ProtocolError, "invalid close frame"), qsizetype(-1));
                if (length >= 2 && !isValidCloseCode(qFromBigEndian<quint16>(payload)))
                    return (fail(ProtocolError, "invalid status code"), qsizetype(-1));
                if (length > 2 && !isValidUtf8(view.sliced(2)))
                    return (fail(InvalidPayload, "invalid UTF-8 sequence"), qsizetype(-1));
                // The last frame of the stream: what follows is dropped unread.
                messages->append({opcode, view.toByteArray()});
                m_state = State::CloseRead;
                m_message = QByteArray();
                m_inMessage = false;
                return available;
            }
            messages->append({opcode, view.toByteArray()});
            continue;
        }
        if (!fin) {
            if (!m_inMessage) {
                m_inMessage = true;
                m_messageOpcode = opcode;
                m_messageCompressed = compressed;
            }
            m_message.append(view);
            continue;
        }
        Message message;
        bool inflate = compressed;
        if (m_inMessage) {
            m_message.append(view);
            inflate = m_messageCompressed;
            message = {m_messageOpcode, inflate ? QByteArray() : std::exchange(m_message, {})};
            m_inMessage = false;
        } else {
            message = {opcode, inflate ? QByteArray() : view.toByteArray()};
        }
        if (inflate) {
            const QByteArray whole = std::exchange(m_message, {});
            switch (m_inflater->inflate(whole.isNull() ? view : QByteArrayView(whole),
                                        m_maxMessageSize, &message.payload)) {
            case Inflater::Result::Ok:
                break;
            case Inflater::Result::TooBig:
                return (fail(MessageTooBig, "Max payload size exceeded"), qsizetype(-1));
            case Inflater::Result::Invalid:
                m_reason = m_inflater->errorString();
                return (fail(InvalidPayload, nullptr), qsizetype(-1));
            }
        }
        if (message.opcode == Opcode::Text && !isValidUtf8(message.payload))
            return (fail(InvalidPayload, "invalid UTF-8 sequence"), qsizetype(-1));
        messages->append(std::move(message));
    }
    return pos;
}

} // namespace SocketIO::WebSocket
