#include "redisemitter.h"

#include "adapters/redisclusteraccess_p.h"
#include "parser/json_p.h"
#include "parser/msgpack_p.h"
#include "parser/parsers_p.h"
#include "redis/redisconnection_p.h"

#include <QtCore/QLoggingCategory>
#include <QtCore/QMetaObject>

Q_LOGGING_CATEGORY(lcRedisEmitter, "socketio.redis.emitter")

namespace SocketIO {

namespace {

// The reference's fixed uid: servers tell an emitter's broadcasts by it.
constexpr QLatin1String emitterUid("emitter");

// The request types of @socket.io/redis-emitter 5.1 (those of the classic adapter).
enum RequestType {
    RemoteJoin = 2,
    RemoteLeave = 3,
    RemoteDisconnect = 4,
    ServerSideEmit = 6,
};

void appendUnique(QStringList &list, const QString &value)
{
    if (!list.contains(value))
        list.append(value);
}

// The messages are written field by field, in the reference's key order, so that the bytes
// are those of @socket.io/redis-emitter (INTEROP.md C.2); QVariantMap would sort the keys.
void writeKey(QByteArray &out, const char *key)
{
    MsgPack::write(QString::fromLatin1(key), out);
}

// JSON as JSON.stringify writes it, where a Buffer becomes {"type":"Buffer","data":[bytes]}
// (Json::write writes binary as null).
void writeStringified(const QVariant &value, QByteArray &out)
{
    switch (value.typeId()) {
    case QMetaType::QByteArray: {
        const QByteArray bytes = value.toByteArray();
        out += "{\"type\":\"Buffer\",\"data\":[";
        for (qsizetype i = 0; i < bytes.size(); ++i) {
            if (i)
                out += ',';
            out += QByteArray::number(quint8(bytes.at(i)));
        }
        out += "]}";
        return;
    }
    case QMetaType::QVariantList: {
        const QVariantList list = value.toList();
        out += '[';
        for (qsizetype i = 0; i < list.size(); ++i) {
            if (i)
                out += ',';
            writeStringified(list.at(i), out);
        }
        out += ']';
        return;
    }
    case QMetaType::QVariantMap: {
        const QVariantMap map = value.toMap();
        out += '{';
        for (auto it = map.cbegin(); it != map.cend(); ++it) {
            if (it != map.cbegin())
                out += ',';
            Json::write(it.key(), out);
            out += ':';
            writeStringified(it.value(), out);
        }
        out += '}';
        return;
    }
    default:
        Json::write(value, out);
        return;
    }
}

// {"rooms":[…],"except":[…]}, the selection of a request.
void writeSelection(QByteArray &out, const QStringList &rooms, const QStringList &except)
{
    out += "{\"rooms\":";
    Json::write(rooms, out);
    out += ",\"except\":";
    Json::write(except, out);
    out += '}';
}

} // namespace

class RedisEmitterPrivate
{
public:
    RedisAdapterOptions options;
    Redis::Connection *connection = nullptr;

    QByteArray broadcastChannel(const QString &nsp) const
    {
        return options.key.toUtf8() + '#' + nsp.toUtf8() + '#';
    }
    QByteArray requestChannel(const QString &nsp) const
    {
        return options.key.toUtf8() + "-request#" + nsp.toUtf8() + '#';
    }
};

/*!
    \class SocketIO::RedisEmitterOperator
    \inmodule SocketIO
    \brief What a RedisEmitter addresses in one namespace of a Redis cluster; a value type.

    Made by RedisEmitter::of() and the emitter's shortcuts for the main namespace. Each
    modifier returns a new operator; the operator holds a guarded pointer to its emitter and
    does nothing once the emitter is gone.

    \code
    emitter.of(QStringLiteral("/chat")).to(QStringLiteral("room1")).emitEvent(
        QStringLiteral("news"), {QStringLiteral("hello")});
    \endcode
*/

/*!
    \fn RedisEmitterOperator::RedisEmitterOperator()
    Constructs an operator with no emitter, which publishes nothing.
*/

/*!
    \fn RedisEmitterOperator RedisEmitterOperator::in(const QString &room) const
    Same as to(\a room).
*/

/*!
    \fn RedisEmitterOperator RedisEmitterOperator::in(const QStringList &rooms) const
    Same as to(\a rooms).
*/

/*!
    \fn void RedisEmitterOperator::socketsJoin(const QString &room) const
    Makes the selected sockets join \a room.
*/

/*!
    \fn void RedisEmitterOperator::socketsLeave(const QString &room) const
    Makes the selected sockets leave \a room.
*/

/*!
    \fn QString RedisEmitterOperator::nsp() const
    Returns the namespace, with its leading slash.
*/

/*!
    \fn QStringList RedisEmitterOperator::rooms() const
    Returns the rooms selected with to(), in the order given; empty: every socket of the
    namespace.
*/

/*!
    \fn QStringList RedisEmitterOperator::exceptRooms() const
    Returns the rooms left out with except(), in the order given.
*/

RedisEmitterOperator::RedisEmitterOperator(const RedisEmitter *emitter, const QString &nsp)
    : m_emitter(emitter)
    , m_nsp(nsp)
{}

/*!
    Returns a copy that also targets the sockets in \a room.
*/
RedisEmitterOperator RedisEmitterOperator::to(const QString &room) const
{
    return to(QStringList{room});
}

/*!
    Returns a copy that also targets the sockets in each of \a rooms.
*/
RedisEmitterOperator RedisEmitterOperator::to(const QStringList &rooms) const
{
    RedisEmitterOperator op = *this;
    for (const QString &room : rooms)
        appendUnique(op.m_rooms, room);
    return op;
}

/*!
    Returns a copy that leaves out the sockets in \a room (a room name or a socket id).
*/
RedisEmitterOperator RedisEmitterOperator::except(const QString &room) const
{
    return except(QStringList{room});
}

/*!
    Returns a copy that leaves out the sockets in any of \a rooms.
*/
RedisEmitterOperator RedisEmitterOperator::except(const QStringList &rooms) const
{
    RedisEmitterOperator op = *this;
    for (const QString &room : rooms)
        appendUnique(op.m_except, room);
    return op;
}

namespace {
// Object.assign({}, flags, {name: value}): a flag keeps the place it was first set at.
void setFlag(QList<QPair<QString, bool>> &flags, const QString &name, bool value)
{
    for (QPair<QString, bool> &flag : flags) {
        if (flag.first == name) {
            flag.second = value;
            return;
        }
    }
    flags.append({name, value});
}
} // namespace

/*!
    Returns a copy with the compress flag set to \a compress, passed on to the servers.
*/
RedisEmitterOperator RedisEmitterOperator::compress(bool compress) const
{
    RedisEmitterOperator op = *this;
    setFlag(op.m_flags, QStringLiteral("compress"), compress);
    return op;
}

/*!
    Returns a copy whose events may be lost where a recipient's transport is not writable (the
    reference's \c volatile, a C++ keyword).
*/
RedisEmitterOperator RedisEmitterOperator::asVolatile() const
{
    RedisEmitterOperator op = *this;
    setFlag(op.m_flags, QStringLiteral("volatile"), true);
    return op;
}

/*!
    Returns the flags set with compress() and asVolatile().
*/
BroadcastFlags RedisEmitterOperator::flags() const
{
    BroadcastFlags flags;
    for (const QPair<QString, bool> &flag : m_flags) {
        if (flag.first == u"volatile")
            flags.setVolatile(flag.second);
        else
            flags.setCompressed(flag.second);
    }
    return flags;
}

/*!
    Publishes \a event with \a args for the selected sockets of every server: MessagePack
    `["emitter", {type: 2, data: [event, args...], nsp}, {rooms, flags, except}]` on
    `<key>#<nsp>#`, or on `<key>#<nsp>#<room>#` when exactly one room is selected. Binary
    arguments (QByteArray) travel as MessagePack bin.

    Returns false, and publishes nothing, for a reserved event name ("connect",
    "connect_error", "disconnect", "disconnecting", "newListener", "removeListener"; a warning
    says `"connect" is a reserved event name`, the reference's error) or once the emitter is
    gone. While Redis is unreachable the message is dropped: nothing is queued.
*/
bool RedisEmitterOperator::emitEvent(const QString &event, const QVariantList &args) const
{
    if (!m_emitter)
        return false;
    if (isReservedEventName(event)) {
        qCWarning(lcRedisEmitter).noquote()
            << QStringLiteral("\"%1\" is a reserved event name").arg(event);
        return false;
    }
    QByteArray message;
    message += char(0x93); // [uid, packet, opts]
    MsgPack::write(QString(emitterUid), message);
    message += char(0x83); // {type, data, nsp}
    writeKey(message, "type");
    MsgPack::write(2, message); // EVENT, binary arguments included
    writeKey(message, "data");
    QVariantList data;
    data.reserve(args.size() + 1);
    data.append(event);
    data += args;
    MsgPack::write(data, message);
    writeKey(message, "nsp");
    MsgPack::write(m_nsp, message);
    message += char(0x83); // {rooms, flags, except}
    writeKey(message, "rooms");
    MsgPack::write(m_rooms, message);
    writeKey(message, "flags");
    message += char(0x80 | int(m_flags.size())); // at most two flags
    for (const QPair<QString, bool> &flag : m_flags) {
        MsgPack::write(flag.first, message);
        MsgPack::write(flag.second, message);
    }
    writeKey(message, "except");
    MsgPack::write(m_except, message);

    const RedisEmitterPrivate *d = m_emitter->d_func();
    QByteArray channel = d->broadcastChannel(m_nsp);
    if (m_rooms.size() == 1)
        channel += m_rooms.constFirst().toUtf8() + '#';
    d->connection->publish(channel, message);
    return true;
}

namespace {
QByteArray roomsRequest(int type, const QStringList &selected, const QStringList &except,
                        const QStringList &rooms)
{
    QByteArray request = "{\"type\":" + QByteArray::number(type) + ",\"opts\":";
    writeSelection(request, selected, except);
    request += ",\"rooms\":";
    Json::write(rooms, request);
    request += '}';
    return request;
}
} // namespace

/*!
    Makes the selected sockets of every server join \a rooms: JSON
    `{"type":2,"opts":{"rooms","except"},"rooms":[…]}` on `<key>-request#<nsp>#`, with no uid,
    so that every server applies it.
*/
void RedisEmitterOperator::socketsJoin(const QStringList &rooms) const
{
    publishRequest(roomsRequest(RemoteJoin, m_rooms, m_except, rooms));
}

/*!
    Makes the selected sockets of every server leave \a rooms (request type 3).
*/
void RedisEmitterOperator::socketsLeave(const QStringList &rooms) const
{
    publishRequest(roomsRequest(RemoteLeave, m_rooms, m_except, rooms));
}

/*!
    Disconnects the selected sockets of every server; with \a close, their whole connections
    (JSON `{"type":4,"opts":{…},"close":…}`).
*/
void RedisEmitterOperator::disconnectSockets(bool close) const
{
    QByteArray request = "{\"type\":" + QByteArray::number(RemoteDisconnect) + ",\"opts\":";
    writeSelection(request, m_rooms, m_except);
    request += close ? ",\"close\":true}" : ",\"close\":false}";
    publishRequest(request);
}

/*!
    Sends \a event with \a args to every server of the namespace, whose handlers
    (Namespace::onServerSideEvent()) run without an acknowledgement: JSON
    `{"uid":"emitter","type":6,"data":[event, args...]}` on `<key>-request#<nsp>#`. The rooms,
    exceptions and flags of this operator do not apply. Binary arguments are written as
    JavaScript's JSON.stringify() writes a Buffer (`{"type":"Buffer","data":[…]}`). Returns
    false once the emitter is gone.
*/
bool RedisEmitterOperator::serverSideEmit(const QString &event, const QVariantList &args) const
{
    QVariantList data;
    data.reserve(args.size() + 1);
    data.append(event);
    data += args;
    QByteArray request = "{\"uid\":\"" + QByteArray(emitterUid.data(), emitterUid.size()) +
                         "\",\"type\":" + QByteArray::number(ServerSideEmit) + ",\"data\":";
    writeStringified(data, request);
    request += '}';
    return publishRequest(request);
}

bool RedisEmitterOperator::publishRequest(const QByteArray &request) const
{
    if (!m_emitter)
        return false;
    const RedisEmitterPrivate *d = m_emitter->d_func();
    d->connection->publish(d->requestChannel(m_nsp), request);
    return true;
}

/*!
    Refuses a server-side emit with an acknowledgement, as the reference does: an emitter does
    not subscribe, so it cannot receive the servers' answers. Publishes nothing for \a event
    and \a args, logs "Acknowledgements are not supported", hands \a callback that error (with
    no responses) from the event loop unless \a context is gone by then, and returns false.
*/
bool RedisEmitterOperator::serverSideEmit(
    const QString &event, const QVariantList &args, QObject *context,
    std::function<void(const QString &error, const QVariantList &responses)> callback) const
{
    Q_UNUSED(event);
    Q_UNUSED(args);
    const QString error = QStringLiteral("Acknowledgements are not supported");
    qCWarning(lcRedisEmitter).noquote() << error;
    if (callback && context) {
        QMetaObject::invokeMethod(
            context, [callback = std::move(callback), error] { callback(error, {}); },
            Qt::QueuedConnection);
    }
    return false;
}

/*!
    \class SocketIO::RedisEmitter
    \inmodule SocketIO
    \brief Publishes into a Redis cluster of Socket.IO servers from a process that has no
    Socket.IO server, like Node's \c \@socket.io/redis-emitter 5.1.

    The servers use the classic Redis adapter: ours (RedisCluster::adapterFactory()) or Node's
    \c \@socket.io/redis-adapter. The emitter broadcasts events to their sockets, makes sockets
    join or leave rooms or disconnect, and sends server-side events, in the reference emitter's
    wire format: broadcasts in MessagePack with the uid "emitter", requests in JSON. It only
    publishes: it takes no part in the cluster's requests and answers, and Redis does not count
    it as a server.

    Of its RedisAdapterOptions it uses the connection (host, port, username, password, TLS)
    and \c key. It opens one connection and keeps it open, like RedisCluster: messages
    published while Redis is unreachable are dropped (nothing is queued), and each lost
    connection is an outage: connectedChanged(false) is emitted, outageCount() grows, and a warning
   is logged in the category \c socketio.redis.

    \code
    SocketIO::RedisEmitter emitter; // Redis on 127.0.0.1:6379
    emitter.emitEvent(QStringLiteral("time"), {QDateTime::currentDateTimeUtc()});
    emitter.to(QStringLiteral("room1")).except(QStringLiteral("room2")).emitEvent(
        QStringLiteral("news"), {QStringLiteral("hello")});
    emitter.of(QStringLiteral("/admin")).socketsJoin(QStringLiteral("audit"));
    \endcode

    The shortcuts (to(), emitEvent(), socketsJoin(), ...) address the main namespace "/"; of()
    addresses another one.
*/

/*!
    \property RedisEmitter::connected
    \brief Whether the connection to Redis is up (connected and authenticated).
*/

/*!
    \property RedisEmitter::outageCount
    \brief How many times the connection was lost after it was up.
*/

/*!
    \fn void RedisEmitter::connectedChanged(bool connected)
    Emitted when the connection came up (\a connected true), and when it was lost.
*/

/*!
    \fn void RedisEmitter::errorOccurred(const QString &message)
    Emitted with \a message when AUTH fails or the host cannot be resolved; the connection
    keeps retrying.
*/

/*!
    \fn RedisEmitterOperator RedisEmitter::to(const QString &room) const
    Returns an operator on the main namespace that targets the sockets in \a room.
*/

/*!
    \fn RedisEmitterOperator RedisEmitter::to(const QStringList &rooms) const
    Returns an operator on the main namespace that targets the sockets in any of \a rooms.
*/

/*!
    \fn RedisEmitterOperator RedisEmitter::in(const QString &room) const
    Same as to(\a room).
*/

/*!
    \fn RedisEmitterOperator RedisEmitter::in(const QStringList &rooms) const
    Same as to(\a rooms).
*/

/*!
    \fn RedisEmitterOperator RedisEmitter::except(const QString &room) const
    Returns an operator on the main namespace that leaves out the sockets in \a room.
*/

/*!
    \fn RedisEmitterOperator RedisEmitter::except(const QStringList &rooms) const
    Returns an operator on the main namespace that leaves out the sockets in any of \a rooms.
*/

/*!
    \fn RedisEmitterOperator RedisEmitter::compress(bool compress) const
    Returns an operator on the main namespace with the compress flag set to \a compress.
*/

/*!
    \fn RedisEmitterOperator RedisEmitter::asVolatile() const
    Returns an operator on the main namespace whose events may be lost where a recipient's
    transport is not writable.
*/

/*!
    \fn bool RedisEmitter::emitEvent(const QString &event, const QVariantList &args) const
    Publishes \a event with \a args for every socket of the main namespace; see
    RedisEmitterOperator::emitEvent(). Returns false for a reserved event name.
*/

/*!
    \fn void RedisEmitter::socketsJoin(const QStringList &rooms) const
    Makes every socket of the main namespace join \a rooms.
*/

/*!
    \fn void RedisEmitter::socketsJoin(const QString &room) const
    Makes every socket of the main namespace join \a room.
*/

/*!
    \fn void RedisEmitter::socketsLeave(const QStringList &rooms) const
    Makes every socket of the main namespace leave \a rooms.
*/

/*!
    \fn void RedisEmitter::socketsLeave(const QString &room) const
    Makes every socket of the main namespace leave \a room.
*/

/*!
    \fn void RedisEmitter::disconnectSockets(bool close) const
    Disconnects every socket of the main namespace; with \a close, their whole connections.
*/

/*!
    \fn bool RedisEmitter::serverSideEmit(const QString &event, const QVariantList &args) const
    Sends \a event with \a args to every server of the main namespace; see
    RedisEmitterOperator::serverSideEmit().
*/

/*!
    \fn bool RedisEmitter::serverSideEmit(const QString &event, const QVariantList &args, \
        QObject *context, \
        std::function<void(const QString &error, const QVariantList &responses)> callback) const

    Refuses \a event and \a args with an acknowledgement, handing \a callback the error
    "Acknowledgements are not supported" unless \a context is gone; returns false. See
    RedisEmitterOperator::serverSideEmit().
*/

/*!
    Connects to the Redis server of \a options, with \a parent. Only the connection fields
    (TLS included) and \c key of \a options are used.
*/
RedisEmitter::RedisEmitter(const RedisAdapterOptions &options, QObject *parent)
    : QObject(parent)
    , d_ptr(std::make_unique<RedisEmitterPrivate>())
{
    Q_D(RedisEmitter);
    d->options = options;
    d->connection = new Redis::Connection(redisConnectionOptions(options), this);
    connect(d->connection, &Redis::Connection::connected, this,
            [this] { Q_EMIT connectedChanged(true); });
    connect(d->connection, &Redis::Connection::disconnected, this,
            [this] { Q_EMIT connectedChanged(false); });
    connect(d->connection, &Redis::Connection::errorOccurred, this, &RedisEmitter::errorOccurred);
    d->connection->open();
}

/*!
    Closes the connection; what was not sent yet is dropped. The operators made by this
    emitter publish nothing afterwards.
*/
RedisEmitter::~RedisEmitter() = default;

/*!
    Returns the options given to the constructor.
*/
RedisAdapterOptions RedisEmitter::options() const
{
    return d_func()->options;
}

/*!
    Returns whether the connection to Redis is up.
*/
bool RedisEmitter::isConnected() const
{
    return d_func()->connection->isConnected();
}

/*!
    Returns how many times the connection was lost after it was up.
*/
int RedisEmitter::outageCount() const
{
    return d_func()->connection->outageCount();
}

/*!
    Returns an operator on the namespace \a nsp, to which a leading slash is added when it has
    none ("chat" is "/chat", "" is "/"), as in the reference.
*/
RedisEmitterOperator RedisEmitter::of(const QString &nsp) const
{
    const QString path = nsp.startsWith(u'/') ? nsp : QStringLiteral("/") + nsp;
    return RedisEmitterOperator(this, path);
}

} // namespace SocketIO
