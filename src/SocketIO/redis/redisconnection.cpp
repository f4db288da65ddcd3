#include "redis/redisconnection_p.h"

#include <QtCore/QLoggingCategory>
#include <QtCore/QSocketNotifier>
#include <QtNetwork/QHostAddress>
#include <QtNetwork/QHostInfo>

#include <hiredis/async.h>
#include <hiredis/hiredis.h>

#include <memory>
#include <utility>
#include <vector>

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

Connection *owner(const redisAsyncContext *ac)
{
    return static_cast<Connection *>(ac->data);
}

} // namespace

Connection::Connection(const ConnectionOptions &options, QObject *parent)
    : QObject(parent)
    , m_options(options)
{
    m_retry.setSingleShot(true);
    connect(&m_retry, &QTimer::timeout, this, &Connection::startConnecting);
}

Connection::~Connection()
{
    m_closing = true;
    if (m_ctx) {
        // Pending callbacks run with no reply and find no owner: they only free their data.
        m_ctx->data = nullptr;
        redisAsyncContext *ac = m_ctx;
        m_ctx = nullptr;
        redisAsyncFree(ac);
    }
    delete m_read;
    delete m_write;
    for (const Queued &q : std::as_const(m_queue)) {
        if (q.done)
            q.done(Reply::error(QByteArrayLiteral("connection closed")));
    }
}

void Connection::open()
{
    if (!m_ctx && !m_retry.isActive())
        startConnecting();
}

void Connection::startConnecting()
{
    if (m_closing || m_ctx)
        return;
    QHostAddress address;
    if (address.setAddress(m_options.host)) {
        connectTo(m_options.host);
        return;
    }
    QHostInfo::lookupHost(m_options.host, this, [this](const QHostInfo &info) {
        for (const QHostAddress &a : info.addresses()) {
            if (a.protocol() == QAbstractSocket::IPv4Protocol) {
                connectTo(a.toString());
                return;
            }
        }
        if (!info.addresses().isEmpty()) {
            connectTo(info.addresses().constFirst().toString());
            return;
        }
        qCWarning(lcRedis) << "cannot resolve" << m_options.host << info.errorString();
        Q_EMIT errorOccurred(info.errorString());
        scheduleReconnect();
    });
}

void Connection::connectTo(const QString &address)
{
    if (m_closing || m_ctx)
        return;
    redisAsyncContext *ac = redisAsyncConnect(address.toLatin1().constData(), m_options.port);
    if (!ac) {
        scheduleReconnect();
        return;
    }
    if (ac->err) {
        const QString error = QString::fromLocal8Bit(ac->errstr);
        redisAsyncFree(ac);
        qCDebug(lcRedis) << "connect failed:" << error;
        scheduleReconnect();
        return;
    }
    m_ctx = ac;
    ac->data = this;
    attach();
    redisAsyncSetConnectCallback(ac, &Connection::onConnect);
    redisAsyncSetDisconnectCallback(ac, &Connection::onDisconnect);
}

// Our own event-loop adapter for hiredis (its adapters/qt.h connects string-based to Qt 5's
// QSocketNotifier::activated(int), which Qt 6 no longer has).
void Connection::attach()
{
    const qintptr fd = m_ctx->c.fd;
    m_read = new QSocketNotifier(fd, QSocketNotifier::Read);
    m_write = new QSocketNotifier(fd, QSocketNotifier::Write);
    m_read->setEnabled(false);
    m_write->setEnabled(false);
    connect(m_read, &QSocketNotifier::activated, this, [this] {
        if (m_ctx)
            redisAsyncHandleRead(m_ctx);
    });
    connect(m_write, &QSocketNotifier::activated, this, [this] {
        if (m_ctx)
            redisAsyncHandleWrite(m_ctx);
    });
    m_ctx->ev.data = this;
    m_ctx->ev.addRead = [](void *p) { static_cast<Connection *>(p)->m_read->setEnabled(true); };
    m_ctx->ev.delRead = [](void *p) { static_cast<Connection *>(p)->m_read->setEnabled(false); };
    m_ctx->ev.addWrite = [](void *p) { static_cast<Connection *>(p)->m_write->setEnabled(true); };
    m_ctx->ev.delWrite = [](void *p) { static_cast<Connection *>(p)->m_write->setEnabled(false); };
    m_ctx->ev.cleanup = [](void *p) { static_cast<Connection *>(p)->detachNotifiers(); };
}

void Connection::detachNotifiers()
{
    // Called by hiredis before it closes the descriptor, possibly from a notifier's own
    // signal: disable now, delete later.
    for (QSocketNotifier *n : {m_read, m_write}) {
        if (n) {
            n->setEnabled(false);
            if (!m_closing)
                n->deleteLater();
        }
    }
    if (!m_closing) {
        m_read = nullptr;
        m_write = nullptr;
    }
}

void Connection::onConnect(const redisAsyncContext *ac, int status)
{
    Connection *self = owner(ac);
    if (!self)
        return;
    if (status != REDIS_OK) {
        // hiredis frees the context after this callback.
        self->lost(ac, QString::fromLocal8Bit(ac->errstr));
        return;
    }
    if (self->m_options.password.isEmpty()) {
        self->authenticated();
        return;
    }
    QList<QByteArray> auth{QByteArrayLiteral("AUTH")};
    if (!self->m_options.username.isEmpty())
        auth.append(self->m_options.username.toUtf8());
    auth.append(self->m_options.password.toUtf8());
    self->send(auth, [self](const Reply &reply) {
        if (!reply.isError()) {
            self->authenticated();
            return;
        }
        const QString error = QString::fromUtf8(reply.string);
        if (!std::exchange(self->m_authFailed, true))
            qCWarning(lcRedis) << "AUTH failed:" << error;
        Q_EMIT self->errorOccurred(error);
        if (self->m_ctx)
            redisAsyncDisconnect(self->m_ctx); // and try again later
    });
}

void Connection::onDisconnect(const redisAsyncContext *ac, int status)
{
    Connection *self = owner(ac);
    if (!self)
        return;
    self->lost(ac,
               status == REDIS_OK ? QStringLiteral("closed") : QString::fromLocal8Bit(ac->errstr));
}

void Connection::authenticated()
{
    // Ready once Redis confirmed every subscription: a message published after connected()
    // is then sure to arrive.
    m_authenticated = true;
    m_unconfirmed = int(m_channels.size() + m_patterns.size());
    if (!m_channels.isEmpty())
        sendSubscribe("SUBSCRIBE", m_channels.keys());
    if (!m_patterns.isEmpty())
        sendSubscribe("PSUBSCRIBE", m_patterns.keys());
    if (m_unconfirmed == 0)
        becomeReady();
}

void Connection::becomeReady()
{
    m_ready = true;
    m_attempt = 0;
    m_authFailed = false;
    if (m_everConnected)
        qCInfo(lcRedis) << "reconnected to" << m_options.host << m_options.port << "after outage"
                        << m_outages;
    m_everConnected = true;
    const QList<Queued> queued = std::exchange(m_queue, {});
    for (const Queued &q : queued)
        send(q.args, q.done);
    Q_EMIT connected();
}

void Connection::lost(const redisAsyncContext *ac, const QString &reason)
{
    if (ac != m_ctx)
        return;
    m_ctx = nullptr; // hiredis frees it
    m_unconfirmed = 0;
    m_authenticated = false;
    if (m_ready) {
        m_ready = false;
        ++m_outages;
        qCWarning(lcRedis).nospace()
            << "connection to " << m_options.host << ':' << m_options.port << " lost (" << reason
            << "), outage " << m_outages << ", reconnecting";
        Q_EMIT disconnected(reason);
    }
    scheduleReconnect();
}

void Connection::scheduleReconnect()
{
    if (m_closing || m_retry.isActive())
        return;
    const int shift = qMin(m_attempt, 16);
    const int delay =
        int(qMin<qint64>(m_options.reconnectMaxMs, qint64(m_options.reconnectMinMs) << shift));
    ++m_attempt;
    m_retry.start(delay);
}

void Connection::command(const QList<QByteArray> &args, Callback done)
{
    if (m_ready && m_ctx) {
        send(args, std::move(done));
        return;
    }
    if (m_queue.size() >= m_options.maxQueued) {
        ++m_dropped;
        if (done)
            done(Reply::error(QByteArrayLiteral("not connected, queue full")));
        return;
    }
    m_queue.append({args, std::move(done)});
}

void Connection::send(const QList<QByteArray> &args, Callback done)
{
    std::vector<const char *> argv;
    std::vector<size_t> lengths;
    argv.reserve(size_t(args.size()));
    lengths.reserve(size_t(args.size()));
    for (const QByteArray &a : args) {
        argv.push_back(a.constData());
        lengths.push_back(size_t(a.size()));
    }
    auto *data = done ? new Callback(std::move(done)) : nullptr;
    const int rc = m_ctx ? redisAsyncCommandArgv(m_ctx, data ? &Connection::onReply : nullptr, data,
                                                 int(args.size()), argv.data(), lengths.data())
                         : REDIS_ERR;
    if (rc != REDIS_OK && data) {
        const std::unique_ptr<Callback> callback(data);
        (*callback)(Reply::error(QByteArrayLiteral("not connected")));
    }
}

void Connection::onReply(redisAsyncContext *ac, void *reply, void *privdata)
{
    const std::unique_ptr<Callback> callback(static_cast<Callback *>(privdata));
    if (!owner(ac))
        return; // the connection is being destroyed
    if (!reply) {
        (*callback)(Reply::error(QByteArrayLiteral("connection lost")));
        return;
    }
    (*callback)(convert(static_cast<const redisReply *>(reply)));
}

void Connection::publish(const QByteArray &channel, const QByteArray &message)
{
    command({QByteArrayLiteral("PUBLISH"), channel, message});
}

void Connection::sendSubscribe(const char *verb, const QList<QByteArray> &names)
{
    if (!m_ctx)
        return;
    std::vector<const char *> argv{verb};
    std::vector<size_t> lengths{strlen(verb)};
    for (const QByteArray &n : names) {
        argv.push_back(n.constData());
        lengths.push_back(size_t(n.size()));
    }
    redisAsyncCommandArgv(m_ctx, &Connection::onPush, this, int(argv.size()), argv.data(),
                          lengths.data());
}

void Connection::onPush(redisAsyncContext *ac, void *reply, void *)
{
    Connection *self = owner(ac);
    if (self && reply)
        self->push(convert(static_cast<const redisReply *>(reply)));
}

void Connection::push(const Reply &reply)
{
    if (reply.type != Reply::Type::Array || reply.elements.size() < 3)
        return;
    const QByteArray &kind = reply.elements.at(0).string;
    if (kind == "subscribe" || kind == "psubscribe") {
        if (!m_ready && m_unconfirmed > 0 && --m_unconfirmed == 0)
            becomeReady();
    } else if (kind == "message") {
        const auto it = m_channels.constFind(reply.elements.at(1).string);
        if (it != m_channels.cend()) {
            const MessageCallback callback = it.value(); // may unsubscribe
            callback(reply.elements.at(1).string, reply.elements.at(2).string);
        }
    } else if (kind == "pmessage" && reply.elements.size() >= 4) {
        const auto it = m_patterns.constFind(reply.elements.at(1).string);
        if (it != m_patterns.cend()) {
            const MessageCallback callback = it.value();
            callback(reply.elements.at(2).string, reply.elements.at(3).string);
        }
    }
}

// A new subscription; before authentication it waits for authenticated(), which sends all.
void Connection::sendSubscription(const char *verb, const QByteArray &name)
{
    if (!m_authenticated)
        return;
    if (!m_ready)
        ++m_unconfirmed; // confirmed before the connection counts as ready
    sendSubscribe(verb, {name});
}

void Connection::subscribe(const QByteArray &channel, MessageCallback callback)
{
    const bool fresh = !m_channels.contains(channel);
    m_channels.insert(channel, std::move(callback));
    if (fresh)
        sendSubscription("SUBSCRIBE", channel);
}

void Connection::psubscribe(const QByteArray &pattern, MessageCallback callback)
{
    const bool fresh = !m_patterns.contains(pattern);
    m_patterns.insert(pattern, std::move(callback));
    if (fresh)
        sendSubscription("PSUBSCRIBE", pattern);
}

void Connection::unsubscribe(const QByteArray &channel)
{
    if (m_channels.remove(channel) && m_authenticated)
        sendSubscribe("UNSUBSCRIBE", {channel});
}

void Connection::punsubscribe(const QByteArray &pattern)
{
    if (m_patterns.remove(pattern) && m_authenticated)
        sendSubscribe("PUNSUBSCRIBE", {pattern});
}

} // namespace SocketIO::Redis
