// The Socket.IO 0.9 configuration API: Server::set()/get()/enable()/configure(), the 0.9
// server names through ServerOptions::fromVariantMap(), and the 0.9 client names through
// ManagerOptions::fromVariantMap(). Effects are checked on a real server over TCP: origins on
// polling and WebSocket, authorization, the served client files, the logging rules.
#include "engineio/enginesocket_p.h"

#include <SocketIO/ClientSocket>
#include <SocketIO/Manager>
#include <SocketIO/Server>

#include <QtCore/QLoggingCategory>
#include <QtCore/QTemporaryDir>
#include <QtNetwork/QTcpSocket>
#include <QtTest/QSignalSpy>
#include <QtTest/QTest>
#include <QtWebSockets/QWebSocket>

using namespace SocketIO;
using namespace Qt::StringLiterals;

namespace {

struct HttpAnswer
{
    int status = 0;
    QMap<QByteArray, QByteArray> headers; // lower-cased names
    QByteArray body;
};

// One HTTP/1.1 request on its own connection, read until the server closes it.
HttpAnswer httpGet(quint16 port, const QByteArray &target,
                   const QList<QPair<QByteArray, QByteArray>> &headers = {})
{
    QTcpSocket socket;
    socket.connectToHost(QHostAddress::LocalHost, port);
    QByteArray request = "GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n";
    for (const auto &[name, value] : headers)
        request += name + ": " + value + "\r\n";
    socket.write(request + "\r\n");
    QByteArray data;
    QObject::connect(&socket, &QTcpSocket::readyRead, &socket, [&] { data += socket.readAll(); });
    HttpAnswer answer;
    [&] { QTRY_VERIFY(socket.state() == QAbstractSocket::UnconnectedState); }();
    data += socket.readAll();
    const qsizetype end = data.indexOf("\r\n\r\n");
    if (end < 0)
        return answer;
    const QList<QByteArray> lines = data.left(end).split('\n');
    answer.status = lines.value(0).split(' ').value(1).toInt();
    for (qsizetype i = 1; i < lines.size(); ++i) {
        const QByteArray line = lines.at(i).trimmed();
        const qsizetype colon = line.indexOf(':');
        answer.headers.insert(line.left(colon).toLower(), line.mid(colon + 1).trimmed());
    }
    answer.body = data.mid(end + 4);
    return answer;
}

const QByteArray handshake = "/socket.io/?EIO=4&transport=polling";

} // namespace

class tst_Legacy09 : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void cleanup();
    void transportSwitchAnswersHeldPoll();
    void serverNames_data();
    void serverNames();
    void protocol09Fields();
    void productionSettings();
    void allProblemsReported();
    void runTimeChanges();
    void origins_data();
    void origins();
    void originOnEveryRequest();
    void originOnLegacyWebSocket();
    void authorization();
    void clientFiles_data();
    void clientFiles();
    void logLevel_data();
    void logLevel();
    void configure_data();
    void configure();
    void clientNames_data();
    void clientNames();
    void clientLegacyTransports();
};

void tst_Legacy09::cleanup()
{
    QLoggingCategory::setFilterRules(QString());
    qunsetenv("NODE_ENV");
}

void tst_Legacy09::serverNames_data()
{
    QTest::addColumn<QString>("name");
    QTest::addColumn<QVariant>("value");
    QTest::addColumn<QString>("readName");  // read back with get(); empty: a refused name
    QTest::addColumn<QVariant>("expected"); // or the error's expected text
    const auto row = [](const char *tag, const QString &name, const QVariant &value,
                        const QString &readName, const QVariant &expected) {
        QTest::addRow("%s", tag) << name << value << readName << expected;
    };
    const auto list = [](std::initializer_list<const char *> items) {
        QStringList out;
        for (const char *item : items)
            out.append(QString::fromLatin1(item));
        return out;
    };
    row("heartbeat interval", u"heartbeat interval"_s, 10, u"pingInterval"_s, 10000);
    row("heartbeat timeout", u"heartbeat timeout"_s, 30, u"pingTimeout"_s, 30000);
    row("close timeout", u"close timeout"_s, 15, u"close timeout"_s, 15);
    row("polling duration", u"polling duration"_s, 5, u"polling duration"_s, 5);
    row("heartbeats", u"heartbeats"_s, false, u"heartbeats"_s, false);
    row("resource", u"resource"_s, u"/legacy"_s, u"path"_s, u"/legacy"_s);
    row("destroy upgrade", u"destroy upgrade"_s, false, u"destroyUpgrade"_s, false);
    row("destroy buffer size", u"destroy buffer size"_s, 1e8, u"maxHttpBufferSize"_s,
        qint64(100'000'000));
    row("transports 0.9", u"transports"_s, list({"xhr-polling", "websocket", "jsonp-polling"}),
        u"transports"_s, list({"polling", "websocket"}));
    row("transports htmlfile dropped", u"transports"_s, list({"htmlfile", "websocket"}),
        u"transports"_s, list({"websocket"}));
    row("transports none left", u"transports"_s, list({"htmlfile", "flashsocket"}), QString(),
        u"no usable transport"_s);
    row("browser client", u"browser client"_s, false, u"serveClient"_s, false);
    row("browser client minification", u"browser client minification"_s, true,
        u"browser client minification"_s, true);
    row("browser client etag", u"browser client etag"_s, false, u"browser client etag"_s, false);
    row("browser client gzip", u"browser client gzip"_s, false, u"browser client gzip"_s, false);
    row("browser client gzip leaves httpCompression", u"browser client gzip"_s, false,
        u"httpCompression"_s, EngineOptions().toVariantMap().value(u"httpCompression"_s));
    row("browser client expires", u"browser client expires"_s, 3600, u"browser client expires"_s,
        3600);
    row("browser client cache", u"browser client cache"_s, true, u"browser client cache"_s, true);
    row("browser client handler off", u"browser client handler"_s, false,
        u"browser client handler"_s, false);
    row("log level", u"log level"_s, 2, u"log level"_s, 2);
    row("log level too high", u"log level"_s, 4, QString(), u"from 0 to 3"_s);
    row("log", u"log"_s, false, u"log"_s, false);
    row("log colors off", u"log colors"_s, false, u"log colors"_s, false);
    row("log colors on", u"log colors"_s, true, QString(), u"QT_MESSAGE_PATTERN"_s);
    row("logger", u"logger"_s, true, QString(), u"qInstallMessageHandler"_s);
    row("store MemoryStore", u"store"_s, u"MemoryStore"_s, u"store"_s, u"MemoryStore"_s);
    row("store RedisStore", u"store"_s, u"RedisStore"_s, QString(), u"RedisCluster"_s);
    row("authorization off", u"authorization"_s, false, u"authorization"_s, false);
    row("authorization wrong type", u"authorization"_s, 1, QString(),
        u"Legacy09Options::Authorization"_s);
    row("origins string", u"origins"_s, u"Example.com:80 *:8080"_s, u"origins"_s,
        list({"example.com:80", "*:8080"}));
    row("origins URL", u"origins"_s, u"http://example.com"_s, QString(), u"host:port"_s);
    row("static", u"static"_s, true, QString(), u"clientDirectory"_s);
    row("match origin protocol", u"match origin protocol"_s, false, u"match origin protocol"_s,
        false);
    row("match origin protocol on", u"match origin protocol"_s, true, QString(),
        u"can only be false"_s);
    row("flash policy server", u"flash policy server"_s, false, u"flash policy server"_s, false);
    row("flash policy port", u"flash policy port"_s, 10843, QString(), u"flashsocket"_s);
    row("blacklist default", u"blacklist"_s, list({"disconnect"}), u"blacklist"_s,
        list({"disconnect"}));
    row("blacklist other", u"blacklist"_s, list({"secret"}), QString(), u"Socket::use"_s);
    row("client store expiration", u"client store expiration"_s, 15, QString(),
        u"connectionStateRecovery"_s);
    row("modern pingInterval", u"pingInterval"_s, 1000, u"pingInterval"_s, 1000);
    row("modern connectTimeout", u"connectTimeout"_s, 500, u"connectTimeout"_s, 500);
    row("unknown typo", u"pingInterva"_s, 1, QString(), u"closest option is \"pingInterval\""_s);
    row("unknown spaced", u"ping timeout"_s, 1, QString(), u"closest option is \"pingTimeout\""_s);
}

void tst_Legacy09::serverNames()
{
    QFETCH(QString, name);
    QFETCH(QVariant, value);
    QFETCH(QString, readName);
    QFETCH(QVariant, expected);
    if (QTest::currentDataTag() == QByteArray("transports htmlfile dropped")) {
        // Once through set(), once through fromVariantMap().
        QTest::ignoreMessage(QtWarningMsg,
                             QRegularExpression(u"\"htmlfile\" is not implemented"_s));
        QTest::ignoreMessage(QtWarningMsg,
                             QRegularExpression(u"\"htmlfile\" is not implemented"_s));
    }
    if (QTest::currentDataTag() == QByteArray("transports none left")) {
        QTest::ignoreMessage(QtWarningMsg,
                             QRegularExpression(u"\"htmlfile\" is not implemented"_s));
        QTest::ignoreMessage(QtWarningMsg,
                             QRegularExpression(u"\"flashsocket\" is not implemented"_s));
    }
    Server server;
    const bool ok = server.set(name, value);
    if (readName.isEmpty()) {
        QVERIFY(!ok);
        QCOMPARE(server.error(), Server::Error::InvalidOptions);
        QVERIFY2(server.errorString().contains(expected.toString()),
                 qPrintable(server.errorString()));
        return;
    }
    QVERIFY2(ok, qPrintable(server.errorString()));
    QCOMPARE(server.get(readName), expected);
    // The same name through the map front end.
    QString problem;
    ServerOptions::fromVariantMap({{name, value}}, &problem);
    QVERIFY2(problem.isEmpty(), qPrintable(problem));
}

void tst_Legacy09::protocol09Fields()
{
    Server server;
    QVERIFY(server.set(u"heartbeat interval"_s, 12));
    QVERIFY(server.set(u"heartbeat timeout"_s, 40));
    QVERIFY(server.set(u"close timeout"_s, 30));
    QVERIFY(server.set(u"polling duration"_s, 10));
    QVERIFY(server.disable(u"heartbeats"_s));
    QVERIFY(server.set(u"transports"_s, QStringList{u"websocket"_s, u"jsonp-polling"_s}));
    const Protocol09Options p09 = server.options().protocol09();
    QCOMPARE(p09.heartbeatInterval, 12);
    QCOMPARE(p09.heartbeatTimeout, 40);
    QCOMPARE(p09.closeTimeout, 30);
    QCOMPARE(p09.pollingDuration, 10);
    QCOMPARE(p09.heartbeats, false);
    QCOMPARE(p09.transports, (QStringList{u"websocket"_s, u"jsonp-polling"_s}));
    // The modern engine follows too.
    QCOMPARE(server.options().engine.pingInterval, 12000);
    QCOMPARE(server.options().engine.pingTimeout, 40000);
    QCOMPARE(server.options().engine.transports, (QStringList{u"websocket"_s, u"polling"_s}));
    QVERIFY(server.disabled(u"heartbeats"_s));
    QVERIFY(server.enabled(u"close timeout"_s));
}

void tst_Legacy09::productionSettings()
{
    // The "recommended production settings" of 0.9's "Configuring Socket.IO" page.
    QTest::ignoreMessage(QtWarningMsg, QRegularExpression(u"\"flashsocket\" is not implemented"_s));
    QTest::ignoreMessage(QtWarningMsg, QRegularExpression(u"\"htmlfile\" is not implemented"_s));
    Server io;
    QVERIFY(io.configure(u"development"_s, [&io] {
        QVERIFY(io.enable(u"browser client minification"_s));
        QVERIFY(io.enable(u"browser client etag"_s));
        QVERIFY(io.enable(u"browser client gzip"_s));
        QVERIFY(io.set(u"log level"_s, 1));
        QVERIFY(io.set(u"transports"_s, QStringList{u"websocket"_s, u"flashsocket"_s, u"htmlfile"_s,
                                                    u"xhr-polling"_s, u"jsonp-polling"_s}));
    }));
    QVERIFY(io.enabled(u"browser client minification"_s));
    QVERIFY(io.enabled(u"browser client gzip"_s));
    QCOMPARE(io.get(u"log level"_s), QVariant(1));
    QCOMPARE(io.options().protocol09().transports,
             (QStringList{u"websocket"_s, u"xhr-polling"_s, u"jsonp-polling"_s}));
    QVERIFY2(io.listen(QHostAddress::LocalHost, 0), qPrintable(io.errorString()));
    QCOMPARE(httpGet(io.serverPort(), handshake).status, 200);

    // The same through the map front end.
    QTest::ignoreMessage(QtWarningMsg, QRegularExpression(u"\"flashsocket\" is not implemented"_s));
    QTest::ignoreMessage(QtWarningMsg, QRegularExpression(u"\"htmlfile\" is not implemented"_s));
    QString problem;
    const ServerOptions options = ServerOptions::fromVariantMap(
        {{u"browser client minification"_s, true},
         {u"browser client etag"_s, true},
         {u"browser client gzip"_s, true},
         {u"log level"_s, 1},
         {u"transports"_s, QStringList{u"websocket"_s, u"flashsocket"_s, u"htmlfile"_s,
                                       u"xhr-polling"_s, u"jsonp-polling"_s}}},
        &problem);
    QVERIFY2(problem.isEmpty(), qPrintable(problem));
    QVERIFY(options.legacy09().clientMinification);
    QCOMPARE(options.legacy09().logLevel, std::optional<int>(1));
}

void tst_Legacy09::allProblemsReported()
{
    QString problem;
    ServerOptions::fromVariantMap({{u"static"_s, true},
                                   {u"store"_s, u"RedisStore"_s},
                                   {u"pingInterva"_s, 1},
                                   {u"heartbeat interval"_s, 10}},
                                  &problem);
    const QStringList lines = problem.split(u'\n');
    QCOMPARE(lines.size(), 3);
    QVERIFY2(problem.contains(u"clientDirectory"_s), qPrintable(problem));
    QVERIFY2(problem.contains(u"RedisCluster"_s), qPrintable(problem));
    QVERIFY2(problem.contains(u"\"pingInterval\""_s), qPrintable(problem));
}

void tst_Legacy09::runTimeChanges()
{
    Server server;
    QVERIFY(server.listen(QHostAddress::LocalHost, 0));
    QVERIFY(!server.set(u"heartbeat interval"_s, 10));
    QCOMPARE(server.error(), Server::Error::AlreadyListening);
    QVERIFY(server.errorString().contains(u"heartbeat interval"_s));
    QVERIFY(!server.set(u"origins"_s, u"example.com:80"_s));
    QVERIFY(!server.set(u"nonsense"_s, 1));
    QCOMPARE(server.error(), Server::Error::InvalidOptions);
    QVERIFY(server.set(u"log level"_s, 3));
    QVERIFY(server.disable(u"browser client"_s));
    QCOMPARE(server.get(u"serveClient"_s), QVariant(false));
    QVERIFY(server.set(
        u"authorization"_s,
        QVariant::fromValue(Legacy09Options::Authorization(
            [](const QVariantMap &, const Legacy09Options::AuthorizationCallback &callback) {
                callback({}, false);
            }))));
    QCOMPARE(httpGet(server.serverPort(), handshake).status, 403);
}

void tst_Legacy09::origins_data()
{
    QTest::addColumn<QString>("origins");
    QTest::addColumn<QByteArray>("origin");
    QTest::addColumn<bool>("allowed");
    QTest::addRow("any") << u"*:*"_s << QByteArray("http://evil.org") << true;
    QTest::addRow("host:port, default port")
        << u"example.com:80"_s << QByteArray("http://example.com") << true;
    QTest::addRow("https default port is 443")
        << u"example.com:80"_s << QByteArray("https://example.com") << false;
    QTest::addRow("host:*") << u"example.com:*"_s << QByteArray("https://example.com:8443") << true;
    QTest::addRow("*:port") << u"*:8080"_s << QByteArray("http://other.org:8080") << true;
    QTest::addRow("other host") << u"example.com:80 *:8080"_s << QByteArray("http://evil.org")
                                << false;
    QTest::addRow("missing origin") << u"example.com:80"_s << QByteArray() << false;
}

void tst_Legacy09::origins()
{
    QFETCH(QString, origins);
    QFETCH(QByteArray, origin);
    QFETCH(bool, allowed);
    if (!allowed)
        QTest::ignoreMessage(QtWarningMsg, QRegularExpression(u"origin"_s));
    Server server;
    QVERIFY(server.set(u"origins"_s, origins));
    QVERIFY(server.listen(QHostAddress::LocalHost, 0));

    // Polling.
    QList<QPair<QByteArray, QByteArray>> headers;
    if (!origin.isEmpty())
        headers.append({"Origin", origin});
    const HttpAnswer answer = httpGet(server.serverPort(), handshake, headers);
    QCOMPARE(answer.status, allowed ? 200 : 403);
    if (allowed && !origin.isEmpty()) {
        QCOMPARE(answer.headers.value("access-control-allow-origin"), origin);
        QCOMPARE(answer.headers.value("access-control-allow-credentials"), QByteArray("true"));
    }

    // WebSocket.
    if (!allowed)
        QTest::ignoreMessage(QtWarningMsg, QRegularExpression(u"origin"_s));
    QWebSocket ws(QString::fromUtf8(origin));
    QSignalSpy connected(&ws, &QWebSocket::connected);
    QSignalSpy disconnected(&ws, &QWebSocket::disconnected);
    ws.open(
        QUrl(u"ws://127.0.0.1:%1/socket.io/?EIO=4&transport=websocket"_s.arg(server.serverPort())));
    QTRY_VERIFY(connected.size() + disconnected.size() > 0);
    QCOMPARE(connected.size(), allowed ? 1 : 0);

    // A 0.9 client's handshake (with the 0.9 protocol on).
    Server legacy;
    Protocol09Options protocol09;
    protocol09.enabled = true;
    ServerOptions options = legacy.options();
    options.setProtocol09(protocol09);
    legacy.setOptions(options);
    QVERIFY(legacy.set(u"origins"_s, origins));
    QVERIFY(legacy.listen(QHostAddress::LocalHost, 0));
    if (!allowed)
        QTest::ignoreMessage(QtWarningMsg, QRegularExpression(u"origin"_s));
    const HttpAnswer handshake09 = httpGet(legacy.serverPort(), "/socket.io/1/?t=1", headers);
    QCOMPARE(handshake09.status, allowed ? 200 : 403);
}

void tst_Legacy09::originOnEveryRequest()
{
    QTest::ignoreMessage(QtWarningMsg, QRegularExpression(u"illegal origin"_s));
    Server server;
    QVERIFY(server.set(u"origins"_s, u"example.com:*"_s));
    QVERIFY(server.listen(QHostAddress::LocalHost, 0));
    // 0.9 took the Referer when there was no Origin.
    const HttpAnswer open =
        httpGet(server.serverPort(), handshake, {{"Referer", "http://example.com/chat.html"}});
    QCOMPARE(open.status, 200);
    const qsizetype start = open.body.indexOf("\"sid\":\"") + 7;
    const QByteArray sid = open.body.mid(start, open.body.indexOf('"', start) - start);
    QVERIFY(!sid.isEmpty());
    // A request of that session from another origin is refused too, not only the handshake.
    const HttpAnswer poll =
        httpGet(server.serverPort(), handshake + "&sid=" + sid, {{"Origin", "http://evil.org"}});
    QCOMPARE(poll.status, 403);
}

// 0.9's websocket transport checked the Origin (not the Referer) of its upgrade and ended a
// refused one without an answer; the handshake before it was checked on its own.
void tst_Legacy09::originOnLegacyWebSocket()
{
    ServerOptions options;
    Protocol09Options protocol09;
    protocol09.enabled = true;
    options.setProtocol09(protocol09);
    Server server(options);
    QVERIFY(server.set(u"origins"_s, u"example.com:*"_s));
    QVERIFY(server.listen(QHostAddress::LocalHost, 0));
    const HttpAnswer open =
        httpGet(server.serverPort(), "/socket.io/1/?t=1", {{"Origin", "http://example.com"}});
    QCOMPARE(open.status, 200);
    const QByteArray sid = open.body.split(':').at(0);
    // What the server writes before it closes the connection or ends its answer's head.
    auto upgrade = [&server, &sid](const QByteArray &header) -> QByteArray {
        QTcpSocket socket;
        socket.connectToHost(QHostAddress::LocalHost, server.serverPort());
        socket.write("GET /socket.io/1/websocket/" + sid +
                     " HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
                     "Connection: Upgrade\r\nSec-WebSocket-Version: 13\r\n"
                     "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n" +
                     header + "\r\n");
        QByteArray answer;
        const bool ended = QTest::qWaitFor(
            [&] {
                answer += socket.readAll();
                return answer.contains("\r\n\r\n") ||
                       socket.state() == QAbstractSocket::UnconnectedState;
            },
            5000);
        return ended ? answer : QByteArrayLiteral("(no end)");
    };
    QTest::ignoreMessage(QtWarningMsg, QRegularExpression(u"illegal origin"_s));
    QVERIFY(upgrade("Origin: http://evil.org\r\n").isEmpty());
    QTest::ignoreMessage(QtWarningMsg, QRegularExpression(u"origin missing"_s));
    QVERIFY(upgrade("Referer: http://example.com/chat.html\r\n").isEmpty());
    QVERIFY(upgrade("Origin: http://example.com\r\n").startsWith("HTTP/1.1 101"));
}

void tst_Legacy09::transportSwitchAnswersHeldPoll()
{
    // A 0.9 client moving its session to another transport (it tries them in turn) leaves a
    // long-poll behind: that GET gets a noop instead of hanging.
    ServerOptions options;
    Protocol09Options protocol09;
    protocol09.enabled = true;
    options.setProtocol09(protocol09);
    Server server(options);
    QVERIFY(server.listen(QHostAddress::LocalHost, 0));
    const QByteArray sid = httpGet(server.serverPort(), "/socket.io/1/?t=1").body.split(':').at(0);
    QCOMPARE(httpGet(server.serverPort(), "/socket.io/1/xhr-polling/" + sid).body,
             QByteArray("1::"));
    auto send = [&server](QTcpSocket *socket, const QByteArray &target) {
        socket->connectToHost(QHostAddress::LocalHost, server.serverPort());
        socket->write("GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
    };
    QTcpSocket held;
    send(&held, "/socket.io/1/xhr-polling/" + sid);
    EngineSocket *session = server.engine()->client(QString::fromLatin1(sid));
    QVERIFY(session);
    QTRY_VERIFY(EngineSocketPrivate::get(session)->transport->isWritable());
    QTcpSocket next;
    send(&next, "/socket.io/1/jsonp-polling/" + sid + "?i=0");
    QByteArray answer;
    QTRY_VERIFY((answer += held.readAll(), answer.endsWith("\r\n\r\n8::")));
}

void tst_Legacy09::authorization()
{
    Server server;
    QVariantMap seen;
    QVERIFY(server.set(u"authorization"_s,
                       QVariant::fromValue(Legacy09Options::Authorization(
                           [&seen](const QVariantMap &data,
                                   const Legacy09Options::AuthorizationCallback &callback) {
                               seen = data;
                               const QVariantMap query = data.value(u"query"_s).toMap();
                               callback({}, query.value(u"token"_s).toString() == u"good");
                           }))));
    QVERIFY(server.listen(QHostAddress::LocalHost, 0));
    QCOMPARE(httpGet(server.serverPort(), handshake + "&token=bad").status, 403);
    QCOMPARE(
        httpGet(server.serverPort(), handshake + "&token=good", {{"Origin", "http://example.com"}})
            .status,
        200);
    for (const char *field :
         {"headers", "time", "address", "xdomain", "secure", "issued", "url", "query"})
        QVERIFY2(seen.contains(QString::fromLatin1(field)), field);
    QCOMPARE(seen.value(u"xdomain"_s), QVariant(true));
    QCOMPARE(seen.value(u"secure"_s), QVariant(false));
    QCOMPARE(seen.value(u"headers"_s).toMap().value(u"origin"_s),
             QVariant(u"http://example.com"_s));
    QVERIFY(seen.value(u"url"_s).toString().startsWith(u"/socket.io/?EIO=4"_s));

    // An error refuses the handshake as well.
    QVERIFY(server.set(
        u"authorization"_s,
        QVariant::fromValue(Legacy09Options::Authorization(
            [](const QVariantMap &, const Legacy09Options::AuthorizationCallback &callback) {
                callback(u"database down"_s, true);
            }))));
    QTest::ignoreMessage(QtWarningMsg, QRegularExpression(u"database down"_s));
    QCOMPARE(httpGet(server.serverPort(), handshake).status, 403);

    // A 0.9 handshake carrying a made-up sid is still asked about: only a live session's sid
    // skips authorization.
    ServerOptions options;
    Protocol09Options protocol09;
    protocol09.enabled = true;
    options.setProtocol09(protocol09);
    Server legacy(options);
    QVERIFY(legacy.set(
        u"authorization"_s,
        QVariant::fromValue(Legacy09Options::Authorization(
            [](const QVariantMap &data, const Legacy09Options::AuthorizationCallback &callback) {
                const QVariantMap query = data.value(u"query"_s).toMap();
                callback({}, query.value(u"token"_s).toString() == u"good");
            }))));
    QVERIFY(legacy.listen(QHostAddress::LocalHost, 0));
    QCOMPARE(httpGet(legacy.serverPort(), "/socket.io/1/?sid=made-up&token=bad").status, 403);
    QCOMPARE(httpGet(legacy.serverPort(), "/socket.io/1/?token=good").status, 200);
}

void tst_Legacy09::clientFiles_data()
{
    QTest::addColumn<QVariantMap>("settings");
    QTest::addColumn<QByteArray>("header"); // a response header to check
    QTest::addColumn<QByteArray>("value");  // its value; empty: absent
    QTest::addColumn<QByteArray>("body");   // the start of the (decoded) body
    QTest::addRow("defaults") << QVariantMap{} << QByteArray("content-encoding")
                              << QByteArray("gzip") << QByteArray("readable");
    QTest::addRow("minification") << QVariantMap{{u"browser client minification"_s, true}}
                                  << QByteArray("content-encoding") << QByteArray("gzip")
                                  << QByteArray("minified");
    QTest::addRow("gzip off") << QVariantMap{{u"browser client gzip"_s, false}}
                              << QByteArray("content-encoding") << QByteArray()
                              << QByteArray("readable");
    QTest::addRow("etag off") << QVariantMap{{u"browser client etag"_s, false}}
                              << QByteArray("etag") << QByteArray() << QByteArray("readable");
    QTest::addRow("expires") << QVariantMap{{u"browser client expires"_s, 315360000}}
                             << QByteArray("cache-control")
                             << QByteArray("public, max-age=315360000") << QByteArray("readable");
    QTest::addRow("handler") << QVariantMap{{u"browser client handler"_s,
                                             QVariant::fromValue(Legacy09Options::ClientHandler(
                                                 [](const HttpRequest &, HttpResponse &response) {
                                                     response.setHeader("X-Handler", "yes");
                                                     response.setBody("handled");
                                                 }))}}
                             << QByteArray("x-handler") << QByteArray("yes")
                             << QByteArray("handled");
    QTest::addRow("browser client off") << QVariantMap{{u"browser client"_s, false}}
                                        << QByteArray("etag") << QByteArray() << QByteArray();
}

void tst_Legacy09::clientFiles()
{
    QFETCH(QVariantMap, settings);
    QFETCH(QByteArray, header);
    QFETCH(QByteArray, value);
    QFETCH(QByteArray, body);
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const auto write = [&dir](const char *name, const QByteArray &content) {
        QFile file(dir.filePath(QString::fromLatin1(name)));
        return file.open(QIODevice::WriteOnly) && file.write(content) == content.size();
    };
    // Big enough to be worth compressing.
    QVERIFY(write("socket.io.js", "readable" + QByteArray(4096, ' ')));
    QVERIFY(write("socket.io.min.js", "minified" + QByteArray(4096, ' ')));

    Server server;
    QVERIFY(server.set(u"clientDirectory"_s, dir.path()));
    for (auto it = settings.cbegin(); it != settings.cend(); ++it)
        QVERIFY2(server.set(it.key(), it.value()), qPrintable(server.errorString()));
    QVERIFY(server.listen(QHostAddress::LocalHost, 0));
    const HttpAnswer answer =
        httpGet(server.serverPort(), "/socket.io/socket.io.js", {{"Accept-Encoding", "gzip"}});
    if (body.isEmpty()) {
        QCOMPARE(answer.status, 400); // not served: the engine's answer to a bad request
        return;
    }
    QCOMPARE(answer.status, 200);
    QCOMPARE(answer.headers.value(header), value);
    QByteArray decoded = answer.body;
    if (answer.headers.value("content-encoding") == "gzip") {
        // gzip is deflate with a header: check the size shrank and the header's magic.
        QVERIFY(decoded.startsWith("\x1f\x8b"));
        QVERIFY(decoded.size() < 4096);
        return;
    }
    QVERIFY2(decoded.startsWith(body), decoded.left(20).constData());
}

void tst_Legacy09::logLevel_data()
{
    QTest::addColumn<QString>("name");
    QTest::addColumn<QVariant>("value");
    QTest::addColumn<bool>("warning");
    QTest::addColumn<bool>("info");
    QTest::addColumn<bool>("debug");
    QTest::addRow("0 error") << u"log level"_s << QVariant(0) << true << false << false;
    QTest::addRow("1 warn") << u"log level"_s << QVariant(1) << true << false << false;
    QTest::addRow("2 info") << u"log level"_s << QVariant(2) << true << true << false;
    QTest::addRow("3 debug") << u"log level"_s << QVariant(3) << true << true << true;
    QTest::addRow("log off") << u"log"_s << QVariant(false) << false << false << false;
}

void tst_Legacy09::logLevel()
{
    QFETCH(QString, name);
    QFETCH(QVariant, value);
    QFETCH(bool, warning);
    QFETCH(bool, info);
    QFETCH(bool, debug);
    Server server;
    QVERIFY(server.set(name, value));
    for (const char *category : {"socketio.server", "socketio.engine", "socketio.client"}) {
        const QLoggingCategory lc(category);
        QCOMPARE(lc.isWarningEnabled(), warning);
        QCOMPARE(lc.isInfoEnabled(), info);
        QCOMPARE(lc.isDebugEnabled(), debug);
    }
    // Other categories are left alone.
    QVERIFY(QLoggingCategory("app.other").isWarningEnabled());
}

void tst_Legacy09::configure_data()
{
    QTest::addColumn<QByteArray>("nodeEnv"); // empty: unset
    QTest::addColumn<QString>("environment");
    QTest::addColumn<bool>("runs");
    QTest::addRow("unset is development") << QByteArray() << u"development"_s << true;
    QTest::addRow("unset is not production") << QByteArray() << u"production"_s << false;
    QTest::addRow("production") << QByteArray("production") << u"production"_s << true;
    QTest::addRow("production, asked development")
        << QByteArray("production") << u"development"_s << false;
    QTest::addRow("no list") << QByteArray("production") << u"production,staging"_s << false;
}

void tst_Legacy09::configure()
{
    QFETCH(QByteArray, nodeEnv);
    QFETCH(QString, environment);
    QFETCH(bool, runs);
    if (nodeEnv.isEmpty())
        qunsetenv("NODE_ENV");
    else
        qputenv("NODE_ENV", nodeEnv);
    Server server;
    int calls = 0;
    QCOMPARE(server.configure(environment,
                              [&] {
                                  ++calls;
                                  server.set(u"heartbeat interval"_s, 7);
                              }),
             runs);
    QCOMPARE(calls, runs ? 1 : 0);
    QCOMPARE(server.options().engine.pingInterval, runs ? 7000 : 25000);
    QVERIFY(server.configure([&] { ++calls; }));
    QCOMPARE(calls, runs ? 2 : 1);
}

void tst_Legacy09::clientNames_data()
{
    QTest::addColumn<QString>("name");
    QTest::addColumn<QVariant>("value");
    QTest::addColumn<QString>("field"); // empty: refused
    QTest::addColumn<QVariant>("expected");
    const auto row = [](const QString &name, const QVariant &value, const QString &field,
                        const QVariant &expected) {
        QTest::addRow("%s", qPrintable(name + (field.isEmpty() ? u" (refused)"_s : QString())))
            << name << value << field << expected;
    };
    row(u"connect timeout"_s, 5000, u"timeout"_s, 5000);
    row(u"try multiple transports"_s, true, u"tryAllTransports"_s, true);
    row(u"reconnect"_s, false, u"reconnection"_s, false);
    row(u"reconnection delay"_s, 700, u"reconnectionDelay"_s, 700);
    row(u"reconnection limit"_s, 9000, u"reconnectionDelayMax"_s, 9000);
    row(u"max reconnection attempts"_s, 3, u"reconnectionAttempts"_s, 3);
    row(u"auto connect"_s, false, u"autoConnect"_s, false);
    row(u"resource"_s, u"legacy"_s, u"path"_s, u"/legacy"_s);
    row(u"force new connection"_s, true, u"forceNew"_s, true);
    row(u"secure"_s, false, u"path"_s, u"/socket.io"_s);
    row(u"query"_s, u"a=1&b=two"_s, u"query"_s, QVariantMap{{u"a"_s, u"1"_s}, {u"b"_s, u"two"_s}});
    row(u"transports"_s, QStringList{u"xhr-polling"_s, u"jsonp-polling"_s, u"websocket"_s},
        u"transports"_s, QStringList{u"polling"_s, u"websocket"_s});
    QTest::addRow("secure (refused)")
        << u"secure"_s << QVariant(true) << QString() << QVariant(u"https://"_s);
    QTest::addRow("sync disconnect on unload (refused)")
        << u"sync disconnect on unload"_s << QVariant(true) << QString()
        << QVariant(u"closeOnBeforeunload"_s);
    QTest::addRow("document (refused)")
        << u"document"_s << QVariant(true) << QString() << QVariant(u"DOM"_s);
    // A 0.9 options object copied whole: the values that ask for nothing load.
    row(u"sync disconnect on unload"_s, false, u"path"_s, u"/socket.io"_s);
    row(u"document"_s, false, u"path"_s, u"/socket.io"_s);
    row(u"manualFlush"_s, false, u"path"_s, u"/socket.io"_s);
    QTest::addRow("flash policy port (refused)")
        << u"flash policy port"_s << QVariant(10843) << QString() << QVariant(u"flashsocket"_s);
}

void tst_Legacy09::clientNames()
{
    QFETCH(QString, name);
    QFETCH(QVariant, value);
    QFETCH(QString, field);
    QFETCH(QVariant, expected);
    QString problem;
    const ManagerOptions o = ManagerOptions::fromVariantMap({{name, value}}, &problem);
    if (field.isEmpty()) {
        QVERIFY2(problem.contains(expected.toString()), qPrintable(problem));
        return;
    }
    QVERIFY2(problem.isEmpty(), qPrintable(problem));
    const QVariantMap read = {
        {u"timeout"_s, o.timeout},
        {u"tryAllTransports"_s, o.tryAllTransports},
        {u"reconnection"_s, o.reconnection},
        {u"reconnectionDelay"_s, o.reconnectionDelay},
        {u"reconnectionDelayMax"_s, o.reconnectionDelayMax},
        {u"reconnectionAttempts"_s, o.reconnectionAttempts},
        {u"autoConnect"_s, o.autoConnect},
        {u"path"_s, o.path},
        {u"forceNew"_s, o.forceNew},
        {u"query"_s, o.query},
        {u"transports"_s, o.transports},
    };
    QCOMPARE(read.value(field), expected);
}

void tst_Legacy09::clientLegacyTransports()
{
    // A client configured with 0.9's transport names connects over the modern ones.
    Server server;
    QVERIFY(server.listen(QHostAddress::LocalHost, 0));
    ManagerOptions options;
    options.transports = {u"xhr-polling"_s};
    QCOMPARE(options.validate(), QString());
    Manager manager(QUrl(u"http://127.0.0.1:%1"_s.arg(server.serverPort())), options);
    ClientSocket *socket = manager.socket();
    QSignalSpy connected(socket, &ClientSocket::connected);
    QTRY_COMPARE(connected.size(), 1);
    QCOMPARE(manager.transportName(), u"polling"_s);

    options.transports = {u"htmlfile"_s};
    QVERIFY(options.validate().contains(u"not implemented"_s));
}

QTEST_GUILESS_MAIN(tst_Legacy09)
#include "tst_legacy09.moc"
