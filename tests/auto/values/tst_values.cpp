// The public value types: the implicitly shared Q_GADGETs (defaults, copies that detach,
// equality, the properties QML and the Inspector read) and the structs with a reserved
// extension pointer (copies and moves keep every field).
#include <SocketIO/Adapter>
#include <SocketIO/EngineServer>
#include <SocketIO/Parser>
#include <SocketIO/ServerOptions>
#include <SocketIO/Socket>

#include <QtCore/QMetaProperty>
#include <QtTest/QTest>

using namespace SocketIO;

namespace {

template<typename T> QVariant readProperty(const T &value, const char *name)
{
    const QMetaObject &mo = T::staticMetaObject;
    const int index = mo.indexOfProperty(name);
    if (index < 0)
        return QVariant(QStringLiteral("no property %1").arg(QLatin1String(name)));
    return mo.property(index).readOnGadget(&value);
}

template<typename T> bool writeProperty(T *value, const char *name, const QVariant &v)
{
    const QMetaObject &mo = T::staticMetaObject;
    const int index = mo.indexOfProperty(name);
    return index >= 0 && mo.property(index).writeOnGadget(value, v);
}

} // namespace

class tst_Values : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void handshakeDefaults();
    void handshakeCopiesDetach();
    void handshakeProperties();
    void broadcastFlagsDefaults_data();
    void broadcastFlagsDefaults();
    void broadcastFlagsSetAndReset();
    void broadcastOptions();
    void sessionAndDetailsInVariants();
    void engineConnectionError();
    void extensionStructsCopyAndMove();
};

void tst_Values::handshakeDefaults()
{
    const Handshake h;
    QVERIFY(h.headers().isEmpty());
    QVERIFY(h.address().isEmpty());
    QVERIFY(!h.isXdomain());
    QVERIFY(!h.isSecure());
    QCOMPARE(h.issued(), 0);
    QCOMPARE(h, Handshake());
    QCOMPARE(h.toVariantMap().value(QStringLiteral("secure")), QVariant(false));
    QCOMPARE(h.toVariantMap().size(), 9);
}

void tst_Values::handshakeCopiesDetach()
{
    Handshake a;
    a.setAddress(QStringLiteral("127.0.0.1"));
    a.setSecure(true);
    a.setAuth({{QStringLiteral("token"), QStringLiteral("abc")}});
    Handshake b = a;
    QCOMPARE(b, a);
    b.setAddress(QStringLiteral("::1"));
    QCOMPARE(a.address(), QStringLiteral("127.0.0.1"));
    QCOMPARE(b.address(), QStringLiteral("::1"));
    QVERIFY(b != a);
    QVERIFY(b.isSecure());
    QCOMPARE(b.auth().value(QStringLiteral("token")).toString(), QStringLiteral("abc"));
    // A value set back to the defaults equals a default-constructed one.
    Handshake c;
    c.setSecure(true);
    QVERIFY(c != Handshake());
    c.setSecure(false);
    QCOMPARE(c, Handshake());
    Handshake moved = std::move(b);
    QCOMPARE(moved.address(), QStringLiteral("::1"));
}

void tst_Values::handshakeProperties()
{
    Handshake h;
    QVERIFY(writeProperty(&h, "address", QStringLiteral("10.0.0.1")));
    QVERIFY(writeProperty(&h, "xdomain", true));
    QVERIFY(writeProperty(&h, "issued", qint64(42)));
    QCOMPARE(h.address(), QStringLiteral("10.0.0.1"));
    QVERIFY(h.isXdomain());
    QCOMPARE(readProperty(h, "issued").toLongLong(), 42);
    QCOMPARE(readProperty(h, "secure"), QVariant(false));
    QCOMPARE(readProperty(h, "url"), QVariant(QString()));
    const QVariant wrapped = QVariant::fromValue(h);
    QCOMPARE(wrapped.value<Handshake>(), h);
}

void tst_Values::broadcastFlagsDefaults_data()
{
    QTest::addColumn<QByteArray>("property");
    QTest::addColumn<QVariant>("expected");
    QTest::addRow("isVolatile") << QByteArray("isVolatile") << QVariant(false);
    QTest::addRow("compressed") << QByteArray("compressed") << QVariant(true);
    QTest::addRow("local") << QByteArray("local") << QVariant(false);
    QTest::addRow("timeout") << QByteArray("timeout") << QVariant(-1);
    QTest::addRow("expectSingleResponse") << QByteArray("expectSingleResponse") << QVariant(false);
}

void tst_Values::broadcastFlagsDefaults()
{
    QFETCH(QByteArray, property);
    QFETCH(QVariant, expected);
    QCOMPARE(readProperty(BroadcastFlags(), property.constData()), expected);
}

void tst_Values::broadcastFlagsSetAndReset()
{
    BroadcastFlags flags;
    flags.setCompressed(true); // the defaults
    flags.setTimeout(-1);
    QCOMPARE(flags, BroadcastFlags());
    flags.setVolatile(true);
    flags.setTimeout(5000);
    flags.setLocal(true);
    const BroadcastFlags copy = flags;
    flags.setCompressed(false);
    QVERIFY(copy.isCompressed());
    QVERIFY(!flags.isCompressed());
    QVERIFY(copy.isVolatile());
    QVERIFY(copy.isLocal());
    QCOMPARE(copy.timeout(), 5000);
    QVERIFY(!copy.expectsSingleResponse());
    QVERIFY(copy != BroadcastFlags());
}

void tst_Values::broadcastOptions()
{
    BroadcastOptions options;
    QVERIFY(options.rooms().isEmpty());
    QCOMPARE(options.flags(), BroadcastFlags());
    options.setRooms({QStringLiteral("a"), QStringLiteral("b")});
    options.setExcept({QStringLiteral("c")});
    BroadcastFlags flags;
    flags.setTimeout(100);
    options.setFlags(flags);
    QCOMPARE(options.rooms().size(), 2);
    QVERIFY(options.except().contains(QStringLiteral("c")));
    QCOMPARE(options.flags().timeout(), 100);
    QCOMPARE(readProperty(options, "flags").value<BroadcastFlags>(), flags);
    BroadcastOptions other = options;
    QCOMPARE(other, options);
    other.setExcept({});
    QVERIFY(other != options);
}

void tst_Values::sessionAndDetailsInVariants()
{
    Session session;
    QCOMPARE(session.disconnectedAt(), 0);
    session.setPid(QStringLiteral("pid"));
    session.setRooms({QStringLiteral("room")});
    session.setMissedPackets({{QStringLiteral("event"), 1}});
    const Session back = QVariant::fromValue(session).value<Session>();
    QCOMPARE(back, session);
    QCOMPARE(back.missedPackets().size(), 1);
    QCOMPARE(readProperty(back, "pid").toString(), QStringLiteral("pid"));

    SocketDetails details;
    details.setId(QStringLiteral("id"));
    details.setData({{QStringLiteral("k"), 1}});
    QCOMPARE(QVariant::fromValue(details).value<SocketDetails>().id(), QStringLiteral("id"));
    QCOMPARE(readProperty(details, "data").toMap().value(QStringLiteral("k")).toInt(), 1);
    QVERIFY(details != SocketDetails());
}

void tst_Values::engineConnectionError()
{
    EngineConnectionError error;
    QCOMPARE(error.code(), 0);
    error.setCode(int(EngineServer::ErrorCode::Forbidden));
    error.setMessage(QStringLiteral("Forbidden"));
    HttpRequest request;
    request.setMethod("GET");
    error.setRequest(request);
    const EngineConnectionError copy = error;
    error.setCode(1);
    QCOMPARE(copy.code(), int(EngineServer::ErrorCode::Forbidden));
    QCOMPARE(copy.request().method(), QByteArray("GET"));
    QCOMPARE(readProperty(copy, "message").toString(), QStringLiteral("Forbidden"));
}

void tst_Values::extensionStructsCopyAndMove()
{
    ServerOptions options;
    options.engine.pingInterval = 1234;
    options.connectTimeout = 99;
    options.connectionStateRecovery = ConnectionStateRecoveryOptions{};
    options.connectionStateRecovery->maxDisconnectionDuration = 7;
    ServerOptions copy = options;
    QCOMPARE(copy.engine.pingInterval, 1234);
    QCOMPARE(copy.engine.path, QStringLiteral("/socket.io"));
    QCOMPARE(copy.connectionStateRecovery->maxDisconnectionDuration, 7);
    const ServerOptions moved = std::move(copy);
    QCOMPARE(moved.connectTimeout, 99);

    Packet packet;
    QCOMPARE(packet.nsp, QStringLiteral("/"));
    QVERIFY(!packet.hasId());
    packet.id = 3;
    packet.data = QVariantList{QStringLiteral("e")};
    Packet other;
    other = packet;
    QCOMPARE(other.id, 3);
    QCOMPARE(other.data, packet.data);

    const EngineMessage message{QByteArray("abc"), true};
    EngineMessage copied = message;
    QCOMPARE(copied, message);
    QVERIFY(copied.binary);
}

QTEST_GUILESS_MAIN(tst_Values)
#include "tst_values.moc"
