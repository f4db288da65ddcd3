// Interop: Node's engine.io-client (6.6 for EIO4, 3.5 for EIO3) against an in-process
// EngineServer. The client CLI and its contract are in node/README.md.
//
// The server runs on this thread, so the client process is awaited with QSignalSpy and
// QTRY_*: the event loop keeps serving the client while the test waits.

#include <SocketIO/EngineServer>

#include <QtCore/QDir>
#include <QtCore/QHash>
#include <QtCore/QJsonDocument>
#include <QtCore/QJsonObject>
#include <QtCore/QProcess>
#include <QtNetwork/QHostAddress>
#include <QtTest/QSignalSpy>
#include <QtTest/QTest>

#include "peerprocess.h"

#include <memory>

using namespace SocketIO;

namespace {

const QString nodeDir = QStringLiteral(INTEROP_NODE_DIR);
const QString nodeExecutable = QStringLiteral(INTEROP_NODE_EXECUTABLE);

// What the server saw of one session, kept after the EngineSocket is deleted.
struct Session
{
    int protocol = 0;
    QString initialTransport;
    QStringList upgrades; // upgraded(transport), in order
    int texts = 0;
    int binaries = 0;
    int heartbeats = 0;
    bool closed = false;
    QString closeReason;
    QString closeDescription;
};

// The server contract of node/README.md: echo everything unchanged, close on "close-me".
// Every session is recorded by sid.
class EchoServer
{
public:
    explicit EchoServer(const EngineOptions &options)
        : server(options)
    {
        QObject::connect(&server, &EngineServer::connection, &server,
                         [this](EngineSocket *socket) { track(socket); });
        QObject::connect(&server, &EngineServer::connectionError, &server,
                         [this](const EngineConnectionError &error) { errors.append(error); });
    }

    QHash<QString, Session> sessions;
    QList<EngineConnectionError> errors;
    // Last, so that it is destroyed first: closing the remaining sessions still records them.
    EngineServer server;

private:
    void track(EngineSocket *socket)
    {
        const QString sid = socket->id();
        Session &session = sessions[sid];
        session.protocol = socket->protocol();
        session.initialTransport = socket->transportName();
        QObject::connect(socket, &EngineSocket::messageReceived, socket,
                         [this, sid, socket](const QByteArray &data, bool binary) {
                             Session &s = sessions[sid];
                             if (binary) {
                                 ++s.binaries;
                                 socket->sendBinary(data);
                                 return;
                             }
                             ++s.texts;
                             if (data == "close-me")
                                 socket->close();
                             else
                                 socket->sendUtf8(data);
                         });
        QObject::connect(
            socket, &EngineSocket::upgraded, socket,
            [this, sid](const QString &transport) { sessions[sid].upgrades.append(transport); });
        QObject::connect(socket, &EngineSocket::heartbeat, socket,
                         [this, sid] { ++sessions[sid].heartbeats; });
        QObject::connect(socket, &EngineSocket::closed, socket,
                         [this, sid](const QString &reason, const QString &description) {
                             Session &s = sessions[sid];
                             s.closed = true;
                             s.closeReason = reason;
                             s.closeDescription = description;
                         });
    }
};

EngineOptions testOptions(bool allowEIO3)
{
    EngineOptions options;
    options.pingInterval = 300;
    options.pingTimeout = 200;
    options.maxHttpBufferSize = 1'000'000;
    options.path = QStringLiteral("/engine.io");
    options.allowEIO3 = allowEIO3;
    return options;
}

// One run of eio-client.mjs; its output is collected while it runs so that a hung client can
// still be diagnosed.
class NodeClient : public PeerProcess
{
public:
    NodeClient()
        : PeerProcess(nodeExecutable, nodeDir)
    {}

    void start(quint16 port, const QString &scenario, bool v3, const QString &transports, int count,
               int timeoutMs)
    {
        QStringList args = {QDir(nodeDir).filePath(QStringLiteral("eio-client.mjs")),
                            QStringLiteral("--url"),
                            QStringLiteral("http://127.0.0.1:%1").arg(port),
                            QStringLiteral("--path"),
                            QStringLiteral("/engine.io/"),
                            QStringLiteral("--scenario"),
                            scenario,
                            QStringLiteral("--transports"),
                            transports,
                            QStringLiteral("--count"),
                            QString::number(count),
                            QStringLiteral("--timeout"),
                            QString::number(timeoutMs)};
        if (v3)
            args.append(QStringLiteral("--v3"));
        process.setArguments(args);
        process.start();
    }

    // The sid of the session the client opened, from its "open" line.
    QString sid() const
    {
        for (const QJsonObject &event : events()) {
            if (event.value(QLatin1String("event")).toString() == u"open")
                return event.value(QLatin1String("sid")).toString();
        }
        return {};
    }
};

// The reason the server gives when the session of `scenario` ends (the reference's, logged by
// node/ref-server.mjs): the client closes after echo and heartbeat.
QString serverCloseReason(const QString &scenario)
{
    if (scenario == u"ping-timeout")
        return QStringLiteral("ping timeout");
    if (scenario == u"close-by-server")
        return QStringLiteral("forced close");
    return QStringLiteral("transport close");
}

} // namespace

class tst_EngineIoInterop : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void scenario_data();
    void scenario();
    void allowEIO3Off_data();
    void allowEIO3Off();

private:
    std::unique_ptr<EchoServer> echo;
};

void tst_EngineIoInterop::initTestCase()
{
    verifyNodeSetup(nodeExecutable, nodeDir, QStringLiteral("engine.io-client"));
    if (QTest::currentTestFailed())
        return;

    echo = std::make_unique<EchoServer>(testOptions(true));
    QVERIFY2(echo->server.listen(QHostAddress::LocalHost, 0),
             qPrintable(echo->server.errorString()));
    QVERIFY(echo->server.serverPort() != 0);
}

void tst_EngineIoInterop::scenario_data()
{
    QTest::addColumn<bool>("v3");
    QTest::addColumn<QString>("transports");
    QTest::addColumn<QString>("scenario");

    const QStringList transportSets = {QStringLiteral("polling"), QStringLiteral("websocket"),
                                       QStringLiteral("polling,websocket")};
    const QStringList scenarios = {QStringLiteral("echo"), QStringLiteral("heartbeat"),
                                   QStringLiteral("ping-timeout"),
                                   QStringLiteral("close-by-server")};
    for (const bool v3 : {false, true}) {
        for (const QString &transports : transportSets) {
            for (const QString &scenario : scenarios) {
                QTest::addRow("%s %s %s", v3 ? "v3" : "v4", qPrintable(transports),
                              qPrintable(scenario))
                    << v3 << transports << scenario;
            }
        }
    }
}

void tst_EngineIoInterop::scenario()
{
    QFETCH(bool, v3);
    QFETCH(QString, transports);
    QFETCH(QString, scenario);

    const bool isEcho = scenario == u"echo";
    const int count = isEcho ? 1000 : 1;
    const int clientTimeout = isEcho ? 120'000 : 20'000;

    NodeClient client;
    client.start(echo->server.serverPort(), scenario, v3, transports, count, clientTimeout);
    awaitPeer(client, clientTimeout + 10'000);
    if (QTest::currentTestFailed())
        return;

    verifyPassed(client);
    if (QTest::currentTestFailed())
        return;
    const QString log = client.log();

    const QString sid = client.sid();
    QVERIFY2(!sid.isEmpty(), qPrintable(QStringLiteral("no open event with a sid") + log));
    QVERIFY2(echo->sessions.contains(sid),
             qPrintable(QStringLiteral("the server never announced session %1%2").arg(sid, log)));

    // The client is gone; the server notices its close packet or the dropped connection.
    QTRY_VERIFY2_WITH_TIMEOUT(
        echo->sessions.value(sid).closed,
        qPrintable(QStringLiteral("the server did not close the session") + log), 5'000);
    const Session session = echo->sessions.value(sid);

    const QString expectedReason = serverCloseReason(scenario);
    QVERIFY2(
        session.closeReason == expectedReason,
        qPrintable(QStringLiteral("server close reason \"%1\" (%2), expected \"%3\"%4")
                       .arg(session.closeReason, session.closeDescription, expectedReason, log)));

    QCOMPARE(session.protocol, v3 ? 3 : 4);

    if (transports == u"polling,websocket") {
        QCOMPARE(session.initialTransport, QStringLiteral("polling"));
        QCOMPARE(session.upgrades, QStringList{QStringLiteral("websocket")});
    } else {
        QCOMPARE(session.initialTransport, transports);
        QCOMPARE(session.upgrades, QStringList());
    }

    if (isEcho) {
        QVERIFY2(session.texts + session.binaries == 2 * count,
                 qPrintable(QStringLiteral("server received %1 texts + %2 binaries, expected %3 "
                                           "of each%4")
                                .arg(session.texts)
                                .arg(session.binaries)
                                .arg(count)
                                .arg(log)));
        QCOMPARE(session.texts, count);
        QCOMPARE(session.binaries, count);
    } else if (scenario == u"heartbeat") {
        // v4: the client's three pongs; v3: the client's three pings.
        QVERIFY2(session.heartbeats >= 3,
                 qPrintable(QStringLiteral("%1 heartbeats seen by the server%2")
                                .arg(session.heartbeats)
                                .arg(log)));
    } else if (scenario == u"close-by-server") {
        QCOMPARE(session.texts, 1); // "close-me"
    }
}

void tst_EngineIoInterop::allowEIO3Off_data()
{
    QTest::addColumn<bool>("v3");
    QTest::addColumn<QString>("transports");

    for (const bool v3 : {true, false}) {
        for (const char *transports : {"polling", "websocket", "polling,websocket"}) {
            QTest::addRow("%s %s", v3 ? "v3 refused" : "v4 accepted", transports)
                << v3 << QString::fromLatin1(transports);
        }
    }
}

// A server without allowEIO3 refuses EIO3 clients on every transport, and still serves EIO4
// (the v4 rows show the refusal is about the protocol, not a broken server).
void tst_EngineIoInterop::allowEIO3Off()
{
    QFETCH(bool, v3);
    QFETCH(QString, transports);

    EchoServer strict(testOptions(false));
    QVERIFY2(strict.server.listen(QHostAddress::LocalHost, 0),
             qPrintable(strict.server.errorString()));

    NodeClient client;
    client.start(strict.server.serverPort(), QStringLiteral("handshake"), v3, transports, 1,
                 10'000);
    awaitPeer(client, 20'000);
    if (QTest::currentTestFailed())
        return;

    const QString log = client.log();
    const QJsonObject last = client.lastEvent();
    QVERIFY2(client.process.exitStatus() == QProcess::NormalExit, qPrintable(log));
    if (!v3) {
        QVERIFY2(last.value(QLatin1String("event")).toString() == u"pass", qPrintable(log));
        QVERIFY2(client.process.exitCode() == 0, qPrintable(log));
        QCOMPARE(strict.sessions.size(), 1);
        QCOMPARE(strict.sessions.cbegin()->protocol, 4);
        QTRY_VERIFY2_WITH_TIMEOUT(strict.sessions.cbegin()->closed, qPrintable(log), 5'000);
        QCOMPARE(strict.sessions.cbegin()->closeReason, QStringLiteral("transport close"));
        QVERIFY(strict.errors.isEmpty());
        return;
    }

    QVERIFY2(client.process.exitCode() == 1, qPrintable(log));
    QVERIFY2(last.value(QLatin1String("event")).toString() == u"fail", qPrintable(log));
    // Refused at once, not a hang ending in the client's global timeout.
    QVERIFY2(last.value(QLatin1String("why")).toString().startsWith(u"connection failed"),
             qPrintable(log));
    QVERIFY2(strict.sessions.isEmpty(),
             qPrintable(QStringLiteral("a v3 session was opened") + log));
    QVERIFY2(!strict.errors.isEmpty(), qPrintable(QStringLiteral("no connectionError") + log));
    for (const EngineConnectionError &error : std::as_const(strict.errors))
        QCOMPARE(error.code(), int(EngineServer::ErrorCode::UnsupportedProtocolVersion));
}

QTEST_GUILESS_MAIN(tst_EngineIoInterop)
#include "tst_engineio_interop.moc"
