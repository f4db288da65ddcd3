// Type-strict renderings of decoded values and packets, shared by the parser tests so
// that a mismatch shows exactly what differs: qint64 prints as 1, double as 1.5d (and -0
// as -0d), binary as <hex>, an invalid QVariant as undefined, std::nullptr_t as null,
// QDateTime as date(ISO). Map keys come sorted.
#pragma once

#include <SocketIO/Parser>

#include <QtCore/QDateTime>
#include <QtCore/QStringList>

#include <cmath>

namespace PacketDump {

using SocketIO::Packet;

inline QString dump(const QVariant &value)
{
    switch (value.typeId()) {
    case QMetaType::UnknownType:
        return QStringLiteral("undefined");
    case QMetaType::Nullptr:
        return QStringLiteral("null");
    case QMetaType::Bool:
        return value.toBool() ? QStringLiteral("true") : QStringLiteral("false");
    case QMetaType::Int:
    case QMetaType::LongLong:
        return QString::number(value.toLongLong());
    case QMetaType::Double: {
        const double d = value.toDouble();
        if (std::isnan(d))
            return QStringLiteral("NaNd");
        if (std::isinf(d))
            return d > 0 ? QStringLiteral("Infinityd") : QStringLiteral("-Infinityd");
        if (d == 0 && std::signbit(d))
            return QStringLiteral("-0d"); // QString::number drops the sign of zero
        return QString::number(d, 'g', 17) + u'd';
    }
    case QMetaType::QString:
        return u'"' + value.toString() + u'"';
    case QMetaType::QByteArray:
        return u'<' + QString::fromLatin1(value.toByteArray().toHex()) + u'>';
    case QMetaType::QDateTime:
        return QStringLiteral("date(") + value.toDateTime().toUTC().toString(Qt::ISODateWithMs) +
               u')';
    case QMetaType::QVariantList: {
        QStringList items;
        for (const QVariant &item : value.toList())
            items.append(dump(item));
        return u'[' + items.join(u',') + u']';
    }
    case QMetaType::QVariantMap: {
        QStringList items;
        const QVariantMap map = value.toMap();
        for (auto it = map.cbegin(); it != map.cend(); ++it)
            items.append(it.key() + u':' + dump(it.value()));
        return u'{' + items.join(u',') + u'}';
    }
    default:
        return QStringLiteral("?") + QString::fromLatin1(value.typeName()) + u'?';
    }
}

inline QString dump(const Packet &packet)
{
    QString out = QStringLiteral("{type:%1,nsp:\"%2\"").arg(int(packet.type)).arg(packet.nsp);
    if (packet.hasId())
        out += QStringLiteral(",id:%1").arg(packet.id);
    if (packet.data.isValid())
        out += QStringLiteral(",data:") + dump(packet.data);
    return out + u'}';
}

inline QString dump(const QList<Packet> &packets)
{
    QStringList items;
    for (const Packet &packet : packets)
        items.append(dump(packet));
    return u'[' + items.join(u',') + u']';
}

} // namespace PacketDump
