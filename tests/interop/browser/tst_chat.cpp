// The main example, examples/chat, as a user meets it: the program started headless on a free
// port, its page and the official client bundle fetched over HTTP, two Qt clients chatting
// through it, and headless Chromium loading the page, logging in and saying something that a
// Qt client receives.
#include "../chromium.h"
#include "chatpeers.h"

#include <QtCore/QUrlQuery>
#include <QtTest/QTest>

using namespace SocketIO;

namespace {
const QString chatExecutable = QStringLiteral(CHAT_EXECUTABLE);
const QString chromiumExecutable = QStringLiteral(INTEROP_CHROMIUM_EXECUTABLE);
using User = ChatUser;
} // namespace

class tst_Chat : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();
    void servesThePageAndTheClient();
    void qtClientsChat();
    void browserJoinsTheChat();
    void instrumentedForTheInspector();

private:
    QProcess m_chat;
    QUrl m_url;
};

void tst_Chat::initTestCase()
{
    startChat(m_chat, chatExecutable, &m_url);
}

void tst_Chat::cleanupTestCase()
{
    m_chat.terminate();
    m_chat.waitForFinished(5000); // teardown only
}

void tst_Chat::servesThePageAndTheClient()
{
    int status = 0;
    const QByteArray page = httpGet(m_url, &status);
    QCOMPARE(status, 200);
    QVERIFY(page.contains("<title>Qt Socket.IO chat</title>"));
    QVERIFY(page.contains("/socket.io/socket.io.js"));
    const QByteArray bundle =
        httpGet(m_url.resolved(QUrl(QStringLiteral("socket.io/socket.io.js"))), &status);
    QCOMPARE(status, 200);
    QVERIFY2(bundle.contains("Socket.IO v4.8.4"), bundle.left(200).constData());
}

void tst_Chat::qtClientsChat()
{
    User alice(m_url);
    User bob(m_url);
    QTRY_VERIFY(alice.socket->isConnected() && bob.socket->isConnected());
    // A nickname is required before anything else, and only once.
    QCOMPARE(alice.call(QStringLiteral("new message"), {QStringLiteral("too early")})
                 .value(QStringLiteral("ok")),
             QVariant(false));
    const QVariantMap welcome = alice.call(QStringLiteral("login"), {QStringLiteral("alice")});
    QCOMPARE(welcome.value(QStringLiteral("room")).toString(), QStringLiteral("general"));
    QCOMPARE(
        welcome.value(QStringLiteral("rooms")).toStringList(),
        QStringList({QStringLiteral("general"), QStringLiteral("qt"), QStringLiteral("random")}));
    const int before = welcome.value(QStringLiteral("users")).toInt();
    QVERIFY(alice.call(QStringLiteral("login"), {QStringLiteral("again")})
                .contains(QStringLiteral("error")));
    QCOMPARE(bob.call(QStringLiteral("login"), {QStringLiteral("bob")})
                 .value(QStringLiteral("users"))
                 .toInt(),
             before + 1);
    QTRY_COMPARE(
        alice.find(QStringLiteral("user joined"), QStringLiteral("username"), QStringLiteral("bob"))
            .value(QStringLiteral("users"))
            .toInt(),
        before + 1);

    QCOMPARE(alice.call(QStringLiteral("new message"), {QStringLiteral("hi bob")})
                 .value(QStringLiteral("ok")),
             QVariant(true));
    QTRY_COMPARE(
        bob.find(QStringLiteral("new message"), QStringLiteral("username"), QStringLiteral("alice"))
            .value(QStringLiteral("message")),
        QVariant(QStringLiteral("hi bob")));
    // The sender gets its ack, not its own message back.
    QVERIFY(alice
                .find(QStringLiteral("new message"), QStringLiteral("username"),
                      QStringLiteral("alice"))
                .isEmpty());

    // Rooms: bob leaves general for qt, and messages stay in their room.
    QCOMPARE(bob.call(QStringLiteral("switch room"), {QStringLiteral("qt")})
                 .value(QStringLiteral("room")),
             QVariant(QStringLiteral("qt")));
    QTRY_VERIFY(
        !alice.find(QStringLiteral("user left"), QStringLiteral("username"), QStringLiteral("bob"))
             .isEmpty());
    alice.call(QStringLiteral("new message"), {QStringLiteral("anyone in general?")});
    bob.call(QStringLiteral("new message"), {QStringLiteral("bob in qt")});
    QVERIFY(bob.find(QStringLiteral("new message"), QStringLiteral("message"),
                     QStringLiteral("anyone in general?"))
                .isEmpty());
    QVERIFY(alice
                .find(QStringLiteral("new message"), QStringLiteral("message"),
                      QStringLiteral("bob in qt"))
                .isEmpty());

    // A message past the server's 2000 characters is refused.
    QCOMPARE(alice.call(QStringLiteral("new message"), {QString(2001, u'x')})
                 .value(QStringLiteral("ok")),
             QVariant(false));
}

void tst_Chat::browserJoinsTheChat()
{
    QVERIFY2(!chromiumExecutable.isEmpty(),
             "no Chromium: install Debian's chromium and re-run CMake");
    User qt(m_url);
    QVERIFY(!qt.call(QStringLiteral("login"), {QStringLiteral("qt-user")}).isEmpty());
    qt.call(QStringLiteral("switch room"), {QStringLiteral("random")});

    QUrl page = m_url;
    QUrlQuery query;
    query.addQueryItem(QStringLiteral("name"), QStringLiteral("browser"));
    query.addQueryItem(QStringLiteral("room"), QStringLiteral("random"));
    query.addQueryItem(QStringLiteral("say"), QStringLiteral("hello from chromium"));
    page.setQuery(query);
    Chromium browser(chromiumExecutable);
    browser.start(page.toString());
    QTRY_VERIFY2_WITH_TIMEOUT(!qt.find(QStringLiteral("new message"), QStringLiteral("username"),
                                       QStringLiteral("browser"))
                                   .isEmpty(),
                              qPrintable(browser.log()), 60'000);
    QCOMPARE(qt.find(QStringLiteral("new message"), QStringLiteral("username"),
                     QStringLiteral("browser"))
                 .value(QStringLiteral("message")),
             QVariant(QStringLiteral("hello from chromium")));
    QCOMPARE(qt.find(QStringLiteral("user joined"), QStringLiteral("username"),
                     QStringLiteral("browser"))
                 .value(QStringLiteral("room")),
             QVariant(QStringLiteral("random")));
    browser.stop();
    QTRY_VERIFY_WITH_TIMEOUT(
        !qt.find(QStringLiteral("user left"), QStringLiteral("username"), QStringLiteral("browser"))
             .isEmpty(),
        30'000);
}

void tst_Chat::instrumentedForTheInspector()
{
    // The Inspector's namespace answers with the Admin UI's config and the sockets it holds.
    User chatter(m_url);
    QVERIFY(!chatter.call(QStringLiteral("login"), {QStringLiteral("watched")}).isEmpty());
    Manager manager(m_url);
    ClientSocket *admin = manager.socket(QStringLiteral("/admin"));
    QList<std::pair<QString, QVariantList>> received;
    QObject::connect(admin, &ClientSocket::eventReceived, admin,
                     [&](const QString &event, const QVariantList &args) {
                         received.append({event, args});
                     });
    const auto find = [&](const QString &event) {
        for (const auto &[name, args] : received) {
            if (name == event)
                return args;
        }
        return QVariantList();
    };
    QTRY_VERIFY(!find(QStringLiteral("all_sockets")).isEmpty());
    QVERIFY(find(QStringLiteral("config"))
                .value(0)
                .toMap()
                .value(QStringLiteral("supportedFeatures"))
                .toStringList()
                .contains(QStringLiteral("ALL_EVENTS")));
    bool seen = false;
    for (const QVariant &socket : find(QStringLiteral("all_sockets")).value(0).toList()) {
        const QVariantMap s = socket.toMap();
        seen = seen || (s.value(QStringLiteral("nsp")) == QStringLiteral("/") &&
                        s.value(QStringLiteral("data")).toMap().value(QStringLiteral("username")) ==
                            QStringLiteral("watched"));
    }
    QVERIFY2(seen, "the chatter is not among all_sockets");
}

QTEST_GUILESS_MAIN(tst_Chat)
#include "tst_chat.moc"
