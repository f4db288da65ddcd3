#include "parser/legacy09_p.h"
#include "parser/parsers_p.h"

#include "parser/json_p.h"

#include <QtCore/QUrlQuery>

namespace SocketIO::Legacy09 {

namespace {
// 0.9's main namespace is the empty endpoint.
QByteArray endpointOf(const QString &nsp)
{
    return nsp == u"/" ? QByteArray() : nsp.toUtf8();
}

QString nspOf(QByteArrayView endpoint)
{
    return endpoint.isEmpty() ? QStringLiteral("/") : QString::fromUtf8(endpoint);
}

bool fail(QString *error, const char *why)
{
    if (error)
        *error = QString::fromLatin1(why);
    return false;
}

QVariantMap queryMap(QByteArrayView query)
{
    QVariantMap map;
    if (query.startsWith('?'))
        query = query.sliced(1);
    const QUrlQuery items(QString::fromUtf8(query));
    for (const auto &item : items.queryItems(QUrl::FullyDecoded))
        map.insert(item.first, item.second);
    return map;
}

QByteArray header(char type, qint64 id, bool ackData, const QString &nsp)
{
    QByteArray out;
    out += type;
    out += ':';
    if (id >= 0) {
        out += QByteArray::number(id);
        if (ackData)
            out += '+';
    }
    out += ':';
    out += endpointOf(nsp);
    return out;
}
} // namespace

bool decode(QByteArrayView message, Packet *packet, Extra *extra, QString *error)
{
    *extra = {};
    if (message.size() < 3 || message[0] < '0' || message[0] > '8' || message[1] != ':')
        return fail(error, "invalid 0.9 message");
    const char type = message[0];
    qsizetype i = 2;
    qint64 id = -1;
    while (i < message.size() && message[i] >= '0' && message[i] <= '9') {
        if (i - 2 >= 15)
            return fail(error, "0.9 message id too long");
        id = (id < 0 ? 0 : id * 10) + (message[i] - '0');
        ++i;
    }
    bool ackData = false;
    if (i < message.size() && message[i] == '+') {
        ackData = true;
        ++i;
    }
    if (i >= message.size() || message[i] != ':')
        return fail(error, "invalid 0.9 message");
    ++i;
    const qsizetype colon = message.indexOf(':', i);
    const QByteArrayView endpoint = message.sliced(i, (colon < 0 ? message.size() : colon) - i);
    const QByteArrayView data = colon < 0 ? QByteArrayView() : message.sliced(colon + 1);
    // The endpoint may carry the query of a connect ("/chat?x=1").
    const qsizetype question = endpoint.indexOf('?');
    const QByteArrayView path = question < 0 ? endpoint : endpoint.first(question);
    if (!path.isEmpty() && !path.startsWith('/'))
        return fail(error, "invalid 0.9 endpoint");
    packet->nsp = nspOf(path);
    packet->id = -1;
    packet->data = QVariant();
    if (id >= 0) {
        if (ackData)
            packet->id = id;
        else
            extra->autoAckId = id;
    }
    switch (type) {
    case '0':
        packet->type = Packet::Type::Disconnect;
        extra->disconnectAll = path.isEmpty();
        return true;
    case '1':
        packet->type = Packet::Type::Connect;
        packet->data = queryMap(question >= 0 ? endpoint.sliced(question) : data);
        return true;
    case '3':
        packet->type = Packet::Type::Event;
        packet->data = QVariantList{QStringLiteral("message"), QString::fromUtf8(data)};
        return true;
    case '4': {
        QVariant value;
        if (!Json::parse(data, &value))
            return fail(error, "invalid JSON in a 0.9 json message");
        packet->type = Packet::Type::Event;
        packet->data = QVariantList{QStringLiteral("message"), value};
        return true;
    }
    case '5': {
        QVariant value;
        if (!Json::parse(data, &value) || value.typeId() != QMetaType::QVariantMap)
            return fail(error, "invalid JSON in a 0.9 event");
        const QVariantMap event = value.toMap();
        const QVariant name = event.value(QStringLiteral("name"));
        const QVariant args = event.value(QStringLiteral("args"));
        if (name.typeId() != QMetaType::QString || name.toString().isEmpty())
            return fail(error, "0.9 event without a name");
        if (args.isValid() && args.typeId() != QMetaType::QVariantList && !args.isNull())
            return fail(error, "0.9 event arguments are not a list");
        if (isReservedEventName(name.toString())) {
            // "disconnect", "connect", ... are the server's own events: dropped, as 0.9's
            // blacklist did, not delivered as the client's.
            extra->ignore = true;
            extra->autoAckId = -1;
            return true;
        }
        QVariantList list{name};
        list += args.toList();
        packet->type = Packet::Type::Event;
        packet->data = list;
        return true;
    }
    case '6': {
        // "<ack id>[+<JSON array>]"
        qsizetype j = 0;
        qint64 ackId = 0;
        while (j < data.size() && data[j] >= '0' && data[j] <= '9' && j < 15) {
            ackId = ackId * 10 + (data[j] - '0');
            ++j;
        }
        if (j == 0)
            return fail(error, "0.9 ack without an id");
        QVariant args = QVariantList();
        if (j < data.size()) {
            if (data[j] != '+' || !Json::parse(data.sliced(j + 1), &args) ||
                args.typeId() != QMetaType::QVariantList)
                return fail(error, "invalid 0.9 ack arguments");
        }
        packet->type = Packet::Type::Ack;
        packet->id = ackId;
        packet->data = args;
        extra->autoAckId = -1;
        return true;
    }
    default: // 2 heartbeat and 8 noop with an id or data, 7 error: nothing to do
        extra->ignore = true;
        extra->autoAckId = -1;
        return true;
    }
}

QByteArray encode(const Packet &packet)
{
    switch (packet.type) {
    case Packet::Type::Connect:
        return header('1', -1, false, packet.nsp);
    case Packet::Type::Disconnect:
        return header('0', -1, false, packet.nsp);
    case Packet::Type::ConnectError:
        // The reason "unauthorized": the client's namespace emits connect_failed.
        return header('7', -1, false, packet.nsp) + ":2";
    case Packet::Type::Ack:
    case Packet::Type::BinaryAck: {
        QByteArray out = header('6', -1, false, packet.nsp) + ':' + QByteArray::number(packet.id);
        const QVariantList args = packet.data.toList();
        if (!args.isEmpty()) {
            out += '+';
            Json::write(args, out);
        }
        return out;
    }
    case Packet::Type::Event:
    case Packet::Type::BinaryEvent: {
        const QVariantList list = packet.data.toList();
        if (list.isEmpty())
            return {};
        const QString name = list.first().toString();
        if (name == u"message" && list.size() == 2 && !packet.hasId()) {
            const QVariant &value = list.at(1);
            if (value.typeId() == QMetaType::QString)
                return header('3', -1, false, packet.nsp) + ':' + value.toString().toUtf8();
            QByteArray out = header('4', -1, false, packet.nsp) + ':';
            Json::write(value, out);
            return out;
        }
        QByteArray out = header('5', packet.id, true, packet.nsp) + ":{\"name\":";
        Json::write(name, out);
        if (list.size() > 1) {
            out += ",\"args\":";
            Json::write(list.mid(1), out);
        }
        out += '}';
        return out;
    }
    }
    return {};
}

QByteArray encodeAutoAck(const QString &nsp, qint64 id)
{
    return header('6', -1, false, nsp) + ':' + QByteArray::number(id);
}

} // namespace SocketIO::Legacy09
