// Interop of the WebSocket handshake and framing with Node's `ws` (what engine.io-client and
// socket.io-client run on): the open packet leaving after the 101, on its own, as the Engine.IO
// test suite needs it; Sec-WebSocket-Protocol answered with the first subprotocol offered; and
// permessage-deflate negotiated with socket.io-client's default offer, JSON-heavy events coming
// back equal and compressed on the wire. On both WebSocket engines where both apply.
#include <SocketIO/Server>

#include <QtCore/QDir>
#include <QtCore/QJsonObject>
#include <QtNetwork/QHostAddress>
#include <QtTest/QTest>

#include "peerprocess.h"

#include <memory>

using namespace SocketIO;

namespace {
const QString nodeExecutable = QStringLiteral(INTEROP_NODE_EXECUTABLE);
const QString nodeDir = QStringLiteral(INTEROP_NODE_DIR);

struct EchoServer
{
    explicit EchoServer(const QString &wsEngine, bool deflate)
    {
        ServerOptions options;
        options.engine.wsEngine = wsEngine;
        options.engine.allowEIO3 = true;
        options.engine.perMessageDeflate = deflate;
        io = std::make_unique<Server>(options);
        QObject::connect(io->sockets(), &Namespace::connection, io.get(), [](Socket *socket) {
            socket->on(QStringLiteral("echo"), socket,
                       [](const QVariantList &args, const Ack &ack) {
                           if (ack.isValid())
                               ack(args);
                       });
        });
    }
    std::unique_ptr<Server> io;
};
} // namespace

class tst_WebSocketInterop : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void openPacketAfterOpenEvent_data();
    void openPacketAfterOpenEvent();
    void subprotocol_data();
    void subprotocol();
    void perMessageDeflate_data();
    void perMessageDeflate();

private:
    QJsonObject run(const EchoServer &server, const QStringList &arguments);
};

void tst_WebSocketInterop::initTestCase()
{
    verifyNodeSetup(nodeExecutable, nodeDir, QStringLiteral("ws"));
}

QJsonObject tst_WebSocketInterop::run(const EchoServer &server, const QStringList &arguments)
{
    PeerProcess peer(nodeExecutable, nodeDir);
    peer.process.setArguments(
        QStringList{QDir(nodeDir).filePath(QStringLiteral("ws-peer.mjs")), QStringLiteral("--url"),
                    QStringLiteral("http://127.0.0.1:%1").arg(server.io->serverPort())} +
        arguments);
    peer.process.start();
    awaitPeer(peer, 20'000);
    if (QTest::currentTestFailed())
        return {};
    verifyPassed(peer);
    return peer.lastEvent();
}

static const QStringList engines = {
#if SOCKETIO_LEAN_ENGINE
    QStringLiteral("lean"),
#endif
    QStringLiteral("qt"),
};

void tst_WebSocketInterop::openPacketAfterOpenEvent_data()
{
    QTest::addColumn<QString>("engine");
    QTest::addColumn<QString>("eio");
#if SOCKETIO_LEAN_ENGINE
    QTest::addRow("lean EIO3") << QStringLiteral("lean") << QStringLiteral("3");
#else
    QSKIP("the open packet is held after the 101 by the lean engine only");
#endif
}

// The official Engine.IO v3 suite awaits the client's 'open' event before it listens for
// messages; `ws` emits 'open' and then the messages read with the 101, or soon after it, in
// the same tick. (Sent on a later pass only, as Node's server does, 99 of 100 were missed
// here; Node's own server missed 39 of 50. So the lean engine holds a v3 WebSocket session's
// first packets 5 ms; EIO 4 and the "qt" engine send them on the next pass, without a hold,
// and are not tested here.) The hold is a race that a loaded machine can lose (a Node client
// busy for 5 ms reads the 101 and the open packet together): of 20 connections, most must see
// the open packet; on an idle machine all do.
void tst_WebSocketInterop::openPacketAfterOpenEvent()
{
    QFETCH(QString, engine);
    QFETCH(QString, eio);
    EchoServer server(engine, false);
    QVERIFY2(server.io->listen(QHostAddress::LocalHost, 0), qPrintable(server.io->errorString()));
    const QJsonObject result =
        run(server, {QStringLiteral("--mode"), QStringLiteral("await-open"),
                     QStringLiteral("--eio"), eio, QStringLiteral("--survey")});
    QCOMPARE(result.value(QLatin1String("connections")).toInt(), 20);
    const int missed = result.value(QLatin1String("missed")).toInt();
    qInfo("open packet missed by %d of 20 connections", missed);
    QVERIFY2(missed < 10, qPrintable(QString::number(missed)));
}

void tst_WebSocketInterop::subprotocol_data()
{
    QTest::addColumn<QString>("engine");
    QTest::addColumn<QString>("offered");
    QTest::addColumn<QString>("answered");
    for (const QString &engine : engines) {
        QTest::addRow("%s one", qPrintable(engine))
            << engine << QStringLiteral("foo") << QStringLiteral("foo");
        QTest::addRow("%s two", qPrintable(engine))
            << engine << QStringLiteral("bar,foo") << QStringLiteral("bar");
        QTest::addRow("%s none", qPrintable(engine)) << engine << QString() << QString();
    }
}

// socket.io-client with `protocols` refuses a server that answers none ("Server sent no
// subprotocol"); ws answers the first one offered.
void tst_WebSocketInterop::subprotocol()
{
    QFETCH(QString, engine);
    QFETCH(QString, offered);
    QFETCH(QString, answered);
    EchoServer server(engine, false);
    QVERIFY2(server.io->listen(QHostAddress::LocalHost, 0), qPrintable(server.io->errorString()));
    QStringList arguments{QStringLiteral("--mode"), QStringLiteral("sio")};
    if (!offered.isEmpty())
        arguments << QStringLiteral("--protocols") << offered;
    const QJsonObject result = run(server, arguments);
    QCOMPARE(result.value(QLatin1String("protocol")).toString(), answered);
}

void tst_WebSocketInterop::perMessageDeflate_data()
{
    QTest::addColumn<bool>("serverDeflate");
    QTest::addColumn<bool>("clientDeflate");
    QTest::addRow("both") << true << true;
    QTest::addRow("server only") << true << false;
    QTest::addRow("client only") << false << true;
}

// socket.io-client offers "permessage-deflate; client_max_window_bits" with a threshold of
// 1024: the large JSON events go compressed both ways, the small ones plain; all come back.
void tst_WebSocketInterop::perMessageDeflate()
{
#if !SOCKETIO_LEAN_ENGINE
    QSKIP("permessage-deflate needs the lean engine");
#endif
    QFETCH(bool, serverDeflate);
    QFETCH(bool, clientDeflate);
    EchoServer server(QStringLiteral("lean"), serverDeflate);
    QVERIFY2(server.io->listen(QHostAddress::LocalHost, 0), qPrintable(server.io->errorString()));
    QStringList arguments{QStringLiteral("--mode"), QStringLiteral("sio")};
    if (clientDeflate)
        arguments << QStringLiteral("--deflate");
    const QJsonObject result = run(server, arguments);
    if (QTest::currentTestFailed())
        return;
    const bool negotiated = serverDeflate && clientDeflate;
    QCOMPARE(result.value(QLatin1String("extensions")).toString(),
             negotiated ? QStringLiteral("permessage-deflate") : QString());
    // Five JSON events of ~25 KB came back (and went out): compressed, a fraction of that.
    const double read = result.value(QLatin1String("bytesRead")).toDouble();
    const double written = result.value(QLatin1String("bytesWritten")).toDouble();
    const double json = result.value(QLatin1String("jsonBytes")).toDouble();
    qInfo("bytes read %.0f, written %.0f, JSON %.0f", read, written, json);
    if (negotiated) {
        QVERIFY2(read < json / 4, qPrintable(QString::number(read)));
        QVERIFY2(written < json / 4, qPrintable(QString::number(written)));
    } else {
        QVERIFY2(read > json, qPrintable(QString::number(read)));
    }
}

QTEST_GUILESS_MAIN(tst_WebSocketInterop)
#include "tst_websocket_interop.moc"
