// One connection to a Redis server over hiredis's asynchronous API, driven by the Qt event
// loop (QSocketNotifier): commands with callbacks, PUBLISH, SUBSCRIBE/PSUBSCRIBE with message
// callbacks, AUTH, and reconnection with backoff that subscribes again. Nothing here blocks:
// a host name is resolved with QHostInfo's asynchronous look-up before hiredis connects to the
// address.
#pragma once

#include "core/testable_p.h"

#include <QtCore/QByteArray>
#include <QtCore/QHash>
#include <QtCore/QList>
#include <QtCore/QObject>
#include <QtCore/QTimer>

#include <functional>

struct redisAsyncContext;
class QSocketNotifier;

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

struct ConnectionOptions
{
    QString host = QStringLiteral("127.0.0.1");
    quint16 port = 6379;
    QString username; // ACL user (Redis 6); empty: AUTH with the password only
    QString password; // empty: no AUTH
    int reconnectMinMs = 50;
    int reconnectMaxMs = 2000;
    int maxQueued = 10000; // commands kept while the connection is down
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
    // How many times an established connection was lost.
    int outageCount() const { return m_outages; }
    // Commands that failed because the queue was full while the connection was down.
    qint64 droppedCount() const { return m_dropped; }

    // `done` gets the reply, or an error reply when the command could not be sent. While the
    // connection is down, commands wait (up to maxQueued) and go out once it is back.
    void command(const QList<QByteArray> &args, Callback done = {});
    void publish(const QByteArray &channel, const QByteArray &message);
    // Message callbacks stay until unsubscribed, across reconnections. One callback per
    // channel (or pattern); a second subscribe replaces it.
    void subscribe(const QByteArray &channel, MessageCallback callback);
    void psubscribe(const QByteArray &pattern, MessageCallback callback);
    void unsubscribe(const QByteArray &channel);
    void punsubscribe(const QByteArray &pattern);

Q_SIGNALS:
    // Ready: connected, authenticated, and subscribed again (Redis confirmed each).
    void connected();
    // An established connection was lost (an outage starts); reconnection is under way.
    void disconnected(const QString &reason);
    void errorOccurred(const QString &message);

private:
    struct Queued
    {
        QList<QByteArray> args;
        Callback done;
    };
    static void onConnect(const redisAsyncContext *ac, int status);
    static void onDisconnect(const redisAsyncContext *ac, int status);
    static void onReply(redisAsyncContext *ac, void *reply, void *privdata);
    static void onPush(redisAsyncContext *ac, void *reply, void *privdata);

    void connectTo(const QString &address);
    void startConnecting();
    void attach();
    void detachNotifiers();
    void authenticated();
    void becomeReady();
    void lost(const redisAsyncContext *ac, const QString &reason);
    void scheduleReconnect();
    void send(const QList<QByteArray> &args, Callback done);
    void sendSubscribe(const char *verb, const QList<QByteArray> &names);
    void push(const Reply &reply);
    void sendSubscription(const char *verb, const QByteArray &name);

    const ConnectionOptions m_options;
    redisAsyncContext *m_ctx = nullptr;
    QSocketNotifier *m_read = nullptr;
    QSocketNotifier *m_write = nullptr;
    QTimer m_retry;
    int m_attempt = 0;
    bool m_ready = false;
    bool m_everConnected = false;
    bool m_closing = false;
    bool m_authFailed = false;    // warned once until a connection succeeds
    bool m_authenticated = false; // subscriptions can be sent
    int m_unconfirmed = 0;        // subscriptions sent again, not yet confirmed
    int m_outages = 0;
    qint64 m_dropped = 0;
    QList<Queued> m_queue;
    QHash<QByteArray, MessageCallback> m_channels;
    QHash<QByteArray, MessageCallback> m_patterns;
};

} // namespace SocketIO::Redis
