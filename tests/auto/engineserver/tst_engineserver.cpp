// Loopback tests of the Engine.IO server: the /engine.io/ part of the conformance contract and
// every engine option, through real HTTP (QNetworkAccessManager, raw QTcpSocket) and QWebSocket.
#include <SocketIO/EngineServer>

#include "../selfsigned.h"
#include "core/passend_p.h"
#include "engineio/engineserver_p.h"
#include "engineio/enginesocket_p.h"
#include "http/compression_p.h"

#include <QtCore/QDir>
#include <QtCore/QJsonArray>
#include <QtCore/QJsonDocument>
#include <QtCore/QJsonObject>
#include <QtCore/QProcess>
#include <QtCore/QTemporaryDir>
#include <QtCore/QTimer>
#include <QtNetwork/QNetworkAccessManager>
#include <QtNetwork/QNetworkReply>
#include <QtNetwork/QSslKey>
#include <QtNetwork/QSslServer>
#include <QtNetwork/QTcpServer>
#include <QtNetwork/QTcpSocket>
#include <QtTest/QSignalSpy>
#include <QtTest/QTest>
#include <QtWebSockets/QWebSocket>

#include <memory>
#include <optional>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

using namespace SocketIO;

namespace {

// The server has read a GET for this session and holds it open (no signal says so).
bool holdsGet(EngineSocket *socket)
{
    const EngineIO::Transport *transport = EngineSocketPrivate::get(socket)->transport;
    return transport && transport->isWritable();
}

struct Reply
{
    int status = 0;
    QByteArray body;
    QList<QNetworkReply::RawHeaderPair> headers;
    QByteArray header(const QByteArray &name) const
    {
        for (const auto &h : headers) {
            if (h.first.compare(name, Qt::CaseInsensitive) == 0)
                return h.second;
        }
        return {};
    }
    QJsonObject json() const { return QJsonDocument::fromJson(body).object(); }
};

// A QNetworkReply still in flight; finish() waits for it.
struct Pending
{
    std::unique_ptr<QNetworkReply> reply;
    std::unique_ptr<QSignalSpy> spy;

    bool isFinished() const { return spy->count() > 0; }
    Reply finish(int timeout = 5000)
    {
        if (!spy->count())
            spy->wait(timeout);
        Reply r;
        if (!spy->count())
            return r;
        r.status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        r.body = reply->readAll();
        r.headers = reply->rawHeaderPairs();
        return r;
    }
};

// Sends one raw request on a fresh connection and returns everything the server wrote
// until it closed the connection, a complete response arrived, or `timeout` passed. The
// server runs on this thread, so this waits by spinning the event loop.
QByteArray rawExchange(quint16 port, const QByteArray &request, int timeout = 3000)
{
    // Declared before the socket: its destructor emits disconnected(), which sets `closed`.
    QByteArray received;
    bool closed = false;
    QTcpSocket socket;
    QObject::connect(&socket, &QTcpSocket::connected, &socket, [&] { socket.write(request); });
    QObject::connect(&socket, &QTcpSocket::readyRead, &socket,
                     [&] { received += socket.readAll(); });
    QObject::connect(&socket, &QTcpSocket::disconnected, &socket, [&] { closed = true; });
    socket.connectToHost(QHostAddress::LocalHost, port);
    auto complete = [&] {
        if (closed)
            return true;
        const qsizetype headEnd = received.indexOf("\r\n\r\n");
        if (headEnd < 0)
            return false;
        const QByteArray head = received.first(headEnd).toLower();
        const qsizetype at = head.indexOf("content-length: ");
        if (at < 0)
            return false;
        const qsizetype end = head.indexOf("\r\n", at);
        const int length = head.mid(at + 16, end < 0 ? -1 : end - at - 16).toInt();
        return received.size() >= headEnd + 4 + length;
    };
    (void)QTest::qWaitFor(complete, timeout);
    return received;
}

QByteArray bodyOf(const QByteArray &raw)
{
    const qsizetype at = raw.indexOf("\r\n\r\n");
    return at < 0 ? QByteArray() : raw.sliced(at + 4);
}

} // namespace

class tst_EngineServer : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase_data();
    void init();
    void cleanup();

    void acceptedConnectionsSendAtOnce();
    void handshakePolling();
    void handshakeWebSocket();
    void handshakeErrors_data();
    void handshakeErrors();
    void idsAreUnique();
    void pollingEcho();
    void pollingPayloadBatches();
    void pollingBinaryIsBase64();
    void invalidPacketOverPolling();
    void invalidPacketOverWebSocket();
    void overlappingGets();
    void abortedGetEndsSession();
    void upgradeAbortedAfterProbe();
    void heartbeat();
    void pingTimeout();
    void pingTimeoutOverWebSocket();
    void clientClosePacket();
    void upgrade();
    void upgradeTimeout();
    void secondWebSocketForUpgradedSid();
    void webSocketEchoTextAndBinary();
    void webSocketWritesStayInOrder();
    void webSocketRepliesNeedNoWakeUp();
    void serverClosePolling();
    void serverCloseWebSocket();
    void serverCloseAll();
    void serverDeletedWithFramesUnsent();
    void maxHttpBufferSizePolling();
    void maxHttpBufferSizeWebSocket();
    void allowRequestRefuses();
    void allowRequestAsync();
    void allowRequestContextDies();
    void transportsOption();
    void allowUpgradesFalse();
    void corsPreflight();
    void corsOriginList();
    void corsCallback();
    void noCorsHeadersByDefault();
    void cookieOnHandshakeOnly();
    void httpCompression_data();
    void httpCompression();
    void initialPacket();
    void customPathAndTrailingSlash();
    void requestHandlerForOtherPaths();
    void headersHook();
    void destroyUpgradeOnOtherPaths();
    void attachToApplicationServer();
    void asyncRequestHandler();
    void httpServer();
    void refusedOptionsFailListen();
    void eio3TextPayloads();
    void eio3Jsonp();
    void eio3ClientPings();
    void protocolMismatch();
    void allowRequestBeforeProtocolCheck();
    void jsonpWithEio4();
    void tls();
    // Hardening (issue 10).
    void unreadWebSocketIsClosed();
    void unreadPingFloodIsClosed();
    void pollingWithoutGetIsCapped();
    void noWriteLimit();
    void refusedUpgradesAreForgotten();
    void pollingTextIsUtf8();
    void pollingRefusesLoneBase64Character();
    void pollingV4RefusesBinaryContent();

private:
    EngineServer *startServer(const EngineOptions &options);
    QUrl url(const QString &query, const QString &path = QStringLiteral("/engine.io/")) const;
    QUrl wsUrl(const QString &query) const;
    Pending startGet(const QString &query, const QList<QNetworkReply::RawHeaderPair> &headers = {});
    Reply get(const QString &query, const QList<QNetworkReply::RawHeaderPair> &headers = {});
    Reply post(const QString &query, const QByteArray &body,
               const QByteArray &contentType = "text/plain;charset=UTF-8");
    Reply sendCustom(const QByteArray &verb, const QString &query,
                     const QList<QNetworkReply::RawHeaderPair> &headers = {});
    QString openPollingSession(QJsonObject *handshake = nullptr);
    EngineSocket *waitForSocket();
    EngineSocket *openUnreadWebSocket(QTcpSocket *client);

    static EngineOptions fastOptions();

    std::unique_ptr<EngineServer> m_server;
    std::unique_ptr<QNetworkAccessManager> m_nam;
    QList<EngineSocket *> m_sockets;
    QStringList m_closeReasons;
};

void tst_EngineServer::initTestCase_data()
{
    // Every test runs on both WebSocket engines.
    QTest::addColumn<QString>("wsEngine");
#if SOCKETIO_LEAN_ENGINE // the lean engine is not in every build
    QTest::addRow("lean") << QStringLiteral("lean");
#endif
    QTest::addRow("qt") << QStringLiteral("qt");
}

EngineOptions tst_EngineServer::fastOptions()
{
    QFETCH_GLOBAL(QString, wsEngine);
    // The conformance settings.
    EngineOptions options;
    options.wsEngine = wsEngine;
    options.pingInterval = 300;
    options.pingTimeout = 200;
    options.upgradeTimeout = 1000;
    return options;
}

void tst_EngineServer::init()
{
    m_nam = std::make_unique<QNetworkAccessManager>();
    m_nam->setAutoDeleteReplies(false);
    m_sockets.clear();
    m_closeReasons.clear();
}

void tst_EngineServer::cleanup()
{
    m_server.reset();
    m_nam.reset();
}

EngineServer *tst_EngineServer::startServer(const EngineOptions &options)
{
    m_server = std::make_unique<EngineServer>(options);
    connect(m_server.get(), &EngineServer::connection, this, [this](EngineSocket *socket) {
        m_sockets.append(socket);
        connect(socket, &EngineSocket::messageReceived, socket,
                [socket](const QByteArray &data, bool binary) {
                    if (binary)
                        socket->sendBinary(data);
                    else
                        socket->sendUtf8(data);
                });
        connect(socket, &EngineSocket::closed, this,
                [this](const QString &reason) { m_closeReasons.append(reason); });
    });
    if (!m_server->listen(QHostAddress::LocalHost, 0))
        qWarning() << "listen failed:" << m_server->errorString();
    return m_server.get();
}

QUrl tst_EngineServer::url(const QString &query, const QString &path) const
{
    QUrl u;
    u.setScheme(QStringLiteral("http"));
    u.setHost(QStringLiteral("127.0.0.1"));
    u.setPort(m_server->serverPort());
    u.setPath(path);
    u.setQuery(query);
    return u;
}

QUrl tst_EngineServer::wsUrl(const QString &query) const
{
    QUrl u = url(query);
    u.setScheme(QStringLiteral("ws"));
    return u;
}

Pending tst_EngineServer::startGet(const QString &query,
                                   const QList<QNetworkReply::RawHeaderPair> &headers)
{
    QNetworkRequest request(url(query));
    for (const auto &h : headers)
        request.setRawHeader(h.first, h.second);
    Pending pending;
    pending.reply.reset(m_nam->get(request));
    pending.spy = std::make_unique<QSignalSpy>(pending.reply.get(), &QNetworkReply::finished);
    return pending;
}

Reply tst_EngineServer::get(const QString &query,
                            const QList<QNetworkReply::RawHeaderPair> &headers)
{
    return startGet(query, headers).finish();
}

Reply tst_EngineServer::post(const QString &query, const QByteArray &body,
                             const QByteArray &contentType)
{
    QNetworkRequest request(url(query));
    request.setHeader(QNetworkRequest::ContentTypeHeader, contentType);
    Pending pending;
    pending.reply.reset(m_nam->post(request, body));
    pending.spy = std::make_unique<QSignalSpy>(pending.reply.get(), &QNetworkReply::finished);
    return pending.finish();
}

Reply tst_EngineServer::sendCustom(const QByteArray &verb, const QString &query,
                                   const QList<QNetworkReply::RawHeaderPair> &headers)
{
    QNetworkRequest request(url(query));
    for (const auto &h : headers)
        request.setRawHeader(h.first, h.second);
    Pending pending;
    pending.reply.reset(m_nam->sendCustomRequest(request, verb));
    pending.spy = std::make_unique<QSignalSpy>(pending.reply.get(), &QNetworkReply::finished);
    return pending.finish();
}

QString tst_EngineServer::openPollingSession(QJsonObject *handshake)
{
    const Reply reply = get(QStringLiteral("EIO=4&transport=polling"));
    if (reply.status != 200 || !reply.body.startsWith('0'))
        return {};
    const QJsonObject object = QJsonDocument::fromJson(reply.body.sliced(1)).object();
    if (handshake)
        *handshake = object;
    return object.value(QStringLiteral("sid")).toString();
}

EngineSocket *tst_EngineServer::waitForSocket()
{
    if (m_sockets.isEmpty())
        (void)QTest::qWaitFor([this] { return !m_sockets.isEmpty(); }, 3000);
    return m_sockets.isEmpty() ? nullptr : m_sockets.last();
}

// Whether this process's end of the TCP connection from `peerPort` has TCP_NODELAY: found
// among the open descriptors by its peer's port.
static std::optional<bool> noDelayOfConnectionFrom(quint16 peerPort)
{
    const QDir fds(QStringLiteral("/proc/self/fd"));
    for (const QString &name : fds.entryList(QDir::Files | QDir::System)) {
        const int fd = name.toInt();
        sockaddr_in peer{};
        socklen_t size = sizeof peer;
        if (::getpeername(fd, reinterpret_cast<sockaddr *>(&peer), &size) != 0 ||
            peer.sin_family != AF_INET || ntohs(peer.sin_port) != peerPort)
            continue;
        int noDelay = 0;
        size = sizeof noDelay;
        if (::getsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &noDelay, &size) != 0)
            return std::nullopt;
        return noDelay != 0;
    }
    return std::nullopt;
}

// Every accepted connection has Nagle's algorithm off (TCP_NODELAY), as Node's http server
// and ws have: otherwise a small reply written while the previous one waits for the client's
// delayed ACK waits too (milliseconds of tail latency under load).
void tst_EngineServer::acceptedConnectionsSendAtOnce()
{
    startServer(fastOptions());
    QTcpSocket client;
    client.connectToHost(QHostAddress::LocalHost, m_server->serverPort());
    QVERIFY(client.waitForConnected(5000));
    QTRY_VERIFY(noDelayOfConnectionFrom(client.localPort()).has_value());
    QVERIFY(*noDelayOfConnectionFrom(client.localPort()));
}

void tst_EngineServer::handshakePolling()
{
    startServer(fastOptions());
    QSignalSpy connections(m_server.get(), &EngineServer::connection);
    const Reply reply = get(QStringLiteral("EIO=4&transport=polling"));
    QCOMPARE(reply.status, 200);
    QCOMPARE(reply.header("content-type"), QByteArray("text/plain; charset=UTF-8"));
    QCOMPARE(reply.header("cache-control"), QByteArray("no-store"));
    QVERIFY(reply.body.startsWith("0{\"sid\":\""));
    const QJsonObject handshake = QJsonDocument::fromJson(reply.body.sliced(1)).object();
    // Exactly these keys, in this order on the wire.
    const QByteArray sid = handshake.value(QStringLiteral("sid")).toString().toLatin1();
    QCOMPARE(reply.body, "0{\"sid\":\"" + sid +
                             "\",\"upgrades\":[\"websocket\"],\"pingInterval\":300,"
                             "\"pingTimeout\":200,\"maxPayload\":1000000}");
    QCOMPARE(sid.size(), 20);
    QCOMPARE(connections.count(), 1);
    QCOMPARE(m_server->clientsCount(), 1);
    EngineSocket *socket = m_server->client(QString::fromLatin1(sid));
    QVERIFY(socket);
    QCOMPARE(socket->transportName(), QStringLiteral("polling"));
    QCOMPARE(socket->protocol(), 4);
}

void tst_EngineServer::handshakeWebSocket()
{
    startServer(fastOptions());
    QWebSocket ws;
    QSignalSpy messages(&ws, &QWebSocket::textMessageReceived);
    ws.open(wsUrl(QStringLiteral("EIO=4&transport=websocket")));
    QTRY_COMPARE(messages.count(), 1);
    const QString first = messages.at(0).at(0).toString();
    QVERIFY(first.startsWith(u'0'));
    const QJsonObject handshake = QJsonDocument::fromJson(first.sliced(1).toUtf8()).object();
    QCOMPARE(handshake.keys(),
             (QStringList{QStringLiteral("maxPayload"), QStringLiteral("pingInterval"),
                          QStringLiteral("pingTimeout"), QStringLiteral("sid"),
                          QStringLiteral("upgrades")}));
    QCOMPARE(handshake.value(QStringLiteral("upgrades")).toArray(), QJsonArray());
    EngineSocket *socket = waitForSocket();
    QVERIFY(socket);
    QCOMPARE(socket->transportName(), QStringLiteral("websocket"));
}

void tst_EngineServer::handshakeErrors_data()
{
    QTest::addColumn<QByteArray>("method");
    QTest::addColumn<QString>("query");
    QTest::addColumn<int>("status");
    QTest::addColumn<int>("code");
    QTest::addColumn<QString>("message");

    QTest::addRow("missing EIO") << QByteArray("GET") << "transport=polling" << 400 << 5
                                 << "Unsupported protocol version";
    QTest::addRow("invalid EIO") << QByteArray("GET") << "EIO=abc&transport=polling" << 400 << 5
                                 << "Unsupported protocol version";
    QTest::addRow("EIO 3 without allowEIO3") << QByteArray("GET") << "EIO=3&transport=polling"
                                             << 400 << 5 << "Unsupported protocol version";
    QTest::addRow("missing transport")
        << QByteArray("GET") << "EIO=4" << 400 << 0 << "Transport unknown";
    QTest::addRow("unknown transport")
        << QByteArray("GET") << "EIO=4&transport=tobi" << 400 << 0 << "Transport unknown";
    QTest::addRow("POST without sid")
        << QByteArray("POST") << "EIO=4&transport=polling" << 400 << 2 << "Bad handshake method";
    QTest::addRow("websocket without upgrade")
        << QByteArray("GET") << "EIO=4&transport=websocket" << 400 << 3 << "Bad request";
    QTest::addRow("unknown sid GET") << QByteArray("GET") << "EIO=4&transport=polling&sid=nope"
                                     << 400 << 1 << "Session ID unknown";
    QTest::addRow("unknown sid POST") << QByteArray("POST") << "EIO=4&transport=polling&sid=nope"
                                      << 400 << 1 << "Session ID unknown";
}

void tst_EngineServer::handshakeErrors()
{
    QFETCH(QByteArray, method);
    QFETCH(QString, query);
    QFETCH(int, status);
    QFETCH(int, code);
    QFETCH(QString, message);
    startServer(fastOptions());
    QSignalSpy errors(m_server.get(), &EngineServer::connectionError);
    const Reply reply = method == "POST" ? post(query, "4hi") : get(query);
    QCOMPARE(reply.status, status);
    QCOMPARE(reply.header("content-type"), QByteArray("application/json"));
    QCOMPARE(reply.body, "{\"code\":" + QByteArray::number(code) + ",\"message\":\"" +
                             message.toUtf8() + "\"}");
    QCOMPARE(errors.count(), 1);
    QCOMPARE(errors.at(0).at(0).value<EngineConnectionError>().code(), code);
    QCOMPARE(m_server->clientsCount(), 0);
}

void tst_EngineServer::idsAreUnique()
{
    startServer(fastOptions());
    QSet<QString> ids;
    for (int i = 0; i < 20; ++i) {
        const QString sid = openPollingSession();
        QCOMPARE(sid.size(), 20);
        for (QChar c : sid)
            QVERIFY2(c.isLetterOrNumber() || c == u'-' || c == u'_', qPrintable(sid));
        ids.insert(sid);
    }
    QCOMPARE(ids.size(), 20);
}

void tst_EngineServer::pollingEcho()
{
    startServer(fastOptions());
    const QString sid = openPollingSession();
    QVERIFY(!sid.isEmpty());
    const QString q = QStringLiteral("EIO=4&transport=polling&sid=") + sid;
    const Reply posted = post(q, "4hello");
    QCOMPARE(posted.status, 200);
    QCOMPARE(posted.body, QByteArray("ok"));
    QCOMPARE(posted.header("content-type"), QByteArray("text/html"));
    const Reply polled = get(q);
    QCOMPARE(polled.status, 200);
    QCOMPARE(polled.body, QByteArray("4hello"));
}

void tst_EngineServer::pollingPayloadBatches()
{
    startServer(fastOptions());
    const QString sid = openPollingSession();
    const QString q = QStringLiteral("EIO=4&transport=polling&sid=") + sid;
    QCOMPARE(post(q, "4a\x1e"
                     "4é\x1e"
                     "bAQID")
                 .status,
             200);
    // Every queued packet in one body, separated by 0x1e; binary as b<base64>.
    QCOMPARE(get(q).body, QByteArray("4a\x1e"
                                     "4é\x1e"
                                     "bAQID"));
}

void tst_EngineServer::pollingBinaryIsBase64()
{
    startServer(fastOptions());
    const QString sid = openPollingSession();
    EngineSocket *socket = waitForSocket();
    QVERIFY(socket);
    QSignalSpy received(socket, &EngineSocket::messageReceived);
    const QString q = QStringLiteral("EIO=4&transport=polling&sid=") + sid;
    QCOMPARE(post(q, "bAAEC/w==").status, 200);
    QCOMPARE(received.count(), 1);
    QCOMPARE(received.at(0).at(0).toByteArray(), QByteArray("\x00\x01\x02\xff", 4));
    QCOMPARE(received.at(0).at(1).toBool(), true);
    QCOMPARE(get(q).body, QByteArray("bAAEC/w=="));
}

void tst_EngineServer::invalidPacketOverPolling()
{
    startServer(fastOptions());
    const QString sid = openPollingSession();
    const QString q = QStringLiteral("EIO=4&transport=polling&sid=") + sid;
    const Reply refused = post(q, "abc");
    QCOMPARE(refused.status, 400);
    QCOMPARE(refused.body, QByteArray("{\"code\":3,\"message\":\"Bad request\"}"));
    QTRY_COMPARE(m_closeReasons, QStringList{QStringLiteral("parse error")});
    QCOMPARE(get(q).status, 400);
}

void tst_EngineServer::invalidPacketOverWebSocket()
{
    startServer(fastOptions());
    QWebSocket ws;
    QSignalSpy messages(&ws, &QWebSocket::textMessageReceived);
    QSignalSpy disconnected(&ws, &QWebSocket::disconnected);
    ws.open(wsUrl(QStringLiteral("EIO=4&transport=websocket")));
    QTRY_COMPARE(messages.count(), 1);
    ws.sendTextMessage(QStringLiteral("abc"));
    QTRY_COMPARE(disconnected.count(), 1);
    QTRY_COMPARE(m_closeReasons, QStringList{QStringLiteral("parse error")});
}

void tst_EngineServer::overlappingGets()
{
    startServer(fastOptions());
    const QString sid = openPollingSession();
    const QString q = QStringLiteral("EIO=4&transport=polling&sid=") + sid;
    Pending first = startGet(q);
    QTRY_VERIFY(m_sockets.size() == 1 && !first.isFinished());
    QTRY_VERIFY(!m_sockets.isEmpty() && holdsGet(m_sockets.first()));
    Pending second = startGet(q);
    const Reply secondReply = second.finish();
    const Reply firstReply = first.finish();
    QCOMPARE(secondReply.status, 400);
    QCOMPARE(firstReply.status, 200);
    QCOMPARE(firstReply.body, QByteArray("1"));
    QTRY_COMPARE(m_closeReasons, QStringList{QStringLiteral("transport error")});
    QCOMPARE(m_server->clientsCount(), 0);
}

void tst_EngineServer::abortedGetEndsSession()
{
    startServer(fastOptions());
    const QString sid = openPollingSession();
    QTcpSocket raw;
    raw.connectToHost(QHostAddress::LocalHost, m_server->serverPort());
    QVERIFY(raw.waitForConnected(3000));
    raw.write("GET /engine.io/?EIO=4&transport=polling&sid=" + sid.toLatin1() +
              " HTTP/1.1\r\nHost: localhost\r\n\r\n");
    QVERIFY(raw.waitForBytesWritten(3000));
    QTRY_VERIFY(!m_sockets.isEmpty() && holdsGet(m_sockets.first()));
    raw.abort();
    QTRY_COMPARE(m_closeReasons, QStringList{QStringLiteral("transport error")});
}

void tst_EngineServer::upgradeAbortedAfterProbe()
{
    // A client killed mid-upgrade, after the probe and before the upgrade packet: the session
    // stays on polling, as in the reference, and the half-upgraded transport is dropped.
    EngineOptions options = fastOptions();
    options.pingInterval = 5000; // no ping in the GETs below
    startServer(options);
    const QString sid = openPollingSession();
    EngineSocket *socket = waitForSocket();
    const QString q = QStringLiteral("EIO=4&transport=polling&sid=") + sid;
    Pending pending = startGet(q);
    QWebSocket ws;
    QSignalSpy connected(&ws, &QWebSocket::connected);
    QSignalSpy messages(&ws, &QWebSocket::textMessageReceived);
    ws.open(wsUrl(QStringLiteral("EIO=4&transport=websocket&sid=") + sid));
    QTRY_COMPARE(connected.count(), 1);
    ws.sendTextMessage(QStringLiteral("2probe"));
    QTRY_COMPARE(messages.count(), 1);
    QVERIFY(socket->isUpgrading());
    QCOMPARE(pending.finish().body, QByteArray("6"));
    ws.abort();
    QTRY_VERIFY(!socket->isUpgrading());
    QCOMPARE(socket->transportName(), QStringLiteral("polling"));
    QCOMPARE(post(q, "4still here").status, 200);
    QCOMPARE(get(q).body, QByteArray("4still here"));
    QVERIFY(m_closeReasons.isEmpty());
}

void tst_EngineServer::heartbeat()
{
    startServer(fastOptions());
    const QString sid = openPollingSession();
    EngineSocket *socket = waitForSocket();
    QSignalSpy heartbeats(socket, &EngineSocket::heartbeat);
    const QString q = QStringLiteral("EIO=4&transport=polling&sid=") + sid;
    for (int i = 0; i < 3; ++i) {
        QElapsedTimer clock;
        clock.start();
        const Reply ping = get(q);
        QCOMPARE(ping.body, QByteArray("2"));
        QVERIFY2(clock.elapsed() < 1000, "the ping comes after pingInterval");
        QCOMPARE(post(q, "3").status, 200);
    }
    QCOMPARE(heartbeats.count(), 3);
    QVERIFY(m_closeReasons.isEmpty());
}

void tst_EngineServer::pingTimeout()
{
    startServer(fastOptions());
    QElapsedTimer clock;
    clock.start();
    const QString sid = openPollingSession();
    // Never answer: the session is gone by pingInterval + pingTimeout (500 ms).
    QTRY_COMPARE_WITH_TIMEOUT(m_closeReasons, QStringList{QStringLiteral("ping timeout")}, 3000);
    QVERIFY2(clock.elapsed() >= 450 && clock.elapsed() < 1000,
             qPrintable(QString::number(clock.elapsed())));
    QCOMPARE(get(QStringLiteral("EIO=4&transport=polling&sid=") + sid).status, 400);
}

void tst_EngineServer::pingTimeoutOverWebSocket()
{
    startServer(fastOptions());
    QWebSocket ws;
    QSignalSpy messages(&ws, &QWebSocket::textMessageReceived);
    QSignalSpy disconnected(&ws, &QWebSocket::disconnected);
    ws.open(wsUrl(QStringLiteral("EIO=4&transport=websocket")));
    QTRY_COMPARE(messages.count(), 1);
    QTRY_COMPARE(messages.count(), 2);
    QCOMPARE(messages.at(1).at(0).toString(), QStringLiteral("2"));
    QTRY_COMPARE(m_closeReasons, QStringList{QStringLiteral("ping timeout")});
    QTRY_COMPARE(disconnected.count(), 1);
}

void tst_EngineServer::clientClosePacket()
{
    startServer(fastOptions());
    const QString sid = openPollingSession();
    const QString q = QStringLiteral("EIO=4&transport=polling&sid=") + sid;
    Pending pending = startGet(q);
    QTRY_VERIFY(!m_sockets.isEmpty() && holdsGet(m_sockets.first()));
    QCOMPARE(post(q, "1").status, 200);
    const Reply released = pending.finish();
    QCOMPARE(released.status, 200);
    QCOMPARE(released.body, QByteArray("6"));
    QTRY_COMPARE(m_closeReasons, QStringList{QStringLiteral("transport close")});
    QCOMPARE(get(q).status, 400);
}

void tst_EngineServer::upgrade()
{
    startServer(fastOptions());
    const QString sid = openPollingSession();
    EngineSocket *socket = waitForSocket();
    QSignalSpy upgrading(socket, &EngineSocket::upgrading);
    QSignalSpy upgraded(socket, &EngineSocket::upgraded);
    const QString q = QStringLiteral("EIO=4&transport=polling&sid=") + sid;
    Pending pending = startGet(q);

    QWebSocket ws;
    QSignalSpy connected(&ws, &QWebSocket::connected);
    QSignalSpy messages(&ws, &QWebSocket::textMessageReceived);
    ws.open(wsUrl(QStringLiteral("EIO=4&transport=websocket&sid=") + sid));
    QTRY_COMPARE(connected.count(), 1);
    ws.sendTextMessage(QStringLiteral("2probe"));
    QTRY_COMPARE(messages.count(), 1);
    QCOMPARE(messages.at(0).at(0).toString(), QStringLiteral("3probe"));
    QCOMPARE(upgrading.count(), 1);
    // The GET pending during the upgrade is released with a noop.
    const Reply released = pending.finish();
    QCOMPARE(released.body, QByteArray("6"));
    ws.sendTextMessage(QStringLiteral("5"));
    QTRY_COMPARE(upgraded.count(), 1);
    QCOMPARE(socket->transportName(), QStringLiteral("websocket"));
    ws.sendTextMessage(QStringLiteral("4hello"));
    QTRY_VERIFY(messages.count() >= 2);
    QCOMPARE(messages.last().at(0).toString(), QStringLiteral("4hello"));
    // The old polling transport is gone.
    QCOMPARE(get(q).status, 400);
    QVERIFY(m_closeReasons.isEmpty());
}

void tst_EngineServer::upgradeTimeout()
{
    EngineOptions options = fastOptions();
    options.pingInterval = 5000;
    options.upgradeTimeout = 200;
    startServer(options);
    const QString sid = openPollingSession();
    EngineSocket *socket = waitForSocket();
    QWebSocket ws;
    QSignalSpy connected(&ws, &QWebSocket::connected);
    QSignalSpy disconnected(&ws, &QWebSocket::disconnected);
    ws.open(wsUrl(QStringLiteral("EIO=4&transport=websocket&sid=") + sid));
    QTRY_COMPARE(connected.count(), 1);
    // No probe: the upgrade is dropped after upgradeTimeout, the session goes on polling.
    QTRY_COMPARE(disconnected.count(), 1);
    QVERIFY(!socket->isUpgrading());
    QCOMPARE(socket->transportName(), QStringLiteral("polling"));
    const QString q = QStringLiteral("EIO=4&transport=polling&sid=") + sid;
    QCOMPARE(post(q, "4still").status, 200);
    QCOMPARE(get(q).body, QByteArray("4still"));
}

void tst_EngineServer::secondWebSocketForUpgradedSid()
{
    startServer(fastOptions());
    const QString sid = openPollingSession();
    EngineSocket *socket = waitForSocket();
    QSignalSpy upgraded(socket, &EngineSocket::upgraded);
    const QUrl target = wsUrl(QStringLiteral("EIO=4&transport=websocket&sid=") + sid);
    QWebSocket ws;
    QSignalSpy connected(&ws, &QWebSocket::connected);
    QSignalSpy messages(&ws, &QWebSocket::textMessageReceived);
    ws.open(target);
    QTRY_COMPARE(connected.count(), 1);
    ws.sendTextMessage(QStringLiteral("2probe"));
    QTRY_COMPARE(messages.count(), 1);
    ws.sendTextMessage(QStringLiteral("5"));
    QTRY_COMPARE(upgraded.count(), 1);

    QWebSocket second;
    QSignalSpy secondDisconnected(&second, &QWebSocket::disconnected);
    second.open(target);
    QTRY_COMPARE(secondDisconnected.count(), 1);
    // The first one is untouched.
    ws.sendTextMessage(QStringLiteral("4still here"));
    QTRY_COMPARE(messages.last().at(0).toString(), QStringLiteral("4still here"));
}

void tst_EngineServer::webSocketEchoTextAndBinary()
{
    startServer(fastOptions());
    QWebSocket ws;
    QSignalSpy texts(&ws, &QWebSocket::textMessageReceived);
    QSignalSpy binaries(&ws, &QWebSocket::binaryMessageReceived);
    ws.open(wsUrl(QStringLiteral("EIO=4&transport=websocket")));
    QTRY_COMPARE(texts.count(), 1);
    ws.sendTextMessage(QStringLiteral("4héllo"));
    ws.sendBinaryMessage(QByteArray("\x00\xff\x10", 3));
    QTRY_COMPARE(texts.count(), 2);
    QCOMPARE(texts.at(1).at(0).toString(), QStringLiteral("4héllo"));
    QTRY_COMPARE(binaries.count(), 1);
    QCOMPARE(binaries.at(0).at(0).toByteArray(), QByteArray("\x00\xff\x10", 3));
}

void tst_EngineServer::webSocketWritesStayInOrder()
{
    // Small and large messages written together, more than the kernel takes at once: they
    // leave in batches (the lean engine sends large payloads from their own buffers and
    // waits for the socket to drain), and arrive whole and in order.
    EngineOptions options = fastOptions();
    // The client shares this thread: while it takes in 12 MiB (seconds under the sanitizers on
    // a loaded machine) it cannot answer a ping within the conformance 200 ms.
    options.pingTimeout = 10'000;
    startServer(options);
    QWebSocket ws;
    QList<QByteArray> received;
    connect(&ws, &QWebSocket::textMessageReceived, &ws, [&received, &ws](const QString &text) {
        // A heartbeat comes when this takes longer than pingInterval (a slow or sanitized
        // build): answered, and not one of the messages.
        if (text == u"2") {
            ws.sendTextMessage(QStringLiteral("3"));
            return;
        }
        received.append(text.toUtf8());
    });
    connect(&ws, &QWebSocket::binaryMessageReceived, &ws,
            [&received](const QByteArray &data) { received.append(data); });
    ws.open(wsUrl(QStringLiteral("EIO=4&transport=websocket")));
    QTRY_COMPARE(received.size(), 1); // the handshake
    EngineSocket *socket = waitForSocket();
    QList<QByteArray> sent;
    for (int i = 0; i < 12; ++i) {
        if (i % 3 == 2) {
            QByteArray large(3 * 1024 * 1024 + i, Qt::Uninitialized);
            for (qsizetype j = 0; j < large.size(); ++j)
                large[j] = char((j * 7 + i) & 0xff);
            socket->sendBinary(large);
            sent.append(large);
        } else {
            const QByteArray text = "message " + QByteArray::number(i);
            socket->sendUtf8(text);
            sent.append('4' + text);
        }
    }
    QTRY_COMPARE_WITH_TIMEOUT(received.size(), 1 + sent.size(), 20'000);
    for (qsizetype i = 0; i < sent.size(); ++i)
        QVERIFY2(received.at(i + 1) == sent.at(i), qPrintable(QString::number(i)));
}

// Replies written while the loop serves a pass leave at the end of that pass (PassEnd) without
// posting an event: a posted event wakes the loop, and Qt's dispatchers then poll every
// socket once more, which with thousands of QTcpSockets cost more than the traffic did.
void tst_EngineServer::webSocketRepliesNeedNoWakeUp()
{
    startServer(fastOptions());
    QWebSocket ws;
    QList<QString> received;
    connect(&ws, &QWebSocket::textMessageReceived, &ws, [&received, &ws](const QString &text) {
        if (text == u"2") {
            ws.sendTextMessage(QStringLiteral("3"));
            return;
        }
        received.append(text);
    });
    ws.open(wsUrl(QStringLiteral("EIO=4&transport=websocket")));
    QTRY_COMPARE(received.size(), 1); // the handshake
    QVERIFY(waitForSocket());
    const quint64 posted = PassEnd::postedWakeUps();
    for (int i = 1; i <= 20; ++i) {
        ws.sendTextMessage(QStringLiteral("4echo ") + QString::number(i));
        QTRY_COMPARE(received.size(), 1 + i);
        QCOMPARE(received.last(), QStringLiteral("4echo ") + QString::number(i));
    }
    QCOMPARE(PassEnd::postedWakeUps(), posted);
}

void tst_EngineServer::serverClosePolling()
{
    startServer(fastOptions());
    const QString sid = openPollingSession();
    EngineSocket *socket = waitForSocket();
    const QString q = QStringLiteral("EIO=4&transport=polling&sid=") + sid;
    socket->sendUtf8("bye");
    socket->close();
    // The queued message goes first, then the close packet answers the next GET.
    QCOMPARE(get(q).body, QByteArray("4bye"));
    QCOMPARE(get(q).body, QByteArray("1"));
    QTRY_COMPARE(m_closeReasons, QStringList{QStringLiteral("forced close")});
}

void tst_EngineServer::serverCloseWebSocket()
{
    startServer(fastOptions());
    QWebSocket ws;
    QSignalSpy texts(&ws, &QWebSocket::textMessageReceived);
    QSignalSpy disconnected(&ws, &QWebSocket::disconnected);
    ws.open(wsUrl(QStringLiteral("EIO=4&transport=websocket")));
    QTRY_COMPARE(texts.count(), 1);
    EngineSocket *socket = waitForSocket();
    socket->sendUtf8("bye");
    socket->close();
    QTRY_COMPARE(disconnected.count(), 1);
    QCOMPARE(texts.last().at(0).toString(), QStringLiteral("4bye"));
    QTRY_COMPARE(m_closeReasons, QStringList{QStringLiteral("forced close")});
}

void tst_EngineServer::serverCloseAll()
{
    startServer(fastOptions());
    QWebSocket ws;
    QSignalSpy disconnected(&ws, &QWebSocket::disconnected);
    QSignalSpy texts(&ws, &QWebSocket::textMessageReceived);
    ws.open(wsUrl(QStringLiteral("EIO=4&transport=websocket")));
    QTRY_COMPARE(texts.count(), 1);
    m_server->close();
    QTRY_COMPARE(disconnected.count(), 1);
    QTRY_COMPARE(m_closeReasons, QStringList{QStringLiteral("forced close")});
    QVERIFY(!m_server->isListening());
}

// A server destroyed in the pass its sessions wrote in, to a client that has gone (the
// kernel refuses the frames): the sockets are aborted with frames still gathered for the end
// of the pass (the QWebSocket engine's DirectTcpSocket), which go with them, as abort() drops
// Qt's own write buffer. They once went to that dropped buffer: a crash.
void tst_EngineServer::serverDeletedWithFramesUnsent()
{
    startServer(fastOptions());
    const QUrl u = url(QStringLiteral("EIO=4&transport=websocket"));
    QTcpSocket client;
    client.connectToHost(QHostAddress::LocalHost, m_server->serverPort());
    QVERIFY(client.waitForConnected(5000));
    client.write("GET " + u.path(QUrl::FullyEncoded).toLatin1() + '?' +
                 u.query(QUrl::FullyEncoded).toLatin1() +
                 " HTTP/1.1\r\nHost: localhost\r\nUpgrade: websocket\r\n"
                 "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                 "Sec-WebSocket-Version: 13\r\n\r\n");
    QPointer<EngineSocket> socket = waitForSocket();
    QVERIFY(socket);
    // Gone with a reset (no lingering): the server's next send fails at once.
    const linger reset{1, 0};
    QCOMPARE(
        ::setsockopt(int(client.socketDescriptor()), SOL_SOCKET, SO_LINGER, &reset, sizeof reset),
        0);
    client.abort();
    for (int i = 0; i < 10; ++i)
        socket->send(QString(1000, u'x'));
    m_server.reset();
    QVERIFY(!socket);
}

void tst_EngineServer::maxHttpBufferSizePolling()
{
    EngineOptions options = fastOptions();
    options.maxHttpBufferSize = 100;
    startServer(options);
    QJsonObject handshake;
    const QString sid = openPollingSession(&handshake);
    QCOMPARE(handshake.value(QStringLiteral("maxPayload")).toInt(), 100);
    const QString q = QStringLiteral("EIO=4&transport=polling&sid=") + sid;
    QCOMPARE(post(q, "4" + QByteArray(99, 'x')).status, 200);
    QCOMPARE(post(q, "4" + QByteArray(100, 'x')).status, 413);
    // Other sessions are untouched.
    const QString other = openPollingSession();
    QVERIFY(!other.isEmpty());
    QCOMPARE(post(QStringLiteral("EIO=4&transport=polling&sid=") + other, "4ok").status, 200);
}

void tst_EngineServer::maxHttpBufferSizeWebSocket()
{
    EngineOptions options = fastOptions();
    options.pingInterval = 5000;
    options.maxHttpBufferSize = 100;
    startServer(options);
    QWebSocket ws;
    QSignalSpy texts(&ws, &QWebSocket::textMessageReceived);
    QSignalSpy disconnected(&ws, &QWebSocket::disconnected);
    ws.open(wsUrl(QStringLiteral("EIO=4&transport=websocket")));
    QTRY_COMPARE(texts.count(), 1);
    ws.sendTextMessage(QStringLiteral("4") + QString(50, u'y'));
    QTRY_COMPARE(texts.count(), 2);
    ws.sendTextMessage(QStringLiteral("4") + QString(200, u'x'));
    QTRY_COMPARE(disconnected.count(), 1);
    QCOMPARE(ws.closeCode(), QWebSocketProtocol::CloseCodeTooMuchData);
    QTRY_COMPARE(m_closeReasons.size(), 1);
}

void tst_EngineServer::allowRequestRefuses()
{
    startServer(fastOptions());
    m_server->setAllowRequest(this, [](const HttpRequest &request, EngineServer::Decision decide) {
        if (request.header("x-token") == "secret")
            decide({}, true);
        else
            decide(QStringLiteral("no token"), false);
    });
    const Reply refused = get(QStringLiteral("EIO=4&transport=polling"));
    QCOMPARE(refused.status, 403);
    QCOMPARE(refused.body, QByteArray("{\"code\":4,\"message\":\"no token\"}"));
    const Reply accepted = get(QStringLiteral("EIO=4&transport=polling"), {{"X-Token", "secret"}});
    QCOMPARE(accepted.status, 200);
    // A refused WebSocket gets an HTTP answer before any handshake.
    const QByteArray raw =
        rawExchange(m_server->serverPort(), "GET /engine.io/?EIO=4&transport=websocket HTTP/1.1\r\n"
                                            "Host: localhost\r\nUpgrade: websocket\r\n"
                                            "Connection: Upgrade\r\nSec-WebSocket-Version: 13\r\n"
                                            "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n");
    QVERIFY2(raw.startsWith("HTTP/1.1 400 Bad Request\r\n"), raw.constData());
    QCOMPARE(bodyOf(raw), QByteArray("no token"));
}

void tst_EngineServer::allowRequestAsync()
{
    startServer(fastOptions());
    m_server->setAllowRequest(this, [this](const HttpRequest &, EngineServer::Decision decide) {
        QTimer::singleShot(50, this, [decide] { decide({}, true); });
    });
    QCOMPARE(get(QStringLiteral("EIO=4&transport=polling")).status, 200);
}

void tst_EngineServer::allowRequestContextDies()
{
    startServer(fastOptions());
    auto context = std::make_unique<QObject>();
    m_server->setAllowRequest(context.get(),
                              [](const HttpRequest &, EngineServer::Decision decide) {
                                  decide(QStringLiteral("nope"), false);
                              });
    QCOMPARE(get(QStringLiteral("EIO=4&transport=polling")).status, 403);
    context.reset();
    // The callback went with its context: requests are no longer checked.
    QCOMPARE(get(QStringLiteral("EIO=4&transport=polling")).status, 200);
}

void tst_EngineServer::transportsOption()
{
    EngineOptions options = fastOptions();
    options.transports = {QStringLiteral("websocket")};
    startServer(options);
    QCOMPARE(
        get(QStringLiteral("EIO=4&transport=polling")).json().value(QStringLiteral("code")).toInt(),
        0);
    QWebSocket ws;
    QSignalSpy texts(&ws, &QWebSocket::textMessageReceived);
    ws.open(wsUrl(QStringLiteral("EIO=4&transport=websocket")));
    QTRY_COMPARE(texts.count(), 1);

    options.transports = {QStringLiteral("polling")};
    startServer(options);
    QJsonObject handshake;
    QVERIFY(!openPollingSession(&handshake).isEmpty());
    QCOMPARE(handshake.value(QStringLiteral("upgrades")).toArray(), QJsonArray());
    const QByteArray raw =
        rawExchange(m_server->serverPort(), "GET /engine.io/?EIO=4&transport=websocket HTTP/1.1\r\n"
                                            "Host: localhost\r\nUpgrade: websocket\r\n"
                                            "Connection: Upgrade\r\nSec-WebSocket-Version: 13\r\n"
                                            "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n");
    QVERIFY2(raw.startsWith("HTTP/1.1 400 Bad Request\r\n"), raw.constData());
    QCOMPARE(bodyOf(raw), QByteArray("Transport unknown"));
}

void tst_EngineServer::allowUpgradesFalse()
{
    EngineOptions options = fastOptions();
    options.allowUpgrades = false;
    startServer(options);
    QJsonObject handshake;
    QVERIFY(!openPollingSession(&handshake).isEmpty());
    QCOMPARE(handshake.value(QStringLiteral("upgrades")).toArray(), QJsonArray());
}

void tst_EngineServer::corsPreflight()
{
    EngineOptions options = fastOptions();
    options.cors = CorsOptions();
    options.cors->maxAge = 600;
    startServer(options);
    const Reply preflight =
        sendCustom("OPTIONS", QStringLiteral("EIO=4&transport=polling"),
                   {{"Origin", "https://example.com"},
                    {"Access-Control-Request-Method", "POST"},
                    {"Access-Control-Request-Headers", "content-type,x-custom"}});
    QCOMPARE(preflight.status, 204);
    QCOMPARE(preflight.header("access-control-allow-origin"), QByteArray("*"));
    QCOMPARE(preflight.header("access-control-allow-methods"),
             QByteArray("GET,HEAD,PUT,PATCH,POST,DELETE"));
    QCOMPARE(preflight.header("access-control-allow-headers"), QByteArray("content-type,x-custom"));
    QCOMPARE(preflight.header("access-control-max-age"), QByteArray("600"));
    QCOMPARE(preflight.header("vary"), QByteArray("Access-Control-Request-Headers"));
    QCOMPARE(m_server->clientsCount(), 0);
    const Reply handshake =
        get(QStringLiteral("EIO=4&transport=polling"), {{"Origin", "https://example.com"}});
    QCOMPARE(handshake.header("access-control-allow-origin"), QByteArray("*"));
}

void tst_EngineServer::corsOriginList()
{
    EngineOptions options = fastOptions();
    options.cors = CorsOptions();
    options.cors->origin = CorsOptions::Origin::List;
    options.cors->origins = {QStringLiteral("https://a.example"),
                             QStringLiteral("https://b.example")};
    options.cors->credentials = true;
    startServer(options);
    const Reply allowed =
        get(QStringLiteral("EIO=4&transport=polling"), {{"Origin", "https://b.example"}});
    QCOMPARE(allowed.status, 200);
    QCOMPARE(allowed.header("access-control-allow-origin"), QByteArray("https://b.example"));
    QCOMPARE(allowed.header("access-control-allow-credentials"), QByteArray("true"));
    QCOMPARE(allowed.header("vary"), QByteArray("Origin"));
    const Reply other =
        get(QStringLiteral("EIO=4&transport=polling"), {{"Origin", "https://evil.example"}});
    QCOMPARE(other.status, 200); // CORS is for browsers to enforce
    QVERIFY(other.header("access-control-allow-origin").isEmpty());
    // Error responses carry the CORS headers too, so browsers can read them.
    const Reply error =
        get(QStringLiteral("EIO=4&transport=nope"), {{"Origin", "https://a.example"}});
    QCOMPARE(error.status, 400);
    QCOMPARE(error.header("access-control-allow-origin"), QByteArray("https://a.example"));
}

void tst_EngineServer::corsCallback()
{
    EngineOptions options = fastOptions();
    options.cors = CorsOptions();
    options.cors->origin = CorsOptions::Origin::Callback;
    options.cors->originCallback = [](const QString &origin, CorsOptions::OriginDecision decide) {
        if (origin == u"https://broken.example")
            decide(QStringLiteral("lookup failed"), false);
        else
            decide({}, origin.endsWith(u".trusted.example"));
    };
    startServer(options);
    const Reply allowed =
        get(QStringLiteral("EIO=4&transport=polling"), {{"Origin", "https://app.trusted.example"}});
    QCOMPARE(allowed.header("access-control-allow-origin"),
             QByteArray("https://app.trusted.example"));
    const Reply refused =
        get(QStringLiteral("EIO=4&transport=polling"), {{"Origin", "https://x.example"}});
    QCOMPARE(refused.status, 200);
    QVERIFY(refused.header("access-control-allow-origin").isEmpty());
    const Reply failed =
        get(QStringLiteral("EIO=4&transport=polling"), {{"Origin", "https://broken.example"}});
    QCOMPARE(failed.status, 400);
    QCOMPARE(failed.body, QByteArray("{\"code\":3,\"message\":\"Bad request\"}"));
}

void tst_EngineServer::noCorsHeadersByDefault()
{
    startServer(fastOptions());
    const Reply reply =
        get(QStringLiteral("EIO=4&transport=polling"), {{"Origin", "https://example.com"}});
    QCOMPARE(reply.status, 200);
    QVERIFY(reply.header("access-control-allow-origin").isEmpty());
}

void tst_EngineServer::cookieOnHandshakeOnly()
{
    EngineOptions options = fastOptions();
    options.cookie = CookieOptions();
    options.cookie->name = QStringLiteral("sticky");
    options.cookie->secure = true;
    startServer(options);
    const Reply handshake = get(QStringLiteral("EIO=4&transport=polling"));
    const QByteArray sid = QJsonDocument::fromJson(handshake.body.sliced(1))
                               .object()
                               .value(QStringLiteral("sid"))
                               .toString()
                               .toLatin1();
    QCOMPARE(handshake.header("set-cookie"),
             "sticky=" + sid + "; Path=/; HttpOnly; Secure; SameSite=Lax");
    const Reply next =
        post(QStringLiteral("EIO=4&transport=polling&sid=") + QString::fromLatin1(sid), "4x");
    QVERIFY(next.header("set-cookie").isEmpty());

    startServer(fastOptions());
    QVERIFY(get(QStringLiteral("EIO=4&transport=polling")).header("set-cookie").isEmpty());

    // The cookie package's encode: the session id goes through it; a value a cookie cannot
    // hold sends no cookie rather than a broken header.
    options.cookie->setEncode([](const QString &id) { return QStringLiteral("v1.") + id; });
    startServer(options);
    QVERIFY(get(QStringLiteral("EIO=4&transport=polling"))
                .header("set-cookie")
                .startsWith("sticky=v1."));
    options.cookie->setEncode([](const QString &id) { return id + QStringLiteral(";x"); });
    startServer(options);
    const Reply refused = get(QStringLiteral("EIO=4&transport=polling"));
    QCOMPARE(refused.status, 200);
    QVERIFY(refused.header("set-cookie").isEmpty());
}

void tst_EngineServer::httpCompression_data()
{
    QTest::addColumn<bool>("enabled");
    QTest::addColumn<int>("size");
    QTest::addColumn<QByteArray>("acceptEncoding");
    QTest::addColumn<QByteArray>("expected");
    QTest::addColumn<int>("level");
    QTest::addColumn<int>("windowBits");
    QTest::addRow("gzip above threshold")
        << true << 2000 << QByteArray("gzip") << QByteArray("gzip") << -1 << 9;
    QTest::addRow("deflate above threshold")
        << true << 2000 << QByteArray("deflate") << QByteArray("deflate") << -1 << 9;
    QTest::addRow("below threshold")
        << true << 500 << QByteArray("gzip") << QByteArray() << -1 << 9;
    QTest::addRow("not accepted") << true << 2000 << QByteArray("br") << QByteArray() << -1 << 9;
    QTest::addRow("disabled") << false << 2000 << QByteArray("gzip") << QByteArray() << -1 << 9;
    // zlib's level 0 stores: the body grows by the gzip framing instead of shrinking.
    QTest::addRow("gzip level 0") << true << 2000 << QByteArray("gzip") << QByteArray("gzip") << 0
                                  << 9;
    QTest::addRow("deflate level 0")
        << true << 2000 << QByteArray("deflate") << QByteArray("deflate") << 0 << 9;
    // zlib refuses 8 bits for gzip: Node and we use 9 there; deflate (zlib) takes 8.
    QTest::addRow("gzip windowBits 8")
        << true << 2000 << QByteArray("gzip") << QByteArray("gzip") << -1 << 8;
    QTest::addRow("deflate windowBits 8")
        << true << 2000 << QByteArray("deflate") << QByteArray("deflate") << -1 << 8;
}

void tst_EngineServer::httpCompression()
{
    QFETCH(bool, enabled);
    QFETCH(int, size);
    QFETCH(QByteArray, acceptEncoding);
    QFETCH(QByteArray, expected);
    QFETCH(int, level);
    QFETCH(int, windowBits);
    EngineOptions options = fastOptions();
    options.pingInterval = 5000;
    if (!enabled) {
        options.httpCompression.reset();
    } else {
        ZlibOptions zlib;
        zlib.level = level;
        zlib.windowBits = windowBits;
        options.httpCompression->setZlib(zlib);
    }
    startServer(options);
    const QString sid = openPollingSession();
    const QString q = QStringLiteral("EIO=4&transport=polling&sid=") + sid;
    const QByteArray message = "4" + QByteArray(size, 'z');
    QCOMPARE(post(q, message).status, 200);
    const QByteArray raw = rawExchange(
        m_server->serverPort(),
        "GET /engine.io/?" + q.toLatin1() +
            " HTTP/1.1\r\nHost: localhost\r\nAccept-Encoding: " + acceptEncoding + "\r\n\r\n");
    const QByteArray head = raw.first(raw.indexOf("\r\n\r\n")).toLower();
    if (expected.isEmpty()) {
        QVERIFY(!head.contains("content-encoding"));
        QCOMPARE(bodyOf(raw), message);
        return;
    }
    QVERIFY2(head.contains("content-encoding: " + expected), head.constData());
    const QByteArray body = bodyOf(raw);
    if (level == 0)
        QVERIFY(body.size() > message.size());
    else
        QVERIFY(body.size() < message.size() / 4);
    QCOMPARE(Http::decompress(body, expected == "gzip" ? Http::ContentEncoding::Gzip
                                                       : Http::ContentEncoding::Deflate),
             message);
}

void tst_EngineServer::initialPacket()
{
    EngineOptions options = fastOptions();
    options.initialPacket = "welcome";
    startServer(options);
    const Reply handshake = get(QStringLiteral("EIO=4&transport=polling"));
    const QList<QByteArray> packets = handshake.body.split('\x1e');
    QCOMPARE(packets.size(), 2);
    QVERIFY(packets.at(0).startsWith("0{"));
    QCOMPARE(packets.at(1), QByteArray("4welcome"));
}

void tst_EngineServer::customPathAndTrailingSlash()
{
    EngineOptions options = fastOptions();
    options.path = QStringLiteral("/rt");
    startServer(options);
    QCOMPARE(get(QStringLiteral("EIO=4&transport=polling")).status, 404); // /engine.io/
    const QByteArray withSlash = rawExchange(
        m_server->serverPort(), "GET /rt/?EIO=4&transport=polling HTTP/1.1\r\nHost: x\r\n\r\n");
    QVERIFY(withSlash.startsWith("HTTP/1.1 200"));
    const QByteArray withoutSlash = rawExchange(
        m_server->serverPort(), "GET /rt?EIO=4&transport=polling HTTP/1.1\r\nHost: x\r\n\r\n");
    QVERIFY(withoutSlash.startsWith("HTTP/1.1 404"));

    options.addTrailingSlash = false;
    startServer(options);
    const QByteArray noSlash = rawExchange(
        m_server->serverPort(), "GET /rt?EIO=4&transport=polling HTTP/1.1\r\nHost: x\r\n\r\n");
    QVERIFY2(noSlash.startsWith("HTTP/1.1 200"), noSlash.constData());
}

void tst_EngineServer::requestHandlerForOtherPaths()
{
    startServer(fastOptions());
    const QByteArray notFound =
        rawExchange(m_server->serverPort(), "GET /index.html HTTP/1.1\r\nHost: x\r\n\r\n");
    QVERIFY(notFound.startsWith("HTTP/1.1 404 Not Found\r\n"));
    m_server->setRequestHandler(this, [](const HttpRequest &request, HttpResponse &response) {
        if (request.path() != u"/index.html")
            return false;
        response.setHeader("Content-Type", "text/html");
        response.setBody("<h1>hi</h1>");
        return true;
    });
    const QByteArray page =
        rawExchange(m_server->serverPort(), "GET /index.html HTTP/1.1\r\nHost: x\r\n\r\n");
    QVERIFY(page.startsWith("HTTP/1.1 200 OK\r\n"));
    QCOMPARE(bodyOf(page), QByteArray("<h1>hi</h1>"));
    const QByteArray other =
        rawExchange(m_server->serverPort(), "GET /other HTTP/1.1\r\nHost: x\r\n\r\n");
    QVERIFY(other.startsWith("HTTP/1.1 404"));
}

void tst_EngineServer::headersHook()
{
    startServer(fastOptions());
    QList<bool> initials;
    m_server->setHeadersHook(
        this, [&initials](const HttpRequest &, HttpResponse &response, bool initial) {
            initials.append(initial);
            response.setHeader("X-Served-By", "qt");
        });
    const Reply handshake = get(QStringLiteral("EIO=4&transport=polling"));
    QCOMPARE(handshake.header("x-served-by"), QByteArray("qt"));
    const QString sid = QJsonDocument::fromJson(handshake.body.sliced(1))
                            .object()
                            .value(QStringLiteral("sid"))
                            .toString();
    QCOMPARE(post(QStringLiteral("EIO=4&transport=polling&sid=") + sid, "4x").header("x-served-by"),
             QByteArray("qt"));
    QCOMPARE(initials, (QList<bool>{true, false}));
}

void tst_EngineServer::destroyUpgradeOnOtherPaths()
{
    EngineOptions options = fastOptions();
    options.destroyUpgradeTimeout = 100;
    startServer(options);
    QWebSocket ws;
    QSignalSpy disconnected(&ws, &QWebSocket::disconnected);
    QSignalSpy connected(&ws, &QWebSocket::connected);
    ws.open(QUrl(QStringLiteral("ws://127.0.0.1:%1/elsewhere").arg(m_server->serverPort())));
    QTRY_COMPARE(disconnected.count(), 1);
    QCOMPARE(connected.count(), 0);
}

void tst_EngineServer::attachToApplicationServer()
{
    QTcpServer appServer;
    QVERIFY(appServer.listen(QHostAddress::LocalHost, 0));
    m_server = std::make_unique<EngineServer>(fastOptions());
    connect(m_server.get(), &EngineServer::connection, this,
            [this](EngineSocket *socket) { m_sockets.append(socket); });
    QVERIFY(m_server->attach(&appServer));
    QCOMPARE(m_server->serverPort(), appServer.serverPort());
    QVERIFY(!openPollingSession().isEmpty());
    QCOMPARE(m_sockets.size(), 1);
    QVERIFY(!m_server->attach(&appServer));
    QCOMPARE(m_server->error(), EngineServer::Error::AlreadyListening);
    m_server.reset();
    // The application's server stays the application's.
    QVERIFY(appServer.isListening());
}

// Routes answered later (a database call in Express): the connection waits for the answer,
// the next request on it is read after it, a late answer to a closed connection is dropped.
void tst_EngineServer::asyncRequestHandler()
{
    startServer(fastOptions());
    // Sync handler first: the async one replaces it.
    m_server->setRequestHandler(this, [](const HttpRequest &, HttpResponse &response) {
        response.setBody("sync");
        return true;
    });
    QList<EngineServer::Respond> pending;
    m_server->setAsyncRequestHandler(
        this, [&pending](const HttpRequest &request, const EngineServer::Respond &respond) {
            if (request.path() != u"/later")
                return false;
            pending.append(respond);
            return true;
        });
    QTcpSocket client;
    QByteArray received;
    connect(&client, &QTcpSocket::readyRead, this, [&] { received += client.readAll(); });
    client.connectToHost(QHostAddress::LocalHost, m_server->serverPort());
    QVERIFY(client.waitForConnected(3000));
    // Two pipelined requests: the second is read once the first was answered.
    client.write("GET /later?n=1 HTTP/1.1\r\nHost: x\r\n\r\nGET /later?n=2 HTTP/1.1\r\n"
                 "Host: x\r\n\r\n");
    QTRY_COMPARE(pending.size(), 1);
    QTest::qWait(50); // would show a wrong early read of the second request
    QCOMPARE(pending.size(), 1);
    QVERIFY(received.isEmpty());
    HttpResponse first;
    first.setBody("one");
    pending.at(0)(first);
    pending.at(0)(first); // a second answer is dropped
    QTRY_COMPARE(pending.size(), 2);
    HttpResponse second;
    second.setStatusCode(201);
    second.setBody("two");
    pending.at(1)(second);
    QTRY_VERIFY(received.contains("two"));
    QCOMPARE(received.count("HTTP/1.1 "), 2);
    QVERIFY(received.startsWith("HTTP/1.1 200 OK\r\n"));
    QVERIFY(received.indexOf("one") < received.indexOf("HTTP/1.1 201"));

    // Not ours: the default 404.
    QVERIFY(rawExchange(m_server->serverPort(), "GET /other HTTP/1.1\r\nHost: x\r\n\r\n")
                .startsWith("HTTP/1.1 404"));
    // An answer after the client left is dropped.
    {
        QTcpSocket gone;
        gone.connectToHost(QHostAddress::LocalHost, m_server->serverPort());
        QVERIFY(gone.waitForConnected(3000));
        gone.write("GET /later HTTP/1.1\r\nHost: x\r\n\r\n");
        QTRY_COMPARE(pending.size(), 3);
    }
    pending.at(2)(first);
    // Engine requests are not the handler's.
    QVERIFY(!openPollingSession().isEmpty());
    QCOMPARE(pending.size(), 3);
}

// io.httpServer: the server socket the engine accepts from, its own or the application's.
void tst_EngineServer::httpServer()
{
    EngineServer engine(fastOptions());
    QCOMPARE(engine.httpServer(), nullptr);
    QVERIFY(engine.listen(QHostAddress::LocalHost, 0));
    QVERIFY(engine.httpServer());
    QCOMPARE(engine.httpServer()->serverPort(), engine.serverPort());
    EngineServer guest(fastOptions());
    QVERIFY(guest.attach(&engine));
    QCOMPARE(guest.httpServer(), engine.httpServer());
    engine.close();
    QCOMPARE(engine.httpServer(), nullptr);

    QTcpServer appServer;
    QVERIFY(appServer.listen(QHostAddress::LocalHost, 0));
    EngineServer attached(fastOptions());
    QVERIFY(attached.attach(&appServer));
    QCOMPARE(attached.httpServer(), &appServer);
}

void tst_EngineServer::refusedOptionsFailListen()
{
    EngineOptions options;
    options.perMessageDeflate = true;
    options.wsEngine = QStringLiteral("qt"); // QWebSocketServer has no permessage-deflate
    EngineServer server(options);
    QSignalSpy errors(&server, &EngineServer::errorOccurred);
    QVERIFY(!server.listen(QHostAddress::LocalHost, 0));
    QCOMPARE(server.error(), EngineServer::Error::InvalidOptions);
    QVERIFY(server.errorString().contains(u"permessage-deflate"));
    QCOMPARE(errors.count(), 1);

    options = EngineOptions();
    options.transports = {QStringLiteral("polling"), QStringLiteral("webtransport")};
    QVERIFY(!server.setOptions(options));
    QVERIFY(server.errorString().contains(u"HTTP/3"));
}

void tst_EngineServer::eio3TextPayloads()
{
    EngineOptions options = fastOptions();
    options.allowEIO3 = true;
    options.pingInterval = 5000;
    startServer(options);
    const Reply handshake = get(QStringLiteral("EIO=3&transport=polling&b64=1"));
    QCOMPARE(handshake.status, 200);
    // "<length>:<packet>", the length in UTF-16 units.
    const qsizetype colon = handshake.body.indexOf(':');
    QVERIFY(colon > 0);
    QCOMPARE(handshake.body.first(colon).toInt(), handshake.body.size() - colon - 1);
    const QJsonObject open = QJsonDocument::fromJson(handshake.body.sliced(colon + 2)).object();
    const QString sid = open.value(QStringLiteral("sid")).toString();
    QCOMPARE(m_sockets.last()->protocol(), 3);
    const QString q = QStringLiteral("EIO=3&transport=polling&b64=1&sid=") + sid;
    QCOMPARE(post(q, "2:4é6:b4AQID").status, 200);
    QCOMPARE(get(q).body, QByteArray("2:4é6:b4AQID"));
    // Without b64 the client reads the binary payload form.
    const Reply binaryHandshake = get(QStringLiteral("EIO=3&transport=polling"));
    const qsizetype c2 = binaryHandshake.body.indexOf(':');
    const QString sid2 = QJsonDocument::fromJson(binaryHandshake.body.sliced(c2 + 2))
                             .object()
                             .value(QStringLiteral("sid"))
                             .toString();
    const QString q2 = QStringLiteral("EIO=3&transport=polling&sid=") + sid2;
    QCOMPARE(post(q2, "6:b4AQID").status, 200);
    const Reply binary = get(q2);
    QCOMPARE(binary.header("content-type"), QByteArray("application/octet-stream"));
    QCOMPARE(binary.body, QByteArray("\x01\x04\xff\x04\x01\x02\x03", 7));
}

void tst_EngineServer::eio3Jsonp()
{
    EngineOptions options = fastOptions();
    options.allowEIO3 = true;
    options.pingInterval = 5000;
    startServer(options);
    const Reply handshake = get(QStringLiteral("EIO=3&transport=polling&j=7"));
    QCOMPARE(handshake.status, 200);
    QCOMPARE(handshake.header("content-type"), QByteArray("text/plain; charset=UTF-8"));
    QVERIFY2(handshake.body.startsWith("___eio[7](\"") && handshake.body.endsWith("\");"),
             handshake.body.constData());
    const QByteArray inner = handshake.body.sliced(10, handshake.body.size() - 12);
    const QString payload = QJsonDocument::fromJson("[" + inner + "]").array().at(0).toString();
    const QString sid = QJsonDocument::fromJson(payload.sliced(payload.indexOf(u':') + 2).toUtf8())
                            .object()
                            .value(QStringLiteral("sid"))
                            .toString();
    QVERIFY(!sid.isEmpty());
    const QString q = QStringLiteral("EIO=3&transport=polling&j=7&sid=") + sid;
    // The JSONP client posts a form; newlines in the payload arrive escaped as "\n".
    QCOMPARE(post(q, "d=4%3A4a%5Cnb", "application/x-www-form-urlencoded").status, 200);
    const Reply echoed = get(q);
    QCOMPARE(echoed.body, QByteArray("___eio[7](\"4:4a\\nb\");"));
}

void tst_EngineServer::eio3ClientPings()
{
    EngineOptions options = fastOptions();
    options.allowEIO3 = true;
    startServer(options);
    QWebSocket ws;
    QSignalSpy texts(&ws, &QWebSocket::textMessageReceived);
    ws.open(wsUrl(QStringLiteral("EIO=3&transport=websocket")));
    QTRY_COMPARE(texts.count(), 1);
    EngineSocket *socket = waitForSocket();
    QSignalSpy heartbeats(socket, &EngineSocket::heartbeat);
    // v3: the client pings, the server answers pong with the same data.
    ws.sendTextMessage(QStringLiteral("2"));
    QTRY_COMPARE(texts.count(), 2);
    QCOMPARE(texts.at(1).at(0).toString(), QStringLiteral("3"));
    QCOMPARE(heartbeats.count(), 1);
    ws.sendBinaryMessage(QByteArray("\x04\x01\x02", 3));
    QSignalSpy binaries(&ws, &QWebSocket::binaryMessageReceived);
    QTRY_COMPARE(binaries.count(), 1);
    QCOMPARE(binaries.at(0).at(0).toByteArray(), QByteArray("\x04\x01\x02", 3));
    // With no more pings, the session ends after pingInterval + pingTimeout.
    QTRY_COMPARE_WITH_TIMEOUT(m_closeReasons, QStringList{QStringLiteral("ping timeout")}, 3000);
}

void tst_EngineServer::tls()
{
    const SelfSigned selfSigned = SelfSigned::make();
    QVERIFY2(selfSigned.error.isEmpty(), qPrintable(selfSigned.error));
    const QSslCertificate certificate = selfSigned.certificate;
    const QSslConfiguration configuration = selfSigned.serverConfiguration();

    m_server = std::make_unique<EngineServer>(fastOptions());
    connect(m_server.get(), &EngineServer::connection, this, [this](EngineSocket *socket) {
        m_sockets.append(socket);
        connect(socket, &EngineSocket::messageReceived, socket,
                [socket](const QByteArray &data, bool) { socket->sendUtf8(data); });
    });
    m_server->setSslConfiguration(configuration);
    QVERIFY(m_server->listen(QHostAddress::LocalHost, 0));

    QSslConfiguration client = QSslConfiguration::defaultConfiguration();
    client.setCaCertificates({certificate});
    QNetworkRequest request(
        QUrl(QStringLiteral("https://127.0.0.1:%1/engine.io/?EIO=4&transport=polling")
                 .arg(m_server->serverPort())));
    request.setSslConfiguration(client);
    std::unique_ptr<QNetworkReply> reply(m_nam->get(request));
    QSignalSpy finished(reply.get(), &QNetworkReply::finished);
    QVERIFY(finished.wait(10000));
    QCOMPARE(reply->error(), QNetworkReply::NoError);
    QVERIFY(reply->readAll().startsWith("0{\"sid\""));

    QWebSocket ws;
    ws.setSslConfiguration(client);
    QSignalSpy texts(&ws, &QWebSocket::textMessageReceived);
    ws.open(QUrl(QStringLiteral("wss://127.0.0.1:%1/engine.io/?EIO=4&transport=websocket")
                     .arg(m_server->serverPort())));
    QTRY_COMPARE_WITH_TIMEOUT(texts.count(), 1, 10000);
    ws.sendTextMessage(QStringLiteral("4secure"));
    QTRY_COMPARE(texts.count(), 2);
    QCOMPARE(texts.at(1).at(0).toString(), QStringLiteral("4secure"));
    QVERIFY(m_sockets.last()->request().isSecure());
}

void tst_EngineServer::protocolMismatch()
{
    EngineOptions options = fastOptions();
    options.allowEIO3 = true;
    startServer(options);
    const QString sid = openPollingSession();
    const Reply reply = get(QStringLiteral("EIO=3&transport=polling&sid=") + sid);
    QCOMPARE(reply.status, 400);
    QCOMPARE(reply.json().value(QStringLiteral("code")).toInt(), 3);
}

void tst_EngineServer::allowRequestBeforeProtocolCheck()
{
    startServer(fastOptions());
    m_server->setAllowRequest(this, [](const HttpRequest &, EngineServer::Decision decide) {
        decide(QStringLiteral("go away"), false);
    });
    // Like the reference, allowRequest is asked before the protocol version is checked.
    const Reply reply = get(QStringLiteral("EIO=3&transport=polling"));
    QCOMPARE(reply.status, 403);
    QCOMPARE(reply.json().value(QStringLiteral("message")).toString(), QStringLiteral("go away"));
}

void tst_EngineServer::jsonpWithEio4()
{
    EngineOptions options = fastOptions();
    options.pingInterval = 5000;
    startServer(options);
    const Reply handshake = get(QStringLiteral("EIO=4&transport=polling&j=a1b2"));
    QVERIFY2(handshake.body.startsWith("___eio[12](\"0{"), handshake.body.constData());
    const QByteArray inner = handshake.body.sliced(11, handshake.body.size() - 13);
    const QString payload = QJsonDocument::fromJson("[" + inner + "]").array().at(0).toString();
    const QString sid = QJsonDocument::fromJson(payload.sliced(1).toUtf8())
                            .object()
                            .value(QStringLiteral("sid"))
                            .toString();
    QVERIFY(!sid.isEmpty());
    EngineSocket *socket = waitForSocket();
    QSignalSpy received(socket, &EngineSocket::messageReceived);
    const QString q = QStringLiteral("EIO=4&transport=polling&j=12&sid=") + sid;
    // "\\n" stands for a backslash and an n; "\n" for a newline.
    QCOMPARE(post(q, "d=4a%5C%5Cnb%5Cnc", "application/x-www-form-urlencoded").status, 200);
    QCOMPARE(received.count(), 1);
    QCOMPARE(received.at(0).at(0).toByteArray(), QByteArray("a\\nb\nc"));
}

namespace {
// A masked client frame (mask key 0, so the payload reads the same masked).
QByteArray clientFrame(quint8 opcode, const QByteArray &payload)
{
    QByteArray frame;
    frame.append(char(0x80 | opcode));
    if (payload.size() < 126) {
        frame.append(char(0x80 | payload.size()));
    } else if (payload.size() < 65536) {
        frame.append(char(0x80 | 126));
        frame.append(char(payload.size() >> 8));
        frame.append(char(payload.size() & 0xff));
    } else {
        frame.append(char(0x80 | 127));
        for (int shift = 56; shift >= 0; shift -= 8)
            frame.append(char((quint64(payload.size()) >> shift) & 0xff));
    }
    frame.append(QByteArray(4, '\0'));
    frame.append(payload);
    return frame;
}
} // namespace

// A raw WebSocket session whose client stops reading once 4 KiB wait unread.
EngineSocket *tst_EngineServer::openUnreadWebSocket(QTcpSocket *client)
{
    client->setReadBufferSize(4096);
    client->connectToHost(QHostAddress::LocalHost, m_server->serverPort());
    if (!client->waitForConnected(3000))
        return nullptr;
    client->write("GET /engine.io/?EIO=4&transport=websocket HTTP/1.1\r\nHost: localhost\r\n"
                  "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n"
                  "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n");
    if (!QTest::qWaitFor([client] { return client->bytesAvailable() > 0; }, 5000))
        return nullptr;
    return waitForSocket();
}

void tst_EngineServer::unreadWebSocketIsClosed()
{
    // A client that sends and never reads: the server's echoes pile up until the session
    // holds more than maxWriteBufferSize, then it is closed ("transport error").
    EngineOptions options = fastOptions();
    options.pingInterval = 60'000;
    options.pingTimeout = 60'000;
    options.maxWriteBufferSize = 256 * 1024;
    startServer(options);
    QTcpSocket client;
    QSignalSpy disconnected(&client, &QTcpSocket::disconnected);
    EngineSocket *socket = openUnreadWebSocket(&client);
    QVERIFY(socket);
    QSignalSpy closed(socket, &EngineSocket::closed);
    // 32 MB of echoes: more than the kernel's buffers of both ends take.
    const QByteArray frame = clientFrame(0x1, "4" + QByteArray(64 * 1024 - 1, 'x'));
    for (int i = 0; i < 512; ++i)
        client.write(frame);
    QTRY_COMPARE_WITH_TIMEOUT(closed.count(), 1, 20'000);
    QCOMPARE(closed.at(0).at(0).toString(), QStringLiteral("transport error"));
    QVERIFY2(closed.at(0).at(1).toString().contains(u"maxWriteBufferSize"),
             qPrintable(closed.at(0).at(1).toString()));
    QTRY_COMPARE(m_server->clientsCount(), 0);
    // The connection goes with the session.
    client.setReadBufferSize(0);
    QTRY_COMPARE_WITH_TIMEOUT(disconnected.count(), 1, 10'000);
}

void tst_EngineServer::unreadPingFloodIsClosed()
{
    // WebSocket pings are answered by the engine itself, without any send() of the session.
    EngineOptions options = fastOptions();
    options.pingInterval = 60'000;
    options.pingTimeout = 60'000;
    options.maxWriteBufferSize = 256 * 1024;
    startServer(options);
    QTcpSocket client;
    EngineSocket *socket = openUnreadWebSocket(&client);
    QVERIFY(socket);
    QSignalSpy closed(socket, &EngineSocket::closed);
    // 250000 pings of 125 bytes: 32 MB of pongs.
    QByteArray pings;
    const QByteArray ping = clientFrame(0x9, QByteArray(125, 'p'));
    for (int i = 0; i < 1000; ++i)
        pings += ping;
    for (int i = 0; i < 250 && closed.isEmpty(); ++i) {
        client.write(pings);
        QTest::qWait(1);
    }
    QTRY_COMPARE_WITH_TIMEOUT(closed.count(), 1, 20'000);
    QCOMPARE(closed.at(0).at(0).toString(), QStringLiteral("transport error"));
}

void tst_EngineServer::pollingWithoutGetIsCapped()
{
    // One POST of many small messages, echoed while no GET takes them: the queued packets
    // count against maxWriteBufferSize, with what each costs besides its bytes.
    EngineOptions options = fastOptions();
    options.pingInterval = 60'000;
    options.pingTimeout = 60'000;
    options.maxWriteBufferSize = 64 * 1024;
    startServer(options);
    const QString sid = openPollingSession();
    EngineSocket *socket = waitForSocket();
    QVERIFY(socket);
    QSignalSpy closed(socket, &EngineSocket::closed);
    const QString q = QStringLiteral("EIO=4&transport=polling&sid=") + sid;
    // 20000 messages in 60 KB: below the limit in bytes, far above it in memory.
    QByteArray payload = "4a";
    for (int i = 1; i < 20'000; ++i)
        payload += "\x1e"
                   "4a";
    QCOMPARE(post(q, payload).status, 200);
    QTRY_COMPARE(closed.count(), 1);
    QCOMPARE(closed.at(0).at(0).toString(), QStringLiteral("transport error"));
    QCOMPARE(m_server->clientsCount(), 0);
    // Under the limit, a session is untouched.
    const QString other = openPollingSession();
    const QString q2 = QStringLiteral("EIO=4&transport=polling&sid=") + other;
    QCOMPARE(post(q2, "4a\x1e"
                      "4b")
                 .status,
             200);
    QCOMPARE(get(q2).body, QByteArray("4a\x1e"
                                      "4b"));
    QCOMPARE(m_server->clientsCount(), 1);
}

void tst_EngineServer::noWriteLimit()
{
    // 0 turns the limit off.
    EngineOptions options = fastOptions();
    options.pingInterval = 60'000;
    options.pingTimeout = 60'000;
    options.maxWriteBufferSize = 0;
    startServer(options);
    const QString sid = openPollingSession();
    const QString q = QStringLiteral("EIO=4&transport=polling&sid=") + sid;
    QByteArray payload = "4a";
    for (int i = 1; i < 20'000; ++i)
        payload += "\x1e"
                   "4a";
    QCOMPARE(post(q, payload).status, 200);
    QCOMPARE(get(q).body, payload);
    QVERIFY(m_closeReasons.isEmpty());
}

void tst_EngineServer::refusedUpgradesAreForgotten()
{
    // QWebSocketServer refuses Sec-WebSocket-Version 12 on its own; the request the engine
    // kept for it must not stay behind (the "qt" engine kept every one of them).
    startServer(fastOptions());
    const EngineServerPrivate *d = EngineServerPrivate::get(m_server.get());
    for (int i = 0; i < 20; ++i) {
        const QByteArray raw =
            rawExchange(m_server->serverPort(),
                        "GET /engine.io/?EIO=4&transport=websocket HTTP/1.1\r\nHost: localhost\r\n"
                        "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 12\r\n"
                        "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nX-Padding: " +
                            QByteArray(8000, 'p') + "\r\n\r\n");
        QVERIFY2(raw.startsWith("HTTP/1.1 4"), raw.left(100).constData());
    }
    QTRY_COMPARE(d->pendingUpgrades.size(), 0);
    QCOMPARE(m_server->clientsCount(), 0);
    // Accepted upgrades still go through.
    QWebSocket ws;
    QSignalSpy texts(&ws, &QWebSocket::textMessageReceived);
    ws.open(wsUrl(QStringLiteral("EIO=4&transport=websocket")));
    QTRY_COMPARE(texts.count(), 1);
    QCOMPARE(m_server->clientsCount(), 1);
    QCOMPARE(d->pendingUpgrades.size(), 0);
}

void tst_EngineServer::pollingTextIsUtf8()
{
    // Node reads a polling body as UTF-8: invalid bytes become U+FFFD, one per maximal
    // invalid sequence, before any packet is decoded (they were echoed as they came).
    startServer(fastOptions());
    const QString sid = openPollingSession();
    EngineSocket *socket = waitForSocket();
    QVERIFY(socket);
    QSignalSpy received(socket, &EngineSocket::messageReceived);
    const QString q = QStringLiteral("EIO=4&transport=polling&sid=") + sid;
    QCOMPARE(post(q, "4a\xff"
                     "b\x1e"
                     "4\xe2\x82x")
                 .status,
             200);
    QCOMPARE(received.count(), 2);
    QCOMPARE(received.at(0).at(0).toByteArray(), QByteArray("a\xef\xbf\xbd"
                                                            "b"));
    QCOMPARE(received.at(1).at(0).toByteArray(), QByteArray("\xef\xbf\xbdx"));
    QCOMPARE(get(q).body, QByteArray("4a\xef\xbf\xbd"
                                     "b\x1e"
                                     "4\xef\xbf\xbdx"));
}

void tst_EngineServer::pollingRefusesLoneBase64Character()
{
    // "bA" holds no byte: refused like any payload that is not base64.
    startServer(fastOptions());
    const QString sid = openPollingSession();
    const QString q = QStringLiteral("EIO=4&transport=polling&sid=") + sid;
    QCOMPARE(post(q, "bA").status, 400);
    QTRY_COMPARE(m_closeReasons, QStringList{QStringLiteral("parse error")});
}

void tst_EngineServer::pollingV4RefusesBinaryContent()
{
    // Like the reference: a v4 payload is text; application/octet-stream gets 400 and the
    // session fails.
    startServer(fastOptions());
    const QString sid = openPollingSession();
    const QString q = QStringLiteral("EIO=4&transport=polling&sid=") + sid;
    QCOMPARE(post(q, "4a", "application/octet-stream").status, 400);
    QTRY_COMPARE(m_closeReasons, QStringList{QStringLiteral("transport error")});
}

QTEST_GUILESS_MAIN(tst_EngineServer)
#include "tst_engineserver.moc"
