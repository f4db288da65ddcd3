#include "instrumentation.h"

#include "adapter.h"
#include "admin/bcrypt_p.h"
#include "engineio/engineobserver_p.h"
#include "engineserver.h"
#include "enginesocket.h"
#include "namespace.h"
#include "server.h"
#include "socket.h"

#include <QtCore/QBasicTimer>
#include <QtCore/QCoreApplication>
#include <QtCore/QDateTime>
#include <QtCore/QElapsedTimer>
#include <QtCore/QHash>
#include <QtCore/QLoggingCategory>
#include <QtCore/QPointer>
#include <QtCore/QRandomGenerator>
#include <QtCore/QSet>
#include <QtCore/QTimerEvent>
#include <QtNetwork/QHostInfo>

#include <time.h>

namespace SocketIO {

Q_LOGGING_CATEGORY(lcAdmin, "socketio.admin", QtWarningMsg)

namespace {

// Started when the library is loaded: the closest we get to Node's process.uptime().
const QElapsedTimer processClock = [] {
    QElapsedTimer timer;
    timer.start();
    return timer;
}();

constexpr int statsIntervalMs = 2000;
const QString adminKey = QStringLiteral("_admin");

// A JavaScript Date as the default parser sends it: ISO 8601, milliseconds, "Z". Formatting a
// QDateTime costs more than the rest of an event: the seconds are formatted once per second.
QString now()
{
    thread_local qint64 cachedSecond = -1;
    thread_local QString cachedPrefix; // "2026-11-21T23:18:25."
    const qint64 ms = QDateTime::currentMSecsSinceEpoch();
    const qint64 second = ms / 1000;
    if (second != cachedSecond) {
        cachedSecond = second;
        cachedPrefix =
            QDateTime::fromSecsSinceEpoch(second, Qt::UTC).toString(Qt::ISODate).chopped(1) + u'.';
    }
    const int millis = int(ms % 1000);
    const QChar digits[] = {QChar(u'0' + millis / 100), QChar(u'0' + millis / 10 % 10),
                            QChar(u'0' + millis % 10), QChar(u'Z')};
    return cachedPrefix + QStringView(digits, 4);
}

QString randomSessionId()
{
    quint32 words[2];
    QRandomGenerator::system()->fillRange(words);
    QByteArray bytes(reinterpret_cast<const char *>(words), sizeof(words));
    return QString::fromLatin1(bytes.toHex());
}

class InMemorySessionStore final : public InstrumentSessionStore
{
public:
    QFuture<bool> doesSessionExist(const QString &sessionId) override
    {
        return QtFuture::makeReadyFuture(m_sessions.contains(sessionId));
    }
    void saveSession(const QString &sessionId) override { m_sessions.insert(sessionId); }

private:
    QSet<QString> m_sessions;
};

QVariantMap withoutAdmin(QVariantMap data)
{
    data.remove(adminKey);
    return data;
}

// The reference's SerializedSocket, from what fetchSockets() or a local socket offers.
QVariantMap serializeSocket(const QString &id, const QString &nsp, const QVariantMap &handshake,
                            const QSet<QString> &rooms, const QVariantMap &data)
{
    const QVariantMap admin = data.value(adminKey).toMap();
    const QVariantMap headers = handshake.value(QStringLiteral("headers")).toMap();
    QVariant address = headers.value(QStringLiteral("cf-connecting-ip"));
    if (address.toString().isEmpty())
        address = headers.value(QStringLiteral("x-forwarded-for"));
    if (address.toString().isEmpty())
        address = handshake.value(QStringLiteral("address"));
    QVariantMap serializedHandshake{
        {QStringLiteral("address"), address},
        {QStringLiteral("headers"), headers},
        {QStringLiteral("query"), handshake.value(QStringLiteral("query")).toMap()},
        {QStringLiteral("issued"), handshake.value(QStringLiteral("issued"))},
        {QStringLiteral("secure"), handshake.value(QStringLiteral("secure"))},
        {QStringLiteral("time"), handshake.value(QStringLiteral("time"))},
        {QStringLiteral("url"), handshake.value(QStringLiteral("url"))},
        {QStringLiteral("xdomain"), handshake.value(QStringLiteral("xdomain"))},
    };
    QVariantMap socket{
        {QStringLiteral("id"), id},
        {QStringLiteral("nsp"), nsp},
        {QStringLiteral("data"), withoutAdmin(data)},
        {QStringLiteral("handshake"), serializedHandshake},
        {QStringLiteral("rooms"), QStringList(rooms.cbegin(), rooms.cend())},
    };
    // Left out, as JSON.stringify leaves out undefined, when the socket has no _admin data.
    if (admin.contains(QStringLiteral("clientId")))
        socket.insert(QStringLiteral("clientId"), admin.value(QStringLiteral("clientId")));
    if (admin.contains(QStringLiteral("transport")))
        socket.insert(QStringLiteral("transport"), admin.value(QStringLiteral("transport")));
    return socket;
}

QVariantMap serializeSocket(Socket *socket)
{
    return serializeSocket(socket->id(), socket->namespaceName(),
                           socket->handshake().toVariantMap(), socket->rooms(), socket->data());
}

} // namespace

class InstrumentationPrivate final : public EngineObserver
{
    Q_DECLARE_PUBLIC(Instrumentation)
public:
    explicit InstrumentationPrivate(Instrumentation *q)
        : q_ptr(q)
    {}

    // Per packet: plain counters for the current second, turned into entries when the second
    // changes or the stats go out (a coarse clock read and two additions on the hot path).
    void enginePacketSent(qsizetype bytes) override
    {
        Traffic &t = trafficNow();
        ++t.packetsOut;
        t.bytesOut += bytes;
    }
    void enginePacketReceived(qsizetype bytes) override
    {
        Traffic &t = trafficNow();
        ++t.packetsIn;
        t.bytesIn += bytes;
    }
    struct Traffic
    {
        qint64 second = 0; // ms since the epoch, truncated to the second
        qint64 packetsIn = 0;
        qint64 bytesIn = 0;
        qint64 packetsOut = 0;
        qint64 bytesOut = 0;
    };
    Traffic &trafficNow()
    {
        const qint64 second = currentSecond();
        if (Q_UNLIKELY(second != traffic.second)) {
            flushTraffic();
            traffic.second = second;
        }
        return traffic;
    }
    void flushTraffic();
    static qint64 currentSecond();
    Traffic traffic;

    void push(const QString &type, const QString &subType = {}, qint64 count = 1);
    void pushAt(qint64 timestamp, const QString &type, const QString &subType, qint64 count);
    QVariantList takeEvents();
    void emitStats();
    void emitToAdmin(const QString &event, const QVariantList &args);
    // Whether an event for the admin clients would reach anyone: an admin socket here, or
    // another server of a cluster (any adapter but the in-memory one).
    bool watched() const { return adminNamespace->socketsCount() > 0 || clustered; }
    void setUpEngine();
    void onRawConnection(EngineSocket *socket);
    void observeNamespace(Namespace *nsp);
    void onSocketConnected(Namespace *nsp, Socket *socket);
    void setAdminData(Socket *socket, const QString &transport);
    void onAdminConnected(Socket *socket);
    void registerCommands(Socket *socket);
    void sendAllSockets(Socket *socket);

    struct AggregatedEvent
    {
        qint64 timestamp;
        QString type;
        QString subType;
        qint64 count;
    };

    Instrumentation *const q_ptr;
    Server *server = nullptr;
    QPointer<EngineServer> engine;
    Namespace *adminNamespace = nullptr;
    InstrumentOptions options;
    QString serverId;
    QString hostname;
    QStringList supportedFeatures;
    QList<AggregatedEvent> events;
    int pollingClientsCount = 0;
    QSet<Namespace *> observed;
    // Session ids created by the basic-auth middleware, sent after the CONNECT ack.
    QHash<QString, QString> pendingSessions;
    // Set while the instrumentation writes a socket's _admin data itself.
    bool writingAdminData = false;
    bool clustered = false;
    QBasicTimer statsTimer;
};

qint64 InstrumentationPrivate::currentSecond()
{
#ifdef CLOCK_REALTIME_COARSE
    timespec now;
    if (clock_gettime(CLOCK_REALTIME_COARSE, &now) == 0)
        return qint64(now.tv_sec) * 1000;
#endif
    return QDateTime::currentMSecsSinceEpoch() / 1000 * 1000;
}

void InstrumentationPrivate::flushTraffic()
{
    const qint64 second = traffic.second;
    auto add = [this, second](const QString &type, qint64 count) {
        if (count > 0)
            pushAt(second, type, {}, count);
    };
    add(QStringLiteral("packetsIn"), traffic.packetsIn);
    add(QStringLiteral("bytesIn"), traffic.bytesIn);
    add(QStringLiteral("packetsOut"), traffic.packetsOut);
    add(QStringLiteral("bytesOut"), traffic.bytesOut);
    traffic = Traffic{second};
}

void InstrumentationPrivate::push(const QString &type, const QString &subType, qint64 count)
{
    // Truncated to the second, as the reference's EventBuffer does.
    pushAt(QDateTime::currentMSecsSinceEpoch() / 1000 * 1000, type, subType, count);
}

void InstrumentationPrivate::pushAt(qint64 timestamp, const QString &type, const QString &subType,
                                    qint64 count)
{
    // A few entries per second, cleared every 2 s: a linear search.
    for (auto it = events.rbegin(); it != events.rend(); ++it) {
        if (it->timestamp == timestamp && it->type == type && it->subType == subType) {
            it->count += count;
            return;
        }
    }
    events.append({timestamp, type, subType, count});
}

QVariantList InstrumentationPrivate::takeEvents()
{
    flushTraffic();
    QVariantList list;
    list.reserve(events.size());
    for (const AggregatedEvent &event : std::as_const(events)) {
        QVariantMap entry{{QStringLiteral("timestamp"), event.timestamp},
                          {QStringLiteral("type"), event.type},
                          {QStringLiteral("count"), event.count}};
        // The UI matches entries on {timestamp, type, subType}: no subType means none, not null.
        if (!event.subType.isEmpty())
            entry.insert(QStringLiteral("subType"), event.subType);
        list.append(entry);
    }
    events.clear();
    return list;
}

void InstrumentationPrivate::emitToAdmin(const QString &event, const QVariantList &args)
{
    adminNamespace->emitEvent(event, args);
}

void InstrumentationPrivate::emitStats()
{
    QVariantList namespaces;
    for (Namespace *nsp : server->namespaces())
        namespaces.append(QVariantMap{{QStringLiteral("name"), nsp->name()},
                                      {QStringLiteral("socketsCount"), nsp->socketsCount()}});
    const QVariantMap stats{
        {QStringLiteral("serverId"), serverId},
        {QStringLiteral("hostname"), hostname},
        {QStringLiteral("pid"), QCoreApplication::applicationPid()},
        {QStringLiteral("uptime"), double(processClock.nsecsElapsed()) / 1e9},
        {QStringLiteral("clientsCount"), engine ? engine->clientsCount() : 0},
        {QStringLiteral("pollingClientsCount"), pollingClientsCount},
        {QStringLiteral("aggregatedEvents"), takeEvents()},
        {QStringLiteral("namespaces"), namespaces},
    };
    emitToAdmin(QStringLiteral("server_stats"), {stats});
}

void InstrumentationPrivate::setUpEngine()
{
    Q_Q(Instrumentation);
    engine = server->engine();
    if (!engine) {
        qCWarning(lcAdmin) << "no engine: aggregated events are not counted";
        return;
    }
    setEngineObserver(engine, this);
    QObject::connect(engine, &EngineServer::connection, q,
                     [this](EngineSocket *socket) { onRawConnection(socket); });
    // Sessions opened before the instrument are still counted while polling.
    for (EngineSocket *socket : engine->clients()) {
        if (socket->transportName() == u"polling" && !socket->isUpgraded())
            onRawConnection(socket);
    }
}

void InstrumentationPrivate::onRawConnection(EngineSocket *socket)
{
    Q_Q(Instrumentation);
    push(QStringLiteral("rawConnection"));
    if (socket->transportName() == u"polling") {
        ++pollingClientsCount;
        // Decremented once: on the upgrade, or on the close of a session that never upgraded.
        auto counted = std::make_shared<bool>(true);
        auto decrement = [this, counted] {
            if (std::exchange(*counted, false))
                --pollingClientsCount;
        };
        QObject::connect(socket, &EngineSocket::upgraded, q, decrement);
        QObject::connect(socket, &EngineSocket::closed, q, decrement);
    }
    QObject::connect(socket, &EngineSocket::closed, q, [this](const QString &reason) {
        push(QStringLiteral("rawDisconnection"), reason);
    });
}

void InstrumentationPrivate::observeNamespace(Namespace *nsp)
{
    Q_Q(Instrumentation);
    // A parent's connection() repeats its children's, which are observed themselves.
    if (observed.contains(nsp) || nsp->isParent())
        return;
    observed.insert(nsp);
    QObject::connect(nsp, &QObject::destroyed, q, [this, nsp] { observed.remove(nsp); });
    const QString name = nsp->name();
    QObject::connect(nsp, &Namespace::connection, q,
                     [this, nsp](Socket *socket) { onSocketConnected(nsp, socket); });
    if (Adapter *adapter = nsp->adapter()) {
        QObject::connect(adapter, &Adapter::roomJoined, q,
                         [this, name](const QString &room, const QString &id) {
                             emitToAdmin(QStringLiteral("room_joined"), {name, room, id, now()});
                         });
        // On the next turn of the event loop, as the reference does: after socket_disconnected.
        QObject::connect(
            adapter, &Adapter::roomLeft, q,
            [this, name](const QString &room, const QString &id) {
                const QString time = now();
                QMetaObject::invokeMethod(
                    q_ptr,
                    [this, name, room, id, time] {
                        emitToAdmin(QStringLiteral("room_left"), {name, room, id, time});
                    },
                    Qt::QueuedConnection);
            },
            Qt::DirectConnection);
    }
}

void InstrumentationPrivate::setAdminData(Socket *socket, const QString &transport)
{
    EngineSocket *conn = socket->conn();
    QVariantMap data = socket->data();
    data.insert(adminKey,
                QVariantMap{{QStringLiteral("clientId"), conn ? conn->id().left(12) : QString()},
                            {QStringLiteral("transport"), transport}});
    writingAdminData = true;
    socket->setData(data);
    writingAdminData = false;
}

void InstrumentationPrivate::onSocketConnected(Namespace *nsp, Socket *socket)
{
    Q_Q(Instrumentation);
    const QString name = nsp->name();
    const QString id = socket->id();
    setAdminData(socket, socket->transportName());
    emitToAdmin(QStringLiteral("socket_connected"), {serializeSocket(socket), now()});

    if (EngineSocket *conn = socket->conn()) {
        QObject::connect(conn, &EngineSocket::upgraded, socket,
                         [this, socket, name, id](const QString &transport) {
                             setAdminData(socket, transport);
                             emitToAdmin(QStringLiteral("socket_updated"),
                                         {QVariantMap{{QStringLiteral("id"), id},
                                                      {QStringLiteral("nsp"), name},
                                                      {QStringLiteral("transport"), transport}}});
                         });
    }
    QObject::connect(socket, &Socket::dataChanged, q, [this, socket, name, id] {
        if (writingAdminData)
            return;
        emitToAdmin(QStringLiteral("socket_updated"),
                    {QVariantMap{{QStringLiteral("id"), id},
                                 {QStringLiteral("nsp"), name},
                                 {QStringLiteral("data"), withoutAdmin(socket->data())}}});
    });
    if (nsp != adminNamespace) {
        socket->onAny(q, [this, name, id](const QString &event, const QVariantList &args) {
            if (!watched())
                return;
            emitToAdmin(QStringLiteral("event_received"),
                        {name, id, QVariantList{event} + args, now()});
        });
        socket->onAnyOutgoing(q, [this, name, id](const QString &event, const QVariantList &args) {
            if (!watched())
                return;
            emitToAdmin(QStringLiteral("event_sent"),
                        {name, id, QVariantList{event} + args, now()});
        });
    }
    QObject::connect(socket, &Socket::disconnected, q, [this, name, id](const QString &reason) {
        emitToAdmin(QStringLiteral("socket_disconnected"), {name, id, reason, now()});
    });
}

void InstrumentationPrivate::onAdminConnected(Socket *socket)
{
    Q_Q(Instrumentation);
    // After the CONNECT ack, unlike the reference: the UI listens from "connect" on, and a
    // session event sent earlier would reach nobody.
    const QString sessionId = pendingSessions.take(socket->id());
    if (!sessionId.isEmpty())
        socket->emitEvent(QStringLiteral("session"), {sessionId});
    if (!options.readonly)
        registerCommands(socket);
    socket->emitEvent(QStringLiteral("config"),
                      {QVariantMap{{QStringLiteral("supportedFeatures"), supportedFeatures}}});
    socket->emitEvent(QStringLiteral("server_options"), {q->serverOptions()});
    if (options.mode == InstrumentOptions::Mode::Development)
        sendAllSockets(socket);
}

void InstrumentationPrivate::sendAllSockets(Socket *socket)
{
    // fetchSockets() on every namespace: the sockets of the other servers of a cluster too.
    const QList<Namespace *> namespaces = server->namespaces();
    struct Pending
    {
        QList<QVariantList> parts;
        int remaining = 0;
    };
    auto pending = std::make_shared<Pending>();
    pending->parts.resize(namespaces.size());
    pending->remaining = int(namespaces.size());
    const QPointer<Socket> target = socket;
    auto finish = [pending, target] {
        if (--pending->remaining > 0 || !target)
            return;
        QVariantList all;
        for (const QVariantList &part : std::as_const(pending->parts))
            all += part;
        target->emitEvent(QStringLiteral("all_sockets"), {QVariant(all)});
    };
    if (namespaces.isEmpty()) {
        ++pending->remaining;
        finish();
        return;
    }
    for (qsizetype i = 0; i < namespaces.size(); ++i) {
        const QString name = namespaces.at(i)->name();
        namespaces.at(i)
            ->fetchSockets()
            .then(socket,
                  [pending, i, name, finish](const QList<RemoteSocket> &sockets) {
                      QVariantList part;
                      for (const RemoteSocket &remote : sockets)
                          part.append(serializeSocket(remote.id(), name, remote.handshake(),
                                                      remote.rooms(), remote.data()));
                      pending->parts[i] = part;
                      finish();
                  })
            .onFailed(socket, [finish] { finish(); });
    }
}

void InstrumentationPrivate::registerCommands(Socket *socket)
{
    Q_Q(Instrumentation);
    Server *io = server;
    // Each command targets the sockets of `nsp` in the room `filter`, or all of them.
    auto select = [io](const QVariant &nsp, const QVariant &filter) {
        Namespace *target = io->of(nsp.toString());
        const QString room = filter.toString();
        return room.isEmpty() ? target->broadcastOperator() : target->to(room);
    };
    socket->on(QStringLiteral("emit"), q, [select](const QVariantList &args, const Ack &) {
        if (args.size() < 3)
            return;
        select(args.at(0), args.at(1)).emitEvent(args.at(2).toString(), args.mid(3));
    });
    socket->on(QStringLiteral("join"), q, [select](const QVariantList &args, const Ack &) {
        if (args.size() < 2)
            return;
        select(args.at(0), args.value(2)).socketsJoin(args.at(1).toString());
    });
    socket->on(QStringLiteral("leave"), q, [select](const QVariantList &args, const Ack &) {
        if (args.size() < 2)
            return;
        select(args.at(0), args.value(2)).socketsLeave(args.at(1).toString());
    });
    socket->on(QStringLiteral("_disconnect"), q, [select](const QVariantList &args, const Ack &) {
        if (args.isEmpty())
            return;
        select(args.at(0), args.value(2)).disconnectSockets(args.value(1).toBool());
    });
}

/*!
    \class SocketIO::InstrumentSessionStore
    \inmodule SocketIO
    \brief Keeps the admin session ids handed out after a basic-auth login.

    The reference's \c Store: a UI that reconnects with \c {auth: {sessionId}} is let in when the
    store knows the id. The in-memory store (inMemory()) is the default; servers of a cluster
    share one by implementing this interface on a common database.
*/

/*!
    Destroys the store.
*/
InstrumentSessionStore::~InstrumentSessionStore() = default;

/*!
    \fn QFuture<bool> SocketIO::InstrumentSessionStore::doesSessionExist(const QString &sessionId)

    Returns a future that tells whether \a sessionId was saved.
*/

/*!
    \fn void SocketIO::InstrumentSessionStore::saveSession(const QString &sessionId)

    Saves \a sessionId, a 16-character hexadecimal id.
*/

/*!
    Returns a new store that keeps the ids in memory, for the lifetime of the process.
*/
std::shared_ptr<InstrumentSessionStore> InstrumentSessionStore::inMemory()
{
    return std::make_shared<InMemorySessionStore>();
}

/*!
    \class SocketIO::InstrumentOptions
    \inmodule SocketIO
    \brief The options of Instrumentation::instrument(), as the npm package socket.io-admin-ui names
   them.
*/

// Empty until a field is added after 1.0.
class InstrumentOptionsExtension : public QSharedData
{
};

/*!
    Constructs the defaults (auth unspecified, which instrument() refuses).
*/
InstrumentOptions::InstrumentOptions() = default;

/*!
    Constructs a copy of \a other.
*/
InstrumentOptions::InstrumentOptions(const InstrumentOptions &other) = default;

/*!
    Move-constructs from \a other.
*/
InstrumentOptions::InstrumentOptions(InstrumentOptions &&other) noexcept = default;

/*!
    Assigns \a other and returns a reference to this.
*/
InstrumentOptions &InstrumentOptions::operator=(const InstrumentOptions &other) = default;

/*!
    Move-assigns \a other and returns a reference to this.
*/
InstrumentOptions &InstrumentOptions::operator=(InstrumentOptions &&other) noexcept = default;

/*!
    Destroys the options.
*/
InstrumentOptions::~InstrumentOptions() = default;

/*!
    \enum InstrumentOptions::Auth

    How admin clients authenticate.
*/

/*!
    \var InstrumentOptions::Unspecified

    Refused, as the reference refuses a missing \c auth option.
*/

/*!
    \var InstrumentOptions::None

    No authentication (\c {auth: false}).
*/

/*!
    \var InstrumentOptions::Basic

    A username and the bcrypt hash of the password; a successful login receives a \c session id
    for later connections.
*/

/*!
    \enum InstrumentOptions::Mode

    What is reported.
*/

/*!
    \var InstrumentOptions::Development

    Everything: every socket, room and event.
*/

/*!
    \var InstrumentOptions::Production

    Only \c config and \c server_stats (the aggregated traffic).
*/

/*!
    \var InstrumentOptions::namespaceName

    the admin namespace, "/admin" by default.
*/

/*!
    \var InstrumentOptions::auth

    the authentication; must be set to None or Basic.
*/

/*!
    \var InstrumentOptions::username

    the user name of basic authentication.
*/

/*!
    \var InstrumentOptions::passwordHash

    the bcrypt hash ("$2a$", "$2b$" or "$2y$") of the basic-auth password, verified with
    the system's crypt library.
*/

/*!
    \var InstrumentOptions::readonly

    whether the admin commands (emit, join, leave, disconnect) are refused.
*/

/*!
    \var InstrumentOptions::serverId

    the id of this server in \c server_stats; the host name when empty.
*/

/*!
    \var InstrumentOptions::mode

    development (the default) or production.
*/

/*!
    \var InstrumentOptions::store

    the session store; an in-memory one when null.
*/

/*!
    Returns an empty string when the options can be used, else the reference's error message.
*/
QString InstrumentOptions::validate() const
{
    switch (auth) {
    case Auth::Unspecified:
        return QStringLiteral("the `auth` option must be specified or explicitly set to `false`");
    case Auth::Basic:
        if (!Admin::isBcryptHash(passwordHash))
            return QStringLiteral("the `password` field must be a valid bcrypt hash");
        break;
    case Auth::None:
        break;
    }
    if (!namespaceName.startsWith(u'/'))
        return QStringLiteral("the `namespaceName` option must start with \"/\"");
    return {};
}

/*!
    \class SocketIO::Instrumentation
    \inmodule SocketIO
    \brief The server side of the Socket.IO Admin UI, like the npm package socket.io-admin-ui's
   instrument().

    instrument() adds an admin namespace to a Server. Each admin client receives \c config, this
    server's option settings (\c server_options, an extension the UI ignores), and in development
    mode \c all_sockets; then \c server_stats every 2 seconds, and in development mode an event
    for each socket that connects, changes, disconnects, joins or leaves a room, and for each
    event a socket receives or is sent. Unless readonly, it obeys the commands \c emit,
    \c join, \c leave and \c _disconnect. Both the official Admin UI and the Inspector connect
    to it.

    The instrumentation observes the server through its signals and the engine's observer seam;
    a server without one pays nothing. It is owned by the Server and lives on its thread.
*/

Instrumentation::Instrumentation(Server *server, const InstrumentOptions &options)
    : QObject(server)
    , d_ptr(new InstrumentationPrivate(this))
{
    Q_D(Instrumentation);
    d->server = server;
    d->options = options;
    if (!d->options.store)
        d->options.store = InstrumentSessionStore::inMemory();
    d->hostname = QHostInfo::localHostName();
    d->serverId = options.serverId.isEmpty() ? d->hostname : options.serverId;
    if (!options.readonly)
        d->supportedFeatures = {QStringLiteral("EMIT"),       QStringLiteral("JOIN"),
                                QStringLiteral("LEAVE"),      QStringLiteral("DISCONNECT"),
                                QStringLiteral("MJOIN"),      QStringLiteral("MLEAVE"),
                                QStringLiteral("MDISCONNECT")};
    d->supportedFeatures.append(QStringLiteral("AGGREGATED_EVENTS"));
    const bool development = options.mode == InstrumentOptions::Mode::Development;
    if (development)
        d->supportedFeatures.append(QStringLiteral("ALL_EVENTS"));

    d->adminNamespace = server->of(options.namespaceName);
    d->clustered = bool(server->options().adapter);
    if (options.auth == InstrumentOptions::Auth::Basic) {
        d->adminNamespace->use(this, [d](Socket *socket, const Next &next) {
            const QVariantMap auth = socket->handshake().auth();
            const QPointer<Socket> guard = socket;
            auto checkPassword = [d, auth, guard, next] {
                if (guard &&
                    auth.value(QStringLiteral("username")).toString() == d->options.username &&
                    Admin::verifyBcrypt(auth.value(QStringLiteral("password")).toString().toUtf8(),
                                        d->options.passwordHash)) {
                    const QString sessionId = randomSessionId();
                    d->options.store->saveSession(sessionId);
                    d->pendingSessions.insert(guard->id(), sessionId);
                    next();
                    return;
                }
                next(QStringLiteral("invalid credentials"));
            };
            const QString sessionId = auth.value(QStringLiteral("sessionId")).toString();
            if (sessionId.isEmpty()) {
                checkPassword();
                return;
            }
            d->options.store->doesSessionExist(sessionId)
                .then(d->q_ptr,
                      [checkPassword, next](bool exists) {
                          if (exists)
                              next();
                          else
                              checkPassword();
                      })
                .onFailed(d->q_ptr, [checkPassword] { checkPassword(); });
        });
    }

    d->setUpEngine();
    if (development) {
        // Before the admin namespace's own handler: socket_connected precedes config, as in
        // the reference.
        for (Namespace *nsp : server->namespaces())
            d->observeNamespace(nsp);
        connect(server, &Server::newNamespace, this,
                [d](Namespace *nsp) { d->observeNamespace(nsp); });
    }
    connect(d->adminNamespace, &Namespace::connection, this,
            [d](Socket *socket) { d->onAdminConnected(socket); });
    connect(d->adminNamespace, &QObject::destroyed, this, [d] { d->statsTimer.stop(); });
    d->emitStats();
    d->statsTimer.start(statsIntervalMs, this);
}

/*!
    Instruments \a server with \a options and returns the instrumentation, owned by the server.
    Returns nullptr, with the reason in \a error when it is not null, when the options are
    refused (see InstrumentOptions::validate()).
*/
Instrumentation *Instrumentation::instrument(Server *server, const InstrumentOptions &options,
                                             QString *error)
{
    QString problem = server ? options.validate() : QStringLiteral("no server");
    if (error)
        *error = problem;
    if (!problem.isEmpty()) {
        qCWarning(lcAdmin) << "instrument:" << problem;
        return nullptr;
    }
    if (server->options().workers > 0)
        qCWarning(lcAdmin) << "instrument: the sockets of worker threads are not observed yet; "
                              "only the listening thread's server is";
    return new Instrumentation(server, options);
}

/*!
    Stops observing the server.
*/
Instrumentation::~Instrumentation()
{
    Q_D(Instrumentation);
    if (d->engine && engineObserver(d->engine) == d)
        setEngineObserver(d->engine, nullptr);
}

/*!
    Returns the options, with the store filled in.
*/
InstrumentOptions Instrumentation::options() const
{
    return d_func()->options;
}

/*!
    Returns the instrumented server.
*/
Server *Instrumentation::server() const
{
    return d_func()->server;
}

/*!
    Returns the admin namespace.
*/
Namespace *Instrumentation::adminNamespace() const
{
    return d_func()->adminNamespace;
}

/*!
    \property Instrumentation::serverId

    \brief the id this server reports in \c server_stats.
*/

/*!
    Returns the id this server reports in \c server_stats.
*/
QString Instrumentation::serverId() const
{
    return d_func()->serverId;
}

/*!
    \property Instrumentation::supportedFeatures

    \brief the features announced in \c config ("EMIT", "JOIN", ..., "AGGREGATED_EVENTS",
    "ALL_EVENTS").
*/

/*!
    Returns the features announced in \c config.
*/
QStringList Instrumentation::supportedFeatures() const
{
    return d_func()->supportedFeatures;
}

/*!
    Returns the \c server_options object: \c serverId, \c engine (the Engine.IO options by
    their Node names, durations in milliseconds) and \c server (the Socket.IO server options).
*/
QVariantMap Instrumentation::serverOptions() const
{
    Q_D(const Instrumentation);
    const ServerOptions options = d->server->options();
    QVariantMap engine = options.engine.toVariantMap();
    if (options.engine.cors) {
        const CorsOptions &cors = *options.engine.cors;
        QVariantMap map{{QStringLiteral("credentials"), cors.credentials}};
        switch (cors.origin) {
        case CorsOptions::Origin::Any:
            map.insert(QStringLiteral("origin"), QStringLiteral("*"));
            break;
        case CorsOptions::Origin::Reflect:
            map.insert(QStringLiteral("origin"), true);
            break;
        case CorsOptions::Origin::Disabled:
            map.insert(QStringLiteral("origin"), false);
            break;
        case CorsOptions::Origin::List:
            map.insert(QStringLiteral("origin"), cors.origins);
            break;
        case CorsOptions::Origin::Callback:
            map.insert(QStringLiteral("origin"), QStringLiteral("[function]"));
            break;
        }
        engine.insert(QStringLiteral("cors"), map);
    }
    QVariant recovery = false;
    if (options.connectionStateRecovery)
        recovery = QVariantMap{
            {QStringLiteral("maxDisconnectionDuration"),
             options.connectionStateRecovery->maxDisconnectionDuration},
            {QStringLiteral("skipMiddlewares"), options.connectionStateRecovery->skipMiddlewares}};
    const QVariantMap server{
        {QStringLiteral("serveClient"), options.serveClient},
        {QStringLiteral("connectTimeout"), options.connectTimeout},
        {QStringLiteral("parser"), options.parser ? options.parser->name() : QString()},
        {QStringLiteral("adapter"),
         options.adapter ? QStringLiteral("custom") : QStringLiteral("in-memory")},
        {QStringLiteral("connectionStateRecovery"), recovery},
        {QStringLiteral("cleanupEmptyChildNamespaces"), options.cleanupEmptyChildNamespaces},
        {QStringLiteral("workers"), options.workers},
    };
    return {{QStringLiteral("serverId"), d->serverId},
            {QStringLiteral("engine"), engine},
            {QStringLiteral("server"), server}};
}

/*!
    Emits \c server_stats every 2 seconds (reimplemented from QObject).
*/
void Instrumentation::timerEvent(QTimerEvent *event)
{
    Q_D(Instrumentation);
    if (event->timerId() == d->statsTimer.timerId())
        d->emitStats();
    else
        QObject::timerEvent(event);
}

} // namespace SocketIO
