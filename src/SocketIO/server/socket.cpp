#include "socket.h"

#include "adapter.h"
#include "core/asyncchain_p.h"
#include "core/base64id_p.h"
#include "core/reasons_p.h"
#include "core/shareddata_p.h"
#include "namespace.h"
#include "parser/parsers_p.h"
#include "server.h"
#include "server/client_p.h"
#include "server/namespace_p.h"
#include "server/server_p.h"
#include "server/socket_p.h"

#include <QtCore/QLocale>
#include <QtCore/QLoggingCategory>
#include <QtCore/QMetaMethod>
#include <QtCore/QPromise>
#include <QtCore/QTimeZone>

Q_DECLARE_LOGGING_CATEGORY(lcServer)

namespace SocketIO {

namespace {

// JavaScript's `new Date() + ""`: "Sun Nov 22 2026 00:40:00 GMT+0000 (Coordinated Universal Time)".
QString javaScriptDate(const QDateTime &now)
{
    const int offset = now.offsetFromUtc() / 60;
    const QString zone = now.timeZone().displayName(now, QTimeZone::LongName, QLocale::c());
    return QLocale::c().toString(now, u"ddd MMM dd yyyy hh:mm:ss") +
           QStringLiteral(" GMT%1%2%3 (%4)")
               .arg(offset < 0 ? u'-' : u'+')
               .arg(qAbs(offset) / 60, 2, 10, QLatin1Char('0'))
               .arg(qAbs(offset) % 60, 2, 10, QLatin1Char('0'))
               .arg(zone.isEmpty() ? QStringLiteral("Coordinated Universal Time") : zone);
}

// Built when asked for, from the request kept (shared with the engine session): a socket
// holds only the raw request, not the maps.
Handshake buildHandshake(const HttpRequest &request, const QVariantMap &auth, qint64 issued)
{
    QVariantMap headers;
    for (const auto &header : request.headers()) {
        const QString name = QString::fromLatin1(header.first);
        const QString value = QString::fromUtf8(header.second);
        const auto it = headers.find(name);
        if (it == headers.end())
            headers.insert(name, value);
        else
            *it = QString(it->toString() + QStringLiteral(", ") + value);
    }
    QVariantMap query;
    const auto items = request.query().queryItems(QUrl::FullyDecoded);
    for (const auto &item : items)
        query.insert(item.first, item.second);
    Handshake h;
    h.setHeaders(headers);
    h.setTime(javaScriptDate(QDateTime::fromMSecsSinceEpoch(issued)));
    h.setAddress(request.peerAddress().toString());
    h.setXdomain(request.hasHeader("origin"));
    h.setSecure(request.isSecure());
    h.setIssued(issued);
    h.setUrl(QString::fromUtf8(request.target()));
    h.setQuery(query);
    h.setAuth(auth);
    return h;
}

bool isReservedOutgoing(const QString &event)
{
    if (!isReservedEventName(event))
        return false;
    qCWarning(lcServer) << "emitEvent:" << event << "is a reserved event name";
    return true;
}

} // namespace

SocketPrivate::SocketPrivate(Socket *q)
    : q_ptr(q)
    , acks(q)
{}

Socket *SocketPrivate::create(Namespace *nsp, Client *client, const QVariantMap &auth,
                              const Session *previous)
{
    auto *socket = new Socket(nsp);
    SocketPrivate *d = socket->d_func();
    d->nsp = nsp;
    d->client = client;
    ServerPrivate *server = NamespacePrivate::get(nsp)->server;
    if (previous) {
        d->id = previous->sid();
        d->pid = previous->pid();
        d->recovered = true;
        d->data = previous->data();
        const QSet<QString> rooms = previous->rooms();
        socket->join(QStringList(rooms.cbegin(), rooms.cend()));
        // Missed packets go out before the CONNECT; the client buffers them until then.
        const QList<QVariantList> missedPackets = previous->missedPackets();
        for (const QVariantList &missed : missedPackets) {
            Packet packet;
            packet.type = Packet::Type::Event;
            packet.data = missed;
            d->packet(packet);
        }
    } else {
        if (client->socketIOProtocol() == 4) {
            // socket.io 2: the id derives from the session's.
            const QString engineId = client->conn()->id();
            d->id = nsp->name() != u"/" ? nsp->name() + u'#' + engineId : engineId;
        } else {
            d->id = base64Id();
        }
        if (server->options.connectionStateRecovery)
            d->pid = base64Id();
    }
    d->request = client->conn()->request();
    d->auth = auth;
    d->issued = QDateTime::currentMSecsSinceEpoch();
    return socket;
}

void SocketPrivate::packet(Packet packet, const BroadcastFlags &flags)
{
    packet.nsp = nsp->name();
    if (client)
        client->writePacket(packet, flags);
}

void SocketPrivate::onConnect()
{
    Q_Q(Socket);
    connected = true;
    Q_EMIT q->connectedChanged();
    q->join(id);
    Packet connect;
    connect.type = Packet::Type::Connect;
    if (client->socketIOProtocol() != 4) {
        QVariantMap payload{{QStringLiteral("sid"), id}};
        if (!pid.isEmpty())
            payload.insert(QStringLiteral("pid"), pid);
        connect.data = payload;
    }
    packet(connect);
}

void SocketPrivate::sendConnectError(const QString &message, const QVariant &data)
{
    Packet error;
    error.type = Packet::Type::ConnectError;
    if (client->socketIOProtocol() == 4) {
        error.data = data.isValid() ? data : QVariant(message);
    } else {
        QVariantMap payload{{QStringLiteral("message"), message}};
        if (data.isValid())
            payload.insert(QStringLiteral("data"), data);
        error.data = payload;
    }
    packet(error);
}

void SocketPrivate::onPacket(Packet &packet)
{
    switch (packet.type) {
    case Packet::Type::Event:
    case Packet::Type::BinaryEvent:
        onEvent(packet);
        break;
    case Packet::Type::Ack:
    case Packet::Type::BinaryAck:
        onAck(packet);
        break;
    case Packet::Type::Disconnect:
        onClose(QStringLiteral("client namespace disconnect"));
        break;
    default:
        break;
    }
}

void SocketPrivate::onEvent(Packet &packet)
{
    // Take the list over when the packet holds one (the decoders' case): taking the event
    // name off a list shared with the packet would copy the whole list.
    QVariantList args = packet.data.typeId() == QMetaType::QVariantList
                            ? std::move(*static_cast<QVariantList *>(packet.data.data()))
                            : packet.data.toList();
    if (args.isEmpty())
        return;
    // The name is taken over too when it is a string (numbers are allowed as names).
    const QString event = args.first().typeId() == QMetaType::QString
                              ? std::move(*static_cast<QString *>(args.first().data()))
                              : args.first().toString();
    args.removeFirst();
    Ack ack;
    if (packet.hasId()) {
        // Small enough for std::function to hold without an allocation of its own; the Ack
        // guards the socket.
        ack = Ack(q_ptr, [socket = q_ptr, ackId = packet.id](const QVariantList &reply) {
            Packet answer;
            answer.type = Packet::Type::Ack;
            answer.id = ackId;
            answer.data = reply;
            SocketPrivate::get(socket)->packet(answer);
        });
    }
    anyListeners.notify(event, args);
    dispatch(event, args, ack);
}

void SocketPrivate::dispatch(const QString &event, const QVariantList &args, const Ack &ack)
{
    if (middlewares.isEmpty()) {
        // The common case, on the hot path: no copies, no queued call.
        deliverEvent(event, args, ack);
        return;
    }
    QList<Guarded<Socket::Middleware>> chain = middlewares;
    chain.removeIf([](const auto &middleware) { return !middleware.guard().isAlive(); });
    QPointer<Socket> guard(q_ptr);
    auto finish = [guard, event, args, ack](bool accepted, const QString &message,
                                            const QVariant &data) {
        if (!guard)
            return;
        if (!accepted)
            Q_EMIT guard->errorOccurred(message, data);
        else
            SocketPrivate::get(guard)->deliverEvent(event, args, ack);
    };
    AsyncChain::run(
        chain.size(),
        [chain, finish, event, args](qsizetype i, const AsyncChain::Next &next) {
            chain.at(i).function()(
                event, args,
                Next([next, finish](bool accepted, const QString &message, const QVariant &data) {
                    if (accepted)
                        next();
                    else if (next.end())
                        finish(false, message, data);
                }));
        },
        [finish] { finish(true, {}, {}); });
}

void SocketPrivate::deliverEvent(const QString &event, const QVariantList &args, const Ack &ack)
{
    Q_Q(Socket);
    if (!connected)
        return;
    QPointer<QObject> guard(q);
    Q_EMIT q->eventReceived(event, args, ack);
    handlers.dispatch(event, args, ack, guard);
}

void SocketPrivate::onAck(const Packet &packet)
{
    acks.resolve(packet.id, packet.data.toList());
}

void SocketPrivate::onError(const QString &message)
{
    Q_Q(Socket);
    Q_EMIT q->errorOccurred(message, {});
}

void SocketPrivate::onClose(const QString &reason, const QString &description)
{
    Q_Q(Socket);
    if (!connected)
        return;
    using Reason = Socket::DisconnectReason;
    const Reason code = Socket::reasonFromString(reason);
    Q_EMIT q->disconnecting(reason, description, code);
    const bool recoverable = code == Reason::TransportError || code == Reason::TransportClose ||
                             code == Reason::ForcedClose || code == Reason::PingTimeout ||
                             code == Reason::ServerShuttingDown ||
                             code == Reason::ForcedServerClose;
    if (NamespacePrivate::get(nsp)->server->options.connectionStateRecovery && recoverable) {
        Session session;
        session.setSid(id);
        session.setPid(pid);
        session.setRooms(q->rooms());
        session.setData(data);
        nsp->adapter()->persistSession(session);
    }
    cleanup();
    if (client)
        client->remove(q);
    connected = false;
    Q_EMIT q->connectedChanged();
    Q_EMIT q->disconnected(reason, description, code);
    // No answer can come any more, but as in the reference an acknowledgement with a timeout
    // still gets its error at its deadline: the namespace, which issued its id, outlives us.
    acks.moveTimedTo(NamespacePrivate::get(nsp)->acks);
    q->deleteLater();
}

void SocketPrivate::cleanup()
{
    if (cleanedUp)
        return;
    cleanedUp = true;
    nsp->adapter()->delAll(id);
    NamespacePrivate::get(nsp)->remove(q_ptr);
}

void SocketPrivate::notifyOutgoing(const QString &event, const QVariantList &args)
{
    if (!anyOutgoingListeners.isEmpty())
        anyOutgoingListeners.notify(event, args);
}

bool SocketPrivate::emitWithFlags(const QString &event, const QVariantList &args,
                                  const BroadcastFlags &flags, QObject *context,
                                  AckCallback callback)
{
    Q_Q(Socket);
    if (isReservedOutgoing(event))
        return false;
    Packet packet;
    packet.type = Packet::Type::Event;
    QVariantList data{event};
    data += args;
    packet.data = data;
    if (callback) {
        packet.id = NamespacePrivate::get(nsp)->acks.nextId();
        acks.add(packet.id, context, std::move(callback), flags.timeout());
    }
    if (NamespacePrivate::get(nsp)->server->options.connectionStateRecovery) {
        // Through the adapter, so that the packet is stored and replayed after a reconnection.
        BroadcastOptions options;
        options.setRooms({id});
        options.setFlags(flags);
        nsp->adapter()->broadcast(packet, options);
        return true;
    }
    notifyOutgoing(event, args);
    this->packet(packet, flags);
    Q_UNUSED(q);
    return true;
}

/*!
    \class SocketIO::Socket
    \inmodule SocketIO
    \brief One client connected to one namespace.

    Incoming events arrive through eventReceived() and the handlers added with on(); send
    with emitEvent() (\c emit is a Qt keyword). Owned by its Namespace and deleted after
    disconnected().
*/

class HandshakeData : public QSharedData
{
public:
    QVariantMap headers;
    QString time;
    QString address;
    bool xdomain = false;
    bool secure = false;
    qint64 issued = 0;
    QString url;
    QVariantMap query;
    QVariantMap auth;

    bool operator==(const HandshakeData &other) const
    {
        return headers == other.headers && time == other.time && address == other.address &&
               xdomain == other.xdomain && secure == other.secure && issued == other.issued &&
               url == other.url && query == other.query && auth == other.auth;
    }
};

/*!
    \class SocketIO::Handshake
    \inmodule SocketIO
    \brief The details of the request that opened a socket's connection (the reference's
    socket.handshake).

    An implicitly shared Q_GADGET: QML and the Inspector read its properties. Socket::handshake()
    builds one when asked for.
*/

/*!
    Constructs a value with every field at its default; it allocates nothing.
*/
Handshake::Handshake() noexcept = default;

/*!
    Constructs a copy of \a other; the data is shared until one of them changes.
*/
Handshake::Handshake(const Handshake &other) noexcept = default;

/*!
    Move-constructs a value from \a other, which is left with the defaults.
*/
Handshake::Handshake(Handshake &&other) noexcept = default;

/*!
    Assigns \a other to this value and returns a reference to it.
*/
Handshake &Handshake::operator=(const Handshake &other) noexcept = default;

/*!
    Move-assigns \a other to this value and returns a reference to it.
*/
Handshake &Handshake::operator=(Handshake &&other) noexcept = default;

/*!
    Destroys the value.
*/
Handshake::~Handshake() = default;

/*!
    \fn void Handshake::swap(Handshake &other)

    Swaps this value with \a other; never fails.
*/

/*!
    \property Handshake::headers

    \brief the request headers, by lower-case name; repeated headers are joined with ", ".
*/

/*!
    Returns the request headers, by lower-case name; repeated headers are joined with ", ".
*/
QVariantMap Handshake::headers() const
{
    return d ? d->headers : QVariantMap();
}

/*!
    Sets the request headers to \a headers.
*/
void Handshake::setHeaders(const QVariantMap &headers)
{
    detachedData(d)->headers = headers;
}

/*!
    \property Handshake::time

    \brief when the connection was made, formatted like JavaScript's <tt>new Date() + ""</tt>.
*/

/*!
    Returns when the connection was made, formatted like JavaScript's <tt>new Date() + ""</tt>.
*/
QString Handshake::time() const
{
    return d ? d->time : QString();
}

/*!
    Sets the connection time to \a time.
*/
void Handshake::setTime(const QString &time)
{
    detachedData(d)->time = time;
}

/*!
    \property Handshake::address

    \brief the client's IP address.
*/

/*!
    Returns the client's IP address.
*/
QString Handshake::address() const
{
    return d ? d->address : QString();
}

/*!
    Sets the client's address to \a address.
*/
void Handshake::setAddress(const QString &address)
{
    detachedData(d)->address = address;
}

/*!
    \property Handshake::xdomain

    \brief whether the request had an Origin header (false by default).
*/

/*!
    Returns whether the request had an Origin header (false by default).
*/
bool Handshake::isXdomain() const
{
    return d ? d->xdomain : false;
}

/*!
    Sets whether the request was cross-domain to \a xdomain.
*/
void Handshake::setXdomain(bool xdomain)
{
    detachedData(d)->xdomain = xdomain;
}

/*!
    \property Handshake::secure

    \brief whether the connection is over TLS (false by default).
*/

/*!
    Returns whether the connection is over TLS (false by default).
*/
bool Handshake::isSecure() const
{
    return d ? d->secure : false;
}

/*!
    Sets whether the connection is over TLS to \a secure.
*/
void Handshake::setSecure(bool secure)
{
    detachedData(d)->secure = secure;
}

/*!
    \property Handshake::issued

    \brief when the connection was made, in milliseconds since the epoch (0 by default).
*/

/*!
    Returns when the connection was made, in milliseconds since the epoch (0 by default).
*/
qint64 Handshake::issued() const
{
    return d ? d->issued : 0;
}

/*!
    Sets the connection time in milliseconds since the epoch to \a issued.
*/
void Handshake::setIssued(qint64 issued)
{
    detachedData(d)->issued = issued;
}

/*!
    \property Handshake::url

    \brief the request target, path and query, as the client sent it.
*/

/*!
    Returns the request target, path and query, as the client sent it.
*/
QString Handshake::url() const
{
    return d ? d->url : QString();
}

/*!
    Sets the request target to \a url.
*/
void Handshake::setUrl(const QString &url)
{
    detachedData(d)->url = url;
}

/*!
    \property Handshake::query

    \brief the query parameters of the request, decoded.
*/

/*!
    Returns the query parameters of the request, decoded.
*/
QVariantMap Handshake::query() const
{
    return d ? d->query : QVariantMap();
}

/*!
    Sets the query parameters to \a query.
*/
void Handshake::setQuery(const QVariantMap &query)
{
    detachedData(d)->query = query;
}

/*!
    \property Handshake::auth

    \brief the auth object of the client's CONNECT packet.
*/

/*!
    Returns the auth object of the client's CONNECT packet.
*/
QVariantMap Handshake::auth() const
{
    return d ? d->auth : QVariantMap();
}

/*!
    Sets the auth object to \a auth.
*/
void Handshake::setAuth(const QVariantMap &auth)
{
    detachedData(d)->auth = auth;
}

/*!
    Returns true when every field of this value equals that of \a other.
*/
bool Handshake::operator==(const Handshake &other) const
{
    return d == other.d || sharedData(d) == sharedData(other.d);
}

/*!
    \fn bool Handshake::operator!=(const Handshake &other) const

    Returns true when a field of this value differs from that of \a other.
*/

/*!
    Returns the handshake as a map with the reference's field names, such as for JSON.
*/
QVariantMap Handshake::toVariantMap() const
{
    const HandshakeData &h = sharedData(d);
    return {{QStringLiteral("headers"), h.headers}, {QStringLiteral("time"), h.time},
            {QStringLiteral("address"), h.address}, {QStringLiteral("xdomain"), h.xdomain},
            {QStringLiteral("secure"), h.secure},   {QStringLiteral("issued"), h.issued},
            {QStringLiteral("url"), h.url},         {QStringLiteral("query"), h.query},
            {QStringLiteral("auth"), h.auth}};
}

/*!
    \property Socket::id

    \brief the socket's id, unique to this connection to the namespace (not the Engine.IO
    session id).
*/

/*!
    \property Socket::connected

    \brief whether the socket is connected; it changes once, with disconnected().
*/

/*!
    \property Socket::recovered

    \brief whether the socket's state (id, rooms, data, missed events) was recovered from a
    previous connection (connection state recovery).
*/

/*!
    \property Socket::data

    \brief arbitrary data the application attaches to the socket; it travels with fetchSockets()
    to other servers.
*/

/*!
    \typedef Socket::EventHandler

    Handles one incoming event: its \a args, and \a ack to answer when the client asked for an
    acknowledgement.
*/

/*!
    \typedef Socket::AnyHandler

    Sees every \a event with its \a args (the reference's onAny listeners).
*/

/*!
    \typedef Socket::Middleware

    An event middleware: gets each incoming \a event with its \a args, and calls \a next to let
    it through or next(message, data) to refuse it.
*/

/*!
    \fn bool Socket::isDisconnected() const

    Returns true when the socket is no longer connected.
*/

/*!
    \fn bool Socket::send(const QVariantList &args)

    Emits a "message" event with \a args.
*/

/*!
    \fn BroadcastOperator Socket::in(const QString &room) const

    Same as to(\a room).
*/

/*!
    \fn void Socket::eventReceived(const QString &, const QVariantList &, const SocketIO::Ack &)

    Emitted for each incoming \a event with its \a args, after the event middleware, before the
    handlers added with on(). Call \a ack to answer when it is valid.
*/

/*!
    \fn void Socket::disconnecting(const QString &reason, const QString &description)

    Emitted when the socket is about to disconnect, while it is still in its rooms (the
    reference's "disconnecting" event). \a reason is the reference's reason string, such as
    "client namespace disconnect" or "transport close".
*/

/*!
    \fn void Socket::disconnected(const QString &reason, const QString &description)

    Emitted once when the socket disconnected, with the reference's \a reason and a \a
    description; the namespace deletes the socket later.
*/

/*!
    \fn void Socket::errorOccurred(const QString &message, const QVariant &data)

    Emitted when an event middleware refused an event (with its \a message and \a data), or when
    the connection hit a parser error (the reference's "error" event).
*/

/*!
    \fn void Socket::dataChanged()

    Emitted when data() changed.
*/

Socket::Socket(QObject *parent)
    : QObject(parent)
    , d_ptr(new SocketPrivate(this))
{}

/*!
    Destroys the socket.
*/
Socket::~Socket() = default;

/*!
    Returns the socket's id, unique to this connection to the namespace.
*/
QString Socket::id() const
{
    return d_func()->id;
}

/*!
    Returns the namespace the socket belongs to; it owns the socket.
*/
Namespace *Socket::nsp() const
{
    return d_func()->nsp;
}

/*!
    Returns the server of the socket's namespace.
*/
Server *Socket::server() const
{
    return d_func()->nsp->server();
}

/*!
    Returns the details of the request that opened the connection.
*/
Handshake Socket::handshake() const
{
    Q_D(const Socket);
    return buildHandshake(d->request, d->auth, d->issued);
}

/*!
    Returns the Engine.IO session underneath (the reference's socket.conn), or null once it is
    gone. Owned by the EngineServer.
*/
EngineSocket *Socket::conn() const
{
    Q_D(const Socket);
    return d->client ? d->client->conn() : nullptr;
}

/*!
    Returns true while the socket is connected.
*/
bool Socket::isConnected() const
{
    return d_func()->connected;
}

/*!
    Returns true when the socket's state was recovered from a previous connection.
*/
bool Socket::isRecovered() const
{
    return d_func()->recovered;
}

/*!
    Returns the application's data attached to the socket.
*/
QVariantMap Socket::data() const
{
    return d_func()->data;
}

/*!
    Sets the application's data to \a data and emits dataChanged() when it differs.
*/
void Socket::setData(const QVariantMap &data)
{
    Q_D(Socket);
    if (d->data == data)
        return;
    d->data = data;
    Q_EMIT dataChanged();
}

/*!
    Returns the rooms the socket is in, its own room (its id) included.
*/
QSet<QString> Socket::rooms() const
{
    Q_D(const Socket);
    return d->nsp->adapter()->socketRooms(d->id);
}

/*!
    \property SocketIO::Socket::rooms
    \brief the rooms the socket is in, its own id among them, sorted.

    The rooms this server's adapter knows; roomsChanged() follows joins and leaves.
*/

/*!
    Returns the rooms the socket is in, sorted (the rooms property).
*/
QStringList Socket::roomList() const
{
    QStringList list = rooms().values();
    list.sort();
    return list;
}

/*!
    \property SocketIO::Socket::namespaceName
    \brief the name of the socket's namespace ("/", "/chat", ...).
*/

/*!
    Returns the name of the socket's namespace (the namespaceName property).
*/
QString Socket::namespaceName() const
{
    return NamespacePrivate::get(d_func()->nsp)->name;
}

/*!
    \property SocketIO::Socket::transportName
    \brief the transport of the socket's connection: "polling", "websocket" or
    "webtransport"; empty once disconnected.

    transportNameChanged() is emitted when the connection upgrades.
*/

/*!
    Returns the transport of the socket's connection (the transportName property).
*/
QString Socket::transportName() const
{
    const EngineSocket *engine = conn();
    return engine ? engine->transportName() : QString();
}

/*!
    \property SocketIO::Socket::address
    \brief the client's address, as the handshake has it.
*/

/*!
    Returns the client's address (the address property).
*/
QString Socket::address() const
{
    return handshake().address();
}

/*!
    \property SocketIO::Socket::connected
    \brief whether the socket is connected to its namespace.

    connectedChanged() is emitted when it connects and, before disconnected(), when it leaves.
*/

/*!
    \property SocketIO::Socket::nsp
    \brief the namespace the socket belongs to (which owns it).
*/

/*!
    \fn void SocketIO::Socket::connectedChanged()

    Emitted when the connected property changes.
*/

/*!
    \fn void SocketIO::Socket::roomsChanged()

    Emitted when the socket joins or leaves a room on this server.
*/

/*!
    \fn void SocketIO::Socket::transportNameChanged()

    Emitted when the socket's connection changes transport (an upgrade to WebSocket).
*/

/*!
    Reimplemented from QObject: follows the engine's upgrades only once something listens to
    transportNameChanged(), so that idle sockets pay no connection for it.
*/
void Socket::connectNotify(const QMetaMethod &signal)
{
    Q_D(Socket);
    if (d->transportWatched || signal != QMetaMethod::fromSignal(&Socket::transportNameChanged))
        return;
    if (EngineSocket *engine = conn()) {
        d->transportWatched = true;
        connect(engine, &EngineSocket::upgraded, this, &Socket::transportNameChanged);
    }
}

/*!
    Adds the socket to \a room.
*/
void Socket::join(const QString &room)
{
    join(QStringList{room});
}

/*!
    Adds the socket to each of \a rooms; does nothing once the socket disconnected.
*/
void Socket::join(const QStringList &rooms)
{
    Q_D(Socket);
    if (d->cleanedUp)
        return;
    d->nsp->adapter()->addAll(d->id, QSet<QString>(rooms.cbegin(), rooms.cend()));
}

/*!
    Removes the socket from \a room.
*/
void Socket::leave(const QString &room)
{
    Q_D(Socket);
    d->nsp->adapter()->del(d->id, room);
}

/*!
    Sends \a event with \a args to the client. Returns false (and sends nothing) for a reserved
    event name.
*/
bool Socket::emitEvent(const QString &event, const QVariantList &args)
{
    return d_func()->emitWithFlags(event, args, {}, nullptr, {});
}

/*!
    Sends \a event with \a args and asks the client for an acknowledgement, which \a callback
    gets with an empty error. The callback is dropped when \a context is destroyed. Returns
    false for a reserved event name.
*/
bool Socket::emitEvent(const QString &event, const QVariantList &args, QObject *context,
                       AckCallback callback)
{
    return d_func()->emitWithFlags(event, args, {}, context, std::move(callback));
}

/*!
    Sends \a event with \a args and returns a future for the client's acknowledgement. Use
    timeout() to bound the wait: the future then fails with TimeoutError.
*/
QFuture<QVariantList> Socket::emitWithAck(const QString &event, const QVariantList &args)
{
    return Emitter(this).emitWithAck(event, args);
}

/*!
    Returns an emitter whose acknowledgement fails with "operation has timed out" after \a
    milliseconds, also when the socket disconnects before the answer: as in the reference,
    the error comes at the deadline, after the Socket is gone.
*/
Emitter Socket::timeout(int milliseconds)
{
    return Emitter(this).timeout(milliseconds);
}

/*!
    Returns an emitter with the compress flag set to \a compress.
*/
Emitter Socket::compress(bool compress)
{
    return Emitter(this).compress(compress);
}

/*!
    Returns an emitter whose events may be lost when the transport cannot send them now.
*/
Emitter Socket::asVolatile()
{
    return Emitter(this).asVolatile();
}

/*!
    Returns an operator that targets every socket of the namespace except this one.
*/
BroadcastOperator Socket::broadcast() const
{
    Q_D(const Socket);
    return BroadcastOperator(d->nsp->adapter(), {}, {d->id});
}

/*!
    Returns an operator that targets the sockets in \a room, except this one.
*/
BroadcastOperator Socket::to(const QString &room) const
{
    return broadcast().to(room);
}

/*!
    Returns an operator that targets the sockets in any of \a rooms, except this one.
*/
BroadcastOperator Socket::to(const QStringList &rooms) const
{
    return broadcast().to(rooms);
}

/*!
    Returns an operator that targets every socket of the namespace except this one and those in
    \a room.
*/
BroadcastOperator Socket::except(const QString &room) const
{
    return broadcast().except(room);
}

/*!
    Returns an operator that targets this server's sockets of the namespace, except this one.
*/
BroadcastOperator Socket::local() const
{
    return broadcast().local();
}

/*!
    Calls \a handler for each incoming \a event, after eventReceived(); the handler is dropped
    when \a context is destroyed.
*/
void Socket::on(const QString &event, QObject *context, EventHandler handler)
{
    d_func()->handlers.add(event, context, std::move(handler));
}

/*!
    Removes every handler of \a event added with on().
*/
void Socket::off(const QString &event)
{
    d_func()->handlers.remove(event);
}

/*!
    Adds a listener of every incoming event, after the others, and returns its id for offAny().
    It is dropped when \a context is destroyed.
*/
int Socket::onAny(QObject *context, AnyHandler handler)
{
    return d_func()->anyListeners.append(context, std::move(handler));
}

/*!
    Adds a listener of every incoming event, before the others, and returns its id for offAny().
    It is dropped when \a context is destroyed.
*/
int Socket::prependAny(QObject *context, AnyHandler handler)
{
    return d_func()->anyListeners.prepend(context, std::move(handler));
}

/*!
    Removes the catch-all listener \a id, or every one when \a id is -1.
*/
void Socket::offAny(int id)
{
    d_func()->anyListeners.remove(id);
}

/*!
    Adds a listener of every outgoing event, after the others, and returns its id for
    offAnyOutgoing(). It is dropped when \a context is destroyed.
*/
int Socket::onAnyOutgoing(QObject *context, AnyHandler handler)
{
    return d_func()->anyOutgoingListeners.append(context, std::move(handler));
}

/*!
    Adds a listener of every outgoing event, before the others, and returns its id for
    offAnyOutgoing(). It is dropped when \a context is destroyed.
*/
int Socket::prependAnyOutgoing(QObject *context, AnyHandler handler)
{
    return d_func()->anyOutgoingListeners.prepend(context, std::move(handler));
}

/*!
    Removes the outgoing listener \a id, or every one when \a id is -1.
*/
void Socket::offAnyOutgoing(int id)
{
    d_func()->anyOutgoingListeners.remove(id);
}

/*!
    Adds \a middleware for incoming events; they run in the order added. A refusal emits
    errorOccurred() and drops the event. The middleware is dropped when \a context (if not null)
    is destroyed.
*/
void Socket::use(QObject *context, Middleware middleware)
{
    d_func()->middlewares.append({context, std::move(middleware)});
}

/*!
    Leaves the namespace: sends a DISCONNECT packet and disconnects with reason "server
    namespace disconnect". With \a close, closes the whole connection instead (the reference's
    socket.disconnect(true)). Does nothing when not connected.
*/
void Socket::disconnectSocket(bool close)
{
    Q_D(Socket);
    if (!d->connected)
        return;
    if (close) {
        d->client->disconnectAll();
        return;
    }
    Packet packet;
    packet.type = Packet::Type::Disconnect;
    d->packet(packet);
    d->onClose(QStringLiteral("server namespace disconnect"));
}

/*!
    Creates an Emitter that sends to the server-side \a socket with \a flags. Defined here,
    not in emitter.cpp, so that it hands in the Socket's own emit.
*/
Emitter::Emitter(Socket *socket, BroadcastFlags flags)
    : m_socket(socket)
    , m_send([](QObject *target, const QString &event, const QVariantList &args,
                const BroadcastFlags &flags, QObject *context, AckCallback callback) {
        return SocketPrivate::get(static_cast<Socket *>(target))
            ->emitWithFlags(event, args, flags, context, std::move(callback));
    })
    , m_flags(flags)
{}

namespace {

const ReasonEntry<Socket::DisconnectReason> disconnectReasons[] = {
    {Socket::DisconnectReason::TransportClose, u"transport close"},
    {Socket::DisconnectReason::TransportError, u"transport error"},
    {Socket::DisconnectReason::PingTimeout, u"ping timeout"},
    {Socket::DisconnectReason::ParseError, u"parse error"},
    {Socket::DisconnectReason::ForcedClose, u"forced close"},
    {Socket::DisconnectReason::ServerShuttingDown, u"server shutting down"},
    {Socket::DisconnectReason::ForcedServerClose, u"forced server close"},
    {Socket::DisconnectReason::ClientNamespaceDisconnect, u"client namespace disconnect"},
    {Socket::DisconnectReason::ServerNamespaceDisconnect, u"server namespace disconnect"},
};

} // namespace

/*!
    \enum Socket::DisconnectReason

    Why a socket left its namespace (the reference's DisconnectReason), as disconnecting() and
    disconnected() report it next to the reference's string.
*/

/*!
    \var Socket::Unknown

    A reason this version does not know.
*/

/*!
    \var Socket::TransportClose

    "transport close": the client closed the connection.
*/

/*!
    \var Socket::TransportError

    "transport error": the connection failed.
*/

/*!
    \var Socket::PingTimeout

    "ping timeout": the client stopped answering pings.
*/

/*!
    \var Socket::ParseError

    "parse error": the client sent a packet that does not decode.
*/

/*!
    \var Socket::ForcedClose

    "forced close": the engine session was closed.
*/

/*!
    \var Socket::ServerShuttingDown

    "server shutting down": Server::close().
*/

/*!
    \var Socket::ForcedServerClose

    "forced server close": the server closed the whole connection.
*/

/*!
    \var Socket::ClientNamespaceDisconnect

    "client namespace disconnect": the client left the namespace.
*/

/*!
    \var Socket::ServerNamespaceDisconnect

    "server namespace disconnect": disconnectSocket().
*/

// clang-format off
/*!
    \fn void SocketIO::Socket::disconnecting(const QString &reason, const QString &description, SocketIO::Socket::DisconnectReason code)

    Emitted when the socket is about to leave its namespace, while it is still in its rooms,
    with the reference's \a reason string, an optional \a description and the reason as
    \a code.
*/
// clang-format on

// clang-format off
/*!
    \fn void SocketIO::Socket::disconnected(const QString &reason, const QString &description, SocketIO::Socket::DisconnectReason code)

    Emitted once when the socket has left its namespace, with the reference's \a reason
    string, an optional \a description and the reason as \a code. The Namespace deletes the
    socket after this signal.
*/
// clang-format on

/*!
    Returns the reference's string for \a reason ("transport close", ...); an empty string for
    DisconnectReason::Unknown.
*/
QString Socket::reasonString(DisconnectReason reason)
{
    return reasonToString(disconnectReasons, reason);
}

/*!
    Returns the DisconnectReason of the reference's string \a reason, or
    DisconnectReason::Unknown.
*/
Socket::DisconnectReason Socket::reasonFromString(QStringView reason)
{
    return SocketIO::reasonFromString(disconnectReasons, reason, DisconnectReason::Unknown);
}

} // namespace SocketIO
