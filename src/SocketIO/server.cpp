#include "server.h"

#include "adapters/clusteradapter_p.h"
#include "adapters/sessionawareadapter_p.h"
#include "asyncchain_p.h"
#include "engineio/engineserver_p.h"
#include "http/compression_p.h"
#include "server/client_p.h"
#include "server/namespace_p.h"
#include "server/server_p.h"
#include "server/socket_p.h"
#include "server/workers_p.h"

#include <QtCore/QCryptographicHash>
#include <QtCore/QDir>
#include <QtCore/QFile>
#include <QtCore/QJsonDocument>
#include <QtCore/QJsonObject>
#include <QtCore/QLoggingCategory>
#include <QtCore/QRegularExpression>

Q_DECLARE_LOGGING_CATEGORY(lcServer)

namespace SocketIO {

namespace {
// A parent namespace's adapter: what is broadcast to the parent goes to every child.
class ParentBroadcastAdapter : public Adapter
{
public:
    using Adapter::Adapter;
    void broadcast(const Packet &packet, const BroadcastOptions &options) override
    {
        const auto children = nsp()->childNamespaces();
        for (Namespace *child : children)
            child->adapter()->broadcast(packet, options);
    }
};
} // namespace

ServerPrivate::ServerPrivate(Server *q)
    : q_ptr(q)
{}

ServerPrivate::~ServerPrivate() = default;

void ServerPrivate::installAdapter(Namespace *nsp) const
{
    if (bus)
        nsp->setAdapter(new ClusterAdapter(nsp, bus, node));
    else if (options.adapter)
        nsp->setAdapter(options.adapter(nsp));
    else if (options.connectionStateRecovery)
        nsp->setAdapter(new SessionAwareAdapter(
            nsp, options.connectionStateRecovery->maxDisconnectionDuration));
    else
        nsp->setAdapter(new Adapter(nsp));
}

void ServerPrivate::joinCluster(std::shared_ptr<ClusterBus> clusterBus)
{
    Q_Q(Server);
    bus = std::move(clusterBus);
    node = bus->join(q, [this](const ClusterMessage &message) { onClusterMessage(message); });
    for (Namespace *nsp : std::as_const(nsps))
        installAdapter(nsp);
}

void ServerPrivate::leaveCluster()
{
    if (bus)
        bus->leave(node);
}

void ServerPrivate::onClusterMessage(const ClusterMessage &message)
{
    Namespace *nsp = nsps.value(message.nsp);
    if (auto *adapter = nsp ? qobject_cast<ClusterAdapter *>(nsp->adapter()) : nullptr)
        adapter->onMessage(message);
    else
        ClusterAdapter::answerWithoutNamespace(*bus, node, message);
}

Namespace *ServerPrivate::createNamespace(const QString &name, Namespace *parent)
{
    Q_Q(Server);
    auto *nsp = new Namespace(q);
    NamespacePrivate *d = NamespacePrivate::get(nsp);
    d->name = name;
    d->server = this;
    d->parent = parent;
    installAdapter(nsp);
    nsps.insert(name, nsp);
    if (parent)
        NamespacePrivate::get(parent)->children.append(nsp);
    if (name != u"/")
        Q_EMIT q->newNamespace(nsp);
    return nsp;
}

Namespace *ServerPrivate::createParent(Server::NamespaceMatcher matcher)
{
    Q_Q(Server);
    auto *nsp = new Namespace(q);
    NamespacePrivate *d = NamespacePrivate::get(nsp);
    d->name = QStringLiteral("/_") + QString::number(parentCount++);
    d->server = this;
    d->isParent = true;
    nsp->setAdapter(new ParentBroadcastAdapter(nsp));
    parentNamespaces.append({std::move(matcher), nsp});
    return nsp;
}

void ServerPrivate::checkNamespace(const QString &name, const QVariantMap &auth,
                                   std::function<void(Namespace *)> done)
{
    // Asks each parent's matcher in turn; the first that allows creates (or finds) the child.
    auto candidates = parentNamespaces;
    QPointer<Server> guard(q_ptr);
    AsyncChain::run(
        candidates.size(),
        [this, guard, candidates, name, auth, done](qsizetype i, const AsyncChain::Next &next) {
            if (!guard) {
                done(nullptr);
                return;
            }
            const auto &[matcher, parent] = candidates.at(i);
            QPointer<Namespace> parentGuard(parent);
            matcher(name, auth, [this, guard, parentGuard, name, done, next](bool allow) {
                if (!guard)
                    return;
                if (!allow || !parentGuard) {
                    next();
                    return;
                }
                if (!next.end())
                    return;
                if (Namespace *existing = nsps.value(name)) {
                    done(existing);
                    return;
                }
                done(createNamespace(name, parentGuard));
            });
        },
        [done] { done(nullptr); });
}

void ServerPrivate::removeChild(Namespace *child)
{
    NamespacePrivate *d = NamespacePrivate::get(child);
    if (nsps.value(d->name) == child)
        nsps.remove(d->name);
    if (d->parent)
        NamespacePrivate::get(d->parent)->children.removeOne(child);
    child->deleteLater();
}

void ServerPrivate::onConnection(EngineSocket *conn)
{
    auto *client = new Client(this, conn);
    // Socket.IO v2 clients (Engine.IO v3) are in "/" from the start.
    if (conn->protocol() == 3)
        client->connectNamespace(QStringLiteral("/"), {});
}

bool ServerPrivate::prepare()
{
    Q_Q(Server);
    if (prepared)
        return true;
    const QString problem = options.validate();
    if (!problem.isEmpty()) {
        error = Server::Error::InvalidOptions;
        errorString = problem;
        return false;
    }
    if (!engine->setOptions(options.engine)) {
        error = Server::Error::InvalidOptions;
        errorString = engine->errorString();
        return false;
    }
    EngineServerPrivate::get(engine)->interceptor = [this](const HttpRequest &request,
                                                           HttpResponse &response) {
        return serveClient(request, response);
    };
    QObject::connect(engine, &EngineServer::connection, q,
                     [this](EngineSocket *conn) { onConnection(conn); });
    if (options.workers > 0 && !bus) {
        // This server routes; the workers serve.
        joinCluster(std::make_shared<ClusterBus>());
        workers = std::make_unique<WorkerPool>(this, bus);
        workers->start(options.workers, workerSetup);
        EngineServerPrivate::get(engine)->acceptor = [this](QTcpSocket *socket) {
            workers->route(socket);
        };
    }
    prepared = true;
    return true;
}

bool ServerPrivate::serveClient(const HttpRequest &request, HttpResponse &response)
{
    if (!options.serveClient)
        return false;
    // <path>/socket.io(.msgpack|.esm)?(.min)?.js(.map)?, like the reference.
    const QString path =
        options.engine.path.endsWith(u'/') ? options.engine.path.chopped(1) : options.engine.path;
    static const QRegularExpression file(
        QStringLiteral("^/socket\\.io(\\.msgpack|\\.esm)?(\\.min)?\\.js(\\.map)?$"));
    const QString requestPath = request.path();
    if (!requestPath.startsWith(path))
        return false;
    const QString name = requestPath.mid(path.size());
    const QRegularExpressionMatch match = file.match(name);
    if (!match.hasMatch())
        return false;
    if (request.method() != "GET" && request.method() != "HEAD")
        return false;
    QFile source(QDir(options.clientDirectory).filePath(name.mid(1)));
    if (options.clientDirectory.isEmpty() || !source.open(QIODevice::ReadOnly)) {
        response.setStatusCode(404);
        response.setHeader("Content-Type", "text/plain");
        response.setBody("Not Found");
        return true;
    }
    if (clientVersion.isEmpty()) {
        QFile package(QDir(options.clientDirectory).filePath(QStringLiteral("../package.json")));
        if (package.open(QIODevice::ReadOnly))
            clientVersion = QJsonDocument::fromJson(package.readAll())
                                .object()
                                .value(QStringLiteral("version"))
                                .toString();
    }
    const QByteArray body = source.readAll();
    const QByteArray version =
        clientVersion.isEmpty()
            ? QCryptographicHash::hash(body, QCryptographicHash::Sha1).toHex().left(16)
            : clientVersion.toUtf8();
    const QByteArray etag = '"' + version + '"';
    const QByteArray ifNoneMatch = request.header("if-none-match");
    if (ifNoneMatch == etag || ifNoneMatch == "W/" + etag) {
        response.setStatusCode(304);
        return true;
    }
    const bool isMap = !match.captured(3).isEmpty();
    response.setHeader("Cache-Control", "public, max-age=0");
    response.setHeader("Content-Type", isMap ? "application/json; charset=utf-8"
                                             : "application/javascript; charset=utf-8");
    response.setHeader("ETag", etag);
    const Http::ContentEncoding encoding =
        Http::negotiateEncoding(request.header("accept-encoding"));
    if (encoding != Http::ContentEncoding::Identity) {
        response.setHeader("Content-Encoding", Http::encodingName(encoding));
        response.setBody(Http::compress(body, encoding));
    } else {
        response.setBody(body);
    }
    return true;
}

/*!
    \class SocketIO::Server
    \inmodule SocketIO
    \brief The Socket.IO v4 server.

    Behaves like Node's socket.io 4.8: namespaces, rooms, acknowledgements, binary, middleware,
    broadcasting, connection state recovery. Owns its EngineServer and its namespaces.
    Everything happens on the thread that owns the server.
*/

Server::Server(QObject *parent)
    : Server(ServerOptions(), parent)
{}

Server::Server(const ServerOptions &options, QObject *parent)
    : QObject(parent)
    , d_ptr(new ServerPrivate(this))
{
    Q_D(Server);
    d->options = options;
    d->engine = new EngineServer(options.engine, this);
    d->createNamespace(QStringLiteral("/"), nullptr);
}

Server::~Server()
{
    Q_D(Server);
    d->workers.reset();
    d->leaveCluster();
    // Sessions (and their clients) go before the namespaces they point into.
    delete d->engine;
    d->engine = nullptr;
}

ServerOptions Server::options() const
{
    return d_func()->options;
}

bool Server::setOptions(const ServerOptions &options)
{
    Q_D(Server);
    if (d->prepared) {
        d->error = Error::AlreadyListening;
        d->errorString = QStringLiteral("options cannot change once the server is listening");
        return false;
    }
    const QString problem = options.validate();
    if (!problem.isEmpty()) {
        d->error = Error::InvalidOptions;
        d->errorString = problem;
        return false;
    }
    d->options = options;
    // Namespaces made so far get the adapter the new options ask for.
    for (Namespace *nsp : std::as_const(d->nsps))
        d->installAdapter(nsp);
    return true;
}

bool Server::listen(const QHostAddress &address, quint16 port)
{
    Q_D(Server);
    if (!d->prepare())
        return false;
    if (!d->engine->listen(address, port)) {
        d->error = d->engine->error() == EngineServer::Error::AlreadyListening
                       ? Error::AlreadyListening
                       : Error::ListenFailed;
        d->errorString = d->engine->errorString();
        return false;
    }
    return true;
}

bool Server::attach(QTcpServer *server)
{
    Q_D(Server);
    if (!d->prepare())
        return false;
    if (!d->engine->attach(server)) {
        d->error = Error::AlreadyListening;
        d->errorString = d->engine->errorString();
        return false;
    }
    return true;
}

void Server::setSslConfiguration(const QSslConfiguration &configuration)
{
    d_func()->engine->setSslConfiguration(configuration);
}

void Server::close()
{
    Q_D(Server);
    // Every socket learns why, as with socket.io 4.8.
    for (Namespace *nsp : d->nsps.values()) {
        const auto sockets = nsp->sockets();
        for (Socket *socket : sockets)
            SocketPrivate::get(socket)->onClose(QStringLiteral("server shutting down"));
    }
    if (d->workers)
        d->workers->forEachWorker([](Server *worker) { worker->close(); });
    d->engine->close();
}

/*!
    Runs \a setup on each worker's thread, with that worker's Server, before the worker
    serves (ServerOptions::workers). Install the handlers there: a worker's namespaces,
    sockets and signals live on its thread. Call before listen().
*/
void Server::setWorkerSetup(std::function<void(Server *worker)> setup)
{
    d_func()->workerSetup = std::move(setup);
}

quint16 Server::serverPort() const
{
    return d_func()->engine->serverPort();
}

EngineServer *Server::engine() const
{
    return d_func()->engine;
}

Namespace *Server::of(const QString &name)
{
    Q_D(Server);
    const QString normalized = name.startsWith(u'/') ? name : u'/' + name;
    if (Namespace *nsp = d->nsps.value(normalized))
        return nsp;
    return d->createNamespace(normalized, nullptr);
}

Namespace *Server::of(const QRegularExpression &pattern)
{
    return of(
        [pattern](const QString &name, const QVariantMap &, std::function<void(bool)> decide) {
            decide(pattern.match(name).hasMatch());
        });
}

Namespace *Server::of(NamespaceMatcher matcher)
{
    return d_func()->createParent(std::move(matcher));
}

Namespace *Server::sockets() const
{
    return d_func()->nsps.value(QStringLiteral("/"));
}

QList<Namespace *> Server::namespaces() const
{
    return d_func()->nsps.values();
}

void Server::use(QObject *context, Namespace::Middleware middleware)
{
    sockets()->use(context, std::move(middleware));
}

BroadcastOperator Server::to(const QString &room) const
{
    return sockets()->to(room);
}

BroadcastOperator Server::to(const QStringList &rooms) const
{
    return sockets()->to(rooms);
}

BroadcastOperator Server::except(const QString &room) const
{
    return sockets()->except(room);
}

BroadcastOperator Server::compress(bool compress) const
{
    return sockets()->compress(compress);
}

BroadcastOperator Server::asVolatile() const
{
    return sockets()->asVolatile();
}

BroadcastOperator Server::local() const
{
    return sockets()->local();
}

BroadcastOperator Server::timeout(int milliseconds) const
{
    return sockets()->timeout(milliseconds);
}

bool Server::emitEvent(const QString &event, const QVariantList &args)
{
    return sockets()->emitEvent(event, args);
}

bool Server::send(const QVariantList &args)
{
    return sockets()->send(args);
}

QFuture<QList<RemoteSocket>> Server::fetchSockets() const
{
    return sockets()->fetchSockets();
}

void Server::socketsJoin(const QStringList &rooms) const
{
    sockets()->socketsJoin(rooms);
}

void Server::socketsLeave(const QStringList &rooms) const
{
    sockets()->socketsLeave(rooms);
}

void Server::disconnectSockets(bool close) const
{
    sockets()->disconnectSockets(close);
}

bool Server::serverSideEmit(const QString &event, const QVariantList &args)
{
    return sockets()->serverSideEmit(event, args);
}

Server::Error Server::error() const
{
    return d_func()->error;
}

QString Server::errorString() const
{
    return d_func()->errorString;
}

} // namespace SocketIO
