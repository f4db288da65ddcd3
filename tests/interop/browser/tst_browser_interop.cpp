// Interop: headless Chromium running the official browser client (socket.io-client 4.8 dist,
// from tests/interop/node/node_modules) against an in-process SocketIO::Server.
//
// The pages (same-origin.html, cross-origin.html) POST their findings to /report on the origin
// that served them; the test waits for that report with QTRY_*, so the event loop keeps
// serving the browser, and then stops Chromium.

#include "../chromium.h"

#include <SocketIO/Server>

#include <QtCore/QDir>
#include <QtCore/QFile>
#include <QtCore/QFileInfo>
#include <QtCore/QJsonArray>
#include <QtCore/QJsonDocument>
#include <QtCore/QJsonObject>
#include <QtCore/QProcess>
#include <QtCore/QTemporaryDir>
#include <QtNetwork/QHostAddress>
#include <QtNetwork/QNetworkAccessManager>
#include <QtNetwork/QNetworkReply>
#include <QtNetwork/QNetworkRequest>
#include <QtTest/QSignalSpy>
#include <QtTest/QTest>

#include <algorithm>
#include <memory>

using namespace SocketIO;
using namespace Qt::StringLiterals;

namespace {

const QString pagesDir = QStringLiteral(INTEROP_BROWSER_DIR);
const QString nodeDir = QStringLiteral(INTEROP_NODE_DIR);
const QString chromiumExecutable = QStringLiteral(INTEROP_CHROMIUM_EXECUTABLE);

QString clientDirectory()
{
    return QDir(nodeDir).filePath(QStringLiteral("node_modules/socket.io-client/dist"));
}

QByteArray readFile(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return {};
    return file.readAll();
}

// Serves `page` at `path` and records the JSON POSTed to /report.
struct PageHost
{
    QByteArray page;
    QString path;
    QJsonObject report;
    bool reported = false;
    QStringList requests;

    void install(EngineServer *engine, QObject *context)
    {
        engine->setRequestHandler(
            context, [this](const HttpRequest &request, HttpResponse &response) {
                requests.append(QString::fromLatin1(request.method()) + u' ' + request.path());
                if (request.method() == "GET" && request.path() == path) {
                    response.setHeader("Content-Type", "text/html; charset=utf-8");
                    response.setHeader("Cache-Control", "no-store");
                    response.setBody(page);
                    return true;
                }
                if (request.method() == "POST" && request.path() == u"/report") {
                    report = QJsonDocument::fromJson(request.body()).object();
                    reported = true;
                    response.setStatusCode(204);
                    return true;
                }
                return false;
            });
    }
};

// Waits for the page's report (or for Chromium to die).
void awaitReport(const PageHost &host, Chromium &browser, int timeoutMs)
{
    QTRY_VERIFY2_WITH_TIMEOUT(host.reported || browser.process.state() == QProcess::NotRunning,
                              qPrintable(QStringLiteral("no report from the page; requests: %1%2")
                                             .arg(host.requests.join(u", "), browser.log())),
                              timeoutMs);
    QVERIFY2(host.reported,
             qPrintable(QStringLiteral("chromium ended without a report (%1); requests: %2%3")
                            .arg(browser.process.errorString(), host.requests.join(u", "),
                                 browser.log())));
}

QString toJson(const QJsonObject &object)
{
    return QString::fromUtf8(QJsonDocument(object).toJson(QJsonDocument::Compact));
}

// What the Socket.IO server saw.
struct ServerLog
{
    QStringList connections; // socket ids
    QVariantMap auth;
    QVariantList hello;
    QString origin;
    QString engineId;
    QString initialTransport;
    QStringList upgrades;
    QString disconnectReason;
};

ServerOptions serverOptions()
{
    ServerOptions options;
    options.serveClient = true;
    options.clientDirectory = clientDirectory();
    return options;
}

void trackServer(Server &io, ServerLog &log)
{
    QObject::connect(io.engine(), &EngineServer::connection, &io, [&log](EngineSocket *conn) {
        if (!log.engineId.isEmpty())
            return; // the first session is the one under test
        log.engineId = conn->id();
        log.initialTransport = conn->transportName();
        QObject::connect(conn, &EngineSocket::upgraded, conn,
                         [&log](const QString &transport) { log.upgrades.append(transport); });
    });
    QObject::connect(&io, &Server::connection, &io, [&log](Socket *socket) {
        log.connections.append(socket->id());
        log.auth = socket->handshake().auth;
        log.origin = socket->handshake().headers.value(QStringLiteral("origin")).toString();
        socket->on(QStringLiteral("hello"), socket,
                   [socket, &log](const QVariantList &args, const Ack &ack) {
                       log.hello = args;
                       const QByteArray bytes = args.value(1).toByteArray();
                       QByteArray reversed = bytes;
                       std::reverse(reversed.begin(), reversed.end());
                       ack({QStringLiteral("ack é"), reversed, args.value(0)});
                       socket->emitEvent(QStringLiteral("from-server"),
                                         {QStringLiteral("binary"), QByteArray("\x00\xff\x10", 3)});
                   });
        socket->on(QStringLiteral("cross"), socket, [](const QVariantList &args, const Ack &ack) {
            ack({QStringLiteral("cross ok"), args.value(0)});
        });
        QObject::connect(socket, &Socket::disconnected, socket,
                         [&log](const QString &reason) { log.disconnectReason = reason; });
    });
}

} // namespace

class tst_BrowserInterop : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void serveClientEtag_data();
    void serveClientEtag();
    void sameOriginUpgradeAndBinary();
    void crossOriginPolling_data();
    void crossOriginPolling();
};

void tst_BrowserInterop::initTestCase()
{
    QVERIFY2(QFileInfo(clientDirectory()).isDir() &&
                 QFileInfo::exists(QDir(clientDirectory()).filePath(u"socket.io.js"_s)),
             qPrintable(QStringLiteral("%1/socket.io.js is missing: run `npm ci` in "
                                       "tests/interop/node (socket.io-client 4.8)")
                            .arg(clientDirectory())));
    QVERIFY2(!chromiumExecutable.isEmpty() && QFileInfo(chromiumExecutable).isExecutable(),
             qPrintable(QStringLiteral("no Chromium executable (found by CMake: \"%1\"): install "
                                       "Debian's `chromium` package and re-run CMake")
                            .arg(chromiumExecutable)));
}

void tst_BrowserInterop::serveClientEtag_data()
{
    QTest::addColumn<QString>("file");
    QTest::addColumn<QByteArray>("contentType");
    QTest::addRow("socket.io.js") << QStringLiteral("socket.io.js")
                                  << QByteArray("application/javascript; charset=utf-8");
    QTest::addRow("socket.io.min.js") << QStringLiteral("socket.io.min.js")
                                      << QByteArray("application/javascript; charset=utf-8");
    QTest::addRow("socket.io.js.map")
        << QStringLiteral("socket.io.js.map") << QByteArray("application/json; charset=utf-8");
}

// serveClient answers with the file and an ETag (the client's version, as the reference does),
// and with 304 to a matching If-None-Match, strong or weak.
void tst_BrowserInterop::serveClientEtag()
{
    QFETCH(QString, file);
    QFETCH(QByteArray, contentType);

    Server io(serverOptions());
    QVERIFY2(io.listen(QHostAddress::LocalHost, 0), qPrintable(io.errorString()));
    const QUrl url(
        QStringLiteral("http://127.0.0.1:%1/socket.io/%2").arg(io.serverPort()).arg(file));
    QNetworkAccessManager nam;

    auto get = [&nam](QNetworkRequest request) {
        request.setAttribute(QNetworkRequest::CacheLoadControlAttribute,
                             QNetworkRequest::AlwaysNetwork);
        std::unique_ptr<QNetworkReply> reply(nam.get(request));
        QSignalSpy finished(reply.get(), &QNetworkReply::finished);
        if (!QTest::qWaitFor([&] { return finished.count() > 0; }, 10'000))
            reply->abort();
        return reply;
    };

    const std::unique_ptr<QNetworkReply> first = get(QNetworkRequest(url));
    QVERIFY2(first->isFinished(), "no answer");
    QCOMPARE(first->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt(), 200);
    const QByteArray etag = first->rawHeader("ETag");
    const QByteArray version =
        QJsonDocument::fromJson(readFile(QDir(clientDirectory()).filePath(u"../package.json"_s)))
            .object()
            .value(u"version"_s)
            .toString()
            .toUtf8();
    QVERIFY(!version.isEmpty());
    QCOMPARE(etag, '"' + version + '"');
    QCOMPARE(first->rawHeader("Content-Type"), contentType);
    QCOMPARE(first->rawHeader("Cache-Control"), QByteArray("public, max-age=0"));
    // QNetworkAccessManager asks for gzip and decompresses: the body is the file.
    QCOMPARE(first->readAll(), readFile(QDir(clientDirectory()).filePath(file)));

    for (const QByteArray &ifNoneMatch : {etag, "W/" + etag}) {
        QNetworkRequest request(url);
        request.setRawHeader("If-None-Match", ifNoneMatch);
        const std::unique_ptr<QNetworkReply> again = get(request);
        QVERIFY2(again->isFinished(), "no answer");
        QCOMPARE(again->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt(), 304);
        QCOMPARE(again->readAll(), QByteArray());
    }

    // Another version's ETag gets the file again.
    QNetworkRequest stale(url);
    stale.setRawHeader("If-None-Match", "\"0.0.1\"");
    const std::unique_ptr<QNetworkReply> refreshed = get(stale);
    QVERIFY2(refreshed->isFinished(), "no answer");
    QCOMPARE(refreshed->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt(), 200);
    QCOMPARE(refreshed->rawHeader("ETag"), etag);
}

// A page from the Socket.IO server itself: the client script from serveClient, polling then
// the upgrade to WebSocket, a binary event and a binary ack in both directions.
void tst_BrowserInterop::sameOriginUpgradeAndBinary()
{
    Server io(serverOptions());
    ServerLog seen;
    trackServer(io, seen);
    PageHost host;
    host.path = QStringLiteral("/same-origin.html");
    host.page = readFile(QDir(pagesDir).filePath(u"same-origin.html"_s));
    QVERIFY(!host.page.isEmpty());
    host.install(io.engine(), &io);
    QVERIFY2(io.listen(QHostAddress::LocalHost, 0), qPrintable(io.errorString()));

    Chromium browser(chromiumExecutable);
    QVERIFY(browser.profile.isValid());
    browser.start(QStringLiteral("http://127.0.0.1:%1/same-origin.html").arg(io.serverPort()));
    awaitReport(host, browser, 60'000);
    if (QTest::currentTestFailed())
        return;

    const QJsonObject report = host.report;
    const QString log = toJson(report) + browser.log();
    QVERIFY2(report.value(u"result"_s).toString() == u"done", qPrintable(log));
    QVERIFY2(host.requests.contains(u"GET /same-origin.html"_s), qPrintable(log));

    // The browser upgraded from polling to WebSocket before the exchange.
    QCOMPARE(report.value(u"transport"_s).toString(), u"websocket"_s);
    QCOMPARE(seen.initialTransport, u"polling"_s);
    QCOMPARE(seen.upgrades, QStringList{u"websocket"_s});
    QCOMPARE(seen.connections, QStringList{report.value(u"socketId"_s).toString()});
    QCOMPARE(seen.auth, (QVariantMap{{u"page"_s, u"same-origin"_s}}));

    // Uint8Array and ArrayBuffer arrived as QByteArray.
    const QByteArray payload = QByteArray::fromHex("0001027f80feff");
    QVERIFY2(seen.hello.size() == 3, qPrintable(log));
    QCOMPARE(seen.hello.at(0).toString(), u"héllo 😀"_s);
    QCOMPARE(seen.hello.at(1).typeId(), QMetaType::QByteArray);
    QCOMPARE(seen.hello.at(1).toByteArray(), payload);
    QCOMPARE(seen.hello.at(2).toMap().value(u"nested"_s).typeId(), QMetaType::QByteArray);
    QCOMPARE(seen.hello.at(2).toMap().value(u"nested"_s).toByteArray(), payload);

    // And QByteArray arrived as ArrayBuffer, in the ack and in an event.
    const QJsonArray ack = report.value(u"ack"_s).toArray();
    QCOMPARE(ack.at(0).toString(), u"ack é"_s);
    QVERIFY2(ack.at(1).toBool(), qPrintable(u"the ack's binary is not an ArrayBuffer: "_s + log));
    QCOMPARE(ack.at(2).toString(), u"fffe807f020100"_s);
    QCOMPARE(ack.at(3).toString(), u"héllo 😀"_s);
    const QJsonArray event = report.value(u"event"_s).toArray();
    QCOMPARE(event.at(0).toString(), u"binary"_s);
    QVERIFY2(event.at(1).toBool(),
             qPrintable(u"the event's binary is not an ArrayBuffer: "_s + log));
    QCOMPARE(event.at(2).toString(), u"00ff10"_s);

    // After reporting, the page calls socket.disconnect(): the text frame 41, then the
    // WebSocket close frame, usually read together. Node's socket.io (checked with this page
    // and Chromium) always reports "client namespace disconnect": the DISCONNECT packet is
    // handled before the transport's close, which is a later I/O event there.
    QTRY_VERIFY2_WITH_TIMEOUT(!seen.disconnectReason.isEmpty(), qPrintable(log), 10'000);
    QCOMPARE(seen.disconnectReason, u"client namespace disconnect"_s);
}

void tst_BrowserInterop::crossOriginPolling_data()
{
    QTest::addColumn<bool>("configure");
    QTest::addColumn<QString>("allowedOrigin"); // empty: the page's origin
    QTest::addColumn<bool>("expectConnected");
    QTest::addRow("cors allows the page's origin") << true << QString() << true;
    QTest::addRow("cors not configured") << false << QString() << false;
    QTest::addRow("cors allows another origin")
        << true << QStringLiteral("http://example.com") << false;
}

// A page from another origin (a second server on another port) connects over long-polling,
// which needs CORS: it works when the server allows that origin and fails with connect_error
// when it does not.
void tst_BrowserInterop::crossOriginPolling()
{
    QFETCH(bool, configure);
    QFETCH(QString, allowedOrigin);
    QFETCH(bool, expectConnected);

    // The page's origin: a plain EngineServer used as a tiny web server.
    EngineServer pageServer;
    PageHost host;
    host.path = QStringLiteral("/cross-origin.html");
    host.install(&pageServer, &pageServer);
    QVERIFY2(pageServer.listen(QHostAddress::LocalHost, 0), qPrintable(pageServer.errorString()));
    const QString pageOrigin = QStringLiteral("http://127.0.0.1:%1").arg(pageServer.serverPort());

    ServerOptions options = serverOptions();
    if (configure) {
        options.engine.cors =
            CorsOptions::allowingOrigin(allowedOrigin.isEmpty() ? pageOrigin : allowedOrigin);
    }
    Server io(options);
    ServerLog seen;
    trackServer(io, seen);
    QVERIFY2(io.listen(QHostAddress::LocalHost, 0), qPrintable(io.errorString()));
    const QString sioUrl = QStringLiteral("http://127.0.0.1:%1").arg(io.serverPort());
    QVERIFY(pageOrigin != sioUrl);

    host.page = readFile(QDir(pagesDir).filePath(u"cross-origin.html"_s));
    QVERIFY(!host.page.isEmpty());
    host.page.replace("SIO_URL", sioUrl.toUtf8());

    Chromium browser(chromiumExecutable);
    QVERIFY(browser.profile.isValid());
    browser.start(pageOrigin + host.path);
    awaitReport(host, browser, 60'000);
    if (QTest::currentTestFailed())
        return;

    const QJsonObject report = host.report;
    const QString log = toJson(report) + browser.log();
    if (expectConnected) {
        QVERIFY2(report.value(u"result"_s).toString() == u"connected", qPrintable(log));
        QCOMPARE(report.value(u"transport"_s).toString(), u"polling"_s);
        QCOMPARE(report.value(u"ack"_s).toArray(), (QJsonArray{u"cross ok"_s, pageOrigin}));
        QCOMPARE(seen.connections, QStringList{report.value(u"socketId"_s).toString()});
        QCOMPARE(seen.origin, pageOrigin);
        QCOMPARE(seen.upgrades, QStringList());
        QTRY_COMPARE_WITH_TIMEOUT(seen.disconnectReason, u"client namespace disconnect"_s, 10'000);
    } else {
        // The browser withholds the handshake's answer: the client never gets a session.
        QVERIFY2(report.value(u"result"_s).toString() == u"connect_error", qPrintable(log));
        QCOMPARE(report.value(u"message"_s).toString(), u"xhr poll error"_s);
        QVERIFY2(seen.connections.isEmpty(), qPrintable(log));
    }
}

QTEST_GUILESS_MAIN(tst_BrowserInterop)
#include "tst_browser_interop.moc"
