// Redis streams and keys over Connection::command(), for the streams adapter: XADD with an
// approximate MAXLEN, XRANGE, SET with PX, a get-and-delete in MULTI/EXEC (GETDEL needs Redis
// 6.2), stream ids, and StreamReader, the XREAD BLOCK loop on a connection of its own.
#pragma once

#include "core/testable_p.h"
#include "redis/redisconnection_p.h"

#include <QtCore/QByteArray>
#include <QtCore/QList>
#include <QtCore/QObject>
#include <QtCore/QPair>
#include <QtCore/QPointer>
#include <QtCore/QTimer>

#include <functional>
#include <optional>

namespace SocketIO::Redis {

class ClusterClient;

// Where the stream and key commands below go: one connection, or in cluster mode the master
// owning the key's slot (ClusterClient::command(), redirections followed).
struct SOCKETIO_TESTABLE CommandTarget
{
    CommandTarget(Connection *connection)
        : connection(connection)
    {}
    CommandTarget(ClusterClient *cluster)
        : cluster(cluster)
    {}
    explicit operator bool() const { return connection || cluster; }
    void command(const QByteArray &key, const QList<QByteArray> &args,
                 Connection::Callback done) const;

    Connection *connection = nullptr;
    ClusterClient *cluster = nullptr;
};

struct SOCKETIO_TESTABLE StreamEntry
{
    QByteArray id; // "<ms>-<seq>"
    QList<QPair<QByteArray, QByteArray>> fields;

    // The value of the first field named `name`, or a null QByteArray.
    QByteArray field(QByteArrayView name) const;
};

// The entries of an XRANGE reply ([[id, [field, value, ...]], ...]); malformed ones are skipped.
SOCKETIO_TESTABLE QList<StreamEntry> streamEntries(const Reply &reply);
// The entries of an XREAD reply for one stream ([[stream, entries]]); none for a nil reply.
SOCKETIO_TESTABLE QList<StreamEntry> xreadEntries(const Reply &reply);

// Whether `id` is a complete stream id "<digits>-<digits>".
SOCKETIO_TESTABLE bool isStreamId(QByteArrayView id);
// The id right after `id` ("<ms>-<seq+1>"): an exclusive XRANGE start that Redis before 6.2
// understands too. `id` must be a stream id.
SOCKETIO_TESTABLE QByteArray nextStreamId(QByteArrayView id);

// XADD <stream> MAXLEN ~ <maxLen> * <field> <value>...; `done` gets the new entry's id, or an
// empty id and the error.
SOCKETIO_TESTABLE void
xadd(CommandTarget target, const QByteArray &stream, int maxLen,
     const QList<QPair<QByteArray, QByteArray>> &fields,
     std::function<void(const QByteArray &id, const QByteArray &error)> done);
// XRANGE <stream> <start> <end> [COUNT <count>] (count 0: no COUNT).
SOCKETIO_TESTABLE void
xrange(CommandTarget target, const QByteArray &stream, const QByteArray &start,
       const QByteArray &end, int count,
       std::function<void(const QList<StreamEntry> &entries, const QByteArray &error)> done);
// SET <key> <value> PX <ms>.
SOCKETIO_TESTABLE void setPx(CommandTarget target, const QByteArray &key, const QByteArray &value,
                             qint64 ms, std::function<void(const QByteArray &error)> done = {});
// MULTI, GET <key>, DEL <key>, EXEC: the value (nullopt when there was none) and the key is
// gone, atomically. In cluster mode on the connection of the master owning the key, not
// redirected: a transaction that failed for a moved slot fails (and the topology is read again).
SOCKETIO_TESTABLE void
getDel(CommandTarget target, const QByteArray &key,
       std::function<void(const std::optional<QByteArray> &value, const QByteArray &error)> done);

// Reads a stream as it grows: XREAD BLOCK <blockTimeMs> COUNT <readCount> STREAMS <stream>
// <lastId>, again and again, on its own connection (a blocked XREAD holds it). It starts at
// the stream's last entry when the connection first came up (XREVRANGE + - COUNT 1, "0-0"
// when the stream is empty), or after `startId` when given: the reference's `$` would miss
// what is added between two XREADs that timed out. After an outage it goes on from the last
// entry it saw. In cluster mode it is on the master owning the stream, and readFailed() tells
// when it may have moved.
class SOCKETIO_TESTABLE StreamReader : public QObject
{
    Q_OBJECT
public:
    using EntryCallback = std::function<void(const StreamEntry &entry)>;

    StreamReader(const ConnectionOptions &options, const QByteArray &stream, int readCount,
                 int blockTimeMs, EntryCallback onEntry, QObject *parent = nullptr,
                 const QByteArray &startId = {});
    ~StreamReader() override;

    QByteArray stream() const { return m_stream; }
    // True once the start position is known: every entry added since is read.
    bool isStarted() const { return !m_lastId.isEmpty(); }
    QByteArray lastId() const { return m_lastId; }
    Connection *connection() const { return m_connection; }

Q_SIGNALS:
    void started();
    // XREVRANGE or XREAD answered `error` (a MOVED one after resharding); it tries again.
    void readFailed(const QByteArray &error);

private:
    void begin();
    void read();
    void retry();

    Connection *const m_connection;
    const QByteArray m_stream;
    const int m_readCount;
    const int m_blockTimeMs;
    const EntryCallback m_onEntry;
    QByteArray m_lastId;
    bool m_busy = false; // a command is out
    QTimer m_retry;
};

} // namespace SocketIO::Redis
