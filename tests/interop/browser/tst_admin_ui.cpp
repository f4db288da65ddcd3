// The official Socket.IO Admin UI (@socket.io/admin-ui 0.5.1, its ui/dist single-page app) in
// headless Chromium, served by an instrumented Server of ours on the same origin, connecting to
// it and listing the sockets of real socket.io-client clients (checked in the page's DOM).
// Offline: the UI's web fonts come from the internet, so every other host fails at once.
#include "../chromium.h"
#include "../peerprocess.h"

#include <SocketIO/Instrumentation>
#include <SocketIO/Server>

#include <QtCore/QDir>
#include <QtCore/QFile>
#include <QtCore/QMimeDatabase>
#include <QtCore/QRegularExpression>
#include <QtTest/QTest>

using namespace SocketIO;
using namespace Qt::StringLiterals;

namespace {

const QString nodeDir = QStringLiteral(INTEROP_NODE_DIR);
const QString nodeExecutable = QStringLiteral(INTEROP_NODE_EXECUTABLE);
const QString chromiumExecutable = QStringLiteral(INTEROP_CHROMIUM_EXECUTABLE);
const QString uiDir = nodeDir + u"/node_modules/@socket.io/admin-ui/ui/dist"_s;

// Stores the server's URL where the UI reads it, then opens the UI's sockets page.
const QByteArray seedPage = R"(<!doctype html><script>
localStorage.setItem("server_url", location.origin);
location.replace("/admin-ui/#/sockets");
</script>)";

} // namespace

class tst_AdminUi : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void listsSockets();
};

void tst_AdminUi::initTestCase()
{
    verifyNodeSetup(nodeExecutable, nodeDir, u"@socket.io/admin-ui"_s);
    QVERIFY2(QFileInfo(chromiumExecutable).isExecutable(),
             "no Chromium: install Debian's chromium and re-run CMake");
    QVERIFY2(QFileInfo::exists(uiDir + u"/index.html"_s), qPrintable(uiDir));
}

void tst_AdminUi::listsSockets()
{
    Server io;
    InstrumentOptions options;
    options.auth = InstrumentOptions::Auth::None;
    QVERIFY(Instrumentation::instrument(&io, options));
    // The UI's files under /admin-ui/, beside the engine's path.
    io.engine()->setRequestHandler(&io, [](const HttpRequest &request, HttpResponse &response) {
        const QString path = request.path();
        if (path == u"/seed.html") {
            response.setHeader("content-type", "text/html");
            response.setBody(seedPage);
            return true;
        }
        if (!path.startsWith(u"/admin-ui/"))
            return false;
        QString relative = path.mid(10);
        if (relative.isEmpty())
            relative = u"index.html"_s;
        if (relative.contains(u".."))
            return false;
        QFile file(uiDir + u'/' + relative);
        if (!file.open(QIODevice::ReadOnly))
            return false;
        response.setHeader("content-type",
                           QMimeDatabase().mimeTypeForFile(file.fileName()).name().toLatin1());
        response.setBody(file.readAll());
        return true;
    });
    QVERIFY(io.listen(QHostAddress::LocalHost, 0));
    const QString origin = u"http://127.0.0.1:%1"_s.arg(io.serverPort());

    PeerProcess peers(nodeExecutable, nodeDir);
    peers.process.setArguments({u"admin-peers.mjs"_s, u"--url"_s, origin, u"--count"_s, u"2"_s});
    peers.process.start();
    QStringList ids;
    QTRY_VERIFY2_WITH_TIMEOUT(
        [&] {
            ids.clear();
            for (const QJsonObject &e : peers.events())
                if (e.value("event"_L1).toString() == u"connected")
                    ids.append(e.value("id"_L1).toString());
            return ids.size() == 2;
        }(),
        qPrintable(peers.fullLog()), 15'000);

    // The sockets page once the UI has run for a while (virtual time: pending network requests
    // hold it back, the timers do not).
    Chromium chromium(chromiumExecutable);
    chromium.start(origin + u"/seed.html"_s,
                   {u"--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1"_s,
                    u"--virtual-time-budget=15000"_s, u"--dump-dom"_s});
    QTRY_COMPARE_WITH_TIMEOUT(chromium.process.state(), QProcess::NotRunning, 90'000);
    const QByteArray dom = chromium.out + chromium.process.readAllStandardOutput();
    const QByteArray err = chromium.err;
    const QString page = QString::fromUtf8(dom);
    if (qEnvironmentVariableIsSet("TST_ADMIN_UI_DOM")) {
        QFile out(qEnvironmentVariable("TST_ADMIN_UI_DOM"));
        if (out.open(QIODevice::WriteOnly))
            out.write(dom);
    }
    const QString log =
        page.right(3000) + u"\n--- chromium stderr ---\n"_s + QString::fromUtf8(err.right(2000));
    // The page's text: the UI says it is connected and lists both sockets (and only them: the
    // admin socket is in another namespace) with their transport.
    QString text = page;
    text.remove(QRegularExpression(u"<script.*?</script>|<style.*?</style>"_s,
                                   QRegularExpression::DotMatchesEverythingOption));
    text.replace(QRegularExpression(u"<[^>]+>"_s), u" "_s);
    text = text.simplified();
    QVERIFY2(text.contains(u"Status: connected"_s), qPrintable(log));
    for (const QString &id : std::as_const(ids))
        QVERIFY2(text.contains(u"%1 127.0.0.1 WebSocket"_s.arg(id)),
                 qPrintable(id + u" is not listed\n"_s + text));
    QVERIFY2(text.contains(u"1-2 of 2"_s), qPrintable(text));

    peers.process.closeWriteChannel();
    QTRY_COMPARE_WITH_TIMEOUT(peers.process.state(), QProcess::NotRunning, 10'000);
}

QTEST_GUILESS_MAIN(tst_AdminUi)
#include "tst_admin_ui.moc"
