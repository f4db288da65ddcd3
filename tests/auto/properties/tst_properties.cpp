// The read-only properties QML and the Inspector bind to: each one notifies (or is constant),
// and the notifications come when the value changes.
#include <SocketIO/ClientSocket>
#include <SocketIO/Manager>
#include <SocketIO/Server>

#include <QtCore/QMetaProperty>
#include <QtTest/QSignalSpy>
#include <QtTest/QTest>

#include <memory>

using namespace SocketIO;

class tst_Properties : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void everyPropertyNotifies_data();
    void everyPropertyNotifies();
    void serverSide();
    void clientSide();
    void transportUpgrade();
};

void tst_Properties::everyPropertyNotifies_data()
{
    QTest::addColumn<const QMetaObject *>("meta");
    QTest::addRow("Server") << &Server::staticMetaObject;
    QTest::addRow("Namespace") << &Namespace::staticMetaObject;
    QTest::addRow("Socket") << &Socket::staticMetaObject;
    QTest::addRow("Manager") << &Manager::staticMetaObject;
    QTest::addRow("ClientSocket") << &ClientSocket::staticMetaObject;
    QTest::addRow("EngineServer") << &EngineServer::staticMetaObject;
    QTest::addRow("EngineSocket") << &EngineSocket::staticMetaObject;
}

void tst_Properties::everyPropertyNotifies()
{
    QFETCH(const QMetaObject *, meta);
    for (int i = meta->propertyOffset(); i < meta->propertyCount(); ++i) {
        const QMetaProperty property = meta->property(i);
        QVERIFY2(property.hasNotifySignal() || property.isConstant(), property.name());
    }
}

void tst_Properties::serverSide()
{
    Server io;
    QSignalSpy listening(&io, &Server::listeningChanged);
    QSignalSpy clients(&io, &Server::clientsCountChanged);
    QSignalSpy namespaces(&io, &Server::namespacesChanged);
    QVERIFY(!io.isListening());
    QVERIFY(io.listen(QHostAddress::LocalHost, 0));
    QCOMPARE(listening.count(), 1);
    QVERIFY(io.property("listening").toBool());
    QCOMPARE(io.property("serverPort").toUInt(), io.serverPort());

    Namespace *chat = io.of(QStringLiteral("/chat"));
    QCOMPARE(namespaces.count(), 1);
    QCOMPARE(io.property("namespaceNames").toStringList(),
             QStringList({QStringLiteral("/"), QStringLiteral("/chat")}));

    QPointer<Socket> socket;
    QSignalSpy nspRooms(chat, &Namespace::roomsChanged);
    connect(chat, &Namespace::connection, this, [&](Socket *s) {
        socket = s;
        QVERIFY(s->isConnected());
    });
    ManagerOptions options;
    options.reconnection = false;
    Manager manager(QUrl(QStringLiteral("http://127.0.0.1:%1").arg(io.serverPort())), options);
    ClientSocket *client = manager.socket(QStringLiteral("/chat"));
    QTRY_VERIFY(socket);
    QTRY_COMPARE(io.property("clientsCount").toInt(), 1);
    QVERIFY(clients.count() >= 1);
    QCOMPARE(socket->property("namespaceName").toString(), QStringLiteral("/chat"));
    QCOMPARE(socket->property("nsp").value<Namespace *>(), chat);
    QCOMPARE(socket->property("address").toString(), QStringLiteral("127.0.0.1"));
    QVERIFY(!socket->property("transportName").toString().isEmpty());
    // The socket's own room.
    QCOMPARE(socket->property("rooms").toStringList(), QStringList({socket->id()}));
    QVERIFY(nspRooms.count() >= 1);

    QSignalSpy socketRooms(socket.data(), &Socket::roomsChanged);
    nspRooms.clear();
    socket->join(QStringLiteral("lobby"));
    QCOMPARE(socketRooms.count(), 1);
    QCOMPARE(nspRooms.count(), 1);
    QVERIFY(socket->roomList().contains(QStringLiteral("lobby")));
    QVERIFY(chat->property("rooms").toStringList().contains(QStringLiteral("lobby")));
    socket->join(QStringLiteral("lobby")); // already in: nothing changes
    QCOMPARE(socketRooms.count(), 1);
    socket->leave(QStringLiteral("lobby"));
    QCOMPARE(socketRooms.count(), 2);
    QCOMPARE(nspRooms.count(), 2);
    QVERIFY(!chat->roomList().contains(QStringLiteral("lobby")));

    QSignalSpy connected(socket.data(), &Socket::connectedChanged);
    QSignalSpy disconnected(socket.data(), &Socket::disconnected);
    client->disconnectFromServer();
    QTRY_COMPARE(connected.count(), 1);
    // Before disconnected(), which slots may use to delete the socket.
    QCOMPARE(disconnected.count(), 1);

    manager.close();
    QTRY_COMPARE(io.clientsCount(), 0);
    io.close();
    QCOMPARE(listening.count(), 2);
    QVERIFY(!io.property("listening").toBool());
}

void tst_Properties::clientSide()
{
    Server io;
    QVERIFY(io.listen(QHostAddress::LocalHost, 0));
    const QUrl url(QStringLiteral("http://127.0.0.1:%1").arg(io.serverPort()));
    ManagerOptions options;
    options.reconnection = false;
    Manager manager(url, options);
    QCOMPARE(manager.property("url").toUrl(), url);
    ClientSocket *socket = manager.socket(QStringLiteral("/"));
    QCOMPARE(socket->property("nsp").toString(), QStringLiteral("/"));
    QCOMPARE(socket->property("manager").value<Manager *>(), &manager);
    QTRY_VERIFY(socket->isConnected());
    QVERIFY(!manager.property("engineId").toString().isEmpty());
    QVERIFY(!manager.property("transportName").toString().isEmpty());
    QSignalSpy transport(&manager, &Manager::transportNameChanged);
    manager.close();
    QVERIFY(transport.count() >= 1);
    QVERIFY(manager.property("engineId").toString().isEmpty());
    QVERIFY(manager.property("transportName").toString().isEmpty());
}

void tst_Properties::transportUpgrade()
{
    Server io;
    QVERIFY(io.listen(QHostAddress::LocalHost, 0));
    QPointer<Socket> socket;
    std::unique_ptr<QSignalSpy> serverTransport;
    // The client probes WebSocket while it connects to the namespace: under load the upgrade
    // can be done before connection() (then there is nothing left to notify).
    QString transportAtConnection;
    connect(&io, &Server::connection, this, [&](Socket *s) {
        socket = s;
        transportAtConnection = s->transportName();
        serverTransport = std::make_unique<QSignalSpy>(s, &Socket::transportNameChanged);
    });
    ManagerOptions options;
    options.reconnection = false;
    options.transports = {QStringLiteral("polling"), QStringLiteral("websocket")};
    Manager manager(QUrl(QStringLiteral("http://127.0.0.1:%1").arg(io.serverPort())), options);
    QSignalSpy clientTransport(&manager, &Manager::transportNameChanged);
    manager.socket();
    QTRY_VERIFY(socket);
    QTRY_COMPARE(manager.transportName(), QStringLiteral("websocket"));
    QTRY_COMPARE(socket->transportName(), QStringLiteral("websocket"));
    const int expected = transportAtConnection == u"websocket" ? 0 : 1;
    QTRY_COMPARE(serverTransport->count(), expected);
    QVERIFY(clientTransport.count() >= 2);
}

QTEST_GUILESS_MAIN(tst_Properties)
#include "tst_properties.moc"
