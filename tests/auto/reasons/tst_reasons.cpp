// The reason and error enums beside their reference strings: both conversions for every
// value, and the enum each signal carries for the reasons a test can cause.
#include <SocketIO/ClientSocket>
#include <SocketIO/EngineSocket>
#include <SocketIO/Manager>
#include <SocketIO/Server>

#include <QtCore/QMetaEnum>
#include <QtTest/QSignalSpy>
#include <QtTest/QTest>

#include <memory>

using namespace SocketIO;

class tst_Reasons : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void engineCloseReasons_data();
    void engineCloseReasons();
    void socketDisconnectReasons_data();
    void socketDisconnectReasons();
    void managerCloseReasons_data();
    void managerCloseReasons();
    void clientDisconnectReasons_data();
    void clientDisconnectReasons();
    void managerErrors_data();
    void managerErrors();
    void unknownStrings();
    void everyValueHasAString();
    void serverSignalsCarryTheEnum_data();
    void serverSignalsCarryTheEnum();
};

void tst_Reasons::engineCloseReasons_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<EngineSocket::CloseReason>("reason");
    using R = EngineSocket::CloseReason;
    QTest::addRow("transport close") << QStringLiteral("transport close") << R::TransportClose;
    QTest::addRow("transport error") << QStringLiteral("transport error") << R::TransportError;
    QTest::addRow("ping timeout") << QStringLiteral("ping timeout") << R::PingTimeout;
    QTest::addRow("parse error") << QStringLiteral("parse error") << R::ParseError;
    QTest::addRow("forced close") << QStringLiteral("forced close") << R::ForcedClose;
}

void tst_Reasons::engineCloseReasons()
{
    QFETCH(QString, text);
    QFETCH(EngineSocket::CloseReason, reason);
    QCOMPARE(EngineSocket::reasonFromString(text), reason);
    QCOMPARE(EngineSocket::reasonString(reason), text);
}

void tst_Reasons::socketDisconnectReasons_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<Socket::DisconnectReason>("reason");
    using R = Socket::DisconnectReason;
    QTest::addRow("transport close") << QStringLiteral("transport close") << R::TransportClose;
    QTest::addRow("transport error") << QStringLiteral("transport error") << R::TransportError;
    QTest::addRow("ping timeout") << QStringLiteral("ping timeout") << R::PingTimeout;
    QTest::addRow("parse error") << QStringLiteral("parse error") << R::ParseError;
    QTest::addRow("forced close") << QStringLiteral("forced close") << R::ForcedClose;
    QTest::addRow("server shutting down")
        << QStringLiteral("server shutting down") << R::ServerShuttingDown;
    QTest::addRow("forced server close")
        << QStringLiteral("forced server close") << R::ForcedServerClose;
    QTest::addRow("client namespace disconnect")
        << QStringLiteral("client namespace disconnect") << R::ClientNamespaceDisconnect;
    QTest::addRow("server namespace disconnect")
        << QStringLiteral("server namespace disconnect") << R::ServerNamespaceDisconnect;
}

void tst_Reasons::socketDisconnectReasons()
{
    QFETCH(QString, text);
    QFETCH(Socket::DisconnectReason, reason);
    QCOMPARE(Socket::reasonFromString(text), reason);
    QCOMPARE(Socket::reasonString(reason), text);
}

void tst_Reasons::managerCloseReasons_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<Manager::CloseReason>("reason");
    using R = Manager::CloseReason;
    QTest::addRow("transport close") << QStringLiteral("transport close") << R::TransportClose;
    QTest::addRow("transport error") << QStringLiteral("transport error") << R::TransportError;
    QTest::addRow("ping timeout") << QStringLiteral("ping timeout") << R::PingTimeout;
    QTest::addRow("parse error") << QStringLiteral("parse error") << R::ParseError;
    QTest::addRow("forced close") << QStringLiteral("forced close") << R::ForcedClose;
}

void tst_Reasons::managerCloseReasons()
{
    QFETCH(QString, text);
    QFETCH(Manager::CloseReason, reason);
    QCOMPARE(Manager::reasonFromString(text), reason);
    QCOMPARE(Manager::reasonString(reason), text);
}

void tst_Reasons::clientDisconnectReasons_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<ClientSocket::DisconnectReason>("reason");
    using R = ClientSocket::DisconnectReason;
    QTest::addRow("io server disconnect")
        << QStringLiteral("io server disconnect") << R::IoServerDisconnect;
    QTest::addRow("io client disconnect")
        << QStringLiteral("io client disconnect") << R::IoClientDisconnect;
    QTest::addRow("transport close") << QStringLiteral("transport close") << R::TransportClose;
    QTest::addRow("transport error") << QStringLiteral("transport error") << R::TransportError;
    QTest::addRow("ping timeout") << QStringLiteral("ping timeout") << R::PingTimeout;
    QTest::addRow("parse error") << QStringLiteral("parse error") << R::ParseError;
    QTest::addRow("forced close") << QStringLiteral("forced close") << R::ForcedClose;
}

void tst_Reasons::clientDisconnectReasons()
{
    QFETCH(QString, text);
    QFETCH(ClientSocket::DisconnectReason, reason);
    QCOMPARE(ClientSocket::reasonFromString(text), reason);
    QCOMPARE(ClientSocket::reasonString(reason), text);
}

void tst_Reasons::managerErrors_data()
{
    // The message as the signal carries it, the kind, and the reference's message of the kind.
    QTest::addColumn<QString>("message");
    QTest::addColumn<Manager::Error>("error");
    QTest::addColumn<QString>("kindMessage");
    using E = Manager::Error;
    QTest::addRow("empty") << QString() << E::NoError << QString();
    QTest::addRow("timeout") << QStringLiteral("timeout") << E::Timeout
                             << QStringLiteral("timeout");
    QTest::addRow("xhr poll error with details")
        << QStringLiteral("xhr poll error: Connection refused") << E::XhrPollError
        << QStringLiteral("xhr poll error");
    QTest::addRow("xhr post error")
        << QStringLiteral("xhr post error") << E::XhrPostError << QStringLiteral("xhr post error");
    QTest::addRow("websocket error with details")
        << QStringLiteral("websocket error: Host not found") << E::WebSocketError
        << QStringLiteral("websocket error");
    QTest::addRow("server error with details") << QStringLiteral("server error: Forbidden")
                                               << E::ServerError << QStringLiteral("server error");
    QTest::addRow("ack timeout") << QStringLiteral("operation has timed out") << E::AckTimeout
                                 << QStringLiteral("operation has timed out");
    QTest::addRow("socket disconnected")
        << QStringLiteral("socket has been disconnected") << E::SocketDisconnected
        << QStringLiteral("socket has been disconnected");
    QTest::addRow("a middleware's message")
        << QStringLiteral("not authorized") << E::UnknownError << QString();
}

void tst_Reasons::managerErrors()
{
    QFETCH(QString, message);
    QFETCH(Manager::Error, error);
    QFETCH(QString, kindMessage);
    QCOMPARE(Manager::errorFromMessage(message), error);
    QCOMPARE(Manager::errorMessage(error), kindMessage);
}

void tst_Reasons::unknownStrings()
{
    QCOMPARE(EngineSocket::reasonFromString(u"nope"), EngineSocket::CloseReason::Unknown);
    QCOMPARE(Socket::reasonFromString(u"io server disconnect"), Socket::DisconnectReason::Unknown);
    QCOMPARE(Manager::reasonFromString(u"server shutting down"), Manager::CloseReason::Unknown);
    QCOMPARE(ClientSocket::reasonFromString(u"Transport Close"),
             ClientSocket::DisconnectReason::Unknown);
    QVERIFY(Socket::reasonString(Socket::DisconnectReason::Unknown).isEmpty());
    QVERIFY(Manager::errorMessage(Manager::Error::ConnectRefused).isEmpty());
}

// A value added to an enum without its string fails here.
template<typename Enum, typename ToString>
static void checkEveryValue(ToString toString, const QList<Enum> &withoutString)
{
    const QMetaEnum meta = QMetaEnum::fromType<Enum>();
    for (int i = 0; i < meta.keyCount(); ++i) {
        const auto value = Enum(meta.value(i));
        QVERIFY2(toString(value).isEmpty() == withoutString.contains(value), meta.key(i));
    }
}

void tst_Reasons::everyValueHasAString()
{
    checkEveryValue<EngineSocket::CloseReason>(&EngineSocket::reasonString,
                                               {EngineSocket::CloseReason::Unknown});
    checkEveryValue<Socket::DisconnectReason>(&Socket::reasonString,
                                              {Socket::DisconnectReason::Unknown});
    checkEveryValue<Manager::CloseReason>(&Manager::reasonString, {Manager::CloseReason::Unknown});
    checkEveryValue<ClientSocket::DisconnectReason>(&ClientSocket::reasonString,
                                                    {ClientSocket::DisconnectReason::Unknown});
    using E = Manager::Error;
    checkEveryValue<E>(&Manager::errorMessage,
                       {E::NoError, E::UnknownError, E::ConnectRefused, E::IncompatibleServer});
}

void tst_Reasons::serverSignalsCarryTheEnum_data()
{
    QTest::addColumn<QString>("how");
    QTest::addColumn<Socket::DisconnectReason>("server");
    QTest::addColumn<ClientSocket::DisconnectReason>("client");
    using S = Socket::DisconnectReason;
    using C = ClientSocket::DisconnectReason;
    QTest::addRow("client leaves")
        << QStringLiteral("client") << S::ClientNamespaceDisconnect << C::IoClientDisconnect;
    QTest::addRow("server disconnects the socket")
        << QStringLiteral("server") << S::ServerNamespaceDisconnect << C::IoServerDisconnect;
    // No DISCONNECT packet: the engine closes under the client, as with the reference.
    QTest::addRow("server shuts down")
        << QStringLiteral("shutdown") << S::ServerShuttingDown << C::TransportClose;
}

void tst_Reasons::serverSignalsCarryTheEnum()
{
    QFETCH(QString, how);
    QFETCH(Socket::DisconnectReason, server);
    QFETCH(ClientSocket::DisconnectReason, client);

    Server io;
    QVERIFY(io.listen(QHostAddress::LocalHost, 0));
    QPointer<Socket> serverSocket;
    QList<QVariantList> serverReasons;
    connect(&io, &Server::connection, this, [&](Socket *socket) {
        serverSocket = socket;
        connect(socket, &Socket::disconnected, this,
                [&](const QString &reason, const QString &, Socket::DisconnectReason code) {
                    serverReasons.append({reason, QVariant::fromValue(code)});
                });
    });
    ManagerOptions options;
    options.reconnection = false;
    options.transports = {QStringLiteral("websocket")};
    Manager manager(QUrl(QStringLiteral("http://127.0.0.1:%1").arg(io.serverPort())), options);
    ClientSocket *socket = manager.socket();
    QSignalSpy disconnected(socket, &ClientSocket::disconnected);
    QTRY_VERIFY(socket->isConnected());
    QTRY_VERIFY(serverSocket);

    if (how == u"client")
        socket->disconnectFromServer();
    else if (how == u"server")
        serverSocket->disconnectSocket();
    else
        io.close();

    QTRY_COMPARE(serverReasons.size(), 1);
    QCOMPARE(serverReasons.at(0).at(1).value<Socket::DisconnectReason>(), server);
    QCOMPARE(serverReasons.at(0).at(0).toString(), Socket::reasonString(server));
    QTRY_COMPARE(disconnected.count(), 1);
    QCOMPARE(disconnected.at(0).at(2).value<ClientSocket::DisconnectReason>(), client);
    QCOMPARE(disconnected.at(0).at(0).toString(), ClientSocket::reasonString(client));
}

QTEST_GUILESS_MAIN(tst_Reasons)
#include "tst_reasons.moc"
