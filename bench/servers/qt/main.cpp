// socketio-bench-server: the Qt server of the benchmarks, with the same handlers as
// bench/node/server.mjs: every socket joins "room"; "echo" and "echo-bin" acknowledge with
// their arguments; "bcast" sends "news" with its arguments to "room". With --workers N the
// handlers run on each worker thread. With --admin the server is instrumented for the Admin UI
// (namespace /admin, no auth, development mode), to measure what an idle instrument costs.
//
// With --redis HOST:PORT the server joins a cluster through the RedisAdapter (bench/redis.py),
// and prints its line only once Redis and the subscriptions are up.
//
// Prints {"port":N,"wsEngine":...,"dispatcher":...} once listening. QT_NO_GLIB=1 in the
// environment selects Qt's own event dispatcher instead of the glib one.

#include <SocketIO/Instrumentation>
#include <SocketIO/Server>
// SOCKETIO_REDIS comes from socketio_config.h, which the headers above include.
#if SOCKETIO_REDIS
#include <SocketIO/RedisAdapter>
#endif

#include <QtCore/QAbstractEventDispatcher>
#include <QtCore/QCommandLineParser>
#include <QtCore/QCoreApplication>
#include <QtCore/QJsonDocument>
#include <QtCore/QJsonObject>
#include <QtNetwork/QHostAddress>

#include <csignal>
#include <cstdio>
#include <memory>

namespace {

void installHandlers(SocketIO::Server *io)
{
    QObject::connect(io, &SocketIO::Server::connection, io, [io](SocketIO::Socket *socket) {
        socket->join(QStringLiteral("room"));
        const auto echo = [](const QVariantList &args, const SocketIO::Ack &ack) { ack(args); };
        socket->on(QStringLiteral("echo"), socket, echo);
        socket->on(QStringLiteral("echo-bin"), socket, echo);
        socket->on(QStringLiteral("bcast"), socket,
                   [io](const QVariantList &args, const SocketIO::Ack &) {
                       io->to(QStringLiteral("room")).emitEvent(QStringLiteral("news"), args);
                   });
    });
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("Socket.IO benchmark server"));
    parser.addHelpOption();
    const QCommandLineOption portOption(QStringLiteral("port"),
                                        QStringLiteral("Port on 127.0.0.1 (0: any)."),
                                        QStringLiteral("port"), QStringLiteral("0"));
    const QCommandLineOption engineOption(QStringLiteral("ws-engine"),
                                          QStringLiteral("EngineOptions::wsEngine."),
                                          QStringLiteral("name"), QStringLiteral("qt"));
    const QCommandLineOption workersOption(QStringLiteral("workers"),
                                           QStringLiteral("ServerOptions::workers."),
                                           QStringLiteral("count"), QStringLiteral("0"));
    parser.addOption(portOption);
    parser.addOption(engineOption);
    parser.addOption(workersOption);
    const QCommandLineOption adminOption(QStringLiteral("admin"),
                                         QStringLiteral("Instrument for the Admin UI."));
    parser.addOption(adminOption);
    const QCommandLineOption deflateOption(
        QStringLiteral("per-message-deflate"),
        QStringLiteral("EngineOptions::perMessageDeflate (the \"lean\" engine only)."));
    parser.addOption(deflateOption);
    const QCommandLineOption redisOption(
        QStringLiteral("redis"), QStringLiteral("Join a cluster on this Redis (RedisAdapter)."),
        QStringLiteral("host:port"));
    parser.addOption(redisOption);
    parser.process(app);

    SocketIO::ServerOptions options;
    options.engine.wsEngine = parser.value(engineOption);
    options.workers = parser.value(workersOption).toInt();
    options.engine.perMessageDeflate = parser.isSet(deflateOption);
#if SOCKETIO_REDIS
    std::unique_ptr<SocketIO::RedisCluster> cluster;
    if (parser.isSet(redisOption)) {
        const QString redis = parser.value(redisOption);
        SocketIO::RedisAdapterOptions redisOptions;
        redisOptions.host = redis.section(u':', 0, -2);
        redisOptions.port = quint16(redis.section(u':', -1).toUInt());
        cluster = std::make_unique<SocketIO::RedisCluster>(redisOptions);
        options.adapter = cluster->adapterFactory();
    }
#else
    if (parser.isSet(redisOption)) {
        std::fprintf(stderr, "--redis: this SocketIO was built without the Redis adapter\n");
        return 2;
    }
#endif
    const QString invalid = options.validate();
    if (!invalid.isEmpty()) {
        std::fprintf(stderr, "invalid options: %s\n", qPrintable(invalid));
        return 2;
    }

    SocketIO::Server io(options);
    if (options.workers > 0)
        io.setWorkerSetup([](SocketIO::Server *worker) { installHandlers(worker); });
    else
        installHandlers(&io);
    if (parser.isSet(adminOption)) {
        SocketIO::InstrumentOptions admin;
        admin.auth = SocketIO::InstrumentOptions::Auth::None;
        SocketIO::Instrumentation::instrument(&io, admin);
    }
    if (!io.listen(QHostAddress::LocalHost, quint16(parser.value(portOption).toUInt()))) {
        std::fprintf(stderr, "listen failed: %s\n", qPrintable(io.errorString()));
        return 1;
    }

    // SIGTERM/SIGINT end the event loop, so the process exits normally.
    std::signal(SIGTERM, [](int) { QCoreApplication::quit(); });
    std::signal(SIGINT, [](int) { QCoreApplication::quit(); });

    QJsonObject info{
        {QStringLiteral("port"), io.serverPort()},
        {QStringLiteral("server"), QStringLiteral("qt")},
        {QStringLiteral("wsEngine"), options.engine.wsEngine},
        {QStringLiteral("workers"), options.workers},
        {QStringLiteral("perMessageDeflate"), options.engine.perMessageDeflate},
        {QStringLiteral("dispatcher"),
         QString::fromLatin1(QAbstractEventDispatcher::instance()->metaObject()->className())},
        {QStringLiteral("qt"), QString::fromLatin1(qVersion())},
    };
#if SOCKETIO_REDIS
    if (cluster)
        info.insert(QStringLiteral("adapter"), QStringLiteral("redis"));
#endif
    const auto ready = [info] {
        std::printf("%s\n", QJsonDocument(info).toJson(QJsonDocument::Compact).constData());
        std::fflush(stdout);
    };
#if SOCKETIO_REDIS
    // In a cluster, ready once this server is subscribed: earlier broadcasts would be lost.
    if (cluster && !cluster->isConnected()) {
        QObject::connect(cluster.get(), &SocketIO::RedisCluster::connectedChanged, &app,
                         [ready, done = false](bool connected) mutable {
                             if (connected && !done) {
                                 done = true;
                                 ready();
                             }
                         });
        return app.exec();
    }
#endif
    ready();
    return app.exec();
}
