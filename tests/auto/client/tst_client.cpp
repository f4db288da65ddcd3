// The Qt client (Manager, ClientSocket) against our own server over loopback: the event,
// ack and binary matrix on every transport choice, and each client option the server can
// observe.
#include <SocketIO/ClientSocket>
#include <SocketIO/Manager>
#include <SocketIO/Server>

#include "../../tcpforwarder.h"
#include "../ackfuture.h"

#include <QtCore/QCryptographicHash>
#include <QtCore/QFile>
#include <QtCore/QFuture>
#include <QtCore/QProcess>
#include <QtCore/QTemporaryDir>
#include <QtNetwork/QSslCipher>
#include <QtNetwork/QSslKey>
#include <QtNetwork/QTcpServer>
#include <QtTest/QSignalSpy>
#include <QtTest/QTest>
#include <QtWebSockets/QWebSocket>
#include <QtWebSockets/QWebSocketServer>

#include <memory>
#include <type_traits>
#include <utility>

using namespace SocketIO;

class tst_Client : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();

    void eventsAcksBinary_data();
    void eventsAcksBinary();
    void observableOptions();
    void authCallback();
    void connectError();
    void invalidNamespace();
    void stateChanges_data();
    void stateChanges();
    void serverDisconnect();
    void qobjectDisconnectKeepsConnection();
    void clientDisconnect();
    void reconnection();
    void reconnectionFails();
    void sendBuffer();
    void volatileEvents();
    void ackTimeout();
    void ackTimeoutsInDeadlineOrder();
    void disconnectFailsSentAcks();
    void retries();
    void emitWithAckFuture();
    void anyListeners();
    void multiplexAndIo();
    void connectionStateRecovery();
    void msgpack();
    void pingTimeoutOnClient();
    void optionsFromVariantMap();
    void requestTimeout();
    void withCredentialsKeepsCookies_data();
    void withCredentialsKeepsCookies();
    void rememberUpgrade();
    void tryAllTransports();
    void mutualTlsWithCiphers_data();
    void mutualTlsWithCiphers();
    void connectionTimeout();
    void optionsBetweenAttempts();
    void reconnectionOffInAttemptSlot();
    void reservedQueryKeys_data();
    void reservedQueryKeys();
    void pingSignal();
    void perMessageDeflate_data();
    void perMessageDeflate();
    void hostileServerFrame();

private:
    void startServer(ServerOptions options = {});
    std::unique_ptr<Manager> manager(ManagerOptions options = {});
    QUrl url() const;
    // Drives `scenario` ("connect", "server disconnect", ...) on a fresh server and Manager.
    void runScenario(const QString &scenario, QObject *recorder,
                     const std::function<void(Manager *, ClientSocket *)> &watch);

    std::unique_ptr<Server> m_io;
    QList<Socket *> m_serverSockets;
    QStringList m_serverReasons;
};

void tst_Client::init()
{
    m_serverSockets.clear();
    m_serverReasons.clear();
}

void tst_Client::cleanup()
{
    m_io.reset();
}

void tst_Client::startServer(ServerOptions options)
{
    options.engine.pingInterval = qMin(options.engine.pingInterval, 2000);
#if SOCKETIO_LEAN_ENGINE // else the default, "qt"
    options.engine.wsEngine = QStringLiteral("lean");
#endif
    m_io = std::make_unique<Server>(options);
    connect(m_io.get(), &Server::connection, this, [this](Socket *socket) {
        m_serverSockets.append(socket);
        socket->on(QStringLiteral("echo"), socket,
                   [socket](const QVariantList &args, const Ack &ack) {
                       if (ack.isValid())
                           ack(args);
                       else
                           socket->emitEvent(QStringLiteral("echo"), args);
                   });
        connect(socket, &Socket::disconnected, this,
                [this](const QString &reason) { m_serverReasons.append(reason); });
    });
    QVERIFY(m_io->listen(QHostAddress::LocalHost, 0));
}

QUrl tst_Client::url() const
{
    return QUrl(QStringLiteral("http://127.0.0.1:%1").arg(m_io->serverPort()));
}

std::unique_ptr<Manager> tst_Client::manager(ManagerOptions options)
{
    options.reconnectionDelay = 50;
    options.reconnectionDelayMax = 200;
    return std::make_unique<Manager>(url(), options);
}

void tst_Client::eventsAcksBinary_data()
{
    QTest::addColumn<QStringList>("transports");
    QTest::addColumn<bool>("upgrade");
    QTest::addColumn<QString>("finalTransport");
    QTest::addRow("polling only") << QStringList{QStringLiteral("polling")} << true << "polling";
    QTest::addRow("websocket only")
        << QStringList{QStringLiteral("websocket")} << true << "websocket";
    QTest::addRow("polling then upgrade")
        << QStringList{QStringLiteral("polling"), QStringLiteral("websocket")} << true
        << "websocket";
    QTest::addRow("upgrade off") << QStringList{QStringLiteral("polling"),
                                                QStringLiteral("websocket")}
                                 << false << "polling";
}

void tst_Client::eventsAcksBinary()
{
    QFETCH(QStringList, transports);
    QFETCH(bool, upgrade);
    QFETCH(QString, finalTransport);
    startServer();
    ManagerOptions options;
    options.transports = transports;
    options.upgrade = upgrade;
    auto m = manager(options);
    ClientSocket *socket = m->socket();
    QSignalSpy connected(socket, &ClientSocket::connected);
    QTRY_COMPARE(connected.count(), 1);
    QTRY_COMPARE(m_serverSockets.size(), 1);
    QCOMPARE(socket->id(), m_serverSockets.first()->id());
    if (finalTransport == u"websocket" && transports.size() > 1) {
        QSignalSpy upgraded(m.get(), &Manager::upgraded);
        if (m->transportName() != u"websocket")
            QTRY_COMPARE(upgraded.count(), 1);
    }
    QTRY_COMPARE(m->transportName(), finalTransport);
    QTRY_COMPARE(m_serverSockets.first()->conn()->transportName(), finalTransport);

    // Client to server with an ack, JSON and binary at depth.
    const QVariantList args{
        1, QStringLiteral("two é😀"),
        QVariantMap{{QStringLiteral("bin"), QByteArray("\x00\xff", 2)},
                    {QStringLiteral("list"), QVariantList{true, QVariant::fromValue(nullptr)}}}};
    QVariantList reply;
    QString error = QStringLiteral("pending");
    QVERIFY(socket->emitEvent(QStringLiteral("echo"), args, this,
                              [&](const QString &e, const QVariantList &r) {
                                  error = e;
                                  reply = r;
                              }));
    QTRY_COMPARE(error, QString());
    QCOMPARE(reply.size(), 3);
    QCOMPARE(reply.at(0).toLongLong(), 1);
    QCOMPARE(reply.at(1).toString(), QStringLiteral("two é😀"));
    QCOMPARE(reply.at(2).toMap().value(QStringLiteral("bin")).toByteArray(),
             QByteArray("\x00\xff", 2));

    // Server to client, with the client acknowledging.
    socket->on(QStringLiteral("question"), this, [](const QVariantList &args, const Ack &ack) {
        ack({args.value(0).toLongLong() * 2, QByteArray("answer")});
    });
    QVariantList answer;
    m_serverSockets.first()->emitEvent(QStringLiteral("question"), {21}, this,
                                       [&](const QString &, const QVariantList &r) { answer = r; });
    QTRY_COMPARE(answer.size(), 2);
    QCOMPARE(answer.at(0).toLongLong(), 42);
    QCOMPARE(answer.at(1).toByteArray(), QByteArray("answer"));

    // Many events keep their order.
    QStringList received;
    socket->on(QStringLiteral("echo"), this, [&](const QVariantList &args, const Ack &) {
        received.append(args.value(0).toString());
    });
    for (int i = 0; i < 200; ++i)
        socket->emitEvent(QStringLiteral("echo"), {QString::number(i)});
    QTRY_COMPARE(received.size(), 200);
    for (int i = 0; i < 200; ++i)
        QCOMPARE(received.at(i), QString::number(i));
}

void tst_Client::observableOptions()
{
    ServerOptions serverOptions;
    serverOptions.engine.path = QStringLiteral("/custom-path");
    startServer(serverOptions);
    ManagerOptions options;
    options.path = QStringLiteral("/custom-path");
    options.query = {{QStringLiteral("room"), QStringLiteral("lobby")}};
    options.extraHeaders = {{"x-token", "secret"}};
    options.transports = {QStringLiteral("websocket")};
    options.protocols = {QStringLiteral("chat")};
    auto m = manager(options);
    SocketOptions socketOptions;
    socketOptions.auth = {{QStringLiteral("user"), QStringLiteral("ada")}};
    ClientSocket *socket = m->socket(QStringLiteral("/"), socketOptions);
    QSignalSpy connected(socket, &ClientSocket::connected);
    QTRY_COMPARE(connected.count(), 1);
    const Handshake h = m_serverSockets.first()->handshake();
    QCOMPARE(h.query().value(QStringLiteral("room")).toString(), QStringLiteral("lobby"));
    QCOMPARE(h.headers().value(QStringLiteral("x-token")).toString(), QStringLiteral("secret"));
    QCOMPARE(h.headers().value(QStringLiteral("sec-websocket-protocol")).toString(),
             QStringLiteral("chat"));
    QCOMPARE(h.auth().value(QStringLiteral("user")).toString(), QStringLiteral("ada"));
    QVERIFY(h.url().startsWith(u"/custom-path/?"));
    QVERIFY(!h.query().contains(QStringLiteral("t"))); // no timestamp on WebSocket by default
}

void tst_Client::authCallback()
{
    startServer();
    auto m = manager();
    SocketOptions options;
    int asked = 0;
    options.authCallback = [&asked](std::function<void(const QVariantMap &)> done) {
        ++asked;
        done({{QStringLiteral("token"), QStringLiteral("t") + QString::number(asked)}});
    };
    ClientSocket *socket = m->socket(QStringLiteral("/"), options);
    QTRY_VERIFY(socket->isConnected());
    QCOMPARE(m_serverSockets.first()->handshake().auth().value(QStringLiteral("token")).toString(),
             QStringLiteral("t1"));
}

void tst_Client::connectError()
{
    startServer();
    m_io->use(this, [](Socket *, const Next &next) {
        next(QStringLiteral("not authorized"), QVariantMap{{QStringLiteral("code"), 42}});
    });
    auto m = manager();
    ClientSocket *socket = m->socket();
    QSignalSpy errors(socket, &ClientSocket::connectError);
    QTRY_COMPARE(errors.count(), 1);
    QCOMPARE(errors.at(0).at(0).toString(), QStringLiteral("not authorized"));
    QCOMPARE(errors.at(0).at(1).toMap().value(QStringLiteral("code")).toInt(), 42);
    QCOMPARE(errors.at(0).at(2).value<Manager::Error>(), Manager::Error::ConnectRefused);
    QVERIFY(!socket->isConnected());
    QVERIFY(!socket->isActive());
}

void tst_Client::invalidNamespace()
{
    startServer();
    auto m = manager();
    ClientSocket *socket = m->socket(QStringLiteral("/nope"));
    QSignalSpy errors(socket, &ClientSocket::connectError);
    QTRY_COMPARE(errors.count(), 1);
    QCOMPARE(errors.at(0).at(0).toString(), QStringLiteral("Invalid namespace"));
    QCOMPARE(errors.at(0).at(2).value<Manager::Error>(), Manager::Error::ConnectRefused);
}

void tst_Client::runScenario(const QString &scenario, QObject *recorder,
                             const std::function<void(Manager *, ClientSocket *)> &watch)
{
    startServer();
    if (scenario == u"connect error")
        m_io->use(this, [](Socket *, const Next &next) { next(QStringLiteral("no")); });
    ManagerOptions options;
    options.transports = {QStringLiteral("websocket")};
    options.autoConnect = false;
    options.reconnectionAttempts = 2;
    auto m = manager(options);
    if (scenario == u"unreachable")
        m_io.reset(); // nobody listens on that port any more
    ClientSocket *socket = m->socket();
    watch(m.get(), socket);
    QSignalSpy connected(socket, &ClientSocket::connected);
    QSignalSpy disconnected(socket, &ClientSocket::disconnected);
    socket->connectToServer();
    if (scenario == u"unreachable") {
        QSignalSpy failed(m.get(), &Manager::reconnectFailed);
        QTRY_COMPARE_WITH_TIMEOUT(failed.count(), 1, 10000);
        QCOMPARE(m->state(), Manager::State::Closed);
        return;
    }
    if (scenario == u"connect error") {
        QSignalSpy errors(socket, &ClientSocket::connectError);
        QTRY_COMPARE(errors.count(), 1);
        QTRY_COMPARE(m->state(), Manager::State::Closed);
        return;
    }
    QTRY_COMPARE(connected.count(), 1);
    if (scenario == u"server disconnect") {
        QTRY_COMPARE(m_serverSockets.size(), 1);
        m_serverSockets.first()->disconnectSocket();
        QTRY_COMPARE(disconnected.count(), 1);
        QTRY_COMPARE(m->state(), Manager::State::Closed);
    } else if (scenario == u"client disconnect") {
        socket->disconnectFromServer();
        QCOMPARE(disconnected.count(), 1);
        QTRY_COMPARE(m->state(), Manager::State::Closed);
    } else if (scenario == u"reconnect") {
        // The server goes away and is back on the same port before the first attempt, so
        // that the attempt succeeds and the sequence is fixed.
        const quint16 port = m_io->serverPort();
        connect(socket, &ClientSocket::disconnected, recorder, [this, port] {
            if (m_io)
                return;
            m_io = std::make_unique<Server>();
            QVERIFY(m_io->listen(QHostAddress::LocalHost, port));
        });
        QSignalSpy reconnected(m.get(), &Manager::reconnected);
        m_io.reset();
        QTRY_COMPARE(disconnected.count(), 1);
        QTRY_COMPARE_WITH_TIMEOUT(reconnected.count(), 1, 10000);
        QTRY_COMPARE(connected.count(), 2);
        QVERIFY(!m->isReconnecting());
    }
}

void tst_Client::stateChanges_data()
{
    using S = ClientSocket::State;
    using M = Manager::State;
    QTest::addColumn<QString>("scenario");
    QTest::addColumn<QList<ClientSocket::State>>("socketStates");
    QTest::addColumn<QList<Manager::State>>("managerStates");
    QTest::addRow("connect") << "connect" << QList<S>{S::Connecting, S::Connected}
                             << QList<M>{M::Opening, M::Open};
    // Refused by the server: the socket gives up, and the Manager closes with its last socket.
    QTest::addRow("connect error") << "connect error" << QList<S>{S::Connecting, S::Disconnected}
                                   << QList<M>{M::Opening, M::Open, M::Closed};
    QTest::addRow("server disconnect")
        << "server disconnect" << QList<S>{S::Connecting, S::Connected, S::Disconnected}
        << QList<M>{M::Opening, M::Open, M::Closed};
    QTest::addRow("client disconnect")
        << "client disconnect" << QList<S>{S::Connecting, S::Connected, S::Disconnected}
        << QList<M>{M::Opening, M::Open, M::Closed};
    QTest::addRow("reconnect") << "reconnect"
                               << QList<S>{S::Connecting, S::Connected, S::Connecting, S::Connected}
                               << QList<M>{M::Opening,      M::Open,    M::Closed,
                                           M::Reconnecting, M::Opening, M::Open};
    // Two attempts, then reconnectFailed(). The socket stays active, as the reference's
    // socket.active does: a later Manager::open() would connect it.
    QTest::addRow("unreachable") << "unreachable" << QList<S>{S::Connecting}
                                 << QList<M>{M::Opening, M::Closed, M::Reconnecting,
                                             M::Opening, M::Closed, M::Reconnecting,
                                             M::Opening, M::Closed};
}

void tst_Client::stateChanges()
{
    QFETCH(QString, scenario);
    QFETCH(QList<ClientSocket::State>, socketStates);
    QFETCH(QList<Manager::State>, managerStates);
    QObject recorder;
    QList<ClientSocket::State> states;
    QList<ClientSocket::State> read; // state() inside the slot
    QList<bool> connectedInSlot;     // isConnected() agrees with the state
    QList<QString> ids;
    QList<Manager::State> mStates;
    QList<Manager::State> mRead;
    runScenario(scenario, &recorder, [&](Manager *m, ClientSocket *socket) {
        QCOMPARE(socket->state(), ClientSocket::State::Disconnected);
        QCOMPARE(m->state(), Manager::State::Closed);
        connect(socket, &ClientSocket::stateChanged, &recorder,
                [&, socket](ClientSocket::State state) {
                    states.append(state);
                    read.append(socket->state());
                    connectedInSlot.append(socket->isConnected());
                    ids.append(socket->id());
                });
        connect(m, &Manager::stateChanged, &recorder, [&, m](Manager::State state) {
            mStates.append(state);
            mRead.append(m->state());
        });
    });
    if (QTest::currentTestFailed())
        return;
    QCOMPARE(states, socketStates);
    QCOMPARE(read, socketStates);
    for (int i = 0; i < states.size(); ++i) {
        const bool isConnected = states.at(i) == ClientSocket::State::Connected;
        QCOMPARE(connectedInSlot.at(i), isConnected);
        // id is NOTIFY stateChanged: set when Connected, empty otherwise.
        QCOMPARE(!ids.at(i).isEmpty(), isConnected);
    }
    QCOMPARE(mStates, managerStates);
    QCOMPARE(mRead, managerStates);

    // The property system sees the same thing.
    const QMetaObject &mo = ClientSocket::staticMetaObject;
    QCOMPARE(mo.indexOfProperty("connected"), -1);
    for (const char *name : {"state", "id", "active", "recovered"}) {
        const QMetaProperty p = mo.property(mo.indexOfProperty(name));
        QVERIFY2(p.isValid(), name);
        QCOMPARE(p.notifySignal().name(), QByteArray("stateChanged"));
    }
    const QMetaProperty managerState =
        Manager::staticMetaObject.property(Manager::staticMetaObject.indexOfProperty("state"));
    QVERIFY(managerState.isValid());
    QVERIFY(!managerState.isWritable());
    QCOMPARE(managerState.notifySignal().name(), QByteArray("stateChanged"));
}

void tst_Client::serverDisconnect()
{
    startServer();
    auto m = manager();
    ClientSocket *socket = m->socket();
    QTRY_VERIFY(socket->isConnected());
    QSignalSpy disconnected(socket, &ClientSocket::disconnected);
    m_serverSockets.first()->disconnectSocket();
    QTRY_COMPARE(disconnected.count(), 1);
    QCOMPARE(disconnected.at(0).at(0).toString(), QStringLiteral("io server disconnect"));
    QCOMPARE(disconnected.at(0).at(2).value<ClientSocket::DisconnectReason>(),
             ClientSocket::DisconnectReason::IoServerDisconnect);
    // The server's decision stands: no reconnection.
    QVERIFY(!socket->isActive());
}

// Socket::disconnectSocket() is the reference's socket.disconnect(); the name disconnect()
// stays QObject's, so that disconnecting a receiver does not close the connection.
static_assert(
    std::is_same_v<decltype(std::declval<Socket &>().disconnect(std::declval<QObject *>())), bool>,
    "Socket::disconnect(receiver) must be QObject::disconnect()");

void tst_Client::qobjectDisconnectKeepsConnection()
{
    startServer();
    auto m = manager();
    ClientSocket *socket = m->socket();
    QTRY_VERIFY(socket->isConnected());
    QTRY_COMPARE(m_serverSockets.size(), 1);
    Socket *serverSocket = m_serverSockets.first();
    QObject receiver;
    int calls = 0;
    connect(serverSocket, &Socket::dataChanged, &receiver, [&calls] { ++calls; });
    serverSocket->setData({{QStringLiteral("a"), 1}});
    QCOMPARE(calls, 1);
    QSignalSpy disconnected(socket, &ClientSocket::disconnected);

    QVERIFY(serverSocket->disconnect(&receiver));
    serverSocket->setData({{QStringLiteral("a"), 2}});
    QCOMPARE(calls, 1); // the slot is gone
    QVERIFY(serverSocket->isConnected());
    // Nothing went out: the client stays connected and hears the server.
    QSignalSpy echoed(socket, &ClientSocket::eventReceived);
    serverSocket->emitEvent(QStringLiteral("still-here"));
    QTRY_COMPARE(echoed.count(), 1);
    QCOMPARE(echoed.at(0).at(0).toString(), QStringLiteral("still-here"));
    QCOMPARE(disconnected.count(), 0);
    QVERIFY(socket->isConnected());
    QVERIFY(m_serverReasons.isEmpty());
}

void tst_Client::clientDisconnect()
{
    startServer();
    auto m = manager();
    ClientSocket *socket = m->socket();
    QTRY_VERIFY(socket->isConnected());
    QSignalSpy disconnected(socket, &ClientSocket::disconnected);
    socket->disconnectFromServer();
    QCOMPARE(disconnected.count(), 1);
    QCOMPARE(disconnected.at(0).at(0).toString(), QStringLiteral("io client disconnect"));
    QCOMPARE(disconnected.at(0).at(2).value<ClientSocket::DisconnectReason>(),
             ClientSocket::DisconnectReason::IoClientDisconnect);
    QTRY_COMPARE(m_serverReasons.size(), 1);
    QVERIFY2(m_serverReasons.first() == u"client namespace disconnect" ||
                 m_serverReasons.first() == u"transport close",
             qPrintable(m_serverReasons.first()));
}

void tst_Client::reconnection()
{
    startServer();
    const quint16 port = m_io->serverPort();
    ManagerOptions options;
    options.transports = {QStringLiteral("websocket")};
    auto m = manager(options);
    ClientSocket *socket = m->socket();
    QTRY_VERIFY(socket->isConnected());
    QSignalSpy disconnected(socket, &ClientSocket::disconnected);
    QSignalSpy attempts(m.get(), &Manager::reconnectAttempt);
    QSignalSpy reconnected(m.get(), &Manager::reconnected);
    QSignalSpy connected(socket, &ClientSocket::connected);
    // The server goes away, then comes back on the same port.
    m_io.reset();
    QTRY_COMPARE(disconnected.count(), 1);
    QCOMPARE(disconnected.at(0).at(0).toString(), QStringLiteral("transport close"));
    QCOMPARE(disconnected.at(0).at(2).value<ClientSocket::DisconnectReason>(),
             ClientSocket::DisconnectReason::TransportClose);
    QTRY_VERIFY(attempts.count() >= 1);
    m_io = std::make_unique<Server>();
    connect(m_io.get(), &Server::connection, this,
            [this](Socket *s) { m_serverSockets.append(s); });
    QVERIFY(m_io->listen(QHostAddress::LocalHost, port));
    QTRY_COMPARE_WITH_TIMEOUT(reconnected.count(), 1, 10000);
    QTRY_COMPARE(connected.count(), 1);
    QVERIFY(socket->isConnected());
    QCOMPARE(attempts.first().at(0).toInt(), 1);
}

void tst_Client::reconnectionFails()
{
    // A port with nobody listening.
    QTcpServer probe;
    QVERIFY(probe.listen(QHostAddress::LocalHost, 0));
    const QUrl target(QStringLiteral("http://127.0.0.1:%1").arg(probe.serverPort()));
    probe.close();
    ManagerOptions options;
    options.reconnectionAttempts = 3;
    options.reconnectionDelay = 20;
    options.reconnectionDelayMax = 40;
    Manager m(target, options);
    QSignalSpy attempts(&m, &Manager::reconnectAttempt);
    QSignalSpy errors(&m, &Manager::reconnectError);
    QSignalSpy failed(&m, &Manager::reconnectFailed);
    ClientSocket *socket = m.socket();
    QSignalSpy connectErrors(socket, &ClientSocket::connectError);
    QTRY_COMPARE_WITH_TIMEOUT(failed.count(), 1, 10000);
    QCOMPARE(attempts.count(), 3);
    QCOMPARE(errors.count(), 3);
    QVERIFY(connectErrors.count() >= 1);
    QVERIFY(!socket->isConnected());
}

void tst_Client::sendBuffer()
{
    startServer();
    ManagerOptions options;
    options.autoConnect = false;
    auto m = manager(options);
    ClientSocket *socket = m->socket();
    socket->emitEvent(QStringLiteral("echo"), {QStringLiteral("early")});
    QCOMPARE(socket->sendBufferSize(), 1);
    QVariantList got;
    socket->on(QStringLiteral("echo"), this,
               [&got](const QVariantList &args, const Ack &) { got = args; });
    socket->connectToServer();
    QTRY_COMPARE(got, QVariantList{QStringLiteral("early")});
    QCOMPARE(socket->sendBufferSize(), 0);
}

void tst_Client::volatileEvents()
{
    startServer();
    ManagerOptions options;
    options.autoConnect = false;
    auto m = manager(options);
    ClientSocket *socket = m->socket();
    // Not connected: a volatile event is dropped, a normal one waits.
    socket->asVolatile().emitEvent(QStringLiteral("echo"), {QStringLiteral("lost")});
    QCOMPARE(socket->sendBufferSize(), 0);
    socket->emitEvent(QStringLiteral("echo"), {QStringLiteral("kept")});
    QCOMPARE(socket->sendBufferSize(), 1);
}

void tst_Client::ackTimeout()
{
    startServer();
    auto m = manager();
    SocketOptions options;
    options.ackTimeout = 100;
    ClientSocket *socket = m->socket(QStringLiteral("/"), options);
    QTRY_VERIFY(socket->isConnected());
    QString error;
    socket->emitEvent(QStringLiteral("nobody-answers"), {}, this,
                      [&error](const QString &e, const QVariantList &) { error = e; });
    QTRY_COMPARE(error, QStringLiteral("operation has timed out"));
    // The per-emit timeout wins over ackTimeout.
    QString second = QStringLiteral("pending");
    socket->timeout(2000).emitEvent(
        QStringLiteral("echo"), {1}, this,
        [&second](const QString &e, const QVariantList &) { second = e; });
    QTRY_COMPARE(second, QString());
}

void tst_Client::disconnectFailsSentAcks()
{
    // As the reference's _clearAcks(): at a disconnection, an acknowledgement with a timeout
    // (or a future) whose event went out fails at once; one whose event is still buffered waits,
    // goes out after the reconnection and gets its answer.
    startServer();
    const quint16 port = m_io->serverPort();
    m_io->of(QStringLiteral("/held"))->use(this, [](Socket *, const Next &) {});
    ManagerOptions options;
    options.transports = {QStringLiteral("websocket")};
    auto m = manager(options);
    ClientSocket *main = m->socket();
    QTRY_VERIFY(main->isConnected());
    QString sentError = QStringLiteral("pending");
    QVERIFY(main->timeout(5000).emitEvent(
        QStringLiteral("nobody-answers"), {}, this,
        [&sentError](const QString &e, const QVariantList &) { sentError = e; }));
    // A future always takes an error (the reference's emitWithAck()); a plain callback
    // without a timeout is never told.
    QFuture<QVariantList> future = main->emitWithAck(QStringLiteral("nobody-answers"), {});
    bool untimedCalled = false;
    QVERIFY(main->emitEvent(
        QStringLiteral("nobody-answers"), {}, this,
        [&untimedCalled](const QString &, const QVariantList &) { untimedCalled = true; }));
    ClientSocket *held = m->socket(QStringLiteral("/held"));
    QString bufferedError = QStringLiteral("pending");
    QVariantList bufferedArgs;
    QVERIFY(held->timeout(5000).emitEvent(QStringLiteral("echo"), {7}, this,
                                          [&](const QString &e, const QVariantList &args) {
                                              bufferedError = e;
                                              bufferedArgs = args;
                                          }));
    QCOMPARE(held->sendBufferSize(), 1);
    QSignalSpy closed(m.get(), &Manager::closed);
    m_io.reset();
    QTRY_COMPARE(sentError, QStringLiteral("socket has been disconnected"));
    QVERIFY(future.isFinished());
    QVERIFY(failedWithTimeout(future));
    QVERIFY(!untimedCalled);
    QVERIFY(closed.count() >= 1);
    QCOMPARE(bufferedError, QStringLiteral("pending"));
    QCOMPARE(held->sendBufferSize(), 1);
    // Back, without the middleware: the buffered event goes out and is answered.
    m_io = std::make_unique<Server>();
    connect(m_io->of(QStringLiteral("/held")), &Namespace::connection, this, [](Socket *socket) {
        socket->on(QStringLiteral("echo"), socket,
                   [](const QVariantList &args, const Ack &ack) { ack(args); });
    });
    QVERIFY(m_io->listen(QHostAddress::LocalHost, port));
    QTRY_COMPARE_WITH_TIMEOUT(bufferedError, QString(), 10000);
    QCOMPARE(bufferedArgs, QVariantList{qint64(7)});
}

void tst_Client::ackTimeoutsInDeadlineOrder()
{
    // Acks wait in one registry with one timer: each deadline must still be kept, whatever
    // order they were added in and whichever is answered first.
    startServer();
    auto m = manager();
    ClientSocket *socket = m->socket();
    QTRY_VERIFY(socket->isConnected());
    QStringList timedOut;
    auto record = [&timedOut](const QString &name) {
        return [&timedOut, name](const QString &error, const QVariantList &) {
            timedOut.append(name + u' ' + error);
        };
    };
    QString echo = QStringLiteral("pending");
    socket->timeout(300).emitEvent(QStringLiteral("nobody-answers"), {}, this,
                                   record(QStringLiteral("300")));
    socket->timeout(100).emitEvent(QStringLiteral("nobody-answers"), {}, this,
                                   record(QStringLiteral("100")));
    // Answered: its entry goes, the others keep their deadlines.
    socket->timeout(5000).emitEvent(
        QStringLiteral("echo"), {1}, this,
        [&echo](const QString &error, const QVariantList &) { echo = error; });
    socket->timeout(200).emitEvent(QStringLiteral("nobody-answers"), {}, this,
                                   record(QStringLiteral("200")));
    QTRY_COMPARE(timedOut.size(), 3);
    QCOMPARE(timedOut, (QStringList{QStringLiteral("100 operation has timed out"),
                                    QStringLiteral("200 operation has timed out"),
                                    QStringLiteral("300 operation has timed out")}));
    QCOMPARE(echo, QString());
}

void tst_Client::retries()
{
    startServer();
    // The server answers only the third try.
    int tries = 0;
    connect(m_io.get(), &Server::connection, this, [&tries](Socket *socket) {
        socket->on(QStringLiteral("flaky"), socket,
                   [&tries](const QVariantList &args, const Ack &ack) {
                       if (++tries == 3)
                           ack(args);
                   });
    });
    auto m = manager();
    SocketOptions options;
    options.ackTimeout = 100;
    options.retries = 3;
    ClientSocket *socket = m->socket(QStringLiteral("/"), options);
    QVariantList reply;
    QString error = QStringLiteral("pending");
    socket->emitEvent(QStringLiteral("flaky"), {7}, this,
                      [&](const QString &e, const QVariantList &r) {
                          error = e;
                          reply = r;
                      });
    QTRY_COMPARE_WITH_TIMEOUT(error, QString(), 5000);
    QCOMPARE(tries, 3);
    QCOMPARE(reply, QVariantList{qint64(7)});
}

void tst_Client::emitWithAckFuture()
{
    startServer();
    auto m = manager();
    ClientSocket *socket = m->socket();
    QFuture<QVariantList> future =
        socket->emitWithAck(QStringLiteral("echo"), {QStringLiteral("f")});
    QTRY_VERIFY(future.isFinished());
    QCOMPARE(future.result(), QVariantList{QStringLiteral("f")});
    QFuture<QVariantList> late = socket->timeout(50).emitWithAck(QStringLiteral("nobody"), {});
    QTRY_VERIFY(late.isFinished());
    QVERIFY(failedWithTimeout(late));
}

void tst_Client::anyListeners()
{
    startServer();
    auto m = manager();
    ClientSocket *socket = m->socket();
    QStringList incoming, outgoing;
    socket->onAny(this,
                  [&](const QString &event, const QVariantList &) { incoming.append(event); });
    socket->onAnyOutgoing(
        this, [&](const QString &event, const QVariantList &) { outgoing.append(event); });
    QTRY_VERIFY(socket->isConnected());
    socket->emitEvent(QStringLiteral("echo"), {1});
    QTRY_COMPARE(incoming, QStringList{QStringLiteral("echo")});
    QCOMPARE(outgoing, QStringList{QStringLiteral("echo")});
    QTest::ignoreMessage(QtWarningMsg, QRegularExpression(QStringLiteral("reserved event name")));
    QVERIFY(!socket->emitEvent(QStringLiteral("disconnect")));
}

void tst_Client::multiplexAndIo()
{
    startServer();
    m_io->of(QStringLiteral("/admin"));
    ClientSocket *main = io(url());
    ClientSocket *admin = io(QUrl(url().toString() + QStringLiteral("/admin")));
    QCOMPARE(main->manager(), admin->manager()); // one connection, two namespaces
    QTRY_VERIFY(main->isConnected() && admin->isConnected());
    ClientSocket *again = io(url());
    QVERIFY(again->manager() != main->manager()); // same namespace: a new connection
    ManagerOptions forceNew;
    forceNew.forceNew = true;
    ClientSocket *fresh = io(QUrl(url().toString() + QStringLiteral("/admin")), forceNew);
    QVERIFY(fresh->manager() != admin->manager());
    for (ClientSocket *s : {main, admin, again, fresh})
        s->manager()->close();
    delete main->manager();
    delete again->manager();
    delete fresh->manager();
}

void tst_Client::connectionStateRecovery()
{
    ServerOptions serverOptions;
    serverOptions.connectionStateRecovery = ConnectionStateRecoveryOptions();
    startServer(serverOptions);
    ManagerOptions options;
    options.transports = {QStringLiteral("websocket")};
    auto m = manager(options);
    ClientSocket *socket = m->socket();
    QStringList news;
    socket->on(QStringLiteral("news"), this, [&news](const QVariantList &args, const Ack &) {
        news.append(args.value(0).toString());
    });
    QTRY_VERIFY(socket->isConnected());
    const QString id = socket->id();
    QVERIFY(!socket->isRecovered());
    m_io->emitEvent(QStringLiteral("news"), {QStringLiteral("one")});
    QTRY_COMPARE(news.size(), 1);
    // Kill the transport from the server side, emit meanwhile.
    QSignalSpy disconnected(socket, &ClientSocket::disconnected);
    m_serverSockets.first()->conn()->close();
    QTRY_COMPARE(disconnected.count(), 1);
    m_io->emitEvent(QStringLiteral("news"), {QStringLiteral("two")});
    m_io->emitEvent(QStringLiteral("news"), {QStringLiteral("three")});
    QTRY_VERIFY_WITH_TIMEOUT(socket->isConnected(), 10000);
    QVERIFY(socket->isRecovered());
    QCOMPARE(socket->id(), id);
    QTRY_COMPARE(
        news, (QStringList{QStringLiteral("one"), QStringLiteral("two"), QStringLiteral("three")}));
}

void tst_Client::msgpack()
{
    ServerOptions serverOptions;
    serverOptions.parser = Parser::msgpackParser();
    startServer(serverOptions);
    ManagerOptions options;
    options.parser = Parser::msgpackParser();
    auto m = manager(options);
    ClientSocket *socket = m->socket();
    QFuture<QVariantList> future =
        socket->emitWithAck(QStringLiteral("echo"), {QByteArray("\x01\x02", 2), 1.5});
    QTRY_VERIFY(future.isFinished());
    QCOMPARE(future.result(), (QVariantList{QByteArray("\x01\x02", 2), 1.5}));
}

void tst_Client::pingTimeoutOnClient()
{
    // A server that completes the handshakes and then never pings.
    QWebSocketServer silent(QStringLiteral("silent"), QWebSocketServer::NonSecureMode);
    QVERIFY(silent.listen(QHostAddress::LocalHost, 0));
    connect(&silent, &QWebSocketServer::newConnection, this, [&silent] {
        QWebSocket *ws = silent.nextPendingConnection();
        ws->setParent(&silent); // the caller owns what nextPendingConnection() returns
        ws->sendTextMessage(QStringLiteral("0{\"sid\":\"abc\",\"upgrades\":[],\"pingInterval\":100,"
                                           "\"pingTimeout\":100,\"maxPayload\":1000000}"));
        connect(ws, &QWebSocket::textMessageReceived, ws, [ws](const QString &text) {
            if (text == u"40")
                ws->sendTextMessage(QStringLiteral("40{\"sid\":\"def\"}"));
        });
    });
    ManagerOptions options;
    options.reconnection = false;
    options.transports = {QStringLiteral("websocket")};
    Manager m(QUrl(QStringLiteral("http://127.0.0.1:%1").arg(silent.serverPort())), options);
    ClientSocket *socket = m.socket();
    QSignalSpy disconnected(socket, &ClientSocket::disconnected);
    QSignalSpy connectedSpy(socket, &ClientSocket::connected);
    QString id;
    connect(socket, &ClientSocket::connected, this, [&id, socket] { id = socket->id(); });
    QTRY_COMPARE(connectedSpy.count(), 1);
    QCOMPARE(id, QStringLiteral("def"));
    QElapsedTimer clock;
    clock.start();
    QTRY_COMPARE(disconnected.count(), 1);
    QCOMPARE(disconnected.at(0).at(0).toString(), QStringLiteral("ping timeout"));
    QCOMPARE(disconnected.at(0).at(2).value<ClientSocket::DisconnectReason>(),
             ClientSocket::DisconnectReason::PingTimeout);
    QVERIFY(clock.elapsed() < 1000);
}

void tst_Client::optionsFromVariantMap()
{
    QString error;
    SocketOptions socketOptions;
    const ManagerOptions options = ManagerOptions::fromVariantMap(
        {{QStringLiteral("path"), QStringLiteral("/x")},
         {QStringLiteral("transports"), QStringList{QStringLiteral("websocket")}},
         {QStringLiteral("reconnectionAttempts"), 1e300},
         {QStringLiteral("force new connection"), true},
         {QStringLiteral("auth"), QVariantMap{{QStringLiteral("a"), 1}}},
         {QStringLiteral("timeout"), false}},
        &error, &socketOptions);
    QVERIFY2(error.isEmpty(), qPrintable(error));
    QCOMPARE(options.path, QStringLiteral("/x"));
    QVERIFY(options.forceNew);
    QCOMPARE(options.timeout, -1);
    QCOMPARE(options.reconnectionAttempts, std::numeric_limits<int>::max());
    QCOMPARE(socketOptions.auth.value(QStringLiteral("a")).toInt(), 1);
    ManagerOptions::fromVariantMap(
        {{QStringLiteral("transports"), QStringList{QStringLiteral("webtransport")}}}, &error);
    QVERIFY(error.contains(u"HTTP/3"));
    ManagerOptions::fromVariantMap({{QStringLiteral("agent"), true}}, &error);
    QVERIFY(error.contains(u"not supported"));
    ManagerOptions::fromVariantMap({{QStringLiteral("nope"), true}}, &error);
    QVERIFY(error.contains(u"unknown option"));

    // perMessageDeflate: on by default, as in Node; false, true or ws's options.
    QVERIFY(ManagerOptions().perMessageDeflate());
    QCOMPARE(ManagerOptions().perMessageDeflateOptions().threshold, 1024);
    QVERIFY(!ManagerOptions::fromVariantMap({{QStringLiteral("perMessageDeflate"), false}}, &error)
                 .perMessageDeflate());
    QVERIFY2(error.isEmpty(), qPrintable(error));
    const ManagerOptions deflate = ManagerOptions::fromVariantMap(
        {{QStringLiteral("perMessageDeflate"), QVariantMap{{QStringLiteral("threshold"), 0}}},
         {QStringLiteral("maxPayload"), 4096}},
        &error);
    QVERIFY2(error.isEmpty(), qPrintable(error));
    QVERIFY(deflate.perMessageDeflate());
    QCOMPARE(deflate.perMessageDeflateOptions().threshold, 0);
    QCOMPARE(deflate.maxPayload(), 4096);
    QCOMPARE(ManagerOptions().maxPayload(), 100 * 1024 * 1024);
    ManagerOptions::fromVariantMap({{QStringLiteral("perMessageDeflate"), QStringLiteral("yes")}},
                                   &error);
    QCOMPARE(error, QStringLiteral("option \"perMessageDeflate\": expected true, false or an "
                                   "object"));
    ManagerOptions::fromVariantMap({{QStringLiteral("perMessageDeflate"),
                                     QVariantMap{{QStringLiteral("clientMaxWindowBits"), 20}}}},
                                   &error);
    QVERIFY2(error.contains(u"window bits"), qPrintable(error));
}

// engine.io-client's requestTimeout: a polling request the server never answers fails the
// attempt after it, long before the Manager's own timeout (20 s).
void tst_Client::requestTimeout()
{
    QTcpServer silent; // accepts, reads nothing, answers nothing
    QVERIFY(silent.listen(QHostAddress::LocalHost, 0));
    QString error;
    const ManagerOptions options = ManagerOptions::fromVariantMap(
        {{QStringLiteral("requestTimeout"), 300},
         {QStringLiteral("reconnection"), false},
         {QStringLiteral("transports"), QStringList{QStringLiteral("polling")}}},
        &error);
    QVERIFY2(error.isEmpty(), qPrintable(error));
    QCOMPARE(options.requestTimeout(), 300);
    QCOMPARE(ManagerOptions().requestTimeout(), 0);
    Manager manager(QUrl(QStringLiteral("http://127.0.0.1:%1").arg(silent.serverPort())), options);
    QSignalSpy errors(manager.socket(), &ClientSocket::connectError);
    QElapsedTimer clock;
    clock.start();
    QTRY_COMPARE_WITH_TIMEOUT(errors.size(), 1, 5000);
    QVERIFY2(clock.elapsed() < 5000, qPrintable(QString::number(clock.elapsed())));
    ManagerOptions::fromVariantMap({{QStringLiteral("requestTimeout"), -1}}, &error);
    QVERIFY2(error.contains(u"requestTimeout"), qPrintable(error));
    // engine.io-client names with no meaning here are refused with their reason.
    ManagerOptions::fromVariantMap({{QStringLiteral("transportOptions"), QVariantMap()}}, &error);
    QVERIFY2(error.contains(u"per transport"), qPrintable(error));
    ManagerOptions::fromVariantMap({{QStringLiteral("forceJSONP"), true}}, &error);
    QVERIFY2(error.contains(u"Engine.IO 3"), qPrintable(error));
}

void tst_Client::withCredentialsKeepsCookies_data()
{
    QTest::addColumn<bool>("withCredentials");
    QTest::addRow("withCredentials") << true;
    QTest::addRow("without") << false;
}

void tst_Client::withCredentialsKeepsCookies()
{
    QFETCH(bool, withCredentials);
    ServerOptions serverOptions;
    serverOptions.engine.cookie = CookieOptions();
    serverOptions.engine.cookie->name = QStringLiteral("sticky");
    startServer(serverOptions);
    // The cookie set on the handshake comes back on the next polling requests.
    QByteArrayList cookies;
    m_io->engine()->setHeadersHook(
        this, [&cookies](const HttpRequest &request, HttpResponse &, bool initial) {
            if (!initial)
                cookies.append(request.header("cookie"));
        });
    ManagerOptions options;
    options.transports = {QStringLiteral("polling")};
    options.withCredentials = withCredentials;
    auto m = manager(options);
    ClientSocket *socket = m->socket();
    QTRY_VERIFY(socket->isConnected());
    QTRY_VERIFY(!cookies.isEmpty());
    const QByteArray expected = "sticky=" + m_serverSockets.first()->conn()->id().toLatin1();
    if (withCredentials)
        QCOMPARE(cookies.last(), expected);
    else
        QVERIFY(cookies.last().isEmpty());
}

void tst_Client::rememberUpgrade()
{
    startServer();
    QStringList firstTransports;
    connect(m_io.get(), &Server::connection, this, [&firstTransports](Socket *socket) {
        firstTransports.append(socket->conn()->request().queryItem(QStringLiteral("transport")));
    });
    ManagerOptions options;
    options.rememberUpgrade = true;
    auto first = manager(options);
    QSignalSpy upgraded(first.get(), &Manager::upgraded);
    first->socket();
    QTRY_COMPARE(upgraded.count(), 1);
    // A WebSocket worked: the next connection starts there.
    auto second = manager(options);
    QTRY_VERIFY(second->socket()->isConnected());
    QCOMPARE(firstTransports,
             (QStringList{QStringLiteral("polling"), QStringLiteral("websocket")}));
    options.rememberUpgrade = false;
    auto third = manager(options);
    QTRY_VERIFY(third->socket()->isConnected());
    QCOMPARE(firstTransports.last(), QStringLiteral("polling"));
}

void tst_Client::tryAllTransports()
{
    ServerOptions serverOptions;
    serverOptions.engine.transports = {QStringLiteral("polling")};
    startServer(serverOptions);
    ManagerOptions options;
    options.transports = {QStringLiteral("websocket"), QStringLiteral("polling")};
    options.tryAllTransports = true;
    options.reconnection = false;
    auto m = manager(options);
    ClientSocket *socket = m->socket();
    QTRY_VERIFY(socket->isConnected());
    QCOMPARE(m->transportName(), QStringLiteral("polling"));
    // Without it, the refused WebSocket is the end.
    options.tryAllTransports = false;
    auto refused = manager(options);
    QSignalSpy errors(refused->socket(), &ClientSocket::connectError);
    QTRY_COMPARE(errors.count(), 1);
}

void tst_Client::mutualTlsWithCiphers_data()
{
    QTest::addColumn<QString>("clientKey");
    QTest::addRow("rsa client key") << QStringLiteral("rsa");
    // A PKCS#8 PEM does not name its algorithm: an EC key must not be read as RSA.
    QTest::addRow("ec client key") << QStringLiteral("ec");
}

void tst_Client::mutualTlsWithCiphers()
{
    QFETCH(QString, clientKey);
    // A CA, a server certificate and a client certificate with an encrypted key.
    QTemporaryDir dir;
    auto run = [](const QStringList &args) {
        QProcess openssl;
        openssl.start(QStringLiteral("openssl"), args);
        return openssl.waitForFinished(30000) && openssl.exitCode() == 0;
    };
    const QString d = dir.path();
    QVERIFY(run({QStringLiteral("req"), QStringLiteral("-x509"), QStringLiteral("-newkey"),
                 QStringLiteral("rsa:2048"), QStringLiteral("-nodes"), QStringLiteral("-keyout"),
                 d + QStringLiteral("/ca.key"), QStringLiteral("-out"),
                 d + QStringLiteral("/ca.pem"), QStringLiteral("-days"), QStringLiteral("1"),
                 QStringLiteral("-subj"), QStringLiteral("/CN=test-ca")}));
    for (const QString &name : {QStringLiteral("server"), QStringLiteral("client")}) {
        QStringList key = {QStringLiteral("genrsa"), QStringLiteral("-out"),
                           d + u'/' + name + QStringLiteral(".key"), QStringLiteral("2048")};
        if (name == u"client" && clientKey == u"ec")
            key = {QStringLiteral("genpkey"),
                   QStringLiteral("-algorithm"),
                   QStringLiteral("EC"),
                   QStringLiteral("-pkeyopt"),
                   QStringLiteral("ec_paramgen_curve:P-256"),
                   QStringLiteral("-out"),
                   d + u'/' + name + QStringLiteral(".key")};
        QVERIFY(run(key));
        QVERIFY(run({QStringLiteral("req"), QStringLiteral("-new"), QStringLiteral("-key"),
                     d + u'/' + name + QStringLiteral(".key"), QStringLiteral("-out"),
                     d + u'/' + name + QStringLiteral(".csr"), QStringLiteral("-subj"),
                     QStringLiteral("/CN=") + name}));
        QFile ext(d + u'/' + name + QStringLiteral(".ext"));
        QVERIFY(ext.open(QIODevice::WriteOnly));
        ext.write("subjectAltName=IP:127.0.0.1\n");
        ext.close();
        QVERIFY(run({QStringLiteral("x509"), QStringLiteral("-req"), QStringLiteral("-in"),
                     d + u'/' + name + QStringLiteral(".csr"), QStringLiteral("-CA"),
                     d + QStringLiteral("/ca.pem"), QStringLiteral("-CAkey"),
                     d + QStringLiteral("/ca.key"), QStringLiteral("-CAcreateserial"),
                     QStringLiteral("-out"), d + u'/' + name + QStringLiteral(".pem"),
                     QStringLiteral("-days"), QStringLiteral("1"), QStringLiteral("-extfile"),
                     d + u'/' + name + QStringLiteral(".ext")}));
    }
    QVERIFY(
        run({QStringLiteral("pkey"), QStringLiteral("-in"), d + QStringLiteral("/client.key"),
             QStringLiteral("-aes256"), QStringLiteral("-passout"), QStringLiteral("pass:secret"),
             QStringLiteral("-out"), d + QStringLiteral("/client-encrypted.key")}));
    auto readFile = [](const QString &path) {
        QFile f(path);
        return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
    };
    const QList<QSslCertificate> ca = QSslCertificate::fromPath(d + QStringLiteral("/ca.pem"));
    QVERIFY(!ca.isEmpty());

    // The server requires a client certificate from that CA.
    QSslConfiguration serverTls = QSslConfiguration::defaultConfiguration();
    serverTls.setLocalCertificate(
        QSslCertificate::fromPath(d + QStringLiteral("/server.pem")).value(0));
    serverTls.setPrivateKey(QSslKey(readFile(d + QStringLiteral("/server.key")), QSsl::Rsa));
    serverTls.setCaCertificates(ca);
    serverTls.setPeerVerifyMode(QSslSocket::VerifyPeer);
    // One TLS 1.2 cipher, so that the client's cipher list decides.
    serverTls.setProtocol(QSsl::TlsV1_2);
    serverTls.setCiphers({QSslCipher(QStringLiteral("ECDHE-RSA-AES256-GCM-SHA384"))});
    m_io = std::make_unique<Server>();
    connect(m_io.get(), &Server::connection, this,
            [this](Socket *socket) { m_serverSockets.append(socket); });
    m_io->setSslConfiguration(serverTls);
    QVERIFY(m_io->listen(QHostAddress::LocalHost, 0));
    const QUrl target(QStringLiteral("https://127.0.0.1:%1").arg(m_io->serverPort()));

    ManagerOptions options;
    options.transports = {QStringLiteral("websocket")};
    options.reconnection = false;
    options.tls.ca = ca;
    // Without a client certificate the server refuses.
    {
        Manager m(target, options);
        QSignalSpy errors(m.socket(), &ClientSocket::connectError);
        QTRY_COMPARE_WITH_TIMEOUT(errors.count(), 1, 10000);
    }
    options.tls.cert = QSslCertificate::fromPath(d + QStringLiteral("/client.pem"));
    options.tls.key = readFile(d + QStringLiteral("/client-encrypted.key"));
    // A wrong passphrase fails the connection with a reason, before anything is sent.
    options.tls.passphrase = "wrong";
    {
        Manager m(target, options);
        QSignalSpy errors(&m, &Manager::errorOccurred);
        m.socket(); // connects
        QTRY_COMPARE_WITH_TIMEOUT(errors.count(), 1, 10000);
        QVERIFY2(errors.at(0).at(0).toString().contains(QStringLiteral("tls.key")),
                 qPrintable(errors.at(0).at(0).toString()));
    }
    options.tls.passphrase = "secret";
    // A cipher list the server does not share fails the handshake.
    options.tls.ciphers = QStringLiteral("ECDHE-RSA-AES128-GCM-SHA256");
    {
        Manager m(target, options);
        QSignalSpy errors(m.socket(), &ClientSocket::connectError);
        QTRY_COMPARE_WITH_TIMEOUT(errors.count(), 1, 10000);
        QCOMPARE(m_serverSockets.size(), 0);
    }
    options.tls.ciphers = QStringLiteral("ECDHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-AES256-GCM-SHA384");
    Manager m(target, options);
    ClientSocket *socket = m.socket();
    QTRY_VERIFY_WITH_TIMEOUT(socket->isConnected(), 10000);
    QCOMPARE(m_serverSockets.size(), 1);
    QVERIFY(m_serverSockets.first()->handshake().isSecure());
    // Node's socket.request.client.getPeerCertificate(): the certificate the client showed.
    QCOMPARE(m_serverSockets.first()->conn()->request().peerCertificate(),
             options.tls.cert.first());
}

void tst_Client::optionsBetweenAttempts()
{
    // A server without WebSocket: the documented fallback changes the transports on
    // connect_error, and a reconnectAttempt slot refreshes the query for the attempt it
    // precedes.
    ServerOptions serverOptions;
    serverOptions.engine.transports = {QStringLiteral("polling")};
    startServer(serverOptions);
    ManagerOptions options;
    options.transports = {QStringLiteral("websocket")};
    options.query = {{QStringLiteral("token"), QStringLiteral("first")}};
    auto m = manager(options);
    QSignalSpy attempts(m.get(), &Manager::reconnectAttempt);
    connect(m.get(), &Manager::reconnectAttempt, this, [&m](int attempt) {
        ManagerOptions next = m->options();
        next.query.insert(QStringLiteral("token"), QStringLiteral("attempt-%1").arg(attempt));
        QVERIFY(m->setOptions(next));
    });
    ClientSocket *socket = m->socket();
    connect(socket, &ClientSocket::connectError, this, [&m] {
        ManagerOptions next = m->options();
        next.transports = {QStringLiteral("polling"), QStringLiteral("websocket")};
        QVERIFY(m->setOptions(next));
    });
    QTRY_VERIFY_WITH_TIMEOUT(socket->isConnected(), 10000);
    QCOMPARE(m->transportName(), QStringLiteral("polling"));
    QCOMPARE(attempts.count(), 1);
    QCOMPARE(m_serverSockets.size(), 1);
    QCOMPARE(m_serverSockets.first()->handshake().query().value(QStringLiteral("token")),
             QVariant(QStringLiteral("attempt-1")));

    // Refused options change nothing.
    ManagerOptions bad = m->options();
    bad.randomizationFactor = 2;
    QVERIFY(!m->setOptions(bad));
    QCOMPARE(m->options().randomizationFactor, 0.5);
}

void tst_Client::reconnectionOffInAttemptSlot()
{
    // Like the reference's manager.reconnection(false) in a reconnect_attempt handler: the
    // attempt being announced is not made.
    QTcpServer probe;
    QVERIFY(probe.listen(QHostAddress::LocalHost, 0));
    const QUrl target(QStringLiteral("http://127.0.0.1:%1").arg(probe.serverPort()));
    probe.close();
    ManagerOptions options;
    options.reconnectionDelay = 20;
    options.reconnectionDelayMax = 40;
    Manager m(target, options);
    QSignalSpy attempts(&m, &Manager::reconnectAttempt);
    connect(&m, &Manager::reconnectAttempt, this, [&m] {
        ManagerOptions off = m.options();
        off.reconnection = false;
        QVERIFY(m.setOptions(off));
    });
    m.socket();
    QTRY_COMPARE(attempts.count(), 1);
    QCOMPARE(m.state(), Manager::State::Closed);
    QVERIFY(!m.isReconnecting());
}

void tst_Client::reservedQueryKeys_data()
{
    QTest::addColumn<QString>("key");
    for (const char *key : {"EIO", "transport", "sid", "t", "j", "b64"})
        QTest::addRow("%s", key) << QString::fromLatin1(key);
}

void tst_Client::reservedQueryKeys()
{
    QFETCH(QString, key);
    startServer();
    ManagerOptions options;
    options.query = {{key, QStringLiteral("mine")}};
    const QString problem = options.validate();
    QVERIFY2(problem.contains(u'"' + key + u'"') && problem.contains(QStringLiteral("reserved")),
             qPrintable(problem));
    // The connection fails with that reason instead of sending the parameter twice.
    options.reconnection = false;
    auto m = manager(options);
    QSignalSpy errors(m.get(), &Manager::errorOccurred);
    m->socket();
    QTRY_COMPARE(errors.count(), 1);
    QCOMPARE(errors.at(0).at(0).toString(), problem);
    QCOMPARE(m_serverSockets.size(), 0);
}

void tst_Client::connectionTimeout()
{
    // A server that accepts connections and never answers.
    QTcpServer mute;
    QVERIFY(mute.listen(QHostAddress::LocalHost, 0));
    ManagerOptions options;
    options.timeout = 200;
    options.reconnection = false;
    Manager m(QUrl(QStringLiteral("http://127.0.0.1:%1").arg(mute.serverPort())), options);
    QSignalSpy errors(&m, &Manager::errorOccurred);
    ClientSocket *socket = m.socket();
    QSignalSpy connectErrors(socket, &ClientSocket::connectError);
    QElapsedTimer clock;
    clock.start();
    QTRY_COMPARE(errors.count(), 1);
    QCOMPARE(errors.at(0).at(0).toString(), QStringLiteral("timeout"));
    QCOMPARE(errors.at(0).at(1).value<Manager::Error>(), Manager::Error::Timeout);
    QVERIFY(clock.elapsed() >= 150);
    QCOMPARE(connectErrors.count(), 1);
    QCOMPARE(connectErrors.at(0).at(2).value<Manager::Error>(), Manager::Error::Timeout);
}

void tst_Client::pingSignal()
{
    ServerOptions serverOptions;
    serverOptions.engine.pingInterval = 100;
    startServer(serverOptions);
    auto m = manager();
    QSignalSpy pings(m.get(), &Manager::ping);
    m->socket();
    QTRY_VERIFY(pings.count() >= 2);
}

// WebSocket compression against our own server: agreed when both sides want it, a JSON-heavy
// message both ways takes a fraction of its size on the wire, and nothing breaks when either
// side does not want it.
void tst_Client::perMessageDeflate_data()
{
    QTest::addColumn<bool>("serverDeflate");
    QTest::addColumn<bool>("clientDeflate");
    QTest::addColumn<QStringList>("transports");
    const QString polling = QStringLiteral("polling");
    const QString websocket = QStringLiteral("websocket");
    QTest::addRow("both, websocket") << true << true << QStringList{websocket};
    QTest::addRow("both, upgrade") << true << true << QStringList{polling, websocket};
    QTest::addRow("client off") << true << false << QStringList{websocket};
    QTest::addRow("server off") << false << true << QStringList{websocket};
}

void tst_Client::perMessageDeflate()
{
    QFETCH(bool, serverDeflate);
    QFETCH(bool, clientDeflate);
    QFETCH(QStringList, transports);
#if !SOCKETIO_LEAN_ENGINE
    if (serverDeflate)
        QSKIP("the server's permessage-deflate needs the lean engine");
#endif
    ServerOptions serverOptions;
    serverOptions.engine.perMessageDeflate = serverDeflate;
    serverOptions.engine.maxHttpBufferSize = 10'000'000;
    startServer(serverOptions);
    TcpForwarder forwarder(m_io->serverPort());
    ManagerOptions options;
    options.transports = transports;
    options.setPerMessageDeflate(clientDeflate);
    options.reconnectionDelay = 50;
    Manager m(QUrl(QStringLiteral("http://127.0.0.1:%1").arg(forwarder.port())), options);
    ClientSocket *socket = m.socket();
    QSignalSpy connected(socket, &ClientSocket::connected);
    QTRY_COMPARE(connected.count(), 1);
    QTRY_COMPARE(m.transportName(), QStringLiteral("websocket"));
    QTRY_COMPARE(m_serverSockets.size(), 1);
    QTRY_COMPARE(m_serverSockets.first()->conn()->transportName(), QStringLiteral("websocket"));

    QVariantList rows;
    for (int i = 0; i < 2000; ++i) {
        rows.append(QVariantMap{{QStringLiteral("id"), i},
                                {QStringLiteral("name"), QStringLiteral("user-%1").arg(i)},
                                {QStringLiteral("active"), i % 3 == 0}});
    }
    const QVariantList big{QVariantMap{{QStringLiteral("rows"), rows}}};
    const qint64 upBefore = forwarder.bytesUp();
    const qint64 downBefore = forwarder.bytesDown();
    QFuture<QVariantList> echo = socket->emitWithAck(QStringLiteral("echo"), big);
    QTRY_VERIFY(echo.isFinished());
    QCOMPARE(echo.result(), big);
    const qint64 up = forwarder.bytesUp() - upBefore;
    const qint64 down = forwarder.bytesDown() - downBefore;
    // About 70 KB of JSON each way.
    qInfo("%s: %lld bytes up, %lld bytes down", QTest::currentDataTag(), up, down);
    const bool agreed = serverDeflate && clientDeflate;
    QVERIFY2(agreed ? up < 20'000 : up > 60'000, qPrintable(QString::number(up)));
    QVERIFY2(agreed ? down < 20'000 : down > 60'000, qPrintable(QString::number(down)));
    // Small messages still go.
    QFuture<QVariantList> small = socket->emitWithAck(QStringLiteral("echo"), {1});
    QTRY_VERIFY(small.isFinished());
    QCOMPARE(small.result(), QVariantList{1});
}

// A server that breaks the protocol after the handshake (a masked frame): the client
// reports a transport error and gets on with reconnecting.
void tst_Client::hostileServerFrame()
{
    QTcpServer server;
    QVERIFY(server.listen(QHostAddress::LocalHost, 0));
    int connections = 0;
    connect(&server, &QTcpServer::newConnection, this, [&] {
        QTcpSocket *peer = server.nextPendingConnection();
        ++connections;
        connect(peer, &QTcpSocket::readyRead, peer, [peer] {
            const QByteArray request = peer->readAll();
            QByteArray key;
            for (const QByteArray &line : request.split('\n')) {
                if (line.toLower().startsWith("sec-websocket-key:"))
                    key = line.sliced(18).trimmed();
            }
            if (key.isEmpty())
                return;
            key += "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
            peer->write("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
                        "Connection: Upgrade\r\nSec-WebSocket-Accept: " +
                        QCryptographicHash::hash(key, QCryptographicHash::Sha1).toBase64() +
                        "\r\n\r\n");
            // A masked text frame: "0{...}", the open packet.
            const QByteArray open = R"(0{"sid":"x","upgrades":[],"pingInterval":25000,)"
                                    R"("pingTimeout":20000,"maxPayload":1000000})";
            QByteArray frame = "\x81";
            frame += char(0x80 | 126);
            frame += char(open.size() >> 8);
            frame += char(open.size() & 0xff);
            frame += QByteArray(4, '\0'); // a zero mask key: the payload reads as it is
            peer->write(frame + open);
        });
    });
    ManagerOptions options;
    options.transports = {QStringLiteral("websocket")};
    options.reconnectionDelay = 50;
    options.reconnectionDelayMax = 50;
    options.reconnectionAttempts = 1;
    Manager m(QUrl(QStringLiteral("http://127.0.0.1:%1").arg(server.serverPort())), options);
    QSignalSpy errors(m.socket(), &ClientSocket::connectError);
    QSignalSpy failed(&m, &Manager::reconnectFailed);
    QTRY_COMPARE(failed.count(), 1);
    QCOMPARE(connections, 2);
    QVERIFY(!errors.isEmpty());
    QVERIFY2(errors.first().first().toString().contains(u"websocket error"),
             qPrintable(errors.first().first().toString()));
}

QTEST_GUILESS_MAIN(tst_Client)
#include "tst_client.moc"
