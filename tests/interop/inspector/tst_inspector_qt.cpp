// The Inspector's models fed by our own instrumented server (an in-process Server with
// Instrumentation, development mode) and real socket.io-client sockets (node/admin-peers.mjs),
// over polling and WebSocket: what the models show as clients come and go, each command's
// effect checked on the Qt server itself, read-only servers, the published options and basic
// auth with a bcrypt hash.
#include "../peerprocess.h"
#include "inspectortest.h"

#include "model/inspectorsession.h"
#include "model/namespacesmodel.h"
#include "model/optionsmodel.h"
#include "model/roomsmodel.h"
#include "model/serversmodel.h"
#include "model/socketsmodel.h"
#include "model/statsmodel.h"
#include "model/trafficmodel.h"

#include <SocketIO/Instrumentation>
#include <SocketIO/Namespace>
#include <SocketIO/Server>
#include <SocketIO/Socket>

#include <QtCore/QJsonArray>
#include <QtTest/QAbstractItemModelTester>

#include <functional>
#include <memory>

using namespace Inspector;

namespace {

constexpr int configuredPingInterval = 12'345;

// An instrumented Server on 127.0.0.1:0 (namespaces "/" and "/chat") whose "/" sockets join
// "lobby"; each socket leaves its disconnect reason in `reasons`.
struct QtServer
{
    explicit QtServer(const std::function<void(SocketIO::InstrumentOptions &)> &tweak = {})
    {
        SocketIO::ServerOptions options;
        options.engine.pingInterval = configuredPingInterval;
        io = std::make_unique<SocketIO::Server>(options);
        SocketIO::InstrumentOptions admin;
        admin.auth = SocketIO::InstrumentOptions::Auth::None;
        admin.serverId = QStringLiteral("qt-a");
        if (tweak)
            tweak(admin);
        QString error;
        instrumentation = SocketIO::Instrumentation::instrument(io.get(), admin, &error);
        if (!instrumentation)
            qWarning() << "instrument:" << error;
        for (const QString &name : {QStringLiteral("/"), QStringLiteral("/chat")}) {
            SocketIO::Namespace *nsp = io->of(name);
            QObject::connect(nsp, &SocketIO::Namespace::connection, io.get(),
                             [this, name](SocketIO::Socket *socket) {
                                 if (name == u"/")
                                     socket->join(QStringLiteral("lobby"));
                                 const QString id = socket->id();
                                 QObject::connect(socket, &SocketIO::Socket::disconnected, io.get(),
                                                  [this, id](const QString &reason) {
                                                      reasons.insert(id, reason);
                                                  });
                             });
        }
        listening = instrumentation && io->listen(QHostAddress::LocalHost, 0);
    }

    QSet<QString> rooms(const QString &id) const
    {
        SocketIO::Socket *socket = io->of(QStringLiteral("/"))->socket(id);
        return socket ? socket->rooms() : QSet<QString>();
    }
    QString url() const { return QStringLiteral("http://127.0.0.1:%1").arg(io->serverPort()); }

    std::unique_ptr<SocketIO::Server> io;
    SocketIO::Instrumentation *instrumentation = nullptr;
    QHash<QString, QString> reasons; // socket id -> disconnect reason
    bool listening = false;
};

} // namespace

class tst_InspectorQt : public QObject
{
    Q_OBJECT

private:
    // socket.io-client sockets (node/admin-peers.mjs) connected to `nsp` of the server.
    static std::unique_ptr<PeerProcess> startPeers(const QtServer &server, int count,
                                                   const QString &transports,
                                                   const QString &nsp = QStringLiteral("/"))
    {
        auto peers = std::make_unique<PeerProcess>(QStringLiteral(INTEROP_NODE_EXECUTABLE),
                                                   QStringLiteral(INTEROP_NODE_DIR));
        peers->process.setArguments({QStringLiteral("admin-peers.mjs"), QStringLiteral("--url"),
                                     server.url(), QStringLiteral("--nsp"), nsp,
                                     QStringLiteral("--count"), QString::number(count),
                                     QStringLiteral("--transports"), transports});
        peers->process.start();
        return peers;
    }
    // Waits for the "connected" lines of all of a peer process's sockets; their ids by index.
    static QStringList awaitConnected(const PeerProcess &peers, int count)
    {
        QStringList ids;
        waitUntil([&] {
            ids.clear();
            for (const QJsonObject &e : peers.events())
                if (e.value(QLatin1String("event")).toString() == u"connected")
                    ids.append(e.value(QLatin1String("id")).toString());
            return ids.size() >= count;
        });
        return ids;
    }
    // The events socket `index` of a peer process received, as [name, args...].
    static QList<QJsonArray> received(const PeerProcess &peers, int index)
    {
        QList<QJsonArray> result;
        for (const QJsonObject &e : peers.events()) {
            if (e.value(QLatin1String("event")).toString() == u"received" &&
                e.value(QLatin1String("index")).toInt() == index) {
                QJsonArray event{e.value(QLatin1String("name"))};
                for (const QJsonValue &a : e.value(QLatin1String("args")).toArray())
                    event.append(a);
                result.append(event);
            }
        }
        return result;
    }
    static ConnectionSettings settingsFor(const QtServer &server)
    {
        ConnectionSettings s;
        s.url = QUrl(server.url());
        return s;
    }
    static QString transportOf(const SocketsModel *sockets, const QString &nsp, const QString &id)
    {
        return sockets->index(sockets->row(nsp, id), SocketsModel::Transport).data().toString();
    }

private Q_SLOTS:
    void initTestCase()
    {
        verifyNodeSetup(QStringLiteral(INTEROP_NODE_EXECUTABLE), QStringLiteral(INTEROP_NODE_DIR),
                        QStringLiteral("socket.io-client"));
    }

    void socketsRoomsAndNamespacesFollowClients()
    {
        QtServer server;
        QVERIFY(server.listening);
        InspectorSession session;
        QAbstractItemModelTester socketsTester(session.sockets());
        QAbstractItemModelTester roomsTester(session.rooms());
        QAbstractItemModelTester namespacesTester(session.namespaces());
        QAbstractItemModelTester trafficTester(session.traffic());
        QAbstractItemModelTester optionsTester(session.options());
        session.open(settingsFor(server));
        QTRY_COMPARE_WITH_TIMEOUT(session.state(), InspectorSession::State::Connected, 10000);
        QVERIFY(session.isDevelopmentMode());
        QVERIFY(!session.isReadonly());
        SocketsModel *sockets = session.sockets();
        RoomsModel *rooms = session.rooms();
        const QString slash = QStringLiteral("/");
        const QString chat = QStringLiteral("/chat");
        QTRY_COMPARE(socketIds(sockets, QStringLiteral("/admin")).size(), 1);
        QCOMPARE(socketIds(sockets, slash).size(), 0);

        // One polling-only client on "/", two WebSocket-only clients on "/chat".
        auto polling = startPeers(server, 1, QStringLiteral("polling"));
        auto websocket = startPeers(server, 2, QStringLiteral("websocket"), chat);
        const QStringList pollingIds = awaitConnected(*polling, 1);
        const QStringList chatIds = awaitConnected(*websocket, 2);
        QCOMPARE(pollingIds.size(), 1);
        QCOMPARE(chatIds.size(), 2);
        QTRY_COMPARE(socketIds(sockets, slash), pollingIds);
        QTRY_COMPARE(socketIds(sockets, chat).size(), 2);
        for (const QString &id : chatIds)
            QVERIFY(socketIds(sockets, chat).contains(id));
        QCOMPARE(transportOf(sockets, slash, pollingIds.first()), QStringLiteral("polling"));
        QCOMPARE(transportOf(sockets, chat, chatIds.first()), QStringLiteral("websocket"));
        QCOMPARE(sockets->index(sockets->row(slash, pollingIds.first()), SocketsModel::Address)
                     .data()
                     .toString(),
                 QStringLiteral("127.0.0.1"));

        // The server's rooms: "lobby" and each socket's own room.
        QTRY_COMPARE(rooms->members(slash, QStringLiteral("lobby")), pollingIds);
        QVERIFY(rooms->roomIndex(slash, pollingIds.first()).data(RoomsModel::PrivateRole).toBool());
        QVERIFY(rooms->roomIndex(chat, chatIds.first()).isValid());

        // server_stats: both namespaces with their sockets, one server.
        QTRY_COMPARE_WITH_TIMEOUT(session.namespaces()->socketsCount(chat), 2, 5000);
        QCOMPARE(session.namespaces()->socketsCount(slash), 1);
        QCOMPARE(session.servers()->rowCount(), 1);
        QCOMPARE(session.servers()->servers().first().serverId, QStringLiteral("qt-a"));

        // A client's event reaches the traffic log (development mode).
        polling->process.write("0 [\"hello\",42]\n");
        QTRY_COMPARE(trafficCount(session.traffic(), TrafficModel::Dir::In, QStringLiteral("hello"),
                                  pollingIds.first()),
                     1);

        // The "/chat" clients go: their sockets and rooms go, the namespace counts 0.
        websocket->process.closeWriteChannel();
        QTRY_COMPARE(socketIds(sockets, chat).size(), 0);
        QVERIFY(!rooms->roomIndex(chat, chatIds.first()).isValid());
        QTRY_COMPARE_WITH_TIMEOUT(session.namespaces()->socketsCount(chat), 0, 5000);
        QCOMPARE(server.reasons.value(chatIds.first()),
                 QStringLiteral("client namespace disconnect"));
        QCOMPARE(socketIds(sockets, slash), pollingIds);
    }

    void commandsTakeEffectOnTheServer()
    {
        QtServer server;
        QVERIFY(server.listening);
        InspectorSession session;
        session.open(settingsFor(server));
        QTRY_COMPARE_WITH_TIMEOUT(session.state(), InspectorSession::State::Connected, 10000);
        // s0 polls, s1 and s2 upgrade to WebSocket.
        auto polling = startPeers(server, 1, QStringLiteral("polling"));
        auto upgrading = startPeers(server, 2, QStringLiteral("polling,websocket"));
        const QStringList pollingIds = awaitConnected(*polling, 1);
        const QStringList upgradingIds = awaitConnected(*upgrading, 2);
        QCOMPARE(pollingIds.size() + upgradingIds.size(), 3);
        const QString s0 = pollingIds.first();
        const QString s1 = upgradingIds.at(0);
        const QString s2 = upgradingIds.at(1);
        const QString slash = QStringLiteral("/");
        SocketsModel *sockets = session.sockets();
        RoomsModel *rooms = session.rooms();
        QTRY_COMPARE(socketIds(sockets, slash).size(), 3);
        QTRY_COMPARE(transportOf(sockets, slash, s1), QStringLiteral("websocket"));

        // join / leave one socket: the server's socket is in the room, then not.
        QVERIFY(session.joinRoom(slash, QStringLiteral("vip"), s1));
        QTRY_VERIFY(server.rooms(s1).contains(QStringLiteral("vip")));
        QTRY_COMPARE(rooms->members(slash, QStringLiteral("vip")), QStringList{s1});
        QVERIFY(!server.rooms(s0).contains(QStringLiteral("vip")));
        QVERIFY(session.leaveRoom(slash, QStringLiteral("vip"), s1));
        QTRY_VERIFY(!server.rooms(s1).contains(QStringLiteral("vip")));
        QTRY_VERIFY(!rooms->roomIndex(slash, QStringLiteral("vip")).isValid());

        // join a whole namespace, then a room's members leave it.
        QVERIFY(session.joinRoom(slash, QStringLiteral("everyone")));
        QTRY_VERIFY(server.rooms(s0).contains(QStringLiteral("everyone")) &&
                    server.rooms(s1).contains(QStringLiteral("everyone")) &&
                    server.rooms(s2).contains(QStringLiteral("everyone")));
        QVERIFY(session.leaveRoom(slash, QStringLiteral("everyone"), QStringLiteral("lobby")));
        QTRY_VERIFY(!server.rooms(s0).contains(QStringLiteral("everyone")) &&
                    !server.rooms(s1).contains(QStringLiteral("everyone")) &&
                    !server.rooms(s2).contains(QStringLiteral("everyone")));

        // emit to one socket: only that client receives it, with its arguments.
        QVERIFY(session.emitEvent(slash, s2, QStringLiteral("notice"),
                                  {QStringLiteral("from the inspector"), 7}));
        QTRY_COMPARE(received(*upgrading, 1).size(), 1);
        QCOMPARE(received(*upgrading, 1).first(),
                 QJsonArray({QStringLiteral("notice"), QStringLiteral("from the inspector"), 7}));
        // emit to a room: each member receives it.
        QVERIFY(session.emitEvent(slash, QStringLiteral("lobby"), QStringLiteral("roomcast")));
        QTRY_COMPARE(received(*polling, 0).size(), 1);
        QTRY_COMPARE(received(*upgrading, 0).size(), 1);
        QCOMPARE(received(*upgrading, 0).first(), QJsonArray{QStringLiteral("roomcast")});
        QCOMPARE(received(*upgrading, 1).size(), 2);

        // _disconnect without closing (WebSocket client), then closing (polling client): the
        // server's sockets go with the reference's reason, the engine closes differently.
        const int clientsBefore = server.io->clientsCount();
        QVERIFY(session.disconnectSockets(slash, false, s1));
        QTRY_COMPARE(server.reasons.value(s1), QStringLiteral("server namespace disconnect"));
        QTRY_COMPARE(sockets->row(slash, s1), -1);
        QTRY_COMPARE(upgrading->first(u"disconnected").value(QLatin1String("reason")).toString(),
                     QStringLiteral("io server disconnect"));
        QVERIFY(session.disconnectSockets(slash, true, s0));
        QTRY_COMPARE(server.reasons.value(s0), QStringLiteral("server namespace disconnect"));
        QTRY_COMPARE(sockets->row(slash, s0), -1);
        QTRY_COMPARE_WITH_TIMEOUT(
            session.stats()->disconnectionReasons().value(QStringLiteral("forced close")), 1, 5000);
        QTRY_VERIFY(server.io->clientsCount() <= clientsBefore - 1);
        QVERIFY(server.io->of(slash)->socket(s2));
        QCOMPARE(socketIds(sockets, slash), QStringList{s2});
    }

    void readonlyRefusesCommands()
    {
        QtServer server([](SocketIO::InstrumentOptions &o) { o.readonly = true; });
        QVERIFY(server.listening);
        InspectorSession session;
        session.open(settingsFor(server));
        QTRY_COMPARE_WITH_TIMEOUT(session.state(), InspectorSession::State::Connected, 10000);
        auto peers = startPeers(server, 1, QStringLiteral("polling,websocket"));
        const QStringList ids = awaitConnected(*peers, 1);
        QCOMPARE(ids.size(), 1);
        const QString s0 = ids.first();
        const QString slash = QStringLiteral("/");
        QTRY_COMPARE(socketIds(session.sockets(), slash), ids);
        QVERIFY(session.isReadonly());
        using F = InspectorSession::Feature;
        for (F f : {F::Join, F::Leave, F::Disconnect, F::Emit})
            QVERIFY(!session.canCommand(f, slash, s0));
        QVERIFY(!session.joinRoom(slash, QStringLiteral("vip"), s0));
        QVERIFY(!session.leaveRoom(slash, QStringLiteral("lobby"), s0));
        QVERIFY(!session.disconnectSockets(slash, true, s0));
        QVERIFY(!session.emitEvent(slash, s0, QStringLiteral("x")));
        // Nothing changed on the server, even after the client's next event came through.
        peers->process.write("0 [\"hello\"]\n");
        QTRY_COMPARE(
            trafficCount(session.traffic(), TrafficModel::Dir::In, QStringLiteral("hello"), s0), 1);
        QCOMPARE(server.rooms(s0), QSet<QString>({s0, QStringLiteral("lobby")}));
        QVERIFY(server.io->of(slash)->socket(s0));
        QVERIFY(received(*peers, 0).isEmpty());
    }

    void optionsShowTheServersSettings()
    {
        QtServer server;
        QVERIFY(server.listening);
        InspectorSession session;
        QSignalSpy published(&session, &InspectorSession::serverOptionsReceived);
        session.open(settingsFor(server));
        QTRY_COMPARE_WITH_TIMEOUT(published.size(), 1, 10000);
        OptionsModel *options = session.options();
        const QString id = QStringLiteral("qt-a");
        QCOMPARE(
            options->value(id, QStringLiteral("engine"), QStringLiteral("pingInterval")).toInt(),
            configuredPingInterval);
        QCOMPARE(options->value(id, QStringLiteral("engine"), QStringLiteral("pingInterval")),
                 server.instrumentation->serverOptions()
                     .value(QStringLiteral("engine"))
                     .toMap()
                     .value(QStringLiteral("pingInterval")));
        QCOMPARE(options->value(id, QStringLiteral("server"), QStringLiteral("adapter")).toString(),
                 QStringLiteral("in-memory"));
        QVERIFY(
            !options->value(id, QStringLiteral("engine"), QStringLiteral("nonexistent")).isValid());
        QVERIFY(options->rowCount() > 3);
    }

    void basicAuthWithBcrypt()
    {
        QtServer server([](SocketIO::InstrumentOptions &o) {
            o.auth = SocketIO::InstrumentOptions::Auth::Basic;
            o.username = QStringLiteral("admin");
            o.passwordHash = adminPasswordHash;
        });
        QVERIFY(server.listening);

        InspectorSession session;
        const ConnectionSettings settings = withAdminLogin(settingsFor(server));
        session.open(settings);
        QTRY_COMPARE_WITH_TIMEOUT(session.state(), InspectorSession::State::Connected, 10000);
        // A wrong one: "invalid credentials" from our bcrypt check.
        verifyWrongPasswordRefused(settings);
    }
};

QTEST_GUILESS_MAIN(tst_InspectorQt)
#include "tst_inspector_qt.moc"
