#include "redis/rediscluster_p.h"

#include <QtCore/QLoggingCategory>

#include <algorithm>
#include <array>
#include <memory>
#include <utility>

Q_LOGGING_CATEGORY(lcRedisCluster, "socketio.redis.cluster")

namespace SocketIO::Redis {

namespace {

// CRC16-XMODEM (polynomial 0x1021, initial value 0), a byte at a time.
constexpr std::array<quint16, 256> makeCrcTable()
{
    std::array<quint16, 256> table{};
    for (int byte = 0; byte < 256; ++byte) {
        quint16 crc = quint16(byte << 8);
        for (int bit = 0; bit < 8; ++bit)
            crc = quint16((crc & 0x8000) ? (crc << 1) ^ 0x1021 : crc << 1);
        table[size_t(byte)] = crc;
    }
    return table;
}

constexpr std::array<quint16, 256> crcTable = makeCrcTable();

quint16 crc16(QByteArrayView bytes)
{
    quint16 crc = 0;
    for (const char c : bytes)
        crc = quint16((crc << 8) ^ crcTable[((crc >> 8) ^ quint8(c)) & 0xff]);
    return crc;
}

QString address(const QString &host, quint16 port)
{
    return host + u':' + QString::number(port);
}

} // namespace

int keySlot(QByteArrayView key)
{
    const char *begin = key.data();
    const char *end = begin + key.size();
    const char *open = std::find(begin, end, '{');
    if (open != end) {
        const char *close = std::find(open + 1, end, '}');
        if (close != end && close != open + 1)
            key = QByteArrayView(open + 1, close);
    }
    return crc16(key) % clusterSlotCount;
}

QList<SlotRange> parseClusterSlots(const Reply &reply)
{
    QList<SlotRange> ranges;
    if (reply.type != Reply::Type::Array)
        return ranges;
    for (const Reply &entry : reply.elements) {
        // [first, last, [host, port, id, ...], replicas...]
        if (entry.type != Reply::Type::Array || entry.elements.size() < 3)
            continue;
        const Reply &first = entry.elements.at(0);
        const Reply &last = entry.elements.at(1);
        const Reply &master = entry.elements.at(2);
        if (first.type != Reply::Type::Integer || last.type != Reply::Type::Integer ||
            master.type != Reply::Type::Array || master.elements.size() < 2 ||
            master.elements.at(1).type != Reply::Type::Integer)
            continue;
        if (first.integer < 0 || last.integer >= clusterSlotCount || first.integer > last.integer)
            continue;
        const qint64 port = master.elements.at(1).integer;
        if (port <= 0 || port > 65535)
            continue;
        // An empty host is the node that answered (the caller fills it in); "?" is unknown.
        const QString host = QString::fromUtf8(master.elements.at(0).string);
        if (host == u"?")
            continue;
        ranges.append({int(first.integer), int(last.integer), host, quint16(port)});
    }
    return ranges;
}

std::optional<Redirect> parseRedirect(QByteArrayView error)
{
    Redirect redirect;
    if (error.startsWith("MOVED ")) {
        error = error.sliced(6);
    } else if (error.startsWith("ASK ")) {
        redirect.ask = true;
        error = error.sliced(4);
    } else {
        return std::nullopt;
    }
    const char *begin = error.data();
    const char *end = begin + error.size();
    const char *space = std::find(begin, end, ' ');
    if (space == end)
        return std::nullopt;
    bool ok = false;
    redirect.slot = QByteArrayView(begin, space).toInt(&ok);
    if (!ok || redirect.slot < 0 || redirect.slot >= clusterSlotCount)
        return std::nullopt;
    const QByteArrayView endpoint(space + 1, end);
    const qsizetype colon = endpoint.lastIndexOf(QByteArrayView(":"));
    if (colon <= 0)
        return std::nullopt;
    const uint port = endpoint.sliced(colon + 1).toUInt(&ok);
    if (!ok || port == 0 || port > 65535)
        return std::nullopt;
    redirect.host = QString::fromUtf8(endpoint.first(colon));
    redirect.port = quint16(port);
    return redirect;
}

ClusterClient::ClusterClient(Connection *seed, QObject *parent)
    : QObject(parent)
    , m_seed(seed)
    , m_seedOptions(seed->options())
    , m_slots(size_t(clusterSlotCount), qint16(-1))
{
    m_retry.setSingleShot(true);
    m_retry.setInterval(200);
    connect(&m_retry, &QTimer::timeout, this, &ClusterClient::refreshTopology);
    connect(seed, &Connection::connected, this, [this] {
        if (m_masters.isEmpty())
            refreshTopology();
    });
    if (seed->isConnected())
        QMetaObject::invokeMethod(this, &ClusterClient::refreshTopology, Qt::QueuedConnection);
}

ClusterClient::~ClusterClient()
{
    // The connections go first: their callbacks point here.
    for (const Node &node : std::as_const(m_nodes)) {
        delete node.pub;
        delete node.sub;
    }
}

int ClusterClient::outageCount() const
{
    int count = m_pastOutages;
    for (const Node &node : m_nodes)
        count += node.pub->outageCount() + node.sub->outageCount();
    return count;
}

qint64 ClusterClient::failedCount() const
{
    qint64 count = m_pastFailed + m_unroutable;
    for (const Node &node : m_nodes)
        count += node.pub->failedCount() + node.sub->failedCount();
    return count;
}

QString ClusterClient::masterFor(QByteArrayView key) const
{
    const qint16 index = m_slots[size_t(keySlot(key))];
    return index < 0 ? QString() : m_masters.at(index);
}

ClusterClient::Node *ClusterClient::nodeFor(QByteArrayView key) const
{
    const qint16 index = m_slots[size_t(keySlot(key))];
    if (index < 0)
        return nullptr;
    const auto it = m_nodes.constFind(m_masters.at(index));
    return it == m_nodes.cend() ? nullptr : const_cast<Node *>(&it.value());
}

Connection *ClusterClient::newConnection(const QString &host, quint16 port)
{
    ConnectionOptions options = m_seedOptions;
    options.host = host;
    options.port = port;
    options.clusterNode = true;
    auto *connection = new Connection(options, this);
    connect(connection, &Connection::connected, this, [this] { updateState(); });
    connect(connection, &Connection::disconnected, this, [this](const QString &reason) {
        updateState(reason);
        refreshTopology(); // a failover may have moved its slots
    });
    connect(connection, &Connection::errorOccurred, this, &ClusterClient::errorOccurred);
    return connection;
}

void ClusterClient::refreshTopology()
{
    if (m_refreshing) {
        m_refreshAgain = true;
        return;
    }
    Connection *asked = nullptr;
    for (const QString &master : std::as_const(m_masters)) {
        const Node node = m_nodes.value(master);
        if (node.pub && node.pub->isConnected()) {
            asked = node.pub;
            break;
        }
    }
    if (!asked && m_seed && m_seed->isConnected())
        asked = m_seed;
    if (!asked) {
        // Nobody to ask now; redirected commands fail rather than wait.
        runAfterRefresh();
        m_retry.start();
        return;
    }
    askFor(asked);
}

void ClusterClient::askFor(Connection *connection)
{
    m_refreshing = true;
    const QString host = connection->options().host;
    connection->command({QByteArrayLiteral("CLUSTER"), QByteArrayLiteral("SLOTS")},
                        [this, host](const Reply &reply) {
                            m_refreshing = false;
                            QList<SlotRange> ranges = parseClusterSlots(reply);
                            if (ranges.isEmpty()) {
                                if (reply.string != connectionLostError &&
                                    reply.string != notConnectedError)
                                    Q_EMIT errorOccurred(QStringLiteral("CLUSTER SLOTS: ") +
                                                         QString::fromUtf8(reply.string));
                                runAfterRefresh();
                                m_retry.start();
                            } else {
                                for (SlotRange &range : ranges) {
                                    if (range.host.isEmpty())
                                        range.host = host;
                                }
                                apply(ranges);
                            }
                            if (std::exchange(m_refreshAgain, false))
                                refreshTopology();
                        });
}

void ClusterClient::apply(const QList<SlotRange> &ranges)
{
    QStringList masters;
    std::vector<qint16> slots(size_t(clusterSlotCount), qint16(-1));
    int covered = 0;
    for (const SlotRange &range : ranges) {
        const QString key = address(range.host, range.port);
        qsizetype index = masters.indexOf(key);
        if (index < 0) {
            index = masters.size();
            masters.append(key);
            if (!m_nodes.contains(key)) {
                Node node{newConnection(range.host, range.port),
                          newConnection(range.host, range.port)};
                connect(node.sub, &Connection::subscriptionRefused, this,
                        [this](const QByteArray &error) {
                            if (const std::optional<Redirect> r = parseRedirect(error)) {
                                markStale(r->slot);
                                refreshTopology();
                            }
                        });
                connect(node.sub, &Connection::shardChannelDropped, this,
                        [this](const QByteArray &channel) {
                            const auto it = m_subscriptions.find(channel);
                            if (it == m_subscriptions.end())
                                return;
                            it->stale = true;
                            refreshTopology();
                        });
                m_nodes.insert(key, node);
                node.pub->open();
                node.sub->open();
            }
        }
        for (int slot = range.first; slot <= range.last; ++slot) {
            if (slots[size_t(slot)] < 0)
                ++covered;
            slots[size_t(slot)] = qint16(index);
        }
    }
    if (masters != m_masters)
        qCInfo(lcRedisCluster).noquote()
            << "masters:" << masters.join(QStringLiteral(", ")) << "slots covered:" << covered;
    m_masters = masters;
    m_slots = std::move(slots);
    for (auto it = m_subscriptions.begin(); it != m_subscriptions.end(); ++it)
        place(it.key(), it.value());
    // The former masters go, with what Redis held for them there.
    for (auto it = m_nodes.begin(); it != m_nodes.end();) {
        if (masters.contains(it.key())) {
            ++it;
            continue;
        }
        for (Connection *connection : {it->pub, it->sub}) {
            m_pastOutages += connection->outageCount();
            m_pastFailed += connection->failedCount();
            connection->disconnect(this);
            connection->deleteLater(); // perhaps inside its own callback
        }
        it = m_nodes.erase(it);
    }
    if (covered < clusterSlotCount)
        m_retry.start(); // a cluster being formed or resharded: look again
    updateState(QStringLiteral("slots not covered"));
    Q_EMIT topologyRefreshed();
    runAfterRefresh();
}

void ClusterClient::runAfterRefresh()
{
    const std::vector<std::function<void()>> waiting = std::exchange(m_afterRefresh, {});
    for (const std::function<void()> &f : waiting)
        f();
}

void ClusterClient::markStale(int slot)
{
    for (auto it = m_subscriptions.begin(); it != m_subscriptions.end(); ++it) {
        if (keySlot(it.key()) == slot)
            it->stale = true;
    }
}

void ClusterClient::place(const QByteArray &channel, Subscription &subscription)
{
    const QString owner = masterFor(channel);
    if (owner.isEmpty() || (owner == subscription.master && !subscription.stale))
        return;
    if (!subscription.master.isEmpty()) {
        const auto old = m_nodes.constFind(subscription.master);
        if (old != m_nodes.cend())
            old->sub->sunsubscribe(channel);
    }
    m_nodes.value(owner).sub->ssubscribe(channel, subscription.callback);
    subscription.master = owner;
    subscription.stale = false;
}

void ClusterClient::updateState(const QString &reason)
{
    bool up = !m_masters.isEmpty() &&
              std::find(m_slots.cbegin(), m_slots.cend(), qint16(-1)) == m_slots.cend();
    for (auto it = m_nodes.cbegin(); up && it != m_nodes.cend(); ++it)
        up = it->pub->isConnected() && it->sub->isConnected();
    if (up == m_up)
        return;
    m_up = up;
    if (up)
        Q_EMIT connected();
    else
        Q_EMIT disconnected(reason);
}

void ClusterClient::command(const QByteArray &key, const QList<QByteArray> &args,
                            Connection::Callback done)
{
    route(key, args, std::move(done), 0);
}

void ClusterClient::commandOnMasters(const QList<QByteArray> &args,
                                     std::function<void(const QList<Reply> &)> done)
{
    struct Pending
    {
        qsizetype awaited = 0;
        QList<Reply> replies;
        std::function<void(const QList<Reply> &)> done;
    };
    auto pending = std::make_shared<Pending>();
    pending->awaited = m_masters.size();
    pending->done = std::move(done);
    if (pending->awaited == 0) {
        pending->done({});
        return;
    }
    pending->replies.reserve(pending->awaited);
    for (const QString &master : std::as_const(m_masters)) {
        m_nodes.value(master).pub->command(args, [pending](const Reply &reply) {
            pending->replies.append(reply);
            if (pending->replies.size() == pending->awaited)
                pending->done(pending->replies);
        });
    }
}

Connection *ClusterClient::connectionFor(QByteArrayView key) const
{
    const Node *node = nodeFor(key);
    return node ? node->pub : nullptr;
}

void ClusterClient::spublish(const QByteArray &channel, const QByteArray &message)
{
    auto done = [self = QPointer<ClusterClient>(this), channel](const Reply &reply) {
        if (reply.isError() && self)
            Q_EMIT self->publishFailed(channel, reply.string);
    };
    route(channel, {QByteArrayLiteral("SPUBLISH"), channel, message}, std::move(done), 0);
}

void ClusterClient::route(const QByteArray &key, const QList<QByteArray> &args,
                          Connection::Callback done, int redirects)
{
    Node *node = nodeFor(key);
    if (!node) {
        ++m_unroutable;
        if (done)
            done(Reply::error(QByteArrayLiteral(notConnectedError)));
        return;
    }
    sendTo(node->pub, key, args, std::move(done), redirects);
}

void ClusterClient::sendTo(Connection *connection, const QByteArray &key,
                           const QList<QByteArray> &args, Connection::Callback done, int redirects)
{
    connection->command(args, [this, key, args, done, redirects](const Reply &reply) {
        std::optional<Redirect> redirect;
        if (reply.isError() && redirects < 3)
            redirect = parseRedirect(reply.string);
        if (!redirect) {
            if (done)
                done(reply);
            return;
        }
        const auto target = m_nodes.constFind(address(redirect->host, redirect->port));
        if (redirect->ask && target != m_nodes.cend()) {
            // This one command, on the node importing the slot.
            target->pub->command({QByteArrayLiteral("ASKING")});
            sendTo(target->pub, key, args, done, redirects + 1);
            return;
        }
        // MOVED: the slot is the target's from now on; the whole map is read again.
        const qsizetype index = m_masters.indexOf(address(redirect->host, redirect->port));
        if (!redirect->ask && index >= 0) {
            m_slots[size_t(redirect->slot)] = qint16(index);
            refreshTopology();
            route(key, args, done, redirects + 1);
            return;
        }
        m_afterRefresh.push_back(
            [this, key, args, done, redirects] { route(key, args, done, redirects + 1); });
        refreshTopology();
    });
}

void ClusterClient::ssubscribe(const QByteArray &channel, Connection::MessageCallback callback)
{
    Subscription &subscription = m_subscriptions[channel];
    subscription.callback = std::move(callback);
    const auto node = m_nodes.constFind(subscription.master);
    if (!subscription.master.isEmpty() && !subscription.stale && node != m_nodes.cend()) {
        node->sub->ssubscribe(channel, subscription.callback); // replaces the callback
        return;
    }
    place(channel, subscription);
}

void ClusterClient::sunsubscribe(const QByteArray &channel)
{
    const auto it = m_subscriptions.constFind(channel);
    if (it == m_subscriptions.cend())
        return;
    const QString master = it->master;
    m_subscriptions.erase(it);
    const auto node = m_nodes.constFind(master);
    if (!master.isEmpty() && node != m_nodes.cend())
        node->sub->sunsubscribe(channel);
}

} // namespace SocketIO::Redis
