// What the Redis adapter tests of this folder hold (tst_redis, tst_redis_sharded,
// tst_redis_streams, tst_redis_emitter): a real redis-server started once, the Servers of the
// current test function ("nodes", each with its own RedisCluster: its own connections, so Redis
// counts one server each), clients of them, what those clients received, and connections of
// the test's own to the redis-server. A test class derives from QObject and this.
#pragma once

#include "../../redisserver.h"

#include "redis/redisconnection_p.h"

#include <SocketIO/ClientSocket>
#include <SocketIO/Manager>
#include <SocketIO/Namespace>
#include <SocketIO/RedisAdapter>
#include <SocketIO/Server>
#include <SocketIO/Socket>

#include <QtTest/QSignalSpy>
#include <QtTest/QTest>

#include <algorithm>
#include <functional>

struct ClusterNode
{
    std::unique_ptr<SocketIO::RedisCluster> redis;
    std::unique_ptr<SocketIO::Server> server;
};

class ClusterFixture
{
public:
    using AdapterChoice = std::function<std::function<SocketIO::Adapter *(SocketIO::Namespace *)>(
        SocketIO::RedisCluster &)>;

    // Clears what a test function made: its clients, then its nodes.
    void clearCluster()
    {
        m_managers.clear();
        m_nodes.clear();
        m_received.clear();
    }

    // A node on this test's redis-server, or on `port` when given: a Server (with
    // `serverOptions`) whose adapter `adapter` picks on the node's RedisCluster, listening on a
    // free loopback port. Its sockets join the rooms of their auth {"rooms": [...]} and get the
    // data {"node": index}, unless they recovered a session (which brought both back).
    ClusterNode &addNode(const AdapterChoice &adapter, SocketIO::RedisAdapterOptions options = {},
                         SocketIO::ServerOptions serverOptions = {}, quint16 port = 0)
    {
        using namespace SocketIO;
        options.port = port ? port : m_redis.port();
        ClusterNode node;
        node.redis = std::make_unique<RedisCluster>(options);
        serverOptions.adapter = adapter(*node.redis);
        node.server = std::make_unique<Server>(serverOptions);
        const int index = int(m_nodes.size());
        QObject::connect(
            node.server.get(), &Server::connection, node.server.get(), [index](Socket *socket) {
                if (socket->isRecovered())
                    return;
                socket->join(
                    socket->handshake().auth().value(QStringLiteral("rooms")).toStringList());
                socket->setData({{QStringLiteral("node"), index}});
            });
        if (!node.server->listen(QHostAddress::LocalHost, 0))
            qWarning("node %d does not listen", index);
        m_nodes.push_back(std::move(node));
        return m_nodes.back();
    }

    // A client of node `index` on namespace `nsp` (the main one when empty); see connectClientTo().
    SocketIO::ClientSocket *client(int index, const QStringList &rooms = {},
                                   const QString &nsp = {})
    {
        return connectClientTo(m_nodes.at(index).server->serverPort(), rooms, nsp);
    }

    // A client of the server at `port` on namespace `nsp` over WebSocket, reconnecting only
    // when asked; its auth {"rooms": rooms} has a node's handler join it to them. What it
    // receives goes to m_received as "<n>#<event>", n counting the clients from 0.
    SocketIO::ClientSocket *connectClientTo(quint16 port, const QStringList &rooms = {},
                                            const QString &nsp = {}, bool reconnection = false)
    {
        using namespace SocketIO;
        ManagerOptions options;
        options.transports = {QStringLiteral("websocket")};
        options.reconnection = reconnection;
        options.reconnectionDelay = 50;
        options.reconnectionDelayMax = 200;
        m_managers.push_back(std::make_unique<Manager>(
            QUrl(QStringLiteral("http://127.0.0.1:%1").arg(port)), options));
        ClientSocket *socket =
            nsp.isEmpty() ? m_managers.back()->socket() : m_managers.back()->socket(nsp);
        socket->setAuth({{QStringLiteral("rooms"), rooms}});
        const QString name = QString::number(m_managers.size() - 1);
        QHash<QString, QVariantList> *received = &m_received;
        socket->onAny(socket, [received, name](const QString &event, const QVariantList &args) {
            received->insert(name + u'#' + event, args);
        });
        socket->connectToServer();
        return socket;
    }

    // Whether every node is connected to Redis and the adapter of its main namespace counts
    // every node.
    bool clusterFormed() const
    {
        return std::all_of(m_nodes.cbegin(), m_nodes.cend(), [this](const ClusterNode &n) {
            return n.redis->isConnected() &&
                   n.server->sockets()->adapter()->serverCount() == int(m_nodes.size());
        });
    }

    // The options of a connection of the test's own to its redis-server.
    SocketIO::Redis::ConnectionOptions rawOptions() const
    {
        SocketIO::Redis::ConnectionOptions options;
        options.port = m_redis.port();
        return options;
    }

    // Opens `connection` (its subscriptions made before); true once it is ready (within 5 s).
    static bool open(SocketIO::Redis::Connection &connection)
    {
        QSignalSpy ready(&connection, &SocketIO::Redis::Connection::connected);
        connection.open();
        return ready.wait(5000);
    }

    RedisServer m_redis; // started by the test's initTestCase()
    std::vector<ClusterNode> m_nodes;
    std::vector<std::unique_ptr<SocketIO::Manager>> m_managers;
    QHash<QString, QVariantList> m_received; // "client#event" -> args
};
