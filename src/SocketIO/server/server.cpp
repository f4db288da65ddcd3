#include "server.h"

#include "adapters/clusteradapter_p.h"
#include "adapters/sessionawareadapter_p.h"
#include "core/asyncchain_p.h"
#include "engineio/enginefront_p.h"
#include "server/client_p.h"
#include "server/legacy09_p.h"
#include "server/namespace_p.h"
#include "server/server_p.h"
#include "server/socket_p.h"
#include "server/workers_p.h"

#include <QtCore/QCryptographicHash>
#include <QtCore/QDir>
#include <QtCore/QFile>
#include <QtCore/QJsonDocument>
#include <QtCore/QJsonObject>
#include <QtCore/QLocale>
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
        nsp->setAdapter(new WorkerClusterAdapter(nsp, bus, node));
    else if (options.adapter)
        nsp->setAdapter(options.adapter(nsp));
    else if (options.connectionStateRecovery)
        nsp->setAdapter(new SessionAwareAdapter(
            nsp, options.connectionStateRecovery->maxDisconnectionDuration));
    else
        nsp->setAdapter(new Adapter(nsp));
    // A cluster adapter appends the offset of each broadcast when the server recovers
    // connection states, as Node's does.
    if (auto *cluster = qobject_cast<ClusterAdapter *>(nsp->adapter()))
        cluster->setConnectionStateRecovery(options.connectionStateRecovery.has_value());
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
    if (auto *adapter = nsp ? qobject_cast<WorkerClusterAdapter *>(nsp->adapter()) : nullptr)
        adapter->onMessage(message);
    else
        WorkerClusterAdapter::answerWithoutNamespace(*bus, node, message);
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
    Q_EMIT q->namespacesChanged();
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
    Q_Q(Server);
    NamespacePrivate *d = NamespacePrivate::get(child);
    if (nsps.value(d->name) == child) {
        nsps.remove(d->name);
        Q_EMIT q->namespacesChanged();
    }
    if (d->parent)
        NamespacePrivate::get(d->parent)->children.removeOne(child);
    child->deleteLater();
}

void ServerPrivate::onConnection(EngineSocket *conn)
{
    auto *client = new Client(this, conn);
    // socket.io 2 and 0.9 clients are in "/" from the start.
    if (client->socketIOProtocol() < 5)
        client->connectNamespace(QStringLiteral("/"), {});
}

EngineIO::Legacy09::Config ServerPrivate::legacy09Config(const ServerOptions &serverOptions)
{
    // 0.9 counted in seconds; the engine in milliseconds.
    const Protocol09Options options = serverOptions.protocol09();
    EngineIO::Legacy09::Config config;
    config.enabled = options.enabled;
    config.heartbeatInterval = options.heartbeatInterval * 1000;
    config.heartbeatTimeout = options.heartbeatTimeout * 1000;
    config.closeTimeout = options.closeTimeout * 1000;
    config.pollingDuration = options.pollingDuration * 1000;
    config.heartbeats = options.heartbeats;
    config.transports = options.transports;
    const QStringList origins = serverOptions.legacy09().origins;
    if (!origins.contains(QStringLiteral("*:*"))) {
        config.allowsWebSocketOrigin = [origins](const QByteArray &origin) {
            return Legacy09::originAllowed(origins, origin);
        };
    }
    return config;
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
    EngineFront(engine).setLegacy09(legacy09Config(options));
    EngineFront(engine).setInterceptor([this](const HttpRequest &request, HttpResponse &response) {
        return serveClient(request, response);
    });
    installGate();
    QObject::connect(engine, &EngineServer::connection, q,
                     [this](EngineSocket *conn) { onConnection(conn); });
    if (options.workers > 0 && !bus) {
        // This server routes; the workers serve.
        joinCluster(std::make_shared<ClusterBus>());
        workers = std::make_unique<WorkerPool>(this, bus);
        workers->start(options.workers, workerSetup);
        EngineFront(engine).setAcceptor([this](QTcpSocket *socket) { workers->route(socket); });
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
    if (legacy09.clientHandler) {
        legacy09.clientHandler(request, response);
        return true;
    }
    const bool isMap = !match.captured(3).isEmpty();
    QString fileName = name.mid(1);
    // 0.9's "browser client minification": the minified build in place of the readable one.
    if (legacy09.clientMinification && !isMap && match.captured(2).isEmpty())
        fileName.insert(fileName.size() - 3, QStringLiteral(".min"));
    QByteArray body;
    if (const auto cached = clientFiles.constFind(fileName); cached != clientFiles.cend()) {
        body = *cached;
    } else {
        QFile source(QDir(options.clientDirectory).filePath(fileName));
        if (options.clientDirectory.isEmpty() || !source.open(QIODevice::ReadOnly)) {
            response.setStatusCode(404);
            response.setHeader("Content-Type", "text/plain");
            response.setBody("Not Found");
            return true;
        }
        body = source.readAll();
        if (legacy09.clientCache)
            clientFiles.insert(fileName, body);
    }
    if (clientVersion.isEmpty()) {
        QFile package(QDir(options.clientDirectory).filePath(QStringLiteral("../package.json")));
        if (package.open(QIODevice::ReadOnly))
            clientVersion = QJsonDocument::fromJson(package.readAll())
                                .object()
                                .value(QStringLiteral("version"))
                                .toString();
    }
    if (legacy09.clientEtag) {
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
        response.setHeader("ETag", etag);
    }
    if (legacy09.clientExpires >= 0) {
        response.setHeader("Cache-Control",
                           "public, max-age=" + QByteArray::number(legacy09.clientExpires));
        const QDateTime expires = QDateTime::currentDateTimeUtc().addSecs(legacy09.clientExpires);
        response.setHeader(
            "Expires",
            QLocale::c().toString(expires, QStringLiteral("ddd, dd MMM yyyy hh:mm:ss")).toLatin1() +
                " GMT");
    } else {
        response.setHeader("Cache-Control", "public, max-age=0");
    }
    response.setHeader("Content-Type", isMap ? "application/json; charset=utf-8"
                                             : "application/javascript; charset=utf-8");
    if (legacy09.clientGzip)
        EngineFront::setCompressedBody(request, response, body);
    else
        response.setBody(body);
    return true;
}

void ServerPrivate::checkLegacy09(const HttpRequest &request, EngineServer::Decision decide)
{
    // 0.9 checked the Origin, else the Referer.
    QByteArray origin = request.header("origin");
    if (origin.isEmpty())
        origin = request.header("referer");
    if (!Legacy09::originAllowed(legacy09.origins, origin)) {
        decide(QStringLiteral("handshake bad origin"), false);
        return;
    }
    // Authorization decides on handshakes: a request naming a live session belongs to an
    // accepted one. Any other sid (0.9 puts its own in the path) is asked about like a
    // handshake, so that a made-up one does not pass.
    const QString sid = request.queryItem(QStringLiteral("sid"));
    if (!legacy09.authorization || (!sid.isEmpty() && engine->client(sid))) {
        decide({}, true);
        return;
    }
    legacy09.authorization(Legacy09::handshakeData(request),
                           [decide](const QString &error, bool authorized) {
                               if (!error.isEmpty()) {
                                   qCWarning(lcServer, "handshake error %s", qUtf8Printable(error));
                                   decide(QStringLiteral("handshake error"), false);
                               } else if (!authorized) {
                                   decide(QStringLiteral("handshake unauthorized"), false);
                               } else {
                                   decide({}, true);
                               }
                           });
}

void ServerPrivate::installGate()
{
    // Only a server that restricts origins or authorizes pays for the gate on each request.
    const bool gated = legacy09.authorization || !legacy09.origins.contains(QStringLiteral("*:*"));
    EngineServer::AllowRequest gate;
    if (gated) {
        gate = [this](const HttpRequest &request, EngineServer::Decision decide) {
            checkLegacy09(request, std::move(decide));
        };
    }
    EngineFront(engine).setGate(std::move(gate));
}

void ServerPrivate::adoptLegacy09()
{
    const Legacy09Options previous = legacy09;
    legacy09 = options.legacy09();
    if (!legacy09.clientCache)
        clientFiles.clear();
    if (legacy09.log != previous.log || legacy09.logLevel != previous.logLevel)
        Legacy09::applyLogging(legacy09);
}

bool ServerPrivate::setOption(const QString &name, const QVariant &value)
{
    Q_Q(Server);
    // An unknown name falls through to the mapper, which reports it as such.
    if (prepared && !OptionMapper::changesAtRunTime(name) && OptionMapper::isKnown(name)) {
        error = Server::Error::AlreadyListening;
        errorString =
            QStringLiteral("option \"%1\" cannot change once the server is listening").arg(name);
        return false;
    }
    OptionMapper mapper(options);
    mapper.apply(name, value);
    const ServerOptions changed = mapper.result();
    if (!mapper.problems().isEmpty()) {
        error = Server::Error::InvalidOptions;
        errorString = mapper.problems().join(u'\n');
        return false;
    }
    // Only these change the adapter of every namespace; other names before listening need
    // not rebuild them (a configure() block sets many).
    if (!prepared && (name == u"store" || name == u"connectionStateRecovery"))
        return q->setOptions(changed);
    if (!prepared) {
        if (const QString problem = changed.validate(); !problem.isEmpty()) {
            error = Server::Error::InvalidOptions;
            errorString = problem;
            return false;
        }
    }
    // Before listening, or a name read per request.
    options = changed;
    adoptLegacy09();
    if (prepared)
        installGate();
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

/*!
    \typedef Server::NamespaceMatcher

    Decides whether a dynamic namespace may be created for \a name, given the client's \a auth:
    call \a decide with true to accept, false to refuse, now or later.
*/

/*!
    \enum Server::Error

    What the last failed setOptions(), listen() or attach() ran into; see errorString() for the
    details.
*/

/*!
    \var Server::NoError

    No error.
*/

/*!
    \var Server::InvalidOptions

    The options were refused (ServerOptions::validate() names the problem).
*/

/*!
    \var Server::ListenFailed

    The server could not listen on the address and port.
*/

/*!
    \var Server::AlreadyListening

    The server listens already: the options can no longer change, and it cannot listen or be
    attached again.
*/

/*!
    \fn BroadcastOperator Server::in(const QString &room) const

    Same as to(\a room).
*/

/*!
    \fn void Server::connection(SocketIO::Socket *socket)

    Emitted when \a socket connected to the main namespace "/" (the reference's "connection"
    event). The socket is owned by its Namespace.
*/

/*!
    \fn void Server::newNamespace(SocketIO::Namespace *nsp)

    Emitted when a dynamic namespace \a nsp was created by a parent namespace (the reference's
    "new_namespace" event).
*/

/*!
    Constructs a server with the default ServerOptions, as a child of \a parent. The main
    namespace "/" exists from the start.
*/
Server::Server(QObject *parent)
    : Server(ServerOptions(), parent)
{}

/*!
    Constructs a server with \a options, as a child of \a parent. The options are checked when
    the server starts listening.
*/
Server::Server(const ServerOptions &options, QObject *parent)
    : QObject(parent)
    , d_ptr(new ServerPrivate(this))
{
    Q_D(Server);
    d->options = options;
    d->adoptLegacy09();
    d->engine = new EngineServer(options.engine, this);
    connect(d->engine, &EngineServer::clientsCountChanged, this, &Server::clientsCountChanged);
    d->createNamespace(QStringLiteral("/"), nullptr);
}

/*!
    Destroys the server, its engine (closing every session) and its namespaces.
*/
Server::~Server()
{
    Q_D(Server);
    d->workers.reset();
    d->leaveCluster();
    // Sessions (and their clients) go before the namespaces they point into.
    delete d->engine;
    d->engine = nullptr;
}

/*!
    Returns the options.
*/
ServerOptions Server::options() const
{
    return d_func()->options;
}

/*!
    Replaces the options with \a options. Only before the server listens: returns false and sets
    error() when it listens already or when the options are invalid. Existing namespaces get the
    adapter the new options ask for.
*/
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
    d->adoptLegacy09();
    // Namespaces made so far get the adapter the new options ask for.
    for (Namespace *nsp : std::as_const(d->nsps))
        d->installAdapter(nsp);
    return true;
}

/*!
    Sets the option \a name to \a value, as Socket.IO 0.9's io.set(name, value) did. The
    names are those of ServerOptions::fromVariantMap(): the reference's ("pingInterval",
    "cors", ...) and 0.9's ("heartbeat interval", "origins", "browser client gzip", "log level",
    ...), mapped with 0.9's semantics; the README's table lists each. Functions go in as
    QVariant::fromValue() of Legacy09Options::Authorization or Legacy09Options::ClientHandler,
    a RedisCluster as QVariant::fromValue<QObject *>() for "store".

    Until the server listens any name may change. After, only the names read per request do:
    "browser client" (and serveClient), "browser client minification", "browser client etag",
    "browser client gzip", "browser client expires", "browser client handler", "browser client
    cache", "authorization", "log level", "log" and "log colors"; others fail with
    AlreadyListening. Returns false and sets error() and errorString() (InvalidOptions: an
    unknown name, with the closest option named, a wrong value or a 0.9 name with no modern
    meaning, with its replacement named).
*/
bool Server::set(const QString &name, const QVariant &value)
{
    Q_D(Server);
    return d->setOption(name, value);
}

/*!
    Returns the current value of the option \a name (modern or 0.9, see set()): a name mapped
    onto a modern option reads that option ("resource" reads the path, "destroy buffer size"
    maxHttpBufferSize). Returns an invalid QVariant for unknown names, names with no modern
    meaning, and "log level" while unset.
*/
QVariant Server::get(const QString &name) const
{
    Q_D(const Server);
    return OptionMapper::value(d->options, name);
}

/*!
    Sets the option \a name to true, as 0.9's io.enable(name); see set().
*/
bool Server::enable(const QString &name)
{
    return set(name, true);
}

/*!
    Sets the option \a name to false, as 0.9's io.disable(name); see set().
*/
bool Server::disable(const QString &name)
{
    return set(name, false);
}

/*!
    Returns whether the option \a name holds a true value (a non-zero number, a non-empty string
    or list, a function), as 0.9's io.enabled(name).
*/
bool Server::enabled(const QString &name) const
{
    const QVariant value = get(name);
    switch (value.typeId()) {
    case QMetaType::UnknownType:
        return false;
    case QMetaType::QString:
        return !value.toString().isEmpty();
    case QMetaType::QStringList:
        return !value.toStringList().isEmpty();
    case QMetaType::Bool:
    case QMetaType::Int:
    case QMetaType::LongLong:
    case QMetaType::Double:
        return value.toBool();
    default:
        return true; // a function
    }
}

/*!
    Returns the opposite of enabled(\a name), as 0.9's io.disabled(name).
*/
bool Server::disabled(const QString &name) const
{
    return !enabled(name);
}

/*!
    Runs \a configure now and returns true, as 0.9's io.configure(fn).
*/
bool Server::configure(const std::function<void()> &configure)
{
    if (configure)
        configure();
    return true;
}

/*!
    Runs \a configure only when the environment variable NODE_ENV (as 0.9 read it; unset or
    empty means "development") equals \a environment, and returns whether it ran. 0.9 compared
    one name: "production,staging" matches nothing.
*/
bool Server::configure(const QString &environment, const std::function<void()> &configure)
{
    QString current = qEnvironmentVariable("NODE_ENV");
    if (current.isEmpty())
        current = QStringLiteral("development");
    if (environment != current)
        return false;
    if (configure)
        configure();
    return true;
}

/*!
    Listens on \a address and \a port (0: a free port, see serverPort()). Returns false and sets
    error() on failure.
*/
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
    Q_EMIT listeningChanged();
    return true;
}

/*!
    Serves the connections of \a server, a QTcpServer (or QSslServer) that the application owns
    and that listens. Requests outside the engine path go to the engine's request handler
    (see engine()). Returns false and sets error() on failure.
*/
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
    Q_EMIT listeningChanged();
    return true;
}

/*!
    Serves https and wss with \a configuration; set it before listen().
*/
void Server::setSslConfiguration(const QSslConfiguration &configuration)
{
    d_func()->engine->setSslConfiguration(configuration);
}

/*!
    Disconnects every socket with reason "server shutting down" and stops listening. listen()
    may be called again: with connection state recovery, the sessions saved here are recovered.
*/
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
    const bool wasListening = d->engine->isListening();
    d->engine->close();
    if (wasListening)
        Q_EMIT listeningChanged();
}

/*!
    \property SocketIO::Server::listening
    \brief whether the server accepts connections (after listen() or attach(), until
    close()).

    listeningChanged() also announces a new serverPort.
*/

/*!
    Returns whether the server listens or is attached to a QTcpServer (the listening property).
*/
bool Server::isListening() const
{
    return d_func()->engine->isListening();
}

/*!
    \property SocketIO::Server::clientsCount
    \brief the number of open Engine.IO sessions on this server (each carries the sockets
    of one client, in any number of namespaces).
*/

/*!
    Returns the number of Engine.IO connections (the clientsCount property).
*/
int Server::clientsCount() const
{
    return d_func()->engine->clientsCount();
}

/*!
    \property SocketIO::Server::namespaceNames
    \brief the names of the namespaces that exist, sorted; namespacesChanged() follows the
    dynamic ones.
*/

/*!
    Returns the names of the namespaces that exist, such as "/" and "/chat" (the namespaceNames
    property).
*/
QStringList Server::namespaceNames() const
{
    QStringList names = d_func()->nsps.keys();
    names.sort();
    return names;
}

/*!
    \property SocketIO::Server::serverPort
    \brief the port the server listens on; 0 when it does not.
*/

/*!
    \fn void SocketIO::Server::listeningChanged()

    Emitted when the server starts or stops listening.
*/

/*!
    \fn void SocketIO::Server::clientsCountChanged()

    Emitted when a client connects or its connection closes.
*/

/*!
    \fn void SocketIO::Server::namespacesChanged()

    Emitted when a namespace is created (by of() or on demand by a parent namespace) or an
    empty dynamic one is removed.
*/

/*!
    Runs \a setup on each worker's thread, with that worker's Server, before the worker
    serves (ServerOptions::workers). Install the handlers there: a worker's namespaces,
    sockets and signals live on its thread. Call before listen().
*/
void Server::setWorkerSetup(std::function<void(Server *worker)> setup)
{
    d_func()->workerSetup = std::move(setup);
}

/*!
    Returns the port the server listens on, or 0 when it does not listen.
*/
quint16 Server::serverPort() const
{
    return d_func()->engine->serverPort();
}

/*!
    Returns the Engine.IO server underneath (the reference's io.engine). It is owned by this
    server.
*/
EngineServer *Server::engine() const
{
    return d_func()->engine;
}

/*!
    Returns the server socket this server accepts its connections from, the reference's
    \c io.httpServer: the one listen() created, or the application's after attach(). Null
    while not listening. With ServerOptions::workers, the one the workers share. See
    EngineServer::httpServer().
*/
QTcpServer *Server::httpServer() const
{
    return engine()->httpServer();
}

/*!
    Returns the namespace \a name, created when missing; "/" is prepended when \a name lacks it.
    The namespace is owned by the server.
*/
Namespace *Server::of(const QString &name)
{
    Q_D(Server);
    const QString normalized = name.startsWith(u'/') ? name : u'/' + name;
    if (Namespace *nsp = d->nsps.value(normalized))
        return nsp;
    return d->createNamespace(normalized, nullptr);
}

/*!
    Returns a new parent namespace whose children are the namespaces whose names match \a
    pattern, created when a client first connects to one. Owned by the server.
*/
Namespace *Server::of(const QRegularExpression &pattern)
{
    return of(
        [pattern](const QString &name, const QVariantMap &, std::function<void(bool)> decide) {
            decide(pattern.match(name).hasMatch());
        });
}

/*!
    Returns a new parent namespace whose children are created on demand for the names \a matcher
    accepts. Owned by the server.
*/
Namespace *Server::of(NamespaceMatcher matcher)
{
    return d_func()->createParent(std::move(matcher));
}

/*!
    Returns the main namespace "/" (the reference's io.sockets).
*/
Namespace *Server::sockets() const
{
    return d_func()->nsps.value(QStringLiteral("/"));
}

/*!
    Returns every namespace, the main one included; parent namespaces are not listed.
*/
QList<Namespace *> Server::namespaces() const
{
    return d_func()->nsps.values();
}

/*!
    Adds connection \a middleware to the main namespace; it is dropped when \a context is
    destroyed. See Namespace::use().
*/
void Server::use(QObject *context, Namespace::Middleware middleware)
{
    sockets()->use(context, std::move(middleware));
}

/*!
    Returns an operator on the main namespace that targets the sockets in \a room.
*/
BroadcastOperator Server::to(const QString &room) const
{
    return sockets()->to(room);
}

/*!
    Returns an operator on the main namespace that targets the sockets in any of \a rooms.
*/
BroadcastOperator Server::to(const QStringList &rooms) const
{
    return sockets()->to(rooms);
}

/*!
    Returns an operator on the main namespace that leaves out the sockets in \a room.
*/
BroadcastOperator Server::except(const QString &room) const
{
    return sockets()->except(room);
}

/*!
    Returns an operator on the main namespace with the compress flag set to \a compress.
*/
BroadcastOperator Server::compress(bool compress) const
{
    return sockets()->compress(compress);
}

/*!
    Returns an operator on the main namespace whose events may be lost when a recipient cannot
    receive them now (the reference's volatile flag).
*/
BroadcastOperator Server::asVolatile() const
{
    return sockets()->asVolatile();
}

/*!
    Returns an operator on the main namespace that only reaches this server's sockets.
*/
BroadcastOperator Server::local() const
{
    return sockets()->local();
}

/*!
    Returns an operator on the main namespace whose acknowledgements time out after \a
    milliseconds.
*/
BroadcastOperator Server::timeout(int milliseconds) const
{
    return sockets()->timeout(milliseconds);
}

/*!
    Emits \a event with \a args to every socket of the main namespace. Returns false (and sends
    nothing) for a reserved event name.
*/
bool Server::emitEvent(const QString &event, const QVariantList &args)
{
    return sockets()->emitEvent(event, args);
}

/*!
    Emits a "message" event with \a args to every socket of the main namespace.
*/
bool Server::send(const QVariantList &args)
{
    return sockets()->send(args);
}

/*!
    Returns the sockets of the main namespace, from every server of a cluster.
*/
QFuture<QList<RemoteSocket>> Server::fetchSockets() const
{
    return sockets()->fetchSockets();
}

/*!
    Makes every socket of the main namespace join \a rooms.
*/
void Server::socketsJoin(const QStringList &rooms) const
{
    sockets()->socketsJoin(rooms);
}

/*!
    Makes every socket of the main namespace leave \a rooms.
*/
void Server::socketsLeave(const QStringList &rooms) const
{
    sockets()->socketsLeave(rooms);
}

/*!
    Disconnects every socket of the main namespace; with \a close, closes their connections too.
*/
void Server::disconnectSockets(bool close) const
{
    sockets()->disconnectSockets(close);
}

/*!
    Emits \a event with \a args to the main namespace of the other servers of a cluster. Returns
    false for a reserved event name.
*/
bool Server::serverSideEmit(const QString &event, const QVariantList &args)
{
    return sockets()->serverSideEmit(event, args);
}

/*!
    Returns the error of the last failed call.
*/
Server::Error Server::error() const
{
    return d_func()->error;
}

/*!
    Returns a description of error().
*/
QString Server::errorString() const
{
    return d_func()->errorString;
}

} // namespace SocketIO
