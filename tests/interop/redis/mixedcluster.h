// The mixed Redis cluster of the interop tests: a redis-server (or, with
// RedisAdapterOptions::setClusterModeEnabled(), a Redis Cluster of three), our Server on it with
// the adapter under test and one client of ours, and node/redis-peer.mjs (Node's socket.io with
// @socket.io/redis-adapter) with one client of its own. Our sockets join "qt-room" with data
// {node:"qt"}, the peer's join "node-room" with {node:"node"}; a server-side "ping" is
// answered "pong-from-qt" / "pong-from-node", a client's "question" "qt-client" /
// "node-client".
#pragma once

#include "../../redisserver.h"
#include "../peerprocess.h"

#include <SocketIO/ClientSocket>
#include <SocketIO/Manager>
#include <SocketIO/Namespace>
#include <SocketIO/RedisAdapter>
#include <SocketIO/Server>
#include <SocketIO/Socket>

#include <QtCore/QJsonArray>

#include <functional>

class MixedCluster
{
public:
    using AdapterChoice = std::function<std::function<SocketIO::Adapter *(SocketIO::Namespace *)>(
        SocketIO::RedisCluster &)>;

    MixedCluster() = default;
    ~MixedCluster() { stop(); }
    MixedCluster(const MixedCluster &) = delete;
    MixedCluster &operator=(const MixedCluster &) = delete;

    // Empty once both servers and both clients are up and each server counts two; otherwise
    // why not.
    QString start(const AdapterChoice &adapter, const QStringList &peerArguments,
                  SocketIO::RedisAdapterOptions options = {})
    {
        using namespace SocketIO;
        // Cluster mode: three masters, both sides seeded with the first.
        const bool shards = options.isClusterModeEnabled();
        if (const QString error = shards ? redisShards.start(3) : redis.start(); !error.isEmpty())
            return error;
        const quint16 seedPort = shards ? redisShards.port(0) : redis.port();
        if (!QFileInfo::exists(
                QStringLiteral(INTEROP_NODE_DIR "/node_modules/@socket.io/redis-adapter")))
            return QStringLiteral("tests/interop/node/node_modules lacks "
                                  "@socket.io/redis-adapter: run npm ci there");
        options.port = seedPort;
        cluster = std::make_unique<RedisCluster>(options);
        ServerOptions serverOptions;
        serverOptions.adapter = adapter(*cluster);
        server = std::make_unique<Server>(serverOptions);
        QObject::connect(server.get(), &Server::connection, server.get(), [](Socket *socket) {
            socket->join(QStringLiteral("qt-room"));
            socket->setData({{QStringLiteral("node"), QStringLiteral("qt")}});
        });
        server->sockets()->onServerSideEvent(
            QStringLiteral("ping"), server.get(),
            [](const QVariantList &, const Ack &ack) { ack({QStringLiteral("pong-from-qt")}); });
        if (!server->listen(QHostAddress::LocalHost, 0))
            return QStringLiteral("our server does not listen");

        ManagerOptions managerOptions;
        managerOptions.transports = {QStringLiteral("websocket")};
        managerOptions.reconnection = false;
        manager = std::make_unique<Manager>(
            QUrl(QStringLiteral("http://127.0.0.1:%1").arg(server->serverPort())), managerOptions);
        ClientSocket *client = manager->socket();
        client->onAny(client, [this](const QString &event, const QVariantList &args) {
            received.insert(event, args);
        });
        client->on(QStringLiteral("question"), client, [](const QVariantList &, const Ack &ack) {
            ack({QStringLiteral("qt-client")});
        });
        client->connectToServer();

        node = std::make_unique<PeerProcess>(QStringLiteral(INTEROP_NODE_EXECUTABLE),
                                             QStringLiteral(INTEROP_NODE_DIR));
        node->process.setArguments(
            QStringList{QStringLiteral("redis-peer.mjs"), QStringLiteral("--redis-port"),
                        QString::number(seedPort), QStringLiteral("--rooms"),
                        QStringLiteral("node-room")} +
            (shards ? QStringList{QStringLiteral("--cluster")} : QStringList()) + peerArguments);
        node->process.start();
        const QJsonObject connected = awaitEvent(QStringLiteral("connected"));
        if (connected.isEmpty())
            return QStringLiteral("the Node peer did not connect: ") + node->log();
        nodeClientId = connected.value(QStringLiteral("id")).toString();
        if (!QTest::qWaitFor([client] { return client->isConnected(); }, 10'000))
            return QStringLiteral("our client did not connect");
        if (!QTest::qWaitFor([this] { return server->sockets()->adapter()->serverCount() == 2; },
                             10'000))
            return QStringLiteral("our server does not count two servers");
        command({{QStringLiteral("cmd"), QStringLiteral("count")}});
        const int count =
            awaitEvent(QStringLiteral("count")).value(QStringLiteral("servers")).toInt();
        if (count != 2)
            return QStringLiteral("the Node server counts %1 servers").arg(count);
        return {};
    }

    void stop()
    {
        if (node && node->process.state() != QProcess::NotRunning) {
            node->process.closeWriteChannel();
            awaitPeer(*node, 10'000);
        }
        node.reset();
        manager.reset();
        server.reset();
        cluster.reset();
    }

    void command(const QJsonObject &command)
    {
        node->process.write(QJsonDocument(command).toJson(QJsonDocument::Compact) + '\n');
    }

    // The first line of the peer's output not matched yet whose "event" is `name` (and whose
    // "name" is `receivedName` when given); empty when none came within 10 s.
    QJsonObject awaitEvent(const QString &name, const QString &receivedName = {})
    {
        QJsonObject found;
        auto look = [&] {
            const QList<QJsonObject> events = node->events();
            for (qsizetype i = consumed; i < events.size(); ++i) {
                const QJsonObject &e = events.at(i);
                if (e.value(QLatin1String("event")).toString() == name &&
                    (receivedName.isEmpty() ||
                     e.value(QLatin1String("name")).toString() == receivedName)) {
                    found = e;
                    consumed = i + 1;
                    return true;
                }
            }
            return false;
        };
        if (!QTest::qWaitFor(look, 10'000))
            return {};
        return found;
    }

    // The rooms of the peer's client, sorted, as its server sees them.
    QStringList nodeClientRooms()
    {
        command({{QStringLiteral("cmd"), QStringLiteral("rooms")},
                 {QStringLiteral("id"), nodeClientId}});
        QStringList rooms;
        const QJsonArray list =
            awaitEvent(QStringLiteral("rooms")).value(QLatin1String("rooms")).toArray();
        for (const QJsonValue &room : list)
            rooms.append(room.toString());
        rooms.sort();
        return rooms;
    }

    // socketsJoin/socketsLeave across the two implementations: ours moves Node's client, Node
    // moves ours. A test slot calls it and returns on failure (QTest::currentTestFailed()).
    void remoteJoinAndLeaveBothWays()
    {
        const QString joined = QStringLiteral("joined-by-qt");
        server->in(QStringLiteral("node-room")).socketsJoin(joined);
        QTRY_VERIFY(nodeClientRooms().contains(joined));
        server->in(QStringLiteral("node-room")).socketsLeave(joined);
        QTRY_VERIFY(!nodeClientRooms().contains(joined));
        QStringList expected{nodeClientId, QStringLiteral("node-room")};
        expected.sort();
        QCOMPARE(nodeClientRooms(), expected);

        const QString ourId = manager->socket()->id();
        SocketIO::Adapter *adapter = server->sockets()->adapter();
        const QJsonObject join{{QStringLiteral("cmd"), QStringLiteral("join")},
                               {QStringLiteral("rooms"), QJsonArray{QStringLiteral("qt-room")}},
                               {QStringLiteral("room"), QStringLiteral("by-node")}};
        command(join);
        QTRY_VERIFY(adapter->socketRooms(ourId).contains(QStringLiteral("by-node")));
        QJsonObject leave = join;
        leave.insert(QStringLiteral("cmd"), QStringLiteral("leave"));
        command(leave);
        QTRY_VERIFY(!adapter->socketRooms(ourId).contains(QStringLiteral("by-node")));
        QCOMPARE(adapter->socketRooms(ourId), (QSet<QString>{ourId, QStringLiteral("qt-room")}));
    }

    // disconnectSockets across the two: ours disconnects Node's client, then Node ours. Both
    // clients are gone afterwards.
    void remoteDisconnectBothWays()
    {
        server->in(QStringLiteral("node-room")).disconnectSockets(true);
        const QJsonObject gone = awaitEvent(QStringLiteral("disconnected"));
        QVERIFY2(!gone.isEmpty(), qPrintable(node->log()));
        QVERIFY(manager->socket()->isConnected());

        command({{QStringLiteral("cmd"), QStringLiteral("disconnect")},
                 {QStringLiteral("rooms"), QJsonArray{QStringLiteral("qt-room")}}});
        QTRY_VERIFY(!manager->socket()->isConnected());
    }

    RedisServer redis;
    RedisClusterServers redisShards; // in cluster mode, instead of redis
    std::unique_ptr<SocketIO::RedisCluster> cluster;
    std::unique_ptr<SocketIO::Server> server;
    std::unique_ptr<SocketIO::Manager> manager;
    std::unique_ptr<PeerProcess> node;
    QString nodeClientId;
    QHash<QString, QVariantList> received; // what our client got, by event
    qsizetype consumed = 0;                // peer lines already matched
};
