#include "redis/redisconnection_p.h"

#include <QtCore/QLoggingCategory>
#include <QtCore/QPointer>
#include <QtNetwork/QSslSocket>
#include <QtNetwork/QTcpSocket>

#include <hiredis/hiredis.h>

#include <charconv>
#include <iterator>
#include <utility>

Q_LOGGING_CATEGORY(lcRedis, "socketio.redis")

namespace SocketIO::Redis {

namespace {

Reply convert(const redisReply *r)
{
    Reply out;
    switch (r->type) {
    case REDIS_REPLY_STRING:
        out.type = Reply::Type::String;
        out.string = QByteArray(r->str, qsizetype(r->len));
        break;
    case REDIS_REPLY_STATUS:
        out.type = Reply::Type::Status;
        out.string = QByteArray(r->str, qsizetype(r->len));
        break;
    case REDIS_REPLY_ERROR:
        out.type = Reply::Type::Error;
        out.string = QByteArray(r->str, qsizetype(r->len));
        break;
    case REDIS_REPLY_INTEGER:
        out.type = Reply::Type::Integer;
        out.integer = r->integer;
        break;
    case REDIS_REPLY_ARRAY:
        out.type = Reply::Type::Array;
        out.elements.reserve(qsizetype(r->elements));
        for (size_t i = 0; i < r->elements; ++i)
            out.elements.append(convert(r->element[i]));
        break;
    default:
        break;
    }
    return out;
}

const char *verb(bool subscribe, int kind)
{
    static constexpr const char *verbs[2][3] = {{"UNSUBSCRIBE", "PUNSUBSCRIBE", "SUNSUBSCRIBE"},
                                                {"SUBSCRIBE", "PSUBSCRIBE", "SSUBSCRIBE"}};
    return verbs[subscribe ? 1 : 0][kind];
}

} // namespace

void ReplyReader::Free::operator()(void *reader) const
{
    redisReaderFree(static_cast<redisReader *>(reader));
}

ReplyReader::ReplyReader()
    : m_reader(redisReaderCreate())
{}

ReplyReader::~ReplyReader() = default;

void ReplyReader::reset()
{
    m_reader.reset(redisReaderCreate());
    m_error.clear();
    m_refused.clear();
    m_line.clear();
    m_skip = 0;
}

bool ReplyReader::screenLine(QByteArrayView line)
{
    // "$<length>" or "*<count>", optionally "-1", then "\r"; hiredis refuses anything else.
    if (line.size() < 3 || (line.front() != '$' && line.front() != '*') || line.back() != '\r')
        return true;
    const QByteArrayView digits = line.sliced(1, line.size() - 2);
    qint64 value = 0;
    for (const char c : digits) {
        if (c < '0' || c > '9')
            return true; // "-1" (null), or malformed: hiredis's to judge
        value = value * 10 + (c - '0');
        if (value > maxBulkLength)
            break;
    }
    if (line.front() == '$') {
        if (value > maxBulkLength) {
            m_refused = "protocol error: a bulk string of more than " +
                        QByteArray::number(maxBulkLength) + " bytes";
            return false;
        }
        m_skip = value + 2;
    } else if (value > maxArrayElements) {
        m_refused = "protocol error: an array of more than " +
                    QByteArray::number(maxArrayElements) + " elements";
        return false;
    }
    return true;
}

qsizetype ReplyReader::screen(QByteArrayView bytes)
{
    qsizetype i = 0;
    m_lineStart = m_line.isEmpty() ? 0 : -m_line.size();
    while (i < bytes.size()) {
        if (m_skip > 0) {
            const qsizetype take = qsizetype(qMin<qint64>(m_skip, bytes.size() - i));
            m_skip -= take;
            i += take;
            m_lineStart = i;
            continue;
        }
        const qsizetype newline = bytes.indexOf('\n', i);
        if (newline < 0) {
            m_line.append(bytes.sliced(i, qMin<qsizetype>(bytes.size() - i, 32 - m_line.size())));
            return bytes.size();
        }
        bool accepted = true;
        if (m_line.isEmpty()) {
            accepted = screenLine(bytes.sliced(i, newline - i));
        } else {
            m_line.append(bytes.sliced(i, qMin<qsizetype>(newline - i, 32 - m_line.size())));
            accepted = screenLine(m_line);
            m_line.clear();
        }
        if (!accepted)
            return qMax<qsizetype>(m_lineStart, 0);
        i = newline + 1;
        m_lineStart = i;
    }
    return bytes.size();
}

bool ReplyReader::feed(QByteArrayView bytes)
{
    if (hasError() || !m_reader)
        return false;
    if (!m_refused.isEmpty())
        return true; // the rest is dropped; next() reports the error
    const qsizetype accepted = screen(bytes);
    auto *reader = static_cast<redisReader *>(m_reader.get());
    if (redisReaderFeed(reader, bytes.data(), size_t(accepted)) != REDIS_OK) {
        m_error = QByteArray(reader->errstr);
        return false;
    }
    return true;
}

std::optional<Reply> ReplyReader::next()
{
    if (hasError() || !m_reader)
        return std::nullopt;
    auto *reader = static_cast<redisReader *>(m_reader.get());
    void *reply = nullptr;
    if (redisReaderGetReply(reader, &reply) != REDIS_OK) {
        m_error = QByteArray(reader->errstr);
        if (m_error.isEmpty())
            m_error = QByteArrayLiteral("protocol error");
        return std::nullopt;
    }
    if (!reply) {
        // The replies before a refused header have been taken.
        if (!m_refused.isEmpty())
            m_error = m_refused;
        return std::nullopt;
    }
    Reply out = convert(static_cast<const redisReply *>(reply));
    freeReplyObject(reply);
    return out;
}

QByteArray formatCommand(const QList<QByteArray> &args)
{
    // *<count>\r\n, then $<length>\r\n<bytes>\r\n for each argument, in one allocation: this
    // runs for every PUBLISH.
    const auto appendNumber = [](QByteArray &out, qsizetype value) {
        char digits[24];
        const auto end = std::to_chars(std::begin(digits), std::end(digits), value).ptr;
        out.append(digits, end - digits);
    };
    qsizetype size = 16;
    for (const QByteArray &a : args)
        size += a.size() + 16;
    QByteArray out;
    out.reserve(size);
    out += '*';
    appendNumber(out, args.size());
    out += "\r\n";
    for (const QByteArray &a : args) {
        out += '$';
        appendNumber(out, a.size());
        out += "\r\n";
        out += a;
        out += "\r\n";
    }
    return out;
}

Connection::Connection(const ConnectionOptions &options, QObject *parent)
    : QObject(parent)
    , m_options(options)
{
    m_retry.setSingleShot(true);
    connect(&m_retry, &QTimer::timeout, this, &Connection::startConnecting);
    m_connectTimeout.setSingleShot(true);
    connect(&m_connectTimeout, &QTimer::timeout, this,
            [this] { lost(QStringLiteral("timed out connecting")); });
}

Connection::~Connection()
{
    m_retry.stop();
    if (m_socket) {
        m_socket->disconnect(this);
        m_socket->abort();
        delete m_socket;
        m_socket = nullptr;
    }
    // The callbacks still pending are dropped uncalled: their owners may be half destroyed.
}

void Connection::open()
{
    if (!m_socket && !m_retry.isActive())
        startConnecting();
}

void Connection::startConnecting()
{
    if (m_socket)
        return;
    m_reader.reset();
    m_subscribeMode = false;
    m_unsubscribing = 0;
    m_shardUnsubscribing.clear();
    m_authenticated = false;
    m_unconfirmed = 0;
    if (m_options.tls) {
        auto *ssl = new QSslSocket(this);
        ssl->setSslConfiguration(m_options.sslConfiguration);
        m_socket = ssl;
        connect(ssl, &QSslSocket::encrypted, this, &Connection::onSocketConnected);
        connect(ssl, &QSslSocket::sslErrors, this, [this](const QList<QSslError> &errors) {
            QStringList texts;
            for (const QSslError &e : errors)
                texts.append(e.errorString());
            fail(QStringLiteral("TLS: ") + texts.join(QStringLiteral("; ")));
            // QSslSocket aborts the handshake itself after this signal.
        });
    } else {
        m_socket = new QTcpSocket(this);
        connect(m_socket, &QTcpSocket::connected, this, &Connection::onSocketConnected);
    }
    QTcpSocket *socket = m_socket;
    socket->setSocketOption(QAbstractSocket::LowDelayOption, 1);
    socket->setSocketOption(QAbstractSocket::KeepAliveOption, 1);
    connect(socket, &QTcpSocket::readyRead, this, &Connection::onReadyRead);
    connect(socket, &QTcpSocket::disconnected, this, [this, socket] {
        if (socket == m_socket)
            lost(QStringLiteral("closed by Redis"));
    });
    connect(socket, &QTcpSocket::errorOccurred, this, [this, socket] {
        if (socket == m_socket)
            lost(socket->errorString());
    });
    m_connectTimeout.start(m_options.connectTimeoutMs);
    // The host name, if it is one, is resolved asynchronously by the socket.
    if (m_options.tls)
        static_cast<QSslSocket *>(socket)->connectToHostEncrypted(m_options.host, m_options.port);
    else
        socket->connectToHost(m_options.host, m_options.port);
}

void Connection::onSocketConnected()
{
    // The first reply tells that the peer is Redis (and not, say, a proxy that accepted the
    // connection): AUTH's +OK, or PING's +PONG without a password.
    if (m_options.password.isEmpty()) {
        send({QByteArrayLiteral("PING")}, [this](const Reply &reply) {
            if (reply.type == Reply::Type::Status && reply.string == "PONG") {
                authenticated();
                return;
            }
            if (reply.string == connectionLostError)
                return; // reported by lost()
            fail(QStringLiteral("unexpected reply to PING: ") + QString::fromUtf8(reply.string));
            lost(QStringLiteral("not Redis"));
        });
        return;
    }
    QList<QByteArray> auth{QByteArrayLiteral("AUTH")};
    if (!m_options.username.isEmpty())
        auth.append(m_options.username.toUtf8());
    auth.append(m_options.password.toUtf8());
    send(auth, [this](const Reply &reply) {
        if (!reply.isError()) {
            authenticated();
            return;
        }
        if (reply.string == connectionLostError)
            return; // reported by lost()
        fail(QStringLiteral("AUTH failed: ") + QString::fromUtf8(reply.string));
        lost(QStringLiteral("AUTH failed")); // and try again later
    });
}

// A failure that repeats at each attempt (AUTH refused, certificate rejected): a warning the
// first time until a connection succeeds, errorOccurred() every time.
void Connection::fail(const QString &message)
{
    if (!std::exchange(m_reportedFailure, true))
        qCWarning(lcRedis).noquote() << message;
    Q_EMIT errorOccurred(message);
}

void Connection::authenticated()
{
    // Ready once Redis confirmed every subscription: a message published after connected()
    // is then sure to arrive.
    m_authenticated = true;
    m_unconfirmed = int(m_subscriptions.channels.size() + m_subscriptions.patterns.size() +
                        m_subscriptions.shards.size());
    if (!m_subscriptions.channels.isEmpty())
        sendSubscribe(Kind::Channel, m_subscriptions.channels.keys());
    if (!m_subscriptions.patterns.isEmpty())
        sendSubscribe(Kind::Pattern, m_subscriptions.patterns.keys());
    // One command per shard channel: a Redis Cluster refuses channels of different slots.
    for (auto it = m_subscriptions.shards.cbegin(); it != m_subscriptions.shards.cend(); ++it)
        sendSubscribe(Kind::Shard, {it.key()});
    if (m_unconfirmed == 0)
        becomeReady();
}

void Connection::becomeReady()
{
    m_connectTimeout.stop();
    m_ready = true;
    m_attempt = 0;
    m_reportedFailure = false;
    if (m_everConnected)
        qCInfo(lcRedis) << "reconnected to" << m_options.host << m_options.port << "after outage"
                        << m_outages;
    m_everConnected = true;
    Q_EMIT connected();
}

void Connection::lost(const QString &reason)
{
    if (!m_socket)
        return;
    m_connectTimeout.stop();
    QTcpSocket *socket = std::exchange(m_socket, nullptr);
    socket->disconnect(this);
    socket->abort();
    socket->deleteLater(); // possibly inside one of its signals
    m_unconfirmed = 0;
    m_authenticated = false;
    m_subscribeMode = false;
    m_unsubscribing = 0;
    m_shardUnsubscribing.clear();
    m_reader.reset();
    const bool wasReady = std::exchange(m_ready, false);
    if (wasReady) {
        ++m_outages;
        qCWarning(lcRedis).nospace().noquote()
            << "connection to " << m_options.host << ':' << m_options.port << " lost (" << reason
            << "), outage " << m_outages << ", reconnecting";
    }
    scheduleReconnect();
    const std::deque<Pending> pending = std::exchange(m_pending, {});
    // What the signals and callbacks below connect to may destroy this connection.
    const QPointer<Connection> self(this);
    if (wasReady)
        Q_EMIT disconnected(reason);
    else
        fail(QStringLiteral("cannot connect to %1:%2: %3")
                 .arg(m_options.host, QString::number(m_options.port), reason));
    // The replies still awaited will not come.
    for (const Pending &p : pending) {
        if (!self)
            return;
        ++m_failed;
        answer(p, Reply::error(QByteArrayLiteral(connectionLostError)));
    }
}

void Connection::scheduleReconnect()
{
    if (m_retry.isActive())
        return;
    const int shift = qMin(m_attempt, 16);
    const int delay =
        int(qMin<qint64>(m_options.reconnectMaxMs, qint64(m_options.reconnectMinMs) << shift));
    ++m_attempt;
    m_retry.start(delay);
}

void Connection::receiveForTesting(QByteArrayView bytes)
{
    m_reader.reset();
    m_subscribeMode = hasSubscriptions();
    receive(bytes);
}

void Connection::onReadyRead()
{
    if (!m_socket)
        return;
    const QByteArray bytes = m_socket->readAll();
    receive(bytes);
}

void Connection::receive(QByteArrayView bytes)
{
    if (!m_reader.feed(bytes)) {
        fail(QStringLiteral("protocol error: ") + QString::fromUtf8(m_reader.error()));
        lost(QStringLiteral("protocol error"));
        return;
    }
    // A callback may destroy this connection (or lose it): stop when it did.
    const QPointer<Connection> self(this);
    while (self) {
        std::optional<Reply> reply = m_reader.next();
        if (!reply) {
            if (m_reader.hasError()) {
                fail(QStringLiteral("protocol error: ") + QString::fromUtf8(m_reader.error()));
                lost(QStringLiteral("protocol error"));
            }
            return;
        }
        handle(*reply);
    }
}

void Connection::handle(const Reply &reply)
{
    if (m_subscribeMode && handlePush(reply))
        return;
    if (m_pending.empty()) {
        // A subscription Redis refused (an ACL without the channel): it counts as answered,
        // so that the connection does not wait for it forever.
        if (reply.isError()) {
            if (m_options.clusterNode &&
                (reply.string.startsWith("MOVED ") || reply.string.startsWith("ASK ")))
                qCDebug(lcRedis) << "subscription redirected:" << reply.string;
            else
                fail(QStringLiteral("Redis refused: ") + QString::fromUtf8(reply.string));
            const QPointer<Connection> self(this);
            Q_EMIT subscriptionRefused(reply.string);
            if (self && !m_ready && m_unconfirmed > 0 && --m_unconfirmed == 0)
                becomeReady();
        }
        return;
    }
    const Pending pending = std::move(m_pending.front());
    m_pending.pop_front();
    answer(pending, reply);
}

// Hands `reply` to the command's callback; an error reply to a publication also goes to
// publishFailed().
void Connection::answer(const Pending &pending, const Reply &reply)
{
    if (!reply.isError() || pending.channel.isNull()) {
        if (pending.done)
            pending.done(reply);
        return;
    }
    const QPointer<Connection> self(this); // the callback may destroy this connection
    if (pending.done)
        pending.done(reply);
    if (self)
        Q_EMIT publishFailed(pending.channel, reply.string);
}

// A Pub/Sub push (RESP2: an array whose first element names it); false when `reply` is not one.
bool Connection::handlePush(const Reply &reply)
{
    if (reply.type != Reply::Type::Array || reply.elements.size() < 3 ||
        reply.elements.at(0).type != Reply::Type::String)
        return false;
    const QByteArray &kind = reply.elements.at(0).string;
    const Reply &name = reply.elements.at(1);
    if (kind == "message" || kind == "smessage") {
        const auto &map = kind == "message" ? m_subscriptions.channels : m_subscriptions.shards;
        const auto it = map.constFind(name.string);
        if (it != map.cend()) {
            const MessageCallback callback = it.value(); // may unsubscribe
            callback(name.string, reply.elements.at(2).string);
        }
        return true;
    }
    if (kind == "pmessage") {
        if (reply.elements.size() < 4)
            return true;
        const auto it = m_subscriptions.patterns.constFind(name.string);
        if (it != m_subscriptions.patterns.cend()) {
            const MessageCallback callback = it.value();
            callback(reply.elements.at(2).string, reply.elements.at(3).string);
        }
        return true;
    }
    if (kind == "subscribe" || kind == "psubscribe" || kind == "ssubscribe") {
        if (!m_ready && m_unconfirmed > 0 && --m_unconfirmed == 0)
            becomeReady();
        return true;
    }
    if (kind == "unsubscribe" || kind == "punsubscribe" || kind == "sunsubscribe") {
        // The count is of the subscriptions left (of that family for sunsubscribe): the mode
        // ends once every unsubscription we sent is confirmed and none is left.
        if (kind == "sunsubscribe") {
            const auto own = m_shardUnsubscribing.find(name.string);
            if (own == m_shardUnsubscribing.end()) {
                // Not asked for: a Redis Cluster moved the channel's slot away.
                if (m_subscriptions.shards.remove(name.string))
                    Q_EMIT shardChannelDropped(name.string);
                if (reply.elements.at(2).integer == 0 && m_unsubscribing == 0 &&
                    !hasSubscriptions())
                    m_subscribeMode = false;
                return true;
            }
            if (--own.value() == 0)
                m_shardUnsubscribing.erase(own);
        }
        if (m_unsubscribing > 0)
            --m_unsubscribing;
        if (reply.elements.at(2).integer == 0 && m_unsubscribing == 0 && !hasSubscriptions())
            m_subscribeMode = false;
        return true;
    }
    return false;
}

void Connection::command(const QList<QByteArray> &args, Callback done)
{
    issue(args, {std::move(done), {}});
}

void Connection::issue(const QList<QByteArray> &args, Pending pending)
{
    if (!m_ready) {
        ++m_failed;
        answer(pending, Reply::error(QByteArrayLiteral(notConnectedError)));
        return;
    }
    write(args);
    m_pending.push_back(std::move(pending));
}

void Connection::write(const QList<QByteArray> &args)
{
    const QByteArray bytes = formatCommand(args);
    m_socket->write(bytes);
}

void Connection::send(const QList<QByteArray> &args, Callback done)
{
    write(args);
    m_pending.push_back({std::move(done), {}});
}

void Connection::publish(const QByteArray &channel, const QByteArray &message, Callback done)
{
    issue({QByteArrayLiteral("PUBLISH"), channel, message}, {std::move(done), channel});
}

void Connection::spublish(const QByteArray &channel, const QByteArray &message, Callback done)
{
    issue({QByteArrayLiteral("SPUBLISH"), channel, message}, {std::move(done), channel});
}

void Connection::sendSubscribe(Kind kind, const QList<QByteArray> &names)
{
    if (!m_socket)
        return;
    QList<QByteArray> args;
    args.reserve(names.size() + 1);
    args.append(QByteArray(verb(true, int(kind))));
    args.append(names);
    m_subscribeMode = true;
    write(args);
}

QHash<QByteArray, Connection::MessageCallback> &Connection::subscriptions(Kind kind)
{
    switch (kind) {
    case Kind::Pattern:
        return m_subscriptions.patterns;
    case Kind::Shard:
        return m_subscriptions.shards;
    case Kind::Channel:
        break;
    }
    return m_subscriptions.channels;
}

bool Connection::hasSubscriptions() const
{
    return !m_subscriptions.channels.isEmpty() || !m_subscriptions.patterns.isEmpty() ||
           !m_subscriptions.shards.isEmpty();
}

// A new subscription; before authentication it waits for authenticated(), which sends all.
void Connection::addSubscription(Kind kind, const QByteArray &name, MessageCallback callback)
{
    QHash<QByteArray, MessageCallback> &map = subscriptions(kind);
    const bool fresh = !map.contains(name);
    map.insert(name, std::move(callback));
    if (!fresh || !m_authenticated)
        return;
    if (!m_ready)
        ++m_unconfirmed; // confirmed before the connection counts as ready
    sendSubscribe(kind, {name});
}

void Connection::removeSubscription(Kind kind, const QByteArray &name)
{
    if (!subscriptions(kind).remove(name) || !m_authenticated || !m_socket)
        return;
    ++m_unsubscribing;
    if (kind == Kind::Shard)
        ++m_shardUnsubscribing[name];
    write({QByteArray(verb(false, int(kind))), name});
}

void Connection::subscribe(const QByteArray &channel, MessageCallback callback)
{
    addSubscription(Kind::Channel, channel, std::move(callback));
}

void Connection::psubscribe(const QByteArray &pattern, MessageCallback callback)
{
    addSubscription(Kind::Pattern, pattern, std::move(callback));
}

void Connection::ssubscribe(const QByteArray &channel, MessageCallback callback)
{
    addSubscription(Kind::Shard, channel, std::move(callback));
}

void Connection::unsubscribe(const QByteArray &channel)
{
    removeSubscription(Kind::Channel, channel);
}

void Connection::punsubscribe(const QByteArray &pattern)
{
    removeSubscription(Kind::Pattern, pattern);
}

void Connection::sunsubscribe(const QByteArray &channel)
{
    removeSubscription(Kind::Shard, channel);
}

} // namespace SocketIO::Redis
