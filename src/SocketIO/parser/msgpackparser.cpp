#include "parser/msgpack_p.h"

#include "parser/number_p.h"
#include "parser/parsers_p.h"
#include <cmath>

namespace SocketIO {

namespace {

// Number.isInteger: a whole double counts as an integer.
bool toInteger(const QVariant &value, qint64 *out)
{
    if (value.typeId() == QMetaType::LongLong) {
        *out = value.toLongLong();
        return true;
    }
    if (value.typeId() == QMetaType::Double) {
        const double d = value.toDouble();
        if (isSafeInteger(d)) {
            *out = qint64(d);
            return true;
        }
    }
    return false;
}

// socket.io-msgpack-parser's checkPacket.
bool checkPacket(const QVariantMap &map, Packet *packet, QString *error)
{
    qint64 type = -1;
    if (!toInteger(map.value(QStringLiteral("type")), &type) || type < 0 || type > 4) {
        *error = QStringLiteral("invalid packet type");
        return false;
    }
    const QVariant nsp = map.value(QStringLiteral("nsp"));
    if (nsp.typeId() != QMetaType::QString) {
        *error = QStringLiteral("invalid namespace");
        return false;
    }
    packet->type = Packet::Type(type);
    packet->nsp = nsp.toString();
    packet->data = map.value(QStringLiteral("data"));
    bool dataValid = false;
    switch (packet->type) {
    case Packet::Type::Connect:
        dataValid = !packet->data.isValid() || packet->data.typeId() == QMetaType::QVariantMap;
        break;
    case Packet::Type::Disconnect:
        dataValid = !packet->data.isValid();
        break;
    case Packet::Type::ConnectError:
        dataValid = packet->data.typeId() == QMetaType::QString ||
                    packet->data.typeId() == QMetaType::QVariantMap;
        break;
    case Packet::Type::Event:
        // Stricter than socket.io-msgpack-parser, which takes any array: the event name must
        // be a string that is not reserved ("disconnect" from a client would pass for the
        // server's own event) or a number, as the default parser requires since
        // CVE-2023-32695.
        dataValid = isPayloadValid(Packet::Type::Event, packet->data);
        break;
    default:
        dataValid = packet->data.typeId() == QMetaType::QVariantList;
        break;
    }
    if (!dataValid) {
        *error = QStringLiteral("invalid payload");
        return false;
    }
    const auto id = map.constFind(QStringLiteral("id"));
    if (id != map.cend() && id->isValid()) {
        qint64 value = -1;
        // -1 would mean "no id" here; the reference accepts it but nothing sends it.
        if (!toInteger(*id, &value) || value < 0) {
            *error = QStringLiteral("invalid packet id");
            return false;
        }
        packet->id = value;
    }
    return true;
}

class MsgpackDecoder final : public Decoder
{
public:
    bool add(const QByteArray &data, bool binary, QList<Packet> *packets, QString *error) override
    {
        Q_UNUSED(binary);
        QVariant value;
        if (!MsgPack::decode(data, &value, error))
            return false;
        if (value.typeId() != QMetaType::QVariantMap) {
            *error = QStringLiteral("invalid packet type");
            return false;
        }
        Packet packet;
        if (!checkPacket(value.toMap(), &packet, error))
            return false;
        packets->append(std::move(packet));
        return true;
    }
};

} // namespace

QList<EngineMessage> MsgpackParser::encode(const Packet &packet) const
{
    // Binary events travel inline; the binary packet types are never used on this wire.
    Packet::Type type = packet.type;
    if (type == Packet::Type::BinaryEvent)
        type = Packet::Type::Event;
    else if (type == Packet::Type::BinaryAck)
        type = Packet::Type::Ack;
    QVariantMap map;
    map.insert(QStringLiteral("type"), int(type));
    map.insert(QStringLiteral("nsp"), packet.nsp);
    if (packet.data.isValid())
        map.insert(QStringLiteral("data"), packet.data);
    if (packet.hasId())
        map.insert(QStringLiteral("id"), packet.id);
    return {{MsgPack::encode(map), true}};
}

std::unique_ptr<Decoder> MsgpackParser::createDecoder() const
{
    return std::make_unique<MsgpackDecoder>();
}

} // namespace SocketIO
