// The Admin UI protocol (@socket.io/admin-ui 0.5.1) of our Instrumentation, checked with real
// peers: node/admin-client.mjs connects to the admin namespace as the official UI does, while
// socket.io-client sockets (node/admin-peers.mjs) use the instrumented server; the same client
// against Node's own instrumented server (node/admin-server.mjs) gives the shapes to compare.
#include "admin/bcrypt_p.h"
#include "peerprocess.h"

#include <SocketIO/Instrumentation>
#include <SocketIO/Server>

#include <QtCore/QJsonArray>
#include <QtCore/QRegularExpression>
#include <QtTest/QTest>

using namespace SocketIO;
using namespace Qt::StringLiterals;

namespace {

const QString nodeDir = QStringLiteral(INTEROP_NODE_DIR);
const QString nodeExecutable = QStringLiteral(INTEROP_NODE_EXECUTABLE);
// bcryptjs.hashSync("changeit", 4), as a Node user would make it.
const QByteArray changeitHash = "$2a$04$yVOKBp5Bvz7h0B9yUhLLAuvzTJl2AcUeECgbY9lzF1BDWBg3zixgG";

const QStringList developmentFeatures{
    u"EMIT"_s,      u"JOIN"_s,   u"LEAVE"_s,       u"DISCONNECT"_s,
    u"MJOIN"_s,     u"MLEAVE"_s, u"MDISCONNECT"_s, u"AGGREGATED_EVENTS"_s,
    u"ALL_EVENTS"_s};

QStringList keys(const QJsonValue &value)
{
    QStringList list = value.toObject().keys();
    list.sort();
    return list;
}

QStringList toStringList(const QJsonValue &value)
{
    QStringList list;
    for (const QJsonValue &v : value.toArray())
        list.append(v.toString());
    return list;
}

// The structure of a value: object keys (with the shapes of their values), array element
// shapes, scalar types. Maps whose keys are data (headers, query, data) count as "object".
QJsonValue shape(const QJsonValue &value, const QString &key = {})
{
    static const QStringList opaque{u"headers"_s, u"query"_s, u"data"_s, u"auth"_s};
    switch (value.type()) {
    case QJsonValue::Object: {
        if (opaque.contains(key))
            return u"object"_s;
        QJsonObject result;
        const QJsonObject object = value.toObject();
        for (auto it = object.begin(); it != object.end(); ++it)
            result.insert(it.key(), shape(it.value(), it.key()));
        return result;
    }
    case QJsonValue::Array: {
        const QJsonArray array = value.toArray();
        return QJsonArray{array.isEmpty() ? QJsonValue(u"empty"_s) : shape(array.first())};
    }
    case QJsonValue::String:
        return u"string"_s;
    case QJsonValue::Double:
        return u"number"_s;
    case QJsonValue::Bool:
        return u"bool"_s;
    default:
        return u"null"_s;
    }
}

QString json(const QJsonValue &value)
{
    return QString::fromUtf8(QJsonDocument(QJsonArray{value}).toJson(QJsonDocument::Compact));
}

} // namespace

Q_DECLARE_METATYPE(SocketIO::InstrumentOptions)

class tst_AdminInterop : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void bcrypt_data();
    void bcrypt();
    void refusedOptions_data();
    void refusedOptions();
    void development();
    void readonlyRefusesCommands();
    void productionSendsOnlyStats();
    void basicAuth();
    void sameShapesAsNode();

private:
    // Starts node/<script> with `args`; the caller awaits it.
    std::unique_ptr<PeerProcess> startNode(const QString &script, const QStringList &args)
    {
        auto peer = std::make_unique<PeerProcess>(nodeExecutable, nodeDir);
        peer->process.setArguments(QStringList{script} + args);
        peer->process.start();
        return peer;
    }
    std::unique_ptr<Server> startServer()
    {
        ServerOptions options;
        options.engine.pingInterval = 1000;
        auto io = std::make_unique<Server>(options);
        QObject::connect(io.get(), &Server::connection, io.get(), [](Socket *socket) {
            socket->join(u"lobby"_s);
            socket->on(u"hello"_s, socket, [socket](const QVariantList &args, const Ack &) {
                QVariantMap data = socket->data();
                data.insert(u"who"_s, args.value(0));
                socket->setData(data);
                socket->emitEvent(u"hello-back"_s, args);
            });
        });
        if (!io->listen(QHostAddress::LocalHost, 0))
            return {};
        return io;
    }
    QString url(const Server &io) const { return u"http://127.0.0.1:%1"_s.arg(io.serverPort()); }
    // Waits for `count` "connected" lines of an admin-peers process; returns their ids.
    QStringList awaitPeers(PeerProcess &peers, int count)
    {
        QStringList ids;
        const bool ok = QTest::qWaitFor(
            [&] {
                ids.clear();
                for (const QJsonObject &e : peers.events())
                    if (e.value("event"_L1).toString() == u"connected")
                        ids.append(e.value("id"_L1).toString());
                return ids.size() >= count;
            },
            15'000);
        if (!ok)
            qWarning().noquote() << peers.fullLog();
        return ids;
    }
    static QList<QJsonObject> named(const PeerProcess &peer, QStringView name)
    {
        QList<QJsonObject> result;
        for (const QJsonObject &e : peer.events())
            if (e.value("event"_L1).toString() == name)
                result.append(e);
        return result;
    }
    static QJsonArray args(const QJsonObject &event) { return event.value("args"_L1).toArray(); }
    // Whether `peer` printed `name` with these leading arguments.
    static bool hasEvent(const PeerProcess &peer, QStringView name, const QJsonArray &prefix)
    {
        for (const QJsonObject &e : named(peer, name)) {
            const QJsonArray a = args(e);
            bool match = a.size() >= prefix.size();
            for (qsizetype i = 0; match && i < prefix.size(); ++i)
                match = a.at(i) == prefix.at(i);
            if (match)
                return true;
        }
        return false;
    }
    // Closes the peers' stdin, on which they disconnect and exit.
    static void stopPeers(PeerProcess &peers)
    {
        peers.process.closeWriteChannel();
        QTRY_COMPARE_WITH_TIMEOUT(peers.process.state(), QProcess::NotRunning, 10'000);
    }
    void verifySerializedSocket(const QJsonObject &socket, const QString &context);
};

void tst_AdminInterop::initTestCase()
{
    verifyNodeSetup(nodeExecutable, nodeDir, u"@socket.io/admin-ui"_s);
}

void tst_AdminInterop::bcrypt_data()
{
    QTest::addColumn<QByteArray>("password");
    QTest::addColumn<QByteArray>("hash");
    QTest::addColumn<bool>("matches");
    QByteArray b = changeitHash, y = changeitHash;
    b[2] = 'b';
    y[2] = 'y';
    QTest::addRow("2a right") << QByteArray("changeit") << changeitHash << true;
    QTest::addRow("2b right") << QByteArray("changeit") << b << true;
    QTest::addRow("2y right") << QByteArray("changeit") << y << true;
    QTest::addRow("wrong") << QByteArray("changeiT") << changeitHash << false;
    QTest::addRow("empty") << QByteArray() << changeitHash << false;
    QTest::addRow("garbage hash") << QByteArray("changeit") << QByteArray("notahash") << false;
    QByteArray x = changeitHash;
    x[2] = 'x';
    QTest::addRow("2x refused") << QByteArray("changeit") << x << false;
}

void tst_AdminInterop::bcrypt()
{
    QFETCH(QByteArray, password);
    QFETCH(QByteArray, hash);
    QFETCH(bool, matches);
    QCOMPARE(Admin::verifyBcrypt(password, hash), matches);
}

void tst_AdminInterop::refusedOptions_data()
{
    QTest::addColumn<InstrumentOptions>("options");
    QTest::addColumn<QString>("error");
    QTest::addRow("no auth")
        << InstrumentOptions()
        << u"the `auth` option must be specified or explicitly set to `false`"_s;
    InstrumentOptions badHash;
    badHash.auth = InstrumentOptions::Auth::Basic;
    badHash.username = u"admin"_s;
    badHash.passwordHash = "changeit";
    QTest::addRow("plain password")
        << badHash << u"the `password` field must be a valid bcrypt hash"_s;
}

void tst_AdminInterop::refusedOptions()
{
    QFETCH(InstrumentOptions, options);
    QFETCH(QString, error);
    Server io;
    QString why;
    QTest::ignoreMessage(QtWarningMsg, QRegularExpression(u"instrument:"_s));
    QCOMPARE(Instrumentation::instrument(&io, options, &why), nullptr);
    QCOMPARE(why, error);
    QVERIFY(!io.namespaceNames().contains(u"/admin"_s));
}

void tst_AdminInterop::verifySerializedSocket(const QJsonObject &socket, const QString &context)
{
    const QString log = context + json(socket);
    QCOMPARE(keys(socket), (QStringList{u"clientId"_s, u"data"_s, u"handshake"_s, u"id"_s, u"nsp"_s,
                                        u"rooms"_s, u"transport"_s}));
    QVERIFY2(socket.value("clientId"_L1).toString().size() == 12, qPrintable(log));
    QVERIFY2((QStringList{u"polling"_s, u"websocket"_s})
                 .contains(socket.value("transport"_L1).toString()),
             qPrintable(log));
    QVERIFY2(!socket.value("data"_L1).toObject().contains("_admin"_L1), qPrintable(log));
    const QJsonObject handshake = socket.value("handshake"_L1).toObject();
    QCOMPARE(keys(handshake), (QStringList{u"address"_s, u"headers"_s, u"issued"_s, u"query"_s,
                                           u"secure"_s, u"time"_s, u"url"_s, u"xdomain"_s}));
    QCOMPARE(handshake.value("address"_L1).toString(), u"127.0.0.1"_s);
    QVERIFY2(handshake.value("url"_L1).toString().startsWith(u"/socket.io/?EIO=4"),
             qPrintable(log));
    QCOMPARE(handshake.value("query"_L1).toObject().value("EIO"_L1).toString(), u"4"_s);
    QVERIFY2(handshake.value("issued"_L1).toDouble() > 1.6e12, qPrintable(log));
    QVERIFY2(socket.value("rooms"_L1).toArray().contains(socket.value("id"_L1)), qPrintable(log));
}

void tst_AdminInterop::development()
{
    auto io = startServer();
    QVERIFY(io);
    InstrumentOptions options;
    options.auth = InstrumentOptions::Auth::None;
    options.serverId = u"qt-1"_s;
    Instrumentation *instrumentation = Instrumentation::instrument(io.get(), options);
    QVERIFY(instrumentation);
    QCOMPARE(instrumentation->parent(), io.get());

    // Two clients: the first stays on polling, the second upgrades to WebSocket.
    auto polling = startNode(u"admin-peers.mjs"_s, {u"--url"_s, url(*io), u"--count"_s, u"1"_s,
                                                    u"--transports"_s, u"polling"_s});
    auto upgrading = startNode(u"admin-peers.mjs"_s, {u"--url"_s, url(*io), u"--count"_s, u"1"_s});
    const QStringList pollingIds = awaitPeers(*polling, 1);
    const QStringList upgradingIds = awaitPeers(*upgrading, 1);
    QCOMPARE(pollingIds.size(), 1);
    QCOMPARE(upgradingIds.size(), 1);
    const QString a = pollingIds.first();
    const QString b = upgradingIds.first();
    QTRY_VERIFY(!named(*upgrading, u"upgraded").isEmpty());

    auto command = [](const QJsonArray &c) {
        return QString::fromUtf8(QJsonDocument(c).toJson(QJsonDocument::Compact));
    };
    auto admin =
        startNode(u"admin-client.mjs"_s,
                  {u"--url"_s, url(*io), u"--duration"_s, u"5000"_s, u"--command-delay"_s, u"400"_s,
                   u"--command"_s, command({u"join"_s, u"/"_s, u"room9"_s, a}), u"--command"_s,
                   command({u"emit"_s, u"/"_s, b, u"notice"_s, 1, u"two"_s}), u"--command"_s,
                   command({u"leave"_s, u"/"_s, u"room9"_s, a}), u"--command"_s,
                   command({u"join"_s, u"/"_s, u"everyone"_s}), u"--command"_s,
                   command({u"_disconnect"_s, u"/"_s, false, b})});
    QTRY_VERIFY2_WITH_TIMEOUT(!admin->first(u"connect").isEmpty(), qPrintable(admin->log()),
                              10'000);
    // Traffic from a client while the admin listens: event_received, event_sent, a data update.
    polling->process.write("0 [\"hello\",42]\n");
    // A third client arrives (and upgrades) while the admin listens.
    auto late = startNode(u"admin-peers.mjs"_s, {u"--url"_s, url(*io), u"--count"_s, u"1"_s});
    const QStringList lateIds = awaitPeers(*late, 1);
    QCOMPARE(lateIds.size(), 1);
    QTRY_VERIFY(!named(*late, u"upgraded").isEmpty());
    late->process.kill(); // its connection drops: "transport close"
    awaitPeer(*admin, 20'000);
    const QString log = admin->log();

    // config, then our extension, then all_sockets.
    QList<QJsonObject> events = admin->events();
    QStringList order;
    for (const QJsonObject &e : events)
        order.append(e.value("event"_L1).toString());
    const qsizetype config = order.indexOf(u"config"_s);
    QVERIFY2(config > 0, qPrintable(log));
    QCOMPARE(order.at(config + 1), u"server_options"_s);
    QCOMPARE(order.at(config + 2), u"all_sockets"_s);
    QCOMPARE(toStringList(args(events.at(config)).at(0)["supportedFeatures"_L1]),
             developmentFeatures);

    const QJsonObject serverOptions = args(events.at(config + 1)).at(0).toObject();
    QCOMPARE(keys(serverOptions), (QStringList{u"engine"_s, u"server"_s, u"serverId"_s}));
    QCOMPARE(serverOptions["serverId"_L1].toString(), u"qt-1"_s);
    QCOMPARE(serverOptions["engine"_L1]["pingInterval"_L1].toInt(), 1000);
    QCOMPARE(serverOptions["engine"_L1]["path"_L1].toString(), u"/socket.io"_s);
    QCOMPARE(toStringList(serverOptions["engine"_L1]["transports"_L1]),
             (QStringList{u"polling"_s, u"websocket"_s}));
    QCOMPARE(serverOptions["server"_L1]["connectTimeout"_L1].toInt(), 45000);
    QCOMPARE(serverOptions["server"_L1]["parser"_L1].toString(), u"default"_s);

    // all_sockets: both clients and the admin socket itself, with their transports.
    const QJsonArray all = args(events.at(config + 2)).at(0).toArray();
    QCOMPARE(all.size(), 3);
    QHash<QString, QJsonObject> byId;
    for (const QJsonValue &s : all) {
        verifySerializedSocket(s.toObject(), u"all_sockets: "_s);
        byId.insert(s["id"_L1].toString(), s.toObject());
    }
    QCOMPARE(byId.value(a)["transport"_L1].toString(), u"polling"_s);
    QCOMPARE(byId.value(b)["transport"_L1].toString(), u"websocket"_s);
    QCOMPARE(byId.value(a)["nsp"_L1].toString(), u"/"_s);
    QVERIFY(byId.value(a)["rooms"_L1].toArray().contains(u"lobby"_s));
    const QString adminId = admin->first(u"connect")["id"_L1].toString();
    QCOMPARE(byId.value(adminId)["nsp"_L1].toString(), u"/admin"_s);

    // server_stats every 2 s, with the counters of the engine.
    const QList<QJsonObject> stats = named(*admin, u"server_stats");
    QVERIFY2(stats.size() >= 2, qPrintable(log));
    QVERIFY2(stats.size() <= 3, qPrintable(log));
    const QJsonObject first = args(stats.first()).at(0).toObject();
    QCOMPARE(keys(first),
             (QStringList{u"aggregatedEvents"_s, u"clientsCount"_s, u"hostname"_s, u"namespaces"_s,
                          u"pid"_s, u"pollingClientsCount"_s, u"serverId"_s, u"uptime"_s}));
    QCOMPARE(first["serverId"_L1].toString(), u"qt-1"_s);
    QCOMPARE(first["pid"_L1].toInteger(), QCoreApplication::applicationPid());
    QVERIFY(first["uptime"_L1].toDouble() > 0);
    // The two clients and the admin (and perhaps the late client), one of them polling.
    QVERIFY2(first["clientsCount"_L1].toInt() >= 3, qPrintable(json(first)));
    QVERIFY2(first["pollingClientsCount"_L1].toInt() >= 1, qPrintable(json(first)));
    QJsonArray namespaces = first["namespaces"_L1].toArray();
    QVERIFY2(namespaces.contains(QJsonObject{{"name"_L1, u"/"_s}, {"socketsCount"_L1, 2}}) ||
                 namespaces.contains(QJsonObject{{"name"_L1, u"/"_s}, {"socketsCount"_L1, 3}}),
             qPrintable(json(namespaces)));
    QVERIFY2(namespaces.contains(QJsonObject{{"name"_L1, u"/admin"_s}, {"socketsCount"_L1, 1}}),
             qPrintable(json(namespaces)));
    QSet<QString> types;
    for (const QJsonObject &s : stats) {
        for (const QJsonValue &e : args(s).at(0)["aggregatedEvents"_L1].toArray()) {
            const QJsonObject event = e.toObject();
            types.insert(event["type"_L1].toString());
            QCOMPARE(qint64(event["timestamp"_L1].toDouble()) % 1000, 0);
            QVERIFY(event["count"_L1].toDouble() > 0);
            if (event["type"_L1].toString() == u"rawDisconnection")
                QCOMPARE(event["subType"_L1].toString(), u"transport close"_s);
            else
                QVERIFY2(!event.contains("subType"_L1), qPrintable(json(event)));
        }
    }
    for (const QString &type : {u"rawConnection"_s, u"rawDisconnection"_s, u"packetsIn"_s,
                                u"packetsOut"_s, u"bytesIn"_s, u"bytesOut"_s})
        QVERIFY2(types.contains(type),
                 qPrintable(type + json(QJsonArray::fromStringList(
                                       QStringList(types.begin(), types.end())))));

    // event_received / event_sent / socket_updated (data) for the client's "hello".
    QVERIFY2(hasEvent(*admin, u"event_received", {u"/"_s, a, QJsonArray{u"hello"_s, 42}}),
             qPrintable(log));
    QVERIFY2(hasEvent(*admin, u"event_sent", {u"/"_s, a, QJsonArray{u"hello-back"_s, 42}}),
             qPrintable(log));
    QVERIFY2(
        hasEvent(*admin, u"socket_updated",
                 {QJsonObject{
                     {"id"_L1, a}, {"nsp"_L1, u"/"_s}, {"data"_L1, QJsonObject{{"who"_L1, 42}}}}}),
        qPrintable(log));

    // The late client: connected, upgraded, gone.
    const QString c = lateIds.first();
    bool connected = false;
    for (const QJsonObject &e : named(*admin, u"socket_connected")) {
        const QJsonObject socket = args(e).at(0).toObject();
        if (socket["id"_L1].toString() != c)
            continue;
        connected = true;
        verifySerializedSocket(socket, u"socket_connected: "_s);
        QCOMPARE(socket["transport"_L1].toString(), u"polling"_s);
        QVERIFY(QDateTime::fromString(args(e).at(1).toString(), Qt::ISODateWithMs).isValid());
        QVERIFY(args(e).at(1).toString().endsWith(u'Z'));
    }
    QVERIFY2(connected, qPrintable(log));
    QVERIFY2(hasEvent(*admin, u"room_joined", {u"/"_s, c, c}), qPrintable(log));
    QVERIFY2(hasEvent(*admin, u"room_joined", {u"/"_s, u"lobby"_s, c}), qPrintable(log));
    QVERIFY2(
        hasEvent(*admin, u"socket_updated",
                 {QJsonObject{{"id"_L1, c}, {"nsp"_L1, u"/"_s}, {"transport"_L1, u"websocket"_s}}}),
        qPrintable(log));
    QVERIFY2(hasEvent(*admin, u"socket_disconnected", {u"/"_s, c, u"transport close"_s}),
             qPrintable(log));
    QVERIFY2(hasEvent(*admin, u"room_left", {u"/"_s, c, c}), qPrintable(log));

    // The commands took effect: join and leave room9, emit to b, join everyone, disconnect b.
    QVERIFY2(hasEvent(*admin, u"room_joined", {u"/"_s, u"room9"_s, a}), qPrintable(log));
    QVERIFY2(hasEvent(*admin, u"room_left", {u"/"_s, u"room9"_s, a}), qPrintable(log));
    QVERIFY2(hasEvent(*admin, u"room_joined", {u"/"_s, u"everyone"_s, a}), qPrintable(log));
    QVERIFY2(hasEvent(*admin, u"event_sent", {u"/"_s, b, QJsonArray{u"notice"_s, 1, u"two"_s}}),
             qPrintable(log));
    QTRY_VERIFY2(hasEvent(*upgrading, u"received", {}), qPrintable(upgrading->fullLog()));
    bool noticed = false;
    for (const QJsonObject &e : named(*upgrading, u"received"))
        noticed |= e["name"_L1].toString() == u"notice" &&
                   e["args"_L1].toArray() == QJsonArray{1, u"two"_s};
    QVERIFY2(noticed, qPrintable(upgrading->fullLog()));
    QVERIFY2(
        hasEvent(*admin, u"socket_disconnected", {u"/"_s, b, u"server namespace disconnect"_s}),
        qPrintable(log));
    QTRY_VERIFY(!named(*upgrading, u"disconnected").isEmpty());
    QCOMPARE(named(*upgrading, u"disconnected").first()["reason"_L1].toString(),
             u"io server disconnect"_s);
    Socket *socketA = io->sockets()->socket(a);
    QVERIFY(socketA);
    QVERIFY(!socketA->rooms().contains(u"room9"_s));
    QVERIFY(socketA->rooms().contains(u"everyone"_s));
    // The admin namespace's own sockets are not traced event by event.
    for (const QJsonObject &e : named(*admin, u"event_sent"))
        QVERIFY2(args(e).at(0).toString() != u"/admin", qPrintable(json(e)));

    stopPeers(*polling);
    stopPeers(*upgrading);
}

void tst_AdminInterop::readonlyRefusesCommands()
{
    auto io = startServer();
    QVERIFY(io);
    InstrumentOptions options;
    options.auth = InstrumentOptions::Auth::None;
    options.readonly = true;
    options.namespaceName = u"/custom-admin"_s;
    QVERIFY(Instrumentation::instrument(io.get(), options));
    auto peers = startNode(u"admin-peers.mjs"_s, {u"--url"_s, url(*io), u"--count"_s, u"1"_s});
    const QStringList ids = awaitPeers(*peers, 1);
    QCOMPARE(ids.size(), 1);
    const QString a = ids.first();
    auto admin = startNode(u"admin-client.mjs"_s,
                           {u"--url"_s, url(*io), u"--nsp"_s, u"/custom-admin"_s, u"--duration"_s,
                            u"1500"_s, u"--command"_s, uR"(["join","/","room9","%1"])"_s.arg(a),
                            u"--command"_s, uR"(["_disconnect","/",true,"%1"])"_s.arg(a)});
    awaitPeer(*admin, 15'000);
    const QJsonObject config = admin->first(u"config");
    QVERIFY2(!config.isEmpty(), qPrintable(admin->log()));
    QCOMPARE(toStringList(args(config).at(0)["supportedFeatures"_L1]),
             (QStringList{u"AGGREGATED_EVENTS"_s, u"ALL_EVENTS"_s}));
    QCOMPARE(named(*admin, u"sent").size(), 2);
    QVERIFY(!hasEvent(*admin, u"room_joined", {u"/"_s, u"room9"_s}));
    Socket *socket = io->sockets()->socket(a);
    QVERIFY(socket);
    QVERIFY(socket->isConnected());
    QVERIFY(!socket->rooms().contains(u"room9"_s));
    QVERIFY(named(*peers, u"disconnected").isEmpty());
    stopPeers(*peers);
}

void tst_AdminInterop::productionSendsOnlyStats()
{
    auto io = startServer();
    QVERIFY(io);
    InstrumentOptions options;
    options.auth = InstrumentOptions::Auth::None;
    options.mode = InstrumentOptions::Mode::Production;
    QVERIFY(Instrumentation::instrument(io.get(), options));
    auto peers = startNode(u"admin-peers.mjs"_s, {u"--url"_s, url(*io), u"--count"_s, u"1"_s,
                                                  u"--transports"_s, u"polling"_s});
    QCOMPARE(awaitPeers(*peers, 1).size(), 1);
    auto admin =
        startNode(u"admin-client.mjs"_s, {u"--url"_s, url(*io), u"--duration"_s, u"2500"_s});
    QTRY_VERIFY_WITH_TIMEOUT(!admin->first(u"connect").isEmpty(), 10'000);
    peers->process.write("0 [\"hello\",1]\n");
    awaitPeer(*admin, 15'000);
    QSet<QString> names;
    for (const QJsonObject &e : admin->events())
        names.insert(e["event"_L1].toString());
    names.remove(u"disconnect"_s); // the client closing itself at the end
    QCOMPARE(names, (QSet<QString>{u"connect"_s, u"config"_s, u"server_options"_s,
                                   u"server_stats"_s, u"done"_s}));
    QCOMPARE(toStringList(args(admin->first(u"config")).at(0)["supportedFeatures"_L1]),
             developmentFeatures.mid(0, 8));
    QCOMPARE(args(admin->first(u"server_stats")).at(0)["pollingClientsCount"_L1].toInt(), 1);
    stopPeers(*peers);
}

void tst_AdminInterop::basicAuth()
{
    auto io = startServer();
    QVERIFY(io);
    InstrumentOptions options;
    options.auth = InstrumentOptions::Auth::Basic;
    options.username = u"admin"_s;
    options.passwordHash = changeitHash;
    QVERIFY(Instrumentation::instrument(io.get(), options));

    auto wrong = startNode(u"admin-client.mjs"_s,
                           {u"--url"_s, url(*io), u"--duration"_s, u"500"_s, u"--auth"_s,
                            uR"({"username":"admin","password":"wrong"})"_s});
    awaitPeer(*wrong, 15'000);
    QCOMPARE(wrong->first(u"connect_error")["message"_L1].toString(), u"invalid credentials"_s);
    QVERIFY(wrong->first(u"connect").isEmpty());

    auto right = startNode(u"admin-client.mjs"_s,
                           {u"--url"_s, url(*io), u"--duration"_s, u"500"_s, u"--auth"_s,
                            uR"({"username":"admin","password":"changeit"})"_s});
    awaitPeer(*right, 15'000);
    QVERIFY2(!right->first(u"connect").isEmpty(), qPrintable(right->log()));
    // After the CONNECT ack, so that a client listening from "connect" on gets it.
    const QString sessionId = args(right->first(u"session")).at(0).toString();
    QVERIFY2(QRegularExpression(u"^[0-9a-f]{16}$"_s).match(sessionId).hasMatch(),
             qPrintable(right->log()));
    QVERIFY(!right->first(u"config").isEmpty());

    // A reload: the session id alone lets the UI in, without a new session.
    auto session =
        startNode(u"admin-client.mjs"_s, {u"--url"_s, url(*io), u"--duration"_s, u"500"_s,
                                          u"--auth"_s, uR"({"sessionId":"%1"})"_s.arg(sessionId)});
    awaitPeer(*session, 15'000);
    QVERIFY2(!session->first(u"connect").isEmpty(), qPrintable(session->log()));
    QVERIFY(session->first(u"session").isEmpty());

    auto unknown =
        startNode(u"admin-client.mjs"_s, {u"--url"_s, url(*io), u"--duration"_s, u"500"_s,
                                          u"--auth"_s, uR"({"sessionId":"0123456789abcdef"})"_s});
    awaitPeer(*unknown, 15'000);
    QCOMPARE(unknown->first(u"connect_error")["message"_L1].toString(), u"invalid credentials"_s);
}

void tst_AdminInterop::sameShapesAsNode()
{
    // Node's instrumented server with two clients (one polling, one upgrading).
    auto node = startNode(u"admin-server.mjs"_s, {u"--clients"_s, u"2"_s});
    QTRY_VERIFY2_WITH_TIMEOUT(!node->first(u"ready").isEmpty(), qPrintable(node->log()), 15'000);
    const int nodePort = node->first(u"listening")["port"_L1].toInt();
    auto nodeAdmin =
        startNode(u"admin-client.mjs"_s,
                  {u"--url"_s, u"http://127.0.0.1:%1"_s.arg(nodePort), u"--duration"_s, u"2500"_s});

    auto io = startServer();
    QVERIFY(io);
    InstrumentOptions options;
    options.auth = InstrumentOptions::Auth::None;
    QVERIFY(Instrumentation::instrument(io.get(), options));
    auto polling = startNode(u"admin-peers.mjs"_s, {u"--url"_s, url(*io), u"--count"_s, u"1"_s,
                                                    u"--transports"_s, u"polling"_s});
    auto upgrading = startNode(u"admin-peers.mjs"_s, {u"--url"_s, url(*io), u"--count"_s, u"1"_s});
    QCOMPARE(awaitPeers(*polling, 1).size(), 1);
    QCOMPARE(awaitPeers(*upgrading, 1).size(), 1);
    QTRY_VERIFY(!named(*upgrading, u"upgraded").isEmpty());
    auto ours =
        startNode(u"admin-client.mjs"_s, {u"--url"_s, url(*io), u"--duration"_s, u"2500"_s});
    awaitPeer(*nodeAdmin, 15'000);
    awaitPeer(*ours, 15'000);

    for (const QString &event : {u"config"_s, u"all_sockets"_s, u"server_stats"_s}) {
        const QJsonObject theirs = nodeAdmin->first(event);
        const QJsonObject mine = ours->first(event);
        QVERIFY2(!theirs.isEmpty(), qPrintable(event + nodeAdmin->log()));
        QVERIFY2(!mine.isEmpty(), qPrintable(event + ours->log()));
        QJsonValue theirShape = shape(args(theirs));
        QJsonValue myShape = shape(args(mine));
        if (event == u"server_stats") {
            // Empty or not depends on the traffic of the last 2 s: compare the entries'
            // shape over every server_stats received.
            auto entryShape = [](const PeerProcess &peer) {
                QJsonObject entry;
                for (const QJsonObject &e : named(peer, u"server_stats"))
                    for (const QJsonValue &v : args(e).at(0)["aggregatedEvents"_L1].toArray())
                        if (!v.toObject().contains("subType"_L1))
                            entry = shape(v).toObject();
                return entry;
            };
            QCOMPARE(entryShape(*ours), entryShape(*nodeAdmin));
            QJsonObject t = theirShape.toArray().at(0).toObject(),
                        m = myShape.toArray().at(0).toObject();
            t.remove("aggregatedEvents"_L1);
            m.remove("aggregatedEvents"_L1);
            theirShape = t;
            myShape = m;
        }
        QVERIFY2(theirShape == myShape, qPrintable(event + u"\nnode: "_s + json(theirShape) +
                                                   u"\nours: "_s + json(myShape)));
    }
    // The same events in the same order at the start, our extension aside.
    auto leading = [](const PeerProcess &peer) {
        QStringList names;
        for (const QJsonObject &e : peer.events()) {
            const QString name = e["event"_L1].toString();
            if (name != u"server_options" && name != u"server_stats")
                names.append(name);
            if (name == u"all_sockets")
                break;
        }
        return names;
    };
    QCOMPARE(leading(*ours), leading(*nodeAdmin));

    node->process.write("quit\n");
    awaitPeer(*node, 10'000);
    stopPeers(*polling);
    stopPeers(*upgrading);
}

QTEST_GUILESS_MAIN(tst_AdminInterop)
#include "tst_admin_interop.moc"
