// The mixed Redis cluster of the interop tests: a redis-server (or, with
// RedisAdapterOptions::setClusterModeEnabled(), a Redis Cluster of three), our Server on it with
// the adapter under test and one client of ours, and node/redis-peer.mjs (Node's socket.io with
// the same kind of adapter, chosen by its --adapter) with one client of its own. Our sockets join
// "qt-room" with data {node:"qt"}, the peer's join "node-room" with {node:"node"}; a server-side
// "ping" is answered "pong-from-qt" / "pong-from-node", a client's "question" "qt-client" /
// "node-client".
#pragma once

#include "../../auto/ackfuture.h"
#include "../../redisserver.h"
#include "../peerprocess.h"

#include <SocketIO/ClientSocket>
#include <SocketIO/Manager>
#include <SocketIO/Namespace>
#include <SocketIO/RedisAdapter>
#include <SocketIO/Server>
#include <SocketIO/Socket>

#include <QtCore/QJsonArray>

#include <algorithm>
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
    // why not. `serverOptions` are our server's, its adapter set here.
    QString start(const AdapterChoice &adapter, const QStringList &peerArguments,
                  SocketIO::RedisAdapterOptions options = {},
                  SocketIO::ServerOptions serverOptions = {})
    {
        using namespace SocketIO;
        // Cluster mode: three masters, both sides seeded with the first.
        const bool shards = options.isClusterModeEnabled();
        if (const QString error = shards ? redisShards.start(3) : redis.start(); !error.isEmpty())
            return error;
        const quint16 seedPort = shards ? redisShards.port(0) : redis.port();
        for (const char *module : {"redis-adapter", "redis-streams-adapter"}) {
            if (!QFileInfo::exists(QStringLiteral(INTEROP_NODE_DIR "/node_modules/@socket.io/") +
                                   QLatin1String(module)))
                return QStringLiteral("tests/interop/node/node_modules lacks @socket.io/") +
                       QLatin1String(module) + QStringLiteral(": run npm ci there");
        }
        options.port = seedPort;
        cluster = std::make_unique<RedisCluster>(options);
        serverOptions.adapter = adapter(*cluster);
        server = std::make_unique<Server>(serverOptions);
        QObject::connect(server.get(), &Server::connection, server.get(), [](Socket *socket) {
            if (socket->isRecovered())
                return; // rooms and data came back with the session
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
        nodePort =
            quint16(awaitEvent(QStringLiteral("listening")).value(QLatin1String("port")).toInt());
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

    // fetchSockets() both ways, all of them and a room's: each side sees the other's client with
    // its rooms, data and address.
    void fetchSocketsBothWays()
    {
        using SocketIO::RemoteSocket;
        const auto isNodeClient = [this](const RemoteSocket &remote) {
            QCOMPARE(remote.id(), nodeClientId);
            QCOMPARE(remote.rooms(), (QSet<QString>{nodeClientId, QStringLiteral("node-room")}));
            QCOMPARE(remote.data().value(QStringLiteral("node")).toString(),
                     QStringLiteral("node"));
            QCOMPARE(remote.handshake().value(QStringLiteral("address")).toString(),
                     QStringLiteral("127.0.0.1"));
        };
        QFuture<QList<RemoteSocket>> all = server->fetchSockets();
        QTRY_VERIFY(all.isFinished());
        const QList<RemoteSocket> sockets = all.result();
        QCOMPARE(sockets.size(), 2);
        const auto theirs =
            std::find_if(sockets.cbegin(), sockets.cend(),
                         [this](const RemoteSocket &r) { return r.id() == nodeClientId; });
        QVERIFY(theirs != sockets.cend());
        isNodeClient(*theirs);
        if (QTest::currentTestFailed())
            return;
        QFuture<QList<RemoteSocket>> inRoom =
            server->in(QStringLiteral("node-room")).fetchSockets();
        QTRY_VERIFY(inRoom.isFinished());
        QCOMPARE(inRoom.result().size(), 1);
        isNodeClient(inRoom.result().constFirst());
        if (QTest::currentTestFailed())
            return;

        command({{QStringLiteral("cmd"), QStringLiteral("fetch")},
                 {QStringLiteral("rooms"), QJsonArray{QStringLiteral("qt-room")}}});
        const QJsonObject fetched = awaitEvent(QStringLiteral("fetched"));
        QVERIFY2(!fetched.isEmpty(), qPrintable(node->log()));
        const QJsonArray list = fetched.value(QLatin1String("sockets")).toArray();
        QCOMPARE(list.size(), 1);
        const QJsonObject ours = list.at(0).toObject();
        const QString ourId = manager->socket()->id();
        QCOMPARE(ours.value(QLatin1String("id")).toString(), ourId);
        // The sid may sort before or after "qt-room": both sides sorted.
        QCOMPARE(sortedStrings(ours.value(QLatin1String("rooms")).toArray().toVariantList()),
                 sortedStrings({ourId, QStringLiteral("qt-room")}));
        QCOMPARE(
            ours.value(QLatin1String("data")).toObject().value(QLatin1String("node")).toString(),
            QStringLiteral("qt"));
        QCOMPARE(ours.value(QLatin1String("address")).toString(), QStringLiteral("127.0.0.1"));
    }

    // serverSideEmit() with an ack both ways: each server's "ping" answered by the other.
    void serverSideEmitWithAckBothWays()
    {
        QString error = QStringLiteral("unset");
        QVariantList responses;
        server->sockets()->serverSideEmit(QStringLiteral("ping"), {1}, server.get(),
                                          [&](const QString &e, const QVariantList &r) {
                                              error = e;
                                              responses = r;
                                          });
        QTRY_COMPARE(responses, QVariantList{QStringLiteral("pong-from-node")});
        QCOMPARE(error, QString());

        command({{QStringLiteral("cmd"), QStringLiteral("sse")},
                 {QStringLiteral("event"), QStringLiteral("ping")},
                 {QStringLiteral("args"), QJsonArray{1}}});
        const QJsonObject ack = awaitEvent(QStringLiteral("sseAck"));
        QVERIFY2(!ack.isEmpty(), qPrintable(node->log()));
        QVERIFY2(!ack.contains(QLatin1String("error")),
                 qPrintable(ack.value(QLatin1String("error")).toString()));
        QCOMPARE(ack.value(QLatin1String("responses")).toArray(),
                 QJsonArray{QStringLiteral("pong-from-qt")});
    }

    // Broadcasts with client acks both ways: both clients answer "question".
    void broadcastWithClientAcksBothWays()
    {
        const QStringList both{QStringLiteral("node-client"), QStringLiteral("qt-client")};
        QFuture<QVariantList> ours =
            server->timeout(3000).emitWithAck(QStringLiteral("question"), {1});
        QTRY_VERIFY(ours.isFinished());
        QVERIFY(!failedWithTimeout(ours));
        QCOMPARE(sortedStrings(ours.result()), both);

        command({{QStringLiteral("cmd"), QStringLiteral("emitWithAck")},
                 {QStringLiteral("event"), QStringLiteral("question")},
                 {QStringLiteral("args"), QJsonArray{2}},
                 {QStringLiteral("timeout"), 3000}});
        const QJsonObject acks = awaitEvent(QStringLiteral("acks"));
        QVERIFY2(!acks.isEmpty(), qPrintable(node->log()));
        QVERIFY2(!acks.contains(QLatin1String("error")),
                 qPrintable(acks.value(QLatin1String("error")).toString()));
        QCOMPARE(sortedStrings(acks.value(QLatin1String("responses")).toArray().toVariantList()),
                 both);
    }

    static QStringList sortedStrings(const QVariantList &list)
    {
        QStringList out;
        for (const QVariant &v : list)
            out.append(v.toString());
        out.sort();
        return out;
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

    // disconnectSockets(close) across the two: ours disconnects Node's client, then Node ours.
    // Both clients are gone afterwards.
    void remoteDisconnectBothWays(bool close = true)
    {
        server->in(QStringLiteral("node-room")).disconnectSockets(close);
        const QJsonObject gone = awaitEvent(QStringLiteral("disconnected"));
        QVERIFY2(!gone.isEmpty(), qPrintable(node->log()));
        QCOMPARE(gone.value(QLatin1String("reason")).toString(),
                 QStringLiteral("io server disconnect"));
        QVERIFY(manager->socket()->isConnected());

        command({{QStringLiteral("cmd"), QStringLiteral("disconnect")},
                 {QStringLiteral("rooms"), QJsonArray{QStringLiteral("qt-room")}},
                 {QStringLiteral("close"), close}});
        QTRY_VERIFY(!manager->socket()->isConnected());
    }

    RedisServer redis;
    RedisClusterServers redisShards; // in cluster mode, instead of redis
    std::unique_ptr<SocketIO::RedisCluster> cluster;
    std::unique_ptr<SocketIO::Server> server;
    std::unique_ptr<SocketIO::Manager> manager;
    std::unique_ptr<PeerProcess> node;
    quint16 nodePort = 0; // the Node server's
    QString nodeClientId;
    QHash<QString, QVariantList> received; // what our client got, by event
    qsizetype consumed = 0;                // peer lines already matched
};
