// The chat example's Qt Quick client (examples/chat/qml: Main.qml of the ChatQml module, on
// `import SocketIO`), loaded in process and driven through its object tree against the `chat`
// program, with the other users on Node's socket.io-client (node/chat-peer.mjs), headless
// Chromium on the chat's page, the Qt C++ client and the chat's Widgets client.
#include "../chromium.h"
#include "chatpeers.h"
#include "chatwindow.h"

#include <QtCore/QAbstractItemModel>
#include <QtCore/QJsonArray>
#include <QtCore/QJsonDocument>
#include <QtCore/QJsonObject>
#include <QtCore/QUrlQuery>
#include <QtGui/QImage>
#include <QtNetwork/QNetworkAccessManager>
#include <QtNetwork/QNetworkReply>
#include <QtQml/QQmlApplicationEngine>
#include <QtQuick/QQuickItem>
#include <QtQuick/QQuickWindow>
#include <QtTest/QSignalSpy>
#include <QtTest/QTest>
#include <QtWebSockets/QWebSocket>
#include <QtWidgets/QComboBox>
#include <QtWidgets/QLineEdit>
#include <QtWidgets/QListWidget>

#include <memory>

namespace {
const QString chatExecutable = QStringLiteral(CHAT_EXECUTABLE);
const QString chromiumExecutable = QStringLiteral(INTEROP_CHROMIUM_EXECUTABLE);
const QString nodeExecutable = QStringLiteral(INTEROP_NODE_EXECUTABLE);
const QString nodeDirectory = QStringLiteral(INTEROP_NODE_DIR);
const QString socketIOQmlImportDir = QStringLiteral(SOCKETIO_QML_IMPORT_DIR);

// One chat user through Node's socket.io-client: the JSON lines chat-peer.mjs printed.
class NodeUser
{
public:
    NodeUser(const QUrl &url, const QString &name, const QString &room)
    {
        m_process.setProgram(nodeExecutable);
        m_process.setWorkingDirectory(nodeDirectory);
        m_process.setArguments({QStringLiteral("chat-peer.mjs"), QStringLiteral("--url"),
                                url.toString(), QStringLiteral("--name"), name,
                                QStringLiteral("--room"), room});
        QObject::connect(&m_process, &QProcess::readyReadStandardOutput, &m_process, [this] {
            while (m_process.canReadLine()) {
                const QByteArray line = m_process.readLine();
                m_output += line;
                m_events.append(QJsonDocument::fromJson(line).object());
            }
        });
        QObject::connect(&m_process, &QProcess::readyReadStandardError, &m_process,
                         [this] { m_output += m_process.readAllStandardError(); });
        m_process.start();
    }
    ~NodeUser()
    {
        // chat-peer.mjs disconnects and exits when its stdin closes.
        QSignalSpy finished(&m_process, &QProcess::finished);
        m_process.closeWriteChannel();
        if (!QTest::qWaitFor([&] { return finished.count() > 0; }, 5000))
            m_process.kill();
        m_process.waitForFinished(1000); // teardown only
    }

    // The first argument of the first `event` received whose `key` is `value` (any `event`
    // without a key).
    QJsonObject find(const QString &event, const QString &key = {}, const QString &value = {}) const
    {
        for (const QJsonObject &line : m_events) {
            const QJsonObject arg = line.value(QLatin1String("args")).toArray().at(0).toObject();
            if (line.value(QLatin1String("event")).toString() == event &&
                (key.isEmpty() || arg.value(key).toString() == value))
                return arg;
        }
        return {};
    }
    bool received(const QString &event, const QString &key, const QString &value) const
    {
        return !find(event, key, value).isEmpty();
    }
    void emitEvent(const QString &event, const QJsonArray &args, bool ack = false)
    {
        const QJsonObject command{{QLatin1String("emit"), event},
                                  {QLatin1String("args"), args},
                                  {QLatin1String("ack"), ack}};
        m_process.write(QJsonDocument(command).toJson(QJsonDocument::Compact) + '\n');
    }
    QByteArray log() const { return m_process.program().toUtf8() + " chat-peer.mjs:\n" + m_output; }

private:
    QProcess m_process;
    QList<QJsonObject> m_events;
    QByteArray m_output;
};

// The Qt Quick client: Main.qml from the ChatQml module, found by its items' objectNames.
class QmlUser
{
public:
    QmlUser(const QUrl &url, const QString &nickname)
    {
        m_engine.addImportPath(QStringLiteral("qrc:/qt/qml"));
        m_engine.addImportPath(socketIOQmlImportDir);
        m_engine.setInitialProperties(
            {{QStringLiteral("serverUrl"), url}, {QStringLiteral("nickname"), nickname}});
        m_engine.load(QUrl(QStringLiteral("qrc:/qt/qml/ChatQml/Main.qml")));
        if (!m_engine.rootObjects().isEmpty())
            window = qobject_cast<QQuickWindow *>(m_engine.rootObjects().constFirst());
    }

    QQuickItem *item(const char *objectName) const
    {
        return window->findChild<QQuickItem *>(QLatin1String(objectName));
    }
    QString property(const char *name) const { return window->property(name).toString(); }
    bool loggedIn() const { return window->property("loggedIn").toBool(); }

    // The message list's rows as its delegates show them: "name: text", or a notice's text.
    QStringList messages() const
    {
        const auto *model = qobject_cast<QAbstractItemModel *>(
            item("messageList")->property("model").value<QObject *>());
        const QHash<int, QByteArray> roles = model->roleNames();
        const int user = roles.key("user"), message = roles.key("message");
        QStringList rows;
        for (int row = 0; row < model->rowCount(); ++row) {
            const QModelIndex index = model->index(row, 0);
            const QString name = index.data(user).toString();
            const QString text = index.data(message).toString();
            rows.append(name.isEmpty() ? text : name + QStringLiteral(": ") + text);
        }
        return rows;
    }
    // What the delegate of `row` displays (empty when it is not instantiated).
    QString delegateText(int row) const
    {
        QQuickItem *delegate = nullptr;
        QMetaObject::invokeMethod(item("messageList"), "itemAtIndex",
                                  Q_RETURN_ARG(QQuickItem *, delegate), Q_ARG(int, row));
        return delegate ? delegate->property("text").toString() : QString();
    }

    // Types `text` into the message field and clicks Send, as a user does.
    void say(const QString &text)
    {
        QQuickItem *input = item("messageInput");
        window->requestActivate();
        input->forceActiveFocus();
        for (const QChar c : text)
            QTest::keyClick(window, c.toLatin1());
        if (input->property("text").toString() != text) // no key events on this platform
            input->setProperty("text", text);
        click(item("sendButton"));
    }
    void click(QQuickItem *button)
    {
        const QPointF center = button->mapToScene(QPointF(button->width(), button->height()) / 2);
        QTest::mouseClick(window, Qt::LeftButton, {}, center.toPoint());
    }
    void switchRoom(const QString &room)
    {
        QQuickItem *box = item("roomBox");
        int index = -1;
        QMetaObject::invokeMethod(box, "find", Q_RETURN_ARG(int, index), Q_ARG(QString, room));
        QMetaObject::invokeMethod(box, "activated", Q_ARG(int, index));
    }

    QQuickWindow *window = nullptr;

private:
    QQmlApplicationEngine m_engine;
};

// The chat's page in headless Chromium, read through the DevTools protocol.
class BrowserUser
{
public:
    explicit BrowserUser(const QUrl &page)
        : m_browser(chromiumExecutable)
    {
        QObject::connect(
            &m_socket, &QWebSocket::textMessageReceived, &m_socket, [this](const QString &message) {
                const QJsonObject reply = QJsonDocument::fromJson(message.toUtf8()).object();
                if (reply.value(QLatin1String("id")).toInt() == m_lastId)
                    m_reply = reply;
            });
        m_browser.start(page.toString(), {QStringLiteral("--remote-debugging-port=0"),
                                          QStringLiteral("--remote-allow-origins=*")});
    }

    // The text of the page's message log; empty until the page's DevTools socket is open.
    QString logText()
    {
        if (!connectDevTools())
            return {};
        const QJsonObject request{
            {QLatin1String("id"), ++m_lastId},
            {QLatin1String("method"), QLatin1String("Runtime.evaluate")},
            {QLatin1String("params"),
             QJsonObject{{QLatin1String("expression"),
                          QLatin1String("document.getElementById('log').innerText")},
                         {QLatin1String("returnByValue"), true}}}};
        m_reply = {};
        m_socket.sendTextMessage(
            QString::fromUtf8(QJsonDocument(request).toJson(QJsonDocument::Compact)));
        if (!QTest::qWaitFor([&] { return !m_reply.isEmpty(); }, 5000))
            return {};
        return m_reply.value(QLatin1String("result"))
            .toObject()
            .value(QLatin1String("result"))
            .toObject()
            .value(QLatin1String("value"))
            .toString();
    }
    QString log() const { return m_browser.log(); }

private:
    bool connectDevTools()
    {
        if (m_socket.state() == QAbstractSocket::ConnectedState)
            return true;
        static const QRegularExpression listening(
            QStringLiteral("DevTools listening on ws://([^/]+)/"));
        const QRegularExpressionMatch match = listening.match(QString::fromUtf8(m_browser.err));
        if (!match.hasMatch() || m_socket.state() != QAbstractSocket::UnconnectedState)
            return false;
        // The page's own socket, from the list of targets.
        QNetworkAccessManager network;
        std::unique_ptr<QNetworkReply> reply(network.get(
            QNetworkRequest(QUrl(QStringLiteral("http://%1/json/list").arg(match.captured(1))))));
        if (!QTest::qWaitFor([&] { return reply->isFinished(); }, 5000))
            return false;
        QUrl target;
        const QJsonArray targets = QJsonDocument::fromJson(reply->readAll()).array();
        for (const QJsonValue &t : targets) {
            if (t[QLatin1String("type")] == QLatin1String("page"))
                target = QUrl(t[QLatin1String("webSocketDebuggerUrl")].toString());
        }
        if (target.isEmpty())
            return false;
        m_socket.open(target);
        return QTest::qWaitFor([&] { return m_socket.state() == QAbstractSocket::ConnectedState; },
                               5000);
    }

    Chromium m_browser;
    QWebSocket m_socket;
    int m_lastId = 0;
    QJsonObject m_reply;
};

QUrl pageUrl(const QUrl &server, const QString &name, const QString &room, const QString &say)
{
    QUrl page = server;
    QUrlQuery query;
    query.addQueryItem(QStringLiteral("name"), name);
    query.addQueryItem(QStringLiteral("room"), room);
    query.addQueryItem(QStringLiteral("say"), say);
    page.setQuery(query);
    return page;
}
} // namespace

class tst_ChatQml : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();
    void chatsWithNode();
    void allClientsInOneRoom();

private:
    QProcess m_chat;
    QUrl m_url;
};

void tst_ChatQml::initTestCase()
{
    QVERIFY2(!nodeExecutable.isEmpty(), "no node: install Node.js (>= 20) and re-run CMake");
    QVERIFY2(QFileInfo::exists(nodeDirectory + QStringLiteral("/node_modules/socket.io-client")),
             "no socket.io-client: run npm ci in tests/interop/node");
    QVERIFY2(QFileInfo::exists(socketIOQmlImportDir + QStringLiteral("/SocketIO/qmldir")),
             qPrintable(QStringLiteral("no SocketIO QML module in ") + socketIOQmlImportDir));
    startChat(m_chat, chatExecutable, &m_url);
}

void tst_ChatQml::cleanupTestCase()
{
    m_chat.terminate();
    m_chat.waitForFinished(5000); // teardown only
}

void tst_ChatQml::chatsWithNode()
{
    NodeUser node(m_url, QStringLiteral("node"), QStringLiteral("general"));
    QTRY_VERIFY2_WITH_TIMEOUT(!node.find(QStringLiteral("ready")).isEmpty(), node.log().constData(),
                              20'000);

    QmlUser qml(m_url, QStringLiteral("quick"));
    QVERIFY2(qml.window, "Main.qml did not load");
    QVERIFY(QTest::qWaitForWindowExposed(qml.window));
    for (const char *name : {"messageList", "messageInput", "sendButton", "roomBox", "typingLabel"})
        QVERIFY2(qml.item(name), name);
    QTRY_VERIFY_WITH_TIMEOUT(qml.loggedIn(), 20'000);
    QCOMPARE(qml.property("room"), QStringLiteral("general"));
    QVERIFY2(qml.messages().value(0).startsWith(QStringLiteral("Welcome, quick: ")),
             qPrintable(qml.messages().join(u'\n')));
    QTRY_VERIFY2(node.received(QStringLiteral("user joined"), QStringLiteral("username"),
                               QStringLiteral("quick")),
                 node.log().constData());

    // (a) Typed and sent through the UI: Node sees the typing notice, then the message.
    qml.say(QStringLiteral("hello from qml"));
    QTRY_COMPARE(node.find(QStringLiteral("new message"), QStringLiteral("username"),
                           QStringLiteral("quick"))
                     .value(QLatin1String("message"))
                     .toString(),
                 QStringLiteral("hello from qml"));
    QVERIFY2(node.received(QStringLiteral("typing"), QStringLiteral("username"),
                           QStringLiteral("quick")),
             node.log().constData());
    QTRY_COMPARE(qml.messages().constLast(), QStringLiteral("quick: hello from qml"));
    QCOMPARE(qml.item("messageInput")->property("text").toString(), QString());

    // (b) Node types and says something: the typing line, then a row in the list.
    node.emitEvent(QStringLiteral("typing"), {});
    QTRY_COMPARE(qml.item("typingLabel")->property("text").toString(),
                 QStringLiteral("node is typing…"));
    node.emitEvent(QStringLiteral("new message"), {QStringLiteral("hello from node")}, true);
    QTRY_COMPARE(qml.messages().constLast(), QStringLiteral("node: hello from node"));
    const int row = int(qml.messages().size()) - 1;
    QTRY_COMPARE(qml.delegateText(row), QStringLiteral("node: hello from node"));
    node.emitEvent(QStringLiteral("stop typing"), {});
    QTRY_COMPARE(qml.item("typingLabel")->property("text").toString(), QString());

    // The screenshot, in the test's build folder.
    const QImage image = qml.window->grabWindow();
    const QString file =
        QCoreApplication::applicationDirPath() + QStringLiteral("/chat-qml-screenshot.png");
    QVERIFY(!image.isNull());
    QCOMPARE(image.size(),
             (QSizeF(qml.window->size()) * qml.window->effectiveDevicePixelRatio()).toSize());
    QVERIFY2(image.save(file), qPrintable(file));
    qInfo("screenshot: %s", qPrintable(file));
    // Something was drawn: more than a background and a frame.
    QSet<QRgb> colors;
    for (int y = 0; y < image.height(); y += 4) {
        for (int x = 0; x < image.width(); x += 4)
            colors.insert(image.pixel(x, y));
    }
    QVERIFY2(colors.size() > 4, qPrintable(QString::number(colors.size())));

    // A room switch through the room box: Node, left behind in general, is told.
    qml.switchRoom(QStringLiteral("qt"));
    QTRY_COMPARE(qml.property("room"), QStringLiteral("qt"));
    QTRY_VERIFY2(node.received(QStringLiteral("user left"), QStringLiteral("username"),
                               QStringLiteral("quick")),
                 node.log().constData());
    QCOMPARE(qml.item("roomBox")->property("currentText").toString(), QStringLiteral("qt"));
}

void tst_ChatQml::allClientsInOneRoom()
{
    QVERIFY2(!chromiumExecutable.isEmpty(),
             "no Chromium: install Debian's chromium and re-run CMake");
    const QString room = QStringLiteral("random");
    ChatUser qt(m_url);
    QTRY_VERIFY(qt.socket->isConnected());
    QVERIFY(!qt.call(QStringLiteral("login"), {QStringLiteral("qt")}).isEmpty());
    QCOMPARE(qt.call(QStringLiteral("switch room"), {room}).value(QStringLiteral("room")),
             QVariant(room));
    NodeUser node(m_url, QStringLiteral("node"), room);
    QTRY_VERIFY2_WITH_TIMEOUT(!node.find(QStringLiteral("ready")).isEmpty(), node.log().constData(),
                              20'000);
    QmlUser qml(m_url, QStringLiteral("quick"));
    QVERIFY2(qml.window, "Main.qml did not load");
    QVERIFY(QTest::qWaitForWindowExposed(qml.window));
    QTRY_VERIFY_WITH_TIMEOUT(qml.loggedIn(), 20'000);
    qml.switchRoom(room);
    QTRY_COMPARE(qml.property("room"), room);
    // The Widgets client of examples/chat, driven through its widgets.
    ChatWindow widgets(m_url, QStringLiteral("widgets"));
    widgets.show();
    auto *widgetsRooms = widgets.findChild<QComboBox *>();
    auto *widgetsInput = widgets.findChild<QLineEdit *>();
    auto *widgetsLog = widgets.findChild<QListWidget *>();
    QVERIFY(widgetsRooms && widgetsInput && widgetsLog);
    QTRY_VERIFY_WITH_TIMEOUT(widgetsRooms->findText(room) >= 0, 20'000); // logged in
    Q_EMIT widgetsRooms->textActivated(room);
    QTRY_COMPARE(widgetsRooms->currentText(), room);

    // The browser says its line as soon as it is in the room.
    BrowserUser browser(
        pageUrl(m_url, QStringLiteral("browser"), room, QStringLiteral("hello from browser")));
    QTRY_VERIFY2_WITH_TIMEOUT(
        qml.messages().contains(QStringLiteral("browser: hello from browser")),
        qPrintable(browser.log()), 60'000);

    // Everyone else says something: the Qt client, Node, the QML and the Widgets client (typed
    // and sent with Return).
    QCOMPARE(qt.call(QStringLiteral("new message"), {QStringLiteral("hello from qt")})
                 .value(QStringLiteral("ok")),
             QVariant(true));
    node.emitEvent(QStringLiteral("new message"), {QStringLiteral("hello from node")}, true);
    qml.say(QStringLiteral("hello from quick"));
    QTest::keyClicks(widgetsInput, QStringLiteral("hello from widgets"));
    QTest::keyClick(widgetsInput, Qt::Key_Return);

    // What each one shows or received, as "name: text" lines (the page has no separator).
    const auto lines = [&](const QString &who) {
        QStringList out;
        if (who == QLatin1String("qt")) {
            for (const auto &[event, args] : qt.received) {
                if (event == QLatin1String("new message"))
                    out.append(args.value(QStringLiteral("username")).toString() +
                               QStringLiteral(": ") +
                               args.value(QStringLiteral("message")).toString());
            }
        } else if (who == QLatin1String("node")) {
            for (const QString &name : {QStringLiteral("qt"), QStringLiteral("quick"),
                                        QStringLiteral("widgets"), QStringLiteral("browser")}) {
                const QJsonObject m =
                    node.find(QStringLiteral("new message"), QStringLiteral("username"), name);
                if (!m.isEmpty())
                    out.append(name + QStringLiteral(": ") +
                               m.value(QLatin1String("message")).toString());
            }
        } else if (who == QLatin1String("quick")) {
            out = qml.messages();
        } else if (who == QLatin1String("widgets")) {
            for (int row = 0; row < widgetsLog->count(); ++row)
                out.append(widgetsLog->item(row)->text());
        } else {
            out = browser.logText().split(u'\n');
        }
        return out;
    };
    const QStringList everyone = {QStringLiteral("qt"), QStringLiteral("node"),
                                  QStringLiteral("quick"), QStringLiteral("widgets"),
                                  QStringLiteral("browser")};
    for (const QString &receiver : everyone) {
        QStringList missing;
        // A real-time deadline: reading the page waits for Chromium's answer.
        const bool all = QTest::qWaitFor(
            [&] {
                const QStringList got = lines(receiver);
                missing.clear();
                for (const QString &sender : everyone) {
                    // The Qt client and Node get no echo; the three UIs show their own line.
                    if (sender == receiver &&
                        (sender == QLatin1String("qt") || sender == QLatin1String("node")))
                        continue;
                    const QString separator =
                        receiver == QLatin1String("browser") ? QString() : QStringLiteral(": ");
                    const QString line =
                        sender + separator + QStringLiteral("hello from ") + sender;
                    if (!got.contains(line))
                        missing.append(line);
                }
                return missing.isEmpty();
            },
            30'000);
        QVERIFY2(all, qPrintable(receiver + QStringLiteral(" lacks ") +
                                 missing.join(QStringLiteral(", ")) + QStringLiteral("; has:\n") +
                                 lines(receiver).join(u'\n')));
    }
}

QTEST_MAIN(tst_ChatQml)
#include "tst_chat_qml.moc"
