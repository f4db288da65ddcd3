// examples/cluster as a user runs it: a redis-server on a free port, two Qt nodes
// (`cluster-node`) and the Node node (examples/cluster/web/node.mjs: socket.io 4.8 with
// @socket.io/redis-adapter 8.3), each on a free port. Each node serves the page and the client
// bundle; a Qt client on each node; a chat message said on any node reaches the clients of all
// three, through Redis.
#include "../../redisserver.h"
#include "../exampleclient.h"

#include <SocketIO/ClientSocket>
#include <SocketIO/Manager>

#include <QtCore/QProcess>
#include <QtCore/QRegularExpression>
#include <QtTest/QSignalSpy>
#include <QtTest/QTest>

#include <memory>

using namespace SocketIO;

namespace {

const QString clusterNodeExecutable = QStringLiteral(CLUSTER_NODE_EXECUTABLE);
const QString nodeExecutable = QStringLiteral(INTEROP_NODE_EXECUTABLE);
const QString webDir = QStringLiteral(CLUSTER_WEB_DIR);

// One node of the cluster, a child process; its URL once it said it listens.
struct ClusterNode
{
    ~ClusterNode()
    {
        if (process.state() != QProcess::NotRunning) {
            process.terminate();
            if (!process.waitForFinished(5000)) { // teardown only
                process.kill();
                process.waitForFinished(5000);
            }
        }
    }
    QString name;
    QProcess process;
    QByteArray output;
    QUrl url;
};

// One client of one node: the "welcome" it got and the chat messages it received, in order.
struct ChatClient
{
    explicit ChatClient(const QUrl &url)
        : manager(url)
        , socket(manager.socket())
    {
        QObject::connect(socket, &ClientSocket::eventReceived, socket,
                         [this](const QString &event, const QVariantList &args) {
                             if (event == u"welcome")
                                 welcome = args.value(0).toMap();
                             else if (event == u"chat message")
                                 messages.append(args.value(0).toMap());
                         });
    }
    bool received(const QString &text, const QString &node) const
    {
        for (const QVariantMap &m : messages) {
            if (m.value(QStringLiteral("text")) == text && m.value(QStringLiteral("node")) == node)
                return true;
        }
        return false;
    }
    Manager manager;
    ClientSocket *socket;
    QVariantMap welcome;
    QList<QVariantMap> messages;
};

} // namespace

class tst_ClusterExample : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();
    void everyNodeServesThePageAndTheClient();
    void messageReachesEveryNode_data();
    void messageReachesEveryNode();
    void invalidMessageIsRefused();

private:
    void startNode(const QString &name, const QString &program, const QStringList &arguments);

    RedisServer m_redis;
    std::vector<std::unique_ptr<ClusterNode>> m_nodes;
    std::vector<std::unique_ptr<ChatClient>> m_clients; // m_clients[i] on m_nodes[i]
};

void tst_ClusterExample::startNode(const QString &name, const QString &program,
                                   const QStringList &arguments)
{
    auto node = std::make_unique<ClusterNode>();
    ClusterNode *n = node.get();
    m_nodes.push_back(std::move(node));
    n->name = name;
    n->process.setProcessChannelMode(QProcess::MergedChannels);
    connect(&n->process, &QProcess::readyReadStandardOutput, &n->process,
            [n] { n->output += n->process.readAllStandardOutput(); });
    n->process.start(program,
                     arguments + QStringList{QStringLiteral("--port"), QStringLiteral("0"),
                                             QStringLiteral("--redis"),
                                             QStringLiteral("127.0.0.1:%1").arg(m_redis.port()),
                                             QStringLiteral("--name"), name});
    QVERIFY2(n->process.waitForStarted(10'000),
             qPrintable(program + QStringLiteral(": ") + n->process.errorString()));
    const QRegularExpression listening(QRegularExpression::escape(name) +
                                       QStringLiteral(" listening: (http://localhost:\\d+/)"));
    QRegularExpressionMatch match;
    QTRY_VERIFY2_WITH_TIMEOUT(
        (match = listening.match(QString::fromUtf8(n->output)), match.hasMatch()),
        qPrintable(name + QStringLiteral(": ") + QString::fromUtf8(n->output)), 20'000);
    n->url = QUrl(match.captured(1));
    QTRY_VERIFY2_WITH_TIMEOUT(n->output.contains(name.toUtf8() + " joined the cluster"),
                              n->output.constData(), 20'000);
    QVERIFY2(!n->output.contains("no socket.io.js"), n->output.constData());
}

void tst_ClusterExample::initTestCase()
{
    const QString error = m_redis.start();
    QVERIFY2(error.isEmpty(), qPrintable(error));
    QVERIFY2(!nodeExecutable.isEmpty(), "node not found: install Node.js >= 20, re-run CMake");
    QVERIFY2(QFileInfo::exists(webDir + QStringLiteral("/node_modules/@socket.io/redis-adapter")),
             "examples/cluster/web/node_modules is missing: run npm ci there "
             "(scripts/install-deps.sh does)");

    startNode(QStringLiteral("qt-1"), clusterNodeExecutable, {});
    startNode(QStringLiteral("qt-2"), clusterNodeExecutable, {});
    startNode(QStringLiteral("node-1"), nodeExecutable, {webDir + QStringLiteral("/node.mjs")});
    if (QTest::currentTestFailed())
        return;

    for (const auto &node : m_nodes)
        m_clients.push_back(std::make_unique<ChatClient>(node->url));
    for (size_t i = 0; i < m_nodes.size(); ++i) {
        ChatClient &client = *m_clients[i];
        QTRY_VERIFY_WITH_TIMEOUT(client.socket->isConnected(), 10'000);
        QTRY_COMPARE(client.welcome.value(QStringLiteral("node")).toString(), m_nodes[i]->name);
        // Every node sees three servers on Redis (PUBSUB NUMSUB), so each is subscribed and a
        // broadcast from any of them reaches all. The Qt nodes refresh their count every second.
        QTRY_COMPARE_WITH_TIMEOUT(callWithAck(client.socket, QStringLiteral("nodes"))
                                      .value(QStringLiteral("servers"))
                                      .toInt(),
                                  3, 10'000);
    }
}

void tst_ClusterExample::cleanupTestCase()
{
    m_clients.clear();
    m_nodes.clear(); // SIGTERM each: the nodes leave Redis and exit
}

void tst_ClusterExample::everyNodeServesThePageAndTheClient()
{
    for (const auto &node : m_nodes) {
        int status = 0;
        const QByteArray page = httpGet(node->url, &status);
        QCOMPARE(status, 200);
        QVERIFY2(page.contains("<title>Socket.IO cluster chat</title>"), qPrintable(node->name));
        const QByteArray bundle =
            httpGet(node->url.resolved(QUrl(QStringLiteral("socket.io/socket.io.js"))), &status);
        QCOMPARE(status, 200);
        QVERIFY2(bundle.contains("Socket.IO v4.8.4"), qPrintable(node->name));
    }
}

void tst_ClusterExample::messageReachesEveryNode_data()
{
    QTest::addColumn<int>("sender");
    QTest::addRow("from qt-1") << 0;
    QTest::addRow("from qt-2") << 1;
    QTest::addRow("from node-1") << 2;
}

void tst_ClusterExample::messageReachesEveryNode()
{
    QFETCH(int, sender);
    QCOMPARE(m_clients.size(), size_t(3));
    const QString node = m_nodes[size_t(sender)]->name;
    const QString text = QStringLiteral("hello from a client of ") + node;
    const QVariantMap reply =
        callWithAck(m_clients[size_t(sender)]->socket, QStringLiteral("chat message"),
                    {QVariantMap{{QStringLiteral("user"), QStringLiteral("user-%1").arg(sender)},
                                 {QStringLiteral("text"), text}}});
    QCOMPARE(reply.value(QStringLiteral("ok")), QVariant(true));
    QCOMPARE(reply.value(QStringLiteral("node")).toString(), node);
    for (size_t i = 0; i < m_clients.size(); ++i)
        QTRY_VERIFY2(m_clients[i]->received(text, node),
                     qPrintable(QStringLiteral("the client of %1 did not get the message of %2")
                                    .arg(m_nodes[i]->name, node)));
}

void tst_ClusterExample::invalidMessageIsRefused()
{
    QCOMPARE(m_clients.size(), size_t(3));
    for (size_t i = 0; i < m_clients.size(); ++i) {
        const QVariantMap reply =
            callWithAck(m_clients[i]->socket, QStringLiteral("chat message"),
                        {QVariantMap{{QStringLiteral("user"), QStringLiteral("x")},
                                     {QStringLiteral("text"), QString()}}});
        QCOMPARE(reply.value(QStringLiteral("ok")), QVariant(false));
    }
}

QTEST_GUILESS_MAIN(tst_ClusterExample)
#include "tst_cluster_example.moc"
