// cluster-node: one Qt node of the cluster example. A Socket.IO server whose namespace "/" uses
// the RedisAdapter, so that a chat message said on any node of the cluster (Qt or Node, see
// web/node.mjs, which has the same handlers) reaches the clients of every node. It serves the
// chat page (web/index.html) and the official browser client.
//
//   cluster-node [--port 3000] [--redis 127.0.0.1:6379] [--name qt-1] [--client-dir DIR]
//
// Events: on connection the client gets "welcome" {node, servers}; "chat message" {user, text}
// is broadcast to the whole cluster as "chat message" {user, text, node} and acknowledged with
// {ok, node}; "nodes" is acknowledged with {node, servers} (servers: the nodes Redis counts).
//
// Prints "<name> listening: http://localhost:PORT/" once listening and "<name> joined the
// cluster" once both Redis connections and their subscriptions are up.
#include <SocketIO/Namespace>
#include <SocketIO/RedisAdapter>
#include <SocketIO/Server>
#include <SocketIO/Socket>

#include <QtCore/QCommandLineParser>
#include <QtCore/QCoreApplication>
#include <QtCore/QDir>
#include <QtCore/QFile>
#include <QtCore/QFileInfo>
#include <QtNetwork/QHostAddress>

#include <csignal>
#include <cstdio>

using namespace SocketIO;

namespace {
constexpr int MaxMessageLength = 2000;
constexpr int MaxNameLength = 32;

void installHandlers(Server *io, const QString &node)
{
    QObject::connect(io, &Server::connection, io, [io, node](Socket *socket) {
        socket->emitEvent(
            QStringLiteral("welcome"),
            {QVariantMap{{QStringLiteral("node"), node},
                         {QStringLiteral("servers"), io->sockets()->adapter()->serverCount()}}});
        socket->on(
            QStringLiteral("chat message"), socket,
            [io, node](const QVariantList &args, const Ack &ack) {
                const QVariantMap message = args.value(0).toMap();
                const QString user = message.value(QStringLiteral("user")).toString();
                const QString text = message.value(QStringLiteral("text")).toString();
                const bool ok = !user.isEmpty() && user.size() <= MaxNameLength &&
                                !text.isEmpty() && text.size() <= MaxMessageLength;
                // To every client of every node: the adapter publishes it on Redis.
                if (ok)
                    io->emitEvent(QStringLiteral("chat message"),
                                  {QVariantMap{{QStringLiteral("user"), user},
                                               {QStringLiteral("text"), text},
                                               {QStringLiteral("node"), node}}});
                if (ack.isValid())
                    ack({QVariantMap{{QStringLiteral("ok"), ok}, {QStringLiteral("node"), node}}});
            });
        socket->on(QStringLiteral("nodes"), socket,
                   [io, node](const QVariantList &, const Ack &ack) {
                       if (ack.isValid())
                           ack({QVariantMap{{QStringLiteral("node"), node},
                                            {QStringLiteral("servers"),
                                             io->sockets()->adapter()->serverCount()}}});
                   });
    });
}
} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("cluster-node"));

    QCommandLineParser parser;
    parser.setApplicationDescription(
        QStringLiteral("A Qt node of the Socket.IO cluster example (Redis adapter)"));
    parser.addHelpOption();
    const QCommandLineOption portOption(QStringLiteral("port"),
                                        QStringLiteral("Port to listen on (0: a free one)."),
                                        QStringLiteral("port"), QStringLiteral("3000"));
    const QCommandLineOption redisOption(
        QStringLiteral("redis"), QStringLiteral("The Redis server, HOST:PORT."),
        QStringLiteral("host:port"), QStringLiteral("127.0.0.1:6379"));
    const QCommandLineOption nameOption(QStringLiteral("name"),
                                        QStringLiteral("This node's name, shown to clients."),
                                        QStringLiteral("name"), QStringLiteral("qt"));
    const QCommandLineOption clientDirOption(
        QStringLiteral("client-dir"),
        QStringLiteral("socket.io-client's dist/ folder, served to the page."),
        QStringLiteral("dir"), QStringLiteral(CLUSTER_CLIENT_DIR));
    parser.addOptions({portOption, redisOption, nameOption, clientDirOption});
    parser.process(app);

    bool ok = false;
    const uint port = parser.value(portOption).toUInt(&ok);
    if (!ok || port > 65535) {
        std::fprintf(stderr, "cluster-node: --port takes a number from 0 to 65535\n");
        return 2;
    }
    const QString redis = parser.value(redisOption);
    const qsizetype colon = redis.lastIndexOf(u':');
    RedisAdapterOptions redisOptions;
    redisOptions.host = redis.left(colon);
    redisOptions.port = quint16(redis.mid(colon + 1).toUInt(&ok));
    if (colon <= 0 || !ok || redisOptions.port == 0) {
        std::fprintf(stderr, "cluster-node: --redis takes HOST:PORT\n");
        return 2;
    }
    const QString node = parser.value(nameOption);
    const QString clientDir = parser.value(clientDirOption);
    if (!QFileInfo::exists(QDir(clientDir).filePath(QStringLiteral("socket.io.js"))))
        std::fprintf(stderr,
                     "cluster-node: no socket.io.js in %s; the page will not load its client "
                     "(run npm ci in examples/cluster/web, or pass --client-dir)\n",
                     qPrintable(clientDir));

    // The cluster (this node's two Redis connections) outlives the server that uses it.
    RedisCluster cluster(redisOptions);
    QObject::connect(&cluster, &RedisCluster::connectedChanged, &app, [node](bool connected) {
        if (connected)
            std::printf("%s joined the cluster\n", qPrintable(node));
        else
            std::printf("%s lost Redis; reconnecting\n", qPrintable(node));
        std::fflush(stdout);
    });
    ServerOptions options;
    options.adapter = cluster.adapterFactory();
    options.clientDirectory = clientDir;
    options.engine.maxHttpBufferSize = 64 * 1024;
    Server io(options);
    installHandlers(&io, node);

    // The page itself; everything under /socket.io/ is the server's.
    io.engine()->setRequestHandler(&io, [](const HttpRequest &request, HttpResponse &response) {
        if (request.path() != QLatin1String("/") && request.path() != QLatin1String("/index.html"))
            return false;
        QFile page(QStringLiteral(":/cluster/index.html"));
        if (!page.open(QIODevice::ReadOnly))
            return false;
        response.setHeader("Content-Type", "text/html; charset=utf-8");
        response.setBody(page.readAll());
        return true;
    });
    if (!io.listen(QHostAddress::Any, quint16(port))) {
        std::fprintf(stderr, "cluster-node: cannot listen on port %u: %s\n", port,
                     qPrintable(io.errorString()));
        return 1;
    }
    std::printf("%s listening: http://localhost:%u/\n", qPrintable(node), io.serverPort());
    std::fflush(stdout);

    // SIGTERM and SIGINT end the event loop, so the server closes its clients and Redis.
    std::signal(SIGTERM, [](int) { QCoreApplication::quit(); });
    std::signal(SIGINT, [](int) { QCoreApplication::quit(); });
    return app.exec();
}
