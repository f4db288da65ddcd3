// A Redis Cluster as the sharded adapter needs it: the topology (CLUSTER SLOTS) read from a
// seed node, one pair of connections (commands, subscriptions) per master, and each key or
// shard channel routed to the master owning its slot. MOVED and ASK redirections, a refused
// SSUBSCRIBE and a subscription Redis drops after resharding refresh the topology; commands
// are sent again and subscriptions moved to the new owner.
//
// Outages are those of the node connections: a command for a master that is down fails at
// once, as on Connection, and nothing is queued.
#pragma once

#include "redis/redisconnection_p.h"

#include <QtCore/QHash>
#include <QtCore/QList>
#include <QtCore/QObject>
#include <QtCore/QPointer>
#include <QtCore/QTimer>

#include <functional>
#include <optional>
#include <vector>

namespace SocketIO::Redis {

inline constexpr int clusterSlotCount = 16384;

// The slot of a key (or shard channel): CRC16-XMODEM of the key, or of the part between the
// first '{' and the next '}' when that part is not empty, modulo 16384.
SOCKETIO_TESTABLE int keySlot(QByteArrayView key);

// The masters of a CLUSTER SLOTS reply: each range of slots with its master's address.
struct SlotRange
{
    int first = 0;
    int last = 0;
    QString host;
    quint16 port = 0;
};
// Empty when `reply` is not a CLUSTER SLOTS reply (or names no master); ranges outside
// 0..16383 or with an empty host are left out.
SOCKETIO_TESTABLE QList<SlotRange> parseClusterSlots(const Reply &reply);

// "-MOVED <slot> <host>:<port>" or "-ASK <slot> <host>:<port>".
struct Redirect
{
    bool ask = false;
    int slot = 0;
    QString host;
    quint16 port = 0;
};
SOCKETIO_TESTABLE std::optional<Redirect> parseRedirect(QByteArrayView error);

class SOCKETIO_TESTABLE ClusterClient : public QObject
{
    Q_OBJECT
public:
    // `seed`: a command connection to the first node to ask (not owned, opened by its owner),
    // whose options (AUTH, TLS, timing) every node connection takes.
    explicit ClusterClient(Connection *seed, QObject *parent = nullptr);
    ~ClusterClient() override;

    // The topology is known and every master's connections are ready.
    bool isConnected() const { return m_up; }
    int outageCount() const;
    qint64 failedCount() const;
    // "host:port" of the master owning `key`'s slot; empty while unknown.
    QString masterFor(QByteArrayView key) const;
    QStringList masters() const { return m_masters; }

    // On the master owning `key`'s slot; one redirection (MOVED after a topology refresh,
    // ASK at once) is followed, up to three times. Fails at once as Connection::command()
    // does when that master is unknown or down.
    void command(const QByteArray &key, const QList<QByteArray> &args,
                 Connection::Callback done = {});
    // `args` once on every master (no redirection), as Node's adapters count the subscribers
    // of a classic channel: `done` gets the replies once all arrived, in no particular order
    // (none when no master is known); a master that is down answers an error at once.
    void commandOnMasters(const QList<QByteArray> &args,
                          std::function<void(const QList<Reply> &replies)> done);
    // The command connection of the master owning `key`'s slot, for commands that must share
    // one connection (MULTI ... EXEC); null while unknown.
    Connection *connectionFor(QByteArrayView key) const;
    // SPUBLISH, as command(); a failure is reported by publishFailed().
    void spublish(const QByteArray &channel, const QByteArray &message);
    void ssubscribe(const QByteArray &channel, Connection::MessageCallback callback);
    void sunsubscribe(const QByteArray &channel);
    // Reads CLUSTER SLOTS again (at most one request at a time).
    void refreshTopology();

Q_SIGNALS:
    void connected();
    void disconnected(const QString &reason);
    void errorOccurred(const QString &message);
    // A CLUSTER SLOTS reply was applied (the masters may be the same).
    void topologyRefreshed();
    // An SPUBLISH to `channel` failed with `error`, redirections followed.
    void publishFailed(const QByteArray &channel, const QByteArray &error);

private:
    struct Node
    {
        Connection *pub = nullptr;
        Connection *sub = nullptr;
    };
    struct Subscription
    {
        Connection::MessageCallback callback;
        QString master;     // where it is subscribed; empty: nowhere yet
        bool stale = false; // refused or dropped: subscribe again
    };

    Node *nodeFor(QByteArrayView key) const;
    Connection *newConnection(const QString &host, quint16 port);
    void askFor(Connection *connection);
    void apply(const QList<SlotRange> &ranges);
    void place(const QByteArray &channel, Subscription &subscription);
    void markStale(int slot);
    void updateState(const QString &reason = {});
    void route(const QByteArray &key, const QList<QByteArray> &args, Connection::Callback done,
               int redirects);

    void sendTo(Connection *connection, const QByteArray &key, const QList<QByteArray> &args,
                Connection::Callback done, int redirects);
    void runAfterRefresh();

    QPointer<Connection> m_seed; // asked while no master answers
    const ConnectionOptions m_seedOptions;
    QHash<QString, Node> m_nodes; // by "host:port"
    QStringList m_masters;        // the keys of m_nodes, indexed by m_slots
    std::vector<qint16> m_slots;  // master index per slot, -1 unknown
    QHash<QByteArray, Subscription> m_subscriptions;
    bool m_refreshing = false;
    bool m_refreshAgain = false;
    bool m_up = false;
    QTimer m_retry;                                    // a failed refresh, again
    std::vector<std::function<void()>> m_afterRefresh; // commands redirected by MOVED
    int m_pastOutages = 0;                             // of the connections of former masters
    qint64 m_pastFailed = 0;
    qint64 m_unroutable = 0; // commands failed for want of a master
};

} // namespace SocketIO::Redis
