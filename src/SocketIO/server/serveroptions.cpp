#include "serveroptions.h"

#include "core/optionreader_p.h"

#include <QtCore/QMetaType>

namespace SocketIO {

/*!
    \class SocketIO::ServerOptions
    \inmodule SocketIO
    \brief The Socket.IO server options, with the defaults of Node's socket.io 4.8.
*/

// The fields added after 1.0.
class ServerOptionsExtension : public QSharedData
{
public:
    Protocol09Options protocol09;
};

/*!
    \struct SocketIO::Protocol09Options
    \inmodule SocketIO
    \brief The Socket.IO 0.9 protocol, for clients that still speak it.

    A socket.io-client 0.9.x handshakes at \c path + "/1/" and then frames its packets as
    "type:id:endpoint:data". With enabled set, the server answers it on the same port and maps
    its sessions onto the same Server, Namespace and Socket objects as Engine.IO clients. Off by
    default, like EngineOptions::allowEIO3. The durations are in seconds, as 0.9 counted them,
    with 0.9's defaults.
*/

/*!
    \var Protocol09Options::enabled

    Whether 0.9 clients are answered (default false).
*/

/*!
    \var Protocol09Options::heartbeatInterval

    Seconds between two heartbeats the server sends (0.9's "heartbeat interval", default 25).
*/

/*!
    \var Protocol09Options::heartbeatTimeout

    Seconds a client that sends nothing, heartbeats included, is kept (0.9's "heartbeat
    timeout", default 60); the handshake tells the client too.
*/

/*!
    \var Protocol09Options::closeTimeout

    Seconds a session outlives its transport, waiting for the client's next request (0.9's
    "close timeout", default 60).
*/

/*!
    \var Protocol09Options::pollingDuration

    Seconds a long-poll is held when there is nothing to send (0.9's "polling duration",
    default 20).
*/

/*!
    \var Protocol09Options::heartbeats

    Whether the server sends heartbeats (0.9's "heartbeats", default true).
*/

/*!
    \var Protocol09Options::transports

    The transports the handshake offers, with 0.9's names: "websocket", "xhr-polling" and
    "jsonp-polling" by default. "htmlfile" and "flashsocket" are not implemented.
*/

/*!
    Returns the options of the 0.9 protocol; disabled by default.
*/
Protocol09Options ServerOptions::protocol09() const
{
    return m_extension ? m_extension->protocol09 : Protocol09Options();
}

/*!
    Sets the options of the 0.9 protocol to \a options.
*/
void ServerOptions::setProtocol09(const Protocol09Options &options)
{
    if (!m_extension)
        m_extension = new ServerOptionsExtension;
    m_extension->protocol09 = options;
}

/*!
    Constructs a copy of \a other.
*/
ServerOptions::ServerOptions(const ServerOptions &other) = default;

/*!
    Move-constructs from \a other.
*/
ServerOptions::ServerOptions(ServerOptions &&other) noexcept = default;

/*!
    Assigns \a other and returns a reference to this.
*/
ServerOptions &ServerOptions::operator=(const ServerOptions &other) = default;

/*!
    Move-assigns \a other and returns a reference to this.
*/
ServerOptions &ServerOptions::operator=(ServerOptions &&other) noexcept = default;

/*!
    Destroys the options.
*/
ServerOptions::~ServerOptions() = default;

/*!
    \var ServerOptions::engine

    The Engine.IO options; their path defaults to "/socket.io" here.
*/

/*!
    \var ServerOptions::serveClient

    Whether the client bundle (socket.io.js and friends) is served from clientDirectory (default
    true).
*/

/*!
    \var ServerOptions::clientDirectory

    Where the client bundle is read from, such as node_modules/socket.io-client/dist; empty:
    nothing is served.
*/

/*!
    \var ServerOptions::adapter

    Creates the adapter of each namespace; the namespace owns it. Unset: the in-memory Adapter.
*/

/*!
    \var ServerOptions::parser

    The wire format of the packets (default Parser::defaultParser()); clients must use the same.
*/

/*!
    \var ServerOptions::connectTimeout

    Milliseconds a client has to join a namespace after connecting before it is disconnected
    (default 45000).
*/

/*!
    \var ServerOptions::cleanupEmptyChildNamespaces

    Whether a child namespace of a parent is removed once its last socket left (default false).
*/

/*!
    \var ServerOptions::connectionStateRecovery

    Connection state recovery: a client that reconnects soon enough gets its id, rooms, data and
    missed events back. Unset (the default): off.
*/

/*!
    \var ServerOptions::workers

    Worker threads, each running its own engine and namespaces (set up by
    Server::setWorkerSetup()), joined through a cluster adapter; the listening thread only
    routes connections. 0 (the default) serves everything on the server's thread. Not a
    reference option: Node scales out with processes.
*/

/*!
    \struct ConnectionStateRecoveryOptions

    \brief The \c connectionStateRecovery options of socket.io 4.8.
*/

// Empty until a field is added after 1.0.
class ConnectionStateRecoveryOptionsExtension : public QSharedData
{
};

/*!
    Constructs the defaults.
*/
ConnectionStateRecoveryOptions::ConnectionStateRecoveryOptions() = default;

/*!
    Constructs a copy of \a other.
*/
ConnectionStateRecoveryOptions::ConnectionStateRecoveryOptions(
    const ConnectionStateRecoveryOptions &other) = default;

/*!
    Move-constructs from \a other.
*/
ConnectionStateRecoveryOptions::ConnectionStateRecoveryOptions(
    ConnectionStateRecoveryOptions &&other) noexcept = default;

/*!
    Assigns \a other and returns a reference to this.
*/
ConnectionStateRecoveryOptions &
ConnectionStateRecoveryOptions::operator=(const ConnectionStateRecoveryOptions &other) = default;

/*!
    Move-assigns \a other and returns a reference to this.
*/
ConnectionStateRecoveryOptions &ConnectionStateRecoveryOptions::operator=(
    ConnectionStateRecoveryOptions &&other) noexcept = default;

/*!
    Destroys the options.
*/
ConnectionStateRecoveryOptions::~ConnectionStateRecoveryOptions() = default;

/*!
    \var ConnectionStateRecoveryOptions::maxDisconnectionDuration

    Milliseconds a disconnected session is kept for recovery (default 120000).
*/

/*!
    \var ConnectionStateRecoveryOptions::skipMiddlewares

    Whether a recovered socket skips the connection middleware (default true).
*/

/*!
    Constructs the default options; the engine path is "/socket.io".
*/
ServerOptions::ServerOptions()
{
    engine.path = QStringLiteral("/socket.io");
}

/*!
    Returns an empty string when the options can be used, else why not; the engine options are
    checked too.
*/
QString ServerOptions::validate() const
{
    if (!parser)
        return QStringLiteral("parser must be set (Parser::defaultParser() or msgpackParser())");
    if (connectTimeout <= 0)
        return QStringLiteral("connectTimeout must be a positive number of milliseconds");
    if (connectionStateRecovery && connectionStateRecovery->maxDisconnectionDuration <= 0)
        return QStringLiteral("connectionStateRecovery.maxDisconnectionDuration must be positive");
    if (workers < 0 || workers > 26)
        return QStringLiteral("workers must be between 0 and 26");
    if (workers > 0 && connectionStateRecovery)
        return QStringLiteral("connectionStateRecovery is not supported with workers: a "
                              "recovering client may reach another worker, which does not "
                              "hold its session");
    if (workers > 0 && adapter)
        return QStringLiteral("a custom adapter is not supported with workers: the workers "
                              "are joined by their own cluster adapter");
    return engine.validate();
}

namespace {

// 0.9-era names with no modern meaning, and why.
QString refusedLegacy(const QString &key)
{
    static const QHash<QString, QString> reasons = {
        {QStringLiteral("store"),
         QStringLiteral("stores were replaced by adapters: set ServerOptions::adapter")},
        {QStringLiteral("authorization"),
         QStringLiteral("use a middleware (Namespace::use) to accept or refuse connections")},
        {QStringLiteral("heartbeats"),
         QStringLiteral("Engine.IO v4 always sends heartbeats; tune pingInterval/pingTimeout")},
        {QStringLiteral("close timeout"),
         QStringLiteral("sessions no longer linger after a disconnection; use "
                        "connectionStateRecovery.maxDisconnectionDuration to allow resuming")},
        {QStringLiteral("polling duration"),
         QStringLiteral("a long-poll is now held until there is data or a ping (pingInterval)")},
        {QStringLiteral("log level"),
         QStringLiteral(
             "logging goes through QLoggingCategory (socketio.*): set QT_LOGGING_RULES")},
        {QStringLiteral("logger"),
         QStringLiteral("logging goes through QLoggingCategory (socketio.*)")},
        {QStringLiteral("log colors"),
         QStringLiteral("logging goes through QLoggingCategory (socketio.*)")},
        {QStringLiteral("blacklist"),
         QStringLiteral("reserved event names are always refused; filter others in a "
                        "Socket::use middleware")},
        {QStringLiteral("browser client handler"),
         QStringLiteral("serve custom files with EngineServer::setRequestHandler")},
        {QStringLiteral("browser client minification"),
         QStringLiteral("the client files are served as found in clientDirectory")},
        {QStringLiteral("browser client cache"),
         QStringLiteral("the client files are validated with their ETag instead")},
        {QStringLiteral("browser client expires"),
         QStringLiteral("the client files are sent with Cache-Control: public, max-age=0 and an "
                        "ETag")},
        {QStringLiteral("match origin protocol"),
         QStringLiteral("not applicable: the client builds its own URLs")},
        {QStringLiteral("flash policy server"), QStringLiteral("Flash sockets no longer exist")},
        {QStringLiteral("flash policy port"), QStringLiteral("Flash sockets no longer exist")},
        {QStringLiteral("adapter"),
         QStringLiteral("the adapter is a factory function: set ServerOptions::adapter in code")},
    };
    const auto it = reasons.constFind(key);
    if (it == reasons.cend())
        return {};
    return QStringLiteral("option \"%1\" is not supported: %2").arg(key, *it);
}

// Maps the 0.9 transport names onto Engine.IO's.
bool legacyTransports(const QStringList &names, QStringList *out, QString *error)
{
    for (const QString &name : names) {
        QString mapped;
        if (name == u"websocket")
            mapped = QStringLiteral("websocket");
        else if (name == u"xhr-polling" || name == u"jsonp-polling" || name == u"htmlfile" ||
                 name == u"polling")
            mapped = QStringLiteral("polling");
        if (mapped.isEmpty()) {
            *error = QStringLiteral("option \"transports\": \"%1\" has no Engine.IO equivalent")
                         .arg(name);
            return false;
        }
        if (!out->contains(mapped))
            out->append(mapped);
    }
    return true;
}

} // namespace

/*!
    Reads options from \a input with the reference's option names, engine options included
    ("pingInterval", "cors", ...), such as a parsed JSON object. The 0.9-era names ("heartbeat
    interval", "close timeout", "transports", "resource", "origins", "browser client", ...) are
    mapped to their modern equivalents where one exists and refused with an explanation where
    none does. Unknown names and wrong types are errors: \a error (if not null) gets the first
    one.
*/
ServerOptions ServerOptions::fromVariantMap(const QVariantMap &input, QString *error)
{
    ServerOptions options;
    QString problem;
    OptionReader r(input, &problem);
    QVariantMap engine;
    for (auto it = input.cbegin(); it != input.cend() && r.ok(); ++it) {
        const QString &key = it.key();
        const QVariant &value = it.value();
        if (const QString refused = refusedLegacy(key); !refused.isEmpty()) {
            r.failWith(refused);
        } else if (key == u"serveClient" || key == u"browser client") {
            r.boolean(key, &options.serveClient);
        } else if (key == u"browser client etag") {
            bool etag = true;
            if (r.boolean(key, &etag) && !etag)
                r.failWith(QStringLiteral("option \"browser client etag\": ETags are always sent"));
        } else if (key == u"browser client gzip") {
            bool gzip = false;
            if (r.boolean(key, &gzip))
                engine.insert(QStringLiteral("httpCompression"), gzip);
        } else if (key == u"clientDirectory") {
            r.string(key, &options.clientDirectory);
        } else if (key == u"path" || key == u"resource") {
            QString path;
            if (r.string(key, &path))
                engine.insert(QStringLiteral("path"), path);
        } else if (key == u"parser") {
            QString name;
            if (r.oneOf(key, &name, {QStringLiteral("default"), QStringLiteral("msgpack")}))
                options.parser = Parser::byName(name);
        } else if (key == u"connectTimeout") {
            r.integer(key, &options.connectTimeout, 1);
        } else if (key == u"workers") {
            r.integer(key, &options.workers, 0, 26);
        } else if (key == u"cleanupEmptyChildNamespaces") {
            r.boolean(key, &options.cleanupEmptyChildNamespaces);
        } else if (key == u"connectionStateRecovery") {
            if (value.typeId() == QMetaType::Bool) {
                if (value.toBool())
                    options.connectionStateRecovery = ConnectionStateRecoveryOptions();
                continue;
            }
            QVariantMap sub;
            if (value.typeId() != QMetaType::QVariantMap) {
                r.fail(key, "true, false or an object");
                break;
            }
            r.object(key, &sub);
            ConnectionStateRecoveryOptions recovery;
            OptionReader sr(sub, &problem, QStringLiteral("connectionStateRecovery."));
            if (sr.known({QStringLiteral("maxDisconnectionDuration"),
                          QStringLiteral("skipMiddlewares")}) &&
                sr.integer(QStringLiteral("maxDisconnectionDuration"),
                           &recovery.maxDisconnectionDuration, 1) &&
                sr.boolean(QStringLiteral("skipMiddlewares"), &recovery.skipMiddlewares)) {
                options.connectionStateRecovery = recovery;
            } else {
                break;
            }
        } else if (key == u"heartbeat interval" || key == u"heartbeat timeout") {
            // 0.9 counted seconds.
            double seconds = 0;
            if (r.real(key, &seconds, 0, std::numeric_limits<int>::max() / 1000))
                engine.insert(key == u"heartbeat interval" ? QStringLiteral("pingInterval")
                                                           : QStringLiteral("pingTimeout"),
                              qRound(seconds * 1000));
        } else if (key == u"destroy upgrade") {
            engine.insert(QStringLiteral("destroyUpgrade"), value);
        } else if (key == u"destroy buffer size") {
            engine.insert(QStringLiteral("maxHttpBufferSize"), value);
        } else if (key == u"origins") {
            // "*:*" (the 0.9 default) or "host:port" entries, or a list of origins.
            QStringList origins;
            if (value.typeId() == QMetaType::QString)
                origins = value.toString().split(u' ', Qt::SkipEmptyParts);
            else if (!r.strings(key, &origins))
                break;
            if (origins.isEmpty() || origins.contains(QStringLiteral("*:*")) ||
                origins.contains(QStringLiteral("*"))) {
                engine.insert(QStringLiteral("cors"),
                              QVariantMap{{QStringLiteral("origin"), QStringLiteral("*")}});
            } else {
                engine.insert(QStringLiteral("cors"),
                              QVariantMap{{QStringLiteral("origin"), origins}});
            }
        } else if (key == u"transports") {
            QStringList names;
            QStringList transports;
            QString refused;
            if (!r.strings(key, &names))
                break;
            if (!legacyTransports(names, &transports, &refused))
                r.failWith(refused);
            else
                engine.insert(QStringLiteral("transports"), transports);
        } else {
            // The engine's options, read (and unknown names reported) by EngineOptions.
            engine.insert(key, value);
        }
    }
    if (problem.isEmpty()) {
        const QString path = options.engine.path;
        if (!engine.contains(QStringLiteral("path")))
            engine.insert(QStringLiteral("path"), path);
        options.engine = EngineOptions::fromVariantMap(engine, &problem);
    }
    if (problem.isEmpty())
        problem = options.validate();
    if (error)
        *error = problem;
    return options;
}

} // namespace SocketIO
