// The QML-hosted server example, examples/scoreboard, as users meet it: the `scoreboard` program
// (its QML loaded from resources) and the same Main.qml run by the `qml` tool, each started
// offscreen on a free port; its phone page and the client bundle fetched over HTTP; Qt clients
// as phones; and headless Chromium opening the page's team link and scoring.
#include "../chromium.h"
#include "../exampleclient.h"

#include <SocketIO/ClientSocket>
#include <SocketIO/Manager>

#include <QtCore/QProcess>
#include <QtCore/QRegularExpression>
#include <QtCore/QUrlQuery>
#include <QtNetwork/QTcpSocket>
#include <QtTest/QTest>

using namespace SocketIO;

namespace {
const QString scoreboardExecutable = QStringLiteral(SCOREBOARD_EXECUTABLE);
const QString qmlTool = QStringLiteral(QML_TOOL_EXECUTABLE);
const QString mainQml = QStringLiteral(SCOREBOARD_MAIN_QML);
const QString qmlImportPath = QStringLiteral(SOCKETIO_QML_IMPORT_DIR);
const QString chromiumExecutable = QStringLiteral(INTEROP_CHROMIUM_EXECUTABLE);

// A phone: a Qt client that joins a team; the last scores it was sent.
struct Phone
{
    explicit Phone(const QUrl &url)
        : manager(url)
        , socket(manager.socket())
    {
        QObject::connect(socket, &ClientSocket::eventReceived, socket,
                         [this](const QString &event, const QVariantList &args, const Ack &ack) {
                             if (event == u"scores")
                                 scores = args.value(0).toMap();
                             else if (event == u"ready?" && ack.isValid())
                                 ack({true});
                         });
    }
    QVariantMap call(const QString &event, const QVariantList &args = {})
    {
        return callWithAck(socket, event, args);
    }

    Manager manager;
    ClientSocket *socket;
    QVariantMap scores;
};

// The status code of a GET of `target` exactly as given; 0 without an answer in 10 s.
int rawStatus(const QUrl &url, const QByteArray &target)
{
    QTcpSocket socket;
    socket.connectToHost(url.host(), quint16(url.port()));
    socket.write("GET " + target + " HTTP/1.1\r\nHost: " + url.host().toUtf8() +
                 "\r\nConnection: close\r\n\r\n");
    QByteArray answer;
    const bool answered = QTest::qWaitFor(
        [&] {
            answer += socket.readAll();
            return answer.contains("\r\n") || socket.state() == QAbstractSocket::UnconnectedState;
        },
        10'000);
    // "HTTP/1.1 404 Not Found"
    return answered && answer.startsWith("HTTP/1.1 ") ? answer.mid(9, 3).toInt() : 0;
}

// Starts a board and reads its URL from what it prints once listening.
bool startBoard(QProcess *board, const QString &program, const QStringList &arguments, QUrl *url)
{
    QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    environment.insert(QStringLiteral("QT_QPA_PLATFORM"), QStringLiteral("offscreen"));
    environment.insert(QStringLiteral("QML_IMPORT_PATH"), qmlImportPath);
    board->setProcessEnvironment(environment);
    board->setProcessChannelMode(QProcess::MergedChannels);
    board->start(program, arguments);
    if (!board->waitForStarted(10'000))
        return false;
    QByteArray output;
    static const QRegularExpression listening(QStringLiteral("open http://<this machine>:(\\d+)/"));
    QRegularExpressionMatch match;
    const bool seen = QTest::qWaitFor(
        [&] {
            output += board->readAll();
            match = listening.match(QString::fromUtf8(output));
            return match.hasMatch() || board->state() == QProcess::NotRunning;
        },
        20'000);
    if (!seen || !match.hasMatch()) {
        qWarning("the board did not listen: %s", output.constData());
        return false;
    }
    *url = QUrl(QStringLiteral("http://127.0.0.1:%1/").arg(match.captured(1)));
    return true;
}

void stopBoard(QProcess *board)
{
    board->terminate();
    board->waitForFinished(5000); // teardown only
}
} // namespace

class tst_Scoreboard : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();
    void servesThePhonePage();
    void phonesJoinAndScore();
    void browserPhoneScores();
    void runsWithTheQmlTool();

private:
    QProcess m_board;
    QUrl m_url;
};

void tst_Scoreboard::initTestCase()
{
    QVERIFY(startBoard(&m_board, scoreboardExecutable,
                       {QStringLiteral("--port"), QStringLiteral("0")}, &m_url));
}

void tst_Scoreboard::cleanupTestCase()
{
    stopBoard(&m_board);
}

void tst_Scoreboard::servesThePhonePage()
{
    int status = 0;
    const QByteArray page = httpGet(m_url, &status);
    QCOMPARE(status, 200);
    QVERIFY(page.contains("<title>Scoreboard</title>"));
    QVERIFY(page.contains("/socket.io/socket.io.js"));
    const QByteArray bundle =
        httpGet(m_url.resolved(QUrl(QStringLiteral("socket.io/socket.io.js"))), &status);
    QCOMPARE(status, 200);
    QVERIFY2(bundle.contains("Socket.IO v4.8.4"), bundle.left(200).constData());
    // Nothing outside the document root. Sent as raw request lines: QUrl (and any HTTP client)
    // would resolve the dot segments before the server saw them.
    for (const QByteArray &target : {QByteArray("/../Main.qml"), QByteArray("/%2e%2e/Main.qml"),
                                     QByteArray("/web/../../Main.qml")})
        QCOMPARE(rawStatus(m_url, target), 404);
}

void tst_Scoreboard::phonesJoinAndScore()
{
    Phone red(m_url);
    Phone blue(m_url);
    QTRY_VERIFY(red.socket->isConnected() && blue.socket->isConnected());
    // Every phone is sent the scores on arrival.
    QTRY_VERIFY(!red.scores.isEmpty());
    const int redBefore = red.scores.value(QStringLiteral("red")).toInt();
    const int blueBefore = red.scores.value(QStringLiteral("blue")).toInt();

    QCOMPARE(
        red.call(QStringLiteral("join"), {QStringLiteral("red")}).value(QStringLiteral("team")),
        QVariant(QStringLiteral("red")));
    QCOMPARE(
        blue.call(QStringLiteral("join"), {QStringLiteral("blue")}).value(QStringLiteral("team")),
        QVariant(QStringLiteral("blue")));
    QVERIFY(!red.call(QStringLiteral("join"), {QStringLiteral("green")})
                 .value(QStringLiteral("error"))
                 .toString()
                 .isEmpty());

    const QVariantMap afterRed = red.call(QStringLiteral("point"));
    QCOMPARE(afterRed.value(QStringLiteral("red")).toInt(), redBefore + 1);
    blue.call(QStringLiteral("point"));
    blue.call(QStringLiteral("point"));
    // The board broadcasts every change to every phone.
    QTRY_COMPARE(red.scores.value(QStringLiteral("blue")).toInt(), blueBefore + 2);
    QCOMPARE(blue.scores.value(QStringLiteral("red")).toInt(), redBefore + 1);
}

void tst_Scoreboard::browserPhoneScores()
{
    QVERIFY2(!chromiumExecutable.isEmpty(),
             "no Chromium: install Debian's chromium and re-run CMake");
    Phone watcher(m_url);
    QTRY_VERIFY(!watcher.scores.isEmpty());
    const int before = watcher.scores.value(QStringLiteral("blue")).toInt();

    QUrl page = m_url;
    QUrlQuery query;
    query.addQueryItem(QStringLiteral("team"), QStringLiteral("blue"));
    query.addQueryItem(QStringLiteral("points"), QStringLiteral("3"));
    page.setQuery(query);
    Chromium browser(chromiumExecutable);
    browser.start(page.toString());
    QTRY_VERIFY2_WITH_TIMEOUT(watcher.scores.value(QStringLiteral("blue")).toInt() == before + 3,
                              qPrintable(browser.log()), 60'000);
    browser.stop();
}

void tst_Scoreboard::runsWithTheQmlTool()
{
#ifdef SOCKETIO_SANITIZED
    QSKIP("the qml tool is not built with the sanitizers, so it cannot load the sanitized module");
#endif
    QVERIFY2(!qmlTool.isEmpty(), "no qml tool: install Debian's qml-qt6");
    QProcess board;
    QUrl url;
    QVERIFY(startBoard(
        &board, qmlTool,
        {mainQml, QStringLiteral("--"), QStringLiteral("--port"), QStringLiteral("0")}, &url));
    Phone phone(url);
    QTRY_VERIFY(phone.socket->isConnected());
    QCOMPARE(
        phone.call(QStringLiteral("join"), {QStringLiteral("red")}).value(QStringLiteral("team")),
        QVariant(QStringLiteral("red")));
    QCOMPARE(phone.call(QStringLiteral("point")).value(QStringLiteral("red")).toInt(), 1);
    stopBoard(&board);
}

QTEST_GUILESS_MAIN(tst_Scoreboard)
#include "tst_scoreboard.moc"
