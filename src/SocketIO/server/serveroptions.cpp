#include "serveroptions.h"

#include "server/legacy09_p.h"

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
    Legacy09Options legacy09;
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
    Returns the other 0.9 settings (origins, authorization, browser client, log level); their
    defaults keep the modern behaviour.
*/
Legacy09Options ServerOptions::legacy09() const
{
    return m_extension ? m_extension->legacy09 : Legacy09Options();
}

/*!
    Sets the other 0.9 settings to \a options.
*/
void ServerOptions::setLegacy09(const Legacy09Options &options)
{
    if (!m_extension)
        m_extension = new ServerOptionsExtension;
    m_extension->legacy09 = options;
}

/*!
    \struct SocketIO::Legacy09Options
    \inmodule SocketIO
    \brief The Socket.IO 0.9 settings that have no modern field.

    Server::set() and ServerOptions::fromVariantMap() fill them from 0.9's names ("origins",
    "authorization", "browser client minification", "log level", ...). The defaults keep the
    modern behaviour; the README's table gives 0.9's.
*/

/*!
    \typedef Legacy09Options::AuthorizationCallback

    The answer of an authorization: a non-empty \a error or \a authorized false refuses the
    handshake with 403.
*/

/*!
    \typedef Legacy09Options::Authorization

    0.9's authorization function: decides on each handshake, given 0.9's \a handshakeData
    (headers, time, address, xdomain, secure, issued, url, query), by calling \a callback now or
    later.
*/

/*!
    \typedef Legacy09Options::ClientHandler

    0.9's "browser client handler": fills \a response for a \a request of a client file.
*/

/*!
    \var Legacy09Options::origins

    The origins allowed on every request, polling and WebSocket, as "host:port", "host:*",
    "*:port" or "*:*" (everyone, the default), matched against the Origin header (else the
    Referer) with the scheme's default port; others get 403.
*/

/*!
    \var Legacy09Options::authorization

    Decides on each handshake (0.9's "authorization"); unset: everyone.
*/

/*!
    \var Legacy09Options::clientMinification

    Whether socket.io.min.js is served for socket.io.js (default false).
*/

/*!
    \var Legacy09Options::clientEtag

    Whether the client files carry an ETag and answer If-None-Match with 304 (default true).
*/

/*!
    \var Legacy09Options::clientGzip

    Whether the client files are compressed in the encoding the request accepts (default true).
*/

/*!
    \var Legacy09Options::clientExpires

    Seconds the client files may be cached (Cache-Control max-age and Expires); -1 (the
    default): "Cache-Control: public, max-age=0".
*/

/*!
    \var Legacy09Options::clientCache

    Whether a client file is kept in memory once read (default false: read on each request).
*/

/*!
    \var Legacy09Options::clientHandler

    Answers the requests for the client files instead of the server, when set.
*/

/*!
    \var Legacy09Options::logLevel

    0 (error) to 3 (debug), applied as QLoggingCategory filter rules on socketio.* when a
    Server takes the options; unset (the default): Qt's own rules.
*/

/*!
    \var Legacy09Options::log

    False silences every socketio.* logging category (default true).
*/

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
    Returns the options of the v3 mode: the defaults of socket.io 3.1 and engine.io 4.1 where
    they differ from socket.io 4.8's, that is EngineOptions::pingTimeout 5000 ms instead of
    20000, with EngineOptions::allowEIO3 on (3.1's default is off: Socket.IO 3 clients speak
    Engine.IO 4; it admits the Socket.IO 2 clients of an app moving from 2 to 3, as the
    migration guide does). Every other default (pingInterval 25000, upgradeTimeout 10000,
    maxHttpBufferSize 1e6, perMessageDeflate off, httpCompression with threshold 1024, no
    CORS, no cookie, connectTimeout 45000, serveClient, the path) was already the same. The
    options added after 3.1 (connectionStateRecovery, cleanupEmptyChildNamespaces,
    addTrailingSlash, ...) keep their defaults, which leave a v3 app's behaviour unchanged.

    Change fields afterwards as with the default options.
*/
ServerOptions ServerOptions::v3()
{
    ServerOptions options;
    options.engine.pingTimeout = 5000;
    options.engine.allowEIO3 = true;
    return options;
}

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
    if (workers > 0 && protocol09().enabled)
        return QStringLiteral("the 0.9 protocol is not supported with workers: the router "
                              "finds a session's worker from the sid query item, which 0.9 "
                              "puts in the path");
    return engine.validate();
}

/*!
    Reads options from \a input with the reference's option names, engine options included
    ("pingInterval", "cors", ...), such as a parsed JSON object. The 0.9-era names ("heartbeat
    interval", "close timeout", "transports", "resource", "origins", "browser client", ...) are
    mapped to their modern equivalents with 0.9's semantics where one exists and refused with
    an explanation naming the replacement where none does; the README's table lists each. The
    mapping is the one Server::set() uses. Unknown names (with the closest option named) and
    wrong types are errors: \a error (if not null) gets every problem, one a line.
*/
ServerOptions ServerOptions::fromVariantMap(const QVariantMap &input, QString *error)
{
    OptionMapper mapper{ServerOptions()};
    for (auto it = input.cbegin(); it != input.cend(); ++it)
        mapper.apply(it.key(), it.value());
    ServerOptions options = mapper.result();
    QStringList problems = mapper.problems();
    if (problems.isEmpty()) {
        if (const QString problem = options.validate(); !problem.isEmpty())
            problems.append(problem);
    }
    if (error)
        *error = problems.join(u'\n');
    return options;
}

} // namespace SocketIO
