// Interop: Node's socket.io-client (4.8, and 2.5 for EIO3) against an in-process Server. The
// client CLI, its scenarios and the server contract are in node/README.md; the same rows run
// against Node's socket.io 4.8 with node/run-sio-against-ref.sh, which is where every expected
// reason below comes from.
//
// Every row gets a fresh Server configured for it. The server runs on this thread, so the client
// process is awaited with QSignalSpy and QTRY_*: the event loop keeps serving it meanwhile.

#include <SocketIO/Server>

#include <QtCore/QDir>
#include <QtCore/QJsonArray>
#include <QtCore/QJsonDocument>
#include <QtCore/QJsonObject>
#include <QtCore/QPointer>
#include <QtCore/QProcess>
#include <QtNetwork/QHostAddress>
#include <QtTest/QSignalSpy>
#include <QtTest/QTest>

#include "peerprocess.h"

#include <algorithm>
#include <memory>

using namespace SocketIO;

namespace {

const QString nodeDir = QStringLiteral(INTEROP_NODE_DIR);
const QString nodeExecutable = QStringLiteral(INTEROP_NODE_EXECUTABLE);

QString s(const char *text)
{
    return QString::fromUtf8(text);
}

QVariant null()
{
    return QVariant::fromValue(nullptr);
}

QByteArray bytes(int n, int (*f)(int))
{
    QByteArray result(n, Qt::Uninitialized);
    for (int i = 0; i < n; ++i)
        result[i] = char(f(i) & 0xff);
    return result;
}

// node/sio-payloads.mjs fixedPayload(): what the server emits as "payload".
QVariantList fixedPayload()
{
    const QVariantMap json{
        {s("n"), 42},
        {s("f"), -3.5},
        {s("s"), s("héllo €😀")},
        {s("t"), true},
        {s("fa"), false},
        {s("z"), null()},
        {s("arr"), QVariantList{1, s("two"), null(), QVariantList{3}}},
        {s("obj"), QVariantMap{{s("deep"), QVariantMap{{s("er"), s("x")}}}}},
    };
    const QVariantMap binary{
        {s("bin"), bytes(16, [](int i) { return i; })},
        {s("list"), QVariantList{QByteArray("\xff\x00\x7f", 3), s("x"), QByteArray()}},
    };
    return {json, binary, bytes(300, [](int i) { return i; })};
}

struct ServerConfig
{
    bool msgpack = false;
    bool recovery = false;
    bool eio3 = false;
    // Heartbeats every 300 ms, so that a silent client is caught quickly. Only for the
    // ping-timeout scenarios: with 50 clients in one Node process on a loaded machine, Node's
    // timers can fire before it reads a ping that arrived on time.
    bool fastHeartbeat = false;
};

// What the server saw of one socket, kept after the Socket is deleted.
struct SocketRecord
{
    QString nsp;
    QString id;
    bool recovered = false;
    QVariantMap auth;
    bool disconnected = false;
    QString reason;
    QString description;
    QStringList errors;
};

QVariant errorValue(const QString &error)
{
    return error.isEmpty() ? null() : QVariant(error);
}

// The server contract of node/README.md (the same as node/ref-sio-server.mjs): "/", "/custom",
// dynamic "/dyn-<digits>", and "/private" whose middleware refuses everyone.
class ContractServer
{
public:
    explicit ContractServer(const ServerConfig &config)
        : config(config)
    {
        ServerOptions options;
        if (config.fastHeartbeat) {
            options.engine.pingInterval = 300;
            options.engine.pingTimeout = 200;
        }
        options.engine.allowEIO3 = config.eio3;
        if (config.msgpack)
            options.parser = Parser::msgpackParser();
        if (config.recovery)
            options.connectionStateRecovery = ConnectionStateRecoveryOptions{};
        io = std::make_unique<Server>(options);

        for (Namespace *nsp : {io->sockets(), io->of(QStringLiteral("/custom")),
                               io->of(QRegularExpression(QStringLiteral("^/dyn-\\d+$")))}) {
            QObject::connect(nsp, &Namespace::connection, io.get(),
                             [this](Socket *socket) { install(socket); });
        }
        Namespace *refusing = io->of(QStringLiteral("/private"));
        refusing->use(io.get(), [](Socket *, const Next &next) {
            next(QStringLiteral("not authorized"), QVariantMap{{s("code"), 42}});
        });
        QObject::connect(refusing, &Namespace::connection, io.get(),
                         [this](Socket *socket) { install(socket); });
    }

    const ServerConfig config;
    QList<SocketRecord> records; // in connection order
    QStringList askResults;      // the error of each "please-ask" callback ("" for none)
    QString askAllError;
    QVariantList askAllResponses;
    bool askAllDone = false;
    // Last, so that it is destroyed first: sockets closed by the teardown are still recorded.
    std::unique_ptr<Server> io;

    const SocketRecord *record(const QString &id) const
    {
        for (const SocketRecord &r : records) {
            if (r.id == id)
                return &r;
        }
        return nullptr;
    }

    QString dump() const
    {
        QString text = QStringLiteral("\n--- server sockets ---\n");
        for (const SocketRecord &r : records) {
            text += QStringLiteral("%1 %2 recovered=%3 auth=%4 disconnected=%5 reason=\"%6\" (%7) "
                                   "errors=%8\n")
                        .arg(r.nsp, r.id)
                        .arg(r.recovered)
                        .arg(QString::fromUtf8(QJsonDocument(QJsonObject::fromVariantMap(r.auth))
                                                   .toJson(QJsonDocument::Compact)))
                        .arg(r.disconnected)
                        .arg(r.reason, r.description, r.errors.join(u'|'));
        }
        text += QStringLiteral("ask results: [%1]; ask-all: done=%2 error=\"%3\" responses=%4\n")
                    .arg(askResults.join(u','))
                    .arg(askAllDone)
                    .arg(askAllError)
                    .arg(askAllResponses.size());
        return text;
    }

private:
    void install(Socket *socket)
    {
        const int index = int(records.size());
        QPointer<Namespace> nsp = socket->nsp();
        const QVariantMap auth = socket->handshake().auth();
        SocketRecord record;
        record.nsp = nsp->name();
        record.id = socket->id();
        record.recovered = socket->isRecovered();
        record.auth = auth;
        records.append(record);

        if (auth.contains(s("index")))
            socket->join(auth.value(s("index")).toInt() % 2 == 0 ? s("even") : s("odd"));
        if (auth.value(s("room")).typeId() == QMetaType::QString)
            socket->join(auth.value(s("room")).toString());

        QObject::connect(
            socket, &Socket::errorOccurred, socket,
            [this, index](const QString &message) { records[index].errors.append(message); });
        QObject::connect(socket, &Socket::disconnected, socket,
                         [this, index, nsp](const QString &reason, const QString &description) {
                             SocketRecord &r = records[index];
                             r.disconnected = true;
                             r.reason = reason;
                             r.description = description;
                             if (config.recovery && reason == u"transport close" && nsp) {
                                 // Broadcasts while the client is away: a recovered r1 member gets
                                 // 1, 2, 3.
                                 nsp->emitEvent(s("missed"), {1});
                                 nsp->to(s("r1")).emitEvent(s("missed"), {2});
                                 nsp->except(s("r1")).emitEvent(s("not-for-you"));
                                 nsp->emitEvent(s("missed"), {3});
                             }
                         });

        socket->emitEvent(s("hello"), {QVariantMap{{s("id"), socket->id()},
                                                   {s("nsp"), nsp->name()},
                                                   {s("auth"), auth},
                                                   {s("recovered"), socket->isRecovered()}}});

        socket->on(s("echo"), socket, [socket](const QVariantList &args, const Ack &ack) {
            socket->emitEvent(s("echo-back"), args);
            if (ack.isValid())
                ack(args);
        });
        socket->on(s("please-emit"), socket, [socket](const QVariantList &, const Ack &) {
            socket->emitEvent(s("payload"), fixedPayload());
        });
        socket->on(s("please-ask"), socket, [this, socket](const QVariantList &args, const Ack &) {
            const bool expire = args.value(0).toString() == u"timeout";
            const QVariantMap question{{s("q"), s("question")},
                                       {s("bin"), QByteArray("\x01\x02\x03", 3)}};
            socket->timeout(expire ? 300 : 5000)
                .emitEvent(
                    s("ask"), {question}, socket,
                    [this, socket](const QString &error, const QVariantList &answer) {
                        askResults.append(error);
                        socket->emitEvent(
                            s("ask-result"),
                            {QVariantMap{{s("error"), errorValue(error)},
                                         {s("args"), error.isEmpty() ? answer : QVariantList()}}});
                    });
        });
        socket->on(s("please-ask-all"), socket,
                   [this, socket, nsp](const QVariantList &, const Ack &) {
                       nsp->timeout(500).emitEvent(
                           s("ask-all"), {QVariantMap()}, socket,
                           [this, socket](const QString &error, const QVariantList &responses) {
                               askAllDone = true;
                               askAllError = error;
                               askAllResponses = responses;
                               socket->emitEvent(s("ask-all-result"),
                                                 {QVariantMap{{s("error"), errorValue(error)},
                                                              {s("responses"), responses}}});
                           });
                   });
        socket->on(s("fanout"), socket, [socket, nsp](const QVariantList &, const Ack &) {
            nsp->to(s("even")).emitEvent(s("to-even"));
            socket->broadcast().emitEvent(s("broadcast"));
            nsp->except(s("even")).emitEvent(s("except-even"));
            socket->to(s("even")).emitEvent(s("to-even-but-me"));
            nsp->emitEvent(s("fanout-done"));
        });
        socket->on(s("please-volatile"), socket, [socket, nsp](const QVariantList &, const Ack &) {
            const bool namespaceEmit = nsp->asVolatile().emitEvent(s("vol"), {1});
            const bool socketEmit = socket->asVolatile().emitEvent(s("vol"), {2});
            socket->emitEvent(s("control"), {QVariantMap{{s("namespaceEmit"), namespaceEmit},
                                                         {s("socketEmit"), socketEmit}}});
        });
        socket->on(s("join"), socket, [socket](const QVariantList &args, const Ack &ack) {
            socket->join(args.value(0).toString());
            if (ack.isValid())
                ack();
        });
        socket->on(s("who-am-i"), socket, [socket](const QVariantList &, const Ack &ack) {
            QStringList rooms(socket->rooms().cbegin(), socket->rooms().cend());
            rooms.removeAll(socket->id());
            rooms.sort();
            QVariantList roomList;
            for (const QString &room : std::as_const(rooms))
                roomList.append(room);
            ack({QVariantMap{{s("id"), socket->id()},
                             {s("recovered"), socket->isRecovered()},
                             {s("rooms"), roomList}}});
        });
        socket->on(s("please-disconnect"), socket, [socket](const QVariantList &args, const Ack &) {
            socket->disconnectSocket(args.value(0).toBool());
        });
        socket->on(s("please-close-conn"), socket,
                   [socket](const QVariantList &, const Ack &) { socket->conn()->close(); });
        socket->on(s("please-shutdown"), socket,
                   [this](const QVariantList &, const Ack &) { io->close(); });
    }
};

// One run of sio-client.mjs; output is collected while it runs so that a hung client can still
// be diagnosed.
class NodeClient : public PeerProcess
{
public:
    NodeClient()
        : PeerProcess(nodeExecutable, nodeDir)
    {}

    void start(const QStringList &arguments)
    {
        process.setArguments(QStringList{QDir(nodeDir).filePath(QStringLiteral("sio-client.mjs"))} +
                             arguments);
        process.start();
    }
};

} // namespace

class tst_SocketIoInterop : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void scenario_data();
    void scenario();
};

void tst_SocketIoInterop::initTestCase()
{
    verifyNodeSetup(nodeExecutable, nodeDir, QStringLiteral("socket.io-client"));
}

// The rows of node/run-sio-against-ref.sh. `serverReason`: the reason the server gives for the
// client's first socket ("" when no socket may connect), as Node's socket.io 4.8 gives it.
void tst_SocketIoInterop::scenario_data()
{
    QTest::addColumn<QString>("scenario");
    QTest::addColumn<QStringList>("clientArgs");
    QTest::addColumn<bool>("msgpack");
    QTest::addColumn<bool>("recovery");
    QTest::addColumn<bool>("eio3");
    QTest::addColumn<QString>("serverReason");

    const QString clientLeft = QStringLiteral("client namespace disconnect");
    const auto row = [](const char *label, const QString &scenario, const QStringList &extra,
                        const QString &reason, bool msgpack = false, bool recovery = false,
                        bool eio3 = false) {
        QTest::newRow(label) << scenario
                             << (QStringList{QStringLiteral("--scenario"), scenario} + extra)
                             << msgpack << recovery << eio3 << reason;
    };
    const QStringList nsp = {QStringLiteral("--nsp")};
    const QStringList polling = {QStringLiteral("--transports"), QStringLiteral("polling")};
    const QStringList websocket = {QStringLiteral("--transports"), QStringLiteral("websocket")};
    const QStringList msgpack = {QStringLiteral("--parser"), QStringLiteral("msgpack")};
    const QStringList v2 = {QStringLiteral("--v2")};

    // 1-2. Namespaces, ids, auth.
    row("connect /", s("connect"), {}, clientLeft);
    row("connect /custom", s("connect"), nsp + QStringList{s("/custom")}, clientLeft);
    row("connect /dyn-42", s("connect"), nsp + QStringList{s("/dyn-42")}, clientLeft);
    row("invalid namespace", s("invalid-namespace"), {}, {});
    // 3. Middleware refusal.
    row("middleware", s("middleware"), {}, {});
    // 4. Events and acks (11: polling+upgrade here; one-transport rows below).
    row("events", s("events"), {}, clientLeft);
    row("acks", s("acks"), {}, clientLeft);
    // 5. Rooms and broadcasts, 50 sockets.
    row("rooms", s("rooms"), {}, clientLeft);
    // 6. Volatile.
    row("volatile", s("volatile"), {}, clientLeft);
    // 7. Disconnections.
    row("disc-server", s("disc-server"), {}, s("server namespace disconnect"));
    row("disc-server-close", s("disc-server-close"), {}, s("server namespace disconnect"));
    row("disc-conn-close", s("disc-conn-close"), {}, s("forced close"));
    row("disc-client", s("disc-client"), {}, clientLeft);
    row("disc-transport", s("disc-transport"), {}, s("transport close"));
    row("disc-ping-timeout", s("disc-ping-timeout"), {}, s("ping timeout"));
    row("disc-shutdown", s("disc-shutdown"), {}, s("server shutting down"));
    row("disc-parse-error", s("disc-parse-error"), {}, s("forced close"));
    row("disc-shutdown /custom", s("disc-shutdown"), nsp + QStringList{s("/custom")},
        s("server shutting down"));
    row("disc-server polling", s("disc-server"), polling, s("server namespace disconnect"));
    row("disc-ping-timeout polling", s("disc-ping-timeout"), polling, s("ping timeout"));
    row("disc-shutdown polling", s("disc-shutdown"), polling, s("server shutting down"));
    // 8. Broadcast with acks and a timeout.
    row("broadcast-ack", s("broadcast-ack"), {}, clientLeft);
    // 9. Connection state recovery.
    row("recovery", s("recovery"), {}, s("transport close"), false, true);
    row("recovery websocket", s("recovery"), websocket, s("transport close"), false, true);
    // 10. msgpack.
    row("msgpack events", s("events"), msgpack, clientLeft, true);
    row("msgpack acks", s("acks"), msgpack, clientLeft, true);
    row("msgpack middleware", s("middleware"), msgpack, {}, true);
    // 11. One transport.
    row("polling events", s("events"), polling, clientLeft);
    row("polling acks", s("acks"), polling, clientLeft);
    row("websocket events", s("events"), websocket, clientLeft);
    row("websocket acks", s("acks"), websocket, clientLeft);
    // 12. socket.io-client 2 (EIO3). The server connects it to "/" by itself; in the refusal
    // rows that socket is the first, and goes with the connection ("transport close").
    row("v2 connect /", s("connect"), v2, clientLeft, false, false, true);
    row("v2 connect /custom", s("connect"), v2 + nsp + QStringList{s("/custom")}, clientLeft, false,
        false, true);
    row("v2 events", s("events"), v2, clientLeft, false, false, true);
    row("v2 acks", s("acks"), v2, clientLeft, false, false, true);
    row("v2 events polling", s("events"), v2 + polling, clientLeft, false, false, true);
    row("v2 acks websocket", s("acks"), v2 + websocket, clientLeft, false, false, true);
    row("v2 invalid namespace", s("invalid-namespace"), v2, s("transport close"), false, false,
        true);
    row("v2 middleware", s("middleware"), v2, s("transport close"), false, false, true);
}

void tst_SocketIoInterop::scenario()
{
    QFETCH(QString, scenario);
    QFETCH(QStringList, clientArgs);
    QFETCH(bool, msgpack);
    QFETCH(bool, recovery);
    QFETCH(bool, eio3);
    QFETCH(QString, serverReason);

    ContractServer server(
        ServerConfig{msgpack, recovery, eio3, scenario.contains(u"ping-timeout")});
    QVERIFY2(server.io->listen(QHostAddress::LocalHost, 0), qPrintable(server.io->errorString()));
    const quint16 port = server.io->serverPort();
    QVERIFY(port != 0);

    const int clientTimeout = 10'000;
    NodeClient client;
    client.start(QStringList{QStringLiteral("--url"),
                             QStringLiteral("http://127.0.0.1:%1").arg(port),
                             QStringLiteral("--timeout"), QString::number(clientTimeout)} +
                 clientArgs);
    awaitPeer(client, clientTimeout + 10'000);
    if (QTest::currentTestFailed())
        return;

    const auto log = [&] { return client.log() + server.dump(); };
    verifyPassed(client, server.dump());
    if (QTest::currentTestFailed())
        return;

    // The client's first socket, as the server knows it.
    const QString clientId = client.first(u"connect").value(QLatin1String("id")).toString();
    const QString clientNsp = client.first(u"connect").value(QLatin1String("nsp")).toString();
    if (serverReason.isEmpty()) {
        // Refused: no socket of the refused namespace ever existed on the server.
        QVERIFY2(clientId.isEmpty(), qPrintable(log()));
        for (const SocketRecord &r : std::as_const(server.records))
            QVERIFY2(r.nsp == u"/", qPrintable(QStringLiteral("socket in %1").arg(r.nsp) + log()));
        if (!eio3)
            QVERIFY2(server.records.isEmpty(), qPrintable(log()));
        return;
    }
    QVERIFY2(!server.records.isEmpty(), qPrintable(log()));
    const SocketRecord *primary =
        clientId.isEmpty() ? &server.records.first() : server.record(clientId);
    QVERIFY2(primary,
             qPrintable(QStringLiteral("no server socket has the client's id %1").arg(clientId) +
                        log()));
    if (!clientId.isEmpty())
        QCOMPARE(primary->nsp, clientNsp);
    const QString primaryId = primary->id;
    QTRY_VERIFY2_WITH_TIMEOUT(
        server.record(primaryId)->disconnected,
        qPrintable(QStringLiteral("the server never saw the socket go") + log()), 3'000);
    primary = server.record(primaryId);

    // What the server saw during the scenario (checked before the reason, so that a wrong
    // reason does not hide these).
    if (!eio3 && scenario != u"rooms" && scenario != u"broadcast-ack")
        QVERIFY2(primary->auth == (QVariantMap{{s("token"), s("abc")}}), qPrintable(log()));
    if (scenario == u"connect" && !eio3)
        QCOMPARE(server.records.size(), 1);
    if (scenario == u"acks") {
        QCOMPARE(server.askResults,
                 (QStringList{QString(), QStringLiteral("operation has timed out")}));
    }
    if (scenario == u"rooms")
        QCOMPARE(server.records.size(), 50);
    if (scenario == u"broadcast-ack") {
        QVERIFY2(server.askAllDone, qPrintable(log()));
        QCOMPARE(server.askAllError, QStringLiteral("operation has timed out"));
        QCOMPARE(server.askAllResponses.size(), 2);
    }
    if (scenario == u"disc-parse-error")
        QVERIFY2(!primary->errors.isEmpty(),
                 qPrintable(QStringLiteral("no errorOccurred") + log()));
    if (scenario == u"recovery") {
        QCOMPARE(server.records.size(), 2);
        QCOMPARE(server.records.at(0).id, server.records.at(1).id);
        QVERIFY(!server.records.at(0).recovered);
        QVERIFY2(server.records.at(1).recovered, qPrintable(log()));
    }

    QVERIFY2(primary->reason == serverReason,
             qPrintable(QStringLiteral("server disconnect reason \"%1\", expected \"%2\"")
                            .arg(primary->reason, serverReason) +
                        log()));
    if (scenario == u"disc-shutdown") {
        for (const SocketRecord &r : std::as_const(server.records))
            QCOMPARE(r.reason, QStringLiteral("server shutting down"));
    }
}

QTEST_GUILESS_MAIN(tst_SocketIoInterop)
#include "tst_socketio_interop.moc"
