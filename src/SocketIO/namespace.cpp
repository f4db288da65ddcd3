#include "namespace.h"

#include "asyncchain_p.h"
#include "parser/parsers_p.h"
#include "server/client_p.h"
#include "server/namespace_p.h"
#include "server/server_p.h"
#include "server/socket_p.h"

#include <QtCore/QLoggingCategory>

Q_DECLARE_LOGGING_CATEGORY(lcServer)

namespace SocketIO {

/*!
    \class SocketIO::Namespace
    \inmodule SocketIO
    \brief A Socket.IO namespace: sockets, connection middleware, rooms and broadcasts.

    Owned by its Server. Its sockets are owned by it and deleted after their disconnected().
*/

NamespacePrivate::NamespacePrivate(Namespace *q)
    : q_ptr(q)
{}

void NamespacePrivate::add(Client *client, const QVariantMap &auth)
{
    const ServerOptions &options = server->options;
    std::optional<Session> session;
    const QVariant pid = auth.value(QStringLiteral("pid"));
    const QVariant offset = auth.value(QStringLiteral("offset"));
    if (options.connectionStateRecovery && pid.typeId() == QMetaType::QString &&
        offset.typeId() == QMetaType::QString) {
        session = adapter->restoreSession(pid.toString(), offset.toString());
    }
    Socket *socket = SocketPrivate::create(q_ptr, client, auth, session ? &*session : nullptr);
    SocketPrivate *s = SocketPrivate::get(socket);
    preConnectSockets.insert(s->id, socket);
    const bool open =
        client->conn() && client->conn()->readyState() == EngineSocket::ReadyState::Open;
    if (options.connectionStateRecovery && options.connectionStateRecovery->skipMiddlewares &&
        s->recovered && open) {
        doConnect(socket, client);
        return;
    }
    QPointer<Socket> guard(socket);
    QPointer<Client> clientGuard(client);
    runMiddlewares(socket, [this, guard, clientGuard](bool accepted, const QString &message,
                                                      const QVariant &data) {
        // The reference continues on the next tick.
        QMetaObject::invokeMethod(
            q_ptr,
            [this, guard, clientGuard, accepted, message, data] {
                if (!guard)
                    return;
                SocketPrivate *s = SocketPrivate::get(guard);
                if (!clientGuard || !clientGuard->conn() ||
                    clientGuard->conn()->readyState() != EngineSocket::ReadyState::Open) {
                    s->cleanup();
                    guard->deleteLater();
                    return;
                }
                if (!accepted) {
                    s->cleanup();
                    s->sendConnectError(message, data);
                    guard->deleteLater();
                    return;
                }
                doConnect(guard, clientGuard);
            },
            Qt::QueuedConnection);
    });
}

void NamespacePrivate::runMiddlewares(Socket *socket,
                                      std::function<void(bool, QString, QVariant)> done)
{
    // A child runs its parent's middleware first, then its own.
    QList<Guarded<Namespace::Middleware>> chain;
    if (parent)
        chain += NamespacePrivate::get(parent)->middlewares;
    chain += middlewares;
    chain.removeIf([](const auto &middleware) { return !middleware.guard().isAlive(); });
    QPointer<Socket> guard(socket);
    AsyncChain::run(
        chain.size(),
        [chain, done, guard](qsizetype i, const AsyncChain::Next &next) {
            if (!guard) {
                done(true, {}, {});
                return;
            }
            chain.at(i).function()(guard, Next([next, done](bool accepted, const QString &message,
                                                            const QVariant &data) {
                                       if (accepted)
                                           next();
                                       else if (next.end())
                                           done(false, message, data);
                                   }));
        },
        [done] { done(true, {}, {}); });
}

void NamespacePrivate::doConnect(Socket *socket, Client *client)
{
    Q_Q(Namespace);
    SocketPrivate *s = SocketPrivate::get(socket);
    preConnectSockets.remove(s->id);
    sockets.insert(s->id, socket);
    order.append(socket);
    s->onConnect();
    client->registerSocket(socket);
    Q_EMIT q->socketsCountChanged();
    emitConnection(socket);
}

void NamespacePrivate::emitConnection(Socket *socket)
{
    Q_Q(Namespace);
    QPointer<Socket> guard(socket);
    Q_EMIT q->connection(socket);
    if (parent && guard)
        Q_EMIT parent->connection(socket);
    if (name == u"/" && guard)
        Q_EMIT server->q_ptr->connection(socket);
}

void NamespacePrivate::remove(Socket *socket)
{
    Q_Q(Namespace);
    const QString id = SocketPrivate::get(socket)->id;
    if (sockets.value(id) == socket) {
        sockets.remove(id);
        order.removeOne(socket);
        Q_EMIT q->socketsCountChanged();
    } else {
        preConnectSockets.remove(id);
    }
    if (parent && sockets.isEmpty() && preConnectSockets.isEmpty() &&
        server->options.cleanupEmptyChildNamespaces) {
        server->removeChild(q);
    }
}

void NamespacePrivate::onServerSideEmit(const QVariantList &args, const Ack &ack)
{
    Q_Q(Namespace);
    if (args.isEmpty())
        return;
    const QString event = args.first().toString();
    const QVariantList rest = args.mid(1);
    const QPointer<QObject> guard(q);
    Q_EMIT q->serverSideEventReceived(event, rest);
    serverSideHandlers.dispatch(event, rest, ack, guard);
}

Namespace::Namespace(QObject *parent)
    : QObject(parent)
    , d_ptr(new NamespacePrivate(this))
{}

Namespace::~Namespace() = default;

QString Namespace::name() const
{
    return d_func()->name;
}

Server *Namespace::server() const
{
    return d_func()->server->q_ptr;
}

Adapter *Namespace::adapter() const
{
    return d_func()->adapter;
}

bool Namespace::isParent() const
{
    return d_func()->isParent;
}

Namespace *Namespace::parentNamespace() const
{
    return d_func()->parent;
}

QList<Namespace *> Namespace::childNamespaces() const
{
    return d_func()->children;
}

QList<Socket *> Namespace::sockets() const
{
    return d_func()->order;
}

Socket *Namespace::socket(const QString &id) const
{
    return d_func()->sockets.value(id);
}

int Namespace::socketsCount() const
{
    return int(d_func()->sockets.size());
}

void Namespace::use(QObject *context, Middleware middleware)
{
    d_func()->middlewares.append({context, std::move(middleware)});
}

BroadcastOperator Namespace::broadcastOperator() const
{
    return BroadcastOperator(d_func()->adapter);
}

BroadcastOperator Namespace::to(const QString &room) const
{
    return broadcastOperator().to(room);
}

BroadcastOperator Namespace::to(const QStringList &rooms) const
{
    return broadcastOperator().to(rooms);
}

BroadcastOperator Namespace::except(const QString &room) const
{
    return broadcastOperator().except(room);
}

BroadcastOperator Namespace::except(const QStringList &rooms) const
{
    return broadcastOperator().except(rooms);
}

BroadcastOperator Namespace::compress(bool compress) const
{
    return broadcastOperator().compress(compress);
}

BroadcastOperator Namespace::asVolatile() const
{
    return broadcastOperator().asVolatile();
}

BroadcastOperator Namespace::local() const
{
    return broadcastOperator().local();
}

BroadcastOperator Namespace::timeout(int milliseconds) const
{
    return broadcastOperator().timeout(milliseconds);
}

bool Namespace::emitEvent(const QString &event, const QVariantList &args)
{
    Q_D(Namespace);
    if (d->isParent) {
        // A parent broadcasts to each of its children.
        bool ok = true;
        for (Namespace *child : std::as_const(d->children))
            ok = child->emitEvent(event, args) && ok;
        return ok;
    }
    return broadcastOperator().emitEvent(event, args);
}

QFuture<QVariantList> Namespace::emitWithAck(const QString &event, const QVariantList &args)
{
    return broadcastOperator().emitWithAck(event, args);
}

QSet<QString> Namespace::allSockets() const
{
    return broadcastOperator().allSockets();
}

QFuture<QList<RemoteSocket>> Namespace::fetchSockets() const
{
    return broadcastOperator().fetchSockets();
}

void Namespace::socketsJoin(const QStringList &rooms) const
{
    broadcastOperator().socketsJoin(rooms);
}

void Namespace::socketsLeave(const QStringList &rooms) const
{
    broadcastOperator().socketsLeave(rooms);
}

void Namespace::disconnectSockets(bool close) const
{
    broadcastOperator().disconnectSockets(close);
}

bool Namespace::serverSideEmit(const QString &event, const QVariantList &args)
{
    return serverSideEmit(event, args, nullptr, {});
}

bool Namespace::serverSideEmit(const QString &event, const QVariantList &args, QObject *context,
                               std::function<void(const QString &, const QVariantList &)> callback)
{
    Q_D(Namespace);
    if (isReservedEventName(event)) {
        qCWarning(lcServer) << "serverSideEmit:" << event << "is a reserved event name";
        return false;
    }
    QVariantList packet{event};
    packet += args;
    if (!callback) {
        d->adapter->serverSideEmit(packet);
        return true;
    }
    d->adapter->serverSideEmit(packet, Guarded<AckCallback>(context, std::move(callback)));
    return true;
}

void Namespace::onServerSideEvent(const QString &event, QObject *context, ServerSideHandler handler)
{
    d_func()->serverSideHandlers.add(event, context ? context : this, std::move(handler));
}

void Namespace::setAdapter(Adapter *adapter)
{
    Q_D(Namespace);
    if (adapter == d->adapter)
        return;
    if (d->adapter && d->adapter->parent() == this)
        d->adapter->deleteLater();
    d->adapter = adapter;
    adapter->setParent(this);
}

} // namespace SocketIO
