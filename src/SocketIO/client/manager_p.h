#pragma once

#include "client/engineclient_p.h"
#include "clientsocket.h"
#include "core/ackregistry_p.h"
#include "core/listeners_p.h"
#include "manager.h"

#include <QtCore/QHash>
#include <QtCore/QPointer>
#include <QtCore/QTimer>

namespace SocketIO {

// socket.io-client's Backoff: delay * 2^attempts, randomised by `jitter`, capped at max.
class Backoff
{
public:
    Backoff(int ms, int max, double jitter)
        : m_ms(ms)
        , m_max(max)
        , m_jitter(jitter)
    {}
    int duration();
    void reset() { m_attempts = 0; }
    // New settings, keeping the attempts made so far (the reference's setters do the same).
    void configure(int ms, int max, double jitter)
    {
        m_ms = ms;
        m_max = max;
        m_jitter = jitter;
    }
    int attempts() const { return m_attempts; }

private:
    int m_ms;
    int m_max;
    double m_jitter;
    int m_attempts = 0;
};

class ManagerPrivate
{
    Q_DECLARE_PUBLIC(Manager)
public:
    explicit ManagerPrivate(Manager *q);
    static ManagerPrivate *get(Manager *manager) { return manager->d_func(); }

    // Opens the engine; `done` gets an empty string on success or the error.
    void open(std::function<void(const QString &error)> done);
    void onEngineOpen();
    void onEngineClose(const QString &reason, const QString &description);
    void onMessage(const QByteArray &data, bool binary);
    void cleanupEngine();
    void setState(Manager::State next);
    // No engine, whether or not a reconnection is scheduled.
    bool isClosed() const
    {
        return state == Manager::State::Closed || state == Manager::State::Reconnecting;
    }
    void maybeReconnectOnOpen();
    void reconnect();
    void writePacket(const Packet &packet, bool compress);
    // A socket went inactive; the connection closes when none is left active.
    void destroySocket(ClientSocket *socket);

    Manager *const q_ptr;
    QUrl url;
    ManagerOptions options;
    QNetworkAccessManager *network = nullptr;
    QPointer<EngineIO::EngineClient> engine;
    std::unique_ptr<Decoder> decoder;
    Manager::State state = Manager::State::Closed;
    QHash<QString, ClientSocket *> nsps;
    Backoff backoff;
    // The parser of the current connection: a new one from setOptions() waits for the next.
    std::shared_ptr<const Parser> parser;
    bool reconnecting = false;
    bool skipReconnect = false;
    QTimer reconnectTimer;
    QTimer openTimeout;
    std::function<void(const QString &)> pendingOpen;
};

class ClientSocketPrivate
{
    Q_DECLARE_PUBLIC(ClientSocket)
public:
    explicit ClientSocketPrivate(ClientSocket *q);
    static ClientSocketPrivate *get(ClientSocket *socket) { return socket->d_func(); }

    void subscribe();
    void unsubscribe();
    void onOpen();
    void sendConnectPacket(const QVariantMap &auth);
    // Takes the event's arguments out of `packet` (the decoder's own copy), so that delivering
    // them copies nothing.
    void onPacket(Packet &packet);
    void onConnect(const QString &id, const QString &pid);
    void onEvent(Packet &packet);
    void deliver(const QString &event, const QVariantList &args, const Ack &ack);
    void onAck(const Packet &packet);
    void onClose(const QString &reason, const QString &description);
    void onEngineError(const QString &message);
    void destroy();
    // Derives state from `connected` and `subscribed`; emits stateChanged() on a change.
    void updateState();
    void packet(Packet packet, bool compress = true);
    bool emitWithFlags(const QString &event, const QVariantList &args, const BroadcastFlags &flags,
                       QObject *context, AckCallback callback, bool fromQueue = false);
    void clearAcks();
    void addToQueue(const QString &event, const QVariantList &args, const BroadcastFlags &flags,
                    QObject *context, AckCallback callback);
    void drainQueue(bool force = false);
    void notifyOutgoing(const QString &event, const QVariantList &args);

    struct QueuedEvent
    {
        qint64 id;
        int tryCount = 0;
        bool pending = false;
        QString event;
        QVariantList args;
        BroadcastFlags flags;
        QPointer<QObject> context;
        bool hasContext = false;
        AckCallback callback;
    };

    ClientSocket *const q_ptr;
    Manager *manager = nullptr;
    QString nsp;
    SocketOptions options;
    QString id;
    QString pid;
    QString lastOffset;
    bool connected = false;
    bool recovered = false;
    bool subscribed = false;
    ClientSocket::State state = ClientSocket::State::Disconnected;
    QList<QMetaObject::Connection> subscriptions;
    AckRegistry acks;
    QList<Packet> sendBuffer;
    struct Received
    {
        QString event;
        QVariantList args;
        Ack ack;
    };
    QList<Received> receiveBuffer;
    EventHandlers handlers;
    ListenerList<ClientSocket::AnyHandler> anyListeners;
    ListenerList<ClientSocket::AnyHandler> anyOutgoingListeners;
    QList<QueuedEvent> queue;
    qint64 queueSeq = 0;
};

} // namespace SocketIO
