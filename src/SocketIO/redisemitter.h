#pragma once

#include "callbacks.h"
#include "redisadapter.h"
#include "socketio_export.h"

#include <QtCore/QByteArray>
#include <QtCore/QList>
#include <QtCore/QObject>
#include <QtCore/QPair>
#include <QtCore/QPointer>
#include <QtCore/QString>
#include <QtCore/QStringList>
#include <QtCore/QVariantList>

#include <functional>
#include <memory>

namespace SocketIO {

class RedisEmitter;

// What a RedisEmitter addresses in one namespace of the cluster: rooms, exceptions and flags,
// like the reference's BroadcastOperator. A value type: each modifier returns a new operator.
class SOCKETIO_EXPORT RedisEmitterOperator
{
public:
    RedisEmitterOperator() = default;

    RedisEmitterOperator to(const QString &room) const;
    RedisEmitterOperator to(const QStringList &rooms) const;
    RedisEmitterOperator in(const QString &room) const { return to(room); }
    RedisEmitterOperator in(const QStringList &rooms) const { return to(rooms); }
    RedisEmitterOperator except(const QString &room) const;
    RedisEmitterOperator except(const QStringList &rooms) const;
    RedisEmitterOperator compress(bool compress) const;
    // The reference's `volatile`, a C++ keyword.
    RedisEmitterOperator asVolatile() const;

    // Returns false (and publishes nothing) for a reserved event name or once the emitter is
    // gone.
    bool emitEvent(const QString &event, const QVariantList &args = {}) const;
    void socketsJoin(const QStringList &rooms) const;
    void socketsJoin(const QString &room) const { socketsJoin(QStringList{room}); }
    void socketsLeave(const QStringList &rooms) const;
    void socketsLeave(const QString &room) const { socketsLeave(QStringList{room}); }
    void disconnectSockets(bool close = false) const;
    // To the servers of the namespace (rooms, exceptions and flags do not apply).
    bool serverSideEmit(const QString &event, const QVariantList &args = {}) const;
    // Refused, as in the reference: an emitter cannot receive the servers' answers.
    bool serverSideEmit(
        const QString &event, const QVariantList &args, QObject *context,
        std::function<void(const QString &error, const QVariantList &responses)> callback) const;

    QString nsp() const { return m_nsp; }
    QStringList rooms() const { return m_rooms; }
    QStringList exceptRooms() const { return m_except; }
    BroadcastFlags flags() const;

private:
    friend class RedisEmitter;
    RedisEmitterOperator(const RedisEmitter *emitter, const QString &nsp);
    // On the namespace's request channel; false once the emitter is gone.
    bool publishRequest(const QByteArray &request) const;

    QPointer<const RedisEmitter> m_emitter;
    QString m_nsp;
    QStringList m_rooms;                 // in the order given, without duplicates
    QStringList m_except;                // the same
    QList<QPair<QString, bool>> m_flags; // "volatile", "compress", in the order first set
};

class RedisEmitterPrivate;

// Publishes into a Redis cluster of servers with the classic adapter (ours or Node's
// @socket.io/redis-adapter) from a process that has no Socket.IO server, in the wire format of
// @socket.io/redis-emitter 5.1.
class SOCKETIO_EXPORT RedisEmitter : public QObject
{
    Q_OBJECT
    Q_PROPERTY(bool connected READ isConnected NOTIFY connectedChanged)
    Q_PROPERTY(int outageCount READ outageCount NOTIFY connectedChanged)
public:
    explicit RedisEmitter(const RedisAdapterOptions &options = {}, QObject *parent = nullptr);
    ~RedisEmitter() override;
    Q_DISABLE_COPY_MOVE(RedisEmitter)

    RedisAdapterOptions options() const;
    bool isConnected() const;
    int outageCount() const;

    RedisEmitterOperator of(const QString &nsp) const;

    // The main namespace "/".
    RedisEmitterOperator to(const QString &room) const { return main().to(room); }
    RedisEmitterOperator to(const QStringList &rooms) const { return main().to(rooms); }
    RedisEmitterOperator in(const QString &room) const { return main().to(room); }
    RedisEmitterOperator in(const QStringList &rooms) const { return main().to(rooms); }
    RedisEmitterOperator except(const QString &room) const { return main().except(room); }
    RedisEmitterOperator except(const QStringList &rooms) const { return main().except(rooms); }
    RedisEmitterOperator compress(bool compress) const { return main().compress(compress); }
    RedisEmitterOperator asVolatile() const { return main().asVolatile(); }
    bool emitEvent(const QString &event, const QVariantList &args = {}) const
    {
        return main().emitEvent(event, args);
    }
    void socketsJoin(const QStringList &rooms) const { main().socketsJoin(rooms); }
    void socketsJoin(const QString &room) const { main().socketsJoin(room); }
    void socketsLeave(const QStringList &rooms) const { main().socketsLeave(rooms); }
    void socketsLeave(const QString &room) const { main().socketsLeave(room); }
    void disconnectSockets(bool close = false) const { main().disconnectSockets(close); }
    bool serverSideEmit(const QString &event, const QVariantList &args = {}) const
    {
        return main().serverSideEmit(event, args);
    }
    bool serverSideEmit(
        const QString &event, const QVariantList &args, QObject *context,
        std::function<void(const QString &error, const QVariantList &responses)> callback) const
    {
        return main().serverSideEmit(event, args, context, std::move(callback));
    }

Q_SIGNALS:
    void connectedChanged(bool connected);
    void errorOccurred(const QString &message);

private:
    friend class RedisEmitterOperator;
    RedisEmitterOperator main() const { return of(QStringLiteral("/")); }

    Q_DECLARE_PRIVATE(RedisEmitter)
    std::unique_ptr<RedisEmitterPrivate> const d_ptr;
};

} // namespace SocketIO
