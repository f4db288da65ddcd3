#include "socket.h"

#include "adapter.h"
#include "asyncchain_p.h"
#include "engineio/base64id_p.h"
#include "engineio/enginesocket_p.h"
#include "namespace.h"
#include "parser/parsers_p.h"
#include "server.h"
#include "server/client_p.h"
#include "server/namespace_p.h"
#include "server/server_p.h"
#include "server/socket_p.h"

#include <QtCore/QLocale>
#include <QtCore/QLoggingCategory>
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
    Handshake h;
    for (const auto &header : request.headers()) {
        const QString name = QString::fromLatin1(header.first);
        const QString value = QString::fromUtf8(header.second);
        const auto it = h.headers.find(name);
        if (it == h.headers.end())
            h.headers.insert(name, value);
        else
            *it = QString(it->toString() + QStringLiteral(", ") + value);
    }
    h.time = javaScriptDate(QDateTime::fromMSecsSinceEpoch(issued));
    h.address = request.peerAddress().toString();
    h.xdomain = request.hasHeader("origin");
    h.secure = request.isSecure();
    h.issued = issued;
    h.url = QString::fromUtf8(request.target());
    const auto items = request.query().queryItems(QUrl::FullyDecoded);
    for (const auto &item : items)
        h.query.insert(item.first, item.second);
    h.auth = auth;
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

QVariantMap Handshake::toVariantMap() const
{
    return {{QStringLiteral("headers"), headers}, {QStringLiteral("time"), time},
            {QStringLiteral("address"), address}, {QStringLiteral("xdomain"), xdomain},
            {QStringLiteral("secure"), secure},   {QStringLiteral("issued"), issued},
            {QStringLiteral("url"), url},         {QStringLiteral("query"), query},
            {QStringLiteral("auth"), auth}};
}

SocketPrivate::SocketPrivate(Socket *q)
    : q_ptr(q)
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
        d->id = previous->sid;
        d->pid = previous->pid;
        d->recovered = true;
        d->data = previous->data;
        socket->join(QStringList(previous->rooms.cbegin(), previous->rooms.cend()));
        // Missed packets go out before the CONNECT; the client buffers them until then.
        for (const QVariantList &missed : previous->missedPackets) {
            Packet packet;
            packet.type = Packet::Type::Event;
            packet.data = missed;
            d->packet(packet);
        }
    } else {
        if (client->protocol() == 3) {
            const QString engineId = client->conn()->id();
            d->id = nsp->name() != u"/" ? nsp->name() + u'#' + engineId : engineId;
        } else {
            d->id = EngineIO::base64Id();
        }
        if (server->options.connectionStateRecovery)
            d->pid = EngineIO::base64Id();
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
    q->join(id);
    Packet connect;
    connect.type = Packet::Type::Connect;
    if (client->protocol() != 3) {
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
    if (client->protocol() == 3) {
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
    const auto it = acks.find(packet.id);
    if (it == acks.end())
        return;
    const auto callback = std::move(*it);
    acks.erase(it);
    callback(packet.data.toList());
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
    Q_EMIT q->disconnecting(reason, description);
    static const QStringList recoverable = {
        QStringLiteral("transport error"),      QStringLiteral("transport close"),
        QStringLiteral("forced close"),         QStringLiteral("ping timeout"),
        QStringLiteral("server shutting down"), QStringLiteral("forced server close")};
    if (NamespacePrivate::get(nsp)->server->options.connectionStateRecovery &&
        recoverable.contains(reason)) {
        Session session;
        session.sid = id;
        session.pid = pid;
        session.rooms = q->rooms();
        session.data = data;
        nsp->adapter()->persistSession(session);
    }
    cleanup();
    if (client)
        client->remove(q);
    connected = false;
    Q_EMIT q->disconnected(reason, description);
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

void SocketPrivate::notifyOutgoing(const QVariantList &eventAndArgs)
{
    if (anyOutgoingListeners.isEmpty() || eventAndArgs.isEmpty())
        return;
    anyOutgoingListeners.notify(eventAndArgs.first().toString(), eventAndArgs.mid(1));
}

void SocketPrivate::registerAck(qint64 ackId, const BroadcastFlags &flags, QObject *context,
                                AckCallback callback)
{
    QPointer<QObject> guard(context);
    const bool needsContext = context != nullptr;
    auto deliver = [guard, needsContext, callback](const QString &error, const QVariantList &args) {
        if (!needsContext || guard)
            callback(error, args);
    };
    if (flags.timeout < 0) {
        acks.insert(ackId, [deliver](const QVariantList &args) { deliver({}, args); });
        return;
    }
    auto *timer = new QTimer(q_ptr);
    timer->setSingleShot(true);
    QObject::connect(timer, &QTimer::timeout, q_ptr, [this, ackId, deliver, timer] {
        acks.remove(ackId);
        timer->deleteLater();
        deliver(QStringLiteral("operation has timed out"), {});
    });
    timer->start(flags.timeout);
    acks.insert(ackId, [deliver, timer](const QVariantList &args) {
        timer->stop();
        timer->deleteLater();
        deliver({}, args);
    });
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
        packet.id = NamespacePrivate::get(nsp)->ackIds++;
        registerAck(packet.id, flags, context, std::move(callback));
    }
    if (NamespacePrivate::get(nsp)->server->options.connectionStateRecovery) {
        // Through the adapter, so that the packet is stored and replayed after a reconnection.
        BroadcastOptions options;
        options.rooms = {id};
        options.flags = flags;
        nsp->adapter()->broadcast(packet, options);
        return true;
    }
    notifyOutgoing(data);
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

Socket::Socket(QObject *parent)
    : QObject(parent)
    , d_ptr(new SocketPrivate(this))
{}

Socket::~Socket() = default;

QString Socket::id() const
{
    return d_func()->id;
}

Namespace *Socket::nsp() const
{
    return d_func()->nsp;
}

Server *Socket::server() const
{
    return d_func()->nsp->server();
}

Handshake Socket::handshake() const
{
    Q_D(const Socket);
    return buildHandshake(d->request, d->auth, d->issued);
}

EngineSocket *Socket::conn() const
{
    Q_D(const Socket);
    return d->client ? d->client->conn() : nullptr;
}

bool Socket::isConnected() const
{
    return d_func()->connected;
}

bool Socket::isRecovered() const
{
    return d_func()->recovered;
}

QVariantMap Socket::data() const
{
    return d_func()->data;
}

void Socket::setData(const QVariantMap &data)
{
    Q_D(Socket);
    if (d->data == data)
        return;
    d->data = data;
    Q_EMIT dataChanged();
}

QSet<QString> Socket::rooms() const
{
    Q_D(const Socket);
    return d->nsp->adapter()->socketRooms(d->id);
}

void Socket::join(const QString &room)
{
    join(QStringList{room});
}

void Socket::join(const QStringList &rooms)
{
    Q_D(Socket);
    if (d->cleanedUp)
        return;
    d->nsp->adapter()->addAll(d->id, QSet<QString>(rooms.cbegin(), rooms.cend()));
}

void Socket::leave(const QString &room)
{
    Q_D(Socket);
    d->nsp->adapter()->del(d->id, room);
}

bool Socket::emitEvent(const QString &event, const QVariantList &args)
{
    return d_func()->emitWithFlags(event, args, {}, nullptr, {});
}

bool Socket::emitEvent(const QString &event, const QVariantList &args, QObject *context,
                       AckCallback callback)
{
    return d_func()->emitWithFlags(event, args, {}, context, std::move(callback));
}

QFuture<QVariantList> Socket::emitWithAck(const QString &event, const QVariantList &args)
{
    return Emitter(this).emitWithAck(event, args);
}

Emitter Socket::timeout(int milliseconds)
{
    return Emitter(this).timeout(milliseconds);
}

Emitter Socket::compress(bool compress)
{
    return Emitter(this).compress(compress);
}

Emitter Socket::asVolatile()
{
    return Emitter(this).asVolatile();
}

BroadcastOperator Socket::broadcast() const
{
    Q_D(const Socket);
    return BroadcastOperator(d->nsp->adapter(), {}, {d->id});
}

BroadcastOperator Socket::to(const QString &room) const
{
    return broadcast().to(room);
}

BroadcastOperator Socket::to(const QStringList &rooms) const
{
    return broadcast().to(rooms);
}

BroadcastOperator Socket::except(const QString &room) const
{
    return broadcast().except(room);
}

BroadcastOperator Socket::local() const
{
    return broadcast().local();
}

void Socket::on(const QString &event, QObject *context, EventHandler handler)
{
    d_func()->handlers.add(event, context, std::move(handler));
}

void Socket::off(const QString &event)
{
    d_func()->handlers.remove(event);
}

int Socket::onAny(QObject *context, AnyHandler handler)
{
    return d_func()->anyListeners.append(context, std::move(handler));
}

int Socket::prependAny(QObject *context, AnyHandler handler)
{
    return d_func()->anyListeners.prepend(context, std::move(handler));
}

void Socket::offAny(int id)
{
    d_func()->anyListeners.remove(id);
}

int Socket::onAnyOutgoing(QObject *context, AnyHandler handler)
{
    return d_func()->anyOutgoingListeners.append(context, std::move(handler));
}

int Socket::prependAnyOutgoing(QObject *context, AnyHandler handler)
{
    return d_func()->anyOutgoingListeners.prepend(context, std::move(handler));
}

void Socket::offAnyOutgoing(int id)
{
    d_func()->anyOutgoingListeners.remove(id);
}

void Socket::use(QObject *context, Middleware middleware)
{
    d_func()->middlewares.append({context, std::move(middleware)});
}

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

} // namespace SocketIO
