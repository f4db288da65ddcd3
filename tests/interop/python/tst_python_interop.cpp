// Interop: Debian's python-socketio client (python3-socketio, run by /usr/bin/python3) against
// an in-process SocketIO::Server. The client script and the server contract are described at
// the top of sio_client.py.
//
// The server runs on this thread, so the client process is awaited with QSignalSpy and
// QTRY_*: the event loop keeps serving the client while the test waits.

#include <SocketIO/Server>

#include <QtCore/QDir>
#include <QtCore/QFileInfo>
#include <QtCore/QHash>
#include <QtCore/QJsonDocument>
#include <QtCore/QJsonObject>
#include <QtCore/QProcess>
#include <QtNetwork/QHostAddress>
#include <QtTest/QSignalSpy>
#include <QtTest/QTest>

#include "../peerprocess.h"

#include <memory>

using namespace SocketIO;

namespace {

const QString scriptPath = QStringLiteral(INTEROP_PYTHON_SCRIPT);
const QString pythonExecutable = QStringLiteral(INTEROP_PYTHON_EXECUTABLE);

const QByteArray questionBytes = QByteArray::fromHex("0001feff");

// What the server saw of one Socket.IO socket, kept after the Socket is deleted.
struct SocketRecord
{
    QString nsp;
    QString engineId;
    QVariantMap auth;
    QHash<QString, QVariantList> events; // first arguments of each event
    QVariantList answer;                 // the acknowledgement of "question"
    QString answerError;
    bool answered = false;
    bool disconnected = false;
    QString reason;
};

// What the server saw of one Engine.IO session.
struct SessionRecord
{
    QString initialTransport;
    QStringList upgrades;
    bool closed = false;
    QString closeReason;
};

// The server contract of sio_client.py.
class TestServer
{
public:
    TestServer()
        : io(options())
    {
        for (const QString &name : {QStringLiteral("/"), QStringLiteral("/custom")}) {
            QObject::connect(io.of(name), &Namespace::connection, &io,
                             [this](Socket *socket) { track(socket); });
        }
        io.of(QStringLiteral("/private"))->use(&io, [](Socket *, const Next &next) {
            next(QStringLiteral("not authorized"), QVariantMap{{QStringLiteral("code"), 42}});
        });
        QObject::connect(io.engine(), &EngineServer::connection, &io,
                         [this](EngineSocket *conn) { trackSession(conn); });
    }

    static ServerOptions options()
    {
        ServerOptions options;
        options.serveClient = false;
        // Pings every 2 s; a pong may take 10 s (a sanitized build on a loaded machine once
        // took over 2 s to get the Python client's pong through, and the session ended as
        // "ping timeout" instead of the client's close).
        options.engine.pingInterval = 2'000;
        options.engine.pingTimeout = 10'000;
        return options;
    }

    QHash<QString, SocketRecord> sockets;
    QHash<QString, SessionRecord> sessions;
    Server io;

private:
    void track(Socket *socket)
    {
        const QString id = socket->id();
        SocketRecord &record = sockets[id];
        record.nsp = socket->nsp()->name();
        record.engineId = socket->conn()->id();
        record.auth = socket->handshake().auth();
        socket->emitEvent(QStringLiteral("auth"), {record.auth});

        auto remember = [this, id](const QString &event, const QVariantList &args) {
            SocketRecord &r = sockets[id];
            if (!r.events.contains(event))
                r.events.insert(event, args);
        };
        socket->on(QStringLiteral("echo"), socket,
                   [socket, remember](const QVariantList &args, const Ack &) {
                       remember(QStringLiteral("echo"), args);
                       socket->emitEvent(QStringLiteral("echo-back"), args);
                   });
        socket->on(QStringLiteral("ack-me"), socket,
                   [remember](const QVariantList &args, const Ack &ack) {
                       remember(QStringLiteral("ack-me"), args);
                       ack(args);
                   });
        socket->on(QStringLiteral("ask-me"), socket,
                   [this, id, socket, remember](const QVariantList &args, const Ack &) {
                       remember(QStringLiteral("ask-me"), args);
                       socket->emitEvent(
                           QStringLiteral("question"), {7, questionBytes}, socket,
                           [this, id, socket](const QString &error, const QVariantList &answer) {
                               SocketRecord &r = sockets[id];
                               r.answered = true;
                               r.answer = answer;
                               r.answerError = error;
                               socket->emitEvent(QStringLiteral("answer-seen"), answer);
                           });
                   });
        socket->on(QStringLiteral("disconnect-me"), socket,
                   [socket](const QVariantList &, const Ack &) { socket->disconnectSocket(); });
        QObject::connect(socket, &Socket::disconnected, socket,
                         [this, id](const QString &reason, const QString &) {
                             SocketRecord &r = sockets[id];
                             r.disconnected = true;
                             r.reason = reason;
                         });
    }

    void trackSession(EngineSocket *conn)
    {
        const QString id = conn->id();
        sessions[id].initialTransport = conn->transportName();
        QObject::connect(conn, &EngineSocket::upgraded, conn,
                         [this, id](const QString &t) { sessions[id].upgrades.append(t); });
        QObject::connect(conn, &EngineSocket::closed, conn,
                         [this, id](const QString &reason, const QString &) {
                             SessionRecord &s = sessions[id];
                             s.closed = true;
                             s.closeReason = reason;
                         });
    }
};

// One run of sio_client.py; its output is collected while it runs so that a hung client can
// still be diagnosed.
class PythonClient : public PeerProcess
{
public:
    PythonClient()
        : PeerProcess(pythonExecutable)
    {}

    void start(quint16 port, const QString &scenario, const QString &transports, const QString &nsp,
               const QByteArray &auth)
    {
        QStringList args = {scriptPath,
                            QStringLiteral("--url"),
                            QStringLiteral("http://127.0.0.1:%1").arg(port),
                            QStringLiteral("--scenario"),
                            scenario,
                            QStringLiteral("--transports"),
                            transports,
                            QStringLiteral("--namespace"),
                            nsp,
                            QStringLiteral("--timeout"),
                            QStringLiteral("20")};
        if (!auth.isEmpty())
            args << QStringLiteral("--auth") << QString::fromUtf8(auth);
        process.setArguments(args);
        process.start();
    }
};

// Waits for the client's end and checks that it passed.
void finishClient(PythonClient &client)
{
    awaitPeer(client, 40'000);
    if (QTest::currentTestFailed())
        return;
    verifyPassed(client);
}

void runClient(PythonClient &client, TestServer &server, const QString &scenario,
               const QString &transports, const QString &nsp, const QByteArray &auth = {})
{
    client.start(server.io.serverPort(), scenario, transports, nsp, auth);
    finishClient(client);
}

QString expectedFinalTransport(const QString &transports)
{
    return transports == u"polling" ? QStringLiteral("polling") : QStringLiteral("websocket");
}

} // namespace

class tst_PythonInterop : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void basic_data();
    void basic();
    void serverDisconnect_data();
    void serverDisconnect();
    void transportClose_data();
    void transportClose();
    void refused_data();
    void refused();

private:
    // The record of the socket the client reported in its "connect" line.
    const SocketRecord *connectedSocket(const PythonClient &client);
    void checkTransports(const SocketRecord &socket, const QString &transports, const QString &log);

    std::unique_ptr<TestServer> server;
};

void tst_PythonInterop::initTestCase()
{
    QVERIFY2(QFileInfo(pythonExecutable).isExecutable(),
             qPrintable(QStringLiteral("%1 not found: install Debian's python3 with "
                                       "python3-socketio, python3-requests, python3-websocket")
                            .arg(pythonExecutable)));
    QProcess probe;
    probe.start(pythonExecutable,
                {QStringLiteral("-c"), QStringLiteral("import socketio, requests, websocket")});
    QSignalSpy finished(&probe, &QProcess::finished);
    QTRY_VERIFY_WITH_TIMEOUT(finished.count() > 0 || probe.state() == QProcess::NotRunning, 20'000);
    QVERIFY2(
        probe.exitStatus() == QProcess::NormalExit && probe.exitCode() == 0,
        qPrintable(QStringLiteral("%1 cannot import socketio, requests and websocket: "
                                  "install python3-socketio python3-requests "
                                  "python3-websocket\n%2")
                       .arg(pythonExecutable, QString::fromUtf8(probe.readAllStandardError()))));

    server = std::make_unique<TestServer>();
    QVERIFY2(server->io.listen(QHostAddress::LocalHost, 0), qPrintable(server->io.errorString()));
    QVERIFY(server->io.serverPort() != 0);
}

const SocketRecord *tst_PythonInterop::connectedSocket(const PythonClient &client)
{
    const QString sid = client.first(u"connect").value(QLatin1String("sid")).toString();
    if (sid.isEmpty() || !server->sockets.contains(sid))
        return nullptr;
    return &server->sockets[sid];
}

void tst_PythonInterop::checkTransports(const SocketRecord &socket, const QString &transports,
                                        const QString &log)
{
    QVERIFY2(server->sessions.contains(socket.engineId), qPrintable(log));
    const SessionRecord session = server->sessions.value(socket.engineId);
    const QString finalTransport =
        session.upgrades.isEmpty() ? session.initialTransport : session.upgrades.last();
    QCOMPARE(finalTransport, expectedFinalTransport(transports));
    if (transports == u"polling,websocket") {
        QCOMPARE(session.initialTransport, QStringLiteral("polling"));
        QCOMPARE(session.upgrades, QStringList{QStringLiteral("websocket")});
    } else {
        QCOMPARE(session.initialTransport, transports);
        QCOMPARE(session.upgrades, QStringList());
    }
}

static void addTransportRows(const QStringList &namespaces)
{
    QTest::addColumn<QString>("transports");
    QTest::addColumn<QString>("nsp");
    for (const char *transports : {"polling", "websocket", "polling,websocket"}) {
        for (const QString &nsp : namespaces) {
            QTest::addRow("%s %s", transports, qPrintable(nsp))
                << QString::fromLatin1(transports) << nsp;
        }
    }
}

void tst_PythonInterop::basic_data()
{
    addTransportRows({QStringLiteral("/"), QStringLiteral("/custom")});
}

// Connect with auth, events both ways, acks both ways, binary, client disconnect.
void tst_PythonInterop::basic()
{
    QFETCH(QString, transports);
    QFETCH(QString, nsp);

    const QByteArray auth = R"({"token":"s3cr3t","user":{"id":7,"name":"é"}})";
    PythonClient client;
    client.start(server->io.serverPort(), QStringLiteral("basic"), transports, nsp, auth);

    // The client left the namespace with a DISCONNECT packet and keeps the connection open
    // until told to close it.
    QTRY_VERIFY2_WITH_TIMEOUT(!client.first(u"left").isEmpty() ||
                                  client.process.state() == QProcess::NotRunning,
                              qPrintable(client.log()), 30'000);
    QVERIFY2(!client.first(u"left").isEmpty(), qPrintable(client.log()));
    const QString sid = client.first(u"connect").value(QLatin1String("sid")).toString();
    QTRY_VERIFY2_WITH_TIMEOUT(server->sockets.value(sid).disconnected, qPrintable(client.log()),
                              10'000);
    QCOMPARE(server->sockets.value(sid).reason, QStringLiteral("client namespace disconnect"));
    // Leaving the namespace does not end the Engine.IO session.
    const QString engineId = server->sockets.value(sid).engineId;
    QVERIFY(server->sessions.contains(engineId));
    QVERIFY2(!server->sessions.value(engineId).closed, qPrintable(client.log()));
    client.process.write("close\n");

    finishClient(client);
    if (QTest::currentTestFailed())
        return;
    const QString log = client.log();

    const SocketRecord *socket = connectedSocket(client);
    QVERIFY2(socket, qPrintable(QStringLiteral("no server socket for the client's sid") + log));
    QCOMPARE(socket->nsp, nsp);
    QCOMPARE(socket->auth,
             QJsonDocument::fromJson(auth).object().toVariantMap()); // as the server parsed it

    // The binary arguments reached the handlers as QByteArray, at every depth.
    const QByteArray binary = QByteArray::fromHex("0001027f80feff");
    const QVariantList echo = socket->events.value(QStringLiteral("echo"));
    QVERIFY2(echo.size() == 9, qPrintable(log));
    QCOMPARE(echo.at(0).toString(), QStringLiteral("text é€😀"));
    QCOMPARE(echo.at(1).toInt(), 42);
    QCOMPARE(echo.at(2).toDouble(), 1.5);
    QCOMPARE(echo.at(3).toBool(), true);
    QVERIFY(echo.at(4).isNull());
    QCOMPARE(echo.at(6).typeId(), QMetaType::QByteArray);
    QCOMPARE(echo.at(6).toByteArray(), binary);
    const QVariantMap nested = echo.at(7).toMap();
    QCOMPARE(nested.value(QStringLiteral("bin")).typeId(), QMetaType::QByteArray);
    QCOMPARE(nested.value(QStringLiteral("bin")).toByteArray(), binary);
    QCOMPARE(nested.value(QStringLiteral("list")).toList().value(0).toByteArray(), binary.left(2));
    QCOMPARE(echo.at(8).typeId(), QMetaType::QByteArray);
    QCOMPARE(echo.at(8).toByteArray(), QByteArray());

    const QVariantList ackMe = socket->events.value(QStringLiteral("ack-me"));
    QVERIFY2(ackMe.size() == 3, qPrintable(log));
    QCOMPARE(ackMe.at(1).toByteArray(), binary);

    // The python handler's return value answered the server's emit.
    QVERIFY2(socket->answered, qPrintable(log));
    QCOMPARE(socket->answerError, QString());
    QVERIFY2(socket->answer.size() == 3, qPrintable(log));
    QCOMPARE(socket->answer.at(0).toInt(), 8);
    QCOMPARE(socket->answer.at(1).typeId(), QMetaType::QByteArray);
    QCOMPARE(socket->answer.at(1).toByteArray(), QByteArray::fromHex("fffe0100"));
    QCOMPARE(socket->answer.at(2).toMap().value(QStringLiteral("seen")).toInt(), 4);

    checkTransports(*socket, transports, log);
    // The client closed the session (a CLOSE packet, or the WebSocket closing).
    QTRY_VERIFY2_WITH_TIMEOUT(server->sessions.value(engineId).closed, qPrintable(log), 10'000);
    QCOMPARE(server->sessions.value(engineId).closeReason, QStringLiteral("transport close"));
}

void tst_PythonInterop::serverDisconnect_data()
{
    addTransportRows({QStringLiteral("/"), QStringLiteral("/custom")});
}

// socket.disconnect() on the server: the client sees its disconnect event.
void tst_PythonInterop::serverDisconnect()
{
    QFETCH(QString, transports);
    QFETCH(QString, nsp);

    PythonClient client;
    runClient(client, *server, QStringLiteral("server-disconnect"), transports, nsp);
    if (QTest::currentTestFailed())
        return;
    const QString log = client.log();
    const SocketRecord *socket = connectedSocket(client);
    QVERIFY2(socket, qPrintable(log));
    QTRY_VERIFY2_WITH_TIMEOUT(connectedSocket(client)->disconnected, qPrintable(log), 10'000);
    QCOMPARE(connectedSocket(client)->reason, QStringLiteral("server namespace disconnect"));
    QCOMPARE(connectedSocket(client)->auth, QVariantMap());
    checkTransports(*connectedSocket(client), transports, log);
}

void tst_PythonInterop::transportClose_data()
{
    addTransportRows({QStringLiteral("/")});
}

// The client closes the Engine.IO session without leaving the namespace.
void tst_PythonInterop::transportClose()
{
    QFETCH(QString, transports);
    QFETCH(QString, nsp);

    PythonClient client;
    runClient(client, *server, QStringLiteral("transport-close"), transports, nsp);
    if (QTest::currentTestFailed())
        return;
    const QString log = client.log();
    QVERIFY2(connectedSocket(client), qPrintable(log));
    QTRY_VERIFY2_WITH_TIMEOUT(connectedSocket(client)->disconnected, qPrintable(log), 10'000);
    QCOMPARE(connectedSocket(client)->reason, QStringLiteral("transport close"));
    checkTransports(*connectedSocket(client), transports, log);
    const QString engineId = connectedSocket(client)->engineId;
    QTRY_VERIFY2_WITH_TIMEOUT(server->sessions.value(engineId).closed, qPrintable(log), 10'000);
    QCOMPARE(server->sessions.value(engineId).closeReason, QStringLiteral("transport close"));
}

void tst_PythonInterop::refused_data()
{
    addTransportRows({QStringLiteral("/private"), QStringLiteral("/unknown")});
}

// A middleware refusal and an unknown namespace reach the client as connect_error with the
// reference's payloads (checked by the script).
void tst_PythonInterop::refused()
{
    QFETCH(QString, transports);
    QFETCH(QString, nsp);

    const qsizetype before = server->sockets.size();
    PythonClient client;
    runClient(client, *server, QStringLiteral("refused"), transports, nsp);
    if (QTest::currentTestFailed())
        return;
    QCOMPARE(server->sockets.size(), before);
}

QTEST_GUILESS_MAIN(tst_PythonInterop)
#include "tst_python_interop.moc"
