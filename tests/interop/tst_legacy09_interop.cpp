// Interop: Socket.IO 0.9 clients on our Server (ServerOptions::protocol09()). The real peer is
// socket.io-client 0.9.16 from npm (legacy09/, its own node_modules: its dependencies are old)
// over websocket and xhr-polling, sharing a room with socket.io-client 4 (node/); what the
// 0.9 Node client lacks (jsonp-polling, which needs a browser) and what a misbehaving client
// does (silence, unknown sessions, refused transports) is spoken over raw HTTP from here.
#include <SocketIO/Server>

#include <QtCore/QDir>
#include <QtCore/QJsonArray>
#include <QtNetwork/QHostAddress>
#include <QtNetwork/QNetworkAccessManager>
#include <QtNetwork/QNetworkReply>
#include <QtTest/QSignalSpy>
#include <QtTest/QTest>
#include <QtWebSockets/QWebSocket>

#include "peerprocess.h"

#include <memory>

using namespace SocketIO;

namespace {
const QString nodeDir = QStringLiteral(INTEROP_NODE_DIR);
const QString legacyDir = QStringLiteral(INTEROP_LEGACY09_DIR);
const QString nodeExecutable = QStringLiteral(INTEROP_NODE_EXECUTABLE);

struct Reply
{
    int status = 0;
    QByteArray body;
    QByteArray contentType;
};
} // namespace

class tst_Legacy09Interop : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void init();
    void cleanup();

    void nodeClient_data();
    void nodeClient();
    void heartbeatsKeepIdleClient();
    void handshake();
    void jsonpPolling();
    void xhrPollingRaw();
    void heartbeatTimeout();
    void unknownSid_data();
    void unknownSid();
    void unknownSidWebSocket();
    void refusedTransports_data();
    void refusedTransports();
    void malformedFrameClosesOneSession();

private:
    void startServer(int heartbeatInterval = 25, int heartbeatTimeout = 60, int closeTimeout = 60,
                     const QString &wsEngine = {});
    QString url() const
    {
        return QStringLiteral("http://127.0.0.1:%1").arg(m_server->serverPort());
    }
    Reply request(const QByteArray &method, const QString &path, const QByteArray &body = {});
    QString handshakeSid();

    std::unique_ptr<Server> m_server;
    QNetworkAccessManager m_nam;
    // What the server saw: "<nsp> <reason>" per disconnected socket.
    QStringList m_disconnects;
    int m_joined = 0;
};

void tst_Legacy09Interop::initTestCase()
{
    QVERIFY2(!nodeExecutable.isEmpty(), "node not found: install Node.js >= 20 and re-run CMake");
    QVERIFY2(QFileInfo::exists(legacyDir + QStringLiteral("/node_modules/socket.io-client")),
             "tests/interop/legacy09/node_modules missing: run scripts/install-deps.sh");
    QVERIFY2(QFileInfo::exists(nodeDir + QStringLiteral("/node_modules/socket.io-client")),
             "tests/interop/node/node_modules missing: run scripts/install-deps.sh");
}

void tst_Legacy09Interop::init()
{
    m_disconnects.clear();
    m_joined = 0;
}

void tst_Legacy09Interop::cleanup()
{
    m_server.reset();
}

void tst_Legacy09Interop::startServer(int heartbeatInterval, int heartbeatTimeout, int closeTimeout,
                                      const QString &wsEngine)
{
    ServerOptions options;
    options.serveClient = false;
    if (!wsEngine.isEmpty())
        options.engine.wsEngine = wsEngine;
    Protocol09Options legacy;
    legacy.enabled = true;
    legacy.heartbeatInterval = heartbeatInterval;
    legacy.heartbeatTimeout = heartbeatTimeout;
    legacy.closeTimeout = closeTimeout;
    legacy.pollingDuration = 2;
    options.setProtocol09(legacy);
    m_server = std::make_unique<Server>(options);
    Server *io = m_server.get();
    auto track = [this](Socket *socket) {
        const QString nsp = socket->nsp()->name();
        connect(socket, &Socket::disconnected, this,
                [this, nsp](const QString &reason) { m_disconnects.append(nsp + u' ' + reason); });
        socket->on(QStringLiteral("echo"), socket,
                   [](const QVariantList &args, const Ack &ack) { ack(args); });
    };
    connect(io, &Server::connection, this, [this, track](Socket *socket) {
        track(socket);
        socket->on(QStringLiteral("please-ask"), socket,
                   [socket](const QVariantList &args, const Ack &) {
                       socket->emitEvent(QStringLiteral("ask"), args, socket,
                                         [socket](const QString &error, const QVariantList &a) {
                                             if (error.isEmpty())
                                                 socket->emitEvent(QStringLiteral("answer-ok"), a);
                                         });
                   });
        socket->on(QStringLiteral("message"), socket,
                   [socket](const QVariantList &args, const Ack &) {
                       socket->emitEvent(QStringLiteral("message-back"), args);
                   });
    });
    Namespace *chat = io->of(QStringLiteral("/chat"));
    connect(chat, &Namespace::connection, this, [this, track, chat](Socket *socket) {
        track(socket);
        socket->on(QStringLiteral("join"), socket,
                   [this, socket, chat](const QVariantList &args, const Ack &ack) {
                       socket->join(args.value(0).toString());
                       ack();
                       // Both clients in the room: each may shout now.
                       if (++m_joined == 2)
                           chat->to(QStringLiteral("shared")).emitEvent(QStringLiteral("go"));
                   });
        socket->on(QStringLiteral("shout"), socket, [chat](const QVariantList &args, const Ack &) {
            // One encoding for the modern recipients, one for the 0.9 ones.
            chat->to(QStringLiteral("shared")).emitEvent(QStringLiteral("shouted"), args);
        });
    });
    QVERIFY(io->listen(QHostAddress::LocalHost, 0));
}

Reply tst_Legacy09Interop::request(const QByteArray &method, const QString &path,
                                   const QByteArray &body)
{
    QNetworkRequest req(QUrl(url() + path));
    req.setHeader(QNetworkRequest::ContentTypeHeader, QByteArrayLiteral("text/plain"));
    QNetworkReply *reply = m_nam.sendCustomRequest(req, method, body);
    QSignalSpy finished(reply, &QNetworkReply::finished);
    Reply result;
    [&] { QTRY_VERIFY_WITH_TIMEOUT(finished.count() > 0, 10000); }();
    result.status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    result.body = reply->readAll();
    result.contentType = reply->header(QNetworkRequest::ContentTypeHeader).toByteArray();
    reply->deleteLater();
    return result;
}

QString tst_Legacy09Interop::handshakeSid()
{
    const Reply reply = request("GET", QStringLiteral("/socket.io/1/?t=1"));
    return QString::fromLatin1(reply.body.split(':').value(0));
}

void tst_Legacy09Interop::nodeClient_data()
{
    QTest::addColumn<QString>("transport");
    QTest::addColumn<QString>("wsEngine");
    QTest::addRow("websocket") << QStringLiteral("websocket") << QString();
    // QWebSocketServer instead of the default engine.
    QTest::addRow("websocket qt") << QStringLiteral("websocket") << QStringLiteral("qt");
    QTest::addRow("xhr-polling") << QStringLiteral("xhr-polling") << QString();
}

void tst_Legacy09Interop::nodeClient()
{
    QFETCH(QString, transport);
    QFETCH(QString, wsEngine);
    startServer(25, 60, 3, wsEngine);
    PeerProcess legacy(nodeExecutable, legacyDir);
    legacy.process.setArguments({QDir(legacyDir).filePath(QStringLiteral("sio09-client.js")),
                                 QStringLiteral("--url"), url(), QStringLiteral("--transport"),
                                 transport, QStringLiteral("--scenario"), QStringLiteral("full")});
    PeerProcess modern(nodeExecutable, nodeDir);
    modern.process.setArguments({QDir(nodeDir).filePath(QStringLiteral("legacy09-room-peer.mjs")),
                                 QStringLiteral("--url"), url()});
    legacy.process.start();
    modern.process.start();
    // Both at once: a QSignalSpy made after a peer finished would wait for nothing.
    QTRY_VERIFY2_WITH_TIMEOUT(legacy.process.state() == QProcess::NotRunning &&
                                  modern.process.state() == QProcess::NotRunning,
                              qPrintable(legacy.log() + modern.log()), 40000);
    for (PeerProcess *peer : {&legacy, &modern}) {
        peer->out += peer->process.readAllStandardOutput();
        peer->err += peer->process.readAllStandardError();
    }
    verifyPassed(legacy);
    verifyPassed(modern);
    // Every step ran over the transport asked for.
    for (const QJsonObject &event : legacy.events()) {
        if (event.contains(QLatin1String("transport")))
            QCOMPARE(event.value(QLatin1String("transport")).toString(), transport);
    }
    QCOMPARE(legacy.first(u"heard").value(QLatin1String("value")).toArray().at(1).toString(),
             QStringLiteral("from v4"));
    // The 0.9 client left: "/chat" heard it. "/" hears the "0::" when it arrives; the xhr
    // client may drop it while closing its transport, and then "/" goes when closeTimeout
    // (3 s here) passes without a poll.
    QTRY_VERIFY2_WITH_TIMEOUT(
        m_disconnects.contains(QStringLiteral("/ client namespace disconnect")) ||
            m_disconnects.contains(QStringLiteral("/ transport close")),
        qPrintable(m_disconnects.join(u'|')), 10000);
    QVERIFY2(m_disconnects.contains(QStringLiteral("/chat client namespace disconnect")) ||
                 m_disconnects.contains(QStringLiteral("/chat transport close")),
             qPrintable(m_disconnects.join(u'|')));
}

void tst_Legacy09Interop::heartbeatsKeepIdleClient()
{
    // A heartbeat every second, a client that only answers them for three seconds.
    startServer(1, 2, 60);
    PeerProcess legacy(nodeExecutable, legacyDir);
    legacy.process.setArguments({QDir(legacyDir).filePath(QStringLiteral("sio09-client.js")),
                                 QStringLiteral("--url"), url(), QStringLiteral("--transport"),
                                 QStringLiteral("websocket"), QStringLiteral("--scenario"),
                                 QStringLiteral("idle"), QStringLiteral("--idle"),
                                 QStringLiteral("3500")});
    legacy.process.start();
    awaitPeer(legacy, 20000);
    verifyPassed(legacy);
    QVERIFY2(!m_disconnects.contains(QStringLiteral("/ ping timeout")),
             qPrintable(m_disconnects.join(u'|')));
}

void tst_Legacy09Interop::handshake()
{
    startServer(25, 30, 45);
    const Reply plain = request("GET", QStringLiteral("/socket.io/1/?t=123"));
    QCOMPARE(plain.status, 200);
    QVERIFY(plain.contentType.startsWith("text/plain"));
    const QList<QByteArray> fields = plain.body.split(':');
    QCOMPARE(fields.size(), 4);
    QVERIFY(!fields.at(0).isEmpty());
    QCOMPARE(fields.at(1), QByteArray("30"));
    QCOMPARE(fields.at(2), QByteArray("45"));
    QCOMPARE(fields.at(3), QByteArray("websocket,xhr-polling,jsonp-polling"));
    QCOMPARE(m_server->engine()->clientsCount(), 1);

    const Reply jsonp = request("GET", QStringLiteral("/socket.io/1/?t=1&jsonp=7"));
    QCOMPARE(jsonp.status, 200);
    QVERIFY2(jsonp.body.startsWith("io.j[7](\"") && jsonp.body.endsWith(":30:45:websocket,"
                                                                        "xhr-polling,jsonp-"
                                                                        "polling\");"),
             jsonp.body.constData());
}

void tst_Legacy09Interop::jsonpPolling()
{
    startServer();
    const QString sid = handshakeSid();
    QVERIFY(!sid.isEmpty());
    const QString path = QStringLiteral("/socket.io/1/jsonp-polling/") + sid;
    // The transport opens: "/" is connected.
    Reply poll = request("GET", path + QStringLiteral("?t=1&i=3"));
    QCOMPARE(poll.status, 200);
    QVERIFY2(poll.contentType.startsWith("text/javascript"), poll.contentType.constData());
    QCOMPARE(poll.body, QByteArray("io.j[3](\"1::\");"));
    // The client posts a JSON string in the form field d, as the 0.9 browser client does.
    const QByteArray event = R"("5:1+::{\"name\":\"echo\",\"args\":[5,\"\u00e9\"]}")";
    const Reply posted = request("POST", path + QStringLiteral("?t=2&i=4"),
                                 "d=" + QUrl::toPercentEncoding(QString::fromUtf8(event)));
    QCOMPARE(posted.status, 200);
    QCOMPARE(posted.body, QByteArray("1"));
    poll = request("GET", path + QStringLiteral("?t=3&i=5"));
    QCOMPARE(poll.body, QByteArray("io.j[5](\"6:::1+[5,\\\"\xc3\xa9\\\"]\");"));
    // Nothing to say within pollingDuration: a noop.
    poll = request("GET", path + QStringLiteral("?t=4&i=6"));
    QCOMPARE(poll.body, QByteArray("io.j[6](\"8::\");"));
}

void tst_Legacy09Interop::xhrPollingRaw()
{
    startServer();
    const QString sid = handshakeSid();
    const QString path = QStringLiteral("/socket.io/1/xhr-polling/") + sid;
    QCOMPARE(request("GET", path).body, QByteArray("1::"));
    // Two frames in one payload; an id without "+" is acked at once, without data.
    const QByteArray one = "1::/chat";
    const QByteArray two = "5:9::{\"name\":\"echo\",\"args\":[\"x\"]}";
    const QByteArray payload = "\xef\xbf\xbd" + QByteArray::number(one.size()) + "\xef\xbf\xbd" +
                               one + "\xef\xbf\xbd" + QByteArray::number(two.size()) +
                               "\xef\xbf\xbd" + two;
    QCOMPARE(request("POST", path, payload).body, QByteArray("1"));
    QByteArray all;
    QTRY_VERIFY_WITH_TIMEOUT(
        (all += request("GET", path).body, all.contains("1::/chat") && all.contains("6:::9")),
        10000);
    QVERIFY2(all.startsWith("\xef\xbf\xbd"), all.constData());
    // The synchronous disconnect of a page being unloaded ends the session at once.
    QCOMPARE(request("GET", path + QStringLiteral("?disconnect=1")).status, 200);
    QTRY_COMPARE(m_server->engine()->clientsCount(), 0);
    QVERIFY2(m_disconnects.contains(QStringLiteral("/ forced close")) ||
                 m_disconnects.contains(QStringLiteral("/ server namespace disconnect")),
             qPrintable(m_disconnects.join(u'|')));
}

void tst_Legacy09Interop::heartbeatTimeout()
{
    // Heartbeat after 1 s, then 1 s for the answer; the client polls once and goes silent.
    startServer(1, 1, 60);
    const QString sid = handshakeSid();
    QCOMPARE(request("GET", QStringLiteral("/socket.io/1/xhr-polling/") + sid).body,
             QByteArray("1::"));
    QTRY_VERIFY_WITH_TIMEOUT(m_disconnects.contains(QStringLiteral("/ ping timeout")), 8000);
    QTRY_COMPARE(m_server->engine()->clientsCount(), 0);
}

void tst_Legacy09Interop::unknownSid_data()
{
    QTest::addColumn<QString>("path");
    QTest::addColumn<QByteArray>("expected");
    QTest::addRow("xhr-polling") << QStringLiteral("/socket.io/1/xhr-polling/nosuchsid")
                                 << QByteArray("7:::1+0");
    QTest::addRow("jsonp-polling") << QStringLiteral("/socket.io/1/jsonp-polling/nosuchsid?i=2")
                                   << QByteArray("io.j[2](\"7:::1+0\");");
}

void tst_Legacy09Interop::unknownSid()
{
    QFETCH(QString, path);
    QFETCH(QByteArray, expected);
    startServer();
    const Reply reply = request("GET", path);
    // 0.9's answer: "client not handshaken", advice "reconnect".
    QCOMPARE(reply.status, 200);
    QCOMPARE(reply.body, expected);
}

void tst_Legacy09Interop::unknownSidWebSocket()
{
    startServer();
    QWebSocket ws;
    QSignalSpy messages(&ws, &QWebSocket::textMessageReceived);
    QSignalSpy disconnected(&ws, &QWebSocket::disconnected);
    ws.open(QUrl(QStringLiteral("ws://127.0.0.1:%1/socket.io/1/websocket/nosuchsid")
                     .arg(m_server->serverPort())));
    // As 0.9: the WebSocket opens, says "client not handshaken", and closes.
    QTRY_COMPARE(messages.count(), 1);
    QCOMPARE(messages.at(0).at(0).toString(), QStringLiteral("7:::1+0"));
    QTRY_COMPARE(disconnected.count(), 1);
}

void tst_Legacy09Interop::refusedTransports_data()
{
    QTest::addColumn<QString>("transport");
    QTest::addRow("htmlfile") << QStringLiteral("htmlfile");
    QTest::addRow("flashsocket") << QStringLiteral("flashsocket");
}

void tst_Legacy09Interop::refusedTransports()
{
    QFETCH(QString, transport);
    startServer();
    const QString sid = handshakeSid();
    const Reply reply = request("GET", QStringLiteral("/socket.io/1/%1/%2").arg(transport, sid));
    QCOMPARE(reply.status, 400);
    QVERIFY2(reply.body.contains(transport.toUtf8() + " is not supported"), reply.body.constData());
}

void tst_Legacy09Interop::malformedFrameClosesOneSession()
{
    startServer();
    const QString bad = handshakeSid();
    const QString good = handshakeSid();
    for (const QString &sid : {bad, good})
        request("GET", QStringLiteral("/socket.io/1/xhr-polling/") + sid);
    QTRY_COMPARE(m_server->of(QStringLiteral("/"))->sockets().size(), 2);
    request("POST", QStringLiteral("/socket.io/1/xhr-polling/") + bad, "5:::{not json");
    QTRY_COMPARE(m_server->of(QStringLiteral("/"))->sockets().size(), 1);
    QVERIFY(m_server->engine()->client(good));
    QVERIFY(!m_server->engine()->client(bad));
}

QTEST_GUILESS_MAIN(tst_Legacy09Interop)
#include "tst_legacy09_interop.moc"
