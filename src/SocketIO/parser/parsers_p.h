#pragma once

#include "core/testable_p.h"
#include "parser.h"

namespace SocketIO {

// socket.io-parser's default limit of binary attachments per packet.
constexpr qsizetype MaxAttachments = 10;

SOCKETIO_TESTABLE bool isReservedEventName(const QString &name);
SOCKETIO_TESTABLE bool isPayloadValid(Packet::Type type, const QVariant &payload);
SOCKETIO_TESTABLE bool decodeString(QByteArrayView text, Packet *packet, qsizetype *attachments,
                                    QString *error);
// "<type>[<attachments>-][<nsp>,][<id>]": what precedes the JSON of a default-parser packet,
// after `headroom` bytes left for the caller.
SOCKETIO_TESTABLE QByteArray encodeHeader(const Packet &packet, qsizetype attachments,
                                          qsizetype headroom = 0);

class DefaultParser final : public Parser
{
public:
    QString name() const override { return QStringLiteral("default"); }
    QList<EngineMessage> encode(const Packet &packet) const override;
    std::unique_ptr<Decoder> createDecoder() const override;
};

class MsgpackParser final : public Parser
{
public:
    QString name() const override { return QStringLiteral("msgpack"); }
    QList<EngineMessage> encode(const Packet &packet) const override;
    std::unique_ptr<Decoder> createDecoder() const override;
};

} // namespace SocketIO
