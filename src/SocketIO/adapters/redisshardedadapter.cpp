#include "adapters/redisshardedadapter_p.h"

#include "parser/json_p.h"
#include "parser/msgpack_p.h"
#include "redis/rediscluster_p.h"
#include "redis/redisconnection_p.h"

#include <QtCore/QLoggingCategory>

Q_LOGGING_CATEGORY(lcRedisSharded, "socketio.adapter.redis.sharded")

namespace SocketIO {

namespace {

// Node's looksLikeASocketId(): its socket ids have 20 characters.
bool looksLikeASocketId(const QString &room)
{
    return room.size() == 20;
}

} // namespace

/*!
    \struct SocketIO::RedisShardedAdapterOptions
    \inmodule SocketIO
    \brief The options of Node's \c createShardedAdapter() (\c \@socket.io/redis-adapter 8.3),
    with its defaults.

    Given to RedisCluster::shardedAdapterFactory(). Where Redis is comes from the
    RedisCluster's RedisAdapterOptions.
*/

/*!
    \enum RedisShardedAdapterOptions::SubscriptionMode

    Which channels a server subscribes to, besides the namespace's channel and its own
    response channel. A broadcast to exactly one room goes to that room's channel when the
    mode gives rooms one; everything else goes to the namespace's channel.
*/

/*!
    \var RedisShardedAdapterOptions::Dynamic

    A channel for each room that exists on this server, except the rooms named after one of
    its socket ids. When publishing, a room whose name has 20 characters is taken for a socket
    id, as in Node. The default.
*/

/*!
    \var RedisShardedAdapterOptions::DynamicPrivate

    A channel for each room that exists on this server, socket ids included.
*/

/*!
    \var RedisShardedAdapterOptions::Static

    No room channels: every message goes to the namespace's channel.
*/

// Empty until a field is added after 1.0.
class RedisShardedAdapterOptionsExtension : public QSharedData
{
};

/*!
    Constructs the defaults: channel prefix "socket.io", dynamic subscriptions.
*/
RedisShardedAdapterOptions::RedisShardedAdapterOptions() = default;

/*!
    Constructs a copy of \a other.
*/
RedisShardedAdapterOptions::RedisShardedAdapterOptions(const RedisShardedAdapterOptions &other) =
    default;

/*!
    Move-constructs from \a other.
*/
RedisShardedAdapterOptions::RedisShardedAdapterOptions(
    RedisShardedAdapterOptions &&other) noexcept = default;

/*!
    Assigns \a other and returns a reference to this.
*/
RedisShardedAdapterOptions &
RedisShardedAdapterOptions::operator=(const RedisShardedAdapterOptions &other) = default;

/*!
    Move-assigns \a other and returns a reference to this.
*/
RedisShardedAdapterOptions &
RedisShardedAdapterOptions::operator=(RedisShardedAdapterOptions &&other) noexcept = default;

/*!
    Destroys the options.
*/
RedisShardedAdapterOptions::~RedisShardedAdapterOptions() = default;

/*!
    \var RedisShardedAdapterOptions::channelPrefix
    The prefix of every channel, "socket.io" by default: a namespace's channel is
    `<channelPrefix>#<nsp>#`.
*/

/*!
    \var RedisShardedAdapterOptions::subscriptionMode
    Which room channels a server subscribes to; SubscriptionMode::Dynamic by default.
*/

RedisShardedAdapter::RedisShardedAdapter(Namespace *nsp, Redis::Connection *pub,
                                         Redis::Connection *sub,
                                         const RedisShardedAdapterOptions &options,
                                         Redis::ClusterClient *shards)
    : RedisClusterAdapter(nsp, clusterRandomId())
    , m_pub(pub)
    , m_sub(sub)
    , m_shards(shards)
    , m_options(options)
{
    if (m_options.subscriptionMode != RedisShardedAdapterOptions::SubscriptionMode::Static) {
        connect(this, &Adapter::roomCreated, this, &RedisShardedAdapter::subscribeRoom);
        connect(this, &Adapter::roomDeleted, this, [this](const QString &room) {
            if (m_roomChannels.remove(room))
                sunsubscribe(roomChannel(room));
        });
    }
    // The namespace's path is known once the namespace installed the adapter.
    QMetaObject::invokeMethod(this, &RedisShardedAdapter::start, Qt::QueuedConnection);
}

RedisShardedAdapter::~RedisShardedAdapter()
{
    if (m_channel.isEmpty())
        return;
    sunsubscribe(m_channel);
    sunsubscribe(m_responseChannel);
    for (const QString &room : std::as_const(m_roomChannels))
        sunsubscribe(roomChannel(room));
}

void RedisShardedAdapter::ssubscribe(const QByteArray &channel)
{
    auto handler = [this](const QByteArray &, const QByteArray &m) { onRaw(m); };
    if (m_shards)
        m_shards->ssubscribe(channel, std::move(handler));
    else if (m_sub)
        m_sub->ssubscribe(channel, std::move(handler));
}

void RedisShardedAdapter::sunsubscribe(const QByteArray &channel)
{
    if (m_shards)
        m_shards->sunsubscribe(channel);
    else if (m_sub)
        m_sub->sunsubscribe(channel);
}

void RedisShardedAdapter::start()
{
    if ((!m_sub && !m_shards) || !emitter())
        return;
    m_channel = m_options.channelPrefix.toUtf8() + '#' + emitter()->path().toUtf8() + '#';
    m_responseChannel = m_channel + uid().toUtf8() + '#';
    ssubscribe(m_channel);
    ssubscribe(m_responseChannel);
    // Rooms made before now (none, unless sockets were added by hand).
    const QHash<QString, QSet<QString>> existing = rooms();
    for (auto it = existing.cbegin(); it != existing.cend(); ++it)
        subscribeRoom(it.key());
    fetchServerCount({});
}

void RedisShardedAdapter::subscribeRoom(const QString &room)
{
    if (m_channel.isEmpty() || m_roomChannels.contains(room) || !separateChannel(room))
        return;
    m_roomChannels.insert(room);
    ssubscribe(roomChannel(room));
}

bool RedisShardedAdapter::separateChannel(const QString &room) const
{
    switch (m_options.subscriptionMode) {
    case RedisShardedAdapterOptions::SubscriptionMode::Dynamic:
        return socketRooms(room).isEmpty(); // a public room: not a socket's own
    case RedisShardedAdapterOptions::SubscriptionMode::DynamicPrivate:
        return true;
    case RedisShardedAdapterOptions::SubscriptionMode::Static:
        break;
    }
    return false;
}

QByteArray RedisShardedAdapter::roomChannel(const QString &room) const
{
    return m_channel + room.toUtf8() + '#';
}

QByteArray RedisShardedAdapter::channelFor(const ClusterMessage &m) const
{
    // A broadcast that waits for client acks counts on every server answering, so it never
    // goes to a room channel.
    using Mode = RedisShardedAdapterOptions::SubscriptionMode;
    if (m.type == ClusterMessage::Type::Broadcast && m.requestId.isEmpty()) {
        const QSet<QString> rooms = m.options.rooms();
        if (rooms.size() == 1) {
            const QString &room = *rooms.cbegin();
            if ((m_options.subscriptionMode == Mode::Dynamic && !looksLikeASocketId(room)) ||
                m_options.subscriptionMode == Mode::DynamicPrivate)
                return roomChannel(room);
        }
    }
    return m_channel;
}

QByteArray RedisShardedAdapter::encode(const ClusterMessage &m)
{
    const QVariantMap envelope = clusterEnvelope(m);
    if (mayCarryBinary(m.type) && hasBinary(envelope.value(QStringLiteral("data"))))
        return MsgPack::encode(envelope);
    return Json::stringify(envelope);
}

void RedisShardedAdapter::send(const QByteArray &channel, const QByteArray &payload)
{
    if (channel.isEmpty())
        return;
    // While Redis is down this fails at once, and the cluster reports it (a signal, a count,
    // a warning); nothing is kept for later.
    if (m_shards)
        m_shards->spublish(channel, payload);
    else if (m_pub)
        m_pub->spublish(channel, payload);
}

void RedisShardedAdapter::doPublish(const ClusterMessage &m,
                                    std::function<void(const QString &)> done)
{
    send(channelFor(m), encode(m));
    // This server's clients get a broadcast even when the others could not, as with the
    // classic adapter (and Node's).
    done({});
}

void RedisShardedAdapter::doPublishResponse(const QString &requesterUid, const ClusterMessage &m)
{
    send(m_channel + requesterUid.toUtf8() + '#', encode(m));
}

void RedisShardedAdapter::fetchServerCount(std::function<void(int)> done)
{
    countServers(m_pub, m_channel, true, std::move(done), m_shards);
}

void RedisShardedAdapter::onRaw(const QByteArray &message)
{
    if (const std::optional<ClusterMessage> m = clusterMessageFromPayload(message))
        onMessage(*m);
    else
        qCDebug(lcRedisSharded) << "invalid message" << message.left(64);
}

} // namespace SocketIO
