// The Socket.IO server over loopback, spoken to at the protocol level with QWebSocket and
// QNetworkAccessManager: the /socket.io/ part of the conformance contract and the server API.
#include <SocketIO/EngineSocket>
#include <SocketIO/Server>

#include "../ackfuture.h"

#include <QtCore/QElapsedTimer>
#include <QtCore/QFile>
#include <QtCore/QJsonArray>
#include <QtCore/QJsonDocument>
#include <QtCore/QJsonObject>
#include <QtCore/QTemporaryDir>
#include <QtCore/QTimer>
#include <QtNetwork/QNetworkAccessManager>
#include <QtNetwork/QNetworkReply>
#include <QtTest/QSignalSpy>
#include <QtTest/QTest>
#include <QtWebSockets/QWebSocket>

#include <algorithm>
#include <memory>
#include <type_traits>
#include <utility>

using namespace SocketIO;

namespace {

// A bare Engine.IO v4 WebSocket peer that answers pings and records every message.
class RawClient : public QObject
{
    Q_OBJECT
public:
    struct Message
    {
        QByteArray data;
        bool binary;
    };

    explicit RawClient(quint16 port,
                       const QString &query = QStringLiteral("EIO=4&transport=websocket"))
    {
        connect(&ws, &QWebSocket::textMessageReceived, this, [this](const QString &text) {
            if (text == u"2" && answerPings) {
                ws.sendTextMessage(QStringLiteral("3"));
                return;
            }
            messages.append({text.toUtf8(), false});
        });
        connect(&ws, &QWebSocket::binaryMessageReceived, this, [this](const QByteArray &data) {
            messages.append({data, true});
        });
        connect(&ws, &QWebSocket::disconnected, this, [this] { closed = true; });
        ws.open(QUrl(QStringLiteral("ws://127.0.0.1:%1/socket.io/?%2").arg(port).arg(query)));
    }

    // Waits for the Engine.IO handshake and drops it.
    bool open()
    {
        if (!QTest::qWaitFor([this] { return !messages.isEmpty() || closed; }, 5000))
            return false;
        if (messages.isEmpty() || !messages.first().data.startsWith('0'))
            return false;
        sid = QJsonDocument::fromJson(messages.takeFirst().data.sliced(1))
                  .object()
                  .value(QStringLiteral("sid"))
                  .toString();
        return true;
    }
    void send(const QByteArray &text) { ws.sendTextMessage(QString::fromUtf8("4" + text)); }
    void sendBinary(const QByteArray &data) { ws.sendBinaryMessage(data); }
    // The next Socket.IO message (without the Engine.IO "4"), or a null array on timeout.
    QByteArray next(int timeout = 3000)
    {
        if (!QTest::qWaitFor([this] { return !messages.isEmpty(); }, timeout))
            return {};
        const Message m = messages.takeFirst();
        return m.binary ? m.data : m.data.sliced(1);
    }
    bool waitClosed(int timeout = 3000)
    {
        return QTest::qWaitFor([this] { return closed; }, timeout);
    }
    // Opens the session and connects to "/": true once the CONNECT reply and the test
    // server's "auth" event have arrived.
    bool openMain() { return open() && connectTo().startsWith("0{") && !next().isEmpty(); }
    // Connects to a namespace and returns the CONNECT reply.
    QByteArray connectTo(const QByteArray &packet = "0")
    {
        send(packet);
        return next();
    }

    QWebSocket ws;
    QList<Message> messages;
    QString sid;
    bool closed = false;
    bool answerPings = true;
};

QJsonObject jsonAfter(const QByteArray &packet, qsizetype prefix)
{
    return QJsonDocument::fromJson(packet.sliced(prefix)).object();
}

} // namespace

class tst_Server : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase_data();
    void init();
    void cleanup();

    void connectMainNamespace();
    void connectWithAuth();
    void connectCustomNamespace_data();
    void connectCustomNamespace();
    void unknownNamespace();
    void invalidPacketsClose_data();
    void invalidPacketsClose();
    void connectTimeoutCloses();
    void disconnectFromNamespace();
    void eventsAndAcks();
    void binaryEventsAndAcks();
    void engineSignalsReachListeners();
    void pollingConnectPayload();
    void v3Mode();
    void middlewareRefuses();
    void middlewareAsyncAccepts();
    void socketMiddleware();
    void roomsAndBroadcast();
    void disconnectingSeesRooms();
    void serverDisconnects();
    void serverAcks();
    void emitWithAckFuture();
    void ackTimeoutAfterDisconnect();
    void broadcastWithAckTimeout();
    void fetchAndJoinAndLeaveSockets();
    void dynamicNamespaces();
    void matcherFirstAnswerCounts();
    void cleanupEmptyChildNamespaces();
    void connectionStateRecovery();
    void asyncSessionRestore();
    void reservedEventNames();
    void anyListeners();
    void volatileOverPolling();
    void serveClient();
    void legacyOptions_data();
    void legacyOptions();
    void msgpackProtocol();
    void eio3Namespaces();
    void closeShutsDown();
    void handshakeDetails();
    void broadcastIsEncodedOnce();

private:
    Server *start(ServerOptions options = {});
    static ServerOptions fastOptions();
    // Opens `count` raw clients, each connected to the main namespace.
    bool connectClients(int count, std::vector<std::unique_ptr<RawClient>> *clients);

    std::unique_ptr<Server> m_io;
    QStringList m_disconnectReasons;
};

void tst_Server::initTestCase_data()
{
    // Every test runs on both WebSocket engines.
    QTest::addColumn<QString>("wsEngine");
#if SOCKETIO_LEAN_ENGINE // the lean engine is not in every build
    QTest::addRow("lean") << QStringLiteral("lean");
#endif
    QTest::addRow("qt") << QStringLiteral("qt");
}

ServerOptions tst_Server::fastOptions()
{
    QFETCH_GLOBAL(QString, wsEngine);
    ServerOptions options;
    options.engine.wsEngine = wsEngine;
    options.engine.pingInterval = 300;
    options.engine.pingTimeout = 200;
    options.connectTimeout = 1000;
    return options;
}

bool tst_Server::connectClients(int count, std::vector<std::unique_ptr<RawClient>> *clients)
{
    for (int i = 0; i < count; ++i) {
        auto client = std::make_unique<RawClient>(m_io->serverPort());
        if (!client->openMain())
            return false;
        clients->push_back(std::move(client));
    }
    return true;
}

void tst_Server::init()
{
    m_disconnectReasons.clear();
}

void tst_Server::cleanup()
{
    m_io.reset();
}

Server *tst_Server::start(ServerOptions options)
{
    m_io = std::make_unique<Server>(options);
    auto install = [this](Socket *socket) {
        // The conformance handlers.
        socket->emitEvent(QStringLiteral("auth"), {socket->handshake().auth()});
        socket->on(QStringLiteral("message"), socket,
                   [socket](const QVariantList &args, const Ack &) {
                       socket->emitEvent(QStringLiteral("message-back"), args);
                   });
        socket->on(QStringLiteral("message-with-ack"), socket,
                   [](const QVariantList &args, const Ack &ack) { ack(args); });
        connect(socket, &Socket::disconnected, this,
                [this](const QString &reason) { m_disconnectReasons.append(reason); });
    };
    connect(m_io.get(), &Server::connection, this, install);
    connect(m_io->of(QStringLiteral("/custom")), &Namespace::connection, this, install);
    if (!m_io->listen(QHostAddress::LocalHost, 0))
        qWarning() << "listen failed:" << m_io->errorString();
    return m_io.get();
}

void tst_Server::connectMainNamespace()
{
    start(fastOptions());
    RawClient client(m_io->serverPort());
    QVERIFY(client.open());
    const QByteArray reply = client.connectTo();
    QVERIFY2(reply.startsWith("0{\"sid\":\""), reply.constData());
    const QJsonObject handshake = jsonAfter(reply, 1);
    QCOMPARE(handshake.keys(), QStringList{QStringLiteral("sid")});
    const QString sid = handshake.value(QStringLiteral("sid")).toString();
    QCOMPARE(sid.size(), 20);
    QVERIFY(sid != client.sid); // never the Engine.IO id
    QCOMPARE(client.next(), QByteArray("2[\"auth\",{}]"));
    QCOMPARE(m_io->sockets()->socketsCount(), 1);
    Socket *socket = m_io->sockets()->sockets().first();
    QCOMPARE(socket->id(), sid);
    QVERIFY(socket->isConnected());
    QCOMPARE(socket->rooms(), QSet<QString>{sid});
    QCOMPARE(socket->conn()->id(), client.sid);
}

void tst_Server::connectWithAuth()
{
    start(fastOptions());
    RawClient client(m_io->serverPort());
    QVERIFY(client.open());
    QVERIFY(client.connectTo("0{\"token\":\"123\"}").startsWith("0{\"sid\""));
    QCOMPARE(client.next(), QByteArray("2[\"auth\",{\"token\":\"123\"}]"));
}

void tst_Server::connectCustomNamespace_data()
{
    QTest::addColumn<QByteArray>("packet");
    QTest::addColumn<QByteArray>("auth");
    QTest::addRow("with comma") << QByteArray("0/custom,") << QByteArray("{}");
    QTest::addRow("without comma") << QByteArray("0/custom") << QByteArray("{}");
    QTest::addRow("with payload") << QByteArray("0/custom,{\"token\":\"abc\"}")
                                  << QByteArray("{\"token\":\"abc\"}");
}

void tst_Server::connectCustomNamespace()
{
    QFETCH(QByteArray, packet);
    QFETCH(QByteArray, auth);
    start(fastOptions());
    RawClient client(m_io->serverPort());
    QVERIFY(client.open());
    const QByteArray reply = client.connectTo(packet);
    QVERIFY2(reply.startsWith("0/custom,{\"sid\":\""), reply.constData());
    QCOMPARE(client.next(), "2/custom,[\"auth\"," + auth + "]");
}

void tst_Server::unknownNamespace()
{
    start(fastOptions());
    RawClient client(m_io->serverPort());
    QVERIFY(client.open());
    QCOMPARE(client.connectTo("0/random"),
             QByteArray("4/random,{\"message\":\"Invalid namespace\"}"));
    // The connection stays usable for other namespaces.
    QVERIFY(client.connectTo("0").startsWith("0{\"sid\""));
}

void tst_Server::invalidPacketsClose_data()
{
    QTest::addColumn<QByteArray>("packet");
    QTest::addColumn<bool>("connectFirst");
    QTest::addRow("4abc") << QByteArray("4abc") << false;
    QTest::addRow("42{}") << QByteArray("2{}") << true;
    QTest::addRow("42abc[...]") << QByteArray("2abc[\"message\"]") << true;
    QTest::addRow("unknown type") << QByteArray("9") << false;
    QTest::addRow("reserved event") << QByteArray("2[\"disconnect\"]") << true;
    QTest::addRow("binary without reconstruction") << QByteArray() << true;
    QTest::addRow("second CONNECT to same namespace") << QByteArray("0") << true;
}

void tst_Server::invalidPacketsClose()
{
    QFETCH(QByteArray, packet);
    QFETCH(bool, connectFirst);
    start(fastOptions());
    RawClient client(m_io->serverPort());
    QVERIFY(client.open());
    QSignalSpy errors(m_io.get(), &Server::connection);
    if (connectFirst) {
        QVERIFY(client.connectTo().startsWith("0{"));
        QCOMPARE(client.next(), QByteArray("2[\"auth\",{}]"));
    }
    if (packet.isNull())
        client.sendBinary(QByteArray("\x01\x02", 2));
    else
        client.send(packet);
    QVERIFY(client.waitClosed());
    if (connectFirst) {
        QTRY_COMPARE(m_disconnectReasons.size(), 1);
        QVERIFY2(m_disconnectReasons.first() == u"forced close" ||
                     m_disconnectReasons.first() == u"forced server close",
                 qPrintable(m_disconnectReasons.first()));
    }
}

void tst_Server::connectTimeoutCloses()
{
    ServerOptions options = fastOptions();
    options.engine.pingInterval = 5000;
    options.connectTimeout = 200;
    start(options);
    // Timed from before the handshake, which starts the server's timer: a slow handshake
    // on a loaded machine must not eat into the bound.
    QElapsedTimer clock;
    clock.start();
    RawClient client(m_io->serverPort());
    QVERIFY(client.open());
    QVERIFY(client.waitClosed(3000));
    QVERIFY2(clock.elapsed() >= 190, qPrintable(QString::number(clock.elapsed())));
}

void tst_Server::disconnectFromNamespace()
{
    start(fastOptions());
    RawClient client(m_io->serverPort());
    QVERIFY(client.open());
    QVERIFY(client.connectTo("0/custom").startsWith("0/custom,"));
    client.next();
    QVERIFY(client.connectTo().startsWith("0{"));
    client.next();
    client.send("1/custom");
    QTRY_COMPARE(m_disconnectReasons, QStringList{QStringLiteral("client namespace disconnect")});
    // The main namespace still answers.
    client.send("2[\"message\",\"message to main namespace\"]");
    QCOMPARE(client.next(), QByteArray("2[\"message-back\",\"message to main namespace\"]"));
    client.send("1");
    QTRY_COMPARE(m_disconnectReasons.size(), 2);
    QCOMPARE(m_io->sockets()->socketsCount(), 0);
}

void tst_Server::eventsAndAcks()
{
    start(fastOptions());
    RawClient client(m_io->serverPort());
    QVERIFY(client.openMain());
    client.send("2[\"message\",1,\"2\",{\"3\":[true]}]");
    QCOMPARE(client.next(), QByteArray("2[\"message-back\",1,\"2\",{\"3\":[true]}]"));
    client.send("2456[\"message-with-ack\",1,\"2\",{\"3\":[true]}]");
    QCOMPARE(client.next(), QByteArray("3456[1,\"2\",{\"3\":[true]}]"));
    // Numbers as JavaScript prints them.
    client.send("2[\"message\",1.5,-0.25,1e21,null,\"é😀\"]");
    QCOMPARE(client.next(), QByteArray("2[\"message-back\",1.5,-0.25,1e+21,null,\"é😀\"]"));
}

void tst_Server::engineSignalsReachListeners()
{
    // The server reads its session's messages without a signal, and emits messageReceived()
    // and drained() only once something connected to them: a listener must still get both.
    start(fastOptions());
    RawClient client(m_io->serverPort());
    QVERIFY(client.openMain());
    EngineSocket *conn = m_io->sockets()->sockets().first()->conn();
    QSignalSpy messages(conn, &EngineSocket::messageReceived);
    QSignalSpy drained(conn, &EngineSocket::drained);
    client.send("2456[\"message-with-ack\",1]");
    QCOMPARE(client.next(), QByteArray("3456[1]"));
    QCOMPARE(messages.count(), 1);
    QCOMPARE(messages.at(0).at(0).toByteArray(), QByteArray("2456[\"message-with-ack\",1]"));
    QVERIFY(drained.count() >= 1);
}

void tst_Server::binaryEventsAndAcks()
{
    start(fastOptions());
    RawClient client(m_io->serverPort());
    QVERIFY(client.openMain());
    client.send(
        "52-[\"message\",{\"_placeholder\":true,\"num\":0},{\"_placeholder\":true,\"num\":1}]");
    client.sendBinary(QByteArray("\x01\x02\x03", 3));
    client.sendBinary(QByteArray("\x04\x05\x06", 3));
    QCOMPARE(client.next(), QByteArray("52-[\"message-back\",{\"_placeholder\":true,\"num\":0},"
                                       "{\"_placeholder\":true,\"num\":1}]"));
    QCOMPARE(client.next(), QByteArray("\x01\x02\x03", 3));
    QCOMPARE(client.next(), QByteArray("\x04\x05\x06", 3));
    client.send("51-789[\"message-with-ack\",{\"_placeholder\":true,\"num\":0}]");
    client.sendBinary(QByteArray("\xff", 1));
    QCOMPARE(client.next(), QByteArray("61-789[{\"_placeholder\":true,\"num\":0}]"));
    QCOMPARE(client.next(), QByteArray("\xff", 1));
    // Binary at depth is seen by the server as QByteArray.
    Socket *socket = m_io->sockets()->sockets().first();
    QSignalSpy events(socket, &Socket::eventReceived);
    client.send("51-[\"deep\",{\"a\":[1,{\"b\":{\"_placeholder\":true,\"num\":0}}]}]");
    client.sendBinary(QByteArray("xyz"));
    QTRY_COMPARE(events.count(), 1);
    const QVariantMap arg = events.at(0).at(1).toList().first().toMap();
    QCOMPARE(arg.value(QStringLiteral("a"))
                 .toList()
                 .at(1)
                 .toMap()
                 .value(QStringLiteral("b"))
                 .toByteArray(),
             QByteArray("xyz"));
}

void tst_Server::pollingConnectPayload()
{
    start(fastOptions());
    QNetworkAccessManager nam;
    const QString base = QStringLiteral("http://127.0.0.1:%1/socket.io/?EIO=4&transport=polling")
                             .arg(m_io->serverPort());
    auto fetch = [&nam](QNetworkReply *reply) {
        QSignalSpy finished(reply, &QNetworkReply::finished);
        finished.wait(3000);
        const QByteArray body = reply->readAll();
        reply->deleteLater();
        return body;
    };
    const QByteArray open = fetch(nam.get(QNetworkRequest(QUrl(base))));
    const QString sid = jsonAfter(open, 1).value(QStringLiteral("sid")).toString();
    const QUrl url(base + QStringLiteral("&sid=") + sid);
    QNetworkRequest post(url);
    post.setHeader(QNetworkRequest::ContentTypeHeader, "text/plain");
    QCOMPARE(fetch(nam.post(post, "40")), QByteArray("ok"));
    // The CONNECT reply and the next event are separate packets of one payload.
    const QList<QByteArray> packets = fetch(nam.get(QNetworkRequest(url))).split('\x1e');
    QCOMPARE(packets.size(), 2);
    QVERIFY(packets.at(0).startsWith("40{\"sid\":\""));
    QCOMPARE(packets.at(1), QByteArray("42[\"auth\",{}]"));
}

void tst_Server::v3Mode()
{
    // Only pingTimeout and allowEIO3 differ from the defaults.
    QVariantMap expected = ServerOptions().engine.toVariantMap();
    expected.insert(QStringLiteral("pingTimeout"), 5000);
    expected.insert(QStringLiteral("allowEIO3"), true);
    QCOMPARE(ServerOptions::v3().engine.toVariantMap(), expected);

    // An Engine.IO 3 client (a socket.io 2 client) is answered with the v3 timings.
    start(ServerOptions::v3());
    QNetworkAccessManager nam;
    QNetworkReply *reply = nam.get(QNetworkRequest(
        QUrl(QStringLiteral("http://127.0.0.1:%1/socket.io/?EIO=3&transport=polling&b64=1")
                 .arg(m_io->serverPort()))));
    QSignalSpy finished(reply, &QNetworkReply::finished);
    QVERIFY(finished.wait(3000));
    const QByteArray body = reply->readAll();
    reply->deleteLater();
    const qsizetype open = body.indexOf(":0{");
    QVERIFY2(open > 0, body.constData());
    // A v3 payload: "<length>:<packet>" for each packet, the open packet first.
    const QJsonObject handshake = jsonAfter(body.mid(open + 1, body.first(open).toInt()), 1);
    QCOMPARE(handshake.value(QStringLiteral("pingTimeout")).toInt(), 5000);
    QCOMPARE(handshake.value(QStringLiteral("pingInterval")).toInt(), 25000);
}

void tst_Server::middlewareRefuses()
{
    start(fastOptions());
    m_io->use(this, [](Socket *socket, const Next &next) {
        if (socket->handshake().auth().value(QStringLiteral("token")).toString() == u"good")
            next();
        else
            next(QStringLiteral("not authorized"), QVariantMap{{QStringLiteral("code"), 42}});
    });
    QSignalSpy connections(m_io.get(), &Server::connection);
    RawClient client(m_io->serverPort());
    QVERIFY(client.open());
    QCOMPARE(client.connectTo("0{\"token\":\"bad\"}"),
             QByteArray("4{\"data\":{\"code\":42},\"message\":\"not authorized\"}"));
    QCOMPARE(connections.count(), 0);
    QCOMPARE(m_io->sockets()->socketsCount(), 0);
    QVERIFY(client.connectTo("0{\"token\":\"good\"}").startsWith("0{\"sid\""));
    QCOMPARE(connections.count(), 1);
}

void tst_Server::middlewareAsyncAccepts()
{
    start(fastOptions());
    QStringList order;
    m_io->use(this, [this, &order](Socket *socket, const Next &next) {
        order.append(QStringLiteral("first"));
        socket->setData({{QStringLiteral("user"), QStringLiteral("ada")}});
        QTimer::singleShot(30, this, [next] { next(); });
    });
    m_io->use(this, [&order](Socket *, const Next &next) {
        order.append(QStringLiteral("second"));
        next();
    });
    RawClient client(m_io->serverPort());
    QVERIFY(client.open());
    QVERIFY(client.connectTo().startsWith("0{\"sid\""));
    QCOMPARE(order, (QStringList{QStringLiteral("first"), QStringLiteral("second")}));
    QCOMPARE(m_io->sockets()->sockets().first()->data().value(QStringLiteral("user")).toString(),
             QStringLiteral("ada"));
}

void tst_Server::socketMiddleware()
{
    start(fastOptions());
    RawClient client(m_io->serverPort());
    QVERIFY(client.openMain());
    Socket *socket = m_io->sockets()->sockets().first();
    socket->use(this, [](const QString &event, const QVariantList &, const Next &next) {
        if (event == u"forbidden")
            next(QStringLiteral("not allowed"));
        else
            next();
    });
    QSignalSpy errors(socket, &Socket::errorOccurred);
    QSignalSpy events(socket, &Socket::eventReceived);
    client.send("2[\"forbidden\",1]");
    QTRY_COMPARE(errors.count(), 1);
    QCOMPARE(errors.at(0).at(0).toString(), QStringLiteral("not allowed"));
    client.send("2[\"message\",2]");
    QCOMPARE(client.next(), QByteArray("2[\"message-back\",2]"));
    QCOMPARE(events.count(), 1);
    QCOMPARE(events.at(0).at(0).toString(), QStringLiteral("message"));
    QVERIFY(socket->isConnected());
}

void tst_Server::roomsAndBroadcast()
{
    start(fastOptions());
    std::vector<std::unique_ptr<RawClient>> clients;
    QVERIFY(connectClients(4, &clients));
    const QList<Socket *> sockets = m_io->sockets()->sockets();
    QCOMPARE(sockets.size(), 4);
    sockets[0]->join(QStringLiteral("even"));
    sockets[2]->join(QStringList{QStringLiteral("even"), QStringLiteral("vip")});
    sockets[1]->join(QStringLiteral("odd"));
    sockets[3]->join(QStringLiteral("odd"));
    QCOMPARE(m_io->sockets()->adapter()->rooms().value(QStringLiteral("even")).size(), 2);

    m_io->to(QStringLiteral("even")).emitEvent(QStringLiteral("hello"), {1});
    m_io->to(QStringLiteral("odd")).except(QStringLiteral("vip")).emitEvent(QStringLiteral("odd"));
    m_io->except(QStringLiteral("vip")).emitEvent(QStringLiteral("all-but-vip"));
    sockets[0]->broadcast().emitEvent(QStringLiteral("from0"));
    sockets[0]->to(QStringLiteral("even")).emitEvent(QStringLiteral("to-even-from0"));
    // Rooms of a socket, and a socket's own room.
    m_io->to(sockets[3]->id()).emitEvent(QStringLiteral("direct"));

    auto drain = [](RawClient &c) {
        QByteArrayList got;
        while (true) {
            const QByteArray m = c.next(300);
            if (m.isNull())
                return got;
            got.append(m);
        }
    };
    QCOMPARE(drain(*clients[0]), (QByteArrayList{"2[\"hello\",1]", "2[\"all-but-vip\"]"}));
    QCOMPARE(drain(*clients[1]),
             (QByteArrayList{"2[\"odd\"]", "2[\"all-but-vip\"]", "2[\"from0\"]"}));
    QCOMPARE(drain(*clients[2]),
             (QByteArrayList{"2[\"hello\",1]", "2[\"from0\"]", "2[\"to-even-from0\"]"}));
    QCOMPARE(drain(*clients[3]),
             (QByteArrayList{"2[\"odd\"]", "2[\"all-but-vip\"]", "2[\"from0\"]", "2[\"direct\"]"}));
    sockets[2]->leave(QStringLiteral("vip"));
    QVERIFY(!m_io->sockets()->adapter()->rooms().contains(QStringLiteral("vip")));
}

void tst_Server::disconnectingSeesRooms()
{
    start(fastOptions());
    RawClient client(m_io->serverPort());
    QVERIFY(client.openMain());
    Socket *socket = m_io->sockets()->sockets().first();
    socket->join(QStringLiteral("lobby"));
    QSet<QString> roomsWhileDisconnecting;
    connect(socket, &Socket::disconnecting, this,
            [&roomsWhileDisconnecting, socket] { roomsWhileDisconnecting = socket->rooms(); });
    client.ws.close();
    QTRY_COMPARE(m_disconnectReasons, QStringList{QStringLiteral("transport close")});
    QVERIFY(roomsWhileDisconnecting.contains(QStringLiteral("lobby")));
    QVERIFY(m_io->sockets()->adapter()->rooms().isEmpty());
}

void tst_Server::serverDisconnects()
{
    start(fastOptions());
    RawClient client(m_io->serverPort());
    QVERIFY(client.openMain());
    client.connectTo("0/custom");
    client.next();
    Socket *main = m_io->sockets()->sockets().first();
    main->disconnectSocket();
    QCOMPARE(client.next(), QByteArray("1"));
    QTRY_COMPARE(m_disconnectReasons, QStringList{QStringLiteral("server namespace disconnect")});
    QVERIFY(!client.closed);
    Socket *custom = m_io->of(QStringLiteral("/custom"))->sockets().first();
    custom->disconnectSocket(true);
    QCOMPARE(client.next(), QByteArray("1/custom,"));
    QVERIFY(client.waitClosed());
    QCOMPARE(m_disconnectReasons.size(), 2);
    QCOMPARE(m_disconnectReasons.last(), QStringLiteral("server namespace disconnect"));
}

void tst_Server::serverAcks()
{
    start(fastOptions());
    RawClient client(m_io->serverPort());
    QVERIFY(client.openMain());
    Socket *socket = m_io->sockets()->sockets().first();
    QStringList errors;
    QList<QVariantList> replies;
    auto callback = [&](const QString &error, const QVariantList &args) {
        errors.append(error);
        replies.append(args);
    };
    QVERIFY(socket->emitEvent(QStringLiteral("question"), {1}, this, callback));
    const QByteArray sent = client.next();
    QVERIFY2(sent.startsWith("2") && sent.endsWith("[\"question\",1]"), sent.constData());
    const QByteArray id = sent.sliced(1, sent.indexOf('[') - 1);
    client.send("3" + id + "[\"answer\",{\"x\":1}]");
    QTRY_COMPARE(replies.size(), 1);
    QCOMPARE(errors.first(), QString());
    QCOMPARE(replies.first().first().toString(), QStringLiteral("answer"));
    // With a timeout and no answer.
    QVERIFY(socket->timeout(100).emitEvent(QStringLiteral("question"), {2}, this, callback));
    QVERIFY(!client.next().isEmpty());
    QTRY_COMPARE(errors.size(), 2);
    QCOMPARE(errors.last(), QStringLiteral("operation has timed out"));
    // A callback whose context died is not called.
    auto context = std::make_unique<QObject>();
    QVERIFY(socket->emitEvent(QStringLiteral("question"), {3}, context.get(), callback));
    const QByteArray third = client.next();
    context.reset();
    client.send("3" + third.sliced(1, third.indexOf('[') - 1) + "[]");
    client.send("2[\"message\",\"sync\"]");
    QCOMPARE(client.next(), QByteArray("2[\"message-back\",\"sync\"]"));
    QCOMPARE(errors.size(), 2);
}

void tst_Server::emitWithAckFuture()
{
    start(fastOptions());
    RawClient client(m_io->serverPort());
    QVERIFY(client.openMain());
    Socket *socket = m_io->sockets()->sockets().first();
    QFuture<QVariantList> future = socket->emitWithAck(QStringLiteral("q"), {});
    const QByteArray sent = client.next();
    client.send("3" + sent.sliced(1, sent.indexOf('[') - 1) + "[42]");
    QTRY_VERIFY(future.isFinished());
    QCOMPARE(future.result(), QVariantList{qint64(42)});

    QFuture<QVariantList> timedOut = socket->timeout(50).emitWithAck(QStringLiteral("q"), {});
    QTRY_VERIFY(timedOut.isFinished());
    QVERIFY(failedWithTimeout(timedOut));
}

void tst_Server::ackTimeoutAfterDisconnect()
{
    // As in the reference: the peer is gone, so no answer comes, but an acknowledgement with a
    // timeout still gets its error, at its deadline (not at the disconnection); one without a
    // timeout is never called.
    start(fastOptions());
    RawClient client(m_io->serverPort());
    QVERIFY(client.openMain());
    QPointer<Socket> socket = m_io->sockets()->sockets().first();
    QStringList errors;
    QElapsedTimer sinceEmit;
    qint64 calledAfter = -1;
    QVERIFY(socket->timeout(400).emitEvent(QStringLiteral("q"), {1}, this,
                                           [&](const QString &error, const QVariantList &) {
                                               calledAfter = sinceEmit.elapsed();
                                               errors.append(error);
                                           }));
    sinceEmit.start();
    QVERIFY(socket->emitEvent(QStringLiteral("q"), {2}, this,
                              [&](const QString &error, const QVariantList &) {
                                  errors.append(QStringLiteral("untimed: ") + error);
                              }));
    QFuture<QVariantList> future = socket->timeout(400).emitWithAck(QStringLiteral("q"), {3});
    QSignalSpy disconnected(socket.get(), &Socket::disconnected);
    client.ws.close();
    QTRY_COMPARE(disconnected.size(), 1);
    QTRY_VERIFY(socket.isNull());
    QVERIFY(errors.isEmpty());
    QTRY_COMPARE(errors, QStringList{QStringLiteral("operation has timed out")});
    QVERIFY2(calledAfter >= 350, QByteArray::number(calledAfter).constData());
    QTRY_VERIFY(future.isFinished());
    QVERIFY(failedWithTimeout(future));
    // The untimed one stays silent.
    QCOMPARE(errors.size(), 1);
}

void tst_Server::broadcastWithAckTimeout()
{
    start(fastOptions());
    std::vector<std::unique_ptr<RawClient>> clients;
    QVERIFY(connectClients(3, &clients));
    QString error = QStringLiteral("pending");
    QVariantList responses;
    QVERIFY(m_io->timeout(300).emitEvent(QStringLiteral("ask"), {}, this,
                                         [&](const QString &e, const QVariantList &r) {
                                             error = e;
                                             responses = r;
                                         }));
    for (int i = 0; i < 2; ++i) {
        const QByteArray sent = clients[i]->next();
        clients[i]->send("3" + sent.sliced(1, sent.indexOf('[') - 1) + "[" + QByteArray::number(i) +
                         "]");
    }
    QTRY_COMPARE(error, QStringLiteral("operation has timed out"));
    // In the order they arrived, as Node collects them: two clients' sends need not leave in
    // the order they were written (Qt's Unix dispatcher activates write notifiers in hash order).
    std::sort(responses.begin(), responses.end(),
              [](const QVariant &a, const QVariant &b) { return a.toLongLong() < b.toLongLong(); });
    QCOMPARE(responses, (QVariantList{qint64(0), qint64(1)}));
    // The silent client's question is still in its queue; a late answer changes nothing.
    const QByteArray late = clients[2]->next();
    clients[2]->send("3" + late.sliced(1, late.indexOf('[') - 1) + "[2]");
    // All answer: no error, every response.
    error = QStringLiteral("pending");
    QVERIFY(m_io->timeout(3000).emitEvent(QStringLiteral("ask"), {}, this,
                                          [&](const QString &e, const QVariantList &r) {
                                              error = e;
                                              responses = r;
                                          }));
    for (int i = 0; i < 3; ++i) {
        const QByteArray sent = clients[i]->next();
        QVERIFY(!sent.isEmpty());
        clients[i]->send("3" + sent.sliced(1, sent.indexOf('[') - 1) + "[\"ok\"]");
    }
    QTRY_COMPARE(error, QString());
    QCOMPARE(responses.size(), 3);
    // Without a timeout, acknowledgements from many sockets are refused.
    QVERIFY(!m_io->sockets()->broadcastOperator().emitEvent(
        QStringLiteral("ask"), {}, this, [](const QString &, const QVariantList &) {}));
}

void tst_Server::fetchAndJoinAndLeaveSockets()
{
    start(fastOptions());
    std::vector<std::unique_ptr<RawClient>> clients;
    QVERIFY(connectClients(3, &clients));
    const QList<Socket *> sockets = m_io->sockets()->sockets();
    sockets[0]->join(QStringLiteral("a"));
    sockets[1]->join(QStringLiteral("a"));
    QFuture<QList<RemoteSocket>> future = m_io->to(QStringLiteral("a")).fetchSockets();
    QTRY_VERIFY(future.isFinished());
    QCOMPARE(future.result().size(), 2);
    QVERIFY(future.result().first().rooms().contains(QStringLiteral("a")));

    m_io->to(QStringLiteral("a")).socketsJoin(QStringLiteral("b"));
    QCOMPARE(m_io->sockets()->adapter()->rooms().value(QStringLiteral("b")).size(), 2);
    m_io->socketsLeave(QStringList{QStringLiteral("a")});
    QVERIFY(!m_io->sockets()->adapter()->rooms().contains(QStringLiteral("a")));
    QCOMPARE(m_io->to(QStringLiteral("b")).allSockets().size(), 2);

    RemoteSocket remote = m_io->to(QStringLiteral("b")).fetchSockets().result().first();
    remote.emitEvent(QStringLiteral("remote"), {true});
    remote.join(QStringLiteral("c"));
    QCOMPARE(m_io->sockets()->adapter()->rooms().value(QStringLiteral("c")).size(), 1);

    m_io->to(QStringLiteral("b")).disconnectSockets();
    QTRY_COMPARE(m_disconnectReasons.size(), 2);
    QCOMPARE(m_io->sockets()->socketsCount(), 1);
    QCOMPARE(m_disconnectReasons.first(), QStringLiteral("server namespace disconnect"));
}

// childNamespaces() is the parent's list; children() stays QObject's.
static_assert(
    std::is_same_v<decltype(std::declval<const Namespace &>().children()), const QObjectList &>,
    "Namespace::children() must be QObject::children()");

void tst_Server::dynamicNamespaces()
{
    start(fastOptions());
    Namespace *parent = m_io->of(QRegularExpression(QStringLiteral("^/dyn-\\d+$")));
    QVERIFY(parent->isParent());
    QStringList log;
    parent->use(this, [&log](Socket *socket, const Next &next) {
        log.append(QStringLiteral("parent middleware ") + socket->nsp()->name());
        next();
    });
    connect(parent, &Namespace::connection, this, [&log](Socket *socket) {
        log.append(QStringLiteral("connection ") + socket->nsp()->name());
    });
    QSignalSpy created(m_io.get(), &Server::newNamespace);
    RawClient client(m_io->serverPort());
    QVERIFY(client.open());
    QVERIFY(client.connectTo("0/dyn-1,").startsWith("0/dyn-1,{\"sid\""));
    QCOMPARE(created.count(), 1);
    Namespace *child = created.at(0).at(0).value<Namespace *>();
    QCOMPARE(child->name(), QStringLiteral("/dyn-1"));
    QCOMPARE(child->parentNamespace(), parent);
    QCOMPARE(parent->childNamespaces(), QList<Namespace *>{child});
    QVERIFY(child->childNamespaces().isEmpty());
    QCOMPARE(log, (QStringList{QStringLiteral("parent middleware /dyn-1"),
                               QStringLiteral("connection /dyn-1")}));
    QCOMPARE(client.connectTo("0/dyn-x,"),
             QByteArray("4/dyn-x,{\"message\":\"Invalid namespace\"}"));
    // A parent's broadcast reaches its children.
    parent->emitEvent(QStringLiteral("to-children"));
    QCOMPARE(client.next(), QByteArray("2/dyn-1,[\"to-children\"]"));
    // An async matcher.
    m_io->of(
        [this](const QString &name, const QVariantMap &auth, std::function<void(bool)> decide) {
            QTimer::singleShot(10, this, [=] {
                decide(name == u"/async" && auth.contains(QStringLiteral("ok")));
            });
        });
    QVERIFY(client.connectTo("0/async,{\"ok\":1}").startsWith("0/async,{\"sid\""));
}

// A matcher that answers twice is heard once: the next matcher is asked once, not twice.
void tst_Server::matcherFirstAnswerCounts()
{
    start(fastOptions());
    m_io->of([](const QString &, const QVariantMap &, std::function<void(bool)> decide) {
        decide(false);
        decide(false);
    });
    int asked = 0;
    m_io->of(
        [this, &asked](const QString &name, const QVariantMap &, std::function<void(bool)> decide) {
            ++asked;
            QTimer::singleShot(0, this, [=] { decide(name == u"/twice"); });
        });
    RawClient client(m_io->serverPort());
    QVERIFY(client.open());
    QVERIFY(client.connectTo("0/twice,").startsWith("0/twice,{\"sid\""));
    QCOMPARE(asked, 1);
}

void tst_Server::cleanupEmptyChildNamespaces()
{
    ServerOptions options = fastOptions();
    options.cleanupEmptyChildNamespaces = true;
    start(options);
    m_io->of(QRegularExpression(QStringLiteral("^/room-")));
    RawClient client(m_io->serverPort());
    QVERIFY(client.open());
    QVERIFY(client.connectTo("0/room-1,").startsWith("0/room-1,"));
    QCOMPARE(m_io->namespaces().size(), 3); // "/", "/custom", "/room-1"
    client.send("1/room-1,");
    QTRY_COMPARE(m_io->namespaces().size(), 2);
}

void tst_Server::connectionStateRecovery()
{
    ServerOptions options = fastOptions();
    options.engine.pingInterval = 5000;
    options.connectionStateRecovery = ConnectionStateRecoveryOptions();
    start(options);
    auto client = std::make_unique<RawClient>(m_io->serverPort());
    QVERIFY(client->open());
    const QJsonObject connect = jsonAfter(client->connectTo(), 1);
    const QString sid = connect.value(QStringLiteral("sid")).toString();
    const QString pid = connect.value(QStringLiteral("pid")).toString();
    QCOMPARE(pid.size(), 20);
    QVERIFY(client->next().startsWith("2[\"auth\",{}")); // with its offset
    Socket *socket = m_io->sockets()->sockets().first();
    socket->join(QStringLiteral("room"));
    socket->setData({{QStringLiteral("k"), 1}});
    m_io->emitEvent(QStringLiteral("news"), {1});
    const QByteArray first = client->next();
    // The offset travels as the last argument.
    const QVariantList args = QJsonDocument::fromJson(first.sliced(1)).array().toVariantList();
    QCOMPARE(args.size(), 3);
    const QString offset = args.last().toString();
    QVERIFY(!offset.isEmpty());

    client->ws.abort();
    QTRY_COMPARE(m_disconnectReasons, QStringList{QStringLiteral("transport close")});
    m_io->emitEvent(QStringLiteral("news"), {2});
    m_io->to(QStringLiteral("room")).emitEvent(QStringLiteral("news"), {3});
    m_io->to(QStringLiteral("elsewhere")).emitEvent(QStringLiteral("news"), {4});

    client = std::make_unique<RawClient>(m_io->serverPort());
    QVERIFY(client->open());
    QSignalSpy connections(m_io.get(), &Server::connection);
    client->send("0{\"pid\":\"" + pid.toUtf8() + "\",\"offset\":\"" + offset.toUtf8() + "\"}");
    // Missed packets first, then the CONNECT with the same ids.
    const QByteArray missed2 = client->next();
    const QByteArray missed3 = client->next();
    QVERIFY2(missed2.startsWith("2[\"news\",2,"), missed2.constData());
    QVERIFY2(missed3.startsWith("2[\"news\",3,"), missed3.constData());
    const QJsonObject again = jsonAfter(client->next(), 1);
    QCOMPARE(again.value(QStringLiteral("sid")).toString(), sid);
    QCOMPARE(again.value(QStringLiteral("pid")).toString(), pid);
    QCOMPARE(connections.count(), 1);
    Socket *recovered = connections.at(0).at(0).value<Socket *>();
    QVERIFY(recovered->isRecovered());
    QCOMPARE(recovered->id(), sid);
    QVERIFY(recovered->rooms().contains(QStringLiteral("room")));
    QCOMPARE(recovered->data().value(QStringLiteral("k")).toInt(), 1);

    // An unknown offset gives a fresh session.
    RawClient other(m_io->serverPort());
    QVERIFY(other.open());
    other.send("0{\"pid\":\"" + pid.toUtf8() + "\",\"offset\":\"nope\"}");
    const QJsonObject fresh = jsonAfter(other.next(), 1);
    QVERIFY(fresh.value(QStringLiteral("sid")).toString() != sid);
}

namespace {
// Answers restoreSession() when the test says so, as an adapter asking a database does.
class DeferredRestoreAdapter : public Adapter
{
public:
    using Adapter::Adapter;
    using Adapter::restoreSession;
    void restoreSession(const QString &pid, const QString &offset,
                        const std::function<void(const std::optional<Session> &)> &done) override
    {
        pending.append({pid, offset, done});
    }
    struct Pending
    {
        QString pid;
        QString offset;
        std::function<void(const std::optional<Session> &)> done;
    };
    QList<Pending> pending;
};
} // namespace

void tst_Server::asyncSessionRestore()
{
    ServerOptions options = fastOptions();
    options.connectionStateRecovery = ConnectionStateRecoveryOptions();
    QPointer<DeferredRestoreAdapter> adapter;
    options.adapter = [&adapter](Namespace *nsp) {
        auto *created = new DeferredRestoreAdapter(nsp);
        if (nsp->name() == u"/")
            adapter = created;
        return created;
    };
    start(options);
    QVERIFY(adapter);
    RawClient client(m_io->serverPort());
    QVERIFY(client.open());
    QSignalSpy connections(m_io.get(), &Server::connection);
    client.send("0{\"pid\":\"p1\",\"offset\":\"o1\"}");
    QTRY_COMPARE(adapter->pending.size(), 1);
    QCOMPARE(adapter->pending.first().pid, QStringLiteral("p1"));
    QCOMPARE(adapter->pending.first().offset, QStringLiteral("o1"));
    // The CONNECT waits for the answer.
    QCOMPARE(m_io->sockets()->socketsCount(), 0);
    QCOMPARE(connections.count(), 0);
    Session session;
    session.setSid(QStringLiteral("s1"));
    session.setPid(QStringLiteral("p1"));
    session.setRooms({QStringLiteral("room")});
    session.setMissedPackets({{QStringLiteral("news"), 2, QStringLiteral("o2")}});
    adapter->pending.takeFirst().done(session);
    QCOMPARE(client.next(), QByteArray("2[\"news\",2,\"o2\"]"));
    const QJsonObject connect = jsonAfter(client.next(), 1);
    QCOMPARE(connect.value(QStringLiteral("sid")).toString(), QStringLiteral("s1"));
    QCOMPARE(connect.value(QStringLiteral("pid")).toString(), QStringLiteral("p1"));
    QCOMPARE(connections.count(), 1);
    Socket *recovered = connections.at(0).at(0).value<Socket *>();
    QVERIFY(recovered->isRecovered());
    QVERIFY(recovered->rooms().contains(QStringLiteral("room")));

    // The client leaves before the answer: nothing happens when it comes.
    RawClient gone(m_io->serverPort());
    QVERIFY(gone.open());
    gone.send("0{\"pid\":\"p2\",\"offset\":\"o3\"}");
    QTRY_COMPARE(adapter->pending.size(), 1);
    gone.ws.abort();
    QTRY_COMPARE(m_io->clientsCount(), 1);
    session.setSid(QStringLiteral("s2"));
    adapter->pending.takeFirst().done(session);
    QCOMPARE(connections.count(), 1);
    QCOMPARE(m_io->sockets()->socketsCount(), 1);
    QVERIFY(!m_io->sockets()->adapter()->sids().contains(QStringLiteral("s2")));
}

void tst_Server::reservedEventNames()
{
    start(fastOptions());
    RawClient client(m_io->serverPort());
    QVERIFY(client.openMain());
    Socket *socket = m_io->sockets()->sockets().first();
    for (const char *name : {"connect", "connect_error", "disconnect", "disconnecting",
                             "newListener", "removeListener"}) {
        QTest::ignoreMessage(QtWarningMsg,
                             QRegularExpression(QStringLiteral("reserved event name")));
        QVERIFY(!socket->emitEvent(QString::fromLatin1(name)));
    }
    QTest::ignoreMessage(QtWarningMsg, QRegularExpression(QStringLiteral("reserved event name")));
    QVERIFY(!m_io->emitEvent(QStringLiteral("disconnect")));
    QVERIFY(socket->emitEvent(QStringLiteral("fine")));
    QCOMPARE(client.next(), QByteArray("2[\"fine\"]"));
}

void tst_Server::anyListeners()
{
    start(fastOptions());
    RawClient client(m_io->serverPort());
    QVERIFY(client.openMain());
    Socket *socket = m_io->sockets()->sockets().first();
    QStringList incoming, outgoing;
    const int first = socket->onAny(this, [&](const QString &event, const QVariantList &) {
        incoming.append(QStringLiteral("any:") + event);
    });
    socket->prependAny(this, [&](const QString &event, const QVariantList &) {
        incoming.append(QStringLiteral("prepended:") + event);
    });
    socket->onAnyOutgoing(this, [&](const QString &event, const QVariantList &args) {
        outgoing.append(event + u':' + QString::number(args.size()));
    });
    client.send("2[\"message\",1]");
    QCOMPARE(client.next(), QByteArray("2[\"message-back\",1]"));
    QCOMPARE(incoming,
             (QStringList{QStringLiteral("prepended:message"), QStringLiteral("any:message")}));
    QCOMPARE(outgoing, QStringList{QStringLiteral("message-back:1")});
    socket->offAny(first);
    client.send("2[\"message\",2]");
    client.next();
    QCOMPARE(incoming.size(), 3);
    socket->offAny();
    socket->offAnyOutgoing();
    client.send("2[\"message\",3]");
    client.next();
    QCOMPARE(incoming.size(), 3);
    QCOMPARE(outgoing.size(), 2);
}

void tst_Server::volatileOverPolling()
{
    ServerOptions options = fastOptions();
    options.engine.pingInterval = 5000;
    start(options);
    QNetworkAccessManager nam;
    const QString base = QStringLiteral("http://127.0.0.1:%1/socket.io/?EIO=4&transport=polling")
                             .arg(m_io->serverPort());
    auto fetch = [](QNetworkReply *reply) {
        QSignalSpy finished(reply, &QNetworkReply::finished);
        finished.wait(3000);
        const QByteArray body = reply->readAll();
        reply->deleteLater();
        return body;
    };
    const QString sid = jsonAfter(fetch(nam.get(QNetworkRequest(QUrl(base)))), 1)
                            .value(QStringLiteral("sid"))
                            .toString();
    const QUrl url(base + QStringLiteral("&sid=") + sid);
    QNetworkRequest post(url);
    post.setHeader(QNetworkRequest::ContentTypeHeader, "text/plain");
    fetch(nam.post(post, "40"));
    fetch(nam.get(QNetworkRequest(url))); // CONNECT and auth
    Socket *socket = m_io->sockets()->sockets().first();
    // No GET is pending: a volatile event is dropped, a normal one waits.
    socket->asVolatile().emitEvent(QStringLiteral("lossy"));
    m_io->asVolatile().emitEvent(QStringLiteral("lossy-broadcast"));
    socket->emitEvent(QStringLiteral("kept"));
    QCOMPARE(fetch(nam.get(QNetworkRequest(url))), QByteArray("42[\"kept\"]"));
}

void tst_Server::serveClient()
{
    QTemporaryDir dir;
    QVERIFY(QDir(dir.path()).mkpath(QStringLiteral("dist")));
    QFile script(dir.filePath(QStringLiteral("dist/socket.io.js")));
    QVERIFY(script.open(QIODevice::WriteOnly));
    script.write("/* client */ var io = 1;");
    script.close();
    QFile package(dir.filePath(QStringLiteral("package.json")));
    QVERIFY(package.open(QIODevice::WriteOnly));
    package.write("{\"name\":\"socket.io-client\",\"version\":\"4.8.1\"}");
    package.close();
    ServerOptions options = fastOptions();
    options.clientDirectory = dir.filePath(QStringLiteral("dist"));
    start(options);
    QNetworkAccessManager nam;
    const QUrl url(
        QStringLiteral("http://127.0.0.1:%1/socket.io/socket.io.js").arg(m_io->serverPort()));
    std::unique_ptr<QNetworkReply> reply(nam.get(QNetworkRequest(url)));
    QSignalSpy finished(reply.get(), &QNetworkReply::finished);
    QVERIFY(finished.wait(3000));
    QCOMPARE(reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt(), 200);
    QCOMPARE(reply->rawHeader("ETag"), QByteArray("\"4.8.1\""));
    QCOMPARE(reply->rawHeader("Content-Type"), QByteArray("application/javascript; charset=utf-8"));
    QCOMPARE(reply->readAll(), QByteArray("/* client */ var io = 1;"));
    QNetworkRequest conditional(url);
    conditional.setRawHeader("If-None-Match", "\"4.8.1\"");
    reply.reset(nam.get(conditional));
    QSignalSpy finished2(reply.get(), &QNetworkReply::finished);
    QVERIFY(finished2.wait(3000));
    QCOMPARE(reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt(), 304);
    // Missing files and serveClient off.
    reply.reset(nam.get(QNetworkRequest(QUrl(url.toString().replace(
        QStringLiteral("socket.io.js"), QStringLiteral("socket.io.min.js"))))));
    QSignalSpy finished3(reply.get(), &QNetworkReply::finished);
    QVERIFY(finished3.wait(3000));
    QCOMPARE(reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt(), 404);
    options.serveClient = false;
    start(options);
    reply.reset(nam.get(QNetworkRequest(QUrl(
        QStringLiteral("http://127.0.0.1:%1/socket.io/socket.io.js").arg(m_io->serverPort())))));
    QSignalSpy finished4(reply.get(), &QNetworkReply::finished);
    QVERIFY(finished4.wait(3000));
    QCOMPARE(reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt(),
             400); // engine path
}

void tst_Server::legacyOptions_data()
{
    QTest::addColumn<QVariantMap>("map");
    QTest::addColumn<QString>("error");
    QTest::addRow("heartbeat interval")
        << QVariantMap{{QStringLiteral("heartbeat interval"), 10}} << QString();
    QTest::addRow("resource") << QVariantMap{{QStringLiteral("resource"), QStringLiteral("/rt")}}
                              << QString();
    QTest::addRow("legacy transports")
        << QVariantMap{{QStringLiteral("transports"),
                        QStringList{QStringLiteral("websocket"), QStringLiteral("xhr-polling")}}}
        << QString();
    QTest::addRow("flashsocket") << QVariantMap{{QStringLiteral("transports"),
                                                 QStringList{QStringLiteral("flashsocket")}}}
                                 << QStringLiteral("no usable transport left");
    QTest::addRow("store") << QVariantMap{{QStringLiteral("store"), QStringLiteral("redis")}}
                           << QStringLiteral("RedisCluster");
    QTest::addRow("static") << QVariantMap{{QStringLiteral("static"), true}}
                            << QStringLiteral("clientDirectory");
    QTest::addRow("modern") << QVariantMap{{QStringLiteral("pingInterval"), 1000},
                                           {QStringLiteral("connectTimeout"), 500},
                                           {QStringLiteral("parser"), QStringLiteral("msgpack")},
                                           {QStringLiteral("connectionStateRecovery"), true}}
                            << QString();
    QTest::addRow("unknown") << QVariantMap{{QStringLiteral("pingInterva"), 1}}
                             << QStringLiteral("unknown option");
}

void tst_Server::legacyOptions()
{
    QFETCH(QVariantMap, map);
    QFETCH(QString, error);
    QString problem;
    const ServerOptions options = ServerOptions::fromVariantMap(map, &problem);
    if (error.isEmpty()) {
        QVERIFY2(problem.isEmpty(), qPrintable(problem));
    } else {
        QVERIFY2(problem.contains(error), qPrintable(problem));
        return;
    }
    if (map.contains(QStringLiteral("heartbeat interval")))
        QCOMPARE(options.engine.pingInterval, 10000);
    if (map.contains(QStringLiteral("resource")))
        QCOMPARE(options.engine.path, QStringLiteral("/rt"));
    if (map.contains(QStringLiteral("transports")))
        QCOMPARE(options.engine.transports,
                 (QStringList{QStringLiteral("websocket"), QStringLiteral("polling")}));
    if (map.contains(QStringLiteral("parser"))) {
        QCOMPARE(options.parser->name(), QStringLiteral("msgpack"));
        QCOMPARE(options.connectTimeout, 500);
        QVERIFY(options.connectionStateRecovery.has_value());
        QCOMPARE(options.engine.path, QStringLiteral("/socket.io"));
    }
}

void tst_Server::msgpackProtocol()
{
    ServerOptions options = fastOptions();
    options.parser = Parser::msgpackParser();
    start(options);
    RawClient client(m_io->serverPort());
    QVERIFY(client.open());
    // {"type":0,"nsp":"/"} as socket.io-msgpack-parser writes it.
    client.sendBinary(QByteArray::fromHex("82a474797065 00 a36e7370 a12f").replace(' ', ""));
    QVariant reply;
    QList<Packet> packets;
    QString error;
    auto decoder = Parser::msgpackParser()->createDecoder();
    QVERIFY(decoder->add(client.next(), true, &packets, &error));
    QCOMPARE(packets.size(), 1);
    QCOMPARE(packets.first().type, Packet::Type::Connect);
    QCOMPARE(packets.first().data.toMap().value(QStringLiteral("sid")).toString().size(), 20);
    QVERIFY(decoder->add(client.next(), true, &packets, &error)); // auth
    // An event with binary inline and an ack id.
    Packet event;
    event.data = QVariantList{QStringLiteral("message-with-ack"), QByteArray("\x00\x01", 2)};
    event.id = 5;
    client.sendBinary(Parser::msgpackParser()->encode(event).first().data);
    packets.clear();
    QVERIFY(decoder->add(client.next(), true, &packets, &error));
    QCOMPARE(packets.first().type, Packet::Type::Ack);
    QCOMPARE(packets.first().id, 5);
    QCOMPARE(packets.first().data.toList(), QVariantList{QByteArray("\x00\x01", 2)});
}

void tst_Server::eio3Namespaces()
{
    ServerOptions options = fastOptions();
    options.engine.allowEIO3 = true;
    start(options);
    RawClient client(m_io->serverPort(), QStringLiteral("EIO=3&transport=websocket"));
    QVERIFY(client.open());
    // A v3 (Socket.IO v2) client is in "/" from the start, without a payload.
    QCOMPARE(client.next(), QByteArray("0"));
    QCOMPARE(client.next(), QByteArray("2[\"auth\",{}]"));
    // v3 clients put the namespace's query in the namespace itself.
    QCOMPARE(client.connectTo("0/custom?token=abc,"), QByteArray("0/custom,"));
    QCOMPARE(client.next(), QByteArray("2/custom,[\"auth\",{\"token\":\"abc\"}]"));
    Socket *socket = m_io->of(QStringLiteral("/custom"))->sockets().first();
    // v3 ids are "<nsp>#<engine id>".
    QCOMPARE(socket->id(), QStringLiteral("/custom#") + client.sid);
}

void tst_Server::closeShutsDown()
{
    start(fastOptions());
    RawClient client(m_io->serverPort());
    QVERIFY(client.openMain());
    client.connectTo("0/custom");
    client.next();
    m_io->close();
    QVERIFY(client.waitClosed());
    // Every namespace's sockets learn why (socket.io 4.8).
    QTRY_COMPARE(m_disconnectReasons, (QStringList{QStringLiteral("server shutting down"),
                                                   QStringLiteral("server shutting down")}));
}

void tst_Server::handshakeDetails()
{
    start(fastOptions());
    QWebSocket ws;
    QNetworkRequest request(
        QUrl(QStringLiteral("ws://127.0.0.1:%1/socket.io/?EIO=4&transport=websocket&foo=bar")
                 .arg(m_io->serverPort())));
    request.setRawHeader("Origin", "http://example.com");
    request.setRawHeader("X-Custom", "yes");
    QSignalSpy messages(&ws, &QWebSocket::textMessageReceived);
    ws.open(request);
    QTRY_COMPARE(messages.count(), 1);
    ws.sendTextMessage(QStringLiteral("40{\"a\":1}"));
    QTRY_COMPARE(m_io->sockets()->socketsCount(), 1);
    const Handshake h = m_io->sockets()->sockets().first()->handshake();
    QCOMPARE(h.headers().value(QStringLiteral("x-custom")).toString(), QStringLiteral("yes"));
    QVERIFY(h.isXdomain());
    QVERIFY(!h.isSecure());
    QCOMPARE(h.query().value(QStringLiteral("foo")).toString(), QStringLiteral("bar"));
    QCOMPARE(h.auth().value(QStringLiteral("a")).toInt(), 1);
    QVERIFY(h.url().startsWith(u"/socket.io/?EIO=4"));
    QVERIFY(h.time().contains(u"GMT"));
    QVERIFY(qAbs(h.issued() - QDateTime::currentMSecsSinceEpoch()) < 10000);
    QVERIFY(h.address().contains(u"127.0.0.1"));
}

namespace {
// The default parser, counting how often it encodes.
class CountingParser : public Parser
{
public:
    QString name() const override { return QStringLiteral("counting"); }
    QList<EngineMessage> encode(const Packet &packet) const override
    {
        ++encodes;
        return defaultParser()->encode(packet);
    }
    std::unique_ptr<Decoder> createDecoder() const override
    {
        return defaultParser()->createDecoder();
    }
    mutable int encodes = 0;
};
} // namespace

void tst_Server::broadcastIsEncodedOnce()
{
    auto parser = std::make_shared<CountingParser>();
    ServerOptions options = fastOptions();
    options.parser = parser;
    start(options);
    std::vector<std::unique_ptr<RawClient>> clients;
    QVERIFY(connectClients(5, &clients));
    const int before = parser->encodes;
    m_io->emitEvent(QStringLiteral("news"), {QByteArray("bin"), 1});
    QCOMPARE(parser->encodes - before, 1);
    for (auto &client : clients) {
        QCOMPARE(client->next(), QByteArray("51-[\"news\",{\"_placeholder\":true,\"num\":0},1]"));
        QCOMPARE(client->next(), QByteArray("bin"));
    }
}

QTEST_GUILESS_MAIN(tst_Server)
#include "tst_server.moc"
