// One connection to a Redis server: our own QTcpSocket (a QSslSocket with TLS) carries the
// bytes, hiredis's reader parses the replies (RESP2), formatCommand() encodes the commands.
// Commands with callbacks, answered in order; Pub/Sub (SUBSCRIBE, PSUBSCRIBE, and Redis 7's
// sharded SSUBSCRIBE) with message callbacks; AUTH; reconnection with backoff that subscribes
// again. Nothing here blocks: QAbstractSocket resolves host names asynchronously.
//
// hiredis 0.14's own asynchronous layer is not used: it asserts on "smessage" pushes, has no
// TLS, and queues commands while disconnected. Here a command issued while the connection is
// down fails at once.
#pragma once

#include "core/testable_p.h"

#include <QtCore/QByteArray>
#include <QtCore/QByteArrayView>
#include <QtCore/QHash>
#include <QtCore/QList>
#include <QtCore/QObject>
#include <QtCore/QTimer>
#include <QtNetwork/QSslConfiguration>

#include <deque>
#include <functional>
#include <memory>
#include <optional>

class QTcpSocket;

namespace SocketIO::Redis {

// A reply, copied out of hiredis's.
struct Reply
{
    enum class Type { Nil, Status, Error, Integer, String, Array };
    Type type = Type::Nil;
    QByteArray string; // Status, Error, String
    qint64 integer = 0;
    QList<Reply> elements;

    bool isError() const { return type == Type::Error; }
    static Reply error(const QByteArray &message) { return {Type::Error, message, 0, {}}; }
};

// The error text of a command issued while the connection is down.
inline constexpr char notConnectedError[] = "Redis is not connected";
// The error text of a command whose reply was lost with the connection (it may have run).
inline constexpr char connectionLostError[] = "connection to Redis lost";

// hiredis's RESP reader: bytes in, replies out, in order.
class SOCKETIO_TESTABLE ReplyReader
{
public:
    ReplyReader();
    ~ReplyReader();
    ReplyReader(const ReplyReader &) = delete;
    ReplyReader &operator=(const ReplyReader &) = delete;

    // False once the bytes broke the protocol (error() says how); the reader is then unusable
    // until reset().
    bool feed(QByteArrayView bytes);
    // The next complete reply, if one is there. Sets the error on a protocol error.
    std::optional<Reply> next();
    bool hasError() const { return !m_error.isEmpty(); }
    QByteArray error() const { return m_error; }
    void reset();

private:
    struct Free
    {
        void operator()(void *reader) const;
    };
    // Checks the header lines of the bytes before hiredis sees them: hiredis 0.14 allocates
    // an array of the announced size at once (and frees it element by element), so
    // "*300000000" would cost gigabytes and seconds. Bulk payloads are skipped, not scanned.
    // Returns how many bytes may be fed: up to the start of a refused header, whose reason
    // goes to m_refused.
    qsizetype screen(QByteArrayView bytes);
    // Applies one complete header line (without its "\n"); false when it is refused.
    bool screenLine(QByteArrayView line);

    std::unique_ptr<void, Free> m_reader; // redisReader
    QByteArray m_error;
    // Why a header was refused: the error once the replies before it have been taken.
    QByteArray m_refused;
    // The start of a header line split across reads: its type and number fit in 32 bytes.
    QByteArray m_line;
    qsizetype m_lineStart = 0; // where that line started in the bytes of this feed
    qint64 m_skip = 0;         // bulk payload bytes (and their CRLF) still to come
};

// The most elements an array reply may announce, and the longest bulk string (Redis's own
// proto-max-bulk-len); more is a protocol error.
constexpr qint64 maxArrayElements = 1 << 20;
constexpr qint64 maxBulkLength = qint64(512) << 20;

// RESP for one command: the bytes hiredis's redisFormatCommandArgv writes.
SOCKETIO_TESTABLE QByteArray formatCommand(const QList<QByteArray> &args);

struct ConnectionOptions
{
    QString host = QStringLiteral("127.0.0.1");
    quint16 port = 6379;
    QString username; // ACL user (Redis 6); empty: AUTH with the password only
    QString password; // empty: no AUTH
    bool tls = false;
    QSslConfiguration sslConfiguration = QSslConfiguration::defaultConfiguration();
    int reconnectMinMs = 50;
    int reconnectMaxMs = 2000;
    // Connecting (TCP, TLS, AUTH, subscriptions confirmed) gives up after this long and tries
    // again: an unreachable address fails within it.
    int connectTimeoutMs = 5000;
    // A master of a Redis Cluster whose owner follows redirections: a subscription refused
    // with MOVED or ASK is only subscriptionRefused(), not a failure to report.
    bool clusterNode = false;
};

class SOCKETIO_TESTABLE Connection : public QObject
{
    Q_OBJECT
public:
    using Callback = std::function<void(const Reply &reply)>;
    using MessageCallback =
        std::function<void(const QByteArray &channel, const QByteArray &message)>;

    explicit Connection(const ConnectionOptions &options, QObject *parent = nullptr);
    ~Connection() override;

    // Starts connecting; reconnects by itself until destroyed.
    void open();
    bool isConnected() const { return m_ready; }
    const ConnectionOptions &options() const { return m_options; }
    // How many times an established connection was lost.
    int outageCount() const { return m_outages; }
    // Commands that failed because the connection was down, or was lost before their reply.
    qint64 failedCount() const { return m_failed; }

    // `done` gets the reply. While the connection is down, `done` gets the error reply
    // notConnectedError before command() returns: nothing is queued. When the connection is
    // lost before the reply, `done` gets connectionLostError (the command may have run).
    // Callbacks still pending when the connection is destroyed are dropped uncalled.
    void command(const QList<QByteArray> &args, Callback done = {});
    // PUBLISH, as command(); a failure is also reported by publishFailed(), so that a
    // publisher needs no callback per message.
    void publish(const QByteArray &channel, const QByteArray &message, Callback done = {});
    // SPUBLISH (Redis 7): to the subscribers of a shard channel.
    void spublish(const QByteArray &channel, const QByteArray &message, Callback done = {});
    // Message callbacks stay until unsubscribed, across reconnections. One callback per
    // channel (or pattern); a second subscribe replaces it. A connection with subscriptions
    // is in Redis's subscribe mode: give ordinary commands their own connection.
    void subscribe(const QByteArray &channel, MessageCallback callback);
    void psubscribe(const QByteArray &pattern, MessageCallback callback);
    // SSUBSCRIBE (Redis 7, sharded Pub/Sub): "smessage" pushes.
    void ssubscribe(const QByteArray &channel, MessageCallback callback);
    void unsubscribe(const QByteArray &channel);
    void punsubscribe(const QByteArray &pattern);
    void sunsubscribe(const QByteArray &channel);

    // For the fuzzer: handles `bytes` as if they had been read from Redis just now, by a
    // fresh reader, on a connection subscribed to what it holds.
    void receiveForTesting(QByteArrayView bytes);

Q_SIGNALS:
    // Ready: connected, authenticated, and subscribed again (Redis confirmed each).
    void connected();
    // An established connection was lost (an outage starts); reconnection is under way.
    void disconnected(const QString &reason);
    void errorOccurred(const QString &message);
    // A PUBLISH or SPUBLISH to `channel` failed with `error`: the connection was down, or was
    // lost before the reply (the message may have gone out), or Redis refused it.
    void publishFailed(const QByteArray &channel, const QByteArray &error);
    // Redis refused a subscription with `error` (an ACL without the channel; in a Redis
    // Cluster, "MOVED <slot> <host>:<port>" for a shard channel of another master's slot).
    void subscriptionRefused(const QByteArray &error);
    // Redis ended the subscription to a shard channel by itself (in a Redis Cluster, when
    // the channel's slot moved to another master); the connection forgot it.
    void shardChannelDropped(const QByteArray &channel);

private:
    enum class Kind { Channel, Pattern, Shard };
    // A command written, awaiting its reply.
    struct Pending
    {
        Callback done;      // may be empty
        QByteArray channel; // a publication's, for publishFailed(); null for other commands
    };
    struct Subscriptions
    {
        QHash<QByteArray, MessageCallback> channels;
        QHash<QByteArray, MessageCallback> patterns;
        QHash<QByteArray, MessageCallback> shards;
    };

    void startConnecting();
    void onSocketConnected();
    void onReadyRead();
    void receive(QByteArrayView bytes);
    void handle(const Reply &reply);
    bool handlePush(const Reply &reply);
    void authenticated();
    void becomeReady();
    void lost(const QString &reason);
    void fail(const QString &message);
    void scheduleReconnect();
    void write(const QList<QByteArray> &args);
    void send(const QList<QByteArray> &args, Callback done);
    void issue(const QList<QByteArray> &args, Pending pending);
    void answer(const Pending &pending, const Reply &reply);
    void sendSubscribe(Kind kind, const QList<QByteArray> &names);
    void addSubscription(Kind kind, const QByteArray &name, MessageCallback callback);
    void removeSubscription(Kind kind, const QByteArray &name);
    QHash<QByteArray, MessageCallback> &subscriptions(Kind kind);
    bool hasSubscriptions() const;

    const ConnectionOptions m_options;
    QTcpSocket *m_socket = nullptr;
    ReplyReader m_reader;
    QTimer m_retry;
    QTimer m_connectTimeout;
    int m_attempt = 0;
    bool m_ready = false;
    bool m_everConnected = false;
    bool m_reportedFailure = false; // AUTH or TLS failure warned once until a connection succeeds
    bool m_authenticated = false;   // subscriptions can be sent
    bool m_subscribeMode = false;   // Redis treats this connection as a subscriber
    int m_unconfirmed = 0;          // subscriptions sent again, not yet confirmed
    int m_unsubscribing = 0;        // unsubscriptions sent, not yet confirmed
    // SUNSUBSCRIBE sent per shard channel, not yet confirmed: a "sunsubscribe" push for a
    // channel without one is Redis dropping the subscription.
    QHash<QByteArray, int> m_shardUnsubscribing;
    int m_outages = 0;
    qint64 m_failed = 0;
    std::deque<Pending> m_pending; // one per command written, in order
    Subscriptions m_subscriptions;
};

} // namespace SocketIO::Redis
