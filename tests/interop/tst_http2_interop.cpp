// HTTP/2 (HttpLimits::setHttp2()) with real h2 peers: Node's http2 client running Engine.IO
// polling over the streams of one connection (a GET held open while POSTs on other streams
// are answered), curl --http2, socket.io-client falling back to HTTP/1.1 (polling and the
// WebSocket upgrade) with allowHTTP1, an HTTP/1.1-only client refused without it, and a
// broken preface that closes its own connection only.
#include <SocketIO/Server>

#include <QtCore/QDir>
#include <QtCore/QJsonArray>
#include <QtCore/QJsonObject>
#include <QtCore/QStandardPaths>
#include <QtNetwork/QHostAddress>
#include <QtTest/QTest>

#include "../auto/selfsigned.h"
#include "peerprocess.h"

#include <memory>

using namespace SocketIO;

namespace {
const QString nodeExecutable = QStringLiteral(INTEROP_NODE_EXECUTABLE);
const QString nodeDir = QStringLiteral(INTEROP_NODE_DIR);
} // namespace

class tst_Http2Interop : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void nodePollingOverH2();
    void curlOverH2_data();
    void curlOverH2();
    void socketIOClientFallsBackToHttp1();
    void http1RefusedWithoutAllowHttp1_data();
    void http1RefusedWithoutAllowHttp1();
    void brokenPrefaceClosesOnlyItsConnection();
    void stalledRequestGets408();

private:
    std::unique_ptr<Server> startServer(bool allowHttp1, int requestTimeout = 300'000);
    QJsonObject runPeer(const Server &server, const QString &mode, const QStringList &extra = {});
    QString url(const Server &server) const
    {
        return QStringLiteral("https://127.0.0.1:%1").arg(server.serverPort());
    }

    SelfSigned m_cert;
};

void tst_Http2Interop::initTestCase()
{
    verifyNodeSetup(nodeExecutable, nodeDir, QStringLiteral("socket.io-client"));
    m_cert = SelfSigned::make();
    QVERIFY2(m_cert.error.isEmpty(), qPrintable(m_cert.error));
}

std::unique_ptr<Server> tst_Http2Interop::startServer(bool allowHttp1, int requestTimeout)
{
    ServerOptions options;
    options.engine.http.requestTimeout = requestTimeout;
    options.engine.http.setHttp2(true);
    options.engine.http.setAllowHTTP1(allowHttp1);
    options.engine.pingInterval = 300; // the polling peer waits for one ping
    auto io = std::make_unique<Server>(options);
    QObject::connect(io->sockets(), &Namespace::connection, io.get(), [](Socket *socket) {
        socket->on(QStringLiteral("echo"), socket,
                   [socket](const QVariantList &args, const Ack &ack) {
                       if (ack.isValid())
                           ack(args);
                       else
                           socket->emitEvent(QStringLiteral("echo"), args);
                   });
    });
    io->setSslConfiguration(m_cert.serverConfiguration());
    if (!io->listen(QHostAddress::LocalHost, 0))
        return nullptr;
    return io;
}

QJsonObject tst_Http2Interop::runPeer(const Server &server, const QString &mode,
                                      const QStringList &extra)
{
    PeerProcess peer(nodeExecutable, nodeDir);
    peer.process.setArguments(QStringList{QDir(nodeDir).filePath(QStringLiteral("h2-peer.mjs")),
                                          QStringLiteral("--url"), url(server),
                                          QStringLiteral("--mode"), mode} +
                              extra);
    peer.process.start();
    awaitPeer(peer, 20'000);
    if (QTest::currentTestFailed())
        return {};
    verifyPassed(peer);
    if (QTest::currentTestFailed())
        return {};
    return peer.lastEvent();
}

void tst_Http2Interop::nodePollingOverH2()
{
    auto io = startServer(false);
    QVERIFY(io);
    const QJsonObject result = runPeer(*io, QStringLiteral("polling"));
    QVERIFY(!QTest::currentTestFailed());
    QVERIFY(!result.value(QLatin1String("sid")).toString().isEmpty());
}

void tst_Http2Interop::curlOverH2_data()
{
    QTest::addColumn<bool>("allowHttp1");
    QTest::addRow("h2 only") << false;
    QTest::addRow("allowHTTP1") << true;
}

void tst_Http2Interop::curlOverH2()
{
    QFETCH(bool, allowHttp1);
    const QString curl = QStandardPaths::findExecutable(QStringLiteral("curl"));
    QVERIFY2(!curl.isEmpty(), "curl (with HTTP/2, Debian's) is needed: scripts/install-deps.sh");
    auto io = startServer(allowHttp1);
    QVERIFY(io);
    // Two requests on one connection: the handshake, then the Socket.IO connect POSTed to the
    // session it opened cannot be chained in one curl call; a handshake and a 400 for an
    // unknown sid can, and both must come over HTTP/2.
    QProcess process;
    const QString base = url(*io) + QStringLiteral("/socket.io/?EIO=4&transport=polling");
    process.start(curl, {QStringLiteral("--http2"), QStringLiteral("-sk"), QStringLiteral("-w"),
                         QStringLiteral("\n%{http_version} %{http_code}\n"), base,
                         QStringLiteral("--next"), QStringLiteral("--http2"), QStringLiteral("-sk"),
                         QStringLiteral("-w"),
                         QStringLiteral("\n%{http_version} %{http_code} %{num_connects}\n"),
                         base + QStringLiteral("&sid=unknown")});
    QSignalSpy finished(&process, &QProcess::finished);
    QTRY_VERIFY_WITH_TIMEOUT(finished.count() > 0, 20'000);
    const QByteArray output = process.readAllStandardOutput();
    QVERIFY2(process.exitCode() == 0, output + process.readAllStandardError());
    const QList<QByteArray> lines = output.split('\n');
    QVERIFY2(lines.size() >= 4, output);
    QVERIFY2(lines.at(0).startsWith("0{\"sid\":\""), output);
    QCOMPARE(lines.at(1), QByteArray("2 200"));
    QVERIFY2(lines.at(2).contains("Session ID unknown"), output);
    // The second request reused the connection (no new connect).
    QCOMPARE(lines.at(3), QByteArray("2 400 0"));
}

void tst_Http2Interop::socketIOClientFallsBackToHttp1()
{
    auto io = startServer(true);
    QVERIFY(io);
    const QJsonObject result = runPeer(*io, QStringLiteral("sio"));
    QVERIFY(!QTest::currentTestFailed());
    QCOMPARE(result.value(QLatin1String("transport")).toString(), QStringLiteral("websocket"));
    QCOMPARE(result.value(QLatin1String("replies")).toArray().size(), 2);
}

void tst_Http2Interop::http1RefusedWithoutAllowHttp1_data()
{
    QTest::addColumn<QString>("alpn");
    // Refused in the TLS handshake (no protocol in common) or right after it (no ALPN).
    QTest::addRow("ALPN http/1.1") << QStringLiteral("http/1.1");
    QTest::addRow("no ALPN") << QString();
}

void tst_Http2Interop::http1RefusedWithoutAllowHttp1()
{
    QFETCH(QString, alpn);
    const QStringList extra = {QStringLiteral("--alpn"), alpn};
    auto io = startServer(false);
    QVERIFY(io);
    const QJsonObject refused = runPeer(*io, QStringLiteral("http1"), extra);
    QVERIFY(!QTest::currentTestFailed());
    QCOMPARE(refused.value(QLatin1String("outcome")).toString(), QStringLiteral("refused"));

    // The same client is served once HTTP/1.1 is allowed.
    auto fallback = startServer(true);
    QVERIFY(fallback);
    const QJsonObject answered = runPeer(*fallback, QStringLiteral("http1"), extra);
    QVERIFY(!QTest::currentTestFailed());
    QCOMPARE(answered.value(QLatin1String("outcome")).toString(), QStringLiteral("answered"));
    QCOMPARE(answered.value(QLatin1String("status")).toInt(), 200);
    QVERIFY(answered.value(QLatin1String("body")).toString().startsWith(u"0{\"sid\""));
}

void tst_Http2Interop::brokenPrefaceClosesOnlyItsConnection()
{
    auto io = startServer(false);
    QVERIFY(io);
    // A polling client over h2 holds its connection while the broken one comes and goes.
    PeerProcess good(nodeExecutable, nodeDir);
    good.process.setArguments({QDir(nodeDir).filePath(QStringLiteral("h2-peer.mjs")),
                               QStringLiteral("--url"), url(*io), QStringLiteral("--mode"),
                               QStringLiteral("polling"), QStringLiteral("--hold"),
                               QStringLiteral("--timeout"), QStringLiteral("30000")});
    good.process.start();
    QTRY_VERIFY2_WITH_TIMEOUT(!good.first(u"connected").isEmpty(), qPrintable(good.log()), 20'000);

    const QJsonObject broken = runPeer(*io, QStringLiteral("garbage"));
    QVERIFY(!QTest::currentTestFailed());
    QCOMPARE(broken.value(QLatin1String("outcome")).toString(), QStringLiteral("closed"));

    // The first client goes on over its connection: a held GET, POSTs, a ping.
    QCOMPARE(good.process.state(), QProcess::Running);
    good.process.write("go\n");
    awaitPeer(good, 20'000);
    verifyPassed(good);
    QVERIFY(io->isListening());
}

void tst_Http2Interop::stalledRequestGets408()
{
    auto io = startServer(false, 500);
    QVERIFY(io);
    const QJsonObject result = runPeer(*io, QStringLiteral("stalled"));
    QVERIFY(!QTest::currentTestFailed());
    QCOMPARE(result.value(QLatin1String("status")).toInt(), 408);
}

QTEST_GUILESS_MAIN(tst_Http2Interop)
#include "tst_http2_interop.moc"
