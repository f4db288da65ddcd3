// The socketio-cli example as a user runs it: a QProcess against an in-process Server, checking
// the JSON lines it prints, what the server saw, and the exit status.
#include <SocketIO/Server>

#include <QtCore/QJsonArray>
#include <QtCore/QJsonDocument>
#include <QtCore/QJsonObject>
#include <QtCore/QProcess>
#include <QtCore/QTimer>
#include <QtNetwork/QTcpServer>
#include <QtTest/QSignalSpy>
#include <QtTest/QTest>

#include <memory>

using namespace SocketIO;

namespace {
QJsonObject object(const char *json)
{
    return QJsonDocument::fromJson(json).object();
}
} // namespace

class tst_Cli : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();

    void connectPrintsId();
    void emitWithAck_data();
    void emitWithAck();
    void emitsWithoutAckAreDelivered_data();
    void emitsWithoutAckAreDelivered();
    void serverEvents();
    void serverDisconnect();
    void authQueryHeaders();
    void binaryAuthWithMsgpack();
    void namespaceFromUrl();
    void ackTimeout();
    void connectErrorFromMiddleware();
    void nothingListening();
    void reconnectFailed();
    void reconnects();
    void sigterm();
    void badUsage_data();
    void badUsage();

private:
    void startServer(ServerOptions options = {});
    QString url(const QString &nsp = QStringLiteral("/")) const;
    void start(const QStringList &arguments);
    // Waits for the process to exit; fails the test after `timeout` ms.
    void waitFinished(int timeout = 10'000);
    void run(const QStringList &arguments);
    QList<QJsonObject> linesOfType(const QString &type) const;

    std::unique_ptr<Server> m_io;
    QList<QPointer<Socket>> m_serverSockets;
    QStringList m_serverSocketIds;
    QList<Handshake> m_handshakes;
    QList<QPair<QString, QVariantList>> m_serverEvents;
    QStringList m_serverReasons;

    std::unique_ptr<QProcess> m_process;
    QByteArray m_stdout;
    QList<QJsonObject> m_lines;
    QList<QByteArray> m_rawLines;
};

void tst_Cli::init()
{
    m_serverSockets.clear();
    m_serverSocketIds.clear();
    m_handshakes.clear();
    m_serverEvents.clear();
    m_serverReasons.clear();
    m_stdout.clear();
    m_lines.clear();
    m_rawLines.clear();
}

void tst_Cli::cleanup()
{
    if (m_process && m_process->state() != QProcess::NotRunning) {
        QSignalSpy finished(m_process.get(), &QProcess::finished);
        m_process->kill();
        QTRY_COMPARE(finished.size(), 1);
    }
    m_process.reset();
    m_io.reset();
}

void tst_Cli::startServer(ServerOptions options)
{
    // A client that vanished without a word is noticed within a second.
    options.engine.pingInterval = 500;
    options.engine.pingTimeout = 500;
    m_io = std::make_unique<Server>(options);
    auto track = [this](Socket *socket) {
        m_serverSockets.append(socket);
        m_serverSocketIds.append(socket->id());
        m_handshakes.append(socket->handshake());
        connect(socket, &Socket::eventReceived, this,
                [this](const QString &event, const QVariantList &args, const Ack &) {
                    m_serverEvents.append({event, args});
                });
        connect(socket, &Socket::disconnected, this,
                [this](const QString &reason) { m_serverReasons.append(reason); });
        socket->on(QStringLiteral("echo"), socket,
                   [](const QVariantList &args, const Ack &ack) { ack(args); });
    };
    connect(m_io.get(), &Server::connection, this, track);
    connect(m_io->of(QStringLiteral("/admin")), &Namespace::connection, this, track);
    QVERIFY(m_io->listen(QHostAddress::LocalHost, 0));
}

QString tst_Cli::url(const QString &nsp) const
{
    return QStringLiteral("http://127.0.0.1:%1%2").arg(m_io->serverPort()).arg(nsp);
}

void tst_Cli::start(const QStringList &arguments)
{
    m_process = std::make_unique<QProcess>();
    m_process->setProgram(QStringLiteral(SOCKETIO_CLI));
    m_process->setArguments(arguments);
    connect(m_process.get(), &QProcess::readyReadStandardOutput, this, [this] {
        m_stdout += m_process->readAllStandardOutput();
        qsizetype end;
        while ((end = m_stdout.indexOf('\n')) >= 0) {
            const QByteArray line = m_stdout.left(end);
            m_stdout.remove(0, end + 1);
            m_rawLines.append(line);
            QJsonParseError error;
            const QJsonDocument document = QJsonDocument::fromJson(line, &error);
            QVERIFY2(document.isObject(), line.constData());
            m_lines.append(document.object());
        }
    });
    m_process->start();
    QVERIFY(m_process->waitForStarted());
}

void tst_Cli::waitFinished(int timeout)
{
    QSignalSpy finished(m_process.get(), &QProcess::finished);
    if (m_process->state() != QProcess::NotRunning)
        QTRY_COMPARE_WITH_TIMEOUT(finished.size(), 1, timeout);
    QCOMPARE(m_process->exitStatus(), QProcess::NormalExit);
    // Whatever is left after the last newline.
    m_stdout += m_process->readAllStandardOutput();
    QCOMPARE(m_stdout, QByteArray());
    // Compact, one object per line, "type" first.
    for (const QByteArray &line : std::as_const(m_rawLines)) {
        QVERIFY2(line.startsWith("{\"type\":"), line.constData());
        QVERIFY2(!line.contains("\": ") && !line.contains(", \""), line.constData());
    }
}

void tst_Cli::run(const QStringList &arguments)
{
    start(arguments);
    if (!QTest::currentTestFailed())
        waitFinished();
}

QList<QJsonObject> tst_Cli::linesOfType(const QString &type) const
{
    QList<QJsonObject> result;
    for (const QJsonObject &line : m_lines) {
        if (line.value(QStringLiteral("type")).toString() == type)
            result.append(line);
    }
    return result;
}

void tst_Cli::connectPrintsId()
{
    startServer();
    run({QStringLiteral("--wait"), QStringLiteral("0"), url()});
    if (QTest::currentTestFailed())
        return;
    QCOMPARE(m_process->exitCode(), 0);
    QCOMPARE(m_serverSocketIds.size(), 1);
    QCOMPARE(m_lines.size(), 2);
    QCOMPARE(m_lines.at(0), (QJsonObject{{QStringLiteral("type"), QStringLiteral("connect")},
                                         {QStringLiteral("id"), m_serverSocketIds.first()}}));
    QCOMPARE(m_lines.at(1), object(R"({"type":"disconnect","reason":"io client disconnect"})"));
    // The client left the namespace: its DISCONNECT packet went out before it exited.
    QTRY_COMPARE(m_serverReasons, QStringList{QStringLiteral("client namespace disconnect")});
}

void tst_Cli::emitWithAck_data()
{
    QTest::addColumn<QStringList>("options");
    QTest::addColumn<bool>("msgpack");
    QTest::addColumn<QString>("transport");

    QTest::addRow("default") << QStringList() << false << QString();
    QTest::addRow("websocket") << QStringList{QStringLiteral("--transports"),
                                              QStringLiteral("websocket")}
                               << false << QStringLiteral("websocket");
    QTest::addRow("polling") << QStringList{QStringLiteral("--transports"),
                                            QStringLiteral("polling")}
                             << false << QStringLiteral("polling");
    QTest::addRow("msgpack") << QStringList{QStringLiteral("--parser"), QStringLiteral("msgpack")}
                             << true << QString();
}

void tst_Cli::emitWithAck()
{
    QFETCH(QStringList, options);
    QFETCH(bool, msgpack);
    QFETCH(QString, transport);

    ServerOptions serverOptions;
    if (msgpack)
        serverOptions.parser = Parser::msgpackParser();
    startServer(serverOptions);
    QString transportSeen;
    connect(m_io.get(), &Server::connection, this,
            [&transportSeen](Socket *socket) { transportSeen = socket->conn()->transportName(); });

    const QByteArray first =
        R"([1,-2.5,"two",true,null,{"three":[false,{}]},{"base64":"AAEC/w=="}])";
    const QByteArray second = R"([{"nested":{"deeper":[{"base64":"AQID"}]}}])";
    const QByteArray third = R"([])";
    run(options + QStringList{QStringLiteral("--emit"), QStringLiteral("echo"),
                              QString::fromUtf8(first), QStringLiteral("--emit"),
                              QStringLiteral("echo"), QString::fromUtf8(second),
                              QStringLiteral("-e"), QStringLiteral("echo"),
                              QString::fromUtf8(third), QStringLiteral("--ack"), url()});
    if (QTest::currentTestFailed())
        return;
    QCOMPARE(m_process->exitCode(), 0);
    if (!transport.isEmpty())
        QCOMPARE(transportSeen, transport);

    // The server got binary as QByteArray.
    QCOMPARE(m_serverEvents.size(), 3);
    QCOMPARE(m_serverEvents.at(0).second.at(6), QVariant(QByteArray("\x00\x01\x02\xff", 4)));
    QCOMPARE(m_serverEvents.at(1)
                 .second.at(0)
                 .toMap()
                 .value(QStringLiteral("nested"))
                 .toMap()
                 .value(QStringLiteral("deeper"))
                 .toList()
                 .at(0),
             QVariant(QByteArray("\x01\x02\x03")));

    const QList<QJsonObject> acks = linesOfType(QStringLiteral("ack"));
    QCOMPARE(acks.size(), 3);
    const QByteArray sent[] = {first, second, third};
    for (int i = 0; i < 3; ++i) {
        QCOMPARE(acks.at(i),
                 (QJsonObject{{QStringLiteral("type"), QStringLiteral("ack")},
                              {QStringLiteral("event"), QStringLiteral("echo")},
                              {QStringLiteral("args"), QJsonDocument::fromJson(sent[i]).array()}}));
    }
    QCOMPARE(m_lines.first().value(QStringLiteral("type")), QStringLiteral("connect"));
    QCOMPARE(m_lines.last(), object(R"({"type":"disconnect","reason":"io client disconnect"})"));
}

void tst_Cli::emitsWithoutAckAreDelivered_data()
{
    QTest::addColumn<QString>("transports");
    QTest::addRow("default") << QStringLiteral("polling,websocket");
    QTest::addRow("polling") << QStringLiteral("polling");
    QTest::addRow("websocket") << QStringLiteral("websocket");
}

// Without --ack and --wait the CLI leaves right after the last emit: the events and the
// DISCONNECT must still reach the server.
void tst_Cli::emitsWithoutAckAreDelivered()
{
    QFETCH(QString, transports);
    startServer();
    run({QStringLiteral("--transports"), transports, QStringLiteral("--emit"),
         QStringLiteral("note"), QStringLiteral("[\"a\"]"), QStringLiteral("--emit"),
         QStringLiteral("note"), QStringLiteral("[\"b\", 2]"), url()});
    if (QTest::currentTestFailed())
        return;
    QCOMPARE(m_process->exitCode(), 0);
    QCOMPARE(m_lines.size(), 2);
    QTRY_COMPARE(m_serverReasons.size(), 1);
    const QList<QPair<QString, QVariantList>> expected = {
        {QStringLiteral("note"), {QStringLiteral("a")}},
        {QStringLiteral("note"), {QStringLiteral("b"), 2}}};
    QCOMPARE(m_serverEvents.size(), 2);
    QCOMPARE(m_serverEvents.at(0).second, expected.at(0).second);
    QCOMPARE(m_serverEvents.at(1).second.at(0), QVariant(QStringLiteral("b")));
    QCOMPARE(m_serverEvents.at(1).second.at(1).toInt(), 2);
    QCOMPARE(m_serverReasons.first(), QStringLiteral("client namespace disconnect"));
}

void tst_Cli::serverEvents()
{
    startServer();
    connect(m_io.get(), &Server::connection, this, [](Socket *socket) {
        socket->emitEvent(
            QStringLiteral("hello"),
            {QStringLiteral("world"), 42,
             QVariantMap{{QStringLiteral("bin"), QByteArray("\x00\xff", 2)},
                         {QStringLiteral("list"), QVariantList{QByteArray("A"), QVariant()}}}});
        socket->emitEvent(QStringLiteral("second"));
        // After the events, on the same connection.
        socket->disconnectSocket();
    });
    run({url()});
    if (QTest::currentTestFailed())
        return;
    QCOMPARE(m_process->exitCode(), 0);
    QCOMPARE(m_lines.size(), 4);
    QCOMPARE(m_lines.at(0).value(QStringLiteral("type")), QStringLiteral("connect"));
    QCOMPARE(m_lines.at(1),
             object(R"({"type":"event","name":"hello","args":["world",42,)"
                    R"({"bin":{"base64":"AP8="},"list":[{"base64":"QQ=="},null]}]})"));
    QCOMPARE(m_lines.at(2), object(R"({"type":"event","name":"second","args":[]})"));
    QCOMPARE(m_lines.at(3), object(R"({"type":"disconnect","reason":"io server disconnect"})"));
}

// No emits and no --wait: the CLI stays until the server disconnects it.
void tst_Cli::serverDisconnect()
{
    startServer();
    start({url()});
    QTRY_COMPARE(m_lines.size(), 1);
    QCOMPARE(m_serverSockets.size(), 1);
    QTest::qWait(200); // still there
    QCOMPARE(m_process->state(), QProcess::Running);
    m_serverSockets.first()->disconnectSocket();
    waitFinished();
    if (QTest::currentTestFailed())
        return;
    QCOMPARE(m_process->exitCode(), 0);
    QCOMPARE(m_lines.size(), 2);
    QCOMPARE(m_lines.at(1), object(R"({"type":"disconnect","reason":"io server disconnect"})"));
}

void tst_Cli::authQueryHeaders()
{
    startServer();
    run({QStringLiteral("--auth"), QStringLiteral(R"({"token":"abc","n":5,"nested":{"x":[1]}})"),
         QStringLiteral("--query"), QStringLiteral("a=1"), QStringLiteral("--query"),
         QStringLiteral("b=two=2"), QStringLiteral("--header"), QStringLiteral("X-Custom: hello"),
         QStringLiteral("--header"), QStringLiteral("X-Other:spaced value "),
         QStringLiteral("--wait"), QStringLiteral("0"), url(QStringLiteral("/?c=3"))});
    if (QTest::currentTestFailed())
        return;
    QCOMPARE(m_process->exitCode(), 0);
    QCOMPARE(m_handshakes.size(), 1);
    const Handshake handshake = m_handshakes.first();
    QCOMPARE(handshake.auth().value(QStringLiteral("token")), QVariant(QStringLiteral("abc")));
    QCOMPARE(handshake.auth().value(QStringLiteral("n")).toInt(), 5);
    QCOMPARE(handshake.auth()
                 .value(QStringLiteral("nested"))
                 .toMap()
                 .value(QStringLiteral("x"))
                 .toList()
                 .at(0)
                 .toInt(),
             1);
    QCOMPARE(handshake.query().value(QStringLiteral("a")).toString(), QStringLiteral("1"));
    QCOMPARE(handshake.query().value(QStringLiteral("b")).toString(), QStringLiteral("two=2"));
    QCOMPARE(handshake.query().value(QStringLiteral("c")).toString(), QStringLiteral("3"));
    QCOMPARE(handshake.headers().value(QStringLiteral("x-custom")).toString(),
             QStringLiteral("hello"));
    QCOMPARE(handshake.headers().value(QStringLiteral("x-other")).toString(),
             QStringLiteral("spaced value"));
}

// The default parser carries binary in events and acks only; msgpack carries it anywhere.
void tst_Cli::binaryAuthWithMsgpack()
{
    ServerOptions options;
    options.parser = Parser::msgpackParser();
    startServer(options);
    run({QStringLiteral("--parser"), QStringLiteral("msgpack"), QStringLiteral("--auth"),
         QStringLiteral(R"({"key":{"base64":"3q2+7w=="}})"), QStringLiteral("--wait"),
         QStringLiteral("0"), url()});
    if (QTest::currentTestFailed())
        return;
    QCOMPARE(m_process->exitCode(), 0);
    QCOMPARE(m_handshakes.size(), 1);
    QCOMPARE(m_handshakes.first().auth().value(QStringLiteral("key")),
             QVariant(QByteArray("\xde\xad\xbe\xef")));
}

void tst_Cli::namespaceFromUrl()
{
    startServer();
    int mainConnections = 0;
    connect(m_io.get(), &Server::connection, this, [&mainConnections] { ++mainConnections; });
    QString adminId;
    connect(m_io->of(QStringLiteral("/admin")), &Namespace::connection, this,
            [&adminId](Socket *socket) { adminId = socket->id(); });
    run({QStringLiteral("--emit"), QStringLiteral("echo"), QStringLiteral("[\"x\"]"),
         QStringLiteral("--ack"), url(QStringLiteral("/admin"))});
    if (QTest::currentTestFailed())
        return;
    QCOMPARE(m_process->exitCode(), 0);
    QCOMPARE(mainConnections, 0);
    QVERIFY(!adminId.isEmpty());
    QCOMPARE(m_lines.first().value(QStringLiteral("id")).toString(), adminId);
    QCOMPARE(linesOfType(QStringLiteral("ack")),
             QList<QJsonObject>{object(R"({"type":"ack","event":"echo","args":["x"]})")});
}

void tst_Cli::ackTimeout()
{
    startServer();
    run({QStringLiteral("--emit"), QStringLiteral("ignored"), QStringLiteral("[]"),
         QStringLiteral("--ack"), QStringLiteral("--ack-timeout"), QStringLiteral("200"), url()});
    if (QTest::currentTestFailed())
        return;
    QCOMPARE(m_process->exitCode(), 0);
    QCOMPARE(linesOfType(QStringLiteral("ack")),
             QList<QJsonObject>{
                 object(R"({"type":"ack","event":"ignored","error":"operation has timed out"})")});
}

void tst_Cli::connectErrorFromMiddleware()
{
    startServer();
    m_io->use(this, [](Socket *, const Next &next) {
        next(QStringLiteral("not authorized"), QVariantMap{{QStringLiteral("code"), 42}});
    });
    run({url()});
    if (QTest::currentTestFailed())
        return;
    QCOMPARE(m_process->exitCode(), 1);
    QCOMPARE(m_lines,
             QList<QJsonObject>{object(
                 R"({"type":"connect_error","message":"not authorized","data":{"code":42}})")});
}

void tst_Cli::nothingListening()
{
    QTcpServer probe;
    QVERIFY(probe.listen(QHostAddress::LocalHost, 0));
    const quint16 port = probe.serverPort();
    probe.close();
    run({QStringLiteral("http://127.0.0.1:%1/").arg(port)});
    if (QTest::currentTestFailed())
        return;
    QCOMPARE(m_process->exitCode(), 1);
    QCOMPARE(m_lines.size(), 1);
    QCOMPARE(m_lines.first().value(QStringLiteral("type")), QStringLiteral("connect_error"));
    QVERIFY(!m_lines.first().value(QStringLiteral("message")).toString().isEmpty());
}

void tst_Cli::reconnectFailed()
{
    QTcpServer probe;
    QVERIFY(probe.listen(QHostAddress::LocalHost, 0));
    const quint16 port = probe.serverPort();
    probe.close();
    run({QStringLiteral("--reconnect"), QStringLiteral("--reconnect-attempts"), QStringLiteral("1"),
         QStringLiteral("ws://127.0.0.1:%1/").arg(port)});
    if (QTest::currentTestFailed())
        return;
    QCOMPARE(m_process->exitCode(), 1);
    QStringList types;
    for (const QJsonObject &line : std::as_const(m_lines))
        types.append(line.value(QStringLiteral("type")).toString());
    QCOMPARE(types,
             (QStringList{QStringLiteral("connect_error"), QStringLiteral("reconnect_attempt"),
                          QStringLiteral("connect_error"), QStringLiteral("reconnect_failed")}));
    QCOMPARE(m_lines.at(1), object(R"({"type":"reconnect_attempt","attempt":1})"));
}

// With --reconnect, a lost connection is not the end; the emits are not sent again.
void tst_Cli::reconnects()
{
    startServer();
    start({QStringLiteral("--reconnect"), QStringLiteral("--transports"),
           QStringLiteral("websocket"), QStringLiteral("--emit"), QStringLiteral("note"),
           QStringLiteral("[1]"), QStringLiteral("--wait"), QStringLiteral("60000"), url()});
    QTRY_COMPARE(m_serverEvents.size(), 1);
    m_serverSockets.first()->conn()->close(); // the connection drops
    QTRY_COMPARE_WITH_TIMEOUT(m_serverSockets.size(), 2, 10'000);
    QTRY_COMPARE(linesOfType(QStringLiteral("connect")).size(), 2);
    QCOMPARE(linesOfType(QStringLiteral("connect")).at(1).value(QStringLiteral("id")).toString(),
             m_serverSocketIds.at(1));
    QCOMPARE(linesOfType(QStringLiteral("disconnect")).size(), 1);
    QCOMPARE(linesOfType(QStringLiteral("reconnect_attempt")).size(), 1);
    QCOMPARE(linesOfType(QStringLiteral("reconnect")).size(), 1);
    QCOMPARE(m_process->state(), QProcess::Running);
    QCOMPARE(m_serverEvents.size(), 1);
    m_process->terminate();
    waitFinished();
    if (QTest::currentTestFailed())
        return;
    QCOMPARE(m_process->exitCode(), 0);
}

void tst_Cli::sigterm()
{
    startServer();
    start({url()});
    QTRY_COMPARE(m_lines.size(), 1);
    m_process->terminate();
    waitFinished();
    if (QTest::currentTestFailed())
        return;
    QCOMPARE(m_process->exitCode(), 0);
    QCOMPARE(m_lines.last(), object(R"({"type":"disconnect","reason":"io client disconnect"})"));
    QTRY_COMPARE(m_serverReasons, QStringList{QStringLiteral("client namespace disconnect")});
}

void tst_Cli::badUsage_data()
{
    QTest::addColumn<QStringList>("arguments");
    const QString url = QStringLiteral("http://127.0.0.1:1/");
    QTest::addRow("unknown option") << QStringList{QStringLiteral("--bogus"), url};
    QTest::addRow("missing URL") << QStringList{};
    QTest::addRow("two URLs") << QStringList{url, url};
    QTest::addRow("bad scheme") << QStringList{QStringLiteral("ftp://127.0.0.1/")};
    QTest::addRow("no host") << QStringList{QStringLiteral("http:///nsp")};
    QTest::addRow("invalid JSON") << QStringList{QStringLiteral("--emit"), QStringLiteral("e"),
                                                 QStringLiteral("[1,"), url};
    QTest::addRow("emit not an array")
        << QStringList{QStringLiteral("--emit"), QStringLiteral("e"), QStringLiteral("{}"), url};
    QTest::addRow("emit missing JSON")
        << QStringList{url, QStringLiteral("--emit"), QStringLiteral("e")};
    QTest::addRow("invalid base64") << QStringList{QStringLiteral("--emit"), QStringLiteral("e"),
                                                   QStringLiteral(R"([{"base64":"!!"}])"), url};
    QTest::addRow("auth not an object")
        << QStringList{QStringLiteral("--auth"), QStringLiteral("[1]"), url};
    QTest::addRow("bad parser") << QStringList{QStringLiteral("--parser"), QStringLiteral("xml"),
                                               url};
    QTest::addRow("bad transport")
        << QStringList{QStringLiteral("--transports"), QStringLiteral("carrier-pigeon"), url};
    QTest::addRow("bad query") << QStringList{QStringLiteral("--query"), QStringLiteral("a"), url};
    QTest::addRow("bad header") << QStringList{QStringLiteral("--header"),
                                               QStringLiteral("no colon"), url};
    QTest::addRow("bad wait") << QStringList{QStringLiteral("--wait"), QStringLiteral("-5"), url};
    QTest::addRow("missing CA file")
        << QStringList{QStringLiteral("--ca"), QStringLiteral("/nonexistent.pem"), url};
}

void tst_Cli::badUsage()
{
    QFETCH(QStringList, arguments);
    run(arguments);
    if (QTest::currentTestFailed())
        return;
    QCOMPARE(m_process->exitCode(), 2);
    QVERIFY(m_lines.isEmpty());
    QVERIFY(!m_process->readAllStandardError().isEmpty());
}

QTEST_GUILESS_MAIN(tst_Cli)
#include "tst_cli.moc"
