#include "adapters/redisstreamsadapter_p.h"

#include "adapters/redisclusteraccess_p.h"
#include "parser/json_p.h"
#include "parser/msgpack_p.h"

#include <QtCore/QLoggingCategory>

Q_LOGGING_CATEGORY(lcRedisStreams, "socketio.adapter.redis.streams")

namespace SocketIO {

namespace {

using Type = ClusterMessage::Type;

// The reference reads at most this many pages of the stream when restoring a session.
constexpr int maxRestorePages = 100;

// Requests that expect answers now, and answers: Pub/Sub. Everything else is kept in the stream.
bool isEphemeral(const ClusterMessage &m)
{
    return (m.type == Type::Broadcast && !m.requestId.isEmpty()) ||
           m.type == Type::ServerSideEmit || m.type == Type::FetchSockets;
}

// A stream entry's `data`: JSON when it starts with '{', otherwise base64 of MessagePack.
bool decodeEntryData(const QByteArray &raw, QVariant *value)
{
    if (raw.startsWith('{'))
        return Json::parse(raw, value);
    const auto decoded = QByteArray::fromBase64Encoding(raw);
    QString error;
    return decoded && MsgPack::decode(*decoded, value, &error);
}

// The reference's shouldIncludePacket(): in one of the rooms (any when none), in no except.
bool shouldInclude(const QSet<QString> &sessionRooms, const BroadcastOptions &options)
{
    const bool included = options.rooms().isEmpty() || sessionRooms.intersects(options.rooms());
    return included && !sessionRooms.intersects(options.except());
}

} // namespace

qint32 javaHashCode(const QString &text)
{
    quint32 hash = 0; // unsigned: the wrap-around of Java's int arithmetic, without UB
    for (QChar c : text)
        hash = hash * 31 + c.unicode();
    return qint32(hash);
}

std::optional<Session> storedSession(const QByteArray &raw)
{
    QVariant value;
    QString error;
    const auto decoded = QByteArray::fromBase64Encoding(raw);
    if (!decoded || !MsgPack::decode(*decoded, &value, &error) ||
        value.typeId() != QMetaType::QVariantMap)
        return std::nullopt;
    const QVariantMap map = value.toMap();
    Session session;
    session.setSid(map.value(QStringLiteral("sid")).toString());
    session.setPid(map.value(QStringLiteral("pid")).toString());
    const QStringList rooms = map.value(QStringLiteral("rooms")).toStringList();
    session.setRooms(QSet<QString>(rooms.cbegin(), rooms.cend()));
    session.setData(map.value(QStringLiteral("data")).toMap());
    if (session.sid().isEmpty())
        return std::nullopt;
    return session;
}

std::optional<QVariantList> missedPacket(const Redis::StreamEntry &entry, const QByteArray &nsp,
                                         const QSet<QString> &rooms)
{
    if (entry.field("nsp") != nsp || entry.field("type") != "3")
        return std::nullopt;
    QVariant data;
    if (!decodeEntryData(entry.field("data"), &data))
        return std::nullopt;
    const std::optional<ClusterMessage> m = clusterMessageFromData(Type::Broadcast, data);
    if (!m || !shouldInclude(rooms, m->options))
        return std::nullopt;
    QVariantList packet = m->packet.data.toList();
    packet.append(QString::fromLatin1(entry.id));
    return packet;
}

RedisStreamsHub::RedisStreamsHub(RedisCluster *cluster, const RedisStreamsAdapterOptions &options)
    : QObject(cluster)
    , m_options(options)
    , m_masters(RedisClusterAccess::masters(cluster))
{
    if (m_masters) {
        connect(m_masters, &Redis::ClusterClient::topologyRefreshed, this,
                &RedisStreamsHub::placeReaders);
    }
}

RedisCluster *RedisStreamsHub::cluster() const
{
    return static_cast<RedisCluster *>(parent());
}

QByteArray RedisStreamsHub::streamFor(const QString &nsp) const
{
    const QByteArray name = m_options.streamName.toUtf8();
    if (m_options.streamCount <= 1)
        return name;
    // As JavaScript's %, the sign follows the dividend: "socket.io--1" happens.
    return name + '-' + QByteArray::number(javaHashCode(nsp) % m_options.streamCount);
}

void RedisStreamsHub::add(const QString &nsp, RedisStreamsAdapter *adapter)
{
    m_adapters.insert(nsp, adapter);
    const QByteArray stream = streamFor(nsp);
    if (m_readers.contains(stream))
        return;
    if (m_masters) {
        m_readers.insert(stream, nullptr);
        placeReaders();
        return;
    }
    m_readers.insert(stream, newReader(redisConnectionOptions(cluster()->options()), stream));
}

Redis::StreamReader *RedisStreamsHub::newReader(const Redis::ConnectionOptions &connection,
                                                const QByteArray &stream, const QByteArray &startId)
{
    auto *reader = new Redis::StreamReader(
        connection, stream, m_options.readCount, m_options.blockTimeInMs,
        [this](const Redis::StreamEntry &entry) { onEntry(entry); }, this, startId);
    if (m_masters) {
        // A MOVED (or a master gone): where the stream is may have changed.
        connect(reader, &Redis::StreamReader::readFailed, m_masters,
                &Redis::ClusterClient::refreshTopology);
    }
    return reader;
}

void RedisStreamsHub::placeReaders()
{
    for (auto it = m_readers.begin(); it != m_readers.end(); ++it) {
        const QString owner = m_masters->masterFor(it.key());
        if (owner.isEmpty())
            continue;
        Redis::StreamReader *old = it.value();
        Redis::ConnectionOptions connection = redisConnectionOptions(cluster()->options());
        connection.host = owner.section(u':', 0, -2);
        connection.port = quint16(owner.section(u':', -1).toUInt());
        connection.clusterNode = true;
        if (old && old->connection()->options().host == connection.host &&
            old->connection()->options().port == connection.port)
            continue;
        // Not from inside a reader's callback (topologyRefreshed comes from the cluster's own
        // connections, add() from an adapter): the old reader can go at once, and nothing it
        // still had pending is delivered twice.
        const QByteArray startId = old && old->isStarted() ? old->lastId() : QByteArray();
        delete old;
        it.value() = newReader(connection, it.key(), startId);
    }
}

void RedisStreamsHub::remove(const QString &nsp, RedisStreamsAdapter *adapter)
{
    if (m_adapters.value(nsp) == adapter)
        m_adapters.remove(nsp);
}

bool RedisStreamsHub::isReading(const QString &nsp) const
{
    const Redis::StreamReader *reader = m_readers.value(streamFor(nsp));
    return reader && reader->isStarted();
}

void RedisStreamsHub::onEntry(const Redis::StreamEntry &entry)
{
    // Entries without a namespace are not ours (the reference skips them too).
    const QByteArray nsp = entry.field("nsp");
    if (nsp.isEmpty())
        return;
    if (RedisStreamsAdapter *adapter = m_adapters.value(QString::fromUtf8(nsp)))
        adapter->onStreamEntry(entry);
}

struct RedisStreamsAdapter::Restore
{
    std::function<void(const std::optional<Session> &)> done;
    int pending = 2; // GET+DEL, and the XRANGE that confirms the offset
    bool failed = false;
    std::optional<QByteArray> rawSession;
    bool offsetExists = false;
    QByteArray cursor; // the last entry read
    int pages = 0;
    Session session;
    QSet<QString> rooms;
    QList<QVariantList> missed;
};

RedisStreamsAdapter::RedisStreamsAdapter(Namespace *nsp, RedisStreamsHub *hub)
    : RedisClusterAdapter(nsp, clusterRandomId())
    , m_hub(hub)
    , m_options(hub->options())
{
    // The namespace installs the adapter right after creating it; subscribe then.
    QMetaObject::invokeMethod(
        this, [this] { start(); }, Qt::QueuedConnection);
}

RedisStreamsAdapter::~RedisStreamsAdapter()
{
    if (m_nsp.isNull())
        return;
    if (m_hub)
        m_hub->remove(m_nsp, this);
    Redis::ClusterClient *shards = m_options.useShardedPubSub ? masters() : nullptr;
    if (Redis::Connection *s = sub()) {
        for (const QByteArray &channel : {m_publicChannel, m_privateChannel}) {
            if (shards)
                shards->sunsubscribe(channel);
            else if (m_options.useShardedPubSub)
                s->sunsubscribe(channel);
            else
                s->unsubscribe(channel);
        }
    }
}

bool RedisStreamsAdapter::start()
{
    if (!m_nsp.isNull())
        return true;
    if (!emitter() || !m_hub)
        return false;
    m_nsp = emitter()->path();
    m_stream = m_hub->streamFor(m_nsp);
    m_publicChannel = m_options.channelPrefix.toUtf8() + '#' + m_nsp.toUtf8() + '#';
    m_privateChannel = m_publicChannel + uid().toUtf8() + '#';
    m_hub->add(m_nsp, this);
    if (Redis::Connection *s = sub()) {
        auto onMessage = [this](const QByteArray &, const QByteArray &message) {
            onPubSubMessage(message);
        };
        Redis::ClusterClient *shards = m_options.useShardedPubSub ? masters() : nullptr;
        for (const QByteArray &channel : {m_publicChannel, m_privateChannel}) {
            if (shards)
                shards->ssubscribe(channel, onMessage);
            else if (m_options.useShardedPubSub)
                s->ssubscribe(channel, onMessage);
            else
                s->subscribe(channel, onMessage);
        }
    }
    fetchServerCount({});
    return true;
}

Redis::Connection *RedisStreamsAdapter::pub() const
{
    return m_hub ? RedisClusterAccess::publisher(m_hub->cluster()) : nullptr;
}

Redis::Connection *RedisStreamsAdapter::sub() const
{
    return m_hub ? RedisClusterAccess::subscriber(m_hub->cluster()) : nullptr;
}

Redis::ClusterClient *RedisStreamsAdapter::masters() const
{
    return m_hub ? RedisClusterAccess::masters(m_hub->cluster()) : nullptr;
}

Redis::CommandTarget RedisStreamsAdapter::keys() const
{
    if (Redis::ClusterClient *m = masters())
        return m;
    return pub();
}

bool RedisStreamsAdapter::isReady() const
{
    const Redis::ClusterClient *m = masters();
    return !m_nsp.isNull() && m_hub && m_hub->isReading(m_nsp) && sub() && sub()->isConnected() &&
           (!m || m->isConnected());
}

void RedisStreamsAdapter::publishEnvelope(const QByteArray &channel, const ClusterMessage &m)
{
    Redis::Connection *p = pub();
    if (!p)
        return;
    // Pub/Sub payloads are always MessagePack of the whole envelope. The cluster reports a
    // failure (Connection::publishFailed()).
    const QByteArray payload = MsgPack::encode(clusterEnvelope(m));
    Redis::ClusterClient *shards = m_options.useShardedPubSub ? masters() : nullptr;
    if (shards)
        shards->spublish(channel, payload);
    else if (m_options.useShardedPubSub)
        p->spublish(channel, payload);
    else
        p->publish(channel, payload);
}

QList<QPair<QByteArray, QByteArray>> RedisStreamsAdapter::entryFields(const ClusterMessage &m) const
{
    QList<QPair<QByteArray, QByteArray>> fields{
        {QByteArrayLiteral("uid"), m.uid.toUtf8()},
        {QByteArrayLiteral("nsp"), m.nsp.toUtf8()},
        {QByteArrayLiteral("type"), QByteArray::number(int(m.type))}};
    const QVariantMap data = clusterMessageData(m);
    if (data.isEmpty())
        return fields; // heartbeats and ADAPTER_CLOSE carry none
    if (!m_options.onlyPlaintext && mayCarryBinary(m.type) && hasBinary(data))
        fields.append({QByteArrayLiteral("data"), MsgPack::encode(data).toBase64()});
    else
        fields.append({QByteArrayLiteral("data"), Json::stringify(data)});
    return fields;
}

void RedisStreamsAdapter::doPublish(const ClusterMessage &m,
                                    std::function<void(const QString &offset)> done)
{
    start();
    if (isEphemeral(m)) {
        publishEnvelope(m_publicChannel, m);
        if (done)
            done({});
        return;
    }
    const Redis::CommandTarget target = keys();
    if (!target)
        return;
    Redis::xadd(target, m_stream, m_options.maxLen, entryFields(m),
                [self = QPointer<RedisStreamsAdapter>(this),
                 done = std::move(done)](const QByteArray &id, const QByteArray &error) {
                    if (!self)
                        return;
                    if (!error.isEmpty()) {
                        // Not delivered anywhere, as in the reference (its XADD rejects).
                        if (self->m_hub)
                            RedisClusterAccess::publishFailed(self->m_hub->cluster(),
                                                              self->m_stream, error);
                        return;
                    }
                    // The entry id is the offset a recovering client resumes from.
                    if (done)
                        done(QString::fromLatin1(id));
                });
}

void RedisStreamsAdapter::doPublishResponse(const QString &requesterUid, const ClusterMessage &m)
{
    start();
    publishEnvelope(m_options.channelPrefix.toUtf8() + '#' + m_nsp.toUtf8() + '#' +
                        requesterUid.toUtf8() + '#',
                    m);
}

void RedisStreamsAdapter::fetchServerCount(std::function<void(int count)> done)
{
    const bool started = start();
    countServers(started ? pub() : nullptr, m_publicChannel, m_options.useShardedPubSub,
                 std::move(done), started ? masters() : nullptr);
}

void RedisStreamsAdapter::onPubSubMessage(const QByteArray &message)
{
    if (const std::optional<ClusterMessage> m = clusterMessageFromPayload(message))
        onMessage(*m);
    else
        qCDebug(lcRedisStreams) << "invalid message on" << m_publicChannel;
}

void RedisStreamsAdapter::onStreamEntry(const Redis::StreamEntry &entry)
{
    bool ok = false;
    const int type = entry.field("type").toInt(&ok);
    if (!ok || type < int(Type::InitialHeartbeat) || type > int(Type::AdapterClose))
        return;
    QVariant data;
    const QByteArray raw = entry.field("data");
    if (!raw.isEmpty() && !decodeEntryData(raw, &data)) {
        qCDebug(lcRedisStreams) << "invalid data in entry" << entry.id;
        return;
    }
    std::optional<ClusterMessage> m = clusterMessageFromData(Type(type), data);
    if (!m)
        return;
    m->uid = QString::fromUtf8(entry.field("uid"));
    m->nsp = QString::fromUtf8(entry.field("nsp"));
    onMessage(*m, QString::fromLatin1(entry.id));
}

void RedisStreamsAdapter::persistSession(const Session &session)
{
    const Redis::CommandTarget target = keys();
    const int expiry = emitter() ? emitter()->maxDisconnectionDuration() : 0;
    if (!start() || !target || expiry <= 0)
        return;
    const QSet<QString> rooms = session.rooms();
    const QVariantMap value{{QStringLiteral("sid"), session.sid()},
                            {QStringLiteral("pid"), session.pid()},
                            {QStringLiteral("rooms"), QStringList(rooms.cbegin(), rooms.cend())},
                            {QStringLiteral("data"), session.data()}};
    Redis::setPx(target, m_options.sessionKeyPrefix.toUtf8() + session.pid().toUtf8(),
                 MsgPack::encode(value).toBase64(), expiry, [](const QByteArray &error) {
                     if (!error.isEmpty())
                         qCWarning(lcRedisStreams) << "saving a session failed:" << error;
                 });
}

void RedisStreamsAdapter::restoreSession(
    const QString &pid, const QString &offset,
    const std::function<void(const std::optional<Session> &)> &done)
{
    const Redis::CommandTarget target = keys();
    const QByteArray from = offset.toLatin1();
    if (!start() || !target || !Redis::isStreamId(from)) {
        done(std::nullopt);
        return;
    }
    auto restore = std::make_shared<Restore>();
    restore->done = done;
    restore->cursor = from;
    const QPointer<RedisStreamsAdapter> self(this);
    // The later of the two answers goes on (in cluster mode they may come from two masters).
    auto proceed = [self, restore] {
        if (--restore->pending > 0)
            return;
        if (!self || restore->failed || !restore->rawSession || !restore->offsetExists) {
            restore->done(std::nullopt);
            return;
        }
        std::optional<Session> session = storedSession(*restore->rawSession);
        if (!session) {
            restore->done(std::nullopt);
            return;
        }
        restore->session = *session;
        restore->rooms = session->rooms();
        self->readMissed(restore);
    };
    Redis::getDel(
        target, m_options.sessionKeyPrefix.toUtf8() + pid.toUtf8(),
        [restore, proceed](const std::optional<QByteArray> &value, const QByteArray &error) {
            restore->failed = restore->failed || !error.isEmpty();
            restore->rawSession = value;
            proceed();
        });
    Redis::xrange(
        target, m_stream, from, from, 0,
        [restore, proceed](const QList<Redis::StreamEntry> &entries, const QByteArray &error) {
            restore->failed = restore->failed || !error.isEmpty();
            restore->offsetExists = !entries.isEmpty();
            proceed();
        });
}

void RedisStreamsAdapter::readMissed(std::shared_ptr<Restore> restore)
{
    const Redis::CommandTarget target = keys();
    if (restore->pages >= maxRestorePages || !target) {
        restore->session.setMissedPackets(restore->missed);
        restore->done(restore->session);
        return;
    }
    ++restore->pages;
    // From the entry after the cursor (an exclusive start without Redis 6.2's "(").
    Redis::xrange(target, m_stream, Redis::nextStreamId(restore->cursor), QByteArrayLiteral("+"), 0,
                  [self = QPointer<RedisStreamsAdapter>(this),
                   restore](const QList<Redis::StreamEntry> &entries, const QByteArray &error) {
                      if (!self || !error.isEmpty()) {
                          restore->done(std::nullopt);
                          return;
                      }
                      if (entries.isEmpty()) {
                          restore->session.setMissedPackets(restore->missed);
                          restore->done(restore->session);
                          return;
                      }
                      const QByteArray nsp = self->m_nsp.toUtf8();
                      for (const Redis::StreamEntry &entry : entries) {
                          restore->cursor = entry.id;
                          if (std::optional<QVariantList> packet =
                                  missedPacket(entry, nsp, restore->rooms))
                              restore->missed.append(*packet);
                      }
                      self->readMissed(restore);
                  });
}

/*!
    \struct SocketIO::RedisStreamsAdapterOptions
    \inmodule SocketIO
    \brief The options of Node's \c \@socket.io/redis-streams-adapter 0.3 with its defaults,
    for RedisCluster::streamsAdapterFactory().

    Where Redis is comes from the RedisCluster (RedisAdapterOptions); these say how the
    servers of the cluster use it. Give every server of a cluster the same values.
*/

// Empty until a field is added after 1.0.
class RedisStreamsAdapterOptionsExtension : public QSharedData
{
};

/*!
    Constructs the defaults of the reference.
*/
RedisStreamsAdapterOptions::RedisStreamsAdapterOptions() = default;

/*!
    Constructs a copy of \a other.
*/
RedisStreamsAdapterOptions::RedisStreamsAdapterOptions(const RedisStreamsAdapterOptions &other) =
    default;

/*!
    Move-constructs from \a other.
*/
RedisStreamsAdapterOptions::RedisStreamsAdapterOptions(
    RedisStreamsAdapterOptions &&other) noexcept = default;

/*!
    Assigns \a other and returns a reference to this.
*/
RedisStreamsAdapterOptions &
RedisStreamsAdapterOptions::operator=(const RedisStreamsAdapterOptions &other) = default;

/*!
    Move-assigns \a other and returns a reference to this.
*/
RedisStreamsAdapterOptions &
RedisStreamsAdapterOptions::operator=(RedisStreamsAdapterOptions &&other) noexcept = default;

/*!
    Destroys the options.
*/
RedisStreamsAdapterOptions::~RedisStreamsAdapterOptions() = default;

/*!
    \var RedisStreamsAdapterOptions::streamName
    The name of the Redis stream, "socket.io" by default; with streamCount above 1, the
    prefix of the streams' names.
*/

/*!
    \var RedisStreamsAdapterOptions::streamCount
    How many streams the namespaces are spread over, 1 by default. With more, namespace N
    uses the stream "<streamName>-<i>" where i is Java's String.hashCode() of N modulo
    streamCount, as Node computes it (i can be negative).
*/

/*!
    \var RedisStreamsAdapterOptions::channelPrefix
    The prefix of the Pub/Sub channels, "socket.io" by default: `<prefix>#<nsp>#` for the
    requests, `<prefix>#<nsp>#<uid>#` for the answers to the server with that uid.
*/

/*!
    \var RedisStreamsAdapterOptions::useShardedPubSub
    Whether requests and answers use Redis 7's sharded Pub/Sub (SPUBLISH, SSUBSCRIBE) instead
    of PUBLISH and SUBSCRIBE; false by default.
*/

/*!
    \var RedisStreamsAdapterOptions::maxLen
    About how many entries the stream keeps (XADD's MAXLEN ~), 10000 by default. A client
    can recover the events of the entries still there.
*/

/*!
    \var RedisStreamsAdapterOptions::readCount
    How many entries one XREAD returns at most, 100 by default.
*/

/*!
    \var RedisStreamsAdapterOptions::blockTimeInMs
    How long one XREAD waits for new entries, in milliseconds; 5000 by default.
*/

/*!
    \var RedisStreamsAdapterOptions::sessionKeyPrefix
    The prefix of the keys that keep disconnected sessions, "sio:session:" by default; the key
    of a session is the prefix and its private id.
*/

/*!
    \var RedisStreamsAdapterOptions::onlyPlaintext
    Whether stream entries are always JSON, false by default. Otherwise a message that carries
    binary data is stored as base64 of its MessagePack.
*/

/*!
    Returns a factory for ServerOptions::adapter that creates, for each namespace, an adapter
    in the format of Node's \c \@socket.io/redis-streams-adapter 0.3 with \a options, on this
    cluster. The cluster must outlive the servers that use the factory.

    Broadcasts, socketsJoin(), socketsLeave() and disconnectSockets() are added to a Redis
    stream (XADD), which every server reads (XREAD on a connection of its own, one per
    stream). fetchSockets(), serverSideEmit() and broadcasts that wait for acknowledgements
    go over Pub/Sub, as do the answers. The number of servers is the number of subscribers of
    the namespace's request channel.

    With connection state recovery (ServerOptions::connectionStateRecovery), the id of a
    broadcast's stream entry is its offset, a disconnected session is saved in Redis for
    maxDisconnectionDuration, and a client that reconnects to any server of the cluster gets
    its id, rooms and data back with the events it missed, read from the stream.

    Servers in C++ and Node can share one cluster. Each factory reads the streams with its
    own connections: call it once per server.

    On a Redis Cluster (RedisAdapterOptions::setClusterModeEnabled()), each stream and session
    key lives on the master owning its hash slot: the commands go there, each stream is read
    on a connection to its master, and the servers are counted on every master.

    \code
    auto *redis = new SocketIO::RedisCluster({}, &app);
    SocketIO::ServerOptions options;
    options.connectionStateRecovery = SocketIO::ConnectionStateRecoveryOptions();
    options.adapter = redis->streamsAdapterFactory();
    SocketIO::Server server(options);
    \endcode
*/
std::function<Adapter *(Namespace *)>
RedisCluster::streamsAdapterFactory(const RedisStreamsAdapterOptions &options)
{
    QPointer<RedisStreamsHub> hub = new RedisStreamsHub(this, options);
    return [hub](Namespace *nsp) -> Adapter * {
        if (!hub)
            return new Adapter(nsp);
        return new RedisStreamsAdapter(nsp, hub);
    };
}

} // namespace SocketIO
