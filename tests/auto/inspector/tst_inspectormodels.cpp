// The Inspector's models on their own (fed with the protocol's events as captured from
// @socket.io/admin-ui 0.5.1), checked by QAbstractItemModelTester; and the session against an
// in-process Server playing a minimal admin namespace: the server_options extension and the
// commands' wire form.
#include "model/inspectorsession.h"
#include "model/namespacesmodel.h"
#include "model/optionsmodel.h"
#include "model/roomsmodel.h"
#include "model/serversmodel.h"
#include "model/socketsmodel.h"
#include "model/statsmodel.h"
#include "model/trafficmodel.h"
#include "model/varianttreemodel.h"

#include <SocketIO/Namespace>
#include <SocketIO/Server>
#include <SocketIO/Socket>

#include <QtCore/QBuffer>
#include <QtCore/QJsonDocument>
#include <QtTest/QAbstractItemModelTester>
#include <QtTest/QSignalSpy>
#include <QtTest/QTest>

using namespace Inspector;

namespace {

QVariantMap json(const char *text)
{
    return QJsonDocument::fromJson(text).toVariant().toMap();
}

QVariantMap statsOf(const QString &serverId, int clients, int polling, const QVariantList &events,
                    const QVariantList &namespaces = {})
{
    return {{QStringLiteral("serverId"), serverId},
            {QStringLiteral("hostname"), QStringLiteral("vm")},
            {QStringLiteral("pid"), 11315},
            {QStringLiteral("uptime"), 2.56},
            {QStringLiteral("clientsCount"), clients},
            {QStringLiteral("pollingClientsCount"), polling},
            {QStringLiteral("aggregatedEvents"), events},
            {QStringLiteral("namespaces"), namespaces}};
}

QVariantMap aggregated(qint64 timestamp, const char *type, int count, const char *subType = nullptr)
{
    QVariantMap e{{QStringLiteral("timestamp"), timestamp},
                  {QStringLiteral("type"), QLatin1String(type)},
                  {QStringLiteral("count"), count}};
    if (subType)
        e.insert(QStringLiteral("subType"), QLatin1String(subType));
    return e;
}

QVariantMap nsp(const char *name, int sockets)
{
    return {{QStringLiteral("name"), QLatin1String(name)},
            {QStringLiteral("socketsCount"), sockets}};
}

QVariantMap socket(const QString &id, const QString &nsp, const QStringList &rooms,
                   const char *transport = "websocket")
{
    return {{QStringLiteral("id"), id},
            {QStringLiteral("clientId"), id.left(12)},
            {QStringLiteral("transport"), QLatin1String(transport)},
            {QStringLiteral("nsp"), nsp},
            {QStringLiteral("data"), QVariantMap()},
            {QStringLiteral("rooms"), rooms},
            {QStringLiteral("handshake"),
             QVariantMap{{QStringLiteral("address"), QStringLiteral("127.0.0.1")},
                         {QStringLiteral("headers"),
                          QVariantMap{{QStringLiteral("host"), QStringLiteral("localhost")}}},
                         {QStringLiteral("query"),
                          QVariantMap{{QStringLiteral("EIO"), QStringLiteral("4")}}},
                         {QStringLiteral("issued"), 1795303104984LL}}}};
}

} // namespace

class tst_InspectorModels : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void servers()
    {
        ServersModel model;
        QAbstractItemModelTester tester(&model);
        const QDateTime t0 = QDateTime::fromMSecsSinceEpoch(1795303104000, Qt::UTC);
        model.updateStats(statsOf(QStringLiteral("A"), 5, 2, {}), t0);
        model.updateStats(statsOf(QStringLiteral("B"), 1, 0, {}), t0);
        model.updateStats(statsOf(QStringLiteral("A"), 6, 1, {}), t0.addSecs(2));
        QCOMPARE(model.rowCount(), 2);
        QCOMPARE(model.index(0, ServersModel::Clients).data(), QVariant(6));
        QCOMPARE(model.index(0, ServersModel::Polling).data(), QVariant(1));
        QCOMPARE(model.index(0, ServersModel::WebSocket).data(), QVariant(5));
        QCOMPARE(model.index(0, ServersModel::Uptime).data(), QVariant(qint64(3)));
        QCOMPARE(model.totalClients(), 7);
        QCOMPARE(model.headerData(ServersModel::Health, Qt::Horizontal).toString(),
                 QStringLiteral("Health"));
        QCOMPARE(model.totalPollingClients(), 1);

        // 10 s without stats: unhealthy (B got none since t0, A since t0 + 2 s).
        model.checkHealth(t0.addMSecs(10'500));
        QVERIFY(model.index(0, 0).data(ServersModel::HealthyRole).toBool());
        QVERIFY(!model.index(1, 0).data(ServersModel::HealthyRole).toBool());
        QCOMPARE(model.index(1, ServersModel::Health).data().toString(),
                 QStringLiteral("unhealthy"));
        model.removeUnhealthy();
        QCOMPARE(model.rowCount(), 1);
        QCOMPARE(model.index(0, ServersModel::ServerId).data().toString(), QStringLiteral("A"));
        // New stats bring a server back.
        model.checkHealth(t0.addSecs(20));
        QVERIFY(!model.index(0, 0).data(ServersModel::HealthyRole).toBool());
        model.updateStats(statsOf(QStringLiteral("A"), 6, 1, {}), t0.addSecs(21));
        QVERIFY(model.index(0, 0).data(ServersModel::HealthyRole).toBool());
    }

    void stats()
    {
        StatsModel model;
        QAbstractItemModelTester tester(&model);
        const qint64 s = 1795303104000;
        const QDateTime now = QDateTime::fromMSecsSinceEpoch(s + 1500, Qt::UTC);
        model.addStats(
            statsOf(QStringLiteral("A"), 2, 0,
                    {aggregated(s, "rawConnection", 1), aggregated(s, "bytesOut", 31),
                     aggregated(s + 1000, "packetsIn", 3), aggregated(s + 1000, "packetsOut", 4)}),
            now);
        model.addStats(statsOf(QStringLiteral("B"), 3, 0,
                               {aggregated(s + 1000, "packetsIn", 2),
                                aggregated(s + 1000, "rawDisconnection", 1, "transport close"),
                                aggregated(s, "something new", 9)}),
                       now);
        QCOMPARE(model.rowCount(), 2);
        QCOMPARE(model.index(0, StatsModel::Time).data().toDateTime().toMSecsSinceEpoch(), s);
        QCOMPARE(model.index(0, StatsModel::Connections).data(), QVariant(qint64(1)));
        QCOMPARE(model.index(0, StatsModel::BytesOut).data(), QVariant(qint64(31)));
        QCOMPARE(model.index(1, StatsModel::PacketsIn).data(), QVariant(qint64(5))); // A + B
        QCOMPARE(model.index(1, StatsModel::PacketsOut).data(), QVariant(qint64(4)));
        QCOMPARE(model.index(1, StatsModel::Clients).data(), QVariant(qint64(5))); // 2 + 3
        QCOMPARE(model.disconnectionReasons().value(QStringLiteral("transport close")), 1);
        QCOMPARE(model.maximum(StatsModel::PacketsIn), 5);

        // A late second goes in order; old seconds go past the capacity.
        model.addStats(statsOf(QStringLiteral("A"), 2, 0, {aggregated(s - 3000, "packetsIn", 1)}),
                       now);
        QCOMPARE(model.rowCount(), 3);
        QCOMPARE(model.index(0, StatsModel::Time).data().toDateTime().toMSecsSinceEpoch(),
                 s - 3000);
        model.setCapacity(2);
        QCOMPARE(model.rowCount(), 2);
        QCOMPARE(model.index(0, StatsModel::Time).data().toDateTime().toMSecsSinceEpoch(), s);
    }

    void namespaces()
    {
        NamespacesModel model;
        QAbstractItemModelTester tester(&model);
        model.updateStats(statsOf(QStringLiteral("A"), 0, 0, {}, {nsp("/", 2), nsp("/admin", 1)}));
        model.updateStats(statsOf(QStringLiteral("B"), 0, 0, {}, {nsp("/", 3), nsp("/chat", 1)}));
        QCOMPARE(model.names(), QStringList({QStringLiteral("/"), QStringLiteral("/admin"),
                                             QStringLiteral("/chat")}));
        QCOMPARE(model.socketsCount(QStringLiteral("/")), 5);
        model.updateStats(statsOf(QStringLiteral("B"), 0, 0, {}, {nsp("/", 1)}));
        QCOMPARE(model.names(), QStringList({QStringLiteral("/"), QStringLiteral("/admin")}));
        QCOMPARE(model.socketsCount(QStringLiteral("/")), 3);
        QCOMPARE(model.socketsCount(QStringLiteral("/chat")), -1);
    }

    void socketsAndRooms()
    {
        SocketsModel sockets;
        RoomsModel rooms;
        rooms.setSocketsModel(&sockets);
        QAbstractItemModelTester socketsTester(&sockets);
        QAbstractItemModelTester roomsTester(&rooms);
        const QString a = QStringLiteral("aaaaaaaaaaaaaaaaAAAA");
        const QString b = QStringLiteral("bbbbbbbbbbbbbbbbBBBB");
        const QString c = QStringLiteral("ccccccccccccccccCCCC");
        const QString slash = QStringLiteral("/");
        sockets.resetSockets({socket(a, slash, {a, QStringLiteral("room1")}, "polling"),
                              socket(b, slash, {b, QStringLiteral("room1")})});
        QCOMPARE(sockets.rowCount(), 2);
        QCOMPARE(sockets.index(0, SocketsModel::Rooms).data().toString(), QStringLiteral("room1"));
        QCOMPARE(sockets.index(0, SocketsModel::ConnectedSince)
                     .data(Qt::EditRole)
                     .toDateTime()
                     .toMSecsSinceEpoch(),
                 1795303104984);
        QCOMPARE(rooms.members(slash, QStringLiteral("room1")), QStringList({a, b}));
        QVERIFY(rooms.roomIndex(slash, a).data(RoomsModel::PrivateRole).toBool());
        const QModelIndex room1 = rooms.roomIndex(slash, QStringLiteral("room1"));
        QCOMPARE(rooms.rowCount(room1), 2);
        QCOMPARE(rooms.index(1, 0, room1).data(RoomsModel::SocketIdRole).toString(), b);
        QCOMPARE(rooms.index(1, 0, room1).parent(), room1);

        // The protocol's order: room_joined for the own room, then socket_connected.
        sockets.joinRoom(slash, c, c); // unknown socket: ignored
        sockets.addSocket(socket(c, slash, {c}), QDateTime::currentDateTimeUtc());
        QCOMPARE(sockets.rowCount(), 3);
        QVERIFY(rooms.roomIndex(slash, c).isValid());
        sockets.joinRoom(slash, QStringLiteral("room2"), c);
        sockets.joinRoom(slash, QStringLiteral("room2"), c); // twice: once
        QCOMPARE(rooms.members(slash, QStringLiteral("room2")), QStringList{c});
        QCOMPARE(sockets.rooms(2), QStringList({c, QStringLiteral("room2")}));
        sockets.updateSocket({{QStringLiteral("id"), a},
                              {QStringLiteral("nsp"), slash},
                              {QStringLiteral("transport"), QStringLiteral("websocket")}});
        QCOMPARE(sockets.index(0, SocketsModel::Transport).data().toString(),
                 QStringLiteral("websocket"));

        sockets.leaveRoom(slash, QStringLiteral("room1"), a);
        QCOMPARE(rooms.members(slash, QStringLiteral("room1")), QStringList{b});
        // socket_disconnected: the socket and its memberships go, empty rooms too.
        sockets.removeSocket(slash, b);
        QCOMPARE(sockets.rowCount(), 2);
        QCOMPARE(sockets.row(slash, c), 1);
        QVERIFY(!rooms.roomIndex(slash, QStringLiteral("room1")).isValid());
        QVERIFY(!rooms.roomIndex(slash, b).isValid());
        sockets.clear();
        QCOMPARE(rooms.rowCount(), 0);
    }

    void traffic()
    {
        TrafficModel model;
        TrafficFilterModel filter;
        filter.setSourceModel(&model);
        QAbstractItemModelTester tester(&model);
        QAbstractItemModelTester filterTester(&filter);
        const QDateTime t =
            QDateTime::fromString(QStringLiteral("2026-11-21T23:18:25.143Z"), Qt::ISODateWithMs);
        model.addEvent(TrafficModel::Dir::In, QStringLiteral("/"), QStringLiteral("s1"),
                       {QStringLiteral("hello"), 1}, t);
        model.addEvent(TrafficModel::Dir::Out, QStringLiteral("/"), QStringLiteral("s1"),
                       {QStringLiteral("news"),
                        QVariantMap{{QStringLiteral("hello"), QStringLiteral("world")}}, 42},
                       t);
        model.addEvent(TrafficModel::Dir::Out, QStringLiteral("/chat"), QStringLiteral("s2"),
                       {QStringLiteral("message"), QStringLiteral("hi")}, t);
        QCOMPARE(model.index(1, TrafficModel::Arguments).data().toString(),
                 QStringLiteral("{\"hello\":\"world\"},42"));

        filter.setDirections(TrafficFilterModel::Directions::Out);
        QCOMPARE(filter.rowCount(), 2);
        filter.setNamespace(QStringLiteral("/"));
        QCOMPARE(filter.rowCount(), 1);
        filter.setNamespace({});
        filter.setSearchText(QStringLiteral("WORLD"));
        QCOMPARE(filter.sourceRows(), QList<int>{1});
        filter.setSearchText({});
        filter.setDirections(TrafficFilterModel::Directions::In);
        QCOMPARE(filter.sourceRows(), QList<int>{0});

        // Export: one JSON object per line.
        QBuffer out;
        out.open(QIODevice::WriteOnly);
        QVERIFY(model.writeJsonLines(&out, {1, 2}));
        const QList<QByteArray> lines = out.data().split('\n');
        QCOMPARE(lines.size(), 3);
        QVERIFY(lines.last().isEmpty());
        const QVariantMap first = QJsonDocument::fromJson(lines.first()).toVariant().toMap();
        QCOMPARE(first.value(QStringLiteral("time")).toString(),
                 QStringLiteral("2026-11-21T23:18:25.143Z"));
        QCOMPARE(first.value(QStringLiteral("direction")).toString(), QStringLiteral("out"));
        QCOMPARE(first.value(QStringLiteral("event")).toString(), QStringLiteral("news"));
        QCOMPARE(first.value(QStringLiteral("args")).toList().size(), 2);

        // Pause drops; the capacity keeps the newest.
        model.setPaused(true);
        model.addEvent(TrafficModel::Dir::In, QStringLiteral("/"), QStringLiteral("s1"),
                       {QStringLiteral("dropped")}, t);
        QCOMPARE(model.rowCount(), 3);
        QCOMPARE(model.droppedCount(), 1);
        model.setPaused(false);
        model.setCapacity(2);
        QCOMPARE(model.rowCount(), 2);
        model.addEvent(TrafficModel::Dir::In, QStringLiteral("/"), QStringLiteral("s1"),
                       {QStringLiteral("last")}, t);
        QCOMPARE(model.rowCount(), 2);
        QCOMPARE(model.entry(1).event, QStringLiteral("last"));
        QCOMPARE(model.entry(0).event, QStringLiteral("message"));
    }

    // Binary arguments show (and export) as {"$bin": hex}.
    void trafficBinary()
    {
        TrafficModel model;
        model.addEvent(TrafficModel::Dir::Out, QStringLiteral("/"), QStringLiteral("s1"),
                       {QStringLiteral("bin"), QByteArray("\x01\x02\x03", 3),
                        QVariantMap{{QStringLiteral("b"), QByteArray("\xff", 1)}}},
                       QDateTime::currentDateTimeUtc());
        QCOMPARE(model.index(0, TrafficModel::Arguments).data().toString(),
                 QStringLiteral("{\"$bin\":\"010203\"},{\"b\":{\"$bin\":\"ff\"}}"));
        const QVariantMap line =
            QJsonDocument::fromJson(TrafficModel::toJsonLine(model.entry(0))).toVariant().toMap();
        QCOMPARE(line.value(QStringLiteral("args"))
                     .toList()
                     .value(0)
                     .toMap()
                     .value(QStringLiteral("$bin")),
                 QVariant(QStringLiteral("010203")));
    }

    void optionsAndDetail()
    {
        OptionsModel options;
        QAbstractItemModelTester tester(&options);
        options.setServerOptions(json(R"({"serverId":"qt-1","engine":{"pingInterval":25000,
            "transports":["polling","websocket"]},"server":{"path":"/socket.io","serveClient":false}})"));
        options.setServerOptions(json(R"({"serverId":"qt-2","engine":{"pingInterval":1000}})"));
        QCOMPARE(options.rowCount(), 5);
        QCOMPARE(options
                     .value(QStringLiteral("qt-1"), QStringLiteral("engine"),
                            QStringLiteral("pingInterval"))
                     .toInt(),
                 25000);
        options.setServerOptions(json(R"({"serverId":"qt-1","server":{"path":"/io"}})"));
        QCOMPARE(options.rowCount(), 2);
        QVERIFY(!options
                     .value(QStringLiteral("qt-1"), QStringLiteral("engine"),
                            QStringLiteral("pingInterval"))
                     .isValid());
        QCOMPARE(
            options.value(QStringLiteral("qt-1"), QStringLiteral("server"), QStringLiteral("path")),
            QVariant(QStringLiteral("/io")));
        QCOMPARE(OptionsModel::valueText(QVariantList{QStringLiteral("polling"), 1}),
                 QStringLiteral("[\"polling\",1]"));
        QCOMPARE(OptionsModel::valueText(false), QStringLiteral("false"));

        VariantTreeModel tree;
        QAbstractItemModelTester treeTester(&tree);
        tree.setVariant(socket(QStringLiteral("x"), QStringLiteral("/"), {QStringLiteral("x")}));
        const QModelIndex host = tree.find(
            {QStringLiteral("handshake"), QStringLiteral("headers"), QStringLiteral("host")});
        QVERIFY(host.isValid());
        QCOMPARE(host.siblingAtColumn(VariantTreeModel::Value).data().toString(),
                 QStringLiteral("localhost"));
        QCOMPARE(host.parent().parent(), tree.find({QStringLiteral("handshake")}));
        QCOMPARE(tree.rowCount(tree.find({QStringLiteral("rooms")})), 1);
        QVERIFY(!tree.find({QStringLiteral("nothing")}).isValid());
    }

    // The session against an in-process admin namespace that speaks the extension event and
    // records the commands as they arrive on the wire.
    void sessionWithServerOptions()
    {
        SocketIO::Server server;
        QVERIFY(server.listen(QHostAddress::LocalHost, 0));
        QList<QPair<QString, QVariantList>> commands;
        connect(server.of(QStringLiteral("/admin")), &SocketIO::Namespace::connection, this,
                [&commands](SocketIO::Socket *admin) {
                    admin->emitEvent(QStringLiteral("config"),
                                     {json(R"({"supportedFeatures":["EMIT","JOIN","LEAVE",
                                     "DISCONNECT","MJOIN","MLEAVE","MDISCONNECT",
                                     "AGGREGATED_EVENTS","ALL_EVENTS"]})")});
                    admin->emitEvent(QStringLiteral("server_options"),
                                     {json(R"({"serverId":"qt-1","engine":{"pingInterval":25000},
                                     "server":{"connectTimeout":45000}})")});
                    admin->emitEvent(QStringLiteral("all_sockets"),
                                     {QVariant(QVariantList{socket(
                                         admin->id(), QStringLiteral("/admin"), {admin->id()})})});
                    QObject::connect(admin, &SocketIO::Socket::eventReceived, admin,
                                     [&commands](const QString &event, const QVariantList &args) {
                                         commands.append({event, args});
                                     });
                });
        InspectorSession session;
        QSignalSpy optionsReceived(&session, &InspectorSession::serverOptionsReceived);
        ConnectionSettings settings;
        settings.url = QUrl(QStringLiteral("http://127.0.0.1:%1").arg(server.serverPort()));
        session.open(settings);
        QTRY_COMPARE(session.state(), InspectorSession::State::Connected);
        QTRY_COMPARE(optionsReceived.size(), 1);
        QCOMPARE(session.options()->rowCount(), 2);
        QCOMPARE(session.options()
                     ->value(QStringLiteral("qt-1"), QStringLiteral("server"),
                             QStringLiteral("connectTimeout"))
                     .toInt(),
                 45000);
        QTRY_COMPARE(session.sockets()->rowCount(), 1);
        const QString adminId =
            session.sockets()->index(0, 0).data(SocketsModel::IdRole).toString();

        // The commands as admin-ui's handlers take them.
        QVERIFY(
            session.joinRoom(QStringLiteral("/"), QStringLiteral("r"), QStringLiteral("room1")));
        QVERIFY(session.leaveRoom(QStringLiteral("/"), QStringLiteral("r")));
        QVERIFY(session.disconnectSockets(QStringLiteral("/admin"), true, adminId));
        QTRY_COMPARE(commands.size(), 3);
        QCOMPARE(commands.at(0).first, QStringLiteral("join"));
        QCOMPARE(commands.at(0).second,
                 QVariantList({QStringLiteral("/"), QStringLiteral("r"), QStringLiteral("room1")}));
        QCOMPARE(commands.at(1).second, QVariantList({QStringLiteral("/"), QStringLiteral("r")}));
        QCOMPARE(commands.at(2).first, QStringLiteral("_disconnect"));
        QCOMPARE(commands.at(2).second, QVariantList({QStringLiteral("/admin"), true, adminId}));
        // emit keeps the filter's place with null.
        QVERIFY(session.emitEvent(QStringLiteral("/"), {}, QStringLiteral("ev"),
                                  {1, QStringLiteral("two")}));
        QTRY_COMPARE(commands.size(), 4);
        QCOMPARE(commands.at(3).first, QStringLiteral("emit"));
        QCOMPARE(commands.at(3).second.size(), 5);
        QVERIFY(commands.at(3).second.at(1).isNull());
        QCOMPARE(commands.at(3).second.at(2), QVariant(QStringLiteral("ev")));
    }
};

QTEST_GUILESS_MAIN(tst_InspectorModels)
#include "tst_inspectormodels.moc"
