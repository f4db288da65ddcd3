#include "redis/redisstreams_p.h"

#include "redis/rediscluster_p.h"

#include <QtCore/QLoggingCategory>

#include <limits>

Q_DECLARE_LOGGING_CATEGORY(lcRedis)

namespace SocketIO::Redis {

namespace {

constexpr int retryDelayMs = 100;

std::optional<StreamEntry> entryFrom(const Reply &reply)
{
    if (reply.type != Reply::Type::Array || reply.elements.size() != 2 ||
        reply.elements.at(0).type != Reply::Type::String ||
        reply.elements.at(1).type != Reply::Type::Array) {
        return std::nullopt;
    }
    StreamEntry entry;
    entry.id = reply.elements.at(0).string;
    const QList<Reply> &values = reply.elements.at(1).elements;
    entry.fields.reserve(values.size() / 2);
    for (qsizetype i = 0; i + 1 < values.size(); i += 2)
        entry.fields.append({values.at(i).string, values.at(i + 1).string});
    return entry;
}

bool allDigits(QByteArrayView text)
{
    if (text.isEmpty())
        return false;
    for (char c : text) {
        if (c < '0' || c > '9')
            return false;
    }
    return true;
}

} // namespace

QByteArray StreamEntry::field(QByteArrayView name) const
{
    for (const auto &field : fields) {
        if (field.first == name)
            return field.second;
    }
    return {};
}

QList<StreamEntry> streamEntries(const Reply &reply)
{
    QList<StreamEntry> entries;
    if (reply.type != Reply::Type::Array)
        return entries;
    entries.reserve(reply.elements.size());
    for (const Reply &element : reply.elements) {
        if (std::optional<StreamEntry> entry = entryFrom(element))
            entries.append(std::move(*entry));
    }
    return entries;
}

QList<StreamEntry> xreadEntries(const Reply &reply)
{
    // [[stream, [entry, ...]]]: one stream was asked for.
    if (reply.type != Reply::Type::Array || reply.elements.isEmpty())
        return {};
    const Reply &stream = reply.elements.first();
    if (stream.type != Reply::Type::Array || stream.elements.size() != 2)
        return {};
    return streamEntries(stream.elements.at(1));
}

bool isStreamId(QByteArrayView id)
{
    const qsizetype dash = id.indexOf('-');
    return dash > 0 && allDigits(id.first(dash)) && allDigits(id.sliced(dash + 1));
}

QByteArray nextStreamId(QByteArrayView id)
{
    const qsizetype dash = id.indexOf('-');
    const QByteArrayView ms = id.first(dash);
    bool ok = false;
    const quint64 seq = id.sliced(dash + 1).toULongLong(&ok);
    if (ok && seq < std::numeric_limits<quint64>::max())
        return ms.toByteArray() + '-' + QByteArray::number(seq + 1);
    // The last sequence of a millisecond: the next millisecond's first.
    return QByteArray::number(ms.toULongLong() + 1) + "-0";
}

void CommandTarget::command(const QByteArray &key, const QList<QByteArray> &args,
                            Connection::Callback done) const
{
    if (cluster)
        cluster->command(key, args, std::move(done));
    else
        connection->command(args, std::move(done));
}

void xadd(CommandTarget target, const QByteArray &stream, int maxLen,
          const QList<QPair<QByteArray, QByteArray>> &fields,
          std::function<void(const QByteArray &id, const QByteArray &error)> done)
{
    QList<QByteArray> args{QByteArrayLiteral("XADD"),   stream,
                           QByteArrayLiteral("MAXLEN"), QByteArrayLiteral("~"),
                           QByteArray::number(maxLen),  QByteArrayLiteral("*")};
    args.reserve(args.size() + 2 * fields.size());
    for (const auto &field : fields)
        args << field.first << field.second;
    target.command(stream, args, [done = std::move(done)](const Reply &reply) {
        if (!done)
            return;
        if (reply.type != Reply::Type::String)
            done({}, reply.isError() ? reply.string : QByteArrayLiteral("unexpected reply"));
        else
            done(reply.string, {});
    });
}

void xrange(CommandTarget target, const QByteArray &stream, const QByteArray &start,
            const QByteArray &end, int count,
            std::function<void(const QList<StreamEntry> &entries, const QByteArray &error)> done)
{
    QList<QByteArray> args{QByteArrayLiteral("XRANGE"), stream, start, end};
    if (count > 0)
        args << QByteArrayLiteral("COUNT") << QByteArray::number(count);
    target.command(stream, args, [done = std::move(done)](const Reply &reply) {
        if (reply.isError())
            done({}, reply.string);
        else
            done(streamEntries(reply), {});
    });
}

void setPx(CommandTarget target, const QByteArray &key, const QByteArray &value, qint64 ms,
           std::function<void(const QByteArray &error)> done)
{
    target.command(
        key,
        {QByteArrayLiteral("SET"), key, value, QByteArrayLiteral("PX"), QByteArray::number(ms)},
        [done = std::move(done)](const Reply &reply) {
            if (done)
                done(reply.isError() ? reply.string : QByteArray());
        });
}

void getDel(
    CommandTarget target, const QByteArray &key,
    std::function<void(const std::optional<QByteArray> &value, const QByteArray &error)> done)
{
    Connection *connection = target.connection;
    QPointer<ClusterClient> cluster = target.cluster;
    if (cluster) {
        connection = cluster->connectionFor(key);
        if (!connection) {
            done(std::nullopt, QByteArrayLiteral(notConnectedError));
            return;
        }
    }
    // Issued back to back on this thread: nothing else can slip into the transaction.
    connection->command({QByteArrayLiteral("MULTI")});
    connection->command({QByteArrayLiteral("GET"), key});
    connection->command({QByteArrayLiteral("DEL"), key});
    connection->command({QByteArrayLiteral("EXEC")}, [done = std::move(done),
                                                      cluster](const Reply &reply) {
        // [value or nil, deleted count]; an error or nil when the transaction failed.
        if (reply.type != Reply::Type::Array || reply.elements.size() != 2) {
            if (cluster && reply.isError())
                cluster->refreshTopology(); // EXECABORT after a MOVED, perhaps
            done(std::nullopt,
                 reply.isError() ? reply.string : QByteArrayLiteral("transaction failed"));
            return;
        }
        const Reply &value = reply.elements.first();
        if (value.type == Reply::Type::String)
            done(value.string, {});
        else if (value.type == Reply::Type::Nil)
            done(std::nullopt, {});
        else
            done(std::nullopt, value.isError() ? value.string : QByteArrayLiteral("not a string"));
    });
}

StreamReader::StreamReader(const ConnectionOptions &options, const QByteArray &stream,
                           int readCount, int blockTimeMs, EntryCallback onEntry, QObject *parent,
                           const QByteArray &startId)
    : QObject(parent)
    , m_connection(new Connection(options, this))
    , m_stream(stream)
    , m_readCount(readCount)
    , m_blockTimeMs(blockTimeMs)
    , m_onEntry(std::move(onEntry))
    , m_lastId(startId)
{
    m_retry.setSingleShot(true);
    m_retry.setInterval(retryDelayMs);
    connect(&m_retry, &QTimer::timeout, this, [this] {
        if (!m_busy && m_connection->isConnected())
            isStarted() ? read() : begin();
    });
    // Up again after an outage: go on from the last entry seen.
    connect(m_connection, &Connection::connected, this, [this] {
        if (!m_busy)
            isStarted() ? read() : begin();
    });
    m_connection->open();
}

StreamReader::~StreamReader() = default;

void StreamReader::begin()
{
    m_busy = true;
    m_connection->command(
        {QByteArrayLiteral("XREVRANGE"), m_stream, QByteArrayLiteral("+"), QByteArrayLiteral("-"),
         QByteArrayLiteral("COUNT"), QByteArrayLiteral("1")},
        [self = QPointer<StreamReader>(this)](const Reply &reply) {
            if (!self)
                return;
            self->m_busy = false;
            if (reply.isError()) {
                Q_EMIT self->readFailed(reply.string);
                if (self)
                    self->retry();
                return;
            }
            const QList<StreamEntry> last = streamEntries(reply);
            self->m_lastId = last.isEmpty() ? QByteArrayLiteral("0-0") : last.first().id;
            Q_EMIT self->started();
            if (self)
                self->read();
        });
}

void StreamReader::read()
{
    m_busy = true;
    m_connection->command(
        {QByteArrayLiteral("XREAD"), QByteArrayLiteral("BLOCK"), QByteArray::number(m_blockTimeMs),
         QByteArrayLiteral("COUNT"), QByteArray::number(m_readCount), QByteArrayLiteral("STREAMS"),
         m_stream, m_lastId},
        [self = QPointer<StreamReader>(this)](const Reply &reply) {
            if (!self)
                return;
            self->m_busy = false;
            if (reply.isError()) {
                qCDebug(lcRedis) << "XREAD on" << self->m_stream << "failed:" << reply.string;
                Q_EMIT self->readFailed(reply.string);
                if (self)
                    self->retry();
                return;
            }
            // Nil when the block time passed without an entry.
            const QList<StreamEntry> entries = xreadEntries(reply);
            for (const StreamEntry &entry : entries) {
                self->m_lastId = entry.id;
                self->m_onEntry(entry);
                if (!self)
                    return;
            }
            self->read();
        });
}

void StreamReader::retry()
{
    // Down: the connected signal resumes. Up (an error reply): again shortly, not in a loop.
    if (m_connection->isConnected())
        m_retry.start();
}

} // namespace SocketIO::Redis
