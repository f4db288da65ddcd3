#pragma once

#include "socketio_export.h"
#include <SocketIO/engineoptions.h>
#include <SocketIO/parser.h>

#include <QtCore/QMetaType>
#include <QtCore/QSharedDataPointer>

#include <functional>
#include <memory>
#include <optional>

namespace SocketIO {

class Adapter;
class Namespace;

class ConnectionStateRecoveryOptionsExtension;

struct SOCKETIO_EXPORT ConnectionStateRecoveryOptions
{
    ConnectionStateRecoveryOptions();
    ConnectionStateRecoveryOptions(const ConnectionStateRecoveryOptions &other);
    ConnectionStateRecoveryOptions(ConnectionStateRecoveryOptions &&other) noexcept;
    ConnectionStateRecoveryOptions &operator=(const ConnectionStateRecoveryOptions &other);
    ConnectionStateRecoveryOptions &operator=(ConnectionStateRecoveryOptions &&other) noexcept;
    ~ConnectionStateRecoveryOptions();

    int maxDisconnectionDuration = 2 * 60 * 1000; // ms
    bool skipMiddlewares = true;

private:
    // Reserved: fields added after 1.0 live here, behind accessor functions, so that the
    // layout above stays fixed. Null (no allocation) until such a field is set.
    QSharedDataPointer<ConnectionStateRecoveryOptionsExtension> m_extension;
};

// The Socket.IO 0.9 protocol (socket.io-client 0.9.x: handshake at <path>/1/, "5:::" frames),
// for devices that still speak it. Off by default, like allowEIO3. The durations are in
// seconds, as 0.9 counted them, with 0.9's defaults.
struct SOCKETIO_EXPORT Protocol09Options
{
    bool enabled = false;
    int heartbeatInterval = 25; // "heartbeat interval": the server's heartbeat period
    int heartbeatTimeout = 60;  // "heartbeat timeout": how long a silent client is kept
    int closeTimeout = 60;      // "close timeout": how long a session outlives its transport
    int pollingDuration = 20;   // "polling duration": how long a long-poll is held
    bool heartbeats = true;     // "heartbeats"
    // The transports offered in the handshake, with 0.9's names.
    QStringList transports{QStringLiteral("websocket"), QStringLiteral("xhr-polling"),
                           QStringLiteral("jsonp-polling")};
};

class HttpRequest;
class HttpResponse;

// The 0.9-era settings that have no field elsewhere, filled by Server::set() and
// ServerOptions::fromVariantMap() from 0.9's names ("origins", "authorization", "browser
// client ...", "log level"). The defaults keep the modern behaviour; the 0.9 defaults are in
// the README's table.
struct SOCKETIO_EXPORT Legacy09Options
{
    // 0.9's authorization callback: call `callback(error, authorized)` now or later. A
    // non-empty error or false refuses the handshake with 403.
    using AuthorizationCallback = std::function<void(const QString &error, bool authorized)>;
    // `handshakeData` holds 0.9's fields: headers, time, address {address, port}, xdomain,
    // secure, issued, url and query.
    using Authorization =
        std::function<void(const QVariantMap &handshakeData, AuthorizationCallback callback)>;
    // 0.9's "browser client handler": answers the requests for the client files.
    using ClientHandler = std::function<void(const HttpRequest &request, HttpResponse &response)>;

    // Allowed origins as "host:port", "host:*", "*:port" or "*:*" (everyone, the default).
    QStringList origins{QStringLiteral("*:*")};
    Authorization authorization;
    bool clientMinification = false; // serve socket.io.min.js for socket.io.js
    bool clientEtag = true;          // ETag and 304 on the client files
    bool clientGzip = true;          // compress the client files as the request accepts
    int clientExpires = -1;          // seconds of Cache-Control/Expires; -1: max-age=0
    bool clientCache = false;        // keep the client files in memory once read
    ClientHandler clientHandler;
    // 0 error, 1 warn, 2 info, 3 debug, applied to the socketio.* logging categories when the
    // Server takes the options; unset: Qt's own rules. `log` false silences them all.
    std::optional<int> logLevel;
    bool log = true;
};

class ServerOptionsExtension;

// The Socket.IO server options, with the defaults of Node's socket.io 4.8. The engine
// options (engine.path defaults to "/socket.io" here) are set in `engine`.
struct SOCKETIO_EXPORT ServerOptions
{
    ServerOptions();
    ServerOptions(const ServerOptions &other);
    ServerOptions(ServerOptions &&other) noexcept;
    ServerOptions &operator=(const ServerOptions &other);
    ServerOptions &operator=(ServerOptions &&other) noexcept;
    ~ServerOptions();

    EngineOptions engine;
    bool serveClient = true;
    // Where socket.io.js and friends are read from, e.g. node_modules/socket.io-client/dist.
    QString clientDirectory;
    // Creates the adapter of each namespace; the in-memory Adapter when unset.
    std::function<Adapter *(Namespace *)> adapter;
    std::shared_ptr<const Parser> parser = Parser::defaultParser();
    int connectTimeout = 45'000; // ms
    bool cleanupEmptyChildNamespaces = false;
    std::optional<ConnectionStateRecoveryOptions> connectionStateRecovery;
    // Worker threads, each running its own engine and namespaces (set up by
    // Server::setWorkerSetup()), joined through a cluster adapter; the listening thread only
    // routes connections. 0 (the default) serves everything on the server's thread. Not a
    // reference option: Node scales out with processes.
    int workers = 0;

    // The 0.9 protocol (off by default).
    Protocol09Options protocol09() const;
    void setProtocol09(const Protocol09Options &options);
    // The other 0.9 settings (origins, authorization, browser client, log level).
    Legacy09Options legacy09() const;
    void setLegacy09(const Legacy09Options &options);

    // Empty when usable; else why not.
    QString validate() const;

    // Reads the reference's option names, engine options included ("pingInterval", "cors",
    // ...), from a map such as a parsed JSON object. The 0.9-era names ("heartbeat interval",
    // "heartbeat timeout", "close timeout", "transports", "resource", "origins",
    // "browser client", "destroy upgrade", "destroy buffer size", "log level", ...) are mapped
    // to their modern equivalents (with 0.9's semantics) where one exists and refused with an
    // explanation where none does. Unknown names and wrong types are errors; `error` lists
    // every problem, one a line.
    static ServerOptions fromVariantMap(const QVariantMap &map, QString *error);

    // The v3 mode: the defaults of socket.io 3.1 (engine.io 4.1) where they differ from
    // 4.8's (pingTimeout 5000 instead of 20000), with allowEIO3 on, for an app whose clients
    // and tuning were made against a v3 server.
    static ServerOptions v3();

private:
    // Reserved: fields added after 1.0 live here, behind accessor functions, so that the
    // layout above stays fixed. Null (no allocation) until such a field is set.
    QSharedDataPointer<ServerOptionsExtension> m_extension;
};

} // namespace SocketIO

Q_DECLARE_METATYPE(SocketIO::Legacy09Options::Authorization)
Q_DECLARE_METATYPE(SocketIO::Legacy09Options::ClientHandler)
