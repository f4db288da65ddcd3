// The conformance server (examples/conformance-server) as a cluster: two processes started with
// --redis on one redis-server started here, a client on each; a client's "broadcast" event
// reaches the clients of both servers. Also: "broadcast" on a lone server, and a malformed
// --redis address refused before serving.
#include "clusterfixture.h"

#include <QtCore/QProcess>
#include <QtCore/QRegularExpression>

using namespace SocketIO;

namespace {

QString s(const char *text)
{
    return QString::fromUtf8(text);
}

// One conformance-server process; its port once it printed it.
struct ServerProcess
{
    QProcess process;
    QByteArray out;
    QByteArray err;

    explicit ServerProcess(const QStringList &arguments)
    {
        process.setProgram(s(CONFORMANCE_SERVER));
        process.setArguments(QStringList{s("--port"), s("0")} + arguments);
        QObject::connect(&process, &QProcess::readyReadStandardOutput, &process,
                         [this] { out += process.readAllStandardOutput(); });
        QObject::connect(&process, &QProcess::readyReadStandardError, &process,
                         [this] { err += process.readAllStandardError(); });
        process.start();
    }
    ~ServerProcess()
    {
        if (process.state() != QProcess::NotRunning) {
            process.kill();
            process.waitForFinished(5000); // teardown only
        }
    }
    quint16 port() const
    {
        const QRegularExpressionMatch match =
            QRegularExpression(s("listening on port (\\d+)")).match(QString::fromUtf8(out));
        return match.hasMatch() ? match.captured(1).toUShort() : 0;
    }
    QString log() const { return QString::fromUtf8("stdout: " + out + "\nstderr: " + err); }
};

} // namespace

class tst_ConformanceRedis : public QObject, public ClusterFixture
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanup();
    void malformedAddress_data();
    void malformedAddress();
    void twoAdaptersRefused();
    void broadcastOnOneServer();
    void broadcastCrossesCluster_data();
    void broadcastCrossesCluster();
};

void tst_ConformanceRedis::initTestCase()
{
    const QString error = m_redis.start();
    QVERIFY2(error.isEmpty(), qPrintable(error));
}

void tst_ConformanceRedis::cleanup()
{
    clearCluster();
}

void tst_ConformanceRedis::malformedAddress_data()
{
    QTest::addColumn<QString>("address");
    QTest::addRow("no port") << s("127.0.0.1");
    QTest::addRow("no host") << s(":6379");
    QTest::addRow("empty port") << s("localhost:");
    QTest::addRow("port 0") << s("localhost:0");
    QTest::addRow("port too big") << s("localhost:65536");
    QTest::addRow("not a number") << s("localhost:redis");
    QTest::addRow("unbalanced bracket") << s("[::1:6379");
}

void tst_ConformanceRedis::malformedAddress()
{
    QFETCH(QString, address);
    ServerProcess server({s("--redis"), address});
    QSignalSpy finished(&server.process, &QProcess::finished);
    QVERIFY2(finished.wait(10'000), qPrintable(server.log()));
    QCOMPARE(server.process.exitCode(), 2);
    QVERIFY2(server.err.contains("--redis wants HOST:PORT"), qPrintable(server.log()));
    QVERIFY(!server.out.contains("listening"));
}

void tst_ConformanceRedis::twoAdaptersRefused()
{
    const QString address = QStringLiteral("127.0.0.1:%1").arg(m_redis.port());
    ServerProcess server({s("--redis"), address, s("--redis-streams"), address});
    QSignalSpy finished(&server.process, &QProcess::finished);
    QVERIFY2(finished.wait(10'000), qPrintable(server.log()));
    QCOMPARE(server.process.exitCode(), 2);
    QVERIFY2(server.err.contains("--redis and --redis-streams"), qPrintable(server.log()));
}

void tst_ConformanceRedis::broadcastOnOneServer()
{
    ServerProcess server({});
    QTRY_VERIFY2(server.port() != 0, qPrintable(server.log()));
    ClientSocket *a = connectClientTo(server.port());
    ClientSocket *b = connectClientTo(server.port());
    QTRY_VERIFY(a->isConnected() && b->isConnected());
    const QVariantList args{1, s("x"), QByteArray("\x01\x02", 2)};
    QVERIFY(a->emitEvent(s("broadcast"), args));
    QTRY_COMPARE(m_received.value(s("0#broadcast")), args);
    QTRY_COMPARE(m_received.value(s("1#broadcast")), args);
}

void tst_ConformanceRedis::broadcastCrossesCluster_data()
{
    // The flag, and the Redis command that counts the servers of the main namespace.
    QTest::addColumn<QString>("flag");
    QTest::addColumn<QByteArrayList>("count");
    QTest::addRow("classic") << s("--redis")
                             << QByteArrayList{"PUBSUB", "NUMSUB", "socket.io-request#/#"};
    QTest::addRow("sharded") << s("--redis-sharded")
                             << QByteArrayList{"PUBSUB", "SHARDNUMSUB", "socket.io#/#"};
    QTest::addRow("streams") << s("--redis-streams")
                             << QByteArrayList{"PUBSUB", "NUMSUB", "socket.io#/#"};
}

void tst_ConformanceRedis::broadcastCrossesCluster()
{
    QFETCH(QString, flag);
    QFETCH(QByteArrayList, count);
    const QStringList redis{flag, QStringLiteral("127.0.0.1:%1").arg(m_redis.port())};
    ServerProcess first(redis);
    ServerProcess second(redis);
    QTRY_VERIFY2(first.port() != 0 && second.port() != 0, qPrintable(first.log() + second.log()));
    QTRY_VERIFY2(first.err.contains("redis connected") && second.err.contains("redis connected"),
                 qPrintable(first.log() + second.log()));
    // Both subscribed: Redis counts two on the main namespace's request channel (each server
    // subscribes to its other channels before that, on the same connection).
    Redis::Connection raw(rawOptions());
    raw.open();
    int subscribed = 0;
    auto bothSubscribed = [&] {
        raw.command(count, [&subscribed](const Redis::Reply &reply) {
            if (reply.elements.size() == 2)
                subscribed = int(reply.elements.at(1).integer);
        });
        return subscribed == 2;
    };
    QTRY_VERIFY(bothSubscribed());

    ClientSocket *a = connectClientTo(first.port());
    ClientSocket *b = connectClientTo(second.port());
    QTRY_VERIFY(a->isConnected() && b->isConnected());
    // With the streams adapter the server recovers connection state, so each event ends with
    // its offset: the stream entry id.
    const bool offsets = flag == u"--redis-streams";
    const QRegularExpression entryId(s("^[0-9]+-[0-9]+$"));
    auto got = [&](const QString &key, const QVariantList &expected) {
        QVariantList received = m_received.value(key);
        if (offsets && received.size() == expected.size() + 1 &&
            entryId.match(received.constLast().toString()).hasMatch()) {
            received.removeLast();
        }
        return received == expected;
    };
    const QVariantList args{s("hello"), 42, QVariantMap{{s("bin"), QByteArray("\x0a", 1)}}};
    QVERIFY(a->emitEvent(s("broadcast"), args));
    QTRY_VERIFY(got(s("1#broadcast"), args));
    QTRY_VERIFY(got(s("0#broadcast"), args));
    QVERIFY(b->emitEvent(s("broadcast"), {s("back")}));
    QTRY_VERIFY(got(s("0#broadcast"), {s("back")}));
    QTRY_VERIFY(got(s("1#broadcast"), {s("back")}));
    if (offsets)
        QCOMPARE(m_received.value(s("0#broadcast")).size(), 2);
}

QTEST_GUILESS_MAIN(tst_ConformanceRedis)
#include "tst_conformance_redis.moc"
