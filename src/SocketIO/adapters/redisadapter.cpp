#include "redisadapter.h"

#include "adapters/clusteradapter_p.h"
#include "adapters/redisclusteraccess_p.h"
#include "adapters/redisshardedadapter_p.h"
#include "core/ackregistry_p.h"
#include "parser/json_p.h"
#include "parser/msgpack_p.h"
#include "redis/rediscluster_p.h"
#include "redis/redisconnection_p.h"

#include <QtCore/QElapsedTimer>
#include <QtCore/QLoggingCategory>
#include <QtCore/QPointer>
#include <QtCore/QRandomGenerator>
#include <QtCore/QTimer>

#include <map>

Q_LOGGING_CATEGORY(lcRedisAdapter, "socketio.adapter.redis")

namespace SocketIO {

namespace {

// The subscribers of the one channel of a PUBSUB NUMSUB (or SHARDNUMSUB) reply
// ([channel, count]); -1 when it is not such a reply (an error, Redis away).
int subscriberCount(const Redis::Reply &reply)
{
    if (reply.type != Redis::Reply::Type::Array || reply.elements.size() != 2 ||
        reply.elements.at(1).type != Redis::Reply::Type::Integer)
        return -1;
    return int(reply.elements.at(1).integer);
}

// PUBSUB NUMSUB (SHARDNUMSUB when `sharded`) of `channel`; `done` gets the count, or -1 when
// Redis did not answer. On `pub`, or with `masters` (cluster mode): a shard channel's
// subscribers are all on the master owning its slot, a classic channel's are spread over every
// master and summed, as Node's adapters do.
void countSubscribers(Redis::Connection *pub, Redis::ClusterClient *masters,
                      const QByteArray &channel, bool sharded, std::function<void(int)> done)
{
    QList<QByteArray> args{QByteArrayLiteral("PUBSUB"),
                           sharded ? QByteArrayLiteral("SHARDNUMSUB") : QByteArrayLiteral("NUMSUB"),
                           channel};
    if (!masters) {
        pub->command(args, [done = std::move(done)](const Redis::Reply &reply) {
            done(subscriberCount(reply));
        });
    } else if (sharded) {
        masters->command(channel, args, [done = std::move(done)](const Redis::Reply &reply) {
            done(subscriberCount(reply));
        });
    } else {
        masters->commandOnMasters(args, [done = std::move(done)](const QList<Redis::Reply> &all) {
            int sum = -1;
            for (const Redis::Reply &reply : all) {
                const int count = subscriberCount(reply);
                if (count >= 0)
                    sum = qMax(sum, 0) + count;
            }
            done(sum);
        });
    }
}

// The request types of @socket.io/redis-adapter 8.x (and of the redis-emitter).
enum RequestType {
    Sockets = 0,
    AllRooms = 1,
    RemoteJoin = 2,
    RemoteLeave = 3,
    RemoteDisconnect = 4,
    RemoteFetch = 5,
    ServerSideEmit = 6,
    Broadcast = 7,
    BroadcastClientCount = 8,
    BroadcastAck = 9,
};

// uid2(6): six URL-safe random characters, for node uids and request ids.
QString uid2()
{
    static constexpr char alphabet[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    QString out(6, Qt::Uninitialized);
    for (QChar &c : out)
        c = QLatin1Char(alphabet[QRandomGenerator::global()->bounded(64)]);
    return out;
}

QVariantMap optionsMap(const BroadcastOptions &options, bool withFlags)
{
    QVariantMap map{{QStringLiteral("rooms"), sortedStrings(options.rooms())},
                    {QStringLiteral("except"), sortedStrings(options.except())}};
    if (withFlags)
        map.insert(QStringLiteral("flags"), broadcastFlagsData(options.flags()));
    return map;
}

// What a request or broadcast from another server selects, applied here only.
BroadcastOptions localOptions(const QVariant &value)
{
    BroadcastOptions options = broadcastOptionsFrom(value);
    BroadcastFlags flags = options.flags();
    flags.setLocal(true);
    options.setFlags(flags);
    return options;
}

QVariantMap packetMap(const Packet &packet, const QString &nsp)
{
    // Broadcast packets travel as EVENT (2) with no id; each server numbers its own acks.
    return {{QStringLiteral("type"), 2},
            {QStringLiteral("data"), packet.data},
            {QStringLiteral("nsp"), nsp}};
}

Packet packetFrom(const QVariantMap &map)
{
    Packet packet;
    packet.type = Packet::Type::Event;
    packet.nsp = map.value(QStringLiteral("nsp"), QStringLiteral("/")).toString();
    packet.data = map.value(QStringLiteral("data")).toList();
    return packet;
}

} // namespace

Redis::ConnectionOptions redisConnectionOptions(const RedisAdapterOptions &options)
{
    Redis::ConnectionOptions connection;
    connection.host = options.host;
    connection.port = options.port;
    connection.username = options.username;
    connection.password = options.password;
    connection.tls = options.isTlsEnabled();
    connection.sslConfiguration = options.sslConfiguration();
    return connection;
}

class RedisClusterPrivate
{
public:
    explicit RedisClusterPrivate(RedisCluster *q)
        : q_ptr(q)
    {}

    // PUBLISH on the publishing connection; a failure (Redis down, or an error reply) reaches
    // publishFailed() through the connection's signal.
    void publish(const QByteArray &channel, const QByteArray &message) const
    {
        pub->publish(channel, message);
    }
    void publishFailed(const QByteArray &channel, const QByteArray &error);

    RedisCluster *const q_ptr;
    RedisAdapterOptions options;
    Redis::Connection *pub = nullptr;
    Redis::Connection *sub = nullptr;
    Redis::ClusterClient *shards = nullptr; // in cluster mode
    qint64 failedPublishes = 0;
    qint64 unreportedFailures = 0; // since the last warning
    QElapsedTimer lastWarning;
    Q_DECLARE_PUBLIC(RedisCluster)
};

void RedisClusterPrivate::publishFailed(const QByteArray &channel, const QByteArray &error)
{
    Q_Q(RedisCluster);
    ++failedPublishes;
    ++unreportedFailures;
    // At most one warning a second: a server broadcasting during an outage fails many times.
    if (!lastWarning.isValid() || lastWarning.elapsed() >= 1000) {
        qCWarning(lcRedisAdapter).nospace().noquote()
            << "publishing to " << QString::fromUtf8(channel) << " failed ("
            << QString::fromUtf8(error) << "): " << unreportedFailures
            << " failed since the last warning, " << failedPublishes << " in all";
        unreportedFailures = 0;
        lastWarning.start();
    }
    Q_EMIT q->publishFailed(QString::fromUtf8(channel));
}

/*!
    \struct SocketIO::RedisAdapterOptions
    \inmodule SocketIO
    \brief Where the servers of a Redis cluster meet, and the options of Node's
    \c \@socket.io/redis-adapter 8.3 with its defaults.

    Available when the library is built with hiredis (CMake option SOCKETIO_REDIS).
*/

// The fields added after 1.0.
class RedisAdapterOptionsExtension : public QSharedData
{
public:
    bool tls = false;
    QSslConfiguration sslConfiguration = QSslConfiguration::defaultConfiguration();
    bool cluster = false;
};

/*!
    Constructs the defaults: Redis on 127.0.0.1:6379 without AUTH, the key "socket.io".
*/
RedisAdapterOptions::RedisAdapterOptions() = default;

/*!
    Constructs a copy of \a other.
*/
RedisAdapterOptions::RedisAdapterOptions(const RedisAdapterOptions &other) = default;

/*!
    Move-constructs from \a other.
*/
RedisAdapterOptions::RedisAdapterOptions(RedisAdapterOptions &&other) noexcept = default;

/*!
    Assigns \a other and returns a reference to this.
*/
RedisAdapterOptions &RedisAdapterOptions::operator=(const RedisAdapterOptions &other) = default;

/*!
    Move-assigns \a other and returns a reference to this.
*/
RedisAdapterOptions &RedisAdapterOptions::operator=(RedisAdapterOptions &&other) noexcept = default;

/*!
    Destroys the options.
*/
RedisAdapterOptions::~RedisAdapterOptions() = default;

/*!
    \var RedisAdapterOptions::host
    The Redis server's host name or address; 127.0.0.1 by default. A name is resolved without
    blocking.
*/

/*!
    \var RedisAdapterOptions::port
    The Redis server's port; 6379 by default.
*/

/*!
    \var RedisAdapterOptions::username
    The ACL user for AUTH (Redis 6 and later); empty for AUTH with the password only.
*/

/*!
    \var RedisAdapterOptions::password
    The password for AUTH; empty for no AUTH.
*/

/*!
    \var RedisAdapterOptions::key
    The prefix of every channel, "socket.io" by default, as Node's `key` option.
*/

/*!
    \var RedisAdapterOptions::requestsTimeout
    How long fetchSockets() and serverSideEmit() with an acknowledgement wait for the other
    servers, in milliseconds; 5000 by default.
*/

/*!
    \var RedisAdapterOptions::publishOnSpecificResponseChannel
    Whether the other servers answer this one on its own response channel
    (`<key>-response#<nsp>#<uid>#`) instead of the common one; false by default. A
    serverSideEmit() acknowledgement always uses the common channel, as in Node.
*/

/*!
    Returns whether the connections to Redis use TLS; false by default.

    TLS goes through QSslSocket: Debian's hiredis 0.14 has no TLS of its own. The Redis server
    is verified against the CA certificates of sslConfiguration() and the host name (or
    address) of RedisAdapterOptions::host.

    \sa setTlsEnabled(), sslConfiguration()
*/
bool RedisAdapterOptions::isTlsEnabled() const
{
    return m_extension && m_extension->tls;
}

/*!
    Sets whether the connections to Redis use TLS to \a enabled.
*/
void RedisAdapterOptions::setTlsEnabled(bool enabled)
{
    if (isTlsEnabled() == enabled)
        return;
    if (!m_extension)
        m_extension = new RedisAdapterOptionsExtension;
    m_extension->tls = enabled;
}

/*!
    Returns the TLS configuration of the connections to Redis when isTlsEnabled(): the CA
    certificates to trust (QSslConfiguration::setCaCertificates()), and the client certificate
    and private key for a Redis that checks them (`tls-auth-clients`). By default,
    QSslConfiguration::defaultConfiguration() (the system's CA certificates).
*/
QSslConfiguration RedisAdapterOptions::sslConfiguration() const
{
    return m_extension ? m_extension->sslConfiguration : QSslConfiguration::defaultConfiguration();
}

/*!
    Sets the TLS configuration of the connections to Redis to \a configuration.

    \sa setTlsEnabled()
*/
void RedisAdapterOptions::setSslConfiguration(const QSslConfiguration &configuration)
{
    if (!m_extension)
        m_extension = new RedisAdapterOptionsExtension;
    m_extension->sslConfiguration = configuration;
}

/*!
    Returns whether host and port name a seed node of a Redis Cluster rather than a single
    Redis server; false by default.

    In cluster mode, the sharded adapter (RedisCluster::shardedAdapterFactory()) reads the
    cluster's topology (`CLUSTER SLOTS`) from the seed node, opens two connections to each
    master (with the same AUTH and TLS options), and sends each SSUBSCRIBE, SPUBLISH and
    `PUBSUB SHARDNUMSUB` to the master owning the channel's hash slot. A \c MOVED or \c ASK
    redirection, a refused subscription, or a subscription Redis ends after resharding makes
    it read the topology again and resubscribe.

    The classic adapter (adapterFactory()) keeps its Pub/Sub on the seed node, as a Redis
    Cluster forwards classic PUBLISH to every node, and counts the servers with
    `PUBSUB NUMSUB` on every master, summed. The streams adapter (streamsAdapterFactory())
    sends each XADD, XRANGE and session key command to the master owning the key, reads each
    stream on a connection to its owner (moved when the stream moves), and with
    RedisStreamsAdapterOptions::useShardedPubSub sends its requests as the sharded adapter does.

    \sa setClusterModeEnabled()
*/
bool RedisAdapterOptions::isClusterModeEnabled() const
{
    return m_extension && m_extension->cluster;
}

/*!
    Sets whether host and port name a seed node of a Redis Cluster to \a enabled.
*/
void RedisAdapterOptions::setClusterModeEnabled(bool enabled)
{
    if (isClusterModeEnabled() == enabled)
        return;
    if (!m_extension)
        m_extension = new RedisAdapterOptionsExtension;
    m_extension->cluster = enabled;
}

/*!
    \class SocketIO::RedisCluster
    \inmodule SocketIO
    \brief One server's connections to Redis, shared by the RedisAdapter of each of its
    namespaces.

    It opens two connections, one to publish and one to subscribe, and keeps them open:
    when Redis goes away it reconnects with a growing delay (50 ms up to 2 s) and subscribes
    again. Each lost connection is an outage: connectedChanged(false) is emitted, outageCount()
    grows, and a warning is logged in the category `socketio.redis`. Nothing blocks the event
    loop meanwhile, and nothing is queued: a broadcast (or request) made while Redis is down
    reaches the clients of this server only, and fails visibly for the others:
    publishFailed() is emitted, failedPublishCount() grows, and a warning (at most one a
    second, with the count) is logged in the category `socketio.adapter.redis`. The same
    holds before the first connection: wait for connectedChanged(true) before relying on the
    cluster.

    With RedisAdapterOptions::setTlsEnabled(), the connections use TLS (QSslSocket).

    Give each Server its own RedisCluster: Redis counts the servers of a namespace by the
    connections subscribed to its request channel.

    \code
    auto *redis = new SocketIO::RedisCluster({}, &app);
    SocketIO::ServerOptions options;
    options.adapter = redis->adapterFactory();
    SocketIO::Server server(options);
    \endcode
*/

/*!
    \property RedisCluster::connected
    \brief Whether both connections are up (connected, authenticated, subscribed), and in
    cluster mode the connections to every master too.
*/

/*!
    \property RedisCluster::outageCount
    \brief How many times a connection that was up was lost.
*/

/*!
    \fn void RedisCluster::connectedChanged(bool connected)
    Emitted when both connections came up (\a connected true), and when one was lost.
*/

/*!
    \property RedisCluster::failedPublishCount
    \brief How many messages (broadcasts, requests, responses) could not be published, most
    often because Redis was down.
*/

/*!
    \fn void RedisCluster::errorOccurred(const QString &message)
    Emitted with \a message when AUTH fails, the TLS handshake fails, or the host cannot be
    reached; the connection keeps retrying.
*/

/*!
    \fn void RedisCluster::publishFailed(const QString &channel)
    Emitted when a message for \a channel could not be published: Redis was not connected, the
    connection was lost before Redis confirmed it (it may have gone out), or Redis refused it.
    The other servers did not get it; the clients of this server did.
*/

/*!
    Connects to the Redis server of \a options, with \a parent.
*/
RedisCluster::RedisCluster(const RedisAdapterOptions &options, QObject *parent)
    : QObject(parent)
    , d_ptr(std::make_unique<RedisClusterPrivate>(this))
{
    Q_D(RedisCluster);
    d->options = options;
    const Redis::ConnectionOptions connection = redisConnectionOptions(options);
    d->pub = new Redis::Connection(connection, this);
    d->sub = new Redis::Connection(connection, this);
    for (Redis::Connection *c : {d->pub, d->sub}) {
        connect(c, &Redis::Connection::connected, this, [this] {
            if (isConnected())
                Q_EMIT connectedChanged(true);
        });
        connect(c, &Redis::Connection::disconnected, this,
                [this] { Q_EMIT connectedChanged(false); });
        connect(c, &Redis::Connection::errorOccurred, this, &RedisCluster::errorOccurred);
        c->open();
    }
    // What the adapters publish, on every transport, fails visibly here.
    connect(d->pub, &Redis::Connection::publishFailed, this,
            [d](const QByteArray &channel, const QByteArray &error) {
                d->publishFailed(channel, error);
            });
    if (options.isClusterModeEnabled()) {
        // The publishing connection is the seed: it asks for the topology.
        d->shards = new Redis::ClusterClient(d->pub, this);
        connect(d->shards, &Redis::ClusterClient::publishFailed, this,
                [d](const QByteArray &channel, const QByteArray &error) {
                    d->publishFailed(channel, error);
                });
        connect(d->shards, &Redis::ClusterClient::connected, this, [this] {
            if (isConnected())
                Q_EMIT connectedChanged(true);
        });
        connect(d->shards, &Redis::ClusterClient::disconnected, this,
                [this] { Q_EMIT connectedChanged(false); });
        connect(d->shards, &Redis::ClusterClient::errorOccurred, this,
                &RedisCluster::errorOccurred);
    }
}

/*!
    Closes the connections. The adapters created by adapterFactory() stop publishing.
*/
RedisCluster::~RedisCluster() = default;

/*!
    Returns the options given to the constructor.
*/
RedisAdapterOptions RedisCluster::options() const
{
    return d_func()->options;
}

/*!
    Returns a factory for ServerOptions::adapter that creates a RedisAdapter on this cluster for
    each namespace. The cluster must outlive the servers that use the factory.
*/
std::function<Adapter *(Namespace *)> RedisCluster::adapterFactory()
{
    return [cluster = QPointer<RedisCluster>(this)](Namespace *nsp) -> Adapter * {
        if (!cluster)
            return new Adapter(nsp);
        return new RedisAdapter(nsp, cluster);
    };
}

/*!
    Returns a factory for ServerOptions::adapter that creates, for each namespace, the sharded
    adapter of Node's \c createShardedAdapter() on this cluster, with \a options. It needs
    Redis 7 (SPUBLISH, SSUBSCRIBE); the cluster must outlive the servers that use the factory.

    The servers exchange the messages of socket.io-adapter's ClusterAdapter on
    `<channelPrefix>#<nsp>#`, answer each other on `<channelPrefix>#<nsp>#<uid>#`, and, in the
    dynamic subscription modes, broadcast to a single room on `<channelPrefix>#<nsp>#<room>#`.
    The messages are JSON, or MessagePack when they carry binary. The number of servers is
    `PUBSUB SHARDNUMSUB <channelPrefix>#<nsp>#`.

    With RedisAdapterOptions::setClusterModeEnabled(), the channels are spread over the masters
    of a Redis Cluster, each on the master owning its hash slot.
*/
std::function<Adapter *(Namespace *)>
RedisCluster::shardedAdapterFactory(const RedisShardedAdapterOptions &options)
{
    return [cluster = QPointer<RedisCluster>(this), options](Namespace *nsp) -> Adapter * {
        if (!cluster)
            return new Adapter(nsp);
        RedisClusterPrivate *d = cluster->d_func();
        return new RedisShardedAdapter(nsp, d->pub, d->sub, options, d->shards);
    };
}

/*!
    Returns whether both connections are up.
*/
bool RedisCluster::isConnected() const
{
    Q_D(const RedisCluster);
    return d->pub->isConnected() && d->sub->isConnected() &&
           (!d->shards || d->shards->isConnected());
}

/*!
    Returns how many times a connection that was up was lost.
*/
int RedisCluster::outageCount() const
{
    Q_D(const RedisCluster);
    return d->pub->outageCount() + d->sub->outageCount() +
           (d->shards ? d->shards->outageCount() : 0);
}

/*!
    Returns how many messages could not be published.

    \sa publishFailed()
*/
qint64 RedisCluster::failedPublishCount() const
{
    return d_func()->failedPublishes;
}

class RedisAdapterPrivate
{
public:
    struct Request
    {
        int type = 0;
        int expected = 0; // responses still awaited
        QList<SocketDetails> sockets;
        QVariantList responses;
        std::function<void(const QList<SocketDetails> &)> fetched;
        std::function<void(const QString &, const QVariantList &)> answered;
    };
    struct AckRequest
    {
        int owedCalls = 0;       // clientCount calls the operator still expects
        int remoteExpected = -1; // servers that will answer, once PUBSUB NUMSUB said
        int remoteArrived = 0;
        int total = 0;
        std::function<void(int)> clientCount;
        std::function<void(const QVariantList &)> ack;
    };

    QPointer<RedisCluster> cluster;
    Redis::Connection *pub() const { return cluster ? cluster->d_func()->pub : nullptr; }
    Redis::Connection *sub() const { return cluster ? cluster->d_func()->sub : nullptr; }

    QString uid = uid2();
    QString nsp;
    RedisAdapterOptions options;
    QByteArray channel;         // <key>#<nsp>#
    QByteArray requestChannel;  // <key>-request#<nsp>#
    QByteArray responseChannel; // <key>-response#<nsp>#
    QByteArray specificResponseChannel;
    int serverCount = 1; // the last PUBSUB NUMSUB, refreshed
    QSet<QString> localRooms;
    std::map<QString, Request> requests;
    std::map<QString, AckRequest> ackRequests;
    QTimer refresh;

    QByteArray responseChannelFor(const QString &requester) const
    {
        if (!options.publishOnSpecificResponseChannel)
            return responseChannel;
        return responseChannel + requester.toUtf8() + '#';
    }
    void publish(const QByteArray &channel, const QByteArray &message) const
    {
        if (cluster)
            cluster->d_func()->publish(channel, message);
    }
};

/*!
    \class SocketIO::RedisAdapter
    \inmodule SocketIO
    \brief The classic Redis adapter, in the wire format of Node's \c \@socket.io/redis-adapter 8.3.

    Servers in C++ and in Node can share one cluster: broadcasts (with rooms, except and flags)
    travel as MessagePack on `<key>#<nsp>#` (or `<key>#<nsp>#<room>#` for exactly one room);
    fetchSockets(), socketsJoin()/socketsLeave(), disconnectSockets() and serverSideEmit() as
    JSON requests on `<key>-request#<nsp>#`, answered on `<key>-response#<nsp>#`; broadcasts
    that wait for client acknowledgements as MessagePack requests whose answers are one client
    count per server and one message per acknowledgement. The number of servers is
    `PUBSUB NUMSUB <key>-request#<nsp>#`, summed over the masters of a Redis Cluster in cluster
    mode (RedisAdapterOptions::setClusterModeEnabled()).

    Created for each namespace by RedisCluster::adapterFactory(); owned by its namespace.
    Joins, leaves and disconnects are applied on this server at once, and by the others when
    the request arrives.

    While Redis is down, and before the cluster first connected, nothing is queued: a
    broadcast reaches this server's clients only and is reported by
    RedisCluster::publishFailed(); fetchSockets() and serverSideEmit() see this server alone,
    as serverCount() is 1 until Redis answers.
*/

/*!
    Creates the adapter of \a nsp on the connections of \a cluster, and subscribes.
*/
RedisAdapter::RedisAdapter(Namespace *nsp, RedisCluster *cluster)
    : Adapter(nsp)
    , d_ptr(std::make_unique<RedisAdapterPrivate>())
{
    Q_D(RedisAdapter);
    d->cluster = cluster;
    d->options = cluster->options();
    connect(this, &Adapter::roomCreated, this,
            [d](const QString &room) { d->localRooms.insert(room); });
    connect(this, &Adapter::roomDeleted, this,
            [d](const QString &room) { d->localRooms.remove(room); });
    // The namespace's path is known once the namespace installed the adapter; subscribe then.
    QMetaObject::invokeMethod(
        this,
        [this] {
            Q_D(RedisAdapter);
            Redis::Connection *sub = d->sub();
            if (!sub || !emitter())
                return;
            d->nsp = emitter()->path();
            const QByteArray key = d->options.key.toUtf8();
            const QByteArray nsp = d->nsp.toUtf8();
            d->channel = key + '#' + nsp + '#';
            d->requestChannel = key + "-request#" + nsp + '#';
            d->responseChannel = key + "-response#" + nsp + '#';
            d->specificResponseChannel = d->responseChannel + d->uid.toUtf8() + '#';
            sub->psubscribe(d->channel + '*',
                            [this](const QByteArray &channel, const QByteArray &message) {
                                onBroadcastMessage(channel, message);
                            });
            sub->subscribe(d->requestChannel,
                           [this](const QByteArray &, const QByteArray &m) { onRequest(m); });
            auto response = [this](const QByteArray &, const QByteArray &m) { onResponse(m); };
            sub->subscribe(d->responseChannel, response);
            sub->subscribe(d->specificResponseChannel, response);
            refreshServerCount({});
        },
        Qt::QueuedConnection);
    d->refresh.setInterval(1000);
    connect(&d->refresh, &QTimer::timeout, this, [this] { refreshServerCount({}); });
    // Counted at once when Redis comes (back): it answered nothing while it was away.
    connect(cluster, &RedisCluster::connectedChanged, this, [this](bool connected) {
        if (connected)
            refreshServerCount({});
    });
    d->refresh.start();
}

/*!
    Unsubscribes; the requests still waiting get what arrived.
*/
RedisAdapter::~RedisAdapter()
{
    Q_D(RedisAdapter);
    if (Redis::Connection *sub = d->sub(); sub && !d->channel.isEmpty()) {
        sub->punsubscribe(d->channel + '*');
        sub->unsubscribe(d->requestChannel);
        sub->unsubscribe(d->responseChannel);
        sub->unsubscribe(d->specificResponseChannel);
    }
}

/*!
    Returns this adapter's id in the cluster: six random characters, as Node's.
*/
QString RedisAdapter::uid() const
{
    return d_func()->uid;
}

/*!
    Returns the number of servers of this namespace in the cluster, this one included, as Redis
    counted them last (`PUBSUB NUMSUB`, refreshed every second and before each request).
*/
int RedisAdapter::serverCount() const
{
    return d_func()->serverCount;
}

void RedisAdapter::refreshServerCount(std::function<void(int)> done)
{
    Q_D(RedisAdapter);
    Redis::Connection *pub = d->pub();
    if (!pub || d->requestChannel.isEmpty()) {
        if (done)
            done(1);
        return;
    }
    countSubscribers(pub, d->cluster->d_func()->shards, d->requestChannel, false,
                     [self = QPointer<RedisAdapter>(this), done](int subscribers) {
                         if (!self)
                             return;
                         const int count = qMax(1, subscribers);
                         self->d_func()->serverCount = count;
                         if (done)
                             done(count);
                     });
}

/*!
    Broadcasts \a packet to the sockets \a options select on this server and, unless the flags
    say local, publishes it for the others.
*/
void RedisAdapter::broadcast(const Packet &packet, const BroadcastOptions &options)
{
    Q_D(RedisAdapter);
    if (!options.flags().isLocal() && !d->channel.isEmpty()) {
        const QVariantList message{d->uid, packetMap(packet, d->nsp), optionsMap(options, true)};
        QByteArray channel = d->channel;
        const QSet<QString> rooms = options.rooms();
        if (rooms.size() == 1)
            channel += rooms.cbegin()->toUtf8() + '#';
        d->publish(channel, MsgPack::encode(message));
    }
    Adapter::broadcast(packet, options);
}

/*!
    Sends \a packet to the sockets \a options select on every server, and hands
    \a clientCountCallback the number of sockets reached and \a ack each acknowledgement.
    The operator reads serverCount() once: the counts of the other servers arrive in one call,
    followed by calls with 0 for the servers it expected beyond those that answered.
*/
void RedisAdapter::broadcastWithAck(const Packet &packet, const BroadcastOptions &options,
                                    const std::function<void(int)> &clientCountCallback,
                                    const std::function<void(const QVariantList &)> &ack)
{
    Q_D(RedisAdapter);
    if (options.flags().isLocal() || d->channel.isEmpty()) {
        Adapter::broadcastWithAck(packet, options, clientCountCallback, ack);
        return;
    }
    const QString requestId = uid2();
    RedisAdapterPrivate::AckRequest &request = d->ackRequests[requestId];
    request.owedCalls = d->serverCount - 1;
    request.clientCount = clientCountCallback;
    request.ack = ack;
    const QVariantMap message{{QStringLiteral("uid"), d->uid},
                              {QStringLiteral("requestId"), requestId},
                              {QStringLiteral("type"), int(Broadcast)},
                              {QStringLiteral("packet"), packetMap(packet, d->nsp)},
                              {QStringLiteral("opts"), optionsMap(options, true)}};
    d->publish(d->requestChannel, MsgPack::encode(message));
    refreshServerCount([self = QPointer<RedisAdapter>(this), requestId](int count) {
        if (!self)
            return;
        const auto it = self->d_func()->ackRequests.find(requestId);
        if (it == self->d_func()->ackRequests.end())
            return;
        it->second.remoteExpected = count - 1;
        self->settleClientCounts(requestId);
    });
    // Answers are taken until the operator's timeout; the entry goes a little later.
    const int timeout =
        options.flags().timeout() >= 0 ? options.flags().timeout() : d->options.requestsTimeout;
    QTimer::singleShot(timeout + 1000, this, [this, requestId] {
        Q_D(RedisAdapter);
        const auto it = d->ackRequests.find(requestId);
        if (it == d->ackRequests.end())
            return;
        // Servers that never answered count as none.
        it->second.remoteExpected = it->second.remoteArrived;
        settleClientCounts(requestId);
        d->ackRequests.erase(requestId);
    });
    Adapter::broadcastWithAck(packet, options, clientCountCallback, ack);
}

void RedisAdapter::settleClientCounts(const QString &requestId)
{
    Q_D(RedisAdapter);
    const auto it = d->ackRequests.find(requestId);
    if (it == d->ackRequests.end())
        return;
    RedisAdapterPrivate::AckRequest &request = it->second;
    if (request.remoteExpected < 0 || request.remoteArrived < request.remoteExpected ||
        request.owedCalls <= 0)
        return;
    const int owed = std::exchange(request.owedCalls, 0);
    const std::function<void(int)> callback = request.clientCount;
    callback(request.total);
    for (int i = 1; i < owed; ++i)
        callback(0);
}

/*!
    Hands \a done the sockets \a options select on every server, once each server answered or
    after requestsTimeout (with what arrived, and a warning).
*/
void RedisAdapter::fetchSockets(const BroadcastOptions &options,
                                const std::function<void(const QList<SocketDetails> &)> &done)
{
    Q_D(RedisAdapter);
    if (options.flags().isLocal() || d->channel.isEmpty()) {
        Adapter::fetchSockets(options, done);
        return;
    }
    refreshServerCount([self = QPointer<RedisAdapter>(this), options, done](int count) {
        if (!self)
            return;
        RedisAdapter *adapter = self;
        RedisAdapterPrivate *d = adapter->d_func();
        QList<SocketDetails> local;
        adapter->Adapter::fetchSockets(options,
                                       [&local](const QList<SocketDetails> &s) { local = s; });
        if (count <= 1) {
            done(local);
            return;
        }
        const QString requestId = uid2();
        RedisAdapterPrivate::Request &request = d->requests[requestId];
        request.type = RemoteFetch;
        request.expected = count - 1;
        request.sockets = local;
        request.fetched = done;
        const QVariantMap message{{QStringLiteral("uid"), d->uid},
                                  {QStringLiteral("requestId"), requestId},
                                  {QStringLiteral("type"), int(RemoteFetch)},
                                  {QStringLiteral("opts"), optionsMap(options, false)}};
        d->publish(d->requestChannel, Json::stringify(message));
        adapter->startTimeout(requestId, QStringLiteral("fetchSockets"));
    });
}

void RedisAdapter::startTimeout(const QString &requestId, const QString &what)
{
    Q_D(RedisAdapter);
    QTimer::singleShot(d->options.requestsTimeout, this, [this, requestId, what] {
        Q_D(RedisAdapter);
        if (d->requests.find(requestId) == d->requests.end())
            return;
        const QString error =
            QStringLiteral("timeout reached while waiting for %1 response").arg(what);
        qCWarning(lcRedisAdapter) << error;
        finish(requestId, error);
    });
}

void RedisAdapter::finish(const QString &requestId, const QString &error)
{
    Q_D(RedisAdapter);
    const auto it = d->requests.find(requestId);
    if (it == d->requests.end())
        return;
    const RedisAdapterPrivate::Request request = std::move(it->second);
    d->requests.erase(it);
    if (request.fetched)
        request.fetched(request.sockets);
    if (request.answered)
        request.answered(error, request.responses);
}

void RedisAdapter::publishRequest(int type, const BroadcastOptions &options,
                                  const QVariantMap &extra)
{
    Q_D(RedisAdapter);
    if (options.flags().isLocal() || d->channel.isEmpty())
        return;
    QVariantMap message = extra;
    message.insert(QStringLiteral("uid"), d->uid);
    message.insert(QStringLiteral("type"), type);
    message.insert(QStringLiteral("opts"), optionsMap(options, false));
    d->publish(d->requestChannel, Json::stringify(message));
}

/*!
    Makes the sockets \a options select join \a rooms, here at once and on the other servers
    when the request arrives.
*/
void RedisAdapter::addSockets(const BroadcastOptions &options, const QStringList &rooms)
{
    Adapter::addSockets(options, rooms);
    publishRequest(RemoteJoin, options, {{QStringLiteral("rooms"), rooms}});
}

/*!
    Makes the sockets \a options select leave \a rooms, here and on the other servers.
*/
void RedisAdapter::delSockets(const BroadcastOptions &options, const QStringList &rooms)
{
    Adapter::delSockets(options, rooms);
    publishRequest(RemoteLeave, options, {{QStringLiteral("rooms"), rooms}});
}

/*!
    Disconnects the sockets \a options select, here and on the other servers; with \a close,
    their whole connections.
*/
void RedisAdapter::disconnectSockets(const BroadcastOptions &options, bool close)
{
    Adapter::disconnectSockets(options, close);
    publishRequest(RemoteDisconnect, options, {{QStringLiteral("close"), close}});
}

/*!
    Sends \a args, [event, arguments...], to the other servers. With \a ack, collects one
    response per server; on requestsTimeout, \a ack gets an error and what arrived.
*/
void RedisAdapter::serverSideEmit(
    const QVariantList &args, const std::function<void(const QString &, const QVariantList &)> &ack)
{
    Q_D(RedisAdapter);
    if (d->channel.isEmpty()) {
        if (ack)
            ack({}, {});
        return;
    }
    if (!ack) {
        d->publish(d->requestChannel,
                   Json::stringify(QVariantMap{{QStringLiteral("uid"), d->uid},
                                               {QStringLiteral("type"), int(ServerSideEmit)},
                                               {QStringLiteral("data"), args}}));
        return;
    }
    refreshServerCount([self = QPointer<RedisAdapter>(this), args, ack](int count) {
        if (!self)
            return;
        RedisAdapterPrivate *d = self->d_func();
        if (count <= 1) {
            ack({}, {});
            return;
        }
        const QString requestId = uid2();
        RedisAdapterPrivate::Request &request = d->requests[requestId];
        request.type = ServerSideEmit;
        request.expected = count - 1;
        request.answered = ack;
        d->publish(d->requestChannel,
                   Json::stringify(QVariantMap{{QStringLiteral("uid"), d->uid},
                                               {QStringLiteral("requestId"), requestId},
                                               {QStringLiteral("type"), int(ServerSideEmit)},
                                               {QStringLiteral("data"), args}}));
        self->startTimeout(requestId, QStringLiteral("serverSideEmit"));
    });
}

void RedisAdapter::onBroadcastMessage(const QByteArray &channel, const QByteArray &message)
{
    Q_D(RedisAdapter);
    const QByteArray suffix = channel.mid(d->channel.size());
    if (!suffix.isEmpty()) {
        const QString room = QString::fromUtf8(suffix.chopped(suffix.endsWith('#') ? 1 : 0));
        if (!d->localRooms.contains(room))
            return; // nobody here is in it
    }
    QVariant decoded;
    if (!decodeJsonOrMsgPack(message, &decoded))
        return;
    const QVariantList parts = decoded.toList();
    if (parts.size() < 3 || parts.at(0).toString() == d->uid)
        return;
    const Packet packet = packetFrom(parts.at(1).toMap());
    if (packet.nsp != d->nsp)
        return;
    Adapter::broadcast(packet, localOptions(parts.at(2)));
}

void RedisAdapter::onRequest(const QByteArray &message)
{
    Q_D(RedisAdapter);
    QVariant decoded;
    if (!decodeJsonOrMsgPack(message, &decoded))
        return;
    const QVariantMap request = decoded.toMap();
    const int type = request.value(QStringLiteral("type")).toInt();
    const QString requestId = request.value(QStringLiteral("requestId")).toString();
    const QString uid = request.value(QStringLiteral("uid")).toString();
    const bool own = !uid.isEmpty() && uid == d->uid;
    const QByteArray responseChannel = d->responseChannelFor(uid);
    auto respond = [d, responseChannel, requestId](QVariantMap response) {
        response.insert(QStringLiteral("requestId"), requestId);
        d->publish(responseChannel, Json::stringify(response));
    };
    const BroadcastOptions options = localOptions(request.value(QStringLiteral("opts")));
    const bool legacy = request.contains(QStringLiteral("sid"));
    switch (type) {
    case Sockets: {
        if (own)
            return;
        const QSet<QString> ids = sockets(stringSet(request.value(QStringLiteral("rooms"))));
        respond({{QStringLiteral("sockets"), sortedStrings(ids)}});
        return;
    }
    case AllRooms:
        if (!own) {
            const QHash<QString, QSet<QString>> all = rooms();
            respond({{QStringLiteral("rooms"), QStringList(all.keyBegin(), all.keyEnd())}});
        }
        return;
    case RemoteJoin:
    case RemoteLeave: {
        if (own)
            return;
        if (legacy) {
            const QString sid = request.value(QStringLiteral("sid")).toString();
            if (!emitter()->hasSocket(sid))
                return;
            const QStringList room{request.value(QStringLiteral("room")).toString()};
            if (type == RemoteJoin)
                emitter()->joinRooms({sid}, room);
            else
                emitter()->leaveRooms({sid}, room);
            respond({});
            return;
        }
        const QStringList rooms = request.value(QStringLiteral("rooms")).toStringList();
        if (type == RemoteJoin)
            Adapter::addSockets(options, rooms);
        else
            Adapter::delSockets(options, rooms);
        return;
    }
    case RemoteDisconnect: {
        if (own)
            return;
        const bool close = request.value(QStringLiteral("close")).toBool();
        if (legacy) {
            const QString sid = request.value(QStringLiteral("sid")).toString();
            if (!emitter()->hasSocket(sid))
                return;
            emitter()->disconnectSockets({sid}, close);
            respond({});
            return;
        }
        Adapter::disconnectSockets(options, close);
        return;
    }
    case RemoteFetch: {
        if (own || d->requests.count(requestId))
            return;
        QVariantList list;
        Adapter::fetchSockets(options, [&list](const QList<SocketDetails> &found) {
            for (const SocketDetails &s : found)
                list.append(socketDetailsData(s));
        });
        respond({{QStringLiteral("sockets"), list}});
        return;
    }
    case ServerSideEmit: {
        if (own)
            return;
        const QVariantList args = request.value(QStringLiteral("data")).toList();
        Ack ack;
        if (!requestId.isEmpty()) {
            // Always the common response channel, as in Node.
            // The handler may answer after this adapter is gone: hold the cluster weakly.
            ack = Ack([cluster = d->cluster, requestId,
                       channel = d->responseChannel](const QVariantList &a) {
                if (!cluster)
                    return;
                cluster->d_func()->publish(
                    channel,
                    Json::stringify(QVariantMap{{QStringLiteral("type"), int(ServerSideEmit)},
                                                {QStringLiteral("requestId"), requestId},
                                                {QStringLiteral("data"), a.value(0)}}));
            });
        }
        emitter()->receiveServerSideEmit(args, ack);
        return;
    }
    case Broadcast: {
        if (own || d->ackRequests.count(requestId))
            return;
        const QPointer<RedisCluster> cluster = d->cluster;
        auto publish = [cluster, responseChannel](const QByteArray &m) {
            if (cluster)
                cluster->d_func()->publish(responseChannel, m);
        };
        Adapter::broadcastWithAck(
            packetFrom(request.value(QStringLiteral("packet")).toMap()), options,
            [publish, requestId](int count) {
                publish(
                    Json::stringify(QVariantMap{{QStringLiteral("type"), int(BroadcastClientCount)},
                                                {QStringLiteral("requestId"), requestId},
                                                {QStringLiteral("clientCount"), count}}));
            },
            [publish, requestId](const QVariantList &response) {
                publish(
                    MsgPack::encode(QVariantMap{{QStringLiteral("type"), int(BroadcastAck)},
                                                {QStringLiteral("requestId"), requestId},
                                                {QStringLiteral("packet"), response.value(0)}}));
            });
        return;
    }
    default:
        return;
    }
}

void RedisAdapter::onResponse(const QByteArray &message)
{
    Q_D(RedisAdapter);
    QVariant decoded;
    if (!decodeJsonOrMsgPack(message, &decoded))
        return;
    const QVariantMap response = decoded.toMap();
    const QString requestId = response.value(QStringLiteral("requestId")).toString();
    const int type = response.value(QStringLiteral("type"), -1).toInt();
    if (type == BroadcastClientCount || type == BroadcastAck) {
        const auto it = d->ackRequests.find(requestId);
        if (it == d->ackRequests.end())
            return;
        if (type == BroadcastAck) {
            if (it->second.ack)
                it->second.ack({response.value(QStringLiteral("packet"))});
            return;
        }
        it->second.total += response.value(QStringLiteral("clientCount")).toInt();
        ++it->second.remoteArrived;
        settleClientCounts(requestId);
        return;
    }
    const auto it = d->requests.find(requestId);
    if (it == d->requests.end())
        return; // not ours, or too late
    RedisAdapterPrivate::Request &request = it->second;
    if (request.type == RemoteFetch) {
        for (const QVariant &s : response.value(QStringLiteral("sockets")).toList())
            request.sockets.append(socketDetailsFrom(s.toMap()));
    } else if (request.type == ServerSideEmit) {
        request.responses.append(response.value(QStringLiteral("data")));
    }
    if (--request.expected <= 0)
        finish(requestId, {});
}

Redis::Connection *RedisClusterAccess::publisher(RedisCluster *cluster)
{
    return cluster->d_func()->pub;
}

Redis::Connection *RedisClusterAccess::subscriber(RedisCluster *cluster)
{
    return cluster->d_func()->sub;
}

Redis::ClusterClient *RedisClusterAccess::masters(RedisCluster *cluster)
{
    return cluster->d_func()->shards;
}

void RedisClusterAccess::publishFailed(RedisCluster *cluster, const QByteArray &channel,
                                       const QByteArray &error)
{
    cluster->d_func()->publishFailed(channel, error);
}

RedisClusterAdapter::RedisClusterAdapter(Namespace *nsp, const QString &uid)
    : ClusterAdapter(nsp, uid)
{
    m_refresh.setInterval(1000);
    connect(&m_refresh, &QTimer::timeout, this, [this] { fetchServerCount({}); });
    m_refresh.start();
}

void RedisClusterAdapter::countServers(Redis::Connection *pub, const QByteArray &channel,
                                       bool sharded, std::function<void(int)> done,
                                       Redis::ClusterClient *masters)
{
    if ((!pub && !masters) || channel.isEmpty()) {
        if (done)
            done(m_serverCount);
        return;
    }
    countSubscribers(pub, masters, channel, sharded,
                     [self = QPointer<RedisClusterAdapter>(this), done](int subscribers) {
                         if (!self)
                             return;
                         if (subscribers >= 0)
                             self->m_serverCount = qMax(1, subscribers);
                         if (done)
                             done(self->m_serverCount);
                     });
}

} // namespace SocketIO
