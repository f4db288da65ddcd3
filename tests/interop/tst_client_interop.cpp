// Interop: the Qt client (Manager, ClientSocket) against Node's socket.io 4.8 server
// (node/sio-server.mjs). The server prints one JSON line per thing it observes (HTTP requests,
// connections with their handshake, events, acks, disconnections, WebSocket frames), which is
// what the options are checked against.
//
// Every test starts its own server process on port 0 (the reconnection test restarts it on the
// port it got). The client runs on this thread, so the server process is awaited with
// QSignalSpy and QTRY_*: the event loop keeps serving the client meanwhile.
//
// Reasons and messages below were checked against Node's socket.io-client 4.8.4 on the same
// server: disconnect "transport close" with the description "websocket connection closed"
// (WebSocket) or "transport closed by the server" (polling); connect_error and reconnect_error
// "xhr poll error" / "websocket error" (the reference keeps the cause apart, in `description`).

#include <SocketIO/ClientSocket>
#include <SocketIO/Manager>

#include <QtCore/QDir>
#include <QtCore/QElapsedTimer>
#include <QtCore/QFileInfo>
#include <QtCore/QJsonArray>
#include <QtCore/QJsonDocument>
#include <QtCore/QJsonObject>
#include <QtCore/QProcess>
#include <QtCore/QTemporaryDir>
#include <QtCore/QTimer>
#include <QtCore/QUrlQuery>
#include <QtTest/QSignalSpy>
#include <QtTest/QTest>

#include <functional>
#include <memory>

#include "../tcpforwarder.h"
#include "peerprocess.h"

using namespace SocketIO;

namespace {

const QString nodeDir = QStringLiteral(INTEROP_NODE_DIR);
const QString nodeExecutable = QStringLiteral(INTEROP_NODE_EXECUTABLE);

QString s(const char *text)
{
    return QString::fromUtf8(text);
}

QByteArray bytes(int n)
{
    QByteArray result(n, Qt::Uninitialized);
    for (int i = 0; i < n; ++i)
        result[i] = char(i & 0xff);
    return result;
}

// The canonical form both sides compare: binary as {"$bin": hex}, objects with sorted keys.
QJsonValue canon(const QVariant &value)
{
    switch (value.typeId()) {
    case QMetaType::UnknownType:
    case QMetaType::Nullptr:
        return QJsonValue::Null;
    case QMetaType::QByteArray:
        return QJsonObject{{s("$bin"), QString::fromLatin1(value.toByteArray().toHex())}};
    case QMetaType::QVariantMap: {
        QJsonObject object;
        const QVariantMap map = value.toMap();
        for (auto it = map.cbegin(); it != map.cend(); ++it)
            object.insert(it.key(), canon(it.value()));
        return object;
    }
    case QMetaType::QVariantList: {
        QJsonArray array;
        for (const QVariant &item : value.toList())
            array.append(canon(item));
        return array;
    }
    case QMetaType::Bool:
        return value.toBool();
    case QMetaType::QString:
        return value.toString();
    default:
        return value.toDouble();
    }
}

QString text(const QJsonValue &value)
{
    if (value.isArray())
        return QString::fromUtf8(QJsonDocument(value.toArray()).toJson(QJsonDocument::Compact));
    if (value.isObject())
        return QString::fromUtf8(QJsonDocument(value.toObject()).toJson(QJsonDocument::Compact));
    return QString::fromUtf8(
        QJsonDocument(QJsonArray{value}).toJson(QJsonDocument::Compact).mid(1).chopped(1));
}

QString vtext(const QVariant &value)
{
    return text(canon(value));
}

// Nested binary at several depths, an empty buffer, and plain values.
QVariantList binaryArgs()
{
    return {QVariantMap{{s("bin"), QByteArray("\x00\x01\xff", 3)},
                        {s("list"), QVariantList{QByteArray("x"), s("s"),
                                                 QVariantMap{{s("deep"), bytes(300)}}}}},
            QByteArray(), 42, s("héllo €")};
}

// One node/sio-server.mjs process; its output is parsed line by line while it runs.
class NodeServer
{
public:
    NodeServer()
    {
        process.setProgram(nodeExecutable);
        process.setWorkingDirectory(nodeDir);
        QObject::connect(&process, &QProcess::readyReadStandardOutput, &process, [this] {
            buffer += process.readAllStandardOutput();
            qsizetype newline;
            while ((newline = buffer.indexOf('\n')) >= 0) {
                const QByteArray line = buffer.left(newline).trimmed();
                buffer.remove(0, newline + 1);
                raw += line + '\n';
                const QJsonObject object = QJsonDocument::fromJson(line).object();
                if (port == 0 && object.contains(QLatin1String("port")))
                    port = quint16(object.value(QLatin1String("port")).toInt());
                else if (!object.isEmpty())
                    lines.append(object);
            }
        });
        QObject::connect(&process, &QProcess::readyReadStandardError, &process,
                         [this] { err += process.readAllStandardError(); });
    }
    ~NodeServer()
    {
        if (process.state() != QProcess::NotRunning) {
            process.kill();
            process.waitForFinished(5000); // teardown only: the test is over
        }
    }

    void start(const QJsonObject &config)
    {
        port = 0;
        lines.clear();
        process.setArguments(
            {QDir(nodeDir).filePath(QStringLiteral("sio-server.mjs")),
             QString::fromUtf8(QJsonDocument(config).toJson(QJsonDocument::Compact))});
        process.start();
    }

    QList<QJsonObject> all(QStringView event) const
    {
        QList<QJsonObject> result;
        for (const QJsonObject &line : lines) {
            if (line.value(QLatin1String("event")).toString() == event)
                result.append(line);
        }
        return result;
    }

    QJsonObject first(QStringView event) const
    {
        const QList<QJsonObject> found = all(event);
        return found.isEmpty() ? QJsonObject() : found.first();
    }

    // An incoming event by name, as the server logged it.
    QJsonObject event(QStringView name) const
    {
        for (const QJsonObject &line : all(u"event")) {
            if (line.value(QLatin1String("name")).toString() == name)
                return line;
        }
        return {};
    }

    QString log() const
    {
        return QStringLiteral("\n--- %1 %2 ---\n%3--- server stderr ---\n%4")
            .arg(process.program(), process.arguments().join(u' '), QString::fromUtf8(raw),
                 QString::fromUtf8(err));
    }

    QProcess process;
    quint16 port = 0;
    QList<QJsonObject> lines;
    QByteArray buffer;
    QByteArray raw;
    QByteArray err;
};

#define START_SERVER(server, config)                                                               \
    do {                                                                                           \
        (server).start(config);                                                                    \
        QTRY_VERIFY2_WITH_TIMEOUT((server).port != 0 ||                                            \
                                      (server).process.state() == QProcess::NotRunning,            \
                                  qPrintable((server).log()), 10'000);                             \
        QVERIFY2((server).port != 0,                                                               \
                 qPrintable(QStringLiteral("the server did not start: %1%2")                       \
                                .arg((server).process.errorString(), (server).log())));            \
    } while (false)

// SIGTERM; the server closes its connections and exits.
#define STOP_SERVER(server)                                                                        \
    do {                                                                                           \
        (server).process.terminate();                                                              \
        QTRY_VERIFY2_WITH_TIMEOUT((server).process.state() == QProcess::NotRunning,                \
                                  qPrintable((server).log()), 5'000);                              \
    } while (false)

QUrl serverUrl(quint16 port, const char *scheme = "http")
{
    return QUrl(QStringLiteral("%1://127.0.0.1:%2").arg(s(scheme)).arg(port));
}

ManagerOptions withTransports(const QStringList &transports)
{
    ManagerOptions options;
    options.transports = transports;
    options.reconnection = false;
    return options;
}

// The events one socket received, in order.
struct Received
{
    QList<std::pair<QString, QVariantList>> events;
    int count(QStringView name) const
    {
        return int(std::count_if(events.cbegin(), events.cend(),
                                 [name](const auto &e) { return e.first == name; }));
    }
    QVariantList args(QStringView name) const
    {
        for (const auto &e : events) {
            if (e.first == name)
                return e.second;
        }
        return {};
    }
    QString dump() const
    {
        QString result = QStringLiteral("\n--- client received ---\n");
        for (const auto &e : events)
            result += e.first + u' ' + vtext(QVariant(e.second)) + u'\n';
        return result;
    }
};

// What a row of the options test sees after the connection: the server's log and the client.
struct Observed
{
    const NodeServer &server;
    Manager &manager;
    QUrlQuery query(const QJsonObject &http) const
    {
        return QUrlQuery(
            QUrl(QStringLiteral("http://x") + http.value(QLatin1String("url")).toString()).query());
    }
    QList<QJsonObject> requests(const QString &transport) const
    {
        QList<QJsonObject> result;
        for (const QJsonObject &http : server.all(u"http")) {
            if (query(http).queryItemValue(QStringLiteral("transport")) == transport)
                result.append(http);
        }
        return result;
    }
    QJsonObject connection() const { return server.first(u"connection"); }
    QJsonValue header(const char *name) const
    {
        return connection().value(QLatin1String("headers")).toObject().value(QLatin1String(name));
    }
};

// Empty when the row's expectation holds, else what went wrong.
using Check = std::function<QString(const Observed &)>;

QString expect(bool ok, const QString &what)
{
    return ok ? QString() : what;
}

} // namespace

Q_DECLARE_METATYPE(ManagerOptions)
Q_DECLARE_METATYPE(SocketOptions)
Q_DECLARE_METATYPE(Check)

class tst_ClientInterop : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void options_data();
    void options();
    void eventsAndAcks_data();
    void eventsAndAcks();
    void reconnection_data();
    void reconnection();
    void reconnectionFailed();
    void middlewareRefusal_data();
    void middlewareRefusal();
    void recovery_data();
    void recovery();
    void tls_data();
    void tls();
    void perMessageDeflate_data();
    void perMessageDeflate();

private:
    QTemporaryDir tlsDir;
    QString certFile;
    QString keyFile;
};

void tst_ClientInterop::initTestCase()
{
    verifyNodeSetup(nodeExecutable, nodeDir, QStringLiteral("socket.io"));
    if (QTest::currentTestFailed())
        return;

    // A self-signed certificate for 127.0.0.1, for the TLS rows.
    QVERIFY(tlsDir.isValid());
    certFile = tlsDir.filePath(QStringLiteral("cert.pem"));
    keyFile = tlsDir.filePath(QStringLiteral("key.pem"));
    QProcess openssl;
    openssl.setProcessChannelMode(QProcess::MergedChannels);
    openssl.start(QStringLiteral("openssl"),
                  {QStringLiteral("req"), QStringLiteral("-x509"), QStringLiteral("-newkey"),
                   QStringLiteral("rsa:2048"), QStringLiteral("-nodes"), QStringLiteral("-subj"),
                   QStringLiteral("/CN=localhost"), QStringLiteral("-addext"),
                   QStringLiteral("subjectAltName=IP:127.0.0.1"), QStringLiteral("-days"),
                   QStringLiteral("2"), QStringLiteral("-keyout"), keyFile, QStringLiteral("-out"),
                   certFile});
    QTRY_VERIFY_WITH_TIMEOUT(openssl.state() == QProcess::NotRunning, 30'000);
    QVERIFY2(openssl.exitStatus() == QProcess::NormalExit && openssl.exitCode() == 0,
             qPrintable(QStringLiteral("openssl failed (%1): %2")
                            .arg(openssl.errorString(), QString::fromUtf8(openssl.readAll()))));
    QVERIFY(QFileInfo::exists(certFile));
}

// 1. Every option the server can observe. Each row connects, round-trips nested binary through
// an acknowledgement, and then checks what the server logged.
void tst_ClientInterop::options_data()
{
    QTest::addColumn<ManagerOptions>("options");
    QTest::addColumn<SocketOptions>("socketOptions");
    QTest::addColumn<QString>("serverPath");
    QTest::addColumn<QString>("transportAtConnect");
    QTest::addColumn<QString>("finalTransport");
    QTest::addColumn<Check>("check");

    const QString polling = QStringLiteral("polling");
    const QString websocket = QStringLiteral("websocket");
    const QStringList both = {polling, websocket};
    const auto noUpgrade = [](const Observed &o) {
        return expect(o.requests(QStringLiteral("websocket")).isEmpty() &&
                          o.server.all(u"upgrade").isEmpty(),
                      QStringLiteral("a WebSocket was opened"));
    };

    {
        ManagerOptions options = withTransports({polling});
        options.query = {{s("a"), 1}, {s("b"), s("x y&z")}};
        QTest::addRow("query") << options << SocketOptions() << QString() << polling << polling
                               << Check([](const Observed &o) {
                                      const QJsonObject q =
                                          o.connection().value(QLatin1String("query")).toObject();
                                      return expect(
                                          q.value(QLatin1String("a")).toString() == u"1" &&
                                              q.value(QLatin1String("b")).toString() == u"x y&z" &&
                                              q.value(QLatin1String("EIO")).toString() == u"4",
                                          QStringLiteral("query: ") + text(q));
                                  });
    }
    for (const QString &transport : {polling, websocket}) {
        ManagerOptions options = withTransports({transport});
        options.extraHeaders = {{"X-Custom-Header", "hello"}, {"Authorization", "Bearer t0k"}};
        QTest::addRow("extraHeaders %s", qPrintable(transport))
            << options << SocketOptions() << QString() << transport << transport
            << Check([](const Observed &o) {
                   bool everyRequest = !o.server.all(u"http").isEmpty();
                   for (const QJsonObject &http : o.server.all(u"http")) {
                       everyRequest =
                           everyRequest && http.value(QLatin1String("headers"))
                                                   .toObject()
                                                   .value(QLatin1String("x-custom-header"))
                                                   .toString() == u"hello";
                   }
                   return expect(o.header("x-custom-header").toString() == u"hello" &&
                                     o.header("authorization").toString() == u"Bearer t0k" &&
                                     everyRequest,
                                 QStringLiteral("headers of every request"));
               });
    }
    {
        SocketOptions socketOptions;
        socketOptions.auth = {{s("token"), s("abc")}, {s("n"), 7}, {s("nested"), QVariantList{1}}};
        QTest::addRow("auth map")
            << withTransports(both) << socketOptions << QString() << polling << websocket
            << Check([](const Observed &o) {
                   const QJsonValue auth = o.connection().value(QLatin1String("auth"));
                   return expect(text(auth) == u"{\"n\":7,\"nested\":[1],\"token\":\"abc\"}",
                                 QStringLiteral("auth: ") + text(auth));
               });
    }
    {
        SocketOptions socketOptions;
        // Answered later, from the event loop.
        socketOptions.authCallback = [](std::function<void(const QVariantMap &)> done) {
            QTimer::singleShot(10, [done] { done({{s("token"), s("from-callback")}}); });
        };
        QTest::addRow("auth callback")
            << withTransports(both) << socketOptions << QString() << polling << websocket
            << Check([](const Observed &o) {
                   const QJsonValue auth = o.connection().value(QLatin1String("auth"));
                   return expect(text(auth) == u"{\"token\":\"from-callback\"}",
                                 QStringLiteral("auth: ") + text(auth));
               });
    }
    {
        ManagerOptions options = withTransports(both);
        options.path = QStringLiteral("/my/custom-path");
        QTest::addRow("path") << options << SocketOptions() << QStringLiteral("/my/custom-path")
                              << polling << websocket << Check([](const Observed &o) {
                                     for (const QJsonObject &http : o.server.all(u"http")) {
                                         const QString url =
                                             http.value(QLatin1String("url")).toString();
                                         if (!url.startsWith(u"/my/custom-path/?"))
                                             return QStringLiteral("request to ") + url;
                                     }
                                     return expect(o.requests(QStringLiteral("websocket")).size() ==
                                                       1,
                                                   QStringLiteral("no WebSocket on the path"));
                                 });
    }
    QTest::addRow("transports polling") << withTransports({polling}) << SocketOptions() << QString()
                                        << polling << polling << Check(noUpgrade);
    QTest::addRow("transports websocket")
        << withTransports({websocket}) << SocketOptions() << QString() << websocket << websocket
        << Check([](const Observed &o) {
               return expect(o.requests(QStringLiteral("polling")).isEmpty() &&
                                 o.requests(QStringLiteral("websocket")).size() == 1,
                             QStringLiteral("one WebSocket request and nothing else"));
           });
    QTest::addRow("transports polling,websocket (upgrade)")
        << withTransports(both) << SocketOptions() << QString() << polling << websocket
        << Check([](const Observed &o) {
               const QList<QJsonObject> upgrades = o.server.all(u"upgrade");
               return expect(upgrades.size() == 1 &&
                                 upgrades.first().value(QLatin1String("transport")).toString() ==
                                     u"websocket" &&
                                 o.requests(QStringLiteral("websocket")).size() == 1,
                             QStringLiteral("one upgrade to websocket"));
           });
    {
        ManagerOptions options = withTransports(both);
        options.upgrade = false;
        QTest::addRow("upgrade false")
            << options << SocketOptions() << QString() << polling << polling << Check(noUpgrade);
    }
    {
        ManagerOptions options = withTransports({websocket});
        options.protocols = {s("custom-proto"), s("other")};
        QTest::addRow("protocols websocket")
            << options << SocketOptions() << QString() << websocket << websocket
            << Check([](const Observed &o) {
                   QString offered = o.header("sec-websocket-protocol").toString();
                   return expect(offered.remove(u' ') == u"custom-proto,other",
                                 QStringLiteral("Sec-WebSocket-Protocol: ") + offered);
               });
        options.transports = both;
        QTest::addRow("protocols upgrade")
            << options << SocketOptions() << QString() << polling << websocket
            << Check([](const Observed &o) {
                   const QList<QJsonObject> ws = o.requests(QStringLiteral("websocket"));
                   if (ws.size() != 1)
                       return QStringLiteral("no WebSocket request");
                   QString offered = ws.first()
                                         .value(QLatin1String("headers"))
                                         .toObject()
                                         .value(QLatin1String("sec-websocket-protocol"))
                                         .toString();
                   return expect(offered.remove(u' ') == u"custom-proto,other",
                                 QStringLiteral("Sec-WebSocket-Protocol: ") + offered);
               });
    }
    // The reference's default: a cache buster on polling requests, none on the WebSocket.
    QTest::addRow("timestampRequests default")
        << withTransports(both) << SocketOptions() << QString() << polling << websocket
        << Check([](const Observed &o) {
               const QList<QJsonObject> polls = o.requests(QStringLiteral("polling"));
               QStringList stamps;
               for (const QJsonObject &http : polls) {
                   if (!o.query(http).hasQueryItem(QStringLiteral("t")))
                       return QStringLiteral("no t in ") +
                              http.value(QLatin1String("url")).toString();
                   stamps.append(o.query(http).queryItemValue(QStringLiteral("t")));
               }
               stamps.removeDuplicates();
               const QList<QJsonObject> ws = o.requests(QStringLiteral("websocket"));
               return expect(polls.size() >= 2 && stamps.size() == polls.size() && ws.size() == 1 &&
                                 !o.query(ws.first()).hasQueryItem(QStringLiteral("t")),
                             QStringLiteral("distinct t on polling only"));
           });
    {
        ManagerOptions options = withTransports(both);
        options.timestampRequests = true;
        options.timestampParam = QStringLiteral("ts");
        QTest::addRow("timestampRequests true, timestampParam ts")
            << options << SocketOptions() << QString() << polling << websocket
            << Check([](const Observed &o) {
                   for (const QJsonObject &http : o.server.all(u"http")) {
                       if (!o.query(http).hasQueryItem(QStringLiteral("ts")) ||
                           o.query(http).hasQueryItem(QStringLiteral("t")))
                           return QStringLiteral("not ts: ") +
                                  http.value(QLatin1String("url")).toString();
                   }
                   return expect(o.requests(QStringLiteral("websocket")).size() == 1,
                                 QStringLiteral("no WebSocket"));
               });
        options.timestampRequests = false;
        options.transports = {polling};
        QTest::addRow("timestampRequests false")
            << options << SocketOptions() << QString() << polling << polling
            << Check([](const Observed &o) {
                   for (const QJsonObject &http : o.server.all(u"http")) {
                       if (o.query(http).hasQueryItem(QStringLiteral("ts")) ||
                           o.query(http).hasQueryItem(QStringLiteral("t")))
                           return QStringLiteral("a timestamp in ") +
                                  http.value(QLatin1String("url")).toString();
                   }
                   return QString();
               });
    }
    // forceBase64: the binary round trip above still works; the server is told (b64=1) and,
    // over WebSocket, gets text frames only.
    for (const QString &transport : {polling, websocket}) {
        ManagerOptions options = withTransports({transport});
        options.forceBase64 = true;
        QTest::addRow("forceBase64 %s", qPrintable(transport))
            << options << SocketOptions() << QString() << transport << transport
            << Check([](const Observed &o) {
                   const QJsonObject q = o.connection().value(QLatin1String("query")).toObject();
                   if (q.value(QLatin1String("b64")).toString() != u"1")
                       return QStringLiteral("no b64=1: ") + text(q);
                   for (const QJsonObject &frame : o.server.all(u"ws-frame")) {
                       if (frame.value(QLatin1String("binary")).toBool())
                           return QStringLiteral("a binary WebSocket frame");
                   }
                   return QString();
               });
    }
    // The counterpart: without forceBase64 the attachments go as binary frames.
    QTest::addRow("binary frames websocket")
        << withTransports({websocket}) << SocketOptions() << QString() << websocket << websocket
        << Check([](const Observed &o) {
               int binary = 0;
               for (const QJsonObject &frame : o.server.all(u"ws-frame"))
                   binary += frame.value(QLatin1String("binary")).toBool() ? 1 : 0;
               return expect(binary == 4 && !o.connection()
                                                 .value(QLatin1String("query"))
                                                 .toObject()
                                                 .contains(QLatin1String("b64")),
                             QStringLiteral("binary frames: %1").arg(binary));
           });
}

void tst_ClientInterop::options()
{
    QFETCH(ManagerOptions, options);
    QFETCH(SocketOptions, socketOptions);
    QFETCH(QString, serverPath);
    QFETCH(QString, transportAtConnect);
    QFETCH(QString, finalTransport);
    QFETCH(Check, check);

    NodeServer server;
    QJsonObject config;
    if (!serverPath.isEmpty())
        config.insert(QStringLiteral("path"), serverPath);
    START_SERVER(server, config);

    Manager manager(serverUrl(server.port), options);
    QSignalSpy upgraded(&manager, &Manager::upgraded);
    ClientSocket *socket = manager.socket(QStringLiteral("/"), socketOptions);
    QSignalSpy connected(socket, &ClientSocket::connected);
    QSignalSpy connectError(socket, &ClientSocket::connectError);
    QTRY_VERIFY2_WITH_TIMEOUT(connected.count() == 1 || !connectError.isEmpty(),
                              qPrintable(server.log()), 10'000);
    QVERIFY2(connectError.isEmpty(),
             qPrintable(connectError.value(0).value(0).toString() + server.log()));
    // Node's stdout and the socket are separate pipes: its log line may come later.
    QTRY_VERIFY2_WITH_TIMEOUT(!server.all(u"connection").isEmpty(), qPrintable(server.log()),
                              5'000);
    QCOMPARE(socket->id(), server.first(u"connection").value(QLatin1String("id")).toString());
    QCOMPARE(server.first(u"connection").value(QLatin1String("transport")).toString(),
             transportAtConnect);
    if (finalTransport != transportAtConnect) {
        QTRY_VERIFY2_WITH_TIMEOUT(upgraded.count() == 1, qPrintable(server.log()), 5'000);
        QCOMPARE(upgraded.first().first().toString(), finalTransport);
        QTRY_VERIFY2_WITH_TIMEOUT(!server.all(u"upgrade").isEmpty(), qPrintable(server.log()),
                                  5'000);
    }

    // Nested binary through an acknowledgement.
    QFuture<QVariantList> echo = socket->emitWithAck(QStringLiteral("echo"), binaryArgs());
    QTRY_VERIFY2_WITH_TIMEOUT(echo.isFinished(), qPrintable(server.log()), 5'000);
    QCOMPARE(vtext(QVariant(echo.result())), vtext(QVariant(binaryArgs())));
    QCOMPARE(manager.transportName(), finalTransport);
    QVERIFY(upgraded.count() <= 1);

    const QString problem = check(Observed{server, manager});
    QVERIFY2(problem.isEmpty(), qPrintable(problem + server.log()));
}

// 2 and 6. Events and acknowledgements both ways with nested binary, on each transport and
// with the msgpack parser on both sides.
void tst_ClientInterop::eventsAndAcks_data()
{
    QTest::addColumn<QStringList>("transports");
    QTest::addColumn<bool>("msgpack");
    const QString polling = QStringLiteral("polling");
    const QString websocket = QStringLiteral("websocket");
    QTest::addRow("polling") << QStringList{polling} << false;
    QTest::addRow("websocket") << QStringList{websocket} << false;
    QTest::addRow("polling,websocket") << QStringList{polling, websocket} << false;
    QTest::addRow("msgpack polling") << QStringList{polling} << true;
    QTest::addRow("msgpack websocket") << QStringList{websocket} << true;
    QTest::addRow("msgpack polling,websocket") << QStringList{polling, websocket} << true;
}

void tst_ClientInterop::eventsAndAcks()
{
    QFETCH(QStringList, transports);
    QFETCH(bool, msgpack);

    NodeServer server;
    QJsonObject config;
    if (msgpack)
        config.insert(QStringLiteral("parser"), QStringLiteral("msgpack"));
    START_SERVER(server, config);

    ManagerOptions options = withTransports(transports);
    if (msgpack)
        options.parser = Parser::msgpackParser();
    Manager manager(serverUrl(server.port), options);
    ClientSocket *socket = manager.socket();
    Received received;
    socket->onAny(socket, [&received](const QString &event, const QVariantList &args) {
        received.events.append({event, args});
    });
    const QVariantList answer{s("answer"), QByteArray("\x09\x08", 2),
                              QVariantMap{{s("nested"), QVariantList{QByteArray("\x00", 1)}}}};
    socket->on(QStringLiteral("ask"), socket,
               [answer](const QVariantList &, const Ack &ack) { ack(answer); });
    QSignalSpy connected(socket, &ClientSocket::connected);
    QTRY_VERIFY2_WITH_TIMEOUT(connected.count() == 1, qPrintable(server.log()), 10'000);
    const auto log = [&] { return server.log() + received.dump(); };

    // Client to server, with a callback.
    QVariantList callbackArgs;
    QString callbackError = QStringLiteral("not called");
    QVERIFY(socket->emitEvent(QStringLiteral("echo"), binaryArgs(), socket,
                              [&](const QString &error, const QVariantList &args) {
                                  callbackError = error;
                                  callbackArgs = args;
                              }));
    QTRY_VERIFY2_WITH_TIMEOUT(callbackError != u"not called", qPrintable(log()), 5'000);
    QCOMPARE(callbackError, QString());
    QCOMPARE(vtext(QVariant(callbackArgs)), vtext(QVariant(binaryArgs())));
    // The server saw the same values, and an ack function.
    QTRY_VERIFY2_WITH_TIMEOUT(!server.event(u"echo").isEmpty(), qPrintable(log()), 5'000);
    QJsonArray seen = server.event(u"echo").value(QLatin1String("args")).toArray();
    QVERIFY2(!seen.isEmpty() && seen.last().toString() == u"$ack", qPrintable(log()));
    seen.removeLast();
    QCOMPARE(text(seen), vtext(QVariant(binaryArgs())));
    // The server's plain emit arrived too.
    QTRY_VERIFY2_WITH_TIMEOUT(received.count(u"echo-back") == 1, qPrintable(log()), 5'000);
    QCOMPARE(vtext(QVariant(received.args(u"echo-back"))), vtext(QVariant(binaryArgs())));

    // emitWithAck: a QFuture.
    QFuture<QVariantList> future =
        socket->emitWithAck(QStringLiteral("echo"), {s("future"), QByteArray("\xfe", 1)});
    QTRY_VERIFY2_WITH_TIMEOUT(future.isFinished(), qPrintable(log()), 5'000);
    QCOMPARE(vtext(QVariant(future.result())), s("[\"future\",{\"$bin\":\"fe\"}]"));

    // Server to client: an event with nested binary.
    socket->emitEvent(QStringLiteral("please-emit"));
    QTRY_VERIFY2_WITH_TIMEOUT(received.count(u"payload") == 1, qPrintable(log()), 5'000);
    QCOMPARE(vtext(QVariant(received.args(u"payload"))),
             s("[{\"n\":1,\"nested\":{\"bin\":{\"$bin\":\"000102ff\"},\"list\":[{\"$bin\":"
               "\"616263\"},\"x\"]}},{\"$bin\":\"\"},{\"$bin\":\"07\"}]"));

    // Server to client with an acknowledgement: the client's answer (binary) reaches the
    // server's callback.
    socket->emitEvent(QStringLiteral("please-ask"));
    QTRY_VERIFY2_WITH_TIMEOUT(received.count(u"ask-result") == 1, qPrintable(log()), 5'000);
    QTRY_VERIFY2_WITH_TIMEOUT(!server.all(u"ask-result").isEmpty(), qPrintable(log()), 5'000);
    const QJsonObject askResult = server.first(u"ask-result");
    QVERIFY2(askResult.value(QLatin1String("error")).isNull(), qPrintable(log()));
    QCOMPARE(text(askResult.value(QLatin1String("args"))), vtext(QVariant(answer)));
    QCOMPARE(vtext(received.args(u"ask").value(0)),
             s("{\"bin\":{\"$bin\":\"010203\"},\"q\":\"question\"}"));
    QCOMPARE(vtext(received.args(u"ask-result").value(0)),
             vtext(QVariant(
                 QVariantMap{{s("error"), QVariant::fromValue(nullptr)}, {s("args"), answer}})));

    // An acknowledgement that never comes: the client's own timeout.
    QElapsedTimer clock;
    clock.start();
    qint64 expiredAfter = -1;
    QString timeoutError;
    QVERIFY(socket->timeout(300).emitEvent(QStringLiteral("black-hole"), {1}, socket,
                                           [&](const QString &error, const QVariantList &) {
                                               timeoutError = error;
                                               expiredAfter = clock.elapsed();
                                           }));
    QFuture<QVariantList> expiring =
        socket->timeout(200).emitWithAck(QStringLiteral("black-hole"), {2});
    QTRY_VERIFY2_WITH_TIMEOUT(expiredAfter >= 0 && expiring.isFinished(), qPrintable(log()), 5'000);
    QCOMPARE(timeoutError, QStringLiteral("operation has timed out"));
    QVERIFY2(expiredAfter >= 280, qPrintable(QString::number(expiredAfter)));
    bool threw = false;
    try {
        expiring.result();
    } catch (const TimeoutError &) {
        threw = true;
    }
    QVERIFY(threw);
    QTRY_VERIFY2_WITH_TIMEOUT(server.all(u"event").size() >= 6, qPrintable(log()), 5'000);
    QCOMPARE(text(server.event(u"black-hole").value(QLatin1String("args"))), s("[1,\"$ack\"]"));
    QVERIFY(socket->isConnected());
}

// 3. Reconnection: the server goes away, the client retries with backoff, the server comes back
// on the same port.
void tst_ClientInterop::reconnection_data()
{
    QTest::addColumn<QStringList>("transports");
    QTest::addColumn<QString>("description");
    const QString polling = QStringLiteral("polling");
    const QString websocket = QStringLiteral("websocket");
    QTest::addRow("websocket") << QStringList{websocket}
                               << QStringLiteral("websocket connection closed");
    QTest::addRow("polling") << QStringList{polling}
                             << QStringLiteral("transport closed by the server");
    QTest::addRow("polling,websocket")
        << QStringList{polling, websocket} << QStringLiteral("websocket connection closed");
}

void tst_ClientInterop::reconnection()
{
    QFETCH(QStringList, transports);
    QFETCH(QString, description);

    NodeServer server;
    START_SERVER(server, QJsonObject());
    const quint16 port = server.port;

    ManagerOptions options = withTransports(transports);
    options.reconnection = true;
    options.reconnectionDelay = 200;
    options.reconnectionDelayMax = 1000;
    options.randomizationFactor = 0.5;
    Manager manager(serverUrl(port), options);
    ClientSocket *socket = manager.socket();
    QSignalSpy connected(socket, &ClientSocket::connected);
    QSignalSpy disconnected(socket, &ClientSocket::disconnected);
    QSignalSpy upgraded(&manager, &Manager::upgraded);
    QTRY_VERIFY2_WITH_TIMEOUT(connected.count() == 1, qPrintable(server.log()), 10'000);
    if (transports.size() == 2)
        QTRY_VERIFY2_WITH_TIMEOUT(upgraded.count() == 1, qPrintable(server.log()), 5'000);
    const QString firstId = socket->id();

    // When each delay started (the close, then each failed attempt) and when each attempt came.
    QElapsedTimer clock;
    clock.start();
    QList<qint64> delayStarts;
    QList<qint64> attemptTimes;
    QList<int> attempts;
    QStringList errors;
    QList<int> reconnectedWith;
    connect(&manager, &Manager::closed, this, [&] { delayStarts.append(clock.elapsed()); });
    connect(&manager, &Manager::reconnectAttempt, this, [&](int attempt) {
        attemptTimes.append(clock.elapsed());
        attempts.append(attempt);
    });
    connect(&manager, &Manager::reconnectError, this, [&](const QString &message) {
        delayStarts.append(clock.elapsed());
        errors.append(message);
    });
    connect(&manager, &Manager::reconnected, this,
            [&](int attempt) { reconnectedWith.append(attempt); });
    const auto log = [&] {
        return server.log() + QStringLiteral("\nattempts %1\nerrors %2")
                                  .arg(QString::number(attempts.size()), errors.join(u'|'));
    };

    STOP_SERVER(server);
    QTRY_VERIFY2_WITH_TIMEOUT(disconnected.count() == 1, qPrintable(log()), 5'000);
    // Node answers a pending poll with a close packet as it stops ("transport close"). A
    // polling client caught between two polls finds the server gone instead: "transport
    // error", as socket.io-client reports it too.
    const QString reason = disconnected.first().at(0).toString();
    if (transports == QStringList{QStringLiteral("polling")} && reason != u"transport close") {
        QCOMPARE(reason, QStringLiteral("transport error"));
    } else {
        QCOMPARE(reason, QStringLiteral("transport close"));
        QCOMPARE(disconnected.first().at(1).toString(), description);
    }
    QVERIFY(!socket->isConnected());
    QVERIFY(socket->isActive());

    // Three attempts fail (connection refused), then the server is back on the same port.
    QTRY_VERIFY2_WITH_TIMEOUT(errors.size() == 3, qPrintable(log()), 10'000);
    QJsonObject config;
    config.insert(QStringLiteral("port"), port);
    START_SERVER(server, config);
    QCOMPARE(server.port, port);
    QTRY_VERIFY2_WITH_TIMEOUT(connected.count() == 2, qPrintable(log()), 10'000);
    QCOMPARE(reconnectedWith.size(), 1);
    QVERIFY(socket->isConnected());
    QVERIFY(socket->id() != firstId);
    QTRY_VERIFY2_WITH_TIMEOUT(!server.first(u"connection").isEmpty(), qPrintable(log()), 5'000);
    QCOMPARE(socket->id(), server.first(u"connection").value(QLatin1String("id")).toString());

    // Attempts are numbered 1, 2, 3, ...; reconnected() gives the last one.
    const int n = int(attempts.size());
    QVERIFY2(n >= 4, qPrintable(log()));
    for (int i = 0; i < n; ++i)
        QCOMPARE(attempts.at(i), i + 1);
    QCOMPARE(reconnectedWith.first(), n);
    QCOMPARE(errors.size(), n - 1);
    QCOMPARE(delayStarts.size(), n);

    // delay_n within [min(d*2^(n-1)*(1-r), max), min(d*2^(n-1)*(1+r), max)], with 5% for a
    // coarse timer and scheduling slack.
    for (int i = 0; i < n; ++i) {
        const double base = options.reconnectionDelay * std::pow(2.0, i);
        const double low = std::min(base * (1 - options.randomizationFactor),
                                    double(options.reconnectionDelayMax));
        const double high = std::min(base * (1 + options.randomizationFactor),
                                     double(options.reconnectionDelayMax));
        const qint64 delay = attemptTimes.at(i) - delayStarts.at(i);
        QVERIFY2(delay >= low * 0.95 - 2 && delay <= high * 1.05 + 150,
                 qPrintable(QStringLiteral("delay %1: %2 ms, expected %3..%4 ms")
                                .arg(i + 1)
                                .arg(delay)
                                .arg(low)
                                .arg(high)));
    }

    // Usable again.
    QFuture<QVariantList> echo = socket->emitWithAck(QStringLiteral("echo"), {s("again")});
    QTRY_VERIFY2_WITH_TIMEOUT(echo.isFinished(), qPrintable(log()), 5'000);
    QCOMPARE(echo.result(), QVariantList{s("again")});

    // The reference's reconnect_error messages for a refused connection (the cause goes in
    // its `description`).
    const QString firstTransport = transports.first();
    for (const QString &error : std::as_const(errors)) {
        QVERIFY2(
            error.startsWith(firstTransport == u"polling" ? u"xhr poll error" : u"websocket error"),
            qPrintable(error));
    }
}

// 3. reconnectionAttempts exhausted.
void tst_ClientInterop::reconnectionFailed()
{
    NodeServer server;
    START_SERVER(server, QJsonObject());

    ManagerOptions options = withTransports({QStringLiteral("websocket")});
    options.reconnection = true;
    options.reconnectionAttempts = 2;
    options.reconnectionDelay = 50;
    options.reconnectionDelayMax = 100;
    Manager manager(serverUrl(server.port), options);
    ClientSocket *socket = manager.socket();
    QSignalSpy connected(socket, &ClientSocket::connected);
    QSignalSpy disconnected(socket, &ClientSocket::disconnected);
    QSignalSpy connectError(socket, &ClientSocket::connectError);
    QSignalSpy attempt(&manager, &Manager::reconnectAttempt);
    QSignalSpy reconnectError(&manager, &Manager::reconnectError);
    QSignalSpy failed(&manager, &Manager::reconnectFailed);
    QTRY_VERIFY2_WITH_TIMEOUT(connected.count() == 1, qPrintable(server.log()), 10'000);

    STOP_SERVER(server);
    QTRY_VERIFY2_WITH_TIMEOUT(failed.count() == 1, qPrintable(server.log()), 10'000);
    QCOMPARE(disconnected.count(), 1);
    QCOMPARE(disconnected.first().first().toString(), QStringLiteral("transport close"));
    QCOMPARE(attempt.count(), 2);
    QCOMPARE(attempt.at(0).first().toInt(), 1);
    QCOMPARE(attempt.at(1).first().toInt(), 2);
    QCOMPARE(reconnectError.count(), 2);
    // The reference tells the socket of each failed attempt (connect_error).
    QCOMPARE(connectError.count(), 2);
    QVERIFY(!manager.isReconnecting());
    QCOMPARE(manager.state(), Manager::State::Closed);
    QCOMPARE(connected.count(), 1);
    // A refused WebSocket is a "websocket error" (reference: message "websocket error",
    // description "connect ECONNREFUSED ...").
    for (const QList<QVariant> &error : std::as_const(connectError)) {
        QVERIFY2(error.first().toString().startsWith(u"websocket error"),
                 qPrintable(error.first().toString()));
    }
}

// 4. connect_error from a middleware.
void tst_ClientInterop::middlewareRefusal_data()
{
    QTest::addColumn<QStringList>("transports");
    QTest::addColumn<bool>("msgpack");
    QTest::addRow("polling,websocket") << QStringList{s("polling"), s("websocket")} << false;
    QTest::addRow("websocket") << QStringList{s("websocket")} << false;
    QTest::addRow("msgpack polling") << QStringList{s("polling")} << true;
}

void tst_ClientInterop::middlewareRefusal()
{
    QFETCH(QStringList, transports);
    QFETCH(bool, msgpack);

    NodeServer server;
    QJsonObject config;
    if (msgpack)
        config.insert(QStringLiteral("parser"), QStringLiteral("msgpack"));
    START_SERVER(server, config);

    ManagerOptions options = withTransports(transports);
    options.reconnection = true; // a refusal is final all the same
    if (msgpack)
        options.parser = Parser::msgpackParser();
    Manager manager(serverUrl(server.port), options);
    SocketOptions socketOptions;
    socketOptions.auth = {{s("token"), s("bad")}};
    ClientSocket *socket = manager.socket(QStringLiteral("/"), socketOptions);
    QSignalSpy connected(socket, &ClientSocket::connected);
    QSignalSpy connectError(socket, &ClientSocket::connectError);
    QSignalSpy closed(&manager, &Manager::closed);
    QTRY_VERIFY2_WITH_TIMEOUT(!connectError.isEmpty(), qPrintable(server.log()), 10'000);
    QCOMPARE(connectError.first().at(0).toString(), QStringLiteral("not authorized"));
    QCOMPARE(vtext(connectError.first().at(1)), s("{\"code\":42}"));
    QVERIFY(server.all(u"connection").isEmpty());
    // The socket gives up and, being the last one, closes the connection (as the reference).
    QVERIFY(!socket->isActive());
    QTRY_COMPARE(closed.count(), 1);
    QCOMPARE(closed.first().first().toString(), QStringLiteral("forced close"));
    QVERIFY(!manager.isReconnecting());
    QCOMPARE(connected.count(), 0);
    QCOMPARE(connectError.count(), 1);
}

// 5. Connection state recovery: the server drops the connection, emits while the client is
// away, and the client gets its session back with the missed events in order.
void tst_ClientInterop::recovery_data()
{
    QTest::addColumn<QStringList>("transports");
    QTest::addRow("websocket") << QStringList{s("websocket")};
    QTest::addRow("polling") << QStringList{s("polling")};
    QTest::addRow("polling,websocket") << QStringList{s("polling"), s("websocket")};
}

void tst_ClientInterop::recovery()
{
    QFETCH(QStringList, transports);

    NodeServer server;
    const QJsonObject config{{s("recovery"), true}};
    START_SERVER(server, config);

    ManagerOptions options = withTransports(transports);
    options.reconnection = true;
    options.reconnectionDelay = 100;
    options.randomizationFactor = 0;
    Manager manager(serverUrl(server.port), options);
    ClientSocket *socket = manager.socket();
    Received received;
    socket->onAny(socket, [&received](const QString &event, const QVariantList &args) {
        received.events.append({event, args});
    });
    QSignalSpy connected(socket, &ClientSocket::connected);
    QSignalSpy disconnected(socket, &ClientSocket::disconnected);
    QSignalSpy upgraded(&manager, &Manager::upgraded);
    const auto log = [&] { return server.log() + received.dump(); };
    QTRY_VERIFY2_WITH_TIMEOUT(connected.count() == 1 && received.count(u"hello") == 1,
                              qPrintable(log()), 10'000);
    if (transports.size() == 2)
        QTRY_VERIFY2_WITH_TIMEOUT(upgraded.count() == 1, qPrintable(log()), 5'000);
    QVERIFY(!socket->isRecovered());
    const QString id = socket->id();
    // With recovery, the server appends the packet's offset.
    QCOMPARE(received.args(u"hello").size(), 2);
    QCOMPARE(received.args(u"hello").last().typeId(), QMetaType::QString);

    socket->emitEvent(QStringLiteral("kill-me"));
    QTRY_VERIFY2_WITH_TIMEOUT(disconnected.count() == 1, qPrintable(log()), 5'000);
    QCOMPARE(disconnected.first().first().toString(), QStringLiteral("transport close"));
    QTRY_VERIFY2_WITH_TIMEOUT(connected.count() == 2, qPrintable(log()), 10'000);
    QVERIFY2(socket->isRecovered(), qPrintable(log()));
    QCOMPARE(socket->id(), id);
    QTRY_VERIFY2_WITH_TIMEOUT(server.all(u"connection").size() == 2 &&
                                  !server.all(u"disconnect").isEmpty(),
                              qPrintable(log()), 5'000);
    QCOMPARE(server.first(u"disconnect").value(QLatin1String("reason")).toString(),
             QStringLiteral("forced close"));
    const QList<QJsonObject> connections = server.all(u"connection");
    QCOMPARE(connections.size(), 2);
    QVERIFY2(connections.at(1).value(QLatin1String("recovered")).toBool(), qPrintable(log()));
    QCOMPARE(connections.at(1).value(QLatin1String("id")).toString(), id);

    // hello, missed 1, 2, 3 (while away), then the recovered connection's hello.
    QTRY_VERIFY2_WITH_TIMEOUT(received.count(u"hello") == 2, qPrintable(log()), 5'000);
    QStringList sequence;
    for (const auto &[event, args] : std::as_const(received.events))
        sequence.append(event + u' ' + vtext(args.value(0)));
    QCOMPARE(sequence, (QStringList{s("hello {\"id\":\"") + id + s("\",\"recovered\":false}"),
                                    s("missed 1"), s("missed 2"), s("missed 3"),
                                    s("hello {\"id\":\"") + id + s("\",\"recovered\":true}")}));

    // The session works after the recovery.
    QFuture<QVariantList> echo = socket->emitWithAck(QStringLiteral("echo"), {s("after")});
    QTRY_VERIFY2_WITH_TIMEOUT(echo.isFinished(), qPrintable(log()), 5'000);
    QCOMPARE(echo.result(), QVariantList{s("after")});
}

// 7. TLS against a self-signed certificate: refused without the CA, accepted with tls.ca or
// with rejectUnauthorized false.
void tst_ClientInterop::tls_data()
{
    QTest::addColumn<QStringList>("transports");
    QTest::addColumn<QString>("mode");
    QTest::addColumn<QString>("scheme");
    for (const char *transport : {"polling", "websocket"}) {
        for (const char *mode : {"no ca", "ca", "rejectUnauthorized false"}) {
            QTest::addRow("%s, %s", transport, mode)
                << QStringList{s(transport)} << s(mode) << QStringLiteral("https");
        }
    }
    QTest::addRow("polling,websocket, ca")
        << QStringList{s("polling"), s("websocket")} << s("ca") << QStringLiteral("https");
    QTest::addRow("websocket, ca, wss URL")
        << QStringList{s("websocket")} << s("ca") << QStringLiteral("wss");
}

void tst_ClientInterop::tls()
{
    QFETCH(QStringList, transports);
    QFETCH(QString, mode);
    QFETCH(QString, scheme);

    NodeServer server;
    const QJsonObject config{{s("tls"), QJsonObject{{s("cert"), certFile}, {s("key"), keyFile}}}};
    START_SERVER(server, config);

    ManagerOptions options = withTransports(transports);
    if (mode == u"ca") {
        QString error;
        QVERIFY2(options.tls.loadCa(certFile, &error), qPrintable(error));
    } else if (mode == u"rejectUnauthorized false") {
        options.tls.rejectUnauthorized = false;
    }
    Manager manager(serverUrl(server.port, scheme.toLatin1().constData()), options);
    QSignalSpy upgraded(&manager, &Manager::upgraded);
    ClientSocket *socket = manager.socket();
    QSignalSpy connected(socket, &ClientSocket::connected);
    QSignalSpy connectError(socket, &ClientSocket::connectError);
    QTRY_VERIFY2_WITH_TIMEOUT(connected.count() == 1 || !connectError.isEmpty(),
                              qPrintable(server.log()), 10'000);

    if (mode == u"no ca") {
        QVERIFY2(connected.isEmpty(), qPrintable(server.log()));
        const QString message = connectError.first().first().toString();
        QVERIFY2(message.startsWith(transports.first() == u"polling" ? u"xhr poll error"
                                                                     : u"websocket error"),
                 qPrintable(message));
        // The handshake failed before any HTTP request.
        QVERIFY2(server.all(u"http").isEmpty(), qPrintable(server.log()));
        return;
    }
    QVERIFY2(connectError.isEmpty(),
             qPrintable(connectError.value(0).value(0).toString() + server.log()));
    QTRY_VERIFY2_WITH_TIMEOUT(!server.all(u"connection").isEmpty(), qPrintable(server.log()),
                              5'000);
    QCOMPARE(server.first(u"connection").value(QLatin1String("transport")).toString(),
             transports.first());
    if (transports.size() == 2)
        QTRY_VERIFY2_WITH_TIMEOUT(upgraded.count() == 1, qPrintable(server.log()), 5'000);
    QFuture<QVariantList> echo = socket->emitWithAck(QStringLiteral("echo"), binaryArgs());
    QTRY_VERIFY2_WITH_TIMEOUT(echo.isFinished(), qPrintable(server.log()), 5'000);
    QCOMPARE(vtext(QVariant(echo.result())), vtext(QVariant(binaryArgs())));
    QCOMPARE(manager.transportName(), transports.last());
}

// 8. WebSocket compression (permessage-deflate) against Node's server with and without its
// perMessageDeflate, through a forwarder that counts the bytes on the wire: what was offered
// (the upgrade request), what was agreed (the server's ws), RSV1 on the client's frames (the
// server's raw log), and a JSON-heavy message both ways.
void tst_ClientInterop::perMessageDeflate_data()
{
    QTest::addColumn<QJsonValue>("serverDeflate"); // undefined: the server's default (off)
    QTest::addColumn<bool>("clientDeflate");
    QTest::addColumn<QStringList>("transports");
    QTest::addColumn<bool>("agreed");
    const QString polling = QStringLiteral("polling");
    const QString websocket = QStringLiteral("websocket");
    QTest::addRow("both on, websocket")
        << QJsonValue(true) << true << QStringList{websocket} << true;
    QTest::addRow("both on, upgrade")
        << QJsonValue(true) << true << QStringList{polling, websocket} << true;
    QTest::addRow("client off") << QJsonValue(true) << false << QStringList{websocket} << false;
    QTest::addRow("server off (its default)")
        << QJsonValue(QJsonValue::Undefined) << true << QStringList{websocket} << false;
}

void tst_ClientInterop::perMessageDeflate()
{
    QFETCH(QJsonValue, serverDeflate);
    QFETCH(bool, clientDeflate);
    QFETCH(QStringList, transports);
    QFETCH(bool, agreed);

    NodeServer server;
    QJsonObject config;
    if (!serverDeflate.isUndefined())
        config.insert(QStringLiteral("perMessageDeflate"), serverDeflate);
    START_SERVER(server, config);
    TcpForwarder forwarder(server.port);

    ManagerOptions options = withTransports(transports);
    QCOMPARE(options.perMessageDeflate(), true); // engine.io-client's default in Node
    options.setPerMessageDeflate(clientDeflate);
    Manager manager(serverUrl(forwarder.port()), options);
    ClientSocket *socket = manager.socket();
    Received received;
    socket->onAny(this, [&received](const QString &name, const QVariantList &args) {
        received.events.append({name, args});
    });
    QSignalSpy connected(socket, &ClientSocket::connected);
    QTRY_VERIFY2_WITH_TIMEOUT(connected.count() == 1, qPrintable(server.log()), 10'000);
    QTRY_COMPARE_WITH_TIMEOUT(manager.transportName(), QStringLiteral("websocket"), 5'000);

    // The offer, as ws's client makes it, or none.
    QJsonObject upgradeRequest;
    QTRY_VERIFY2_WITH_TIMEOUT(
        [&] {
            for (const QJsonObject &http : server.all(u"http")) {
                if (http.value(QLatin1String("url")).toString().contains(u"transport=websocket"))
                    upgradeRequest = http;
            }
            return !upgradeRequest.isEmpty();
        }(),
        qPrintable(server.log()), 5'000);
    const QJsonValue offer = upgradeRequest.value(QLatin1String("headers"))
                                 .toObject()
                                 .value(QLatin1String("sec-websocket-extensions"));
    if (clientDeflate)
        QCOMPARE(offer.toString(), QStringLiteral("permessage-deflate; client_max_window_bits"));
    else
        QVERIFY2(offer.isUndefined(), qPrintable(text(offer)));
    // What the server's ws agreed to.
    const char *where = transports.size() > 1 ? "upgrade" : "connection";
    QTRY_VERIFY2_WITH_TIMEOUT(!server.all(QString::fromLatin1(where)).isEmpty(),
                              qPrintable(server.log()), 5'000);
    QCOMPARE(server.first(QString::fromLatin1(where)).value(QLatin1String("extensions")).toString(),
             agreed ? QStringLiteral("permessage-deflate") : QString());

    // A JSON-heavy message: to the server (an event), and back twice (the ack, "echo-back").
    QVariantList rows;
    for (int i = 0; i < 2000; ++i) {
        rows.append(QVariantMap{{s("id"), i},
                                {s("name"), QStringLiteral("user-%1").arg(i)},
                                {s("email"), QStringLiteral("user-%1@example.com").arg(i)},
                                {s("active"), i % 3 == 0},
                                {s("tags"), QVariantList{s("alpha"), s("beta")}}});
    }
    const QVariantList big{QVariantMap{{s("rows"), rows}}};
    const qint64 bigSize =
        QJsonDocument(QJsonArray::fromVariantList(big)).toJson(QJsonDocument::Compact).size();
    const qint64 upBefore = forwarder.bytesUp();
    const qint64 downBefore = forwarder.bytesDown();
    QFuture<QVariantList> echo = socket->emitWithAck(QStringLiteral("echo"), big);
    QTRY_VERIFY2_WITH_TIMEOUT(echo.isFinished(), qPrintable(server.log()), 10'000);
    QTRY_VERIFY_WITH_TIMEOUT(received.count(u"echo-back") == 1, 5'000);
    QCOMPARE(vtext(QVariant(echo.result())), vtext(QVariant(big)));
    QCOMPARE(vtext(QVariant(received.args(u"echo-back"))), vtext(QVariant(big)));
    const qint64 up = forwarder.bytesUp() - upBefore;
    const qint64 down = forwarder.bytesDown() - downBefore;
    qInfo("%s: a %lld-byte JSON message took %lld bytes up; twice back, %lld bytes down",
          QTest::currentDataTag(), bigSize, up, down);
    if (agreed) {
        QVERIFY2(up < bigSize / 4, qPrintable(QString::number(up)));
        QVERIFY2(down < bigSize / 2, qPrintable(QString::number(down)));
    } else {
        QVERIFY2(up > bigSize, qPrintable(QString::number(up)));
        QVERIFY2(down > 2 * bigSize, qPrintable(QString::number(down)));
    }
    // RSV1 on the big frame as it reached the server, exactly when compression was agreed.
    auto compressedFrames = [&server] {
        int n = 0;
        for (const QJsonObject &raw : server.all(u"ws-raw"))
            n += raw.value(QLatin1String("rsv1")).toBool() ? 1 : 0;
        return n;
    };
    QTRY_VERIFY2_WITH_TIMEOUT(!server.event(u"echo").isEmpty(), qPrintable(server.log()), 5'000);
    QCOMPARE(compressedFrames(), agreed ? 1 : 0);

    // Below the threshold (1024 bytes): sent as it is.
    const qsizetype before = server.all(u"ws-raw").size();
    QFuture<QVariantList> small = socket->emitWithAck(QStringLiteral("echo"), {s("tiny")});
    QTRY_VERIFY2_WITH_TIMEOUT(small.isFinished(), qPrintable(server.log()), 5'000);
    QTRY_VERIFY2_WITH_TIMEOUT(server.all(u"ws-raw").size() > before, qPrintable(server.log()),
                              5'000);
    QCOMPARE(compressedFrames(), agreed ? 1 : 0);
    QCOMPARE(small.result(), QVariantList{s("tiny")});
}

QTEST_GUILESS_MAIN(tst_ClientInterop)
#include "tst_client_interop.moc"
