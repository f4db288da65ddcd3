// The Inspector's models fed by Node's instrumented server (socket.io 4.8 + @socket.io/admin-ui
// 0.5.1, node/admin-server.mjs) with real socket.io-client sockets: what the models show as
// clients come and go, each command's effect on the Node server as the server reports it
// back, read-only servers, production mode, basic auth and server health.
#include "adminserver.h"

#include "model/inspectorsession.h"
#include "model/namespacesmodel.h"
#include "model/roomsmodel.h"
#include "model/serversmodel.h"
#include "model/socketsmodel.h"
#include "model/statsmodel.h"
#include "model/trafficmodel.h"

#include <QtCore/QRegularExpression>
#include <QtTest/QAbstractItemModelTester>

#include <algorithm>

using namespace Inspector;

class tst_InspectorNode : public QObject
{
    Q_OBJECT

private:
    // The id of the socket whose handshake query has index `index`.
    static QString socketOfIndex(const SocketsModel *model, int index)
    {
        for (int row = 0; row < model->rowCount(); ++row) {
            const QVariantMap s = model->socket(row);
            const QVariantMap query =
                s.value(QStringLiteral("handshake")).toMap().value(QStringLiteral("query")).toMap();
            if (query.value(QStringLiteral("index")).toString() == QString::number(index))
                return s.value(QStringLiteral("id")).toString();
        }
        return {};
    }
    ConnectionSettings settingsFor(const AdminServer &server) const
    {
        ConnectionSettings s;
        s.url = server.url();
        return s;
    }

private Q_SLOTS:
    void initTestCase()
    {
        verifyNodeSetup(QStringLiteral(INTEROP_NODE_EXECUTABLE), QStringLiteral(INTEROP_NODE_DIR),
                        QStringLiteral("@socket.io/admin-ui"));
    }

    void socketsRoomsAndEventsFollowClients_data()
    {
        QTest::addColumn<bool>("websocketOnly");
        QTest::addRow("polling+websocket") << false;
        QTest::addRow("websocket-only") << true;
    }
    void socketsRoomsAndEventsFollowClients()
    {
        QFETCH(bool, websocketOnly);
        AdminServer server;
        QVERIFY2(server.start({}, 3), qPrintable(server.peer.log()));

        InspectorSession session;
        QAbstractItemModelTester socketsTester(session.sockets());
        QAbstractItemModelTester roomsTester(session.rooms());
        QAbstractItemModelTester serversTester(session.servers());
        QAbstractItemModelTester statsTester(session.stats());
        QAbstractItemModelTester namespacesTester(session.namespaces());
        QAbstractItemModelTester trafficTester(session.traffic());
        ConnectionSettings settings = settingsFor(server);
        settings.websocketOnly = websocketOnly;
        session.open(settings);
        QTRY_COMPARE_WITH_TIMEOUT(session.state(), InspectorSession::State::Connected, 10000);
        if (websocketOnly)
            QCOMPARE(session.transportName(), QStringLiteral("websocket"));
        QVERIFY(session.isDevelopmentMode());
        QVERIFY(!session.isReadonly());
        QVERIFY(session.hasFeature(InspectorSession::Feature::MDisconnect));

        // all_sockets: the 3 clients and the admin socket.
        SocketsModel *sockets = session.sockets();
        QTRY_COMPARE(socketIds(sockets, QStringLiteral("/")).size(), 3);
        QTRY_COMPARE(socketIds(sockets, QStringLiteral("/admin")).size(), 1);
        QCOMPARE(sockets->rowCount(), 4);
        const QString first = socketOfIndex(sockets, 0);
        QVERIFY(!first.isEmpty());
        const int firstRow = sockets->row(QStringLiteral("/"), first);
        QCOMPARE(sockets->index(firstRow, SocketsModel::Address).data().toString(),
                 QStringLiteral("127.0.0.1"));
        QCOMPARE(sockets->index(firstRow, SocketsModel::Rooms).data().toString(),
                 QStringLiteral("room-0"));
        QCOMPARE(sockets->index(firstRow, SocketsModel::Transport).data().toString(),
                 QStringLiteral("polling")); // client 0 is polling only
        QVERIFY(sockets->index(firstRow, SocketsModel::ConnectedSince)
                    .data(Qt::EditRole)
                    .toDateTime()
                    .isValid());
        const QVariantMap handshake =
            sockets->socket(firstRow).value(QStringLiteral("handshake")).toMap();
        QVERIFY(
            handshake.value(QStringLiteral("headers")).toMap().contains(QStringLiteral("host")));
        QCOMPARE(handshake.value(QStringLiteral("query")).toMap().value(QStringLiteral("index")),
                 QVariant(QStringLiteral("0")));

        // Rooms with members; the private rooms are flagged.
        RoomsModel *rooms = session.rooms();
        for (int i = 0; i < 3; ++i)
            QCOMPARE(rooms->members(QStringLiteral("/"), QStringLiteral("room-%1").arg(i)).size(),
                     1);
        const QModelIndex own = rooms->roomIndex(QStringLiteral("/"), first);
        QVERIFY(own.isValid());
        QVERIFY(own.data(RoomsModel::PrivateRole).toBool());
        QVERIFY(!rooms->roomIndex(QStringLiteral("/"), QStringLiteral("room-0"))
                     .data(RoomsModel::PrivateRole)
                     .toBool());

        // server_stats (every 2 s): the server, its namespaces, the time series.
        QTRY_COMPARE_WITH_TIMEOUT(session.servers()->rowCount(), 1, 5000);
        QTRY_COMPARE_WITH_TIMEOUT(session.namespaces()->socketsCount(QStringLiteral("/")), 3, 5000);
        QCOMPARE(session.namespaces()->socketsCount(QStringLiteral("/admin")), 1);
        const ServersModel::Server stats = session.servers()->servers().first();
        QVERIFY(stats.pid > 0);
        QCOMPARE(stats.clients, 4); // three clients and the admin connection, one engine each
        QVERIFY(stats.healthy);
        QTRY_VERIFY_WITH_TIMEOUT(session.stats()->maximum(StatsModel::Clients) >= 4, 5000);
        QTRY_VERIFY_WITH_TIMEOUT(session.stats()->maximum(StatsModel::PacketsIn) > 0, 5000);

        // More clients: sockets, rooms and their "hello" events arrive.
        QVERIFY2(server.command("connect 2"), qPrintable(server.peer.log()));
        QTRY_COMPARE(socketIds(sockets, QStringLiteral("/")).size(), 5);
        const QString fourth = socketOfIndex(sockets, 3);
        const QString fifth = socketOfIndex(sockets, 4);
        QTRY_COMPARE(rooms->members(QStringLiteral("/"), QStringLiteral("room-0")).size(), 2);
        QVERIFY(rooms->members(QStringLiteral("/"), QStringLiteral("room-0")).contains(fourth));
        QCOMPARE(rooms->members(QStringLiteral("/"), QStringLiteral("room-1")).size(), 2);
        TrafficModel *traffic = session.traffic();
        QTRY_COMPARE(trafficCount(traffic, TrafficModel::Dir::In, QStringLiteral("hello"), fifth),
                     1);
        QTRY_COMPARE(trafficCount(traffic, TrafficModel::Dir::Out, QStringLiteral("hello"), fifth),
                     1);
        for (int row = 0; row < traffic->rowCount(); ++row) {
            if (traffic->entry(row).socketId == fifth) {
                QCOMPARE(traffic->entry(row).nsp, QStringLiteral("/"));
                QCOMPARE(traffic->entry(row).args, QVariantList{4});
            }
        }

        // A client goes: its socket and room memberships go.
        QVERIFY(server.command("disconnect"));
        QTRY_COMPARE(socketIds(sockets, QStringLiteral("/")).size(), 4);
        QCOMPARE(sockets->row(QStringLiteral("/"), fifth), -1);
        QTRY_COMPARE(rooms->members(QStringLiteral("/"), QStringLiteral("room-1")).size(), 1);
        QVERIFY(!rooms->roomIndex(QStringLiteral("/"), fifth).isValid());
    }

    void commandsTakeEffect()
    {
        AdminServer server;
        QVERIFY2(server.start({}, 4), qPrintable(server.peer.log()));
        InspectorSession session;
        QSignalSpy events(&session, &InspectorSession::eventReceived);
        session.open(settingsFor(server));
        QTRY_COMPARE_WITH_TIMEOUT(session.state(), InspectorSession::State::Connected, 10000);
        SocketsModel *sockets = session.sockets();
        RoomsModel *rooms = session.rooms();
        const QString slash = QStringLiteral("/");
        QTRY_COMPARE(socketIds(sockets, slash).size(), 4);
        const QString s0 = socketOfIndex(sockets, 0);
        const QString s1 = socketOfIndex(sockets, 1);
        const QString s2 = socketOfIndex(sockets, 2);

        // join / leave one socket (JOIN, LEAVE with the socket id as filter).
        QVERIFY(session.joinRoom(slash, QStringLiteral("vip"), s1));
        QTRY_COMPARE(rooms->members(slash, QStringLiteral("vip")), QStringList{s1});
        QVERIFY(sockets->rooms(sockets->row(slash, s1)).contains(QStringLiteral("vip")));
        QVERIFY(session.leaveRoom(slash, QStringLiteral("vip"), s1));
        QTRY_VERIFY(!rooms->roomIndex(slash, QStringLiteral("vip")).isValid());

        // join a whole room (MJOIN with a room as filter), then clear it (MLEAVE, no filter).
        QVERIFY(session.joinRoom(slash, QStringLiteral("all-zero"), QStringLiteral("room-0")));
        QTRY_COMPARE(rooms->members(slash, QStringLiteral("all-zero")).size(), 2); // 0 and 3
        QVERIFY(session.joinRoom(slash, QStringLiteral("everyone")));
        QTRY_COMPARE(rooms->members(slash, QStringLiteral("everyone")).size(), 4);
        QVERIFY(session.leaveRoom(slash, QStringLiteral("everyone")));
        QTRY_VERIFY(!rooms->roomIndex(slash, QStringLiteral("everyone")).isValid());

        // emit to one socket: the server reports it as sent to that socket only.
        QVERIFY(session.emitEvent(slash, s2, QStringLiteral("notice"),
                                  {QStringLiteral("from the inspector"), 7}));
        QTRY_COMPARE(
            trafficCount(session.traffic(), TrafficModel::Dir::Out, QStringLiteral("notice")), 1);
        QCOMPARE(
            trafficCount(session.traffic(), TrafficModel::Dir::Out, QStringLiteral("notice"), s2),
            1);
        // emit to a room: once per member.
        QVERIFY(session.emitEvent(slash, QStringLiteral("all-zero"), QStringLiteral("roomcast")));
        QTRY_COMPARE(
            trafficCount(session.traffic(), TrafficModel::Dir::Out, QStringLiteral("roomcast")), 2);

        // _disconnect without closing: the socket goes; its client (socket.io-client) then
        // closes its Engine.IO connection itself ("transport close" on the server).
        const auto reasons = [&session] { return session.stats()->disconnectionReasons(); };
        QVERIFY(session.disconnectSockets(slash, false, s0));
        QTRY_COMPARE(sockets->row(slash, s0), -1);
        const auto reasonOf = [&events](const QString &id) {
            for (const QList<QVariant> &e : events) {
                const QVariantList args = e.at(1).toList();
                if (e.at(0).toString() == u"socket_disconnected" && args.value(1) == id)
                    return args.value(2).toString();
            }
            return QString();
        };
        QCOMPARE(reasonOf(s0), QStringLiteral("server namespace disconnect"));
        QTRY_COMPARE_WITH_TIMEOUT(reasons().value(QStringLiteral("transport close")), 1, 5000);
        QCOMPARE(reasons().value(QStringLiteral("forced close")), 0);
        QCOMPARE(socketIds(sockets, slash).size(), 3);

        // _disconnect closing the connection: the server closes it ("forced close").
        QVERIFY(session.disconnectSockets(slash, true, s1));
        QTRY_COMPARE(sockets->row(slash, s1), -1);
        QCOMPARE(reasonOf(s1), QStringLiteral("server namespace disconnect"));
        QTRY_COMPARE_WITH_TIMEOUT(reasons().value(QStringLiteral("forced close")), 1, 5000);
        QCOMPARE(reasons().value(QStringLiteral("transport close")), 1);
        QCOMPARE(socketIds(sockets, slash).size(), 2);
        QTRY_COMPARE_WITH_TIMEOUT(session.servers()->totalClients(), 3, 5000); // 2 + admin

        // _disconnect a whole namespace (MDISCONNECT).
        QVERIFY(session.disconnectSockets(slash, false));
        QTRY_COMPARE(socketIds(sockets, slash).size(), 0);
        QCOMPARE(socketIds(sockets, QStringLiteral("/admin")).size(), 1);
    }

    void readonlyRefusesCommands()
    {
        AdminServer server;
        QVERIFY2(server.start({QStringLiteral("--readonly")}, 2), qPrintable(server.peer.log()));
        InspectorSession session;
        QSignalSpy features(&session, &InspectorSession::featuresChanged);
        session.open(settingsFor(server));
        QTRY_COMPARE_WITH_TIMEOUT(session.state(), InspectorSession::State::Connected, 10000);
        QTRY_COMPARE(features.size(), 1);
        QCOMPARE(session.features(),
                 QStringList({QStringLiteral("AGGREGATED_EVENTS"), QStringLiteral("ALL_EVENTS")}));
        QVERIFY(session.isReadonly());
        QTRY_COMPARE(socketIds(session.sockets(), QStringLiteral("/")).size(), 2);
        const QString s0 = socketOfIndex(session.sockets(), 0);
        using F = InspectorSession::Feature;
        for (F f : {F::Join, F::Leave, F::Disconnect, F::Emit})
            QVERIFY(!session.canCommand(f, QStringLiteral("/"), s0));
        QVERIFY(!session.joinRoom(QStringLiteral("/"), QStringLiteral("vip"), s0));
        QVERIFY(!session.leaveRoom(QStringLiteral("/"), QStringLiteral("room-0")));
        QVERIFY(!session.disconnectSockets(QStringLiteral("/"), false, s0));
        QVERIFY(!session.emitEvent(QStringLiteral("/"), s0, QStringLiteral("x")));
        // Nothing changed on the server: by its next server_stats it would have told us.
        QSignalSpy events(&session, &InspectorSession::eventReceived);
        QTRY_VERIFY_WITH_TIMEOUT(std::any_of(events.cbegin(), events.cend(),
                                             [](const QList<QVariant> &e) {
                                                 return e.value(0).toString() ==
                                                        QLatin1String("server_stats");
                                             }),
                                 5000);
        QCOMPARE(session.sockets()->row(QStringLiteral("/"), s0) >= 0, true);
        QVERIFY(!session.rooms()->roomIndex(QStringLiteral("/"), QStringLiteral("vip")).isValid());
    }

    void productionModeSendsStatsOnly()
    {
        AdminServer server;
        QVERIFY2(server.start({QStringLiteral("--mode"), QStringLiteral("production")}, 2),
                 qPrintable(server.peer.log()));
        InspectorSession session;
        session.open(settingsFor(server));
        QTRY_COMPARE_WITH_TIMEOUT(session.state(), InspectorSession::State::Connected, 10000);
        QTRY_VERIFY(!session.features().isEmpty());
        QVERIFY(!session.isDevelopmentMode());
        QVERIFY(!session.isReadonly());
        QTRY_COMPARE_WITH_TIMEOUT(session.namespaces()->socketsCount(QStringLiteral("/")), 2, 5000);
        QCOMPARE(session.servers()->rowCount(), 1);
        QCOMPARE(session.sockets()->rowCount(), 0); // no all_sockets in production
    }

    void basicAuth()
    {
        AdminServer server;
        QVERIFY2(server.start({QStringLiteral("--username"), QStringLiteral("admin"),
                               QStringLiteral("--password-hash"),
                               QString::fromLatin1(adminPasswordHash)}),
                 qPrintable(server.peer.log()));

        // The right password: connected, and a session id to reconnect with.
        InspectorSession session;
        QSignalSpy sessionIds(&session, &InspectorSession::sessionIdChanged);
        const ConnectionSettings settings = withAdminLogin(settingsFor(server));
        session.open(settings);
        QTRY_COMPARE_WITH_TIMEOUT(session.state(), InspectorSession::State::Connected, 10000);
        QTRY_COMPARE(sessionIds.size(), 1);
        const QString sessionId = session.sessionId();
        QVERIFY2(QRegularExpression(QStringLiteral("^[0-9a-f]{16}$")).match(sessionId).hasMatch(),
                 qPrintable(sessionId));
        session.close();

        // The session id alone is accepted (no credentials, no new session).
        InspectorSession resumed;
        ConnectionSettings withSession = settingsFor(server);
        withSession.sessionId = sessionId;
        resumed.open(withSession);
        QTRY_COMPARE_WITH_TIMEOUT(resumed.state(), InspectorSession::State::Connected, 10000);
        QCOMPARE(resumed.sessionId(), sessionId);

        // A wrong password: "invalid credentials", the login is asked again.
        verifyWrongPasswordRefused(settings);
        if (QTest::currentTestFailed())
            return;

        // A stale session id falls back to the login as well.
        InspectorSession stale;
        QSignalSpy staleFailed(&stale, &InspectorSession::authenticationFailed);
        ConnectionSettings staleSettings = settingsFor(server);
        staleSettings.sessionId = QStringLiteral("0123456789abcdef");
        stale.open(staleSettings);
        QTRY_COMPARE_WITH_TIMEOUT(staleFailed.size(), 1, 10000);
        QVERIFY(stale.sessionId().isEmpty());
    }

    void serverTurnsUnhealthy()
    {
        AdminServer server;
        QVERIFY2(server.start({QStringLiteral("--server-id"), QStringLiteral("node-a")}),
                 qPrintable(server.peer.log()));
        InspectorSession session;
        session.servers()->setUnhealthyAfter(4000);
        session.open(settingsFor(server));
        QTRY_COMPARE_WITH_TIMEOUT(session.servers()->rowCount(), 1, 5000);
        const QModelIndex health = session.servers()->index(0, ServersModel::Health);
        QCOMPARE(session.servers()->index(0, ServersModel::ServerId).data().toString(),
                 QStringLiteral("node-a"));
        // Stats every 2 s keep it healthy past the 4 s threshold: three more of them.
        QSignalSpy events(&session, &InspectorSession::eventReceived);
        QTRY_VERIFY_WITH_TIMEOUT(std::count_if(events.cbegin(), events.cend(),
                                               [](const QList<QVariant> &e) {
                                                   return e.value(0).toString() ==
                                                          QLatin1String("server_stats");
                                               }) >= 3,
                                 10'000);
        QVERIFY(health.data(ServersModel::HealthyRole).toBool());
        server.peer.process.write("quit\n");
        QTRY_VERIFY_WITH_TIMEOUT(!health.data(ServersModel::HealthyRole).toBool(), 8000);
        QCOMPARE(health.data().toString(), QStringLiteral("unhealthy"));
        session.servers()->removeUnhealthy();
        QCOMPARE(session.servers()->rowCount(), 0);
    }
};

QTEST_GUILESS_MAIN(tst_InspectorNode)
#include "tst_inspector_node.moc"
