#include "core/headroom_p.h"
#include "parser.h"
#include "parser/json_p.h"
#include "parser/parsers_p.h"

#include <charconv>
#include <cstring>
#include <iterator>

namespace SocketIO {

namespace {

const QStringList &reservedEvents()
{
    static const QStringList names = {
        QStringLiteral("connect"),     QStringLiteral("connect_error"),
        QStringLiteral("disconnect"),  QStringLiteral("disconnecting"),
        QStringLiteral("newListener"), QStringLiteral("removeListener")};
    return names;
}

bool isDigit(char c)
{
    return c >= '0' && c <= '9';
}

class DefaultDecoder final : public Decoder
{
public:
    bool add(const QByteArray &data, bool binary, QList<Packet> *packets, QString *error) override
    {
        if (!binary) {
            if (m_reconstructing) {
                *error = QStringLiteral("got plaintext data when reconstructing a packet");
                return false;
            }
            Packet packet;
            if (!decodeString(data, &packet, &m_expected, error))
                return false;
            if (packet.type == Packet::Type::BinaryEvent ||
                packet.type == Packet::Type::BinaryAck) {
                // Kept as the text it came as until its attachments are here, and parsed
                // again then: the tree parsed from it weighs ~20 times as much, for as long
                // as a client holds its attachments back.
                m_text = compact(data);
                m_attachments.clear();
                m_reconstructing = true;
                return true;
            }
            packets->append(std::move(packet));
            return true;
        }
        if (!m_reconstructing) {
            *error = QStringLiteral("got binary data when not reconstructing a packet");
            return false;
        }
        m_attachments.append(compact(data));
        if (m_attachments.size() < m_expected)
            return true;
        m_reconstructing = false;
        Packet packet;
        qsizetype expected = 0;
        const bool ok = decodeString(std::exchange(m_text, {}), &packet, &expected, error) &&
                        Json::resolvePlaceholders(packet.data, m_attachments);
        m_attachments.clear();
        if (!ok) {
            *error = QStringLiteral("illegal attachments");
            return false;
        }
        packet.type =
            packet.type == Packet::Type::BinaryEvent ? Packet::Type::Event : Packet::Type::Ack;
        packets->append(std::move(packet));
        return true;
    }

private:
    // A message without the spare room its buffer may have (a read buffer's, for instance).
    static QByteArray compact(const QByteArray &data)
    {
        QByteArray copy = data;
        if (copy.capacity() > copy.size())
            copy.squeeze();
        return copy;
    }

    bool m_reconstructing = false;
    qsizetype m_expected = 0;
    QByteArray m_text; // the packet waiting for its attachments
    QList<QByteArray> m_attachments;
};

} // namespace

bool isReservedEventName(const QString &name)
{
    return reservedEvents().contains(name);
}

bool isPayloadValid(Packet::Type type, const QVariant &payload)
{
    switch (type) {
    case Packet::Type::Connect:
        return payload.typeId() == QMetaType::QVariantMap;
    case Packet::Type::Disconnect:
        return !payload.isValid();
    case Packet::Type::ConnectError:
        return payload.typeId() == QMetaType::QString || payload.typeId() == QMetaType::QVariantMap;
    case Packet::Type::Event:
    case Packet::Type::BinaryEvent: {
        if (payload.typeId() != QMetaType::QVariantList)
            return false;
        const auto &list = *static_cast<const QVariantList *>(payload.constData());
        if (list.isEmpty())
            return false;
        const QVariant &first = list.first();
        if (first.typeId() == QMetaType::LongLong || first.typeId() == QMetaType::Double)
            return true;
        return first.typeId() == QMetaType::QString &&
               !isReservedEventName(*static_cast<const QString *>(first.constData()));
    }
    case Packet::Type::Ack:
    case Packet::Type::BinaryAck:
        return payload.typeId() == QMetaType::QVariantList;
    }
    return false;
}

// Follows socket.io-parser's decodeString step by step, including what it tolerates.
bool decodeString(QByteArrayView str, Packet *packet, qsizetype *attachments, QString *error)
{
    const qsizetype length = str.size();
    auto at = [&](qsizetype i) { return i >= 0 && i < length ? str.at(i) : '\0'; };
    qsizetype i = 0;
    const char typeChar = at(0);
    const int type = length == 0 ? 0 : (isDigit(typeChar) ? typeChar - '0' : -1);
    if (type < 0 || type > 6) {
        *error = QStringLiteral("unknown packet type %1")
                     .arg(type < 0 ? QStringLiteral("NaN") : QString::number(type));
        return false;
    }
    packet->type = Packet::Type(type);
    *attachments = 0;
    if (packet->type == Packet::Type::BinaryEvent || packet->type == Packet::Type::BinaryAck) {
        const qsizetype start = i + 1;
        while (at(++i) != '-' && i < length) {
        }
        const QByteArrayView count = str.sliced(start, qMin(i, length) - start);
        bool numeric = !count.isEmpty();
        for (char c : count)
            numeric = numeric && isDigit(c);
        if (!numeric || at(i) != '-' || count.size() > 9) {
            *error = QStringLiteral("Illegal attachments");
            return false;
        }
        const qsizetype n = count.toLongLong();
        if (n < 1) {
            *error = QStringLiteral("Illegal attachments");
            return false;
        }
        if (n > MaxAttachments) {
            *error = QStringLiteral("too many attachments");
            return false;
        }
        *attachments = n;
    }
    if (at(i + 1) == '/') {
        const qsizetype start = i + 1;
        while (++i < length && at(i) != ',') {
        }
        packet->nsp = QString::fromUtf8(str.sliced(start, i - start));
    } else {
        packet->nsp = QStringLiteral("/");
    }
    if (isDigit(at(i + 1))) {
        const qsizetype start = i + 1;
        while (++i < length && isDigit(at(i))) {
        }
        const QByteArrayView digits = str.sliced(start, i - start);
        --i;
        if (digits.size() > 15) {
            *error = QStringLiteral("invalid packet id");
            return false;
        }
        qint64 id = 0; // at most 15 digits: no overflow
        for (char c : digits)
            id = id * 10 + (c - '0');
        packet->id = id;
    }
    ++i;
    if (i < length) {
        QVariant payload;
        if (!Json::parse(str.sliced(i), &payload) || !isPayloadValid(packet->type, payload)) {
            *error = QStringLiteral("invalid payload");
            return false;
        }
        packet->data = std::move(payload);
    }
    return true;
}

QByteArray encodeHeader(const Packet &packet, qsizetype attachments, qsizetype headroom)
{
    // Put together on the stack, then copied into the buffer at once: appending piece by
    // piece cost more than the rest of the header.
    char type[24];
    char *typeEnd = type;
    *typeEnd++ = char('0' + int(packet.type));
    if (packet.type == Packet::Type::BinaryEvent || packet.type == Packet::Type::BinaryAck) {
        typeEnd = std::to_chars(typeEnd, std::end(type) - 1, attachments).ptr;
        *typeEnd++ = '-';
    }
    QByteArray nsp; // followed by ',' when not the main namespace
    if (!packet.nsp.isEmpty() && packet.nsp != u"/")
        nsp = packet.nsp.toUtf8();
    const qsizetype nspSize = nsp.isEmpty() ? 0 : nsp.size() + 1;
    char id[24];
    char *idEnd = packet.hasId() ? std::to_chars(std::begin(id), std::end(id), packet.id).ptr : id;

    const qsizetype typeSize = typeEnd - type;
    const qsizetype idSize = idEnd - id;
    const qsizetype size = headroom + typeSize + nspSize + idSize;
    QByteArray out;
    out.reserve(size + 64); // room for the JSON that usually follows
    out.resize(size);
    char *at = out.data() + headroom;
    std::memcpy(at, type, size_t(typeSize));
    at += typeSize;
    if (nspSize) {
        std::memcpy(at, nsp.constData(), size_t(nsp.size()));
        at[nsp.size()] = ',';
        at += nspSize;
    }
    if (idSize)
        std::memcpy(at, id, size_t(idSize));
    return out;
}

QList<EngineMessage> DefaultParser::encode(const Packet &packet) const
{
    const bool binaryType =
        packet.type == Packet::Type::BinaryEvent || packet.type == Packet::Type::BinaryAck;
    const bool eventOrAck = packet.type == Packet::Type::Event || packet.type == Packet::Type::Ack;
    // Like the reference, null and undefined data are left out.
    const bool hasData = packet.data.isValid() && packet.data.typeId() != QMetaType::Nullptr;
    // Written as text at once; the JSON writer finds binary data on the way (an event or an
    // ack holding some becomes a binary one, whose header counts the attachments).
    QList<QByteArray> attachments;
    // The Engine.IO layer puts its framing in the headroom, in place.
    QByteArray text = encodeHeader(packet, 0, MessageHeadroom);
    const qsizetype header = text.size();
    if (hasData)
        Json::write(packet.data, text, eventOrAck || binaryType ? &attachments : nullptr);
    if (binaryType || !attachments.isEmpty()) {
        Packet binary;
        binary.type = packet.type == Packet::Type::Event || packet.type == Packet::Type::BinaryEvent
                          ? Packet::Type::BinaryEvent
                          : Packet::Type::BinaryAck;
        binary.nsp = packet.nsp;
        binary.id = packet.id;
        QByteArray binaryText = encodeHeader(binary, attachments.size());
        binaryText.append(QByteArrayView(text).sliced(header));
        text = std::move(binaryText);
    } else {
        text.remove(0, MessageHeadroom); // leaves the room free before the data
    }
    if (attachments.isEmpty())
        return {EngineMessage{std::move(text), false}};
    QList<EngineMessage> messages;
    messages.reserve(1 + attachments.size());
    messages.append({std::move(text), false});
    for (QByteArray &attachment : attachments)
        messages.append({std::move(attachment), true});
    return messages;
}

std::unique_ptr<Decoder> DefaultParser::createDecoder() const
{
    return std::make_unique<DefaultDecoder>();
}

/*!
    \struct SocketIO::Packet
    \inmodule SocketIO
    \brief One Socket.IO packet (protocol v5), as parsers produce and consume it.

    \c data holds JSON-like values: QVariantMap, QVariantList, QString, numbers, bool, null (an
    invalid QVariant or std::nullptr_t), and QByteArray for binary, at any depth. An EVENT's
    data is a list whose first element is the event name; an ACK's is the list of arguments; a
    CONNECT's is the auth object; a CONNECT_ERROR's is {message, data}.
*/

// Empty until a field is added after 1.0.
class PacketExtension : public QSharedData
{
};

/*!
    Constructs the defaults.
*/
Packet::Packet() = default;

/*!
    Constructs a copy of \a other.
*/
Packet::Packet(const Packet &other) = default;

/*!
    Move-constructs from \a other.
*/
Packet::Packet(Packet &&other) noexcept = default;

/*!
    Assigns \a other and returns a reference to this.
*/
Packet &Packet::operator=(const Packet &other) = default;

/*!
    Move-assigns \a other and returns a reference to this.
*/
Packet &Packet::operator=(Packet &&other) noexcept = default;

/*!
    Destroys the packet.
*/
Packet::~Packet() = default;

/*!
    \enum Packet::Type

    The packet types of the Socket.IO protocol, with their wire values.
*/

/*!
    \var Packet::Connect

    Connects to a namespace (0); from the server, the answer with the socket id.
*/

/*!
    \var Packet::Disconnect

    Leaves a namespace (1).
*/

/*!
    \var Packet::Event

    An event (2).
*/

/*!
    \var Packet::Ack

    The acknowledgement of an event (3).
*/

/*!
    \var Packet::ConnectError

    The refusal of a connection to a namespace (4).
*/

/*!
    \var Packet::BinaryEvent

    An event with binary attachments (5).
*/

/*!
    \var Packet::BinaryAck

    An acknowledgement with binary attachments (6).
*/

/*!
    \var Packet::type

    The packet type (default Event).
*/

/*!
    \var Packet::nsp

    The namespace (default "/").
*/

/*!
    \var Packet::id

    The acknowledgement id, or -1 for none.
*/

/*!
    \var Packet::data

    The payload; invalid when the packet has none.
*/

/*!
    \fn bool Packet::hasId() const

    Returns true when the packet carries an acknowledgement id.
*/

/*!
    \struct SocketIO::EngineMessage
    \inmodule SocketIO
    \brief One Engine.IO message, as a Parser encodes a packet into.
*/

// Empty until a field is added after 1.0.
class EngineMessageExtension : public QSharedData
{
};

/*!
    Constructs the defaults.
*/
EngineMessage::EngineMessage() = default;

/*!
    Constructs a copy of \a other.
*/
EngineMessage::EngineMessage(const EngineMessage &other) = default;

/*!
    Move-constructs from \a other.
*/
EngineMessage::EngineMessage(EngineMessage &&other) noexcept = default;

/*!
    Assigns \a other and returns a reference to this.
*/
EngineMessage &EngineMessage::operator=(const EngineMessage &other) = default;

/*!
    Move-assigns \a other and returns a reference to this.
*/
EngineMessage &EngineMessage::operator=(EngineMessage &&other) noexcept = default;

/*!
    Destroys the message.
*/
EngineMessage::~EngineMessage() = default;

/*!
    Constructs a message of \a data, bytes when \a binary is true and UTF-8 text otherwise.
*/
EngineMessage::EngineMessage(QByteArray data, bool binary)
    : data(std::move(data))
    , binary(binary)
{}

/*!
    \var EngineMessage::data

    The message: UTF-8 text, or bytes when binary is set.
*/

/*!
    \var EngineMessage::binary

    Whether the message is binary (default false).
*/

/*!
    \fn bool EngineMessage::operator==(const EngineMessage &a, const EngineMessage &b)

    Returns true when \a a and \a b hold the same data with the same binary flag.
*/

/*!
    \class SocketIO::Decoder
    \inmodule SocketIO
    \brief Turns the Engine.IO messages of one connection back into packets.

    Stateful: a binary packet spans several messages. Made by Parser::createDecoder(); one per
    connection.
*/

/*!
    \fn bool Decoder::add(const QByteArray &, bool, QList<Packet> *, QString *)

    Feeds one message, \a data (bytes when \a binary), and appends any packet it completes to
    \a packets. Returns false, with the reference's wording in \a error, when the input is
    invalid; the connection is then closed with reason "parse error".
*/

/*!
    Destroys the decoder.
*/
Decoder::~Decoder() = default;

/*!
    \class SocketIO::Parser
    \inmodule SocketIO
    \brief A wire format for Socket.IO packets, selected with the \c parser option.

    Implement this interface for a custom format; both ends must use the same one. A parser is
    shared between connections and threads: encode() and createDecoder() must be thread-safe.
*/

/*!
    \fn QString Parser::name() const

    Returns the parser's name, such as "default" or "msgpack".
*/

/*!
    \fn QList<EngineMessage> Parser::encode(const Packet &packet) const

    Returns the messages that carry \a packet, in order.
*/

/*!
    \fn std::unique_ptr<Decoder> Parser::createDecoder() const

    Returns a new decoder for one connection; the caller owns it.
*/

/*!
    Destroys the parser.
*/
Parser::~Parser() = default;

/*!
    Returns the default parser: JSON text with binary attachments, like npm socket.io-parser.
*/
std::shared_ptr<const Parser> Parser::defaultParser()
{
    static const auto parser = std::make_shared<const DefaultParser>();
    return parser;
}

/*!
    Returns the MessagePack parser: one binary message per packet, like npm
    socket.io-msgpack-parser.
*/
std::shared_ptr<const Parser> Parser::msgpackParser()
{
    static const auto parser = std::make_shared<const MsgpackParser>();
    return parser;
}

/*!
    Returns the parser called \a name, "default" or "msgpack", or null for other names.
*/
std::shared_ptr<const Parser> Parser::byName(const QString &name)
{
    if (name == u"default")
        return defaultParser();
    if (name == u"msgpack")
        return msgpackParser();
    return {};
}

} // namespace SocketIO
