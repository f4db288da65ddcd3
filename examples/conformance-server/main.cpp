// The server the official Socket.IO protocol suites (socket.io-protocol) test against: a
// Socket.IO server under /socket.io/ and a raw Engine.IO echo server under /engine.io/, on
// one port. With --admin, also instrumented for the Admin UI (namespace /admin). With
// --redis HOST:PORT, one server of a cluster on that Redis (the classic adapter, the wire format
// of Node's @socket.io/redis-adapter); --redis-sharded and --redis-streams, the same with the
// sharded adapter or with the streams adapter (and connection state recovery). Every server sends
// the arguments of a client's "broadcast" event to every client of the cluster as "broadcast".
#include <SocketIO/EngineServer>
#include <SocketIO/Instrumentation>
#include <SocketIO/Server>
#if SOCKETIO_REDIS
#include <SocketIO/RedisAdapter>
#endif

#include <QtCore/QCommandLineParser>
#include <QtCore/QCoreApplication>
#include <QtCore/QTextStream>

#include <memory>

using namespace SocketIO;

namespace {

// HOST:PORT (the host may be a name, an IPv4 address or a bracketed IPv6 one); false when the
// text is not that.
bool parseAddress(const QString &text, QString *host, quint16 *port)
{
    const qsizetype colon = text.lastIndexOf(u':');
    if (colon <= 0)
        return false;
    bool ok = false;
    const uint number = text.mid(colon + 1).toUInt(&ok);
    if (!ok || number == 0 || number > 65535)
        return false;
    QString name = text.left(colon);
    if (name.startsWith(u'[') && name.endsWith(u']'))
        name = name.mid(1, name.size() - 2);
    if (name.isEmpty() || name.contains(u'[') || name.contains(u']'))
        return false;
    *host = name;
    *port = quint16(number);
    return true;
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("Socket.IO protocol conformance server"));
    parser.addHelpOption();
    QCommandLineOption portOption(QStringLiteral("port"),
                                  QStringLiteral("TCP port (0 picks a free one)."),
                                  QStringLiteral("port"), QStringLiteral("3000"));
    QCommandLineOption eio3Option(QStringLiteral("eio3"),
                                  QStringLiteral("Accept Engine.IO v3 clients (allowEIO3)."));
    QCommandLineOption allow09Option(
        QStringLiteral("allow-09"),
        QStringLiteral("Accept Socket.IO 0.9 clients too (ServerOptions::protocol09()), on the "
                       "same namespaces and handlers."));
    QCommandLineOption wsEngineOption(
        QStringLiteral("ws-engine"),
        QStringLiteral("The WebSocket engine: lean (the default where built) or qt."),
        QStringLiteral("engine"));
    QCommandLineOption hostOption(QStringLiteral("host"), QStringLiteral("Address to listen on."),
                                  QStringLiteral("address"), QStringLiteral("127.0.0.1"));
    QCommandLineOption adminOption(
        QStringLiteral("admin"),
        QStringLiteral("Instrument the server for the Admin UI and the Inspector (namespace "
                       "/admin, no authentication, development mode)."));
    // Redis scale-out, one flag per adapter, each with the address of the Redis server. Only
    // one may be given.
    const QString redisHelp =
        QStringLiteral(" The server starts serving at once, and reports on stderr when Redis is "
                       "connected or lost.");
    QCommandLineOption redisOption(
        QStringLiteral("redis"),
        QStringLiteral("Join the cluster of servers on this Redis with the classic adapter (the "
                       "format of @socket.io/redis-adapter).") +
            redisHelp,
        QStringLiteral("host:port"));
    QCommandLineOption redisShardedOption(
        QStringLiteral("redis-sharded"),
        QStringLiteral("The same with the sharded adapter (createShardedAdapter of "
                       "@socket.io/redis-adapter; Redis 7 sharded Pub/Sub).") +
            redisHelp,
        QStringLiteral("host:port"));
    QCommandLineOption redisStreamsOption(
        QStringLiteral("redis-streams"),
        QStringLiteral("The same with the streams adapter (@socket.io/redis-streams-adapter), "
                       "with connection state recovery across the servers.") +
            redisHelp,
        QStringLiteral("host:port"));
    parser.addOptions({portOption, eio3Option, allow09Option, wsEngineOption, hostOption,
                       adminOption, redisOption, redisShardedOption, redisStreamsOption});
    parser.process(app);

    // The Redis flag given, if any.
    const QCommandLineOption *redisFlag = nullptr;
    for (const QCommandLineOption *flag :
         {&redisOption, &redisShardedOption, &redisStreamsOption}) {
        if (!parser.isSet(*flag))
            continue;
        if (redisFlag) {
            QTextStream(stderr) << "--" << redisFlag->names().constFirst() << " and --"
                                << flag->names().constFirst()
                                << ": a server joins one cluster, with one adapter\n";
            return 2;
        }
        redisFlag = flag;
    }
    const QString redisName = redisFlag ? redisFlag->names().constFirst() : QString();
    QString redisHost;
    quint16 redisPort = 0;
    if (redisFlag && !parseAddress(parser.value(*redisFlag), &redisHost, &redisPort)) {
        QTextStream(stderr) << "--" << redisName
                            << " wants HOST:PORT, such as 127.0.0.1:6379, not \""
                            << parser.value(*redisFlag) << "\"\n";
        return 2;
    }

    EngineOptions engineOptions;
    engineOptions.pingInterval = 300;
    engineOptions.pingTimeout = 200;
    engineOptions.maxHttpBufferSize = 1'000'000;
    engineOptions.cors = CorsOptions();
    engineOptions.allowEIO3 = parser.isSet(eio3Option);
    if (parser.isSet(wsEngineOption))
        engineOptions.wsEngine = parser.value(wsEngineOption);

    ServerOptions options;
    options.engine = engineOptions;
    options.engine.path = QStringLiteral("/socket.io");
    options.connectTimeout = 1000;
    if (parser.isSet(allow09Option)) {
        Protocol09Options legacy = options.protocol09();
        legacy.enabled = true;
        options.setProtocol09(legacy);
    }

    // The cluster's connections, created before the server that uses them and destroyed after.
#if SOCKETIO_REDIS
    std::unique_ptr<RedisCluster> redis;
    if (redisFlag) {
        RedisAdapterOptions redisOptions;
        redisOptions.host = redisHost;
        redisOptions.port = redisPort;
        redis = std::make_unique<RedisCluster>(redisOptions);
        if (redisFlag == &redisShardedOption) {
            options.adapter = redis->shardedAdapterFactory();
        } else if (redisFlag == &redisStreamsOption) {
            options.adapter = redis->streamsAdapterFactory();
            options.connectionStateRecovery = ConnectionStateRecoveryOptions();
        } else {
            options.adapter = redis->adapterFactory();
        }
        // Serving does not wait for Redis: until it is up, the server behaves as during any
        // later outage (its own clients are served; RedisCluster logs and retries).
        const QString address = parser.value(*redisFlag);
        QObject::connect(
            redis.get(), &RedisCluster::connectedChanged, redis.get(), [address](bool connected) {
                QTextStream(stderr)
                    << (connected ? "redis connected: " : "redis lost: ") << address << Qt::endl;
            });
    }
#else
    if (redisFlag) {
        QTextStream(stderr) << "--" << redisName
                            << ": this SocketIO library was built without Redis "
                               "(SOCKETIO_REDIS needs hiredis)\n";
        return 2;
    }
#endif
    Server io(options);

    QObject::connect(&io, &Server::connection, &io, [&io](Socket *socket) {
        socket->emitEvent(QStringLiteral("auth"), {socket->handshake().auth()});
        // To every client of every server of the cluster (io.emit in Node).
        socket->on(QStringLiteral("broadcast"), socket,
                   [&io](const QVariantList &args, const Ack &) {
                       io.emitEvent(QStringLiteral("broadcast"), args);
                   });
        socket->on(QStringLiteral("message"), socket,
                   [socket](const QVariantList &args, const Ack &) {
                       socket->emitEvent(QStringLiteral("message-back"), args);
                   });
        socket->on(QStringLiteral("message-with-ack"), socket,
                   [](const QVariantList &args, const Ack &ack) { ack(args); });
    });
    QObject::connect(io.of(QStringLiteral("/custom")), &Namespace::connection, &io,
                     [](Socket *socket) {
                         socket->emitEvent(QStringLiteral("auth"), {socket->handshake().auth()});
                     });

    if (parser.isSet(adminOption)) {
        InstrumentOptions admin;
        admin.auth = InstrumentOptions::Auth::None;
        Instrumentation::instrument(&io, admin);
    }

    if (!io.listen(QHostAddress(parser.value(hostOption)), parser.value(portOption).toUShort())) {
        QTextStream(stderr) << "cannot listen: " << io.errorString() << '\n';
        return 1;
    }

    // Raw Engine.IO echo on the same port.
    engineOptions.path = QStringLiteral("/engine.io");
    EngineServer engine(engineOptions);
    QObject::connect(&engine, &EngineServer::connection, &engine, [](EngineSocket *socket) {
        QObject::connect(socket, &EngineSocket::messageReceived, socket,
                         [socket](const QByteArray &data, bool binary) {
                             if (binary)
                                 socket->sendBinary(data);
                             else
                                 socket->sendUtf8(data);
                         });
    });
    if (!engine.attach(io.engine())) {
        QTextStream(stderr) << "cannot attach the Engine.IO server: " << engine.errorString()
                            << '\n';
        return 1;
    }
    QTextStream(stdout) << "conformance server listening on port " << io.serverPort() << Qt::endl;
    return app.exec();
}
