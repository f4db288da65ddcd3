#pragma once

#include "socketio_export.h"

#include <QtCore/QByteArray>
#include <QtCore/QList>
#include <QtCore/QSharedDataPointer>
#include <QtCore/QString>
#include <QtCore/QVariant>

#include <memory>

namespace SocketIO {

class PacketExtension;

// One Socket.IO packet (protocol v5), as parsers produce and consume it.
//
// `data` holds JSON-like values: QVariantMap, QVariantList, QString, numbers, bool, null
// (an invalid QVariant or std::nullptr_t), and QByteArray for binary, at any depth. An
// EVENT's data is a list whose first element is the event name; an ACK's is the list of
// arguments; a CONNECT's is the auth object; a CONNECT_ERROR's is {message, data}.
struct SOCKETIO_EXPORT Packet
{
    Packet();
    Packet(const Packet &other);
    Packet(Packet &&other) noexcept;
    Packet &operator=(const Packet &other);
    Packet &operator=(Packet &&other) noexcept;
    ~Packet();

    enum class Type : quint8 {
        Connect = 0,
        Disconnect = 1,
        Event = 2,
        Ack = 3,
        ConnectError = 4,
        BinaryEvent = 5,
        BinaryAck = 6,
    };

    Type type = Type::Event;
    QString nsp = QStringLiteral("/");
    qint64 id = -1; // the ack id, or -1 for none
    QVariant data;  // invalid when the packet has no payload

    bool hasId() const { return id >= 0; }

private:
    // Reserved: fields added after 1.0 live here, behind accessor functions, so that the
    // layout above stays fixed. Null (no allocation) until such a field is set.
    QSharedDataPointer<PacketExtension> m_extension;
};

class EngineMessageExtension;

// One Engine.IO message: UTF-8 text, or bytes when `binary` is set.
struct SOCKETIO_EXPORT EngineMessage
{
    EngineMessage();
    EngineMessage(const EngineMessage &other);
    EngineMessage(EngineMessage &&other) noexcept;
    EngineMessage &operator=(const EngineMessage &other);
    EngineMessage &operator=(EngineMessage &&other) noexcept;
    ~EngineMessage();
    // {data, binary}, as when it was an aggregate.
    EngineMessage(QByteArray data, bool binary);

    QByteArray data;
    bool binary = false;
    friend bool operator==(const EngineMessage &a, const EngineMessage &b)
    {
        return a.binary == b.binary && a.data == b.data;
    }

private:
    // Reserved: fields added after 1.0 live here, behind accessor functions, so that the
    // layout above stays fixed. Null (no allocation) until such a field is set.
    QSharedDataPointer<EngineMessageExtension> m_extension;
};

// Turns Engine.IO messages from one connection back into packets. Stateful: a binary
// packet spans several messages.
class SOCKETIO_EXPORT Decoder
{
public:
    virtual ~Decoder();
    // Feeds one message. Appends any packet it completes to `packets`. Returns false, with
    // the reference's wording in `error`, when the input is invalid; the connection is then
    // closed with reason "parse error".
    virtual bool add(const QByteArray &data, bool binary, QList<Packet> *packets,
                     QString *error) = 0;
};

// A wire format for Socket.IO packets, selected with the `parser` option. Implement this
// interface for a custom format; both ends must use the same one.
class SOCKETIO_EXPORT Parser
{
public:
    virtual ~Parser();
    virtual QString name() const = 0;
    // The messages that carry `packet`, in order.
    virtual QList<EngineMessage> encode(const Packet &packet) const = 0;
    virtual std::unique_ptr<Decoder> createDecoder() const = 0;

    // JSON text with binary attachments, like npm socket.io-parser.
    static std::shared_ptr<const Parser> defaultParser();
    // One binary message per packet, like npm socket.io-msgpack-parser.
    static std::shared_ptr<const Parser> msgpackParser();
    // "default" or "msgpack"; null for other names.
    static std::shared_ptr<const Parser> byName(const QString &name);
};

} // namespace SocketIO
